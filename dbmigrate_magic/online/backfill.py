"""The batched, resumable backfill: ``UPDATE table SET ... [WHERE ...]`` in primary-key order, one
short transaction per batch, so no lock is held for long and replicas keep up.

Batches follow the primary key (keyset pagination: ``(k1, k2) > (last)`` with the batch's upper key
found by ``ORDER BY k LIMIT 1 OFFSET n-1``), so composite and non-integer keys work and gaps cost
nothing. Each batch and its checkpoint commit together (``checkpoint``). At most once a second the
replication lag is read and the run waits while it is above the threshold.

A batch's rows stay locked from its UPDATE to its COMMIT, and a writer updating one of them waits
that long: unless a fixed ``batch_size`` is asked for, the size follows the measured time so that
each batch holds its locks for about ``batch_ms`` (15 ms by default), however fast the server is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..db import short_db_error
from ..dialects import dialect_for
from ..errors import MigrationFailed, UsageProblem
from . import checkpoint

#: how long a batch sized by time may hold its row locks (ms), and its first and largest sizes
TARGET_MS = 15.0
FIRST_BATCH = 200
MIN_BATCH, MAX_BATCH = 50, 50_000
#: seconds between two reads of the replication lag
LAG_EVERY = 1.0


def next_size(size: int, seconds: float, target: float) -> int:
    """The next batch size after ``size`` keys took ``seconds``: the measured rate times the target,
    at most doubling or halving per batch (one slow batch, e.g. during a server checkpoint, does not
    collapse the size). Keys, not rows updated, are counted: a --where may skip most of a range."""
    if seconds <= 0:  # nothing was measured (the batch was not run)
        return size
    want = int(size / seconds * target)
    return max(MIN_BATCH, min(MAX_BATCH, size * 2, max(size // 2, want)))


@dataclass(frozen=True)
class Progress:
    rows_done: int  # this run
    rows_total: int  # rows this run expected (counted at its start)
    batches: int
    seconds: float
    waiting_for_lag: float | None = None

    @property
    def rate(self) -> float:
        return self.rows_done / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        left = max(self.rows_total - self.rows_done, 0)
        return left / self.rate if self.rate > 0 else None

    def text(self) -> str:
        eta = f"{self.eta:.0f} s" if self.eta is not None else "?"
        lag = f", waiting: replicas {self.waiting_for_lag:.1f} s behind" if self.waiting_for_lag is not None else ""
        return (
            f"{self.rows_done}/{self.rows_total} rows, {self.batches} batches, {self.rate:.0f} rows/s, ETA {eta}{lag}"
        )


@dataclass(frozen=True)
class Report:
    table: str
    status: str  # done, stopped, dry run, already done
    rows_done: int  # this run
    rows_before: int  # done by earlier runs of the same job (resumed)
    batches: int
    seconds: float
    rows_total: int
    batch_size: int  # 0: sized by time
    batch_ms: float = TARGET_MS
    #: keys left to walk (dry run): batches cover key ranges, so with --where they outnumber the rows
    keys_total: int | None = None

    def text(self) -> str:
        rate = f"{self.rows_done / self.seconds:.0f} rows/s" if self.seconds > 0 else "-"
        resumed = f" (resumed after {self.rows_before} rows done earlier)" if self.rows_before else ""
        if self.status == "dry run":
            if not self.batch_size:
                return (
                    f"Dry run: {self.rows_total} row(s) of {self.table} left to update{resumed}, in batches sized "
                    f"to hold their row locks about {self.batch_ms:g} ms each."
                )
            keys = self.rows_total if self.keys_total is None else self.keys_total
            n = math.ceil(keys / self.batch_size) if self.rows_total else 0
            return (
                f"Dry run: {self.rows_total} row(s) of {self.table} left to update{resumed}, in about {n} batch(es) "
                f"of {self.batch_size}."
            )
        if self.status == "already done":
            return f"This backfill of {self.table} already finished ({self.rows_before} rows): nothing to do."
        if self.status == "stopped":
            return (
                f"Stopped after {self.rows_done} row(s) in {self.batches} batch(es){resumed}; the batch in progress was "
                "rolled back and the checkpoint kept. Run the same command again to resume."
            )
        return f"Updated {self.rows_done} row(s) of {self.table} in {self.batches} batch(es), {rate}{resumed}."


def _split(table: str, kind: Any) -> tuple[str | None, str]:
    """(schema, name) of ``table``: ``schema.table`` as typed, or quoted as SQL writes it (``"Orders"``,
    ``shop."Order Lines"``, MySQL backticks), which is how a plan prints a name that needs quoting."""
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        parsed = exp.to_table(table, dialect=kind.sqlglot_name)
    except ParseError:
        raise UsageProblem(
            f"{table!r} is not a table name.", next_step="Give the table as NAME or SCHEMA.NAME."
        ) from None
    return (parsed.db or None), parsed.name


def _database_errors() -> tuple[type[BaseException], ...]:
    """What a driver raises for a statement the server rejected (PostgreSQL batches run on psycopg's
    own cursor, not through SQLAlchemy)."""
    from sqlalchemy.exc import DBAPIError

    try:
        import psycopg
    except ImportError:
        return (DBAPIError,)
    return (DBAPIError, psycopg.Error)


def primary_key(db: Any, table: str) -> list[str]:
    """The table's primary-key columns (SQLAlchemy's inspector); refused when it has none."""
    from sqlalchemy import inspect

    schema, name = _split(table, dialect_for(db))
    insp = inspect(db.engine)
    if not insp.has_table(name, schema=schema):
        raise UsageProblem(
            f"There is no table {table}.",
            unchanged="Nothing was updated.",
            next_step="Check the name (schema.table), or pass --env for the right database.",
        )
    cols = insp.get_pk_constraint(name, schema=schema).get("constrained_columns") or []
    if not cols:
        raise UsageProblem(
            f"{table} has no primary key, so its rows cannot be walked in batches that resume exactly.",
            unchanged="Nothing was updated.",
            next_step="Add a primary key (or a unique NOT NULL key made the primary key) first.",
        )
    return list(cols)


class Backfill:
    """One backfill job on ``db``: ``run()`` or ``dry_run()``."""

    def __init__(
        self,
        db: Any,
        table: str,
        set_sql: str,
        where: str | None = None,
        batch_size: int = 0,
        sleep_ms: float = 0,
        max_lag: float = 10.0,
        on_progress: Callable[[Progress], None] | None = None,
        batch_ms: float = TARGET_MS,
    ):
        if batch_size < 0:
            raise UsageProblem(
                "--batch-size must be 1 or more (or 0: sized by time).", next_step="e.g. --batch-size 1000."
            )
        if batch_ms <= 0:
            raise UsageProblem("--batch-ms must be more than 0.", next_step="e.g. --batch-ms 10.")
        if not set_sql.strip():
            raise UsageProblem("--set needs an assignment.", next_step='e.g. --set "email_lower = lower(email)".')
        self.db, self.table, self.set_sql, self.where = db, table, set_sql.strip(), (where or "").strip() or None
        self.batch_size, self.sleep, self.max_lag = batch_size, sleep_ms / 1000.0, max_lag
        self.batch_ms = batch_ms
        self.on_progress = on_progress
        self.kind = dialect_for(db)
        self.keys = primary_key(db, table)
        self.job = checkpoint.job_id(table, self.set_sql, self.where)
        schema, name = _split(table, self.kind)
        self.target = (f"{self.kind.quote(schema)}." if schema else "") + self.kind.quote(name)
        self.stop_requested = False

    def check(self) -> None:
        """The server parses and plans the UPDATE (EXPLAIN: no row is read or changed), so a mistyped
        --set or --where is refused before the first batch rather than failing in it. (Not at
        construction: a plan's backfill is built before the step that adds its column has run.)"""
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        where = f" WHERE ({self.where})" if self.where else ""
        statement = f"UPDATE {self.target} SET {self.set_sql}{where}"
        if len(self.kind.statement_spans(statement)) != 1:  # nothing may run besides the one UPDATE
            raise UsageProblem(
                f"--set and --where must make one UPDATE statement, and `{statement}` is several.",
                unchanged="Nothing was updated.",
                next_step="Remove the `;` and what follows it: run other statements as a migration.",
            )
        try:
            with self.db.connect() as conn, conn.begin() as tx:
                conn.execute(text(f"EXPLAIN {statement}"))
                tx.rollback()
        except DBAPIError as exc:
            raise UsageProblem(
                f"The database rejects this backfill's update ({statement}): {short_db_error(exc)}",
                unchanged="Nothing was updated.",
                next_step="Fix the --set assignment (column = expression) or the --where condition, then run again.",
            ) from None

    # --- SQL ----------------------------------------------------------------------------------
    def _keys_sql(self) -> str:
        return ", ".join(self.kind.quote(k) for k in self.keys)

    def _after(self, last: list[Any] | None, prefix: str = "lo") -> tuple[str, dict[str, Any]]:
        if last is None:
            return "1 = 1", {}
        names = [f"{prefix}{i}" for i in range(len(self.keys))]
        return f"({self._keys_sql()}) > ({', '.join(':' + n for n in names)})", dict(zip(names, last))

    def update_sql(self) -> str:
        """The statement each batch runs (shown in the preview; batch_start/batch_end stand for the keys)."""
        where = f" AND ({self.where})" if self.where else ""
        keys = self._keys_sql()
        n = len(self.keys)
        start = ", ".join(["batch_start"] * n)
        end = ", ".join(["batch_end"] * n)
        size = f"of {self.batch_size} rows" if self.batch_size else f"sized to take about {self.batch_ms:g} ms"
        return (
            f"-- each batch {size}, in primary-key order, commits with its checkpoint\n"
            f"UPDATE {self.target} SET {self.set_sql} WHERE ({keys}) > ({start}) AND ({keys}) <= ({end}){where}"
        )

    def count(self, conn: Any, last: list[Any] | None, keys: bool = False) -> int:
        """Rows left to update after ``last``; ``keys``: every key left, as the batches walk them."""
        from sqlalchemy import text

        after, params = self._after(last)
        where = f" AND ({self.where})" if self.where and not keys else ""
        return int(conn.execute(text(f"SELECT count(*) FROM {self.target} WHERE {after}{where}"), params).scalar())

    # --- running ------------------------------------------------------------------------------
    def dry_run(self) -> Report:
        """Rows and batches left, read only (an earlier run's checkpoint is honoured if there is one)."""
        from sqlalchemy import inspect

        with self.db.connect() as conn:
            state = None
            if inspect(conn).has_table(checkpoint.TABLE):
                found = conn.exec_driver_sql(f"SELECT count(*) FROM {checkpoint.TABLE}").scalar()
                state = checkpoint.read(conn, self.job) if found and self._has_job(conn) else None
            last = state.last_key if state else None
            total = 0 if state and state.finished else self.count(conn, last)
            keys = self.count(conn, last, keys=True) if total and self.where else None
        before = state.rows_done if state else 0
        return Report(self.table, "dry run", 0, before, 0, 0.0, total, self.batch_size, self.batch_ms, keys)

    def _has_job(self, conn: Any) -> bool:
        from sqlalchemy import text

        sql = f"SELECT 1 FROM {checkpoint.TABLE} WHERE job = :j"
        return conn.execute(text(sql), {"j": self.job}).first() is not None

    def _wait_for_replicas(self, conn: Any, done: Progress) -> None:
        while not self.stop_requested:
            with conn.begin():
                lag = self.kind.replication_lag(conn)
            if lag is None or lag <= self.max_lag:
                return
            if self.on_progress:
                self.on_progress(Progress(done.rows_done, done.rows_total, done.batches, done.seconds, lag))
            time.sleep(min(5.0, max(0.5, lag / 4)))

    def run(self) -> Report:
        """Batch after batch until the key range is done; Ctrl-C stops after rolling back the open batch."""
        self.check()
        with self.db.connect() as conn:
            state = checkpoint.ensure(conn, self.job, self.table, self.set_sql, self.where)
            if state.finished:
                return Report(self.table, "already done", 0, state.rows_done, 0, 0.0, 0, self.batch_size)
            with conn.begin():
                total = self.count(conn, state.last_key)
            before, rows, batches, start = state.rows_done, 0, 0, time.perf_counter()
            size, lag_read = self.batch_size or FIRST_BATCH, 0.0
            pg = None
            if self.kind.one_message_backfill:  # two round trips a batch, its locks held for one
                from .backfill_pg import PgBatches

                pg = PgBatches(self, state.last_key)
            batch = pg or self._batch
            try:
                while not self.stop_requested:
                    now = time.perf_counter()
                    if now - lag_read >= LAG_EVERY:
                        self._wait_for_replicas(conn, Progress(rows, total, batches, now - start))
                        lag_read = time.perf_counter()
                    done, last, held = batch(conn, size)
                    if done is None:  # an earlier run (or another runner) finished the job
                        break
                    if done == checkpoint.LOST_TURN:  # another run moved the checkpoint: go again from there at
                        continue  # once, while that run sleeps, so the two take turns
                    rows += done
                    batches += 1
                    if not self.batch_size and not last:
                        size = next_size(size, held, self.batch_ms / 1000.0)
                    if self.on_progress:
                        self.on_progress(Progress(rows, total, batches, time.perf_counter() - start))
                    if last:
                        break
                    if self.sleep:
                        time.sleep(self.sleep)
            except KeyboardInterrupt:  # the open batch was rolled back by conn.begin()'s exit
                self.stop_requested = True
            except _database_errors() as exc:  # a batch the server rejected (a value the expression cannot take)
                raise MigrationFailed(
                    f"The backfill of {self.table} stopped: the database rejected a batch: {short_db_error(exc)}",
                    unchanged=f"That batch was rolled back. The {before + rows} row(s) of the batches committed "
                    "before it stay updated, and the checkpoint keeps its place.",
                    next_step="Fix what the database reports, then run the same command again: it resumes at the "
                    "failing batch (a different --set or --where is a new job that starts from the first row).",
                ) from None
            finally:
                if pg is not None:
                    pg.close()
            status = "stopped" if self.stop_requested else "done"
            return Report(
                self.table, status, rows, before, batches, time.perf_counter() - start, total, self.batch_size
            )

    def _batch(self, conn: Any, size: int) -> tuple[int | None, bool, float]:
        """One batch of ``size`` rows with its checkpoint, in one transaction: (rows updated or None
        when the job was already finished, whether it was the last, seconds its row locks were held)."""
        from sqlalchemy import text

        keys = self._keys_sql()
        where = f" AND ({self.where})" if self.where else ""
        with conn.begin():
            state = checkpoint.read(conn, self.job, self.kind.row_lock_suffix)
            if state.finished:
                return None, True, 0.0
            after, params = self._after(state.last_key)
            upper_row = conn.execute(
                text(f"SELECT {keys} FROM {self.target} WHERE {after} ORDER BY {keys} LIMIT 1 OFFSET {size - 1}"),
                params,
            ).first()
            t0 = time.perf_counter()  # the batch's row locks are taken from here to COMMIT
            if upper_row is None:  # the last batch: everything after the checkpoint
                done = conn.execute(text(f"UPDATE {self.target} SET {self.set_sql} WHERE {after}{where}"), params)
                checkpoint.record(conn, self.job, state.last_key, done.rowcount, True)
            else:
                upper = list(upper_row)
                below, more = self._after(upper, "hi")
                below = below.replace(") > (", ") <= (", 1)
                sql = f"UPDATE {self.target} SET {self.set_sql} WHERE {after} AND {below}{where}"
                done = conn.execute(text(sql), {**params, **more})
                checkpoint.record(conn, self.job, upper, done.rowcount, False)
        return max(done.rowcount, 0), upper_row is None, time.perf_counter() - t0
