"""``generate --down-for`` of a migration that dropped a NOT NULL column: the down part must run on
a table that has rows (the values are gone, so the column comes back nullable, and the preview and
the stored file say so); a column with a default keeps NOT NULL."""

from __future__ import annotations

from tests.helpers import execute, make_project, query

from .test_down_for import schema_of

USERS = (
    "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY, legacy VARCHAR(20) NOT NULL, "
    "kind VARCHAR(10) DEFAULT 'a' NOT NULL);\n-- DOWN\nDROP TABLE users;\n"
)
DROP = "-- UP\nALTER TABLE users DROP COLUMN legacy;\nALTER TABLE users DROP COLUMN kind;\n"


def test_down_for_dropped_not_null_column_runs_on_a_table_with_rows(tmp_path, db_url, run_dbm):
    root = make_project(tmp_path / "app", db_url, {"20250101000000_users.sql": USERS})
    assert run_dbm("migrate", root, "--yes").returncode == 0
    execute(db_url, "INSERT INTO users (id, legacy, kind) VALUES (1, 'x', 'b'), (2, 'y', 'c')")
    (root / "migrations" / "20250102000000_drop_legacy.sql").write_text(DROP)
    proc = run_dbm("migrate", root, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    shown = run_dbm("generate", "--down-for", "20250102000000_drop_legacy.sql", "--project", root)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "users.legacy was NOT NULL without a default" in shown.stdout
    assert "restores it nullable" in shown.stdout
    assert "users.kind" not in shown.stdout  # a default refills every row: NOT NULL stays

    wrote = run_dbm("generate", "--down-for", "20250102000000_drop_legacy.sql", "--write", "--project", root)
    assert wrote.returncode == 0, wrote.stdout + wrote.stderr
    stored = (root / "migrations" / "20250102000000_drop_legacy.down.sql").read_text()
    assert "users.legacy was NOT NULL without a default" in stored.splitlines()[0]

    back = run_dbm("rollback", root, "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert sorted(query(db_url, "SELECT id, legacy, kind FROM users ORDER BY id")) == [(1, None, "a"), (2, None, "a")]
    cols = {t.name: t for t in schema_of(db_url).tables.values()}["users"].columns
    by_name = {c.name: c for c in cols}
    assert by_name["legacy"].nullable and not by_name["kind"].nullable
