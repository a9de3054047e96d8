"""sqlx (Rust): detection from Cargo.toml / sqlx.toml, read-only status from ``_sqlx_migrations`` as
sqlx creates it on PostgreSQL, MariaDB and SQLite, with the checksum computed by sqlx's rule
(SHA-384 of the file's text, without sqlx.toml's ``ignored-chars``)."""

from __future__ import annotations

import hashlib

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import UnsupportedOperation
from dbmigrate_magic.project import find_project
from tests.helpers import dialect, execute, tables, write_files

CARGO = '[package]\nname = "app"\nversion = "0.1.0"\n\n[dependencies]\nsqlx = { version = "0.8", features = ["postgres"] }\n'
FILES = {
    "migrations/1_users.sql": "CREATE TABLE users (id BIGINT PRIMARY KEY);\n",
    "migrations/2_orders.up.sql": "CREATE TABLE orders (id BIGINT PRIMARY KEY);\n",
    "migrations/2_orders.down.sql": "DROP TABLE orders;\n",
    "migrations/3_items.sql": "CREATE TABLE items (\r\n  id BIGINT PRIMARY KEY\r\n);\r\n",  # CRLF, kept
    "migrations/10_tags.sql": "-- no-transaction\nCREATE TABLE tags (id BIGINT PRIMARY KEY);\n",
    "migrations/20_later.sql": "CREATE TABLE later (id BIGINT PRIMARY KEY);\n",
    "migrations/notes.sql": "not a migration: sqlx skips names without <version>_\n",
}


def sqlx_table(url: str, table: str = "_sqlx_migrations") -> str:
    """The table as sqlx creates it (sqlx-postgres / sqlx-mysql / sqlx-sqlite ``migrate.rs``)."""
    installed, blob = (
        ("TIMESTAMPTZ NOT NULL DEFAULT now()", "BYTEA")
        if dialect(url) == "postgresql"
        else (
            "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
            "BLOB",
        )
    )
    return (
        f"CREATE TABLE {table} (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on {installed}, "
        f"success BOOLEAN NOT NULL, checksum {blob} NOT NULL, execution_time BIGINT NOT NULL)"
    )


def record(url: str, table: str, version: int, description: str, text: str, success: bool = True) -> None:
    digest = hashlib.sha384(text.encode()).digest()
    execute(
        url,
        f"INSERT INTO {table} (version, description, success, checksum, execution_time) VALUES (:v, :d, :s, :c, 1)",
        params=[{"v": version, "d": description, "s": success, "c": digest}],
    )


def test_status_as_sqlx_reads_it(db_url, tmp_path):
    root = write_files(tmp_path / "app", {"Cargo.toml": CARGO, ".env": f"DATABASE_URL={db_url}\n", **FILES})
    project = find_project(root)
    assert project.tool == "sqlx" and project.evidence is not None
    assert project.evidence.migrations_dir == "migrations" and project.evidence.migration_count == 5
    assert "rawsql" not in [m.tool for m in project.matches]

    before = api.status(root)
    assert not before.table_exists and [r.migration for r in before.rows] == ["1", "2", "3", "10", "20"]
    execute(db_url, sqlx_table(db_url))
    record(db_url, "_sqlx_migrations", 1, "users", FILES["migrations/1_users.sql"])
    record(db_url, "_sqlx_migrations", 2, "orders", "CREATE TABLE orders (id BIGINT);\n")  # edited since
    record(db_url, "_sqlx_migrations", 3, "items", FILES["migrations/3_items.sql"])
    record(db_url, "_sqlx_migrations", 10, "tags", FILES["migrations/10_tags.sql"], success=False)
    record(db_url, "_sqlx_migrations", 7, "gone", "SELECT 1;\n")
    status = api.status(root)
    assert status.error is None and status.table_exists
    assert [(r.migration, r.state) for r in status.rows] == [
        ("1", "applied"),
        ("2", "modified"),
        ("3", "applied"),
        ("7", "missing"),
        ("10", "failed"),
        ("20", "pending"),
    ]
    rows = {r.migration: r for r in status.rows}
    assert rows["1"].checksum_ok is True and rows["2"].checksum_ok is False
    assert rows["1"].applied_at is not None and rows["2"].extra["down_file"] == "2_orders.down.sql"
    assert rows["1"].extra["description"] == "users"
    with pytest.raises(UnsupportedOperation):
        api.migrate(root, yes=True)
    assert "later" not in tables(db_url)


def test_sqlx_toml_dir_table_and_ignored_chars(sqlite_url, tmp_path):
    text = "CREATE TABLE a (\r\n\tid BIGINT PRIMARY KEY\r\n);\r\n"
    root = write_files(
        tmp_path / "app",
        {
            "sqlx.toml": '[migrate]\nmigrations-dir = "db/changes"\ntable-name = "app_versions"\n'
            'ignored-chars = [" ", "\\t", "\\r", "\\n"]\n',
            ".env": f"DATABASE_URL={sqlite_url}\n",
            "db/changes/20240101000000_create_a.sql": text,
        },
    )
    execute(sqlite_url, sqlx_table(sqlite_url, "app_versions"))
    stripped = "".join(c for c in text if c not in " \t\r\n")
    record(sqlite_url, "app_versions", 20240101000000, "create a", stripped)
    status = api.status(root)
    assert status.tool == "sqlx" and status.tracking_table == "app_versions"
    assert [(r.state, r.checksum_ok, r.extra["description"]) for r in status.rows] == [("applied", True, "create a")]


def test_migrate_macro_names_the_folder(sqlite_url, tmp_path):
    root = write_files(
        tmp_path / "app",
        {
            "Cargo.toml": CARGO,
            ".env": f"DATABASE_URL={sqlite_url}\n",
            "src/main.rs": 'fn main() { let m = sqlx::migrate!("./sql/migrations"); }\n',
            "sql/migrations/1_init.up.sql": "CREATE TABLE a (id BIGINT);\n",
            "sql/migrations/1_init.down.sql": "DROP TABLE a;\n",
        },
    )
    project = find_project(root)
    assert project.tool == "sqlx" and project.evidence.migrations_dir == "sql/migrations"  # type: ignore[union-attr]


def test_a_raw_sql_project_on_a_sqlx_database_is_refused(db_url, tmp_path):
    from dbmigrate_magic.errors import ForeignTrackingTable
    from tests.helpers import make_project

    execute(db_url, sqlx_table(db_url))
    project = make_project(tmp_path / "raw", db_url, {"20250101000000_a.sql": "-- UP\nCREATE TABLE a (id INTEGER);\n"})
    with pytest.raises(ForeignTrackingTable) as err:
        api.migrate(project, yes=True)
    assert "sqlx" in err.value.what and "sqlx migrate run" in (err.value.next_step or "")
    assert tables(db_url) == {"_sqlx_migrations"}
