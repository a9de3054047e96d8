"""Knex status read from knex_migrations, checked against the real `knex migrate:list`."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import status_json
from tests.node_projects import KNEX_MIGRATION, knex, knex_list, knex_project

pytestmark = pytest.mark.node


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def knex_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    return request.getfixturevalue("pg_url")


def test_status_agrees_with_knex_migrate_list(tmp_path, knex_db, run_dbm):
    project = knex_project(tmp_path / "app", knex_db, ["alpha", "beta", "gamma"])
    before = status_json(run_dbm, project)
    assert before["summary"]["table_exists"] is False
    assert before["summary"]["table"] == "knex_history"  # tableName from the knexfile
    assert [r["state"] for r in before["migrations"]] == ["pending"] * 3

    knex(project, knex_db, "migrate:up")  # batch 1: alpha
    knex(project, knex_db, "migrate:latest")  # batch 2: beta, gamma
    completed, pending = knex_list(project, knex_db)
    assert len(completed) == 3 and pending == []

    data = status_json(run_dbm, project)
    rows = data["migrations"]
    assert [r["migration"] for r in rows] == completed  # same names, same order as knex
    assert [r["state"] for r in rows] == ["applied"] * 3
    assert [r["batch"] for r in rows] == [1, 2, 2]
    assert all(r["checksum_ok"] is None for r in rows)  # knex keeps no checksum
    assert all(r["file"].startswith("db/migrations/") for r in rows)
    now = dt.datetime.now(dt.UTC)
    for r in rows:
        applied = dt.datetime.fromisoformat(r["applied_at"])
        assert applied.tzinfo is not None
        assert abs((now - applied).total_seconds()) < 3600, r["applied_at"]
    assert data["summary"]["position"] == "up to date"
    assert data["summary"]["current"] == completed[-1]

    # edit an applied file, delete one, add one
    folder = project / "db" / "migrations"
    first = folder / completed[0]
    first.write_text(first.read_text() + "\n// edited after it ran\n")
    (folder / completed[1]).unlink()
    (folder / "20250101000000_create_delta.js").write_text(KNEX_MIGRATION % {"table": "delta"})
    rows = {r["migration"]: r for r in status_json(run_dbm, project)["migrations"]}
    assert rows[completed[0]]["state"] == "applied" and rows[completed[0]]["checksum_ok"] is None
    assert rows[completed[1]]["state"] == "missing" and rows[completed[1]]["file"] is None
    assert rows["20250101000000_create_delta.js"]["state"] == "pending"
    out = run_dbm("status", project, "--exit-code")
    assert out.returncode == 1
    assert "missing" in out.stdout

    # knex agrees that delta is pending once the missing file is back
    (folder / completed[1]).write_text(KNEX_MIGRATION % {"table": "beta"})
    assert knex_list(project, knex_db)[1] == ["20250101000000_create_delta.js"]


def test_lock_held_is_reported(tmp_path, run_dbm):
    db = f"sqlite:///{tmp_path / 'app' / 'dev.sqlite3'}"
    project = knex_project(tmp_path / "app", db, ["alpha"])
    knex(project, db, "migrate:latest")
    import sqlite3

    with sqlite3.connect(tmp_path / "app" / "dev.sqlite3") as conn:
        conn.execute("UPDATE knex_history_lock SET is_locked = 1")
    text = run_dbm("status", project).stdout
    assert "knex_history_lock is locked" in text
    out = knex(project, db, "migrate:latest", check=False)
    assert out.returncode != 0 and "lock" in (out.stdout + out.stderr).lower()  # knex itself refuses too


#: the shape of many real knexfiles: one config per environment (SQLite for development, PostgreSQL
#: in production) sharing a migrations folder spelt with path.join(__dirname, ...)
PER_ENVIRONMENT_KNEXFILE = """\
const path = require("path");
const shared = { migrations: { directory: path.join(__dirname, "src", "db", "migrations"), tableName: "knex_migrations" } };
module.exports = {
  development: { client: process.env.DB_CLIENT || "better-sqlite3", connection: { filename: "./dev.db" }, useNullAsDefault: true, ...shared },
  production: { client: "pg", connection: process.env.DATABASE_URL, ...shared },
};
"""


@pytest.mark.postgres
def test_a_folder_spelt_with_path_join_is_the_one_knex_reads(tmp_path, pg_url, run_dbm):
    root = knex_project(tmp_path / "app", pg_url, [])
    (root / "knexfile.js").write_text(PER_ENVIRONMENT_KNEXFILE)
    folder = root / "src" / "db" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101120000_create_teams.js").write_text(KNEX_MIGRATION % {"table": "teams"})
    rows = status_json(run_dbm, root)["migrations"]
    assert [(r["migration"], r["file"], r["state"]) for r in rows] == [
        ("20240101120000_create_teams.js", "src/db/migrations/20240101120000_create_teams.js", "pending")
    ]
    out = run_dbm("migrate", "--yes", "--project", str(root))
    assert out.returncode == 0, out.stdout + out.stderr
    # knex's own production section (pg, DATABASE_URL) sees it applied from the same folder
    assert knex_list(root, pg_url, "--env", "production") == (["20240101120000_create_teams.js"], [])
