"""The round-trip property over the corpus, on real PostgreSQL, MariaDB and SQLite: diff(A -> B) with
--unsafe applied to A leaves A identical to B by our introspection and by the database's own dump."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from conftest import new_database
from tests.schema_corpus import MYSQL, PG, SQLITE
from tests.schema_support import RESET_PG, roundtrip

ROLES = """
DO $$ BEGIN
  CREATE ROLE dbm_reader; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
  CREATE ROLE dbm_writer; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
"""


# Without --unsafe some targets cannot be reached at all: a table replacing a view of the same name,
# a partition overlapping one that is removed. Every other case's safe script must apply cleanly.
NEEDS_UNSAFE = {"view_becomes_table", "partition_bound_changed_and_default_added"}


@pytest.fixture(scope="module")
def pg_pair():
    """A, B, and a third database where A receives the safe script (destructive statements left out)."""
    a, drop_a = new_database("postgres")
    reset_pg(a, ROLES)  # roles are cluster-wide: the privilege and policy cases grant to them
    b, drop_b = new_database("postgres")
    c, drop_c = new_database("postgres")
    yield a, b, c
    drop_a()
    drop_b()
    drop_c()


def reset_pg(url: str, sql: str = RESET_PG) -> None:
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("case", PG, ids=[c[0] for c in PG])
def test_postgres_roundtrip(case, pg_pair):
    for url in pg_pair:
        reset_pg(url)
    a, b, safe = pg_pair
    roundtrip(a, b, *case[1:], safe_url=None if case[0] in NEEDS_UNSAFE else safe)


@pytest.mark.parametrize("case", SQLITE, ids=[c[0] for c in SQLITE])
def test_sqlite_roundtrip(case, tmp_path):
    roundtrip(
        f"sqlite:///{tmp_path / 'a.db'}",
        f"sqlite:///{tmp_path / 'b.db'}",
        *case[1:],
        safe_url=f"sqlite:///{tmp_path / 'safe.db'}",
    )


@pytest.mark.mysql
@pytest.mark.parametrize("case", MYSQL, ids=[c[0] for c in MYSQL])
def test_mysql_roundtrip(case):
    a, drop_a = new_database("mysql")
    b, drop_b = new_database("mysql")
    safe, drop_safe = new_database("mysql")  # A receives the script without destructive statements
    try:
        roundtrip(a, b, *case[1:], safe_url=safe)
    finally:
        drop_a()
        drop_b()
        drop_safe()


def test_every_issue_item_has_change_cases():
    """The checklist of issue 5's objects names only cases that exist and that change something."""
    from tests import schema_corpus

    cases = {f"{d}:{c[0]}": c for d in ("PG", "SQLITE", "MYSQL") for c in getattr(schema_corpus, d)}
    assert len(cases) == len(PG) + len(SQLITE) + len(MYSQL), "case names are unique per dialect"
    for item, names in schema_corpus.ISSUE_5_CHECKLIST.items():
        assert names, item
        for name in names:
            assert name in cases, f"{item}: no case {name}"
            assert cases[name][1] != cases[name][2], f"{item}: {name} changes nothing"


@pytest.mark.mysql
def test_mysql_enum_value_removal_is_destructive():
    """Removing an ENUM/SET value blanks the rows that hold it: the safe script leaves it out;
    appending a value keeps every row and stays in."""
    from dbmigrate_magic.schema import diff
    from tests.schema_support import load, model

    a, drop_a = new_database("mysql")
    b, drop_b = new_database("mysql")
    try:
        load(a, "create table t (s enum('a', 'b', 'c'), r enum('x'), st set('p', 'q'));")
        load(b, "create table t (s enum('a', 'c'), r enum('x', 'y'), st set('p', 'q', 'w'));")
        d = diff(model(a), model(b))
        assert {c.name: c.destructive for c in d.changes} == {"t.s": True, "t.r": False, "t.st": False}
        assert "enum('a','c')" not in d.sql(unsafe=False) and "enum('x','y')" in d.sql(unsafe=False)
    finally:
        drop_a()
        drop_b()


@pytest.mark.mysql
def test_mysql_compound_trigger_pipes_into_mysql_client(run_dbm):
    """`dbm diff --sql` piped into the mysql client creates a trigger whose body holds several
    statements (the client would otherwise end the CREATE TRIGGER at the first semicolon)."""
    import subprocess

    from sqlalchemy.engine import make_url

    from dbmigrate_magic.schema import diff
    from tests.schema_support import dump, load, model

    a, drop_a = new_database("mysql")
    b, drop_b = new_database("mysql")
    try:
        load(a, "create table t (a int); create table log (x int);")
        load(
            b,
            "create table t (a int, b int); create table log (x int); create trigger tr after insert on t "
            "for each row begin insert into log values (new.a); insert into log values (new.b); end;",
        )
        out = run_dbm("diff", a, b, "--sql", "--unsafe")
        assert out.returncode == 0, out.stderr
        u = make_url(a)
        # the client's character set is stored with a trigger (and dumped): use the one `load` uses
        client = subprocess.run(
            [
                "mysql",
                "--default-character-set=utf8mb4",
                "-h",
                u.host,
                "-P",
                str(u.port or 3306),
                "-u",
                u.username,
                u.database,
            ],
            input=out.stdout,
            capture_output=True,
            text=True,
        )
        assert client.returncode == 0, client.stderr
        assert diff(model(a), model(b)).is_empty
        assert dump(a) == dump(b)
        assert run_dbm("diff", a, b, "--exit-code").returncode == 0
    finally:
        drop_a()
        drop_b()
