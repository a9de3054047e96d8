"""diff, drift and generate as a new user meets them: real projects, real servers, the CLI as a subprocess.

Each test is a defect found by using the verbs on cases the first tests did not cover."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from sqlalchemy.engine import make_url

from conftest import REPO, new_database
from dbmigrate_magic import scratch
from tests.helpers import make_project, with_password
from tests.schema_support import load

SECRET = "Pl4ntedN3wUs3r"

USERS = "-- UP\ncreate table users (id serial primary key, email text not null);\n-- DOWN\ndrop table users;\n"
ORDERS = (
    "-- UP\ncreate table orders (id serial primary key, user_id int references users(id), "
    "total numeric(10,2));\n-- DOWN\ndrop table orders;\n"
)
DESIRED = (
    "create table users (id serial primary key, email text not null);\n"
    "create table orders (id serial primary key, user_id int references users(id), total numeric(12,2));\n"
    "create table tags (id serial primary key, label text not null);\n"
)


def left_behind(url: str, before: list[str]) -> list[str]:
    """Scratch databases made since ``before`` whose process is gone (other runs' live ones do not count)."""
    return scratch.stale([n for n in scratch.list_scratch(url) if n not in before])


@pytest.fixture
def pg_project(tmp_path, pg_url):
    return make_project(
        tmp_path / "app",
        with_password(pg_url, SECRET),
        {"20250101000000_users.sql": USERS, "20250102000000_orders.sql": ORDERS},
    )


@pytest.mark.postgres
def test_generate_leaves_the_tracking_tables_sequence_alone(pg_project, run_dbm):
    """The ledger's serial id sequence showed up as a change: `generate` wrote DROP SEQUENCE
    _migrations_id_seq into the up part (which then failed to apply) and CREATE SEQUENCE into the down."""
    p = pg_project
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    (p / "desired.sql").write_text(DESIRED)
    preview = run_dbm("generate", "--name", "add_tags", "--from-schema", "desired.sql", "--dry-run", "--unsafe", cwd=p)
    assert preview.returncode == 0, preview.stderr
    assert "_migrations" not in preview.stdout and "CREATE TABLE public.tags" in preview.stdout
    assert sorted(f.name for f in (p / "migrations").iterdir()) == [
        "20250101000000_users.sql",
        "20250102000000_orders.sql",
    ]
    gen = run_dbm("generate", "--name", "add_tags", "--from-schema", "desired.sql", cwd=p)
    assert gen.returncode == 0, gen.stderr
    assert "_migrations" not in next((p / "migrations").glob("*_add_tags.sql")).read_text()
    applied = run_dbm("migrate", "--yes", cwd=p)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = run_dbm("generate", "--name", "again", "--from-schema", "desired.sql", cwd=p)
    assert "No differences" in again.stdout and not list((p / "migrations").glob("*_again.sql"))
    assert json.loads(run_dbm("diff", "development", "desired.sql", "--format", "json", cwd=p).stdout)["empty"]
    for out in (preview, gen, applied, again):
        assert SECRET not in out.stdout + out.stderr


@pytest.mark.postgres
def test_widening_a_numeric_is_not_withheld_as_destructive(pg_project, run_dbm):
    """numeric(10,2) -> numeric(12,2) loses nothing, yet was left out of the safe SQL like a narrowing."""
    p = pg_project
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    (p / "desired.sql").write_text(DESIRED)
    out = json.loads(run_dbm("diff", "development", "desired.sql", "--format", "json", cwd=p).stdout)
    total = next(c for c in out["changes"] if c["name"] == "orders.total")
    assert total["destructive"] is False and "TYPE numeric(12,2)" in out["sql"] and out["left_out"] == []
    (p / "narrow.sql").write_text(
        DESIRED.replace("numeric(12,2)", "numeric(12,4)")
        .replace("(10,2)", "(8,2)")
        .replace("total numeric(12,4)", "total numeric(9,4)")
    )
    narrow = json.loads(run_dbm("diff", "development", "narrow.sql", "--format", "json", cwd=p).stdout)
    assert any("numeric(9,4)" in s for s in narrow["left_out"])  # 8 integer digits -> 5: may not fit


@pytest.mark.postgres
def test_generate_refuses_while_migrations_are_pending_and_drift_ignores_them(pg_project, run_dbm):
    """With a migration not yet applied, `generate` wrote a new migration repeating it, and `drift`
    reported the pending migration's tables as drift (with DROP TABLE as 'the migration that records it')."""
    p = pg_project
    assert run_dbm("migrate", "--yes", "--to", "20250101000000_users.sql", cwd=p).returncode == 0
    drift = run_dbm("drift", "--exit-code", cwd=p)
    assert drift.returncode == 0, drift.stdout + drift.stderr
    assert "No drift" in drift.stdout and "20250102000000_orders.sql" in drift.stdout  # named as left out
    (p / "desired.sql").write_text(DESIRED)
    gen = run_dbm("generate", "--name", "add_tags", "--from-schema", "desired.sql", cwd=p)
    assert gen.returncode == 2
    assert "not applied" in gen.stderr and "20250102000000_orders.sql" in gen.stderr and "dbm migrate" in gen.stderr
    assert not list((p / "migrations").glob("*_add_tags.sql"))
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    assert run_dbm("drift", "--exit-code", cwd=p).returncode == 0
    assert run_dbm("generate", "--name", "add_tags", "--from-schema", "desired.sql", cwd=p).returncode == 0


@pytest.mark.postgres
def test_schema_file_runs_statement_by_statement_like_psql(pg_url, tmp_path, run_dbm):
    """The whole file ran in one transaction: an enum value added and then used (fine in psql) failed,
    and a dump of a few thousand tables ran out of PostgreSQL's lock table."""
    schema = tmp_path / "enum.sql"
    schema.write_text(
        "create type mood as enum ('ok');\nalter type mood add value 'great';\n"
        "create table t (m mood default 'great');\n"
    )
    out = run_dbm("diff", pg_url, schema, "--sql")
    assert out.returncode == 0, out.stderr
    load(pg_url, out.stdout)
    assert json.loads(run_dbm("diff", pg_url, schema, "--format", "json").stdout)["empty"]


@pytest.mark.parametrize(
    "kind",
    ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)],
)
def test_schema_file_error_names_line_and_statement(kind, tmp_path, run_dbm):
    """A failing schema file said only the database's message (MySQL, SQLite) or a line counted in
    the whole script; now: the file's line and the statement's first line, and the scratch database is gone."""
    if kind == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'a.db'}", None
        load(url, "create table a (x int);")
    else:
        url, drop = new_database(kind)
    try:
        broken = tmp_path / "broken.sql"
        broken.write_text(
            "-- schema\ncreate table ok (a int);\n\ncreate table bad (\n  id int,\n  x int,\n  y int,\n);\n"
        )
        before = scratch.list_scratch(url)
        out = run_dbm("diff", url, broken)
        assert out.returncode == 2
        assert "Loading the schema file broken.sql failed at line" in out.stderr
        assert "create table bad (" in out.stderr and "scratch database was touched; it is dropped" in out.stderr
        assert "Traceback" not in out.stderr
        assert left_behind(url, before) == []
    finally:
        if drop:
            drop()


