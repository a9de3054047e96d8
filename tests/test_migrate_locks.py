"""Lock safety on PostgreSQL with a real blocking transaction: lock_timeout, bounded retries,
nothing half-applied, and writers never queued behind the migration for longer than the timeout."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import MigrationFailed
from tests.helpers import libpq_url, make_project, query, recorded

FIRST = "-- UP\nCREATE TABLE accounts (id SERIAL PRIMARY KEY, name TEXT);\n-- DOWN\nDROP TABLE accounts;\n"
SECOND = (
    "-- UP\nINSERT INTO accounts (name) VALUES ('from-migration');\n"
    "ALTER TABLE accounts ADD COLUMN note TEXT;\n-- DOWN\nALTER TABLE accounts DROP COLUMN note;\n"
)


def _waiting_on_accounts(dsn: str) -> bool:
    """A lock request on ``accounts`` that is queued (not granted): our ALTER waiting."""
    with psycopg.connect(dsn, autocommit=True) as c:
        return bool(
            c.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation "
                "WHERE r.relname = 'accounts' AND NOT l.granted AND l.mode = 'AccessExclusiveLock'"
            ).fetchone()[0]
        )


def _until(predicate, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "the expected lock state never happened"
        time.sleep(0.02)


@pytest.fixture
def project(pg_url, tmp_path, monkeypatch):
    root = make_project(tmp_path / "app", pg_url, {"20250101000000_accounts.sql": FIRST})
    api.migrate(root, yes=True)
    (root / "migrations" / "20250102000000_note.sql").write_text(SECOND)
    monkeypatch.setenv("DBM_LOCK_TIMEOUT", "0.3")
    monkeypatch.setenv("DBM_LOCK_BACKOFF", "0.1")
    return root


@pytest.mark.postgres
def test_lock_timeout_is_retried_until_the_blocker_ends(project, pg_url, monkeypatch):
    monkeypatch.setenv("DBM_LOCK_RETRIES", "50")
    dsn = libpq_url(pg_url)
    blocker = psycopg.connect(dsn)
    blocker.execute("SELECT * FROM accounts").fetchall()  # holds ACCESS SHARE until commit
    outcome: dict = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("result", api.migrate(project, yes=True)))
    runner.start()
    _until(lambda: _waiting_on_accounts(dsn))  # the ALTER is queued behind the blocker ...
    _until(lambda: not _waiting_on_accounts(dsn))  # ... gives up (lock_timeout) while the blocker still holds
    _until(lambda: _waiting_on_accounts(dsn))  # ... and tries again
    blocker.commit()
    blocker.close()
    runner.join(60)
    assert outcome["result"].status == "applied"
    assert "note" in [
        r[0] for r in query(pg_url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts'")
    ]
    assert query(pg_url, "SELECT count(*) FROM accounts WHERE name = 'from-migration'")[0][0] == 1
    assert recorded(pg_url)["20250102000000_note.sql"] == "applied"


@pytest.mark.postgres
def test_never_ending_blocker_fails_cleanly_without_queueing_writers(project, pg_url, monkeypatch):
    monkeypatch.setenv("DBM_LOCK_RETRIES", "3")
    dsn = libpq_url(pg_url)
    blocker = psycopg.connect(dsn)
    blocker.execute("SELECT * FROM accounts").fetchall()
    stop = threading.Event()
    writes: list[int] = []
    errors: list[str] = []

    def writer():
        # A writer that would fail if it were queued behind the migration for longer than 3x its timeout.
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("SET lock_timeout = '900ms'")
            while not stop.is_set():
                try:
                    c.execute("INSERT INTO accounts (name) VALUES ('writer')")
                    writes.append(1)
                except psycopg.errors.LockNotAvailable as exc:
                    errors.append(str(exc))
                time.sleep(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with pytest.raises(MigrationFailed) as err:
            api.migrate(project, yes=True)
    finally:
        stop.set()
        thread.join(30)
        blocker.rollback()
        blocker.close()
    message = err.value.message
    assert "lock timeout" in message and "4 attempts" in message
    assert "ALTER TABLE accounts ADD COLUMN note" in message
    assert "rolled back" in message
    assert errors == [] and len(writes) > 0
    columns = [
        r[0] for r in query(pg_url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts'")
    ]
    assert "note" not in columns
    assert query(pg_url, "SELECT count(*) FROM accounts WHERE name = 'from-migration'")[0][0] == 0
    assert "20250102000000_note.sql" not in recorded(pg_url)


@pytest.mark.mysql
def test_mysql_lock_wait_timeout_is_retried(mysql_url, tmp_path, monkeypatch):
    """MariaDB: the ALTER waits for a metadata lock held by an open transaction, times out after
    lock_wait_timeout, is retried statement by statement, and succeeds once the blocker commits."""
    import pymysql
    from sqlalchemy.engine import make_url

    root = make_project(
        tmp_path / "app",
        mysql_url,
        {"20250101000000_accounts.sql": FIRST.replace("SERIAL PRIMARY KEY", "INT AUTO_INCREMENT PRIMARY KEY")},
    )
    api.migrate(root, yes=True)
    (root / "migrations" / "20250102000000_note.sql").write_text(SECOND)
    monkeypatch.setenv("DBM_LOCK_TIMEOUT", "1")
    monkeypatch.setenv("DBM_LOCK_BACKOFF", "0.1")
    monkeypatch.setenv("DBM_LOCK_RETRIES", "50")
    u = make_url(mysql_url)
    connect = lambda: pymysql.connect(
        host=u.host,
        port=u.port or 3306,
        user=u.username,
        password=u.password or "",  # noqa: E731
        database=u.database,
        autocommit=True,
    )

    def waiting() -> bool:
        with connect() as c, c.cursor() as cur:
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.processlist "
                "WHERE state LIKE 'Waiting for table metadata lock%%' AND info LIKE 'ALTER TABLE accounts%%'"
            )
            return bool(cur.fetchone()[0])

    blocker = connect()
    blocker.begin()
    with blocker.cursor() as cur:
        cur.execute("SELECT * FROM accounts")  # holds a shared metadata lock until commit
    outcome: dict = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("result", api.migrate(root, yes=True)))
    runner.start()
    _until(waiting)
    _until(lambda: not waiting())  # timed out while the blocker still holds ...
    _until(waiting)  # ... and retried
    blocker.commit()
    blocker.close()
    runner.join(60)
    assert outcome["result"].status == "applied"
    assert "note" in [
        r[0]
        for r in query(
            mysql_url,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'accounts' AND table_schema = DATABASE()",
        )
    ]
    assert query(mysql_url, "SELECT count(*) FROM accounts WHERE name = 'from-migration'")[0][0] == 1
    assert recorded(mysql_url)["20250102000000_note.sql"] == "applied"
