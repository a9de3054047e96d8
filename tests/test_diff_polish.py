"""Defects testers of issue 5 found in diff, drift and generate: each test failed before its fix.

Real servers, real files, the CLI as a subprocess (and a real IPython shell for the magic)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from sqlalchemy.engine import make_url

from conftest import dbm_env
from tests.helpers import execute, make_project, tables
from tests.schema_support import load

PLANTED = "Pl4ntedP0lish-pw"


# --- 1. plain paths to SQLite database files ------------------------------------------------------
def test_two_sqlite_database_files_are_compared_as_databases(tmp_path, run_dbm):
    """`dbm diff a.db b.db` read the database file as SQL and died with a UnicodeDecodeError traceback."""
    load(f"sqlite:///{tmp_path / 'a.db'}", "create table t (id integer primary key);")
    load(f"sqlite:///{tmp_path / 'b.db'}", "create table t (id integer primary key, note text);")
    out = run_dbm("diff", "a.db", "b.db", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [c["name"] for c in data["changes"] if c["change"] == "added"] == ["t.note"]
    assert "ADD COLUMN note" in data["sql"]
    sql = run_dbm("diff", "a.db", "b.db", "--sql", cwd=tmp_path)  # and the SQL applies to the first file
    assert sql.returncode == 0 and "Traceback" not in sql.stderr
    assert run_dbm("diff", "a.db", "b.db", "--exit-code", cwd=tmp_path).returncode == 1
    assert (tmp_path / "a.db").read_bytes()[:16] == b"SQLite format 3\x00"  # looked at, not changed
    assert json.loads(run_dbm("diff", "b.db", str(tmp_path / "b.db"), "--format", "json", cwd=tmp_path).stdout)["empty"]


def test_a_binary_file_that_is_no_database_is_a_usage_error(tmp_path, run_dbm):
    load(f"sqlite:///{tmp_path / 'a.db'}", "create table t (id integer primary key);")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "blob.sql").write_bytes(b"create table x (a int);\n\xff\xfe\x00")
    missing = run_dbm("diff", "a.db", "nosuch.db", cwd=tmp_path)
    assert missing.returncode == 2 and "existing SQLite database file" in missing.stderr
    for other in ("blob.bin", "blob.sql"):
        out = run_dbm("diff", "a.db", other, cwd=tmp_path)
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert f"{other} is not UTF-8 text" in out.stderr and "SQLite database" in out.stderr
        assert "Nothing was changed." in out.stderr


# --- 2. MySQL's "Access denied ... (using password: YES)" -----------------------------------------
@pytest.fixture
def mysql_user(mysql_url):
    """A real MariaDB user with a password, dropped afterwards: (user, real password, database URL)."""
    user, real = f"polish_{uuid.uuid4().hex[:8]}", "R3alPolish-pw"
    execute(mysql_url, f"CREATE USER '{user}'@'%' IDENTIFIED BY '{real}'")
    try:
        yield user, real, mysql_url
    finally:
        execute(mysql_url, f"DROP USER IF EXISTS '{user}'@'%'")


@pytest.mark.mysql
def test_access_denied_keeps_using_password_yes_readable(mysql_user, tmp_path, run_dbm):
    """The masking ate the closing 'YES)': "(using password: ***" - the answer says only whether a
    password was sent. The wrong password tried, and the real one, still never show."""
    user, real, url = mysql_user
    wrong = make_url(url).set(username=user, password=PLANTED).render_as_string(hide_password=False)
    good = make_url(url).set(username=user, password=real).render_as_string(hide_password=False)
    out = run_dbm("diff", wrong, good, cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"Access denied for user '{user}'" in out.stderr and "(using password: YES)" in out.stderr
    project = make_project(tmp_path / "app", wrong)  # the password from .env: also masked by value
    env = run_dbm("diff", "development", good, "--format", "json", cwd=project)
    assert env.returncode == 2 and "(using password: YES)" in env.stderr
    assert json.loads(env.stdout)["what"].endswith('(using password: YES)")')
    for o in (out, env):
        text = o.stdout + o.stderr
        assert PLANTED not in text and real not in text and "Traceback" not in text


def test_masking_still_hides_a_password_after_using_password():
    from dbmigrate_magic.masking import mask

    assert mask("(using password: YES)") == "(using password: YES)"
    assert mask("(using password: NO)") == "(using password: NO)"
    for leaked in (
        f"using password: {PLANTED}",
        f"using password: YES){PLANTED}",
        f"password: {PLANTED})",
        f"PASSWORD={PLANTED}",
    ):
        assert PLANTED not in mask(leaked)


# --- 3. a URL side said twice in connection errors -----------------------------------------------
@pytest.mark.postgres
def test_a_url_side_is_named_once_when_it_cannot_connect(pg_url, tmp_path, run_dbm):
    """ "Could not connect to URL (URL)": the side's label is its URL, and was added after it again."""
    down = make_url(pg_url).set(port=1, password=PLANTED).render_as_string(hide_password=False)
    out = run_dbm("diff", down, pg_url, cwd=tmp_path)
    assert out.returncode == 2
    masked = make_url(down).render_as_string(hide_password=True)
    assert out.stderr.count(masked) == 1 and f"Could not connect to {masked}:" in out.stderr
    assert PLANTED not in out.stdout + out.stderr
    project = make_project(tmp_path / "app", down)  # an environment is still named after its URL
    env = run_dbm("diff", "development", pg_url, cwd=project)
    assert f"Could not connect to {masked} (development" in env.stderr and PLANTED not in env.stderr


