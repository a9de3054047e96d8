"""Prisma and Drizzle through the user-facing verbs: ``%%dbm migrate`` cells, ``dbm migrate``,
``rollback``, ``resolve`` and ``status --exit-code``, with drizzle-kit checking what we did."""

from __future__ import annotations

import json

import pytest

from tests.helpers import dialect

from .drizzle_kit import DrizzleProject
from .prisma_format import write_migration, write_project
from .test_drizzle_status import migrator_rows

CELL = "-- UP\nCREATE TABLE audit (id integer PRIMARY KEY, what text);\n-- DOWN\nDROP TABLE audit;\n"


@pytest.mark.node
def test_drizzle_cell_rerun_rollback_and_drizzle_kit(tmp_path, sqlite_url, ipython, run_dbm):
    p = DrizzleProject(tmp_path / "app", sqlite_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    ipython.run_cell_magic("dbm", f"migrate {p.root} --name add_audit --yes", CELL)
    tags = [e["tag"] for e in p.journal()["entries"]]
    assert tags == ["0000_create_users", "0001_add_audit"]
    assert (p.out / "0001_add_audit.down.sql").read_text().strip() == "DROP TABLE audit;"
    recorded = migrator_rows(sqlite_url)
    assert len(recorded) == 2
    # the runbook is re-run: same cell, nothing new written or applied
    ipython.run_cell_magic("dbm", f"migrate {p.root} --name add_audit --yes", CELL)
    assert [e["tag"] for e in p.journal()["entries"]] == tags and migrator_rows(sqlite_url) == recorded
    p.migrate()
    assert migrator_rows(sqlite_url) == recorded  # drizzle-kit agrees nothing is pending
    proc = run_dbm("rollback", p.root, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status = json.loads(run_dbm("status", p.root, "--format", "json").stdout)
    assert [r["state"] for r in status["migrations"]] == ["applied", "pending"]
    p.migrate()  # drizzle-kit re-applies what we rolled back
    status = run_dbm("status", p.root, "--format", "json", "--exit-code")
    assert status.returncode == 0, status.stdout
    assert [r["state"] for r in json.loads(status.stdout)["migrations"]] == ["applied", "applied"]


def test_prisma_cli_migrate_rollback_resolve(tmp_path, db_url, run_dbm):
    migrations = write_project(
        tmp_path, {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}[dialect(db_url)], db_url
    )
    write_migration(migrations, "20250101000000_init", "CREATE TABLE users (id INT PRIMARY KEY);\n")
    write_migration(migrations, "20250102000000_posts", "CREATE TABLE posts (id INT PRIMARY KEY);\n")
    (migrations / "20250102000000_posts" / "down.sql").write_text("DROP TABLE posts;\n")
    dry = run_dbm("migrate", tmp_path, "--dry-run")
    assert dry.returncode == 0 and "CREATE TABLE posts" in dry.stdout
    assert run_dbm("status", tmp_path, "--exit-code").returncode == 1  # pending
    proc = run_dbm("migrate", tmp_path, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run_dbm("status", tmp_path, "--exit-code").returncode == 0
    proc = run_dbm("rollback", tmp_path, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads(run_dbm("status", tmp_path, "--format", "json").stdout)["migrations"]
    assert [r["state"] for r in rows] == ["applied", "rolled_back"]
    # init has no down.sql: refused before anything runs, with the way out
    proc = run_dbm("rollback", tmp_path, "--yes")
    assert proc.returncode != 0 and "down.sql" in proc.stdout + proc.stderr
    # a broken migration: the failing statement is named; then resolve as Prisma would
    write_migration(migrations, "20250103000000_bad", "CREATE TABLE t1 (id INT);\nCREATE TABLE t2 (id INT,, x);\n")
    proc = run_dbm("migrate", tmp_path, "--yes")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "statement 2 of 2" in out and "CREATE TABLE t2" in out
    states = {
        r["migration"]: r["state"]
        for r in json.loads(run_dbm("status", tmp_path, "--format", "json").stdout)["migrations"]
    }
    assert states["20250102000000_posts"] == "applied"  # re-applied by the same run before the failure
    if dialect(db_url) == "mysql":
        assert states["20250103000000_bad"] == "failed"
        proc = run_dbm("resolve", "20250103000000_bad", "--rolled-back", "--project", tmp_path, "--yes")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert {
            r["migration"]: r["state"]
            for r in json.loads(run_dbm("status", tmp_path, "--format", "json").stdout)["migrations"]
        }["20250103000000_bad"] == "rolled_back"
    else:
        assert states["20250103000000_bad"] == "pending"
