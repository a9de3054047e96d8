"""Proof: a backup taken while writers commit transactions is one consistent snapshot.

Each writer transaction moves money from an account into a ledger row, so
``sum(accounts.balance) + sum(ledger.amount)`` is constant in every committed state. A
backup that read the two tables at different moments, or saw uncommitted work, breaks it.
"""

from __future__ import annotations

import random
import threading

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ACCOUNTS = 40
START = 1000
TOTAL = ACCOUNTS * START


def _setup(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    blob_type = {"postgresql": "BYTEA", "mysql": "LONGBLOB", "sqlite": "BLOB"}[engine.dialect.name]
    auto = {
        "postgresql": "SERIAL PRIMARY KEY",
        "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
        "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    }[engine.dialect.name]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.execute(text("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)"))
        conn.execute(
            text(f"CREATE TABLE ledger (id {auto}, account INT NOT NULL, amount INT NOT NULL, filler {blob_type})")
        )
        conn.execute(text("INSERT INTO accounts VALUES (:i, :b)"), [{"i": i, "b": START} for i in range(ACCOUNTS)])
        # some bulk so the dump takes a while and overlaps the writers
        conn.execute(
            text("INSERT INTO ledger (account, amount, filler) VALUES (:a, 0, :f)"),
            [{"a": i % ACCOUNTS, "f": random.randbytes(2000)} for i in range(3000)],
        )
    engine.dispose()


def _invariant(url: str) -> tuple[int, int]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        balances = conn.execute(text("SELECT SUM(balance) FROM accounts")).scalar_one()
        moved = conn.execute(text("SELECT SUM(amount) FROM ledger")).scalar_one()
        count = conn.execute(text("SELECT COUNT(*) FROM ledger")).scalar_one()
    engine.dispose()
    return int(balances) + int(moved), int(count)


class Writers:
    """Threads committing transfer transactions until stopped; ``commits`` counts them."""

    def __init__(self, url: str, threads: int = 2):
        self.url, self.stop, self.commits, self.errors = url, threading.Event(), 0, []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _run(self, n: int) -> None:
        engine = create_engine(
            self.url, poolclass=NullPool, connect_args={"timeout": 30} if self.url.startswith("sqlite") else {}
        )
        rng = random.Random(n)
        try:
            with engine.connect() as conn:
                while not self.stop.is_set():
                    account, amount = rng.randrange(1, ACCOUNTS), rng.randrange(1, 20)  # 0 is the half-done one
                    with conn.begin():
                        conn.execute(
                            text("UPDATE accounts SET balance = balance - :m WHERE id = :a"),
                            {"m": amount, "a": account},
                        )
                        conn.execute(
                            text("INSERT INTO ledger (account, amount) VALUES (:a, :m)"), {"a": account, "m": amount}
                        )
                    with self.lock:
                        self.commits += 1
        except Exception as exc:  # surfaced by the test
            self.errors.append(exc)
        finally:
            engine.dispose()

    def __enter__(self):
        for t in self.threads:
            t.start()
        for _ in range(3000):  # wait (bounded) until the writers are really committing
            if self.commits >= 20 or self.errors:
                break
            self.stop.wait(0.01)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def test_backup_under_concurrent_writers_is_consistent(db_url, second_db, tmp_path):
    from dbmigrate_magic import api

    _setup(db_url)
    project = tmp_path / "proj"
    project.mkdir()
    half_done = None
    if not db_url.startswith("sqlite"):
        # a transfer that has debited an account but not yet written its ledger row stays open
        # during the backup: its debit must not be in the backup
        engine = create_engine(db_url, poolclass=NullPool)
        half_done = engine.connect()
        half_done.begin()
        half_done.execute(text("UPDATE accounts SET balance = balance - 500 WHERE id = 0"))
    with Writers(db_url) as writers:
        before = writers.commits
        record = api.backup(project, env=db_url).record
        during = writers.commits - before
    assert not writers.errors, writers.errors
    if half_done is not None:
        half_done.execute(text("INSERT INTO ledger (account, amount) VALUES (0, 500)"))
        half_done.commit()
        half_done.close()
        engine.dispose()
    assert during > 0, "the writers committed nothing while the backup ran: the test proved nothing"

    api.restore(record.name, project, into=second_db, yes=True)
    total, ledger_rows = _invariant(second_db)
    assert total == TOTAL
    final_total, final_rows = _invariant(db_url)
    assert final_total == TOTAL
    assert 3000 < ledger_rows < final_rows  # the snapshot lies strictly between start and end