# --- 6. drift replays only what the database ran ---------------------------------------------------
USERS = "-- UP\ncreate table users (id integer primary key, email text not null);\n-- DOWN\ndrop table users;\n"
EARLY = "-- UP\ncreate table early (id integer primary key);\n-- DOWN\ndrop table early;\n"
LATE = "-- UP\ncreate table late (id integer primary key);\n-- DOWN\ndrop table late;\n"


def test_drift_leaves_out_a_migration_skipped_out_of_order(tmp_path, run_dbm):
    """A file with an older timestamp, added after a newer one was applied, is not applied (status:
    pending, before the applied one); drift replayed it anyway and reported its table as drift, with
    DROP TABLE as 'the migration that would record it'."""
    db = tmp_path / "app" / "app.db"
    p = make_project(tmp_path / "app", f"sqlite:///{db}", {"20250102000000_users.sql": USERS})
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    (p / "migrations" / "20250101000000_early.sql").write_text(EARLY)
    (p / "migrations" / "20250103000000_late.sql").write_text(LATE)
    status = json.loads(run_dbm("status", "--format", "json", cwd=p).stdout)
    assert [(r["migration"], r["state"]) for r in status["migrations"]] == [
        ("20250101000000_early.sql", "pending"),
        ("20250102000000_users.sql", "applied"),
        ("20250103000000_late.sql", "pending"),
    ]
    out = run_dbm("drift", "--exit-code", cwd=p)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No drift" in out.stdout and "DROP TABLE" not in out.stdout
    assert "ordered before applied ones were never applied" in out.stdout and "20250101000000_early.sql" in out.stdout
    assert "20250103000000_late.sql" in out.stdout  # the pending one is named too
    execute(f"sqlite:///{db}", "alter table users add column nickname text")  # real drift still shows
    data = json.loads(run_dbm("drift", "--format", "json", cwd=p).stdout)
    assert [c["name"] for c in data["changes"] if c["object_type"] == "column"] == ["users.nickname"]
    assert "early" not in data["sql"] and len(data["notes"]) == 2
    assert {t for t in tables(f"sqlite:///{db}") if not t.startswith(("_", "sqlite_"))} == {"users"}  # unchanged


# --- 5. generate --autogenerate names what the written migration destroys -------------------------
RICH_MODELS = """from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Gadget(Base):
    __tablename__ = "gadgets"
    id = Column(Integer, primary_key=True)
    label = Column(String(40), nullable=False)
    note = Column(String(200))


class Spare(Base):
    __tablename__ = "spares"
    id = Column(Integer, primary_key=True)
"""


