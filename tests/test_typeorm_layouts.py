"""TypeORM layouts seen in real projects: the DataSource named by ``-d`` in package.json scripts,
``ormconfig.*`` files, and the idioms of its ``migrations`` entry (``path.join(__dirname, ...)``,
``__dirname + ...``, compiled ``dist/`` globs, imported classes). Our own fixtures in each shape;
what dbm writes is run by the real TypeORM CLI, and a migration TypeORM did not run is never
reported as done."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from dbmigrate_magic.adapters.typeorm.adapter import TypeOrmAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import DbmError, ProjectError
from tests.helpers import query, tables, write_files
from tests.node_projects import TSCONFIG, TYPEORM_MIGRATION, fast_ts_node, require_node_modules  # noqa: F401

SERVER_DS = """\
import "reflect-metadata";
import path from "path";
import { DataSource } from "typeorm";

export default new DataSource({
  type: "better-sqlite3",
  database: process.env.DB_FILE || "dev.sqlite3",
  migrations: [path.join(__dirname, 'migrations', '*.{ts,js}')],
});
"""


def migration(stamp: int, name: str, table: str) -> str:
    return TYPEORM_MIGRATION % {"cls": f"{name}{stamp}", "table": table}


def node_project(root: Path, files: dict[str, str]) -> Path:
    write_files(root, {"tsconfig.json": TSCONFIG, **files})
    (root / "node_modules").symlink_to(require_node_modules())
    return root


def run_typeorm(root: Path, ds: str, db_file: Path, *args: str) -> str:
    env = dict(os.environ, DB_FILE=str(db_file), TS_NODE_TRANSPILE_ONLY="1", NO_COLOR="1")
    out = subprocess.run(
        ["npx", "--no-install", "typeorm-ts-node-commonjs", *args, "-d", ds],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.mark.node
def test_data_source_named_by_dash_d_with_path_join_dirname(tmp_path, fast_ts_node):  # noqa: F811
    root = node_project(
        tmp_path / "app",
        {
            "package.json": json.dumps(
                {"scripts": {"migration:run": "typeorm-ts-node-commonjs -d server/datasource.ts migration:run"}}
            ),
            "server/datasource.ts": SERVER_DS,
            "server/migrations/1700000000000-CreateUsers.ts": migration(1700000000000, "CreateUsers", "users"),
        },
    )
    adapter = TypeOrmAdapter(root)
    ev = TypeOrmAdapter.detect(root)
    assert ev is not None and ev.files == ("server/datasource.ts (-d in package.json)",)
    assert ev.migrations_dir == "server/migrations" and ev.migration_count == 1

    path = adapter.new_migration("add posts", "CREATE TABLE posts (id int);", "DROP TABLE posts;")
    assert path.parent == root / "server" / "migrations" and path.suffix == ".ts"  # where TypeORM looks
    db_file = tmp_path / "chosen.sqlite3"
    db = Database(f"sqlite:///{db_file}", "development")
    outcomes = adapter.apply(db, adapter.plan_apply(db))
    assert [o.state for o in outcomes] == ["applied", "applied"]
    assert {"users", "posts"} <= tables(f"sqlite:///{db_file}")
    shown = run_typeorm(root, "server/datasource.ts", db_file, "migration:show")  # TypeORM's own view
    assert len(re.findall(r"\[X\]", shown)) == 2 and "[ ]" not in shown


@pytest.mark.node
def test_a_migration_typeorm_did_not_run_is_never_reported_done(tmp_path, fast_ts_node):  # noqa: F811
    # a class TypeORM does not load (not exported) beside one it does: migration:run succeeds,
    # and dbm must say the other was not run instead of "skipped (already done by another run)"
    root = node_project(
        tmp_path / "app",
        {
            "data-source.ts": SERVER_DS.replace(
                "path.join(__dirname, 'migrations', '*.{ts,js}')", '"src/migrations/*.ts"'
            ),
            "src/migrations/1700000000000-One.ts": migration(1700000000000, "One", "one"),
            "src/migrations/1700000001000-Two.ts": migration(1700000001000, "Two", "two").replace(
                "export class", "class"
            ),
        },
    )
    adapter = TypeOrmAdapter(root)
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}", "development")
    plan = adapter.plan_apply(db)
    assert [s.migration for s in plan] == ["One1700000000000", "Two1700000001000"]
    with pytest.raises(DbmError) as info:
        adapter.apply(db, plan)
    assert "without running Two1700000001000" in info.value.what
    assert "pending" in str(info.value)
    names = [r[0] for r in query(f"sqlite:///{tmp_path / 'x.sqlite3'}", "SELECT name FROM migrations")]
    assert names == ["One1700000000000"]


def test_dirname_concatenation_and_template_literal(tmp_path):
    for expr in ("__dirname + '/migrations/*.ts'", "`${__dirname}/migrations/*.ts`"):
        root = tmp_path / re.sub(r"\W", "", expr)[:12]
        write_files(
            root,
            {
                "src/data-source.ts": 'import { DataSource } from "typeorm";\n'
                f'export const AppDataSource = new DataSource({{ type: "postgres", migrations: [{expr}] }});\n',
                "src/migrations/1700000000000-A.ts": migration(1700000000000, "A", "a"),
                "migrations/1700000000000-Decoy.ts": migration(1700000000000, "Decoy", "decoy"),
            },
        )
        adapter = TypeOrmAdapter(root)
        assert [f.id for f in adapter.migration_files()] == ["A1700000000000"]
        assert adapter.migrations_folder() == ((root / "src" / "migrations").resolve(), True)


def test_dist_glob_beside_src_is_read_from_src_and_writes_are_refused(tmp_path):
    root = tmp_path / "app"
    write_files(
        root,
        {
            "src/data-source.ts": 'import { DataSource } from "typeorm";\n'
            'export const AppDataSource = new DataSource({ type: "postgres", migrations: ["dist/migrations/*.js"] });\n',
            "src/migrations/1700000000000-A.ts": migration(1700000000000, "A", "a"),
        },
    )
    ev = TypeOrmAdapter.detect(root)
    assert ev is not None and ev.migration_count == 1 and ev.migrations_dir == "src/migrations"
    assert any("not built" in n for n in ev.notes)
    with pytest.raises(ProjectError) as info:
        TypeOrmAdapter(root).new_migration("b", "CREATE TABLE b (id int);", None)
    assert "dist/migrations/*.js" in info.value.what and "src/migrations" in str(info.value)
    assert sorted(p.name for p in (root / "src" / "migrations").iterdir()) == ["1700000000000-A.ts"]
    assert not (root / "dist").exists()


def test_imported_classes_are_read_and_writes_are_refused(tmp_path):
    root = tmp_path / "app"
    write_files(
        root,
        {
            "src/db.ts": 'import { DataSource } from "typeorm";\n'
            'import { Init1700000000000 } from "./migrations/1700000000000-Init";\n'
            'import { Users1700000001000 } from "./migrations/1700000001000-Users";\n'
            "export const AppDataSource = new DataSource({\n  type: 'postgres',\n"
            "  migrations: [Init1700000000000, Users1700000001000],\n});\n",
            "package.json": json.dumps({"scripts": {"typeorm": "typeorm-ts-node-commonjs --dataSource=src/db.ts"}}),
            "src/migrations/1700000000000-Init.ts": migration(1700000000000, "Init", "init"),
            "src/migrations/1700000001000-Users.ts": migration(1700000001000, "Users", "users"),
            "src/migrations/1700000002000-Unlisted.ts": migration(1700000002000, "Unlisted", "unlisted"),
        },
    )
    adapter = TypeOrmAdapter(root)
    assert [f.id for f in adapter.migration_files()] == ["Init1700000000000", "Users1700000001000"]
    with pytest.raises(ProjectError) as info:
        adapter.new_migration("more", "CREATE TABLE m (id int);", None)
    assert "imported classes" in info.value.what


def test_unknown_migrations_entry_refuses_to_guess(tmp_path):
    root = tmp_path / "app"
    write_files(
        root,
        {
            "data-source.ts": 'import { DataSource } from "typeorm";\nimport { dirs } from "./dirs";\n'
            'export default new DataSource({ type: "postgres", migrations: [...dirs.map((d) => d + "/*.ts")] });\n',
        },
    )
    ev = TypeOrmAdapter.detect(root)
    assert ev is not None and any("cannot be read without running it" in n for n in ev.notes)
    with pytest.raises(ProjectError) as info:
        TypeOrmAdapter(root).new_migration("x", "SELECT 1;", None)
    assert "cannot tell where TypeORM looks" in info.value.what
    assert list(root.rglob("*-X.ts")) == []


@pytest.mark.parametrize(
    "name,text",
    [
        ("ormconfig.json", json.dumps({"type": "postgres", "migrations": ["db/migration/*.ts"]})),
        ("ormconfig.yml", 'default:\n  type: postgres\n  migrations:\n    - "db/migration/*.ts"\n'),
        ("ormconfig.env", "TYPEORM_CONNECTION=postgres\nTYPEORM_MIGRATIONS=db/migration/*.ts\n"),
        ("ormconfig.js", "module.exports = { type: 'postgres', migrations: ['db/migration/*.ts'] };\n"),
    ],
)
def test_ormconfig_files(tmp_path, name, text):
    root = tmp_path / "app"
    write_files(
        root,
        {
            name: text,
            "db/migration/1700000000000-A.ts": migration(1700000000000, "A", "a"),
            "db/migration/1700000001000-B.ts": migration(1700000001000, "B", "b"),
        },
    )
    ev = TypeOrmAdapter.detect(root)
    assert ev is not None and ev.files == (name,)
    assert ev.migrations_dir == "db/migration" and ev.migration_count == 2
    assert TypeOrmAdapter(root).migrations_folder() == ((root / "db" / "migration").resolve(), True)
