"""SQLite table rebuilds and foreign keys: ``PRAGMA foreign_keys`` does nothing inside a transaction,
so our runner (which runs each SQLite migration in one) takes a step's leading ``= OFF`` out before
BEGIN and its trailing ``= ON`` after COMMIT, checks foreign keys before COMMIT, and the preview
lints the pragmas where they really run. Real SQLite files, the real ``dbm`` and ``sqlite3`` CLIs."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event

from dbmigrate_magic import api
from dbmigrate_magic.adapters.rawsql.adapter import RawSqlAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.errors import MigrationFailed
from dbmigrate_magic.schema import diff, introspect
from dbmigrate_magic.sqlsplit import split

from .helpers import make_project, query

PARENT = "CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(20));\n"
CHILD = (
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) "
    "ON DELETE CASCADE, note TEXT);\n"
)
ROWS = (
    "INSERT INTO parent VALUES (1, 'a'), (2, 'b');\nINSERT INTO child VALUES (1, 1, 'x'), (2, 1, 'y'), (3, 2, 'z');\n"
)
#: the desired schema: parent's column changes type, which SQLite can only do by rebuilding parent
DESIRED = PARENT.replace("VARCHAR(20)", "TEXT") + CHILD
INIT = "20250101000000_init.sql"


def project_with_rows(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    root = make_project(tmp_path / "app", url, {INIT: "-- UP\n" + PARENT + CHILD + ROWS})
    assert api.migrate(root, yes=True).status == "applied"
    return root, url


def schema(url: str, skip: tuple[str, ...] = ("_migrations",)):
    from dbmigrate_magic._verbs.schema_sources import drop_tables

    db = Database(url, "test")
    try:
        return drop_tables(introspect(db), skip)
    finally:
        db.dispose()


def desired_model(tmp_path: Path, sql: str = DESIRED):
    path = tmp_path / "desired.db"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript(sql)
    con.close()
    return schema(f"sqlite:///{path}")


def children(url: str) -> list[tuple]:
    return query(url, "SELECT id, parent_id, note FROM child ORDER BY id")


def run_in_one_transaction(path: Path, statements: list[str]) -> None:
    """What the runner did before: every statement, pragmas included, inside BEGIN ... COMMIT, on a
    connection with foreign keys on."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("BEGIN IMMEDIATE")
    for s in statements:
        con.execute(s)
    con.execute("COMMIT")
    con.close()