@pytest.mark.postgres
def test_autogenerate_warns_about_the_drops_and_narrowing_it_wrote(pg_url, tmp_path, run_dbm):
    """Alembic autogenerate wrote drop_column, drop_table and a type narrowing and `generate` said
    nothing about it; the SQL preview's destructive statements are now listed with a warning."""
    from tests import alembic_project as ap
    from tests.test_autogenerate import alembic_with_models

    root = alembic_with_models(tmp_path / "proj", pg_url)
    (root / "models.py").write_text(RICH_MODELS)
    first = run_dbm("generate", "--name", "start", "--autogenerate", "--project", root)
    assert first.returncode == 0, first.stderr + first.stdout
    assert "destructive" not in first.stdout.lower()  # creating tables loses nothing: no warning
    assert run_dbm("migrate", root, "--yes").returncode == 0
    execute(pg_url, "insert into gadgets (label, note) values ('a label longer than ten', 'kept?')")

    (root / "models.py").write_text(
        RICH_MODELS.replace("    note = Column(String(200))\n", "")
        .replace("String(40)", "String(10)")
        .split("\n\nclass Spare")[0]
        + "\n"
    )
    out = run_dbm("generate", "--name", "shrink", "--autogenerate", "--project", root)
    assert out.returncode == 0, out.stderr + out.stdout
    written = next((root / "alembic" / "versions").glob("*shrink*.py")).read_text()
    assert "op.drop_column('gadgets', 'note')" in written and "op.drop_table('spares')" in written
    assert "WARNING: 3 destructive statement(s) in the written migration" in out.stdout
    listed = out.stdout.split("WARNING: 3", 1)[1].split("\n\n", 1)[0]
    assert "drops a column and its data: ALTER TABLE gadgets DROP COLUMN note" in listed
    assert "drops a table and all its rows: DROP TABLE spares" in listed
    assert "changes a column's type" in listed and "VARCHAR(10)" in listed
    assert "listed above" in out.stdout.rstrip().splitlines()[-1]
    data = json.loads(run_dbm("status", root, "--format", "json").stdout)
    assert [r["state"] for r in data["migrations"]] == ["applied", "pending"]  # nothing applied
    assert len(ap.history_revisions(root)) == 2 and len(ap.current_heads(root)) == 1
    from tests.helpers import query

    assert query(pg_url, "select label, note from gadgets") == [("a label longer than ten", "kept?")]
    assert "spares" in tables(pg_url)


# --- 4. %dbm diff --sql in a notebook shows the SQL --------------------------------------------------
def test_magic_sql_shows_only_the_sql_and_returns_the_result(tmp_path, ipython, capsys):
    """`%dbm diff A B --sql` ignored --sql and rendered the whole side-by-side result; it now shows what
    the CLI prints on stdout (the SQL alone), says the rest as a short text above it, and still returns
    the result object (`.sql`, `.changes`, `.to_frame()`), like --df does."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(f"sqlite:///{a}", "create table t (id integer primary key); create table old (id int);")
    load(f"sqlite:///{b}", "create table t (id integer primary key, note text);")
    result = ipython.run_line_magic("dbm", f"diff {a} {b} --sql --df changes")
    said = capsys.readouterr().out
    shown = ipython.display_formatter.format(result)[0]
    cli = subprocess.run(
        [sys.executable, "-m", "dbmigrate_magic", "diff", str(a), str(b), "--sql"],
        capture_output=True,
        text=True,
        env=dbm_env(),
    )
    assert shown["text/plain"] == cli.stdout.rstrip() and "ADD COLUMN note" in shown["text/plain"]
    html = result._repr_html_()  # what Jupyter shows (this terminal shell formats text only)
    assert html.startswith("<pre>") and "ADD COLUMN note" in html and "<table" not in html
    assert "DROP TABLE" not in shown["text/plain"]  # destructive: left out, and said so beside the SQL
    assert said.strip().splitlines() == cli.stderr.strip().splitlines()
    assert "left out (destructive)" in said and "DROP TABLE old" in said
    assert "ADD COLUMN note" in result.sql and {c.name for c in result.changes} >= {"t.note", "old"}
    assert "t.note" in list(ipython.user_ns["changes"].name)
    full = ipython.run_line_magic("dbm", f"diff {a} {b}")  # without --sql: the full view as before
    assert "<table" in full._repr_html_() and "From:" in repr(full)
    empty = ipython.run_line_magic("dbm", f"diff {a} {a} --sql")
    assert "No differences" in capsys.readouterr().out and repr(empty) == "-- (no SQL)"
