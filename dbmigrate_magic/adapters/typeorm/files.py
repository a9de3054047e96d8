"""TypeORM facts that need no database: the DataSource's settings and the migration classes.

TypeORM names a migration by its class (or its ``name`` property) and orders by the class name's
last 13 digits; we read both from the file text, as running ts-node for ``status`` would take
seconds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .._files import read_text

DEFAULT_TABLE = "migrations"
MARKER = "// dbmigrate_magic: written from SQL"
CLASS_RE = re.compile(
    r"(?:\bexport\s+(?:default\s+)?|\bmodule\.exports\s*=\s*|\bexports\.[\w$]+\s*=\s*)"
    r"class\s+([A-Za-z_$][\w$]*)"
)
#: compiled or hand-written JS may declare the class first and export it later
ANY_CLASS_RE = re.compile(r"\bclass\s+([A-Za-z_$][\w$]*\d{13})\b")
NAME_PROP_RE = re.compile(r"""^\s*(?:public\s+|readonly\s+)*name\s*(?::\s*string\s*)?=\s*(['"`])([^'"`]+)\1""", re.M)
#: ``transaction = false`` on the class: TypeORM runs it outside a transaction (``--transaction each``)
NO_TX_RE = re.compile(r"^\s*(?:public\s+|readonly\s+)*transaction\s*(?::\s*boolean\s*)?=\s*false\b", re.M)
NAME_LINE_RE = re.compile(r'^(\s*)name = "[^"]*";\n', re.M)
QUERY_RE = re.compile(r'queryRunner\.query\(\s*("(?:[^"\\]|\\.)*")\s*\)')


@dataclass(frozen=True)
class TypeOrmMigration:
    path: Path
    name: str | None  # class name (or the name property), None when the file holds no class
    timestamp: int | None


def parse_migration(path: Path) -> TypeOrmMigration:
    text = read_text(path)
    prop = NAME_PROP_RE.search(text)
    cls = CLASS_RE.search(text) or ANY_CLASS_RE.search(text)
    name = prop.group(2) if prop else (cls.group(1) if cls else None)
    stamp = None
    if name:
        m = re.search(r"(\d{13})$", name)
        stamp = int(m.group(1)) if m else None
    return TypeOrmMigration(path, name, stamp)


def table_name(sources: list[Path]) -> str:
    for source in sources:
        text = read_text(source)
        if source.suffix == ".json":
            try:
                cfg = json.loads(text)
            except ValueError:
                continue
            for c in cfg if isinstance(cfg, list) else [cfg]:
                if isinstance(c, dict) and c.get("migrationsTableName"):
                    return str(c["migrationsTableName"])
            continue
        m = re.search(r"""\bmigrationsTableName\s*:\s*(['"`])([^'"`]+)\1""", text)
        if m:
            return m.group(2)
    return DEFAULT_TABLE


def folder_of(pattern: str) -> str:
    """The static folder part of a glob (``src/migrations/*.ts`` -> ``src/migrations``)."""
    parts = []
    for part in pattern.split("/"):
        if any(ch in part for ch in "*?[{"):
            break
        parts.append(part)
    return "/".join(parts)


def pascal(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name.strip())
    out = "".join(w[:1].upper() + w[1:] for w in words if w)
    if not out or out[0].isdigit():
        out = "Migration" + out
    return out


def render(cls: str, up: list[str], down: list[str] | None, typescript: bool = True) -> str:
    """A TypeORM migration class with one ``queryRunner.query`` call per statement (TS, or CommonJS
    for projects whose DataSource loads compiled ``.js`` migrations)."""

    def calls(statements: list[str]) -> str:
        return "".join(f"        await queryRunner.query({json.dumps(s)});\n" for s in statements)

    down_body = (
        calls(down)
        if down is not None
        else (
            '        throw new Error("This migration has no down SQL: write a reverse migration or restore a backup.");\n'
        )
    )
    if typescript:
        head = (
            'import { MigrationInterface, QueryRunner } from "typeorm";\n\n'
            f"export class {cls} implements MigrationInterface {{\n"
        )
        up_sig = "    public async up(queryRunner: QueryRunner): Promise<void> {\n"
        down_sig = "    public async down(queryRunner: QueryRunner): Promise<void> {\n"
        tail = "}\n"
    else:
        head = f"module.exports = class {cls} {{\n"
        up_sig = "    async up(queryRunner) {\n"
        down_sig = "    async down(queryRunner) {\n"
        tail = "};\n"
    return (
        f"{MARKER}. Each statement runs through queryRunner.query, in order.\n{head}"
        f'    name = "{cls}";\n\n{up_sig}{calls(up)}    }}\n\n{down_sig}{down_body}    }}\n{tail}'
    )


DOWN_RE = re.compile(r"\basync\s+down\(")


def parse_ours(text: str) -> tuple[list[str], list[str] | None] | None:
    """Up and down statements of a class we wrote, or None for a hand-written migration."""
    parts = DOWN_RE.split(text, maxsplit=1)
    if not text.startswith(MARKER) or len(parts) != 2:
        return None
    up_part, down_part = parts
    try:
        up = [json.loads(s) for s in QUERY_RE.findall(up_part)]
        down = [json.loads(s) for s in QUERY_RE.findall(down_part)]
    except ValueError:
        return None
    if not down and "has no down SQL" in down_part:
        return up, None
    return up, down


def outside_transaction(text: str) -> bool:
    return NO_TX_RE.search(text) is not None


def without_transaction(text: str) -> str:
    """Our class with ``transaction = false`` after its ``name``: the statements run outside a transaction."""
    m = NAME_LINE_RE.search(text)
    if m is None:
        raise ValueError("not a migration class written by dbmigrate_magic")
    line = f"{m[1]}transaction = false;  // runs outside a transaction (CREATE INDEX CONCURRENTLY)\n"
    return text[: m.end()] + line + text[m.end() :]
