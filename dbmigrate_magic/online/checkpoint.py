"""The backfill checkpoint: one row per job in ``dbm_backfill`` holding the last primary key done.

The row is updated in the same transaction as the batch it records, so after any stop (Ctrl-C,
``kill -9``, a lost connection) the database holds either both or neither: a resumed run starts
right after the last committed batch, and no row is updated twice or skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

TABLE = "dbm_backfill"
LOST_TURN = -1  # a batch's rows when another run of the same job moved the checkpoint first: none ran
_CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    job VARCHAR(64) PRIMARY KEY,
    target VARCHAR(255) NOT NULL,
    set_sql TEXT NOT NULL,
    where_sql TEXT,
    last_key TEXT,
    rows_done BIGINT NOT NULL,
    batches BIGINT NOT NULL,
    finished INTEGER NOT NULL,
    updated_at VARCHAR(40) NOT NULL
)"""


def job_id(table: str, set_sql: str, where: str | None) -> str:
    """The same table, SET and WHERE are the same job: running the command again resumes it."""
    return hashlib.sha256(f"{table}\n{set_sql}\n{where or ''}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class State:
    last_key: list[Any] | None
    rows_done: int
    batches: int
    finished: bool


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def ensure(conn: Any, job: str, table: str, set_sql: str, where: str | None) -> State:
    """Create the table and the job's row if needed (committed); the job's state."""
    from sqlalchemy import text

    with conn.begin():
        conn.exec_driver_sql(_CREATE)
    with conn.begin():
        row = conn.execute(text(f"SELECT job FROM {TABLE} WHERE job = :j"), {"j": job}).first()
        if row is None:
            conn.execute(
                text(
                    f"INSERT INTO {TABLE} (job, target, set_sql, where_sql, last_key, rows_done, batches, finished, "
                    "updated_at) VALUES (:j, :t, :s, :w, NULL, 0, 0, 0, :u)"
                ),
                {"j": job, "t": table, "s": set_sql, "w": where, "u": now()},
            )
        return read(conn, job)


def read(conn: Any, job: str, lock_suffix: str = "") -> State:
    """The job's state; with ``lock_suffix`` (`` FOR UPDATE``) inside a transaction, the row stays locked
    until it ends, so two runs of one job take turns batch by batch."""
    from sqlalchemy import text

    row = conn.execute(
        text(f"SELECT last_key, rows_done, batches, finished FROM {TABLE} WHERE job = :j{lock_suffix}"), {"j": job}
    ).one()
    last = json.loads(row[0]) if row[0] else None
    return State(last, int(row[1]), int(row[2]), bool(row[3]))


def record(conn: Any, job: str, last_key: list[Any] | None, rows: int, finished: bool) -> None:
    """Inside the batch's transaction: the batch's last key, its row count, done or not."""
    from sqlalchemy import text

    conn.execute(
        text(
            f"UPDATE {TABLE} SET last_key = :k, rows_done = rows_done + :n, batches = batches + 1, finished = :f, "
            "updated_at = :u WHERE job = :j"
        ),
        {
            "k": json.dumps(last_key, default=str) if last_key is not None else None,
            "n": rows,
            "f": int(finished),
            "u": now(),
            "j": job,
        },
    )