@pytest.mark.postgres
def test_postgres_error_line_is_the_files_line(pg_url, tmp_path, run_dbm):
    broken = tmp_path / "broken.sql"
    broken.write_text("create table ok (a int);\n\ncreate table t2 (\n  id int,\n  x nosuchtype\n);\n")
    out = run_dbm("diff", pg_url, broken)
    assert "failed at line 5 (in the statement on line 3: create table t2 ()" in out.stderr
    assert 'type "nosuchtype" does not exist' in out.stderr


def test_a_mistyped_sqlite_path_is_an_error_not_an_empty_database(tmp_path, run_dbm):
    """`dbm diff sqlite:///typo.db sqlite:///real.db` created typo.db and reported the real schema as
    all added (and two typos as 'No differences')."""
    real = tmp_path / "real.db"
    load(f"sqlite:///{real}", "create table t (a int);")
    out = run_dbm("diff", f"sqlite:///{tmp_path / 'typo.db'}", f"sqlite:///{real}", cwd=tmp_path)
    assert out.returncode == 2 and "typo.db does not exist" in out.stderr
    assert not (tmp_path / "typo.db").exists()


def test_files_only_diff_says_sqlite_was_a_guess(tmp_path, run_dbm):
    """Two PostgreSQL schema files with no database anywhere were loaded into SQLite; the error blamed
    the file. It now says why SQLite was used and how to choose the kind; --dialect without a server
    asked for `--env`, which `diff` does not have."""
    (tmp_path / "a.sql").write_text("create table t (a int);\n")
    (tmp_path / "b.sql").write_text("create type mood as enum ('ok');\n")
    guessed = run_dbm("diff", "a.sql", "b.sql", cwd=tmp_path)
    assert guessed.returncode == 2 and "loaded into SQLite" in guessed.stderr and "--dialect" in guessed.stderr
    no_server = run_dbm("diff", "a.sql", "b.sql", "--dialect", "postgresql", cwd=tmp_path)
    assert no_server.returncode == 2
    assert "no postgresql server is known" in no_server.stderr and "--env" not in no_server.stderr


