"""Lint inside the migrate preview, and ``lint --pending``, on a raw-SQL project on SQLite."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO
from dbmigrate_magic.safety.lint import lint_sql

RENAME = (
    "-- UP\nALTER TABLE users RENAME COLUMN email TO email_address;\n\n-- DOWN\n"
    "ALTER TABLE users RENAME COLUMN email_address TO email;\n"
)


def _project(tmp_path):
    project = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "rawsql_app", project, ignore=shutil.ignore_patterns("*.db", ".dbm"))
    (project / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    (project / "migrations" / "20250103090000_rename.sql").write_text(RENAME)
    return project


def test_lint_pending_lints_each_pending_migration(tmp_path, run_dbm):
    project = _project(tmp_path)
    out = run_dbm("lint", "--pending", "--format", "json", cwd=project)
    assert out.returncode == 1, out.stderr
    findings = json.loads(out.stdout)
    rename = [f for f in findings if f["rule"] == "renaming-column"]
    assert len(rename) == 1 and rename[0]["file"].endswith("20250103090000_rename.sql")
    assert all(f["dialect"] == "sqlite" for f in findings)  # from the project's environment


def test_preview_shows_findings_and_production_blocks_error_until_ignored(tmp_path, run_dbm):
    project = _project(tmp_path)
    out = run_dbm("migrate", "--dry-run", cwd=project)
    assert "Lint error renaming-column [20250103090000_rename.sql:2]" in out.stdout, out.stdout + out.stderr
    out = run_dbm("migrate", "--env", "production", "--confirm", "production", cwd=project)
    assert "Refused" in out.stdout + out.stderr and "dbm:ignore renaming-column" in out.stdout + out.stderr
    rows = json.loads(run_dbm("status", "--env", "production", "--format", "json", cwd=project).stdout)["migrations"]
    assert {r["state"] for r in rows} == {"pending"}  # nothing ran
    # the explicit per-rule override: reviewed and recorded in the migration itself
    (project / "migrations" / "20250103090000_rename.sql").write_text(
        RENAME.replace(
            "ALTER TABLE users RENAME COLUMN email TO",
            "-- dbm:ignore renaming-column\nALTER TABLE users RENAME COLUMN email TO",
        )
    )
    out = run_dbm("migrate", "--env", "production", "--confirm", "production", cwd=project)
    assert "Refused" not in out.stdout + out.stderr, out.stdout + out.stderr
    rows = json.loads(run_dbm("status", "--env", "production", "--format", "json", cwd=project).stdout)["migrations"]
    assert [r["state"] for r in rows] == ["applied"] * 3


@pytest.mark.postgres
def test_preview_reads_the_server_version_for_version_aware_rules(pg_url):
    from dbmigrate_magic.db import Database
    from dbmigrate_magic.safety.lint.review import server_pg_version

    version = server_pg_version(Database(pg_url))
    assert version is not None and version >= 11
    # on this server a constant default is safe, a volatile one is not
    sql = "ALTER TABLE t ADD COLUMN a boolean DEFAULT true;\nALTER TABLE t ADD COLUMN b uuid DEFAULT gen_random_uuid();"
    findings = lint_sql(sql, "postgresql", pg_version=version, in_transaction=True, session_timeouts=True)
    assert [(f.rule, f.line) for f in findings] == [("adding-field-with-default", 2)]
    assert server_pg_version(Database("postgresql+psycopg://nobody@127.0.0.1:1/none")) is None
