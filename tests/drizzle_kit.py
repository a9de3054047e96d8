"""A throwaway Drizzle project driven by the real drizzle-kit (pinned in tests/node/package.json).

node_modules comes from DBM_NODE_MODULES (dev.py points it at .cache/node/node_modules).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.node_projects import require_node_modules

_IMPORTS = {
    "sqlite": 'import { sqliteTable as table, integer, text } from "drizzle-orm/sqlite-core";\n'
    "const id = () => integer().primaryKey({ autoIncrement: true });\n"
    "const str = () => text();\n",
    "postgresql": 'import { pgTable as table, serial, text } from "drizzle-orm/pg-core";\n'
    "const id = () => serial().primaryKey();\nconst str = () => text();\n",
    # MariaDB rejects drizzle-kit's serial DDL: int().autoincrement() instead
    "mysql": 'import { mysqlTable as table, int, varchar } from "drizzle-orm/mysql-core";\n'
    "const id = () => int().autoincrement().primaryKey();\nconst str = () => varchar({ length: 255 });\n",
}


def tool_url(sqlalchemy_url: str) -> str:
    """The URL drizzle-kit's drivers (pg, mysql2, better-sqlite3) take for the same database."""
    from sqlalchemy.engine import make_url

    u = make_url(sqlalchemy_url)
    if u.get_backend_name() == "sqlite":
        return u.database
    scheme = "postgres" if u.get_backend_name() == "postgresql" else "mysql"
    return u.set(drivername=scheme).render_as_string(hide_password=False)


def dialect_of(sqlalchemy_url: str) -> str:
    return {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}[
        sqlalchemy_url.split(":")[0].split("+")[0]
    ]


class DrizzleProject:
    """``drizzle.config.ts`` + ``schema.ts`` in ``root``; ``out`` is ``./drizzle``."""

    def __init__(self, root: Path, db_url: str):
        self.modules = require_node_modules()
        self.root = root
        self.db_url = db_url
        self.dialect = dialect_of(db_url)
        root.mkdir(parents=True, exist_ok=True)
        link = root / "node_modules"
        if not link.exists():
            link.symlink_to(self.modules)
        (root / "drizzle.config.ts").write_text(
            'import { defineConfig } from "drizzle-kit";\n'
            f'export default defineConfig({{ dialect: "{self.dialect}", schema: "./schema.ts", out: "./drizzle", '
            f"dbCredentials: {{ url: {json.dumps(tool_url(db_url))} }} }});\n"
        )
        (root / ".env").write_text(f"DATABASE_URL={db_url}\n")

    @property
    def out(self) -> Path:
        return self.root / "drizzle"

    def schema(self, tables: dict[str, list[str]]) -> None:
        """Write schema.ts: table name -> extra text columns (every table has an id)."""
        body = [_IMPORTS[self.dialect]]
        for name, cols in tables.items():
            fields = ", ".join(["id: id()"] + [f"{c}: str()" for c in cols])
            body.append(f'export const {name} = table("{name}", {{ {fields} }});\n')
        (self.root / "schema.ts").write_text("".join(body))

    def kit(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(self.modules / ".bin" / "drizzle-kit"), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"drizzle-kit {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def generate(self, name: str, custom: bool = False) -> Path:
        before = set(self.out.glob("*.sql")) if self.out.is_dir() else set()
        self.kit("generate", "--name", name, *(["--custom"] if custom else []))
        new = sorted(set(self.out.glob("*.sql")) - before)
        assert len(new) == 1, f"drizzle-kit generate wrote {new}"
        return new[0]

    def migrate(self) -> subprocess.CompletedProcess:
        return self.kit("migrate")

    def journal(self) -> dict:
        return json.loads((self.out / "meta" / "_journal.json").read_text())

    def set_journal(self, journal: dict) -> None:
        (self.out / "meta" / "_journal.json").write_text(json.dumps(journal, indent=2))
