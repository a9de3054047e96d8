"""A failing down part is reported as what it is: the rollback failed, the migration is still
applied, the down file is the one to fix (it once said "was rolled back ... Fix the SQL in the
migration file (it is not applied)")."""

from __future__ import annotations

import json

import pytest

from tests.helpers import make_project, query


@pytest.mark.postgres
def test_raw_sql_failing_down_part_says_the_migration_is_still_applied(tmp_path, pg_url, run_dbm):
    root = make_project(
        tmp_path / "app",
        pg_url,
        {"20250101000000_users.sql": "-- UP\nCREATE TABLE users (id int);\n-- DOWN\nDROP TABLE no_such_table;\n"},
    )
    assert run_dbm("migrate", root, "--yes").returncode == 0
    out = run_dbm("rollback", root, "--yes")
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "The rollback of 20250101000000_users.sql failed and was undone" in text, text
    assert "is still applied" in text and "down part" in text
    assert "it is not applied" not in text and "Fix the SQL in the migration file" not in text
    assert "dbm resolve 20250101000000_users.sql --rolled-back" in text
    status = json.loads(run_dbm("status", root, "--format", "json").stdout)
    assert {r["migration"]: r["state"] for r in status["migrations"]} == {"20250101000000_users.sql": "applied"}
    assert query(pg_url, "SELECT count(*) FROM users") == [(0,)]


@pytest.mark.node
@pytest.mark.postgres
def test_knex_failing_down_says_the_migration_is_still_applied(tmp_path, pg_url, run_dbm):
    from .node_projects import knex_project

    root = knex_project(tmp_path / "kx", pg_url, [])
    (root / "db" / "migrations" / "20250101000000_users.js").write_text(
        "exports.up = (knex) => knex.raw('CREATE TABLE users (id int)');\n"
        "exports.down = (knex) => knex.raw('DROP TABLE no_such_table');\n"
    )
    assert run_dbm("migrate", root, "--yes").returncode == 0
    out = run_dbm("rollback", root, "--yes")
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "it is not applied" not in text and "Fix the SQL in the migration file" not in text, text
    # Knex reports through its own CLI: no false "not applied" claim; the message says the down part
    # failed, that the migration is still applied, and what to do
    assert "rollback failed in a down part" in text and "still applied" in text, text
    assert "dbm resolve NAME --rolled-back" in text, text
    status = json.loads(run_dbm("status", root, "--format", "json").stdout)
    assert {r["migration"]: r["state"] for r in status["migrations"]}["20250101000000_users.js"] == "applied"
