"""Drizzle round trips with the real drizzle-kit: what we write it reads as its own, what we apply
it finds done, what it applies we read (issue 4)."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.adapters.drizzle.adapter import DrizzleAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import UnsupportedOperation
from tests.helpers import columns, tables

from .drizzle_kit import DrizzleProject
from .test_drizzle_status import migrator_rows

TRACKING = ("__drizzle_migrations",)  # the tool's own table is not one the migrations made

pytestmark = pytest.mark.node


SEED = "INSERT INTO users (name) VALUES ('ada');\nINSERT INTO users (name) VALUES ('grace');"


def test_written_migration_is_drizzle_kits_own_and_applies_once(tmp_path, db_url):
    p = DrizzleProject(tmp_path / "app", db_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    adapter = DrizzleAdapter(p.root)
    path = adapter.new_migration("seed users", SEED, "DELETE FROM users;")
    journal = p.journal()
    assert [e["tag"] for e in journal["entries"]] == ["0000_create_users", "0001_seed_users"]
    assert journal["entries"][1]["when"] > journal["entries"][0]["when"]
    text = path.read_text()
    assert text.count("--> statement-breakpoint") == 1 and "'grace'" in text
    snaps = [json.loads((p.out / "meta" / f"000{i}_snapshot.json").read_text()) for i in (0, 1)]
    assert snaps[1]["prevId"] == snaps[0]["id"] and snaps[1]["id"] != snaps[0]["id"]
    assert "0001_seed_users.down.sql" not in json.dumps(journal)
    assert p.kit("check").returncode == 0
    # drizzle-kit's next generate diffs against our snapshot: only the new column, chained to ours
    p.schema({"users": ["name", "email"]})
    nxt = p.generate("add_email")
    sql = nxt.read_text()
    assert "email" in sql and "CREATE TABLE" not in sql.upper()
    snap2 = json.loads((p.out / "meta" / "0002_snapshot.json").read_text())
    assert snap2["prevId"] == snaps[1]["id"]
    # re-running the same cell finds the migration instead of writing another
    assert adapter.find_migration("seed users", SEED, "DELETE FROM users;").path == path
    assert adapter.find_migration("seed users", SEED + "\nSELECT 1;", None) is None

    db = Database(db_url)
    steps = adapter.plan_apply(db)
    assert [s.migration for s in steps] == ["0000_create_users", "0001_seed_users", "0002_add_email"]
    outcomes = adapter.apply(db, steps)
    assert [o.state for o in outcomes] == ["applied"] * 3
    recorded = migrator_rows(db_url)
    assert [c for _, c in recorded] == [e["when"] for e in p.journal()["entries"]]
    assert "email" in columns(db_url, "users")
    p.migrate()  # drizzle-kit finds nothing to do (it would fail re-creating users otherwise)
    assert migrator_rows(db_url) == recorded
    assert all(r.state == "applied" for r in api.status(p.root).rows)


def test_failing_statement_is_named_and_nothing_is_kept(tmp_path, db_url):
    p = DrizzleProject(tmp_path / "app", db_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    adapter = DrizzleAdapter(p.root)
    adapter.new_migration("bad", "CREATE TABLE ok_table (id INT);\nCREATE TABLE broken (id INT,, x);")
    db = Database(db_url)
    outcomes = adapter.apply(db, adapter.plan_apply(db))
    assert [o.state for o in outcomes][-1] == "failed"
    error = outcomes[-1].error
    assert "statement 2 of 2 (line 3 of drizzle/0001_bad.sql)" in error and "CREATE TABLE broken" in error
    if db_url.startswith("mysql"):  # DDL auto-commits: the first migration stays, recorded
        assert [o.state for o in outcomes] == ["applied", "failed"]
        assert len(migrator_rows(db_url)) == 1
    else:  # one transaction for the batch, as drizzle-orm: nothing stays
        assert [o.state for o in outcomes] == ["skipped", "failed"]
        assert tables(db_url, ignore=TRACKING) == set()
        assert migrator_rows(db_url) == []


def test_rollback_with_stored_down_then_drizzle_kit_reapplies(tmp_path, sqlite_url):
    p = DrizzleProject(tmp_path / "app", sqlite_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    adapter = DrizzleAdapter(p.root)
    adapter.new_migration("audit", "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);", "DROP TABLE audit;")
    p.migrate()  # drizzle-kit applies both, including ours
    db = Database(sqlite_url)
    assert [r.state for r in adapter.history(db).rows] == ["applied", "applied"]
    plan = adapter.plan_rollback(db, steps=1)
    assert [s.migration for s in plan] == ["0001_audit"] and plan[0].file == "drizzle/0001_audit.down.sql"
    assert [o.state for o in adapter.rollback(db, plan)] == ["rolled_back"]
    assert "audit" not in tables(sqlite_url, ignore=TRACKING)
    assert [r.state for r in adapter.history(db).rows] == ["applied", "pending"]
    p.migrate()  # the newest record is older again, so drizzle-kit runs it
    assert "audit" in tables(sqlite_url, ignore=TRACKING)
    assert [r.state for r in adapter.history(db).rows] == ["applied", "applied"]
    with pytest.raises(UnsupportedOperation, match="no down SQL"):
        adapter.plan_rollback(db, steps=2)


def test_skipped_migration_is_applied_natively_and_drizzle_agrees(tmp_path, sqlite_url):
    p = DrizzleProject(tmp_path / "app", sqlite_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    p.schema({"users": ["name"], "posts": ["title"]})
    p.generate("add_posts")
    p.migrate()
    p.schema({"users": ["name"], "posts": ["title"], "tags": ["label"]})
    p.generate("branch_tags")
    journal = p.journal()
    journal["entries"][-1]["when"] = journal["entries"][0]["when"] + 1  # generated on an older branch
    p.set_journal(journal)
    db = Database(sqlite_url)
    adapter = DrizzleAdapter(p.root)
    assert [r.state for r in adapter.history(db).rows][-1] == "skipped"
    steps = adapter.plan_apply(db)
    assert [s.migration for s in steps] == ["0002_branch_tags"]
    assert [o.state for o in adapter.apply(db, steps)] == ["applied"]
    assert "tags" in tables(sqlite_url, ignore=TRACKING)
    before = migrator_rows(sqlite_url)
    p.migrate()
    assert migrator_rows(sqlite_url) == before
    assert [r.state for r in adapter.history(db).rows] == ["applied"] * 3


def test_resolve_and_baseline(tmp_path, sqlite_url):
    p = DrizzleProject(tmp_path / "app", sqlite_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    p.schema({"users": ["name"], "posts": ["title"]})
    p.generate("add_posts")
    db = Database(sqlite_url)
    adapter = DrizzleAdapter(p.root)
    adapter.baseline(db, target="0000_create_users")
    assert [r.state for r in adapter.history(db).rows] == ["applied", "pending"]
    adapter.resolve(db, "0001_add_posts", "applied")
    assert tables(sqlite_url, ignore=TRACKING) == set()  # nothing ran
    p.migrate()
    assert tables(sqlite_url, ignore=TRACKING) == set()  # drizzle-kit agrees both are done
    adapter.resolve(db, "0001_add_posts", "rolled_back")
    assert [r.state for r in adapter.history(db).rows] == ["applied", "pending"]
