"""Tool-neutral tracking-table mechanics: one runner per database, one transaction per migration,
lock timeouts with bounded retries, and precise failure reports.

A tool supplies its own bookkeeping (what to write in *its* table) as a ``Bookkeeping`` object;
this module decides when that runs: in the migration's own transaction on PostgreSQL and SQLite,
and as started -> progress -> finished/failed records on MySQL/MariaDB, where DDL auto-commits.

Runner lock: PostgreSQL session advisory lock (key configurable, e.g. Prisma's 72707369), MySQL
``GET_LOCK`` (name configurable), SQLite ``BEGIN IMMEDIATE`` per migration with a busy timeout plus a
re-check inside the transaction. Everything runs on one raw DBAPI connection (no per-step reflection).
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from . import progress
from .adapters.base import StepOutcome
from .dialects import dialect_for
from .errors import LockBusy
from .lockwatch import LockWatch
from .masking import mask
from .sqlite_fk import FkHoist, fk_hoist
from .sqlsplit import Statement

#: advisory lock key / GET_LOCK name used by our own raw SQL runner
DEFAULT_PG_LOCK_KEY = 727_001_001
DEFAULT_MYSQL_LOCK_NAME = "dbmigrate_magic"


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


@dataclass(frozen=True)
class LedgerConfig:
    """Locks and timeouts; defaults can be overridden by ``DBM_*`` environment variables."""

    pg_lock_key: int = DEFAULT_PG_LOCK_KEY
    mysql_lock_name: str = DEFAULT_MYSQL_LOCK_NAME
    #: how long a second runner waits for the first before reporting a run in progress
    runner_wait: float = field(default_factory=lambda: _env_float("DBM_RUNNER_WAIT", 120.0))
    #: PostgreSQL lock_timeout / MySQL lock_wait_timeout for migration statements (seconds)
    lock_timeout: float = field(default_factory=lambda: _env_float("DBM_LOCK_TIMEOUT", 5.0))
    #: PostgreSQL statement_timeout for migration statements (seconds; 0 = none)
    statement_timeout: float = field(default_factory=lambda: _env_float("DBM_STATEMENT_TIMEOUT", 900.0))
    #: attempts after a lock timeout (so up to 1 + lock_retries tries), with doubling backoff
    lock_retries: int = field(default_factory=lambda: int(_env_float("DBM_LOCK_RETRIES", 4)))
    backoff: float = field(default_factory=lambda: _env_float("DBM_LOCK_BACKOFF", 0.5))
    backoff_max: float = 8.0
    #: SQLite busy timeout (seconds) for BEGIN IMMEDIATE
    sqlite_busy: float = field(default_factory=lambda: _env_float("DBM_SQLITE_BUSY", 30.0))


@dataclass(frozen=True)
class LedgerStep:
    """One migration (or its reversal) as the ledger runs it."""

    id: str
    direction: str  # up or down
    statements: tuple[Statement, ...]
    transactional: bool
    file: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # for the tool's bookkeeping (checksum, ...)


class Bookkeeping(ABC):
    """What a tool writes in its own tracking table. ``s`` is the ledger's ``Session``.

    Each tool's book subclasses this: the abstract methods are required, the rest are optional
    hooks whose defaults say "nothing to do"."""

    #: inside a step's transaction the book only writes (never reads a result of ``execute``), so on
    #: PostgreSQL the whole transaction can go to the server as one message
    batchable: ClassVar[bool] = False

    @abstractmethod
    def prepare(self, s: Session) -> list[str]:
        """Create/upgrade the table if needed (runs under the runner lock); returns notes."""

    @abstractmethod
    def is_done(self, s: Session, step: LedgerStep) -> bool:
        """Whether ``step`` already took effect (up: recorded applied; down: no longer recorded)."""

    @abstractmethod
    def finished(self, s: Session, step: LedgerStep, seconds: float) -> None:
        """Record success; on transactional dialects this runs inside the migration's transaction."""

    @abstractmethod
    def started(self, s: Session, step: LedgerStep) -> None:
        """Non-transactional only: record that the step began (visible if it never finishes)."""

    @abstractmethod
    def progressed(self, s: Session, step: LedgerStep, statements_run: int) -> None:
        """Non-transactional only: after each statement."""

    @abstractmethod
    def failed(self, s: Session, step: LedgerStep, statements_run: int, error: str) -> None:
        """Non-transactional only: leave the step ``failed`` with the error."""

    def committed(self, s: Session, step: LedgerStep) -> None:
        """Runs after the step's changes are durable (cache upkeep); nothing by default."""
        return None