@pytest.mark.postgres
def test_no_createdb_privilege_says_which_grant(pg_url, tmp_path, run_dbm):
    from tests.helpers import execute

    role = "dbm_nu_nocreatedb"
    execute(pg_url, f"drop role if exists {role}", f"create role {role} login password '{SECRET}'")
    try:
        url = make_url(pg_url).set(username=role, password=SECRET).render_as_string(hide_password=False)
        (tmp_path / "s.sql").write_text("create table t (a int);\n")
        out = run_dbm("diff", url, tmp_path / "s.sql")
        assert out.returncode == 2
        assert f"ALTER ROLE {role} CREATEDB" in out.stderr and SECRET not in out.stderr + out.stdout
    finally:
        execute(pg_url, f"drop role if exists {role}")


@pytest.mark.mysql
def test_mysql_widening_is_safe_and_sign_changes_are_not(mysql_url, tmp_path, run_dbm):
    """On MySQL every type change was destructive (int -> bigint, varchar(100) -> varchar(200) were
    withheld), while int -> int unsigned (drops negatives) counted as no type change at all."""
    load(mysql_url, "create table n (a int, b varchar(100), c decimal(10,2), d int, e text);")
    target = tmp_path / "t.sql"
    target.write_text("create table n (a bigint, b varchar(200), c decimal(12,2), d int unsigned, e tinytext);")
    data = json.loads(run_dbm("diff", mysql_url, target, "--format", "json").stdout)
    destructive = {c["name"]: c["destructive"] for c in data["changes"]}
    assert destructive == {"n.a": False, "n.b": False, "n.c": False, "n.d": True, "n.e": True}
    out = run_dbm("diff", mysql_url, target, "--sql", "--unsafe")
    load(mysql_url, out.stdout)
    assert json.loads(run_dbm("diff", mysql_url, target, "--format", "json").stdout)["empty"]


