"""golang-migrate as real projects lay it out: its own file pattern (any extension, one odd name
among the files), per-driver folders, and ``x-`` options in the URL (honoured, never sent to the
driver); raw SQL never claims its folder."""

from __future__ import annotations

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import UnsupportedOperation
from dbmigrate_magic.project import find_project
from tests.helpers import execute, tables, write_files

UP = "CREATE TABLE t{n} (id INTEGER PRIMARY KEY);\n"
DOWN = "DROP TABLE t{n};\n"


def _project(root, url: str, folder: str = "migrations", odd: bool = True):
    files = {".env": f"DATABASE_URL={url}\n"}
    for n in (1, 2, 3):
        files[f"{folder}/00000{n}_t{n}.up.sql"] = UP.format(n=n)
        files[f"{folder}/00000{n}_t{n}.down.sql"] = DOWN.format(n=n)
    if odd:
        files[f"{folder}/seed_data.sql"] = "INSERT INTO t1 (id) VALUES (1);\n"  # not golang-migrate's naming
        files[f"{folder}/README.md"] = "run with migrate -path migrations\n"
    return write_files(root, files)


def _with_option(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


def test_odd_file_does_not_make_it_raw_sql(tmp_path, sqlite_url):
    root = _project(tmp_path / "app", sqlite_url)
    project = find_project(root)
    assert project.tool == "golang-migrate"
    assert "rawsql" not in [m.tool for m in project.matches]  # the folder is golang-migrate's
    assert [f.id for f in project.adapter.migration_files()] == ["1", "2", "3"]
    with pytest.raises(UnsupportedOperation):  # read-only: nothing is written with the wrong tool
        api.migrate(root, yes=True)
    assert tables(sqlite_url) == set()


def test_any_extension_its_pattern_accepts(tmp_path, sqlite_url):
    root = write_files(
        tmp_path / "app",
        {
            ".env": f"DATABASE_URL={sqlite_url}\n",
            "db/migrations/1_init.up.sql": UP.format(n=1),
            "db/migrations/1_init.down.sql": DOWN.format(n=1),
            "db/migrations/2_more.up.psql": UP.format(n=2),
            "db/migrations/2_more.down.psql": DOWN.format(n=2),
            "db/migrations/3_no_down.up.sql": UP.format(n=3),
        },
    )
    files = find_project(root).adapter.migration_files()
    assert [(f.id, f.extra["down_file"]) for f in files] == [
        ("1", "1_init.down.sql"),
        ("2", "2_more.down.psql"),
        ("3", None),
    ]


def test_x_migrations_table_is_honoured_and_stripped(db_url, tmp_path):
    execute(
        db_url,
        "CREATE TABLE gm_versions (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
        "INSERT INTO gm_versions (version, dirty) VALUES (2, false)",
    )
    url = _with_option(db_url, "x-migrations-table=gm_versions&x-multi-statement=true")
    root = _project(tmp_path / "app", url)
    status = api.status(root)
    assert status.error is None, status.error
    assert status.tracking_table == "gm_versions"
    assert [(r.migration, r.state) for r in status.rows] == [("1", "applied"), ("2", "applied"), ("3", "pending")]
    assert status.position == "behind"


def test_default_table_without_options(db_url, tmp_path):
    execute(
        db_url,
        "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
        "INSERT INTO schema_migrations (version, dirty) VALUES (3, true)",
    )
    root = _project(tmp_path / "app", db_url, odd=False)
    rows = api.status(root).rows
    assert [(r.migration, r.state) for r in rows] == [("1", "applied"), ("2", "applied"), ("3", "failed")]


def test_per_driver_folders_pick_the_databases(tmp_path, sqlite_url):
    root = write_files(
        tmp_path / "app",
        {
            ".env": f"DATABASE_URL={sqlite_url}\n",
            "migrations/postgres/1_pg_only.up.sql": "CREATE TABLE a (id SERIAL);\n",
            "migrations/postgres/2_pg_more.up.sql": "CREATE TABLE b (id SERIAL);\n",
            "migrations/sqlite3/1_lite.up.sql": "CREATE TABLE a (id INTEGER);\n",
        },
    )
    project = find_project(root)
    assert project.tool == "golang-migrate" and project.evidence is not None
    assert any("sqlite3" in n for n in project.evidence.notes) or "sqlite3" in (project.evidence.migrations_dir or "")
    status = api.status(root)
    assert [(r.migration, r.file) for r in status.rows] == [("1", "migrations/sqlite3/1_lite.up.sql")]


def test_sqlite3_url_as_golang_migrate_writes_it(tmp_path):
    """``sqlite3://PATH`` is golang-migrate's SQLite form: the path as written (relative to where the
    team runs migrate: the project root), its x- options honoured."""
    root = _project(tmp_path / "app", "sqlite3://data/app.db?x-migrations-table=gm_versions")
    (root / "data").mkdir()
    execute(
        f"sqlite:///{root / 'data' / 'app.db'}",
        "CREATE TABLE gm_versions (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
        "INSERT INTO gm_versions (version, dirty) VALUES (1, false)",
    )
    status = api.status(root)
    assert status.error is None and status.tracking_table == "gm_versions"
    assert [r.state for r in status.rows] == ["applied", "pending", "pending"]
    absolute = _project(tmp_path / "abs", f"sqlite3://{root / 'data' / 'app.db'}?x-migrations-table=gm_versions")
    assert [r.state for r in api.status(absolute).rows] == ["applied", "pending", "pending"]


def test_raw_sql_stored_down_parts_are_not_golang_migrate(tmp_path):
    """``generate --down-for --write`` keeps raw SQL's down part as ``<name>.down.sql`` beside
    ``<name>.sql``: down files alone are no golang-migrate folder (it could not migrate up)."""
    from dbmigrate_magic.project import find_project
    from tests.helpers import write_files

    root = write_files(
        tmp_path / "app",
        {
            "migrations/0001_users.sql": "CREATE TABLE users (id int);\n",
            "migrations/0001_users.down.sql": "DROP TABLE users;\n",
            ".env": "DATABASE_URL=sqlite:///app.db\n",
        },
    )
    assert find_project(root).tool == "rawsql"
