"""Prisma: write, apply, fail, resolve, roll back and baseline, recorded as Prisma records them (issue 4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from dbmigrate_magic.adapters.prisma.adapter import PrismaAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import DbmError, UnsupportedOperation
from tests.helpers import dialect, tables

from .prisma_format import TABLE_DDL, write_project

TRACKING = ("_prisma_migrations",)  # the tool's own table is not one the migrations made

PROVIDER = {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


def rows(url: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                dict(r) for r in conn.execute(text("SELECT * FROM _prisma_migrations ORDER BY started_at")).mappings()
            ]
    finally:
        engine.dispose()


@pytest.fixture
def adapter(tmp_path, db_url):
    write_project(tmp_path, PROVIDER[dialect(db_url)], db_url)
    return PrismaAdapter(tmp_path)


def test_apply_records_rows_as_prisma_does(adapter, db_url):
    db = Database(db_url)
    path = adapter.new_migration(
        "create users",
        "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50));\nINSERT INTO users VALUES (1, 'a');",
        "DROP TABLE users;",
    )
    assert path.parent.parent == adapter.migrations_dir and path.parent.name.endswith("_create_users")
    assert path.parent.name[:14].isdigit() and (path.parent / "down.sql").is_file()
    assert (
        adapter.find_migration(
            "create users",
            "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50));\nINSERT INTO users VALUES (1, 'a');",
            "DROP TABLE users;",
        ).path
        == path
    )
    assert adapter.find_migration("create users", "CREATE TABLE other (id INT);", None) is None
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    steps = adapter.plan_apply(db)
    assert [s.migration for s in steps] == [path.parent.name]
    outcomes = adapter.apply(db, steps)
    assert [o.state for o in outcomes] == ["applied"]
    [row] = rows(db_url)
    assert uuid.UUID(row["id"]) and len(row["id"]) == 36
    assert row["checksum"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row["migration_name"] == path.parent.name
    assert row["logs"] is None and row["rolled_back_at"] is None
    assert row["applied_steps_count"] == 1
    from dbmigrate_magic.adapters.base import to_utc

    started, finished = to_utc(row["started_at"]), to_utc(row["finished_at"])
    assert before <= started <= finished
    if dialect(db_url) == "sqlite":  # ISO text with +00:00, as Prisma 6 writes it
        assert isinstance(row["started_at"], str) and row["started_at"].endswith("+00:00")
    assert "users" in tables(db_url, ignore=TRACKING)
    assert [r.state for r in adapter.history(db).rows] == ["applied"]
    assert adapter.plan_apply(db) == []


def test_our_table_matches_the_documented_one(adapter, db_url, tmp_path):
    """Columns, types and nullability of the table we create equal the ones Prisma creates (tests/prisma_format.py)."""
    db = Database(db_url)
    adapter.new_migration("noop", "SELECT 1;")
    adapter.apply(db, adapter.plan_apply(db))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        ours = {c["name"]: (str(c["type"]), c["nullable"]) for c in inspect(conn).get_columns("_prisma_migrations")}
        conn.execute(text(TABLE_DDL[dialect(db_url)].replace("_prisma_migrations", "documented_copy")))
        documented = {c["name"]: (str(c["type"]), c["nullable"]) for c in inspect(conn).get_columns("documented_copy")}
    engine.dispose()
    assert ours == documented


def test_failure_names_the_statement_and_keeps_prismas_rules(adapter, db_url):
    db = Database(db_url)
    adapter.new_migration("good", "CREATE TABLE a (id INT);")
    bad = adapter.new_migration(
        "bad", "CREATE TABLE b (id INT);\nCREATE TABLE broken (id INT,, x);\nCREATE TABLE c (id INT);"
    )
    outcomes = adapter.apply(db, adapter.plan_apply(db))
    assert [o.state for o in outcomes] == ["applied", "failed"]
    error = outcomes[1].error
    assert "statement 2 of 3" in error and "CREATE TABLE broken" in error and "line 2" in error
    attempts = [r for r in rows(db_url) if r["migration_name"] == bad.parent.name]
    state = {r.migration: r.state for r in adapter.history(db).rows}
    if dialect(db_url) != "mysql":
        # transactional DDL: the script and its row rolled back together; it is simply still pending
        assert attempts == [] and "b" not in tables(db_url, ignore=TRACKING)
        assert state[bad.parent.name] == "pending"
        bad.write_text("CREATE TABLE b (id INT);\nCREATE TABLE c (id INT);\n")
        assert [o.state for o in adapter.apply(db, adapter.plan_apply(db))] == ["applied"]
        return
    # MySQL: recorded as Prisma records it: started, never finished, logs with the error
    assert len(attempts) == 1 and attempts[0]["finished_at"] is None and attempts[0]["rolled_back_at"] is None
    assert "CREATE TABLE broken" in attempts[0]["logs"] and attempts[0]["applied_steps_count"] == 0
    assert "b" in tables(db_url, ignore=TRACKING)  # statement 1 auto-committed
    assert state[bad.parent.name] == "failed"
    with pytest.raises(DbmError, match="failed migrations"):
        adapter.plan_apply(db)
    # Prisma's rule: only a failed migration can be resolved as rolled back
    with pytest.raises(DbmError, match="not in a failed state"):
        adapter.resolve(db, [n for n in state if n != bad.parent.name][0], "rolled_back")
    adapter.resolve(db, bad.parent.name, "rolled_back")
    assert {r.migration: r.state for r in adapter.history(db).rows}[bad.parent.name] == "rolled_back"
    engine = create_engine(db_url)
    with engine.begin() as conn:  # undo statement 1 by hand, as a user would
        conn.execute(text("DROP TABLE b"))
    engine.dispose()
    bad.write_text("CREATE TABLE b (id INT);\nCREATE TABLE c (id INT);\n")
    assert [o.state for o in adapter.apply(db, adapter.plan_apply(db))] == ["applied"]
    history = {r.migration: r for r in adapter.history(db).rows}
    assert history[bad.parent.name].state == "applied" and history[bad.parent.name].checksum_ok is True
    assert len([r for r in rows(db_url) if r["migration_name"] == bad.parent.name]) == 2  # attempts are kept


def test_rollback_runs_down_sql_and_sets_rolled_back_at(adapter, db_url):
    db = Database(db_url)
    first = adapter.new_migration("t1", "CREATE TABLE t1 (id INT);", "DROP TABLE t1;")
    second = adapter.new_migration("t2", "CREATE TABLE t2 (id INT);", "DROP TABLE t2;")
    adapter.apply(db, adapter.plan_apply(db))
    plan = adapter.plan_rollback(db, steps=1)
    assert [s.migration for s in plan] == [second.parent.name] and "DROP TABLE t2" in plan[0].sql
    assert [o.state for o in adapter.rollback(db, plan)] == ["rolled_back"]
    assert "t2" not in tables(db_url, ignore=TRACKING) and "t1" in tables(db_url, ignore=TRACKING)
    row = [r for r in rows(db_url) if r["migration_name"] == second.parent.name][0]
    assert row["rolled_back_at"] is not None and row["finished_at"] is not None
    states = [r.state for r in adapter.history(db).rows]
    assert states == ["applied", "rolled_back"]
    # like `prisma migrate deploy`, a rolled-back migration is applied again
    assert [s.migration for s in adapter.plan_apply(db)] == [second.parent.name]
    adapter.apply(db, adapter.plan_apply(db))
    assert "t2" in tables(db_url, ignore=TRACKING)
    # a migration without down.sql: refused before anything runs
    adapter.new_migration("no down", "CREATE TABLE t3 (id INT);")
    adapter.apply(db, adapter.plan_apply(db))
    with pytest.raises(UnsupportedOperation, match="no down.sql"):
        adapter.plan_rollback(db, steps=2)
    assert {"t1", "t2", "t3"} <= tables(db_url, ignore=TRACKING)
    assert first.exists()


def test_resolve_applied_and_baseline_run_nothing(adapter, db_url):
    db = Database(db_url)
    a = adapter.new_migration("a", "CREATE TABLE a (id INT);")
    b = adapter.new_migration("b", "CREATE TABLE b (id INT);")
    c = adapter.new_migration("c", "CREATE TABLE c (id INT);")
    assert "Recorded 2" in adapter.baseline(db, target=b.parent.name)
    adapter.resolve(db, c.parent.name, "applied")
    assert tables(db_url, ignore=TRACKING) == set()
    recorded = rows(db_url)
    assert sorted(r["migration_name"] for r in recorded) == [a.parent.name, b.parent.name, c.parent.name]
    for r in recorded:  # Prisma's resolve --applied: finished, zero steps, no logs
        assert r["finished_at"] is not None and r["applied_steps_count"] == 0 and r["logs"] is None
    with pytest.raises(DbmError, match="already recorded as applied"):
        adapter.resolve(db, a.parent.name, "applied")
    assert all(r.state == "applied" for r in adapter.history(db).rows)


@pytest.mark.postgres
def test_uses_prismas_advisory_lock(tmp_path, pg_url, monkeypatch):
    """While something holds Prisma's lock id (a running `prisma migrate deploy`), we run nothing."""
    from dbmigrate_magic.errors import LockBusy

    write_project(tmp_path, "postgresql", pg_url)
    adapter = PrismaAdapter(tmp_path)
    adapter.new_migration("a", "CREATE TABLE a (id INT);")
    db = Database(pg_url)
    plan = adapter.plan_apply(db)
    monkeypatch.setenv("DBM_RUNNER_WAIT", "0.5")
    engine = create_engine(pg_url)
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(72707369)"))
        with pytest.raises(LockBusy):
            adapter.apply(db, plan)
        assert "a" not in tables(pg_url, ignore=TRACKING)
        holder.execute(text("SELECT pg_advisory_unlock(72707369)"))
    engine.dispose()
    assert [o.state for o in adapter.apply(db, plan)] == ["applied"]