def test_sql_piped_into_a_reader_that_stops_gives_no_traceback(tmp_path, run_dbm):
    """`dbm diff ... --sql | psql` where the reader exits early printed a BrokenPipeError traceback."""
    import sys

    from conftest import dbm_env

    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(f"sqlite:///{a}", "create table t (a int);")
    load(f"sqlite:///{b}", "".join(f"create table t{i} (a int, b text);" for i in range(300)))
    dbm = subprocess.Popen(
        [sys.executable, "-m", "dbmigrate_magic", "diff", f"sqlite:///{a}", f"sqlite:///{b}", "--sql"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dbm_env(),
    )
    dbm.stdout.read(10)
    dbm.stdout.close()  # the reader goes away after the first bytes
    err = dbm.stderr.read().decode()
    dbm.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err


@pytest.mark.postgres
def test_a_schema_filter_that_matches_nothing_is_an_error(pg_url, tmp_path, run_dbm):
    """`--schema pubic` (a typo) compared nothing and reported 'No differences'; on SQLite/MySQL the
    PostgreSQL-only filters were silently ignored."""
    load(pg_url, "create table t (a int);")
    (tmp_path / "s.sql").write_text("create table t (a int, b int);\n")
    typo = run_dbm("diff", pg_url, tmp_path / "s.sql", "--schema", "pubic", "--exit-code")
    assert typo.returncode == 2 and "No schema named pubic" in typo.stderr
    right = run_dbm("diff", pg_url, tmp_path / "s.sql", "--schema", "public", "--exit-code")
    assert right.returncode == 1
    a = f"sqlite:///{tmp_path / 'a.db'}"
    load(a, "create table t (a int);")
    lite = run_dbm("diff", a, tmp_path / "s.sql", "--schema", "main")
    assert lite.returncode == 2 and "--schema applies only to PostgreSQL" in lite.stderr


def test_sqlite_sql_piped_into_sqlite3_bail_is_all_or_nothing(tmp_path, run_dbm):
    """A table rebuild whose copy failed (NOT NULL over a NULL) left `users` renamed to _dbm_old_users and
    an empty new `users` when the --sql output was piped into `sqlite3 -bail`."""
    db = tmp_path / "live.db"
    load(
        f"sqlite:///{db}", "create table users (id integer primary key, email text);insert into users values (1, null);"
    )
    target = tmp_path / "t.sql"
    target.write_text("create table users (id integer primary key, email text not null);\n")
    out = run_dbm("diff", f"sqlite:///{db}", target, "--sql")
    assert out.returncode == 0, out.stderr
    failed = subprocess.run(["sqlite3", "-bail", str(db)], input=out.stdout, capture_output=True, text=True)
    assert failed.returncode != 0 and "NOT NULL" in failed.stderr
    tables = subprocess.run(
        ["sqlite3", str(db), "select name from sqlite_master where type='table'"], capture_output=True, text=True
    ).stdout.split()
    assert tables == ["users"]
    assert subprocess.run(["sqlite3", str(db), "select id from users"], capture_output=True, text=True).stdout == "1\n"
    subprocess.run(["sqlite3", str(db), "update users set email = 'a@b'"], check=True)
    subprocess.run(["sqlite3", "-bail", str(db)], input=out.stdout, text=True, check=True)
    assert json.loads(run_dbm("diff", f"sqlite:///{db}", target, "--format", "json").stdout)["empty"]


DEAD_PID = 2**22 + 11  # above the default pid_max, so no process has it


@pytest.mark.postgres
def test_scratch_lists_only_its_own_names(pg_url, run_dbm):
    """A database merely starting with dbm_scratch_ (not <pid>_<hex>) was listed, and `--clean --all`
    reported it dropped while (rightly) leaving it."""
    lookalike, stale = "dbm_scratch_keepme", f"dbm_scratch_{DEAD_PID}_0badf00d"
    server = make_url(pg_url).set(database="postgres").render_as_string(hide_password=False)
    engine_sql = [
        f"drop database if exists {lookalike}",
        f"create database {lookalike}",
        f"drop database if exists {stale}",
        f"create database {stale}",
    ]
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for sql in engine_sql:
            conn.execute(text(sql))
    try:
        out = json.loads(run_dbm("scratch", "--env", pg_url, "--clean", "--format", "json").stdout)
        assert lookalike not in out["found"] + out["dropped"] and stale in out["dropped"]
        assert stale not in scratch.list_scratch(pg_url)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"drop database if exists {lookalike}"))
            conn.execute(text(f"drop database if exists {stale}"))
        engine.dispose()


def test_scratch_clean_removes_a_dead_sqlite_scratch_with_its_wal(tmp_path, run_dbm):
    """Stale SQLite scratch files lost their .db but kept -wal/-journal files in the temp folder."""
    import os
    import tempfile

    tmp = tempfile.gettempdir()
    dead = os.path.join(tmp, f"dbm_scratch_{DEAD_PID}_nu7test1.db")
    live = os.path.join(tmp, f"dbm_scratch_{os.getpid()}_nu7test2.db")
    files = [dead, dead + "-wal", dead + "-journal", live]
    for f in files:
        open(f, "w").close()
    try:
        out = run_dbm("scratch", "--env", f"sqlite:///{tmp_path / 'x.db'}", "--clean")
        assert out.returncode == 0, out.stderr
        assert [os.path.exists(f) for f in files] == [False, False, False, True]
    finally:
        for f in files:
            if os.path.exists(f):
                os.unlink(f)


def test_unknown_side_names_what_a_side_can_be(tmp_path, run_dbm):
    """`dbm diff staging nosuch` said 'nosuch' came from --env, an option diff does not have."""
    p = make_project(tmp_path / "app", f"sqlite:///{tmp_path / 'dev.db'}")
    (p / ".env.staging").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'stg.db'}\n")
    out = run_dbm("diff", "staging", "schema_dump", cwd=p)
    assert out.returncode == 2
    assert "'schema_dump' is not an environment (found: development, staging)" in out.stderr
    assert "--env" not in out.stderr and ".sql suffix" in out.stderr


