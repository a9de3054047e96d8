"""PostgreSQL backfill batches in one round trip each, so a batch's row locks are held only while
the server runs it.

A writer that updates a row of the open batch waits until the batch commits, so everything between
the batch's UPDATE and its COMMIT is a writer's stall. Through SQLAlchemy that is three round trips
(UPDATE, checkpoint, COMMIT), each a few milliseconds on a busy server. Here one message does it
all: BEGIN, lock the checkpoint row, the UPDATE and the checkpoint as one statement (a
data-modifying ``WITH``) that runs only if the checkpoint is still where this run left it (another
run of the same job may have moved it), COMMIT, and then, outside the transaction, the next batch's
upper key. ``synchronous_commit`` is off for this connection: a batch and its checkpoint commit
together, so a batch lost to a crash is lost with its checkpoint and simply done again.
"""

from __future__ import annotations

import json
import time
from typing import Any

from . import checkpoint


class PgBatches:
    """Callable like ``Backfill._batch``: ``(conn, size) -> (rows or None, last, seconds held)``, where
    rows is ``checkpoint.LOST_TURN`` when another run of the job got there first. The size asked for applies
    from the next batch on: this one's upper key came with the last message."""

    def __init__(self, job: Any, last_key: list[Any] | None):
        from psycopg import ClientCursor

        self.job = job
        self._proxy = job.db.raw_connection()
        self.conn = self._proxy.driver_connection
        self.conn.autocommit = True  # BEGIN and COMMIT are in the messages
        self.cur = ClientCursor(self.conn)
        self.cur.execute("SET synchronous_commit = off")
        self.last = last_key
        self.upper: list[Any] | None = _UNKNOWN  # the next batch's last key (None: the rest of the table)

    def close(self) -> None:
        try:
            if not self.conn.closed:
                self.cur.execute("ROLLBACK")  # nothing open unless interrupted mid-batch
                self.cur.execute("RESET synchronous_commit")
        finally:
            self._proxy.close()

    def _lit(self, value: Any) -> str:
        from psycopg import sql

        return sql.Literal(value).as_string(self.conn)

    def _cmp(self, key: list[Any], op: str) -> str:
        keys = self.job._keys_sql()
        return f"({keys}) {op} ({', '.join(self._lit(v) for v in key)})"

    def _upper_sql(self, after: list[Any] | None, size: int) -> str:
        job, keys = self.job, self.job._keys_sql()
        where = self._cmp(after, ">") if after is not None else "1 = 1"
        return f"SELECT {keys} FROM {job.target} WHERE {where} ORDER BY {keys} LIMIT 1 OFFSET {size - 1}"

    def __call__(self, conn: Any, size: int) -> tuple[int | None, bool, float]:
        job, ck = self.job, checkpoint.TABLE
        if self.upper is _UNKNOWN:
            self.upper = self._fetch_upper(self.cur.execute(self._upper_sql(self.last, size)))
        upper = self.upper
        after = self._cmp(self.last, ">") if self.last is not None else "1 = 1"
        below = f" AND {self._cmp(upper, '<=')}" if upper is not None else ""
        where = f" AND ({job.where})" if job.where else ""
        key = upper if upper is not None else self.last
        here = f"job = {self._lit(job.job)} AND finished = 0 AND last_key IS NOT DISTINCT FROM {self._lit(_dumps(self.last))}"
        follow = f"; {self._upper_sql(upper, size)}" if upper is not None else ""
        t0 = time.perf_counter()
        try:
            self.cur.execute(
                f"BEGIN; SELECT last_key, finished FROM {ck} WHERE job = {self._lit(job.job)} FOR UPDATE; "
                f"WITH done AS (UPDATE {job.target} SET {job.set_sql} WHERE {after}{below}{where} "
                f"AND EXISTS (SELECT 1 FROM {ck} WHERE {here}) RETURNING 1) "
                f"UPDATE {ck} SET last_key = {self._lit(_dumps(key))}, "
                "rows_done = rows_done + (SELECT count(*) FROM done), batches = batches + 1, "
                f"finished = {int(upper is None)}, updated_at = {self._lit(checkpoint.now())} "
                f"WHERE {here} RETURNING (SELECT count(*) FROM done); COMMIT{follow}"
            )
            held = time.perf_counter() - t0
            self.cur.nextset()  # past BEGIN
            stored, finished = self.cur.fetchone() or (None, 1)
            self.cur.nextset()
            done = self.cur.fetchone()
            if follow:
                self.cur.nextset()  # COMMIT
                self.cur.nextset()
                self.upper = self._fetch_upper(self.cur)
        except BaseException:
            if not self.conn.closed:
                self.cur.execute("ROLLBACK")
            raise
        if done is None:  # the checkpoint was not where this run left it: nothing ran
            if finished:
                return None, True, 0.0
            self.last = json.loads(stored) if stored else None
            self.upper = _UNKNOWN
            return checkpoint.LOST_TURN, False, 0.0
        self.last = key
        return int(done[0]), upper is None, held

    def _fetch_upper(self, cur: Any) -> list[Any] | None:
        row = cur.fetchone()
        return list(row) if row is not None else None


_UNKNOWN: Any = object()  # the next batch's upper key is not known yet


def _dumps(key: list[Any] | None) -> str | None:
    """The checkpoint's text for a key, exactly as ``checkpoint.record`` writes it."""
    return json.dumps(key, default=str) if key is not None else None