def test_generated_rebuild_previews_clean_and_keeps_child_rows(run_dbm, tmp_path):
    root, url = project_with_rows(tmp_path)
    (tmp_path / "desired.sql").write_text(DESIRED)
    gen = run_dbm("generate", "--name", "widen_name", "--from-schema", tmp_path / "desired.sql", "--project", root)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    written = next(p for p in (root / "migrations").glob("*_widen_name.sql"))
    up = written.read_text().split("-- DOWN")[0]
    # the differ's 12-step shape: off first, foreign_key_check, then on last
    lines = [ln for ln in up.splitlines() if ln.strip()]
    assert lines[1] == "PRAGMA foreign_keys = OFF;" and lines[-2:] == [
        "PRAGMA foreign_key_check;",
        "PRAGMA foreign_keys = ON;",
    ]

    preview = run_dbm("migrate", "--dry-run", "--project", root)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "PRAGMA foreign_keys = OFF" in preview.stdout  # the SQL is shown as written
    assert "Lint error" not in preview.stdout, preview.stdout
    assert "sqlite-foreign-keys-pragma-in-transaction" not in preview.stdout
    pending = run_dbm("lint", "--pending", "--project", root)  # lints what migrate runs, the same way
    assert pending.returncode == 0 and pending.stdout.startswith("No findings in migrations/"), pending.stdout

    done = run_dbm("migrate", "--yes", "--project", root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert children(url) == [(1, 1, "x"), (2, 1, "y"), (3, 2, "z")]
    assert not diff(schema(url), desired_model(tmp_path)).changes


@pytest.mark.parametrize(
    "off,on",
    [
        ("PRAGMA foreign_keys = OFF;", "PRAGMA foreign_keys = ON;"),
        ("pragma Foreign_Keys=0;", "pragma foreign_keys=1;"),
        ("PRAGMA foreign_keys(false);", "PRAGMA main.foreign_keys = 'yes';"),
    ],
)
def test_foreign_keys_on_connection_keeps_rows_where_one_transaction_loses_them(tmp_path, off, on):
    """A connection with foreign keys on (the SQLAlchemy connect hook many apps use): run inside one
    transaction, the pragmas do nothing and dropping the old parent cascades to every child row; our
    runner takes them out of the transaction and keeps every row."""
    root, url = project_with_rows(tmp_path)
    model = schema(url)
    up = diff(model, desired_model(tmp_path)).sql(unsafe=True)
    up = up.replace("PRAGMA foreign_keys = OFF;", off).replace("PRAGMA foreign_keys = ON;", on)
    RawSqlAdapter(root).new_migration("widen_name", up, "")

    # the old behaviour, on a copy: every child row gone, child's foreign key now names a dropped table
    copy = tmp_path / "copy.db"
    shutil.copy(tmp_path / "app.db", copy)
    run_in_one_transaction(copy, [s.sql for s in split(up, "sqlite")])
    assert query(f"sqlite:///{copy}", "SELECT COUNT(*) FROM child") == [(0,)]

    db = Database(url, "development")
    event.listen(db.engine, "connect", lambda con, _: con.execute("PRAGMA foreign_keys = ON"))
    try:
        adapter = RawSqlAdapter(root)
        outcomes = adapter.apply(db, adapter.plan_apply(db))
        assert [o.state for o in outcomes] == ["applied"], outcomes
        with db.engine.connect() as conn:  # the pooled connection went back with foreign keys on
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()
    assert children(url) == [(1, 1, "x"), (2, 1, "y"), (3, 2, "z")]
    assert not diff(schema(url), desired_model(tmp_path)).changes
    assert query(url, "SELECT \"table\" FROM pragma_foreign_key_list('child')") == [("parent",)]


def test_rebuild_that_breaks_a_foreign_key_fails_and_rolls_back(tmp_path):
    """The desired schema points child at a new, empty table: the copied rows break it, so the
    check before COMMIT fails the migration, names the rows, and nothing changes."""
    root, url = project_with_rows(tmp_path)
    before = schema(url)
    desired = PARENT + "CREATE TABLE owner (id INTEGER PRIMARY KEY);\n" + CHILD.replace("parent (id)", "owner (id)")
    gen = api.generate("repoint_child", str(_write(tmp_path / "desired.sql", desired)), project=root)
    assert gen.path and "PRAGMA foreign_key_check;" in gen.up_sql

    with pytest.raises(MigrationFailed) as err:
        api.migrate(root, yes=True)
    text = str(err.value)
    assert "break a foreign key" in text and "PRAGMA foreign_key_check" in text
    assert "child rowid 1: child(parent_id) -> owner(id) has no matching row" in text
    assert "rowid 3" in text and "rolled back" in text
    result = err.value.result
    assert result.status == "failed" and [o.state for o in result.outcomes] == ["failed"]
    name = Path(gen.path).name
    assert {r.migration: r.state for r in api.status(root).rows}[name] == "pending"
    assert not diff(before, schema(url)).changes  # schema unchanged: no owner table, child as it was
    assert children(url) == [(1, 1, "x"), (2, 1, "y"), (3, 2, "z")]


def test_pragma_in_the_middle_of_a_transactional_migration_is_still_an_error(run_dbm, tmp_path):
    root, _ = project_with_rows(tmp_path)
    (root / "migrations" / "20250102000000_mid.sql").write_text(
        "-- UP\nCREATE TABLE extra (id INTEGER PRIMARY KEY);\nPRAGMA foreign_keys = OFF;\n"
        "CREATE INDEX extra_id ON extra (id);\nPRAGMA foreign_keys = ON;\nCREATE TABLE more (id INTEGER);\n"
    )
    preview = run_dbm("migrate", "--dry-run", "--project", root)
    found = [ln for ln in preview.stdout.splitlines() if "sqlite-foreign-keys-pragma-in-transaction" in ln]
    assert [ln.split("[")[1].split("]")[0] for ln in found] == ["20250102000000_mid.sql:3", "20250102000000_mid.sql:5"]
    assert all(ln.startswith("Lint error") for ln in found)


def test_standalone_lint_keeps_its_transaction_flag(run_dbm, tmp_path):
    """``dbm lint FILE`` knows nothing of our runner: only --assume-in-transaction decides."""
    body = (
        "PRAGMA foreign_keys = OFF;\nCREATE TABLE t (id INTEGER);\nPRAGMA foreign_key_check;\n"
        "PRAGMA foreign_keys = ON;\n"
    )
    path = _write(tmp_path / "m.sql", body)
    plain = run_dbm("lint", path, "--dialect", "sqlite")
    assert plain.returncode == 0 and "No findings" in plain.stdout
    assumed = run_dbm("lint", path, "--dialect", "sqlite", "--assume-in-transaction", "--format", "json")
    # (json: one entry per finding; the text output groups the two into one entry "x2")
    assert assumed.returncode != 0 and assumed.stdout.count("sqlite-foreign-keys-pragma-in-transaction") == 2


def test_diff_sql_piped_into_sqlite3_applies_cleanly(run_dbm, tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for path, sql in ((a, PARENT + CHILD + ROWS), (b, DESIRED)):
        con = sqlite3.connect(path)
        con.executescript(sql)
        con.close()
    ua, ub = f"sqlite:///{a}", f"sqlite:///{b}"
    out = run_dbm("diff", ua, ub, "--sql")
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    assert lines[0] == "PRAGMA foreign_keys = OFF;"
    # the check runs inside the piped script's transaction, the pragmas outside it
    assert lines[-3:] == ["PRAGMA foreign_key_check;", "COMMIT;", "PRAGMA foreign_keys = ON;"]
    applied = subprocess.run(["sqlite3", "-bail", str(a)], input=out.stdout, capture_output=True, text=True)
    assert applied.returncode == 0 and applied.stdout == "" and applied.stderr == ""  # no violation listed
    assert children(f"sqlite:///{a}") == [(1, 1, "x"), (2, 1, "y"), (3, 2, "z")]
    again = run_dbm("diff", ua, ub, "--sql")
    assert again.returncode == 0 and again.stdout.strip() == ""
    same = run_dbm("diff", ua, ua, "--format", "json")
    assert same.returncode == 0 and not json.loads(same.stdout)["changes"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


PRISMA_REDEFINE = """-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT);
INSERT INTO "new_parent" ("id", "name") SELECT "id", "name" FROM "parent";
DROP TABLE "parent";
ALTER TABLE "new_parent" RENAME TO "parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
"""


def test_prisma_redefine_tables_on_foreign_keys_on_connection(tmp_path):
    """Prisma's own SQLite table redefinition (defer_foreign_keys around the pair) goes through the
    same ledger: the rows survive where one transaction would cascade them away."""
    from dbmigrate_magic.adapters.prisma.adapter import PrismaAdapter

    from .prisma_format import write_migration, write_project

    url = f"sqlite:///{tmp_path / 'app.db'}"
    root = tmp_path / "app"
    migrations = write_project(root, "sqlite", url)
    write_migration(migrations, "20250101000000_init", PARENT + CHILD + ROWS)
    assert api.migrate(root, yes=True).status == "applied"
    write_migration(migrations, "20250102000000_widen", PRISMA_REDEFINE)

    copy = tmp_path / "copy.db"
    shutil.copy(tmp_path / "app.db", copy)
    run_in_one_transaction(copy, [s.sql for s in split(PRISMA_REDEFINE, "sqlite")])
    assert query(f"sqlite:///{copy}", "SELECT COUNT(*) FROM child") == [(0,)]

    db = Database(url, "development")
    event.listen(db.engine, "connect", lambda con, _: con.execute("PRAGMA foreign_keys = ON"))
    try:
        adapter = PrismaAdapter(root)
        outcomes = adapter.apply(db, adapter.plan_apply(db))
        assert [(o.migration, o.state) for o in outcomes] == [("20250102000000_widen", "applied")], outcomes
    finally:
        db.dispose()
    assert children(url) == [(1, 1, "x"), (2, 1, "y"), (3, 2, "z")]
    assert query(url, "SELECT type FROM pragma_table_info('parent') WHERE name = 'name'") == [("TEXT",)]
