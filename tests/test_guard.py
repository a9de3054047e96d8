"""The guard's classifier and rules, and the active-connection listing on real servers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from dbmigrate_magic.config import environment_from_url
from dbmigrate_magic.errors import ConfirmationRequired, ProductionRefused
from dbmigrate_magic.safety import guard
from dbmigrate_magic.safety.destructive import classify

DESTRUCTIVE = {
    "postgresql": [
        ("DROP TABLE a, b", "drop_table"),
        ("ALTER TABLE t DROP COLUMN c", "drop_column"),
        ("DROP SCHEMA s CASCADE", "drop_schema"),
        ("DROP DATABASE x", "drop_database"),
        ("TRUNCATE a", "truncate"),
        ("DELETE FROM a", "delete_without_where"),
        ("UPDATE a SET x = 1", "update_without_where"),
    ],
    "mysql": [
        ("DROP TABLE a", "drop_table"),
        ("ALTER TABLE t DROP c", "drop_column"),
        ("DROP DATABASE x", "drop_database"),
        ("TRUNCATE TABLE a", "truncate"),
        ("DELETE FROM a", "delete_without_where"),
        ("UPDATE a SET x = 1", "update_without_where"),
    ],
    "sqlite": [
        ("DROP TABLE a", "drop_table"),
        ("ALTER TABLE t DROP COLUMN c", "drop_column"),
        ("DELETE FROM a", "delete_without_where"),
        ("UPDATE a SET x = 1", "update_without_where"),
    ],
}
SAFE = [
    "DELETE FROM a WHERE id = 1",
    "UPDATE a SET x = 1 WHERE id = 2",
    "CREATE TABLE t (id INT)",
    "DROP INDEX i",
    "SELECT 'DROP TABLE a'",
    "-- DROP TABLE a\nSELECT 1",
    "INSERT INTO a VALUES ('DELETE FROM a')",
]


@pytest.mark.parametrize("dialect", DESTRUCTIVE)
def test_each_destructive_kind_is_found_and_safe_variants_are_not(dialect):
    for sql, kind in DESTRUCTIVE[dialect]:
        found = classify(f"CREATE TABLE z (id INT);\n{sql};", dialect, "m1")
        assert [f.kind for f in found] == [kind], sql
        assert found[0].line == 2 and found[0].step == "m1"
    for sql in SAFE:
        if dialect == "mysql" and sql.startswith("DROP INDEX"):
            sql += " ON a"
        assert classify(sql, dialect) == [], sql


#: spellings a first-word check could miss: a CTE before the statement, a comment before it, lower case,
#: and MySQL's backquoted name right after the keyword with no space
CAMOUFLAGED = {
    "sqlite": [
        ("WITH old AS (SELECT 1) DELETE FROM a", "delete_without_where"),
        ("/* tidy */ delete from a", "delete_without_where"),
        ("-- note\n  Drop Table a", "drop_table"),
    ],
    "mysql": [
        ("UPDATE`a`SET x = 1", "update_without_where"),
        ("DELETE FROM`a`", "delete_without_where"),
        ("WITH old AS (SELECT 1) DELETE FROM a", "delete_without_where"),
        ("/* tidy */ truncate `a`", "truncate"),
    ],
}


@pytest.mark.parametrize("dialect", CAMOUFLAGED)
def test_destructive_statements_are_found_however_they_are_spelt(dialect):
    for sql, kind in CAMOUFLAGED[dialect]:
        found = classify(f"CREATE TABLE z (id INT);\n{sql};\nCREATE TABLE y (id INT);", dialect)
        assert [f.kind for f in found] == [kind], sql


def test_unparseable_risky_statements_fail_closed():
    assert [f.kind for f in classify("DROP TABLE x; DELETE FRM z;", "postgresql")] == ["drop_table", "unparsed"]
    assert classify("SELEC 1;", "postgresql") == []


def test_rules_by_environment_class():
    plan = {"0001_drop": "DROP TABLE users;"}
    prod = environment_from_url("sqlite:///p.db", name="production")
    staging = environment_from_url("sqlite:///s.db", name="staging")
    dev = environment_from_url("sqlite:///d.db", name="development")
    assert [guard.environment_class(e) for e in (prod, staging, dev)] == ["production", "staging", "development"]
    for flags in ({}, {"yes": True}, {"confirm": "staging"}):
        with pytest.raises(ConfirmationRequired) as refused:
            guard.check(plan, prod, **flags)
        assert "--confirm production" in refused.value.message and "DROP TABLE users" in refused.value.message
    assert guard.check(plan, prod, confirm="production").confirmed_by == "--confirm production"
    for env in (staging, dev):
        with pytest.raises(ConfirmationRequired):
            guard.check(plan, env)
        assert guard.check(plan, env, yes=True).destructive
    assert not guard.check({"0002": "CREATE TABLE t (id INT)"}, prod).destructive
    for op in guard.DEV_ONLY:
        with pytest.raises(ProductionRefused):
            guard.check({}, prod, confirm="production", operation=op)
        guard.check({}, dev, operation=op)


@pytest.mark.postgres
def test_postgres_lists_sessions_holding_the_table(pg_url):
    from dbmigrate_magic.db import Database

    engine = create_engine(pg_url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE users (id INT)"))
    holder = engine.connect()
    holder.begin()
    holder.execute(text("SELECT * FROM users"))
    pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        db = Database(pg_url, "production")
        env = environment_from_url(pg_url, name="production")
        with pytest.raises(ConfirmationRequired) as refused:
            guard.check({"m": "DROP TABLE users"}, env, yes=True, db=db)
        assert f"session {pid}" in refused.value.message and "holds a lock" in refused.value.message
        report = guard.check({"m": "DROP TABLE users"}, env, confirm="production", db=db)
        assert [c["pid"] for c in report.connections if c["holds_lock"]] == [pid]
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()


@pytest.mark.mysql
def test_mysql_lists_sessions_in_the_database(mysql_url):
    from dbmigrate_magic.db import Database

    engine = create_engine(mysql_url, poolclass=NullPool)
    other = engine.connect()
    pid = other.execute(text("SELECT CONNECTION_ID()")).scalar_one()
    try:
        db = Database(mysql_url, "staging")
        database = mysql_url.rsplit("/", 1)[1]
        report = guard.check({"m": f"DROP DATABASE {database}"}, "staging", yes=True, db=db)
        assert pid in [c["pid"] for c in report.connections]
    finally:
        other.close()
        engine.dispose()
