"""diff, drift, generate and scratch through the real CLI, the magic and the API, on real databases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from conftest import REPO, new_database
from dbmigrate_magic import scratch
from dbmigrate_magic.display.schema_diff import COLOURS
from dbmigrate_magic.schema import diff
from tests.helpers import libpq_url, with_password
from tests.schema_support import load, model

SECRET = "Pl4ntedS3cret"
A_SQL = "create table users (id int primary key, email text, legacy text); create index users_email on users (email);"
B_SQL = (
    "create table users (id int primary key, email text not null, name text default 'x');"
    "create table posts (id int primary key, user_id int references users(id));"
)


@pytest.fixture
def pg_two(pg_url):
    other, drop = new_database("postgres")
    yield pg_url, other
    drop()


@pytest.mark.postgres
def test_sql_output_pipes_into_psql(pg_two, run_dbm):
    a, b = pg_two
    load(a, A_SQL)
    load(b, B_SQL)
    a_pw, b_pw = with_password(a, SECRET), with_password(b, SECRET)
    safe = run_dbm("diff", "--from", a_pw, "--to", b_pw, "--sql")
    assert safe.returncode == 0, safe.stderr
    assert "DROP COLUMN" not in safe.stdout and "legacy" in safe.stderr  # left out, said on stderr
    out = run_dbm("diff", "--from", a_pw, "--to", b_pw, "--sql", "--unsafe")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(";") and "changes" not in out.stdout  # only SQL on stdout
    for stream in (safe.stdout, safe.stderr, out.stdout, out.stderr):
        assert SECRET not in stream
    psql = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-q", libpq_url(a)], input=out.stdout, capture_output=True, text=True
    )
    assert psql.returncode == 0, psql.stderr
    again = run_dbm("diff", a_pw, b_pw, "--exit-code", "--format", "json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["empty"] is True


@pytest.mark.postgres
def test_change_table_json_and_exit_code(pg_two, run_dbm):
    a, b = pg_two
    load(a, A_SQL)
    load(b, B_SQL)
    out = run_dbm("diff", a, b, "--format", "json", "--exit-code")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    rows = {(c["object_type"], c["name"], c["change"]): c for c in data["changes"]}
    assert rows[("table", "posts", "added")]["destructive"] is False
    assert rows[("column", "users.legacy", "removed")]["destructive"] is True
    assert rows[("index", "users_email", "removed")]
    assert ("column", "users.email", "changed") in rows
    assert any("DROP COLUMN" in s for s in data["left_out"]) and "DROP COLUMN" not in data["sql"]


@pytest.mark.postgres
def test_schema_filters(pg_two, run_dbm):
    a, b = pg_two
    load(a, "create schema keep; create schema skip; create table skip.t (a int);")
    load(b, "create schema keep; create table keep.t (a int); create schema skip; create extension citext;")
    only = json.loads(run_dbm("diff", a, b, "--schema", "keep", "--format", "json").stdout)
    assert {(c["schema"], c["name"]) for c in only["changes"] if c["object_type"] == "table"} == {("keep", "t")}
    excl = json.loads(run_dbm("diff", a, b, "--exclude-schema", "keep", "--format", "json", "--unsafe").stdout)
    assert {(c["schema"], c["name"], c["change"]) for c in excl["changes"] if c["object_type"] == "table"} == {
        ("skip", "t", "removed")
    }
    ext = json.loads(run_dbm("diff", a, b, "--extensions-only", "--format", "json").stdout)
    assert [(c["object_type"], c["name"]) for c in ext["changes"]] == [("extension", "citext")]


@pytest.mark.postgres
def test_privileges_only_when_asked(pg_two, run_dbm):
    a, b = pg_two
    load(a, "create table t (a int);")
    load(b, "create table t (a int); grant select on t to public;")
    plain = json.loads(run_dbm("diff", a, b, "--format", "json").stdout)
    assert plain["empty"]
    out = run_dbm("diff", a, b, "--with-privileges", "--sql")
    assert "GRANT SELECT ON TABLE public.t TO PUBLIC;" in out.stdout
    load(a, out.stdout)
    assert json.loads(run_dbm("diff", a, b, "--with-privileges", "--format", "json").stdout)["empty"]


@pytest.mark.postgres
def test_schema_file_loaded_into_scratch_and_dropped(pg_url, tmp_path, run_dbm):
    before = set(scratch.list_scratch(pg_url))
    schema = tmp_path / "schema.sql"
    schema.write_text(B_SQL)
    out = run_dbm("diff", pg_url, schema, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert {c["name"] for c in json.loads(out.stdout)["changes"] if c["object_type"] == "table"} == {"users", "posts"}
    broken = tmp_path / "broken.sql"
    broken.write_text("create table ok (a int); create tabel nope (;")
    bad = run_dbm("diff", pg_url, broken)
    assert bad.returncode == 2 and "Loading the schema file broken.sql failed" in bad.stderr
    assert "Traceback" not in bad.stderr
    # other test runs on the same server create and drop their own scratch databases meanwhile:
    # what matters is that none is left whose process (these two dbm runs) has exited
    assert scratch.stale(sorted(set(scratch.list_scratch(pg_url)) - before)) == []


@pytest.mark.postgres
def test_scratch_dropped_after_interrupt_and_stale_ones_cleaned(pg_url, run_dbm):
    with pytest.raises(KeyboardInterrupt):
        with scratch.scratch(pg_url) as url:
            name = make_url(url).database
            assert name in scratch.list_scratch(pg_url)
            raise KeyboardInterrupt
    assert name not in scratch.list_scratch(pg_url)
    dead_pid = 2**22 + 7  # above pid_max's default, so no process has it
    stale = f"dbm_scratch_{dead_pid}_0badcafe"
    live = f"dbm_scratch_{os.getpid()}_0000beef"
    engine = create_engine(pg_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"create database {stale}"))
        conn.execute(text(f"create database {live}"))
    try:
        out = run_dbm("scratch", "--env", pg_url, "--clean", "--format", "json")
        assert out.returncode == 0, out.stderr
        left = scratch.list_scratch(pg_url)
        assert stale not in left and live in left
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"drop database if exists {stale}"))
            conn.execute(text(f"drop database if exists {live}"))
        engine.dispose()


@pytest.fixture
def rawsql_project(tmp_path):
    project = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "rawsql_app", project, ignore=shutil.ignore_patterns("*.db", ".dbm"))
    return project


def test_drift_generate_and_down_on_sqlite(rawsql_project, run_dbm):
    p = rawsql_project
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    assert run_dbm("drift", "--exit-code", cwd=p).returncode == 0
    subprocess.run(["sqlite3", str(p / "dev.db"), "alter table users add column nick text"], check=True)
    drifted = run_dbm("drift", "--exit-code", "--sql", cwd=p)
    assert drifted.returncode == 1
    assert "ADD COLUMN nick text" in drifted.stdout
    # the migration that records the drift brings files and database back in line
    subprocess.run(["sqlite3", str(p / "dev.db"), "alter table users drop column nick"], check=True)
    desired = p / "desired.sql"
    desired.write_text(
        (p / "migrations").joinpath(sorted(os.listdir(p / "migrations"))[0]).read_text().split("-- DOWN")[0]
        + "\n"
        + "create table tags (id integer primary key, label text not null);\n"
        + (p / "migrations").joinpath(sorted(os.listdir(p / "migrations"))[1]).read_text().split("-- DOWN")[0]
    )
    gen = run_dbm("generate", "--name", "add_tags", "--from-schema", desired, cwd=p)
    assert gen.returncode == 0, gen.stderr
    written = sorted((p / "migrations").glob("*_add_tags.sql"))
    assert len(written) == 1
    body = written[0].read_text()
    assert "CREATE TABLE" in body.split("-- DOWN")[0] and "DROP TABLE tags" in body.split("-- DOWN")[1]
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    same = run_dbm("diff", "development", desired, "--format", "json", cwd=p)
    assert json.loads(same.stdout)["empty"], same.stdout
    assert run_dbm("drift", "--exit-code", cwd=p).returncode == 0
    # automatic down migration for the orders migration: replay + diff
    down = run_dbm("generate", "--down-for", "20250102090000_add_orders.sql", cwd=p)
    assert down.returncode == 0, down.stderr
    assert "DROP TABLE orders" in down.stdout and "tags" not in down.stdout


def test_magic_diff_dataframe_and_side_by_side_html(tmp_path, ipython):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(f"sqlite:///{a}", A_SQL)
    load(f"sqlite:///{b}", B_SQL)
    result = ipython.run_line_magic("dbm", f"diff sqlite:///{a} sqlite:///{b} --df changes")
    frame = ipython.user_ns["changes"]
    assert list(frame.columns) == ["object_type", "schema", "name", "change", "detail", "destructive"]
    assert ("table", "posts", "added") in set(zip(frame.object_type, frame.name, frame.change))
    page = result._repr_html_()
    assert page.index(result.summary_line()) < page.index("<table")
    assert "users" in page and "column legacy" in page and COLOURS["removed"] in page  # removed column shown in red


def test_sqlite_roundtrip_through_cli_and_sqlite3(tmp_path, run_dbm):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(f"sqlite:///{a}", A_SQL + "insert into users values (1, 'a@b', 'old');")
    load(f"sqlite:///{b}", B_SQL)
    out = run_dbm("diff", f"sqlite:///{a}", f"sqlite:///{b}", "--sql", "--unsafe")
    subprocess.run(["sqlite3", str(a)], input=out.stdout, text=True, check=True)
    assert diff(model(f"sqlite:///{a}"), model(f"sqlite:///{b}")).is_empty
    rows = subprocess.run(["sqlite3", str(a), "select id, email, name from users"], capture_output=True, text=True)
    assert rows.stdout.strip() == "1|a@b|x"  # data kept through the rebuild, new column took its default


@pytest.mark.mysql
def test_mysql_sql_pipes_into_mysql_client(mysql_url, run_dbm):
    other, drop = new_database("mysql")
    try:
        load(mysql_url, A_SQL.replace("email text", "email varchar(100)").replace("legacy text", "legacy int"))
        load(other, B_SQL.replace("email text", "email varchar(100)"))
        out = run_dbm("diff", mysql_url, other, "--sql", "--unsafe")
        assert out.returncode == 0, out.stderr
        u = make_url(mysql_url)
        client = subprocess.run(
            ["mysql", "-h", u.host, "-P", str(u.port or 3306), "-u", u.username, u.database],
            input=out.stdout,
            capture_output=True,
            text=True,
        )
        assert client.returncode == 0, client.stderr
        assert diff(model(mysql_url), model(other)).is_empty
    finally:
        drop()


@pytest.mark.postgres
def test_extension_versions_updated_or_ignored(pg_two, run_dbm):
    a, b = pg_two
    load(a, "create extension citext version '1.5';")
    load(b, "create extension citext version '1.6';")
    assert json.loads(run_dbm("diff", a, b, "--ignore-extension-versions", "--format", "json").stdout)["empty"]
    out = run_dbm("diff", a, b, "--sql")
    assert "ALTER EXTENSION citext UPDATE TO '1.6';" in out.stdout
    load(a, out.stdout)
    assert json.loads(run_dbm("diff", a, b, "--format", "json").stdout)["empty"]


@pytest.mark.parametrize(
    "url, modules",
    [
        ("mysql+pymysql://root@127.0.0.1:3306/test", ("sqlalchemy", "pymysql")),
        ("sqlite:////tmp/none.db", ("sqlalchemy", "sqlite3")),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", ("psycopg",)),
    ],
)
def test_sides_drivers_are_imported_before_the_reading_threads(url, modules):
    """diff reads its two sides in two threads; a package first imported by both at once was seen
    half initialised ("partially initialized module 'sqlalchemy.sql.roles'"), so the calling
    thread imports what each side needs first."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom dbmigrate_magic.schema.introspect import prepare\n"
        f"prepare({url!r})\nprint(','.join(m for m in {modules!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ",".join(modules)
