"""Shapes seen on real public projects (issue 12), in fixtures of our own: a Cargo workspace of sqlx
crates, a goose folder, and TypeORM configs that real NestJS projects write."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.adapters.typeorm.adapter import TypeOrmAdapter
from tests.helpers import write_files

GOOSE_UP = "-- +goose Up\nCREATE TABLE t (id int);\n\n-- +goose Down\nDROP TABLE t;\n"
TS_MIGRATION = (
    "import {{ MigrationInterface, QueryRunner }} from 'typeorm';\n\n"
    "export class {cls} implements MigrationInterface {{\n  name = '{name}';\n\n"
    "  public async up(q: QueryRunner): Promise<void> {{ await q.query(`SELECT 1`); }}\n"
    "  public async down(q: QueryRunner): Promise<void> {{ await q.query(`SELECT 1`); }}\n}}\n"
)
PKG = json.dumps({"dependencies": {"typeorm": "^0.3.20", "@nestjs/typeorm": "^11.0.0"}})


def test_sqlx_workspace_crates_listed_from_the_root(tmp_path, run_dbm):
    """`sqlx = { workspace = true }` in each crate, the version in [workspace.dependencies.sqlx]."""
    write_files(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n\n[workspace.dependencies.sqlx]\nversion = "0.8"\n',
            "crates/server-pg/Cargo.toml": '[package]\nname = "server-pg"\n\n[dependencies]\n'
            'sqlx = { workspace = true, features = ["postgres"] }\n',
            "crates/server-pg/migrations/20210425153745_create_history.sql": "CREATE TABLE h (id int);\n",
            "crates/server-pg/migrations/20210425153757_create_users.sql": "CREATE TABLE u (id int);\n",
            "crates/client/Cargo.toml": '[package]\nname = "client"\n\n[dependencies]\nsqlx = { workspace = true }\n',
            "crates/client/migrations/20230101000000_init.sql": "CREATE TABLE c (id int);\n",
            "crates/common/Cargo.toml": '[package]\nname = "common"\n',
        },
    )
    data = json.loads(run_dbm("detect", tmp_path, "--format", "json").stdout)
    assert [(p["path"], p["tool"], p["migrations_dir"], p["migration_count"]) for p in data["projects"]] == [
        ("crates/client", "sqlx", "migrations", 1),
        ("crates/server-pg", "sqlx", "migrations", 2),
    ]


def test_goose_folder_is_goose_not_raw_sql(tmp_path):
    write_files(
        tmp_path,
        {
            "go.mod": "module example.com/app\n",
            "migrations/0001_init.sql": GOOSE_UP,
            "migrations/1757041245_add_col.sql": GOOSE_UP.replace("+goose Up", "+goose up"),  # case-insensitive
        },
    )
    result = api.detect(tmp_path)
    assert result.tool == "goose" and result.migrations_dir == "migrations" and result.migration_count == 2
    assert [e.tool for e in result.also_matched] == []


def test_goose_writes_refuse(tmp_path, run_dbm):
    write_files(tmp_path, {"migrations/0001_init.sql": GOOSE_UP})
    out = run_dbm("migrate", "--project", tmp_path, "--yes", "--env", f"sqlite:///{tmp_path / 'app.db'}")
    assert out.returncode != 0 and "goose" in out.stderr and "Nothing was changed" in out.stderr
    assert not (tmp_path / "app.db").exists()


def test_typeorm_dist_double_star_glob_reads_the_src_twin(tmp_path):
    """`'dist/**/migrations/*.js'` holds `/**/`, which is part of the string, not a comment."""
    write_files(
        tmp_path,
        {
            "package.json": PKG,
            "ormconfig.ts": "import { DataSource } from 'typeorm';\nexport const ds = new DataSource({\n"
            "  type: 'postgres',\n  migrations: ['dist/**/migrations/*.js'], // compiled\n});\n",
            "src/migrations/1665947311642-SeedUser.ts": TS_MIGRATION.format(
                cls="SeedUser1665947311642", name="SeedUser1665947311642"
            ),
        },
    )
    assert [p.name for p in TypeOrmAdapter.files(tmp_path)] == ["1665947311642-SeedUser.ts"]


def test_typeorm_js_glob_beside_ts_sources(tmp_path):
    """`join(__dirname, 'src', 'migrations', '*.js')` in a config run compiled: the .ts sources are read."""
    write_files(
        tmp_path,
        {
            "package.json": PKG,
            "ormconfig.ts": "import { DataSource } from 'typeorm';\nimport { join } from 'path';\n"
            "export const ds = new DataSource({ type: 'postgres',\n"
            "  migrations: [join(__dirname, 'src', 'migrations', '*.js')] });\n",
            "src/migrations/1760472426975-migration.ts": TS_MIGRATION.format(
                cls="Migration1760472426975", name="Migration1760472426975"
            ),
        },
    )
    assert [p.name for p in TypeOrmAdapter.files(tmp_path)] == ["1760472426975-migration.ts"]


def test_typeorm_nest_module_and_class_name(tmp_path):
    """No DataSource file: the NestJS module's TypeOrmModule.forRootAsync lists the migrations; a
    migration is named as TypeORM records it (the class's `name`), not by its file name."""
    write_files(
        tmp_path,
        {
            "package.json": PKG,
            "src/database/database.module.ts": "import { Module } from '@nestjs/common';\n"
            "import { TypeOrmModule } from '@nestjs/typeorm';\n@Module({ imports: [\n"
            "  TypeOrmModule.forRootAsync({ useFactory: () => ({ type: 'postgres', migrationsRun: true,\n"
            "    migrations: [__dirname + '/../migrations/*{.ts,.js}'] }) }),\n] })\n"
            "export class DatabaseModule {}\n",
            "src/migrations/1741320929074-FirstMigration.ts": TS_MIGRATION.format(
                cls="FirstMigration1741320929074", name="FirstMigration1741320929074"
            ),
        },
    )
    result = api.detect(tmp_path)
    assert result.tool == "typeorm" and result.migrations_dir == "src/migrations" and result.migration_count == 1
    adapter = TypeOrmAdapter(tmp_path)
    assert [f.id for f in adapter.migration_files()] == ["FirstMigration1741320929074"]


def test_goose_status_reads_goose_db_version_as_goose_does(db_url, tmp_path):
    """The newest row of a version says whether it is applied (goose's rule); writes refuse."""
    from dbmigrate_magic.errors import DbmError
    from tests.helpers import execute

    root = write_files(
        tmp_path / "svc",
        {
            ".env": f"DATABASE_URL={db_url}\n",
            "migrations/00001_users.sql": GOOSE_UP,
            "migrations/00002_orders.sql": GOOSE_UP.replace(" t ", " o "),
            "migrations/00010_items.sql": GOOSE_UP.replace(" t ", " i "),
        },
    )
    # as goose creates it: version 0 first, then a row per up (and, from older goose, per down)
    execute(
        db_url,
        "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY, version_id BIGINT NOT NULL, "
        "is_applied BOOLEAN NOT NULL, tstamp TIMESTAMP NULL)",
        *(
            f"INSERT INTO goose_db_version (id, version_id, is_applied) VALUES ({i}, {v}, {a})"
            for i, v, a in ((1, 0, "TRUE"), (2, 1, "TRUE"), (3, 2, "TRUE"), (4, 2, "FALSE"))
        ),
    )
    status = api.status(root)
    assert [(r.migration, r.state) for r in status.rows] == [("1", "applied"), ("2", "pending"), ("10", "pending")]
    with pytest.raises(DbmError):
        api.migrate(root, yes=True)
    assert api.status(root).rows == status.rows  # the refusal changed nothing
