"""Writing, previewing, applying, rolling back and stamping Alembic revisions through the adapter,
with the real ``alembic`` CLI as the judge, on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

import pytest

from dbmigrate_magic.adapters.alembic.adapter import AlembicAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import DbmError, UnsupportedOperation
from tests import alembic_project as ap
from tests.helpers import tables


def test_write_preview_apply_rollback_stamp(db_url, tmp_path):
    root = ap.init(tmp_path / "proj", db_url)
    adapter = AlembicAdapter(root)
    db = Database(db_url)
    first = adapter.new_migration("create users", "CREATE TABLE users (id int)", "DROP TABLE users")
    second = adapter.new_migration("create orders", "CREATE TABLE orders (\n  id int\n)", "DROP TABLE orders")
    # Alembic reads what we wrote as its own: two revisions, chained, one head
    history = ap.history_revisions(root)
    assert len(history) == 2 and history[-1] in first.name and history[0] in second.name
    assert "(head)" in ap.cli(root, "heads").stdout
    assert adapter.find_migration("create users", "CREATE TABLE users (id int)", "DROP TABLE users").path == first
    assert adapter.find_migration("create users", "CREATE TABLE other (id int)", None) is None

    plan = adapter.plan_apply(db)
    assert [s.migration for s in plan] == list(reversed(history))
    assert "CREATE TABLE users" in plan[0].sql and "CREATE TABLE orders" in plan[1].sql
    assert "alembic_version" in plan[1].sql  # the bookkeeping is part of the preview
    assert plan[0].transactional == (not db_url.startswith("mysql"))
    assert tables(db_url) == set()  # previewing ran nothing

    outcomes = adapter.apply(db, plan)
    assert [o.state for o in outcomes] == ["applied", "applied"]
    assert ap.current_heads(root) == {history[0]}
    assert {"users", "orders"} <= tables(db_url)
    assert adapter.plan_apply(db) == []

    back = adapter.plan_rollback(db)
    assert [s.migration for s in back] == [history[0]] and "DROP TABLE orders" in back[0].sql
    assert [o.state for o in adapter.rollback(db, back)] == ["rolled_back"]
    assert ap.current_heads(root) == {history[1]}
    assert "orders" not in tables(db_url)

    adapter.resolve(db, history[0], "applied")  # alembic stamp
    assert ap.current_heads(root) == {history[0]}
    assert "orders" not in tables(db_url)  # stamping runs nothing
    adapter.resolve(db, history[0], "rolled_back")
    assert ap.current_heads(root) == {history[1]}

    ap.cli(root, "upgrade", "head")  # the tool applies; our status agrees
    assert {r.state for r in adapter.history(db).rows} == {"applied"}
    db.dispose()


def test_baseline_stamps_an_existing_database(sqlite_url, tmp_path):
    import logging

    users_logger = logging.getLogger("a_notebook_users_logger")
    root = ap.init(tmp_path / "proj", sqlite_url)
    adapter = AlembicAdapter(root)
    adapter.new_migration("one", "CREATE TABLE one (id int)", "DROP TABLE one")
    adapter.new_migration("two", "CREATE TABLE two (id int)", "DROP TABLE two")
    db = Database(sqlite_url)
    adapter.baseline(db)
    assert not users_logger.disabled  # env.py's fileConfig() must not silence the kernel's loggers
    assert ap.current_heads(root) == set(ap.history_revisions(root)[:1])
    assert "one" not in tables(sqlite_url)


def test_empty_downgrade_is_refused_before_anything_runs(sqlite_url, tmp_path):
    root = ap.init(tmp_path / "proj", sqlite_url)
    adapter = AlembicAdapter(root)
    adapter.new_migration("no way back", "CREATE TABLE kept (id int)", None)
    db = Database(sqlite_url)
    adapter.apply(db, adapter.plan_apply(db))
    with pytest.raises(UnsupportedOperation) as err:
        adapter.plan_rollback(db)
    assert "empty downgrade" in err.value.what and err.value.next_step
    assert "kept" in tables(sqlite_url)


@pytest.mark.postgres
def test_failing_revision_is_rolled_back_and_masked(pg_url, tmp_path):
    secret_url = pg_url.replace("postgres@", "postgres:Pl4ntedSecret@")
    root = ap.init(tmp_path / "proj", "postgresql://unused@localhost/x")
    adapter = AlembicAdapter(root)
    adapter.new_migration("good", "CREATE TABLE good (id int)", "DROP TABLE good")
    adapter.new_migration("bad", "CREATE TABLE bad (id int); SELECT * FROM no_such_table", "DROP TABLE bad")
    db = Database(secret_url)
    outcomes = adapter.apply(db, adapter.plan_apply(db))
    states = [o.state for o in outcomes]
    assert "failed" in states and states[-1] == "failed"
    failed = outcomes[-1]
    assert "no_such_table" in failed.error and "Pl4ntedSecret" not in failed.error
    assert "bad" not in tables(pg_url)  # PostgreSQL: the failed revision's transaction was rolled back
    with pytest.raises(DbmError) as err:
        adapter.resolve(db, "nonexistent", "applied")
    assert "Pl4ntedSecret" not in str(err.value)