class LockTimeout(Exception):
    """A statement gave up waiting for a lock (lock_timeout / lock_wait_timeout / busy)."""


class Session:
    """One raw DBAPI connection in autocommit mode, with explicit transactions."""

    def __init__(self, db, config: LedgerConfig):
        self.db = db
        self.dialect = db.dialect
        self.kind = dialect_for(db.dialect)
        self.config = config
        self._proxy = db.raw_connection()  # ConnectionFailed, never the driver's own exception
        self.conn = getattr(self._proxy, "driver_connection", None) or self._proxy.dbapi_connection
        self.in_tx = False
        self.kind.set_autocommit(self.conn)  # we issue BEGIN/COMMIT ourselves
        self.cur = self.conn.cursor()
        for setting in self.kind.session_settings(config):  # lock and statement timeouts
            self.execute(setting)

    # --- statements ---------------------------------------------------------------------------
    #: PostgreSQL: a migration's BEGIN, statements, bookkeeping and COMMIT go to the server as ONE
    #: simple-query message (one round trip instead of one per statement). Set by the ledger.
    batching: bool = False
    _buffer: list[str] | None = None

    #: when the statement now on the server was sent (None between statements): the lock watcher reads it
    running_since: float | None = None

    def execute(self, sql: str, params: tuple | list | None = None) -> Any:
        if self._buffer is not None:
            self._buffer.append(self._render(sql, params) if params is not None else sql)
            return self.cur
        if params is not None:
            sql = self.kind.positional(sql)
        self.running_since = time.monotonic()
        try:
            if params is None:
                self.cur.execute(sql)
            else:
                self.cur.execute(sql, tuple(params))
        finally:
            self.running_since = None
        return self.cur

    def _render(self, sql: str, params: tuple | list) -> str:
        """Bind parameters client-side (the driver's own quoting) for a batched message."""
        import psycopg

        return psycopg.ClientCursor(self.conn).mogrify(sql, tuple(params))

    def flush(self) -> None:
        """Send what a batched transaction has collected so far, as one message."""
        if self._buffer:
            text, self._buffer = ";\n".join(self._buffer), []
            self.running_since = time.monotonic()
            try:
                self.cur.execute(text)
            finally:
                self.running_since = None

    def query(self, sql: str, params: tuple | list | None = None) -> list[tuple]:
        self.flush()
        if self._buffer is not None:  # a read inside a batched transaction runs now
            buffer, self._buffer = self._buffer, None
            try:
                return list(self.execute(sql, params).fetchall())
            finally:
                self._buffer = buffer
        return list(self.execute(sql, params).fetchall())

    def begin(self) -> None:
        if self.batching and self.kind.batches_transactions:
            self._buffer = [self.kind.begin_sql]
        else:
            self.execute(self.kind.begin_sql)
        self.in_tx = True

    def commit(self) -> None:
        if self._buffer is not None:
            self._buffer.append("COMMIT")
            try:
                self.flush()
            finally:
                self._buffer = None
        else:
            self.execute("COMMIT")
        self.in_tx = False

    def rollback(self) -> None:
        self._buffer = None
        try:
            self.execute("ROLLBACK")
        except Exception:
            pass
        self.in_tx = False

    def close(self) -> None:
        try:
            if self.in_tx:
                self.rollback()
        finally:
            self._proxy.close()

    # --- runner lock ----------------------------------------------------------------------------
    def runner_lock(self) -> AbstractContextManager[None]:
        """Hold the database-wide runner lock (the dialect's); wait up to ``runner_wait`` for another runner."""
        return self.kind.runner_lock(self)

    def busy(self) -> LockBusy:
        return LockBusy(
            f"Another migration run holds the lock on {self.db.masked_url}; waited {self.config.runner_wait:.0f}s.",
            next_step="Wait for it to finish and run `dbm status`, then run the command again "
            "(DBM_RUNNER_WAIT sets how long to wait).",
        )

    # --- errors -----------------------------------------------------------------------------------
    def is_lock_timeout(self, exc: BaseException) -> bool:
        return self.kind.is_lock_timeout(exc)

    def is_db_error(self, exc: BaseException) -> bool:
        module = type(exc).__module__ or ""
        return module.split(".")[0] in ("psycopg", "pymysql", "sqlite3") or type(exc).__name__ in (
            "OperationalError",
            "ProgrammingError",
            "IntegrityError",
            "DatabaseError",
            "InternalError",
            "DataError",
            "NotSupportedError",
        )