@pytest.mark.postgres
def test_generate_with_withheld_drops_writes_a_down_that_rolls_back(pg_project, pg_url, run_dbm):
    """With a destructive change left out of the up part, the down part still re-added the column the up
    never dropped, so `dbm rollback` failed; and re-running generate then said 'No differences'."""
    p = pg_project
    (p / "migrations" / "20250103000000_legacy.sql").write_text(
        "-- UP\nalter table users add column legacy text;\n-- DOWN\nalter table users drop column legacy;\n"
    )
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    (p / "desired.sql").write_text(DESIRED)  # no users.legacy, a new table tags
    gen = run_dbm("generate", "--name", "add_tags", "--from-schema", "desired.sql", cwd=p)
    assert gen.returncode == 0, gen.stderr
    up, down = next((p / "migrations").glob("*_add_tags.sql")).read_text().split("-- DOWN")
    assert "legacy" not in up and "legacy" not in down and "DROP TABLE public.tags" in down
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    rolled = run_dbm("rollback", "--yes", cwd=p)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert run_dbm("migrate", "--yes", cwd=p).returncode == 0
    again = run_dbm("generate", "--name", "again", "--from-schema", "desired.sql", cwd=p)
    assert again.returncode == 0 and "No differences" not in again.stdout
    assert "only differences are destructive" in again.stdout and "DROP COLUMN legacy" in again.stdout
    assert not list((p / "migrations").glob("*_again.sql"))


def test_drift_before_the_first_migrate_creates_no_database(tmp_path, run_dbm):
    """The project's own SQLite file that does not exist yet reads as empty for drift (nothing applied,
    so no drift, with the pending migrations named) and is not created by looking."""
    p = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "rawsql_app", p, ignore=shutil.ignore_patterns("*.db", ".dbm"))
    out = run_dbm("drift", "--exit-code", cwd=p)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No drift" in out.stdout and "20250101090000_create_users.sql" in out.stdout
    assert not (p / "dev.db").exists()


@pytest.mark.parametrize(
    "kind,sig",
    [
        ("sqlite", "SIGINT"),
        pytest.param("mysql", "SIGINT", marks=pytest.mark.mysql),
        ("sqlite", "SIGTERM"),
        pytest.param("postgres", "SIGTERM", marks=pytest.mark.postgres),
    ],
)
def test_ctrl_c_while_loading_a_schema_file_drops_the_scratch_quietly(kind, sig, tmp_path):
    """SIGINT mid-load: exit 130 at once and the scratch database is gone. SQLite's executescript ran the
    whole file in one C call, deaf to Ctrl-C until it finished; MySQL printed a pool-reset traceback."""
    import signal
    import sys
    import time

    from conftest import dbm_env

    if kind == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'a.db'}", None
        load(url, "create table a (x int);")
    else:
        url, drop = new_database(kind)
    big = tmp_path / "big.sql"
    big.write_text("".join(f"create table t{i} (id int primary key, a varchar(20));\n" for i in range(20000)))
    child = None
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "dbmigrate_magic", "diff", url, str(big)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dbm_env(),
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        mine = f"dbm_scratch_{child.pid}_"
        deadline = time.monotonic() + 60
        while not any(n.startswith(mine) for n in scratch.list_scratch(url)):
            assert child.poll() is None and time.monotonic() < deadline, child.communicate()
            time.sleep(0.05)
        time.sleep(0.3)  # well inside the load of 20,000 tables
        child.send_signal(getattr(signal, sig))  # SIGTERM (a CI timeout, kill) used to end it with no cleanup
        out, err = child.communicate(timeout=60)
        assert child.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        assert not [n for n in scratch.list_scratch(url) if n.startswith(mine)]
    finally:
        if child is not None and child.poll() is None:  # it ignored the interrupt: do not leave it running
            child.kill()
            child.wait()
        if drop:
            drop()


@pytest.mark.postgres
def test_more_timestamp_precision_is_not_destructive(pg_url, tmp_path, run_dbm):
    load(pg_url, "create table e (at timestamp(3), t time(0) with time zone, cut timestamptz);")
    target = tmp_path / "t.sql"
    target.write_text("create table e (at timestamp, t time(3) with time zone, cut timestamptz(0));\n")
    data = json.loads(run_dbm("diff", pg_url, target, "--format", "json").stdout)
    assert {c["name"]: c["destructive"] for c in data["changes"]} == {"e.at": False, "e.t": False, "e.cut": True}


