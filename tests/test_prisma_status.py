"""Prisma status from ``_prisma_migrations`` built exactly as Prisma writes it (tests/prisma_format.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import create_engine, text

from dbmigrate_magic import api
from tests.helpers import dialect

from .prisma_format import TABLE_DDL, insert_row, write_migration, write_project

T0 = dt.datetime(2024, 3, 1, 9, 30, 15, 123000, tzinfo=dt.UTC)
PROVIDER = {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}


@pytest.fixture
def prisma_project(tmp_path, db_url):
    """Seven migrations covering every state; on SQLite half the times are epoch milliseconds."""
    kind = dialect(db_url)
    migrations = write_project(tmp_path, PROVIDER[kind], db_url)
    sums = {
        "20240101000000_init": write_migration(migrations, "20240101000000_init", 'CREATE TABLE "User" (id INT);\n'),
        # checked out on Windows: CRLF on disk, recorded from the LF original
        "20240102000000_crlf": hashlib.sha256(b"CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n").hexdigest(),
        "20240103000000_edited": write_migration(migrations, "20240103000000_edited", "CREATE TABLE c (id INT);\n"),
        "20240104000000_failed": write_migration(migrations, "20240104000000_failed", "CREATE TABLE d (id INT);\n"),
        "20240105000000_rolled": write_migration(migrations, "20240105000000_rolled", "CREATE TABLE e (id INT);\n"),
        "20240106000000_gone": "0" * 64,
    }
    write_migration(migrations, "20240102000000_crlf", b"CREATE TABLE a (id INT);\r\nCREATE TABLE b (id INT);\r\n")
    (migrations / "20240103000000_edited" / "migration.sql").write_text("CREATE TABLE c (id BIGINT);\n")
    write_migration(migrations, "20240107000000_new", "CREATE TABLE f (id INT);\n")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(TABLE_DDL[kind]))
        for i, name in enumerate(
            ["20240101000000_init", "20240102000000_crlf", "20240103000000_edited", "20240106000000_gone"]
        ):
            start = T0 + dt.timedelta(minutes=i)
            insert_row(
                conn,
                kind,
                name,
                sums[name],
                started=start,
                finished=start + dt.timedelta(seconds=2),
                encoding="ms" if i % 2 else "iso",
            )
        insert_row(
            conn,
            kind,
            "20240104000000_failed",
            sums["20240104000000_failed"],
            started=T0,
            finished=None,
            logs="Migration name: 20240104000000_failed\n\nDatabase error: relation d already exists",
            steps=0,
            encoding="ms",
        )
        insert_row(
            conn,
            kind,
            "20240105000000_rolled",
            sums["20240105000000_rolled"],
            started=T0,
            finished=None,
            rolled_back=T0 + dt.timedelta(hours=1),
            logs="boom",
            steps=0,
        )
    engine.dispose()
    return tmp_path


EXPECTED = {
    "20240101000000_init": ("applied", True),
    "20240102000000_crlf": ("applied", True),
    "20240103000000_edited": ("modified", False),
    "20240104000000_failed": ("failed", True),
    "20240105000000_rolled": ("rolled_back", True),
    "20240106000000_gone": ("missing", None),
    "20240107000000_new": ("pending", None),
}


def test_every_prisma_state(prisma_project, db_url):
    result = api.status(prisma_project)
    rows = {r.migration: r for r in result.rows}
    assert [r.migration for r in result.rows] == sorted(EXPECTED)
    assert {n: (r.state, r.checksum_ok) for n, r in rows.items()} == EXPECTED
    # both SQLite time encodings (and DATETIME(3)/TIMESTAMPTZ elsewhere) read back as the same instant
    assert rows["20240101000000_init"].applied_at == T0 + dt.timedelta(seconds=2)
    assert rows["20240102000000_crlf"].applied_at == T0 + dt.timedelta(minutes=1, seconds=2)
    assert rows["20240101000000_init"].applied_at.tzinfo is not None
    assert rows["20240104000000_failed"].applied_at is None
    assert "already exists" in rows["20240104000000_failed"].extra["logs"]
    assert rows["20240101000000_init"].extra["applied_steps_count"] == 1
    assert rows["20240104000000_failed"].extra["applied_steps_count"] == 0
    assert rows["20240106000000_gone"].file is None
    assert rows["20240107000000_new"].file == "prisma/migrations/20240107000000_new/migration.sql"
    assert result.position == "diverged"
    assert result.current == "20240103000000_edited"


def test_status_json_and_exit_columns(prisma_project, run_dbm):
    proc = run_dbm("status", prisma_project, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["tool"] == "prisma"
    first = data["migrations"][0]
    assert {"migration", "file", "state", "applied_at", "checksum_ok", "logs", "applied_steps_count"} <= set(first)
    assert data["summary"]["counts"]["failed"] == 1


def test_no_table_yet_everything_pending(tmp_path, sqlite_url):
    migrations = write_project(tmp_path, "sqlite", sqlite_url)
    write_migration(migrations, "20240101000000_init", "CREATE TABLE a (id INT);\n")
    result = api.status(tmp_path)
    assert [r.state for r in result.rows] == ["pending"] and not result.table_exists
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0
    engine.dispose()


def test_unreachable_database_reports_unknown(tmp_path):
    migrations = write_project(tmp_path, "postgresql", "postgresql+psycopg://u:s3cretpw@127.0.0.1:1/none")
    write_migration(migrations, "20240101000000_init", "CREATE TABLE a (id INT);\n")
    result = api.status(tmp_path)
    assert [r.state for r in result.rows] == ["unknown"]
    assert result.error and "s3cretpw" not in result.error and "s3cretpw" not in repr(result)


def test_lock_file_provider_mismatch_is_noted(tmp_path, sqlite_url):
    migrations = write_project(tmp_path, "postgresql", sqlite_url)
    write_migration(migrations, "20240101000000_init", "CREATE TABLE a (id INT);\n")
    notes = api.status(tmp_path).notes
    assert any("postgresql" in n and "sqlite" in n for n in notes)
