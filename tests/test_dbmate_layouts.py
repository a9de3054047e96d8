"""dbmate as real projects configure it: ``-d`` / ``--migrations-dir`` and ``--migrations-table`` in
package.json or Makefile scripts, ``DBMATE_MIGRATIONS_DIR`` / ``DBMATE_MIGRATIONS_TABLE`` in .env;
its sections cut as dbmate cuts them (only the up part is planned and linted)."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.adapters.dbmate.files import sections
from dbmigrate_magic.errors import UnsupportedOperation
from dbmigrate_magic.project import find_project
from tests.helpers import execute, tables, write_files

USERS = "-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE users;\n"
# the up part's last statement has no ';': dbmate ends it at the down marker
INDEX = "-- migrate:up\nCREATE INDEX users_id_idx ON users (id)\n-- migrate:down\nDROP INDEX users_id_idx;\n"


def _versions_table(url: str, table: str, *versions: str) -> None:
    execute(
        url,
        f"CREATE TABLE {table} (version VARCHAR(128) NOT NULL PRIMARY KEY)",
        *(f"INSERT INTO {table} (version) VALUES ('{v}')" for v in versions),
    )


def test_package_json_flags(db_url, tmp_path):
    scripts = {"db:migrate": "dbmate -d ./database/schema --migrations-table dbmate_versions up && echo done"}
    root = write_files(
        tmp_path / "app",
        {
            ".env": f"DATABASE_URL={db_url}\n",
            "package.json": json.dumps({"name": "app", "scripts": scripts}),
            "database/schema/20240101000000_users.sql": USERS,
            "database/schema/20240102000000_index.sql": INDEX,
        },
    )
    project = find_project(root)
    assert project.tool == "dbmate" and project.evidence is not None
    assert project.evidence.migrations_dir == "database/schema"
    assert "package.json scripts.db:migrate" in project.evidence.files
    _versions_table(db_url, "dbmate_versions", "20240101000000")
    status = api.status(root)
    assert status.tracking_table == "dbmate_versions" and status.table_exists
    assert [(r.migration, r.state) for r in status.rows] == [
        ("20240101000000", "applied"),
        ("20240102000000", "pending"),
    ]
    # its own table is not another tool's: the preview is shown, the run refused as read-only
    preview = api.migrate(root, dry_run=True)
    assert [s.sql for s in preview.preview.steps] == ["CREATE INDEX users_id_idx ON users (id);"]
    with pytest.raises(UnsupportedOperation) as err:
        api.migrate(root, yes=True)
    assert "dbmate" in err.value.what and "Nothing was changed" in err.value.unchanged
    assert tables(db_url) == {"dbmate_versions"}


def test_makefile_and_dotenv(sqlite_url, tmp_path):
    root = write_files(
        tmp_path / "make",
        {
            ".env": f"DATABASE_URL={sqlite_url}\n",
            "Makefile": "migrate:\n\tdbmate --migrations-dir=sql/migrations up\n",
            "sql/migrations/1_users.sql": USERS,
        },
    )
    assert find_project(root).evidence.migrations_dir == "sql/migrations"  # type: ignore[union-attr]
    root2 = write_files(
        tmp_path / "dotenv",
        {
            ".env": f"DATABASE_URL={sqlite_url}\nDBMATE_MIGRATIONS_DIR=./schema/changes\n"
            "DBMATE_MIGRATIONS_TABLE=applied_versions\n",
            "schema/changes/20240101000000_users.sql": USERS,
        },
    )
    _versions_table(sqlite_url, "applied_versions", "20240101000000")
    status = api.status(root2)
    assert status.tool == "dbmate" and status.tracking_table == "applied_versions"
    assert [r.state for r in status.rows] == ["applied"]


def test_sections_as_dbmate_cuts_them():
    part = sections(INDEX)
    assert part.up == "CREATE INDEX users_id_idx ON users (id)" and part.down == "DROP INDEX users_id_idx;"
    opted = sections("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- migrate:down\n")
    assert not opted.up_transaction and opted.down == ""


@pytest.mark.postgres
def test_lint_pending_reads_only_the_up_part(pg_url, tmp_path):
    root = write_files(
        tmp_path / "app",
        {
            ".env": f"DATABASE_URL={pg_url}\n",
            "db/migrations/20240101000000_users.sql": USERS,
            "db/migrations/20240102000000_index.sql": INDEX,
        },
    )
    _versions_table(pg_url, "schema_migrations", "20240101000000")
    result = api.lint(pending=True, project=root)
    rules = [f.rule for f in result.findings]
    assert "require-concurrent-index-creation" in rules  # the up part's last statement, without its ';'
    assert "require-concurrent-index-deletion" not in rules  # the down part is not what runs
    assert all("parse" not in r for r in rules)
