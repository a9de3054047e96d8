"""The database is evidence too: a write to a database that holds another tool's tracking table is
refused before anything changes, on PostgreSQL, MariaDB and SQLite; the tool's own table never is."""

from __future__ import annotations

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import ForeignTrackingTable
from tests import alembic_project
from tests.helpers import dialect, execute, make_project, tables

USERS = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n\n-- DOWN\nDROP TABLE users;\n"
GOLANG_MIGRATE = "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)"
DBMATE = "CREATE TABLE schema_migrations (version VARCHAR(128) NOT NULL PRIMARY KEY)"
KNEX = "CREATE TABLE knex_migrations (id INTEGER PRIMARY KEY, name VARCHAR(255), batch INTEGER, migration_time BIGINT)"
TYPEORM = "CREATE TABLE migrations (id INTEGER PRIMARY KEY, timestamp BIGINT NOT NULL, name VARCHAR(255) NOT NULL)"
GOOSE = (
    "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY, version_id BIGINT NOT NULL, is_applied BOOLEAN NOT NULL)"
)


def _refused(call) -> ForeignTrackingTable:
    with pytest.raises(ForeignTrackingTable) as err:
        call()
    assert "Nothing was changed" in err.value.unchanged
    return err.value


def test_rawsql_project_on_a_golang_migrate_database_is_refused(db_url, tmp_path):
    project = make_project(tmp_path / "app", db_url, {"20250101000000_users.sql": USERS})
    execute(db_url, GOLANG_MIGRATE, "INSERT INTO schema_migrations (version, dirty) VALUES (3, false)")
    err = _refused(lambda: api.migrate(project, yes=True))
    assert "schema_migrations" in err.what and "golang-migrate" in err.what and "Raw SQL" in err.what
    assert "migrate -path" in (err.next_step or "") and "--project" in (err.next_step or "")
    assert tables(db_url) == {"schema_migrations"}  # no _migrations, no users
    _refused(lambda: api.migrate(project, dry_run=True))  # the preview says it early
    before = sorted(p.name for p in (project / "migrations").iterdir())
    _refused(lambda: api.migrate(project, sql="CREATE TABLE cell_t (id INTEGER PRIMARY KEY);", yes=True))
    assert sorted(p.name for p in (project / "migrations").iterdir()) == before  # the cell's file is gone
    _refused(lambda: api.baseline(project, yes=True))
    _refused(lambda: api.rollback(project, yes=True))
    _refused(lambda: api.resolve("20250101000000_users.sql", "applied", project, yes=True))
    assert tables(db_url) == {"schema_migrations"}


@pytest.mark.parametrize(("ddl", "owner"), [(DBMATE, "dbmate"), (TYPEORM, "TypeORM"), (GOOSE, "goose"), (KNEX, "Knex")])
def test_each_foreign_table_names_its_owner(sqlite_url, tmp_path, ddl, owner):
    project = make_project(tmp_path / "app", sqlite_url, {"20250101000000_users.sql": USERS})
    execute(sqlite_url, ddl)
    assert owner in _refused(lambda: api.migrate(project, yes=True)).what
    assert "users" not in tables(sqlite_url)


def test_alembic_project_on_a_knex_database_is_refused(db_url, tmp_path):
    root = alembic_project.init(tmp_path / "alembic_app", db_url)
    alembic_project.revision(
        root, "a1", "users", up="CREATE TABLE users (id INTEGER PRIMARY KEY)", down="DROP TABLE users"
    )
    execute(db_url, KNEX)
    err = _refused(lambda: api.migrate(root, yes=True))
    assert "knex_migrations" in err.what and "Knex" in err.what and "Alembic" in err.what
    assert tables(db_url) == {"knex_migrations"}  # no alembic_version, no users


def test_the_tools_own_table_is_never_foreign(db_url, tmp_path):
    project = make_project(tmp_path / "app", db_url, {"20250101000000_users.sql": USERS})
    execute(db_url, "CREATE TABLE migrations (id INTEGER PRIMARY KEY, label VARCHAR(20))")  # the app's own
    assert api.migrate(project, yes=True).status == "applied"
    (project / "migrations" / "20250102000000_more.sql").write_text("-- UP\nCREATE TABLE more_t (id INTEGER);\n")
    assert api.migrate(project, yes=True).status == "applied"  # its own _migrations is not foreign
    root = alembic_project.init(tmp_path / "alembic_app", db_url)
    alembic_project.revision(
        root, "a1", "t", up="CREATE TABLE alembic_t (id INTEGER PRIMARY KEY)", down="DROP TABLE alembic_t"
    )
    # the Alembic project on the same database meets dbm's raw SQL table: refused, then fine alone
    assert "dbm raw SQL" in _refused(lambda: api.migrate(root, yes=True)).what
    execute(db_url, "DROP TABLE _migrations")
    assert api.migrate(root, yes=True).status == "applied"
    alembic_project.revision(
        root, "a2", "u", head="a1", up="CREATE TABLE alembic_u (id INTEGER)", down="DROP TABLE alembic_u"
    )
    assert api.migrate(root, yes=True).status == "applied"  # alembic_version is its own


@pytest.mark.postgres
def test_drizzle_table_in_its_own_schema_is_seen(pg_url, tmp_path):
    project = make_project(tmp_path / "app", pg_url, {"20250101000000_users.sql": USERS})
    execute(
        pg_url,
        "CREATE SCHEMA drizzle",
        "CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash TEXT NOT NULL, created_at BIGINT)",
    )
    assert dialect(pg_url) == "postgresql"
    err = _refused(lambda: api.migrate(project, yes=True))
    assert "drizzle.__drizzle_migrations" in err.what and "Drizzle" in err.what
    # another schema's schema_migrations is not this database's business
    execute(
        pg_url,
        "DROP SCHEMA drizzle CASCADE",
        "CREATE SCHEMA other",
        GOLANG_MIGRATE.replace("TABLE ", "TABLE other.", 1),
    )
    assert api.migrate(project, yes=True).status == "applied"
