"""Drizzle status against what the real drizzle-kit 0.31 wrote and applied (issue 3)."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from dbmigrate_magic import api
from tests.helpers import query

from .drizzle_kit import DrizzleProject

pytestmark = pytest.mark.node


def migrator_rows(url: str) -> list[tuple[str, int]]:
    """(hash, created_at) as drizzle-orm stored them, read without our code."""
    table = "drizzle.__drizzle_migrations" if url.startswith("postgresql") else "__drizzle_migrations"
    return [(h, int(c)) for h, c in query(url, f"SELECT hash, created_at FROM {table} ORDER BY created_at")]


def by_name(result) -> dict:
    return {r.migration: r for r in result.rows}


@pytest.fixture
def project(tmp_path, db_url):
    p = DrizzleProject(tmp_path / "app", db_url)
    p.schema({"users": ["name"]})
    p.generate("create_users")
    p.schema({"users": ["name"], "posts": ["title"]})
    p.generate("add_posts")
    p.migrate()
    return p


def test_status_matches_what_drizzle_kit_applied(project, run_dbm):
    recorded = migrator_rows(project.db_url)
    journal = project.journal()["entries"]
    assert len(recorded) == 2
    proc = run_dbm("status", project.root, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["tool"] == "drizzle"
    rows = data["migrations"]
    assert [r["migration"] for r in rows] == [e["tag"] for e in journal]
    for row, entry, (hash_, created) in zip(rows, journal, recorded):
        sql = (project.out / f"{entry['tag']}.sql").read_bytes()
        assert hash_ == hashlib.sha256(sql).hexdigest()  # drizzle's own record of this file
        assert created == entry["when"]
        assert row["state"] == "applied" and row["checksum_ok"] is True
        assert row["file"] == f"drizzle/{entry['tag']}.sql"
        assert row["applied_at"] is None  # drizzle-orm 0.x records no apply time
    assert data["summary"]["position"] == "up to date"
    assert data["summary"]["current"] == journal[-1]["tag"]


def test_edit_delete_add_are_modified_missing_pending(project):
    first, second = project.journal()["entries"]
    path0 = project.out / f"{first['tag']}.sql"
    path0.write_text(path0.read_text() + "\n-- edited after it was applied\n")
    # delete the second migration as a user would: its file and its journal entry
    (project.out / f"{second['tag']}.sql").unlink()
    journal = project.journal()
    journal["entries"] = journal["entries"][:1]
    project.set_journal(journal)
    project.schema({"users": ["name", "email"]})
    project.generate("add_email")
    result = api.status(project.root)
    states = {r.migration: (r.state, r.checksum_ok) for r in result.rows}
    assert states[first["tag"]] == ("modified", False)
    missing = [r for r in result.rows if r.state == "missing"]
    assert len(missing) == 1 and missing[0].file is None
    pending = [r for r in result.rows if r.state == "pending"]
    assert len(pending) == 1 and pending[0].migration.endswith("_add_email")
    assert result.position == "diverged"


def test_migration_from_an_older_branch_is_skipped(project):
    """A migration generated before the newest applied one: drizzle-kit migrate never runs it."""
    last_when = project.journal()["entries"][-1]["when"]
    project.schema({"users": ["name"], "posts": ["title"], "tags": ["label"]})
    branch = project.generate("branch_tags")
    journal = project.journal()
    journal["entries"][-1]["when"] = last_when - 60_000  # generated a minute earlier, on a branch
    project.set_journal(journal)
    project.migrate()  # drizzle-kit says success ...
    assert len(migrator_rows(project.db_url)) == 2  # ... and ran nothing
    row = by_name(api.status(project.root))[branch.stem]
    assert row.state == "skipped"
    assert "never run" in row.note and "drizzle-kit migrate" in row.note


def test_no_tracking_table_reports_pending_and_creates_nothing(tmp_path, sqlite_url):
    p = DrizzleProject(tmp_path / "fresh", sqlite_url)
    p.schema({"users": ["name"]})
    p.generate("init")
    result = api.status(p.root)
    assert [r.state for r in result.rows] == ["pending"]
    assert result.table_exists is False
    from sqlalchemy import create_engine, inspect

    engine = create_engine(sqlite_url)
    assert "__drizzle_migrations" not in inspect(engine).get_table_names()
    engine.dispose()


def test_drizzle_1_0_folder_layout_with_name_column(tmp_path, sqlite_url):
    """1.0 release candidates: ``<ts>_<name>/migration.sql`` and name/applied_at columns."""
    from sqlalchemy import create_engine, text

    root = tmp_path / "v1"
    (root / "drizzle" / "20250101090000_init").mkdir(parents=True)
    (root / "drizzle" / "20250102090000_posts").mkdir(parents=True)
    (root / "drizzle" / "20250101090000_init" / "migration.sql").write_text("CREATE TABLE a (id integer);\n")
    (root / "drizzle" / "20250102090000_posts" / "migration.sql").write_text("CREATE TABLE b (id integer);\n")
    (root / "drizzle.config.ts").write_text(
        'export default { dialect: "sqlite", out: "./drizzle", '
        f'dbCredentials: {{ url: "{sqlite_url.split(":///")[1]}" }} }};\n'
    )
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE __drizzle_migrations (id integer primary key, hash text NOT NULL, "
                "created_at numeric, name text, applied_at text)"
            )
        )
        # recorded under its name, but the file changed since: matched by name, flagged modified
        conn.execute(
            text(
                "INSERT INTO __drizzle_migrations (hash, created_at, name, applied_at) VALUES "
                "('0000', 1735722000000, '20250101090000_init', '2025-01-01 10:00:00')"
            )
        )
    engine.dispose()
    result = api.status(root)  # the connection comes from dbCredentials.url in drizzle.config.ts
    assert [(r.migration, r.state) for r in result.rows] == [
        ("20250101090000_init", "modified"),
        ("20250102090000_posts", "pending"),
    ]
    assert result.rows[0].applied_at.isoformat() == "2025-01-01T10:00:00+00:00"


def test_drizzle_1_0_layout_write_and_apply_records_name(tmp_path, sqlite_url):
    """In a 1.0 folder layout we write ``<ts>_<name>/migration.sql`` and fill the name column."""
    from sqlalchemy import create_engine, text

    from dbmigrate_magic.adapters.drizzle.adapter import DrizzleAdapter
    from dbmigrate_magic.db import Database

    root = tmp_path / "v1"
    first = root / "drizzle" / "20250101090000_init"
    first.mkdir(parents=True)
    (first / "migration.sql").write_text("CREATE TABLE a (id integer);\n")
    (first / "snapshot.json").write_text(
        json.dumps(
            {"id": "snap-1", "prevIds": ["00000000-0000-0000-0000-000000000000"], "dialect": "sqlite", "tables": {}}
        )
    )
    (root / "drizzle.config.ts").write_text('export default { dialect: "sqlite", out: "./drizzle" };\n')
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE __drizzle_migrations (id integer primary key, hash text NOT NULL, "
                "created_at numeric, name text, applied_at text)"
            )
        )
    adapter = DrizzleAdapter(root)
    path = adapter.new_migration("add b", "CREATE TABLE b (id integer)", "DROP TABLE b")
    assert path.name == "migration.sql" and path.parent.name.endswith("_add_b")
    assert path.parent.name[:14] > "20250101090000" and (path.parent / "down.sql").is_file()
    assert json.loads((path.parent / "snapshot.json").read_text())["prevIds"] == ["snap-1"]
    db = Database(sqlite_url)
    assert [o.state for o in adapter.apply(db, adapter.plan_apply(db))] == ["applied", "applied"]
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM __drizzle_migrations ORDER BY created_at"))]
    engine.dispose()
    assert names == ["20250101090000_init", path.parent.name]
    assert [r.state for r in adapter.history(db).rows] == ["applied", "applied"]


def test_each_listing_reads_the_cache_of_the_one_before_and_still_sees_edits(project, run_dbm):
    """``dbm status`` takes unchanged files' hashes from ``.dbm/cache`` (by size and mtime), written by the
    listing before it in another process: on the table drizzle-orm wrote, an edit after apply that keeps the
    size (only the mtime's nanoseconds move) is modified, undoing it (old text, old mtime) is applied again,
    and a file generated since is pending."""
    first, second = (e["tag"] for e in project.journal()["entries"])

    def states() -> dict[str, tuple[str, bool | None]]:
        proc = run_dbm("status", project.root, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return {r["migration"]: (r["state"], r["checksum_ok"]) for r in json.loads(proc.stdout)["migrations"]}

    assert states() == {first: ("applied", True), second: ("applied", True)}
    assert (project.root / ".dbm" / "cache" / "drizzle-facts.json").is_file()
    assert states() == {first: ("applied", True), second: ("applied", True)}  # from the cache this time

    sql = project.out / f"{first}.sql"
    text, before = sql.read_text(), sql.stat()
    sql.write_text(text.replace("users", "usert"))  # same size
    os.utime(sql, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    assert states() == {first: ("modified", False), second: ("applied", True)}

    sql.write_text(text)
    os.utime(sql, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert states() == {first: ("applied", True), second: ("applied", True)}

    project.schema({"users": ["name"], "posts": ["title"], "tags": ["label"]})
    third = project.generate("add_tags").stem
    assert states() == {first: ("applied", True), second: ("applied", True), third: ("pending", None)}