def test_three_sides_are_refused_not_silently_dropped(tmp_path, run_dbm):
    """`dbm diff --from A --to B C` compared A and B and ignored C without a word."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(f"sqlite:///{a}", "create table t (a int);")
    load(f"sqlite:///{b}", "create table t (a int);")
    out = run_dbm("diff", "--from", f"sqlite:///{a}", "--to", f"sqlite:///{b}", tmp_path / "c.sql")
    assert out.returncode == 2 and "3 were given" in out.stderr
    assert run_dbm("diff", f"sqlite:///{a}", "--to", f"sqlite:///{b}").returncode == 0


@pytest.mark.postgres
def test_a_failing_statement_that_sets_a_password_is_quoted_masked(pg_url, tmp_path, run_dbm):
    """The load error quotes the failing statement; one that sets a role's password must not show it."""
    bad = tmp_path / "roles.sql"
    bad.write_text(f"create table t (a int);\ncreate role dbm_nu_r login password '{SECRET}' nosuchoption;\n")
    out = run_dbm("diff", pg_url, bad)
    assert out.returncode == 2 and "at line 2 (create role dbm_nu_r login password '***'" in out.stderr
    assert SECRET not in out.stdout + out.stderr


def test_html_collapses_the_unchanged_columns_of_a_changed_table(tmp_path, ipython):
    """A 30-column table with one new column showed all 31 rows in its card."""
    import re

    cols = ", ".join(f"c{i} int" for i in range(30))
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    load(f"sqlite:///{a}", f"create table wide (id integer primary key, {cols});")
    load(f"sqlite:///{b}", f"create table wide (id integer primary key, {cols}, extra text);")
    page = ipython.run_line_magic("dbm", f"diff sqlite:///{a} sqlite:///{b} --df ch")._repr_html_()
    card = page.split("<strong>wide</strong>", 1)[1]
    visible, collapsed = card.split("<details>", 1)
    assert "column extra" in visible and "column c7" not in visible
    assert int(re.search(r"<summary>(\d+) unchanged</summary>", collapsed).group(1)) >= 31  # id, c0..c29, keys
    assert "column c7" in collapsed
    assert "wide.extra" in list(ipython.user_ns["ch"].name)


@pytest.mark.postgres
def test_a_dump_with_data_is_told_to_use_a_schema_only_dump(pg_url, tmp_path, run_dbm):
    load(pg_url, "create table t (a int); insert into t values (1);")
    u = make_url(pg_url)
    dump = tmp_path / "full.sql"
    subprocess.run(
        ["pg_dump", "-h", u.host, "-p", str(u.port or 5432), "-U", u.username, "-f", str(dump), u.database], check=True
    )
    out = run_dbm("diff", pg_url, dump)
    assert out.returncode == 2 and "(COPY public.t (a) FROM stdin)" in out.stderr
    assert "pg_dump --schema-only" in out.stderr
    subprocess.run(
        ["pg_dump", "-s", "-h", u.host, "-p", str(u.port or 5432), "-U", u.username, "-f", str(dump), u.database],
        check=True,
    )
    assert json.loads(run_dbm("diff", pg_url, dump, "--format", "json").stdout)["empty"]


@pytest.mark.postgres
def test_scratch_clean_leaves_other_machines_scratch_databases(pg_url, run_dbm):
    """Staleness is judged by pid, which means nothing for a scratch database another machine made on a
    shared server: `--clean` dropped it while its process was still using it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    here = scratch.host_tag()
    other = "0000" if here != "0000" else "ffff"
    mine_dead, theirs = f"dbm_scratch_{DEAD_PID}_{here}0badf00d", f"dbm_scratch_{DEAD_PID}_{other}0badf00d"
    engine = create_engine(pg_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for n in (mine_dead, theirs):
            conn.execute(text(f"create database {n}"))
    try:
        assert scratch.scratch_name().split("_")[3].startswith(here)
        out = json.loads(run_dbm("scratch", "--env", pg_url, "--clean", "--format", "json").stdout)
        assert mine_dead in out["dropped"] and theirs not in out["dropped"] and theirs in out["found"]
    finally:
        with engine.connect() as conn:
            for n in (mine_dead, theirs):
                conn.execute(text(f"drop database if exists {n}"))
        engine.dispose()
