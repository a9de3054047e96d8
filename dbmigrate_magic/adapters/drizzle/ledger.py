"""``__drizzle_migrations``: read it, and write it exactly as drizzle-orm's migrator does.

drizzle-orm (0.45) creates the table if needed (outside any transaction), then inserts
``(hash, created_at)`` after each migration's statements, with every pending migration in ONE
transaction. We keep that batch (so a failing run leaves nothing behind on PostgreSQL/SQLite),
add the runner lock drizzle lacks (the shared ledger's), and name the statement that failed.
On MySQL DDL auto-commits: each migration's row is written right after its statements.
Rollbacks go through the shared ledger, one transaction per migration.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

from ...dialects import dialect_for
from .._choose import required
from .._tables import read_table
from ..base import PlannedStep, StepOutcome, to_utc
from . import files as files

if TYPE_CHECKING:
    from ...db import Database
    from ...ledger import LedgerStep, Session


class LedgerRow(NamedTuple):
    """One row of the table (a tuple: 2,000 of them are made for every status)."""

    hash: str
    created_at: int | None
    id: int | None = None
    name: str | None = None  # Drizzle 1.0
    applied_at: dt.datetime | None = None  # Drizzle 1.0


#: the columns a row is read from, lowercase (drizzle-orm 1.0 added ``name`` and ``applied_at``)
_COLUMNS = ("hash", "created_at", "id", "name", "applied_at")


class DrizzleLedger:
    def __init__(self, db: Database, table: str = "__drizzle_migrations", schema: str = "drizzle"):
        self.db = db
        self.table = table
        self.kind = dialect_for(db)
        self.schema = schema if self.kind.has_schemas else None

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def _q(self, name: str) -> str:
        return self.kind.quote(name)

    @property
    def qualified(self) -> str:
        return f"{self._q(self.schema)}.{self._q(self.table)}" if self.schema else self._q(self.table)

    # --- reading --------------------------------------------------------------------------
    def read(self) -> list[LedgerRow] | None:
        """Every row, oldest first; None when the table does not exist (nothing is created)."""
        found = read_table(self.db, self.table, schema=self.schema)
        if found is None:
            return None
        spelt = {c.lower(): c for c in found.columns}  # the table's own spelling of each column
        keys = tuple(spelt.get(c, c) for c in _COLUMNS)
        rows = [self._row(r, keys) for r in found]
        rows.sort(key=lambda r: (r.created_at is None, r.created_at or 0, r.id or 0))
        return rows

    @staticmethod
    def _row(rec: dict, keys: tuple[str, ...] = ()) -> LedgerRow:
        """``rec``'s values under ``keys`` (the ``_COLUMNS`` as the table spells them)."""
        hash_, created, id_, name, applied = map(rec.get, keys or _COLUMNS)
        return LedgerRow(
            str(hash_),
            created if type(created) is int else int(float(created)) if created is not None else None,
            id_,
            name,
            to_utc(applied) if applied is not None else None,
        )

    def _read(self, s: Session) -> list[LedgerRow]:
        cur = s.execute(f"SELECT * FROM {self.qualified}")
        names = [d[0].lower() for d in cur.description]
        return [self._row(dict(zip(names, values))) for values in cur.fetchall()]

    def columns(self, s: Session) -> set[str]:
        cur = s.execute(f"SELECT * FROM {self.qualified} WHERE 1 = 0")
        cur.fetchall()
        return {d[0].lower() for d in cur.description}

    # --- writing --------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A ledger session holding the shared runner lock (drizzle-kit has no lock of its own)."""
        from ...ledger import LedgerConfig, Session

        s = Session(self.db, LedgerConfig())
        try:
            with s.runner_lock():
                yield s
        finally:
            s.close()

    def ensure(self, s: Session) -> None:
        """drizzle-orm's own DDL for the table, per dialect."""
        if self.schema:
            s.execute(f"CREATE SCHEMA IF NOT EXISTS {self._q(self.schema)}")
        s.execute(
            required(
                self.kind,
                postgresql=f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n\tid SERIAL PRIMARY KEY,"
                "\n\thash text NOT NULL,\n\tcreated_at bigint\n)",
                mysql=f"create table if not exists {self.qualified} (\n\tid serial primary key,"
                "\n\thash text not null,\n\tcreated_at bigint\n)",
                sqlite=f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n\tid SERIAL PRIMARY KEY,"
                "\n\thash text NOT NULL,\n\tcreated_at numeric\n)",
            )
        )

    def insert(self, s: Session, cols: set[str], hash_: str, when: int, tag: str) -> None:
        names, values = ["hash", "created_at"], [hash_, when]
        if "name" in cols:
            names.append("name")
            values.append(tag)
        if "applied_at" in cols:
            names.append("applied_at")
            values.append(dt.datetime.now(dt.UTC).replace(tzinfo=None))
        s.execute(
            f"INSERT INTO {self.qualified} ({', '.join(self._q(n) for n in names)}) "
            f"VALUES ({', '.join('%s' for _ in names)})",
            values,
        )

    def delete(self, s: Session, hash_: str, when: int) -> int:
        cur = s.execute(f"DELETE FROM {self.qualified} WHERE hash = %s", (hash_,))
        if cur.rowcount:
            return cur.rowcount
        return s.execute(f"DELETE FROM {self.qualified} WHERE created_at = %s", (when,)).rowcount

    def ledger_step(self, step: PlannedStep) -> LedgerStep:
        """drizzle-orm's breakpoint split, then each chunk into single statements (drivers run
        one at a time, and a failure names its line in the file)."""
        from ...ledger import LedgerStep
        from ...sqlsplit import split

        statements, line = [], 1
        for chunk in files.statements_of(step.sql):
            statements.extend(split(chunk, self.db.dialect, line))
            line += chunk.count("\n")
        return LedgerStep(
            step.migration, step.direction, tuple(statements), step.transactional, step.file, dict(step.extra)
        )

    def apply(self, steps: list[PlannedStep], check: Callable[[PlannedStep], None]) -> list[StepOutcome]:
        from ...ledger import describe_failure

        for step in steps:
            check(step)
        if not steps:
            return []
        with self.session() as s:
            self.ensure(s)  # outside the batch's transaction, as drizzle-orm does
            transactional = dialect_for(self.db).transactional_ddl
            if transactional:  # re-check and batch in one transaction (SQLite: this is the lock)
                s.begin()
            cols = self.columns(s)
            done = {r.hash for r in self._read(s)}
            todo = [st for st in steps if st.extra["hash"] not in done]
            outcomes = [
                StepOutcome(st.migration, "up", "skipped", error="already applied by another run")
                for st in steps
                if st.extra["hash"] in done
            ]
            finished: list[StepOutcome] = []
            for i, step in enumerate(todo):
                t0 = time.perf_counter()
                lstep = self.ledger_step(step)
                for index, stmt in enumerate(lstep.statements):
                    try:
                        s.execute(stmt.sql)
                    except Exception as exc:
                        if not s.is_db_error(exc):
                            raise
                        return outcomes + self._failed(
                            s, todo, i, finished, index, describe_failure(lstep, stmt, index, exc), t0
                        )
                self.insert(s, cols, step.extra["hash"], int(step.extra["when"]), step.migration)
                finished.append(
                    StepOutcome(step.migration, "up", "applied", time.perf_counter() - t0, None, len(lstep.statements))
                )
            if transactional:
                s.commit()
            return outcomes + finished

    def _failed(
        self,
        s: Session,
        todo: list[PlannedStep],
        i: int,
        finished: list[StepOutcome],
        index: int,
        error: str,
        t0: float,
    ) -> list[StepOutcome]:
        step = todo[i]
        if dialect_for(self.db).transactional_ddl:
            s.rollback()
            finished = [
                StepOutcome(
                    o.migration,
                    "up",
                    "skipped",
                    o.seconds,
                    f"undone: it ran in the same transaction as {step.migration}, which failed "
                    "(drizzle-orm runs a batch all or nothing)",
                )
                for o in finished
            ]
            error += "\nThe whole batch was rolled back, as drizzle-orm's migrator does: the database is as it was."
        elif index:
            error += (
                f"\nMySQL commits DDL as it runs: statements 1-{index} of {step.migration} stayed applied and "
                f"it is NOT recorded (Drizzle has no failed state). Revert them, or finish by hand and run "
                f"`dbm resolve {step.migration} --applied`."
            )
        failed = StepOutcome(step.migration, "up", "failed", time.perf_counter() - t0, error, index)
        rest = [
            StepOutcome(o.migration, "up", "skipped", error="not run: an earlier migration failed")
            for o in todo[i + 1 :]
        ]
        return finished + [failed] + rest

    def rollback(self, steps: list[PlannedStep]) -> list[StepOutcome]:
        """Each down step in its own transaction with the removal of its row (shared ledger)."""
        from ...ledger import Ledger
        from .downbook import DownBook  # here: the shared ledger is no part of reading the table

        return Ledger(self.db, DownBook(self)).run([self.ledger_step(st) for st in steps])

    def record(self, items: list[tuple[str, int, str]]) -> int:
        """Insert rows for (hash, when, tag) not yet recorded; returns how many were added."""
        with self.session() as s:
            self.ensure(s)
            s.begin()
            cols = self.columns(s)
            have = self._read(s)
            known = {r.hash for r in have} | {r.created_at for r in have}
            added = 0
            for hash_, when, tag in items:
                if hash_ in known or when in known:
                    continue
                self.insert(s, cols, hash_, when, tag)
                added += 1
            s.commit()
            return added

    def forget(self, hash_: str, when: int) -> int:
        if self.read() is None:
            return 0
        with self.session() as s:
            s.begin()
            removed = self.delete(s, hash_, when)
            s.commit()
            return removed