def db_message(exc: BaseException) -> str:
    """The database's own message, masked, without driver boilerplate."""
    args: tuple[object, ...] = getattr(exc, "args", ())
    if len(args) == 2 and isinstance(args[0], int):  # pymysql: (errno, message)
        text = f"({args[0]}) {args[1]}"
    else:
        text = str(exc)
    return mask(text.strip())


def foreign_key_violations(s: Session, limit: int = 10) -> str:
    """SQLite's ``PRAGMA foreign_key_check``, one line per violating row (table, rowid, columns,
    parent); empty when every foreign key holds."""
    from .dialects.quoting import sqlite_quote as quote_ident

    rows = s.query("PRAGMA foreign_key_check")
    lines = []
    for table, rowid, parent, fkid in rows[:limit]:
        cols = [(r[3], r[4]) for r in s.query(f"PRAGMA foreign_key_list({quote_ident(table)})") if r[0] == fkid]
        frm = ", ".join(c[0] for c in cols)
        to = ", ".join(c[1] or "?" for c in cols)
        row = f"rowid {rowid}" if rowid is not None else "a WITHOUT ROWID row"
        lines.append(f"    {table} {row}: {table}({frm}) -> {parent}({to}) has no matching row")
    if len(rows) > limit:
        lines.append(f"    ... and {len(rows) - limit} more (run PRAGMA foreign_key_check to list them all)")
    return "\n".join(lines)


def describe_failure(step: LedgerStep, stmt: Statement, index: int, exc: BaseException) -> str:
    where = f"line {stmt.line} of {step.file}" if step.file else f"line {stmt.line}"
    snippet = stmt.sql if len(stmt.sql) <= 400 else stmt.sql[:400] + " ..."
    return (
        f"statement {index + 1} of {len(step.statements)} ({where}) failed:\n    {snippet}\n"
        f"Database said: {db_message(exc)}"
    )


class Ledger:
    """Runs steps with a tool's ``Bookkeeping``; see the module docstring for the guarantees."""

    def __init__(
        self, db, book: Bookkeeping, config: LedgerConfig | None = None, sleep: Callable[[float], None] = time.sleep
    ):
        self.db = db
        self.book = book
        self.config = config or LedgerConfig()
        self.sleep = sleep
        self.notes: list[str] = []
        self.clock = progress.Clock(0)  # the run's step counter and elapsed time (``run`` sets it)
        self.watch: LockWatch | None = None

    def run(self, steps: list[LedgerStep]) -> list[StepOutcome]:
        """Run ``steps`` in order under the runner lock; stop at the first failure."""
        session = Session(self.db, self.config)
        outcomes: list[StepOutcome] = []
        # a step may switch SQLite's foreign keys (see _run_one_tx); the pooled connection goes back as it came
        fk_setting = session.query("PRAGMA foreign_keys")[0][0] if session.kind.hoists_fk_pragmas else None
        clock = self.clock = progress.Clock(len(steps))
        try:
            with session.runner_lock(), LockWatch(session, clock) as self.watch:
                before = table_names(session)
                self.notes.extend(self.book.prepare(session))
                for number, step in enumerate(steps, 1):
                    clock.start(number, step.id)
                    outcome = (
                        self._run_transactional(session, step)
                        if step.transactional
                        else self._run_autocommit(session, step)
                    )
                    clock.event("done", state=outcome.state)
                    outcomes.append(outcome)
                    if outcome.state == "failed":
                        break
                if _nothing_took_effect(outcomes):
                    drop_tables(session, table_names(session) - before)
        finally:
            if fk_setting is not None and not session.in_tx:
                session.execute(f"PRAGMA foreign_keys = {fk_setting}")
            session.close()
        return outcomes

    def _blocked(self, s: Session, exc: BaseException) -> str | None:
        """For a lock timeout: who held the lock, as the watcher last saw it (None: not a lock timeout)."""
        if not s.is_lock_timeout(exc):
            return None
        return (self.watch.reported if self.watch is not None else "") or "another session"

    def _retrying(self, attempt: int) -> None:
        self.clock.event(
            "retry",
            detail=f"lock timeout ({self.config.lock_timeout:g}s); try {attempt + 2} of "
            f"{self.config.lock_retries + 1} in {self._backoff(attempt):g}s",
        )

    def _backoff(self, attempt: int) -> float:
        return min(self.config.backoff * (2**attempt), self.config.backoff_max)

    # --- PostgreSQL / SQLite: one transaction per migration, tracking row inside it -------------------
    def _run_transactional(self, s: Session, step: LedgerStep) -> StepOutcome:
        if not s.kind.batches_transactions or not self.book.batchable:
            return self._run_one_tx(s, step)
        s.batching = True  # one round trip per migration
        try:
            outcome = self._run_one_tx(s, step)
        finally:
            batched_failure, s.batching = s.batching, False
        if outcome.state == "failed" and batched_failure:
            # the batch failed somewhere inside: run it again statement by statement (its own transaction,
            # rolled back again on failure) so the error names the exact statement and line
            return self._run_one_tx(s, step)
        return outcome

    def _run_one_tx(self, s: Session, step: LedgerStep) -> StepOutcome:
        """SQLite: a leading ``PRAGMA foreign_keys = OFF`` runs before BEGIN and a trailing ``= ON``
        after COMMIT (inside the transaction they would do nothing: see ``sqlite_fk``); foreign keys
        are checked before COMMIT, and the connection's own setting comes back when the step fails."""
        hoist = fk_hoist(step.statements) if s.kind.hoists_fk_pragmas else FkHoist()
        if not hoist.active:
            return self._one_tx(s, step, hoist)
        previous = s.query("PRAGMA foreign_keys")[0][0]
        outcome = None
        try:
            if hoist.before is not None:
                s.execute(step.statements[hoist.before].sql)
            outcome = self._one_tx(s, step, hoist)
        finally:
            if outcome is not None and outcome.state in ("applied", "rolled_back") and hoist.after is not None:
                s.execute(step.statements[hoist.after].sql)
            else:
                s.execute(f"PRAGMA foreign_keys = {1 if previous else 0}")
        return outcome

    def _one_tx(self, s: Session, step: LedgerStep, hoist: FkHoist) -> StepOutcome:
        done_state = "applied" if step.direction == "up" else "rolled_back"
        outside = hoist.hoisted()
        attempt = 0
        while True:
            t0 = time.perf_counter()
            index = -1
            try:
                s.begin()
                if self.book.is_done(s, step):  # another runner got here first
                    s.rollback()
                    return StepOutcome(step.id, step.direction, "skipped", 0.0, None, 0)
                for index, stmt in enumerate(step.statements):
                    if index not in outside:
                        s.execute(stmt.sql)
                index = len(step.statements)
                if hoist.switches_off:
                    broken = foreign_key_violations(s)
                    if broken:
                        s.rollback()
                        return StepOutcome(
                            step.id,
                            step.direction,
                            "failed",
                            time.perf_counter() - t0,
                            f"{step.file or step.id} ran with foreign keys off and left rows that "
                            f"break a foreign key (PRAGMA foreign_key_check before COMMIT):\n"
                            f"{broken}\nInsert the missing parent rows (in this migration, before "
                            "the rebuild) or delete the orphans, or change the foreign key.",
                            0,
                        )
                self.book.finished(s, step, time.perf_counter() - t0)
                s.commit()
                self.book.committed(s, step)
                return StepOutcome(
                    step.id, step.direction, done_state, time.perf_counter() - t0, None, len(step.statements)
                )
            except Exception as exc:
                s.rollback()
                if not s.is_db_error(exc):
                    raise
                if s.is_lock_timeout(exc) and attempt < self.config.lock_retries:
                    s.batching = False  # retries go statement by statement, so a final failure is precise
                    self._retrying(attempt)
                    self.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                return StepOutcome(
                    step.id,
                    step.direction,
                    "failed",
                    time.perf_counter() - t0,
                    self._error(step, index, exc, attempt),
                    0,
                    self._blocked(s, exc),
                )

    def _error(self, step: LedgerStep, index: int, exc: BaseException, attempts: int) -> str:
        if 0 <= index < len(step.statements):
            text = describe_failure(step, step.statements[index], index, exc)
        else:
            text = f"recording it in the tracking table failed: {db_message(exc)}"
        if attempts:
            text += f"\n(gave up after {attempts + 1} attempts on lock timeouts)"
        return text

    # --- MySQL/MariaDB: DDL auto-commits; started -> per-statement progress -> finished/failed --------
    def _run_autocommit(self, s: Session, step: LedgerStep) -> StepOutcome:
        done_state = "applied" if step.direction == "up" else "rolled_back"
        if self.book.is_done(s, step):
            return StepOutcome(step.id, step.direction, "skipped", 0.0, None, 0)
        t0 = time.perf_counter()
        self.book.started(s, step)
        for index, stmt in enumerate(step.statements):
            attempt = 0
            while True:
                try:
                    s.execute(stmt.sql)
                    break
                except Exception as exc:
                    if not s.is_db_error(exc):
                        self.book.failed(s, step, index, f"interrupted: {type(exc).__name__}")
                        raise
                    if s.is_lock_timeout(exc) and attempt < self.config.lock_retries:
                        self._retrying(attempt)
                        self.sleep(self._backoff(attempt))
                        attempt += 1
                        continue
                    error = self._error(step, index, exc, attempt)
                    self.book.failed(s, step, index, error)
                    return StepOutcome(
                        step.id, step.direction, "failed", time.perf_counter() - t0, error, index, self._blocked(s, exc)
                    )
            self.book.progressed(s, step, index + 1)
        self.book.finished(s, step, time.perf_counter() - t0)
        self.book.committed(s, step)
        return StepOutcome(step.id, step.direction, done_state, time.perf_counter() - t0, None, len(step.statements))


def _nothing_took_effect(outcomes: list[StepOutcome]) -> bool:
    """A first migration that failed before changing anything: the tracking table this run created
    would only record a failure that left no trace, so it goes too."""
    return bool(outcomes) and all(o.state == "failed" and not o.statements_run for o in outcomes)


def table_names(s: Session) -> set[tuple[str, str]]:
    """(schema, table) of every table the connection's user sees (not the system catalogs)."""
    return {(r[0], r[1]) for r in s.query(dialect_for(s).user_tables_sql)}


def drop_tables(s: Session, tables: set[tuple[str, str]]) -> None:
    dialect = dialect_for(s)
    for schema, table in sorted(tables):
        s.execute("DROP TABLE " + ".".join(dialect.quote(n) for n in (schema, table) if n))
