"""``__drizzle_migrations``: read it, and write it exactly as drizzle-orm's migrator does.

drizzle-orm (0.45) creates the table if needed, then inserts ``(hash, created_at)`` after each
migration's statements, with every pending migration in ONE transaction. We keep that (so a
failing run leaves nothing behind on PostgreSQL/SQLite), take a lock drizzle lacks, and name
the statement that failed. On MySQL DDL auto-commits: statements before a failure stay.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from . import _drizzle_files as files
from ._native import Session, StatementFailed, session, split_statements
from .base import PlannedStep, StepOutcome, to_utc

if TYPE_CHECKING:
    from ..db import Database

#: drizzle-kit takes no lock; ours (PostgreSQL advisory key "DRZL", MySQL GET_LOCK name)
LOCK_KEY = 0x44525A4C
LOCK_NAME = "drizzle_migrate"


@dataclass(frozen=True)
class LedgerRow:
    hash: str
    created_at: int | None
    id: int | None = None
    name: str | None = None  # Drizzle 1.0
    applied_at: dt.datetime | None = None  # Drizzle 1.0


class DrizzleLedger:
    def __init__(self, db: "Database", table: str = "__drizzle_migrations", schema: str = "drizzle"):
        self.db = db
        self.table = table
        self.schema = schema if db.dialect == "postgresql" else None

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def _q(self, name: str) -> str:
        return f"`{name}`" if self.db.dialect == "mysql" else '"' + name.replace('"', '""') + '"'

    @property
    def qualified(self) -> str:
        return f"{self._q(self.schema)}.{self._q(self.table)}" if self.schema else self._q(self.table)

    # --- reading --------------------------------------------------------------------------
    def exists(self, s: Session) -> bool:
        if self.db.dialect == "postgresql":
            return bool(s.rows("SELECT to_regclass(?)", (self.qualified,))[0][0])
        if self.db.dialect == "mysql":
            return bool(s.rows("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                               "AND table_name = ?", (self.table,))[0][0])
        return bool(s.rows("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (self.table,))[0][0])

    def _read(self, s: Session) -> list[LedgerRow]:
        cur = s.execute(f"SELECT * FROM {self.qualified}")
        names = [d[0].lower() for d in cur.description]
        rows = []
        for values in cur.fetchall():
            rec = dict(zip(names, values))
            created = rec.get("created_at")
            rows.append(LedgerRow(str(rec.get("hash")), int(float(created)) if created is not None else None,
                                  rec.get("id"), rec.get("name"), to_utc(rec.get("applied_at"))))
        rows.sort(key=lambda r: (r.created_at is None, r.created_at or 0, r.id or 0))
        return rows

    def columns(self, s: Session) -> set[str]:
        cur = s.execute(f"SELECT * FROM {self.qualified} WHERE 1 = 0")
        return {d[0].lower() for d in cur.description}

    def read(self) -> list[LedgerRow] | None:
        """Every row, oldest first; None when the table does not exist (nothing is created)."""
        with session(self.db) as s:
            if not self.exists(s):
                return None
            return self._read(s)

    # --- writing --------------------------------------------------------------------------
    def ensure(self, s: Session) -> None:
        """drizzle-orm's own DDL for the table, per dialect."""
        if self.db.dialect == "postgresql":
            s.execute(f"CREATE SCHEMA IF NOT EXISTS {self._q(self.schema)}")
            s.execute(f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n\tid SERIAL PRIMARY KEY,\n\thash text NOT NULL,"
                      "\n\tcreated_at bigint\n)")
        elif self.db.dialect == "mysql":
            s.execute(f"create table if not exists {self.qualified} (\n\tid serial primary key,\n\thash text not null,"
                      "\n\tcreated_at bigint\n)")
        else:
            s.execute(f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n\tid SERIAL PRIMARY KEY,\n\thash text NOT NULL,"
                      "\n\tcreated_at numeric\n)")

    def _insert(self, s: Session, cols: set[str], hash_: str, when: int, tag: str) -> None:
        names, values = ["hash", "created_at"], [hash_, when]
        if "name" in cols:
            names.append("name")
            values.append(tag)
        if "applied_at" in cols:
            names.append("applied_at")
            values.append(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        s.execute(f"INSERT INTO {self.qualified} ({', '.join(self._q(n) for n in names)}) "
                  f"VALUES ({', '.join('?' for _ in names)})", values)

    def _statements(self, sql: str):
        """drizzle-orm's breakpoint split, then each chunk into single statements (for drivers
        that run one at a time and to name the failing line)."""
        out, offset = [], 0
        for chunk in files.statements_of(sql):
            out.extend(split_statements(chunk, self.db.dialect, offset))
            offset += chunk.count("\n")
        return out

    def apply(self, steps: list[PlannedStep], check: Callable[[PlannedStep], None]) -> list[StepOutcome]:
        for step in steps:
            check(step)
        if not steps:
            return []
        with session(self.db) as s, s.lock(LOCK_KEY, LOCK_NAME):
            self.ensure(s)
            cols = self.columns(s)
            done = {r.hash for r in self._read(s)}
            todo = [st for st in steps if st.extra["hash"] not in done]
            outcomes = [StepOutcome(st.migration, "up", "skipped", error="already applied by another run")
                        for st in steps if st.extra["hash"] in done]
            transactional = self.db.dialect != "mysql"
            if transactional:
                s.begin()
            finished: list[StepOutcome] = []
            for i, step in enumerate(todo):
                t0 = time.perf_counter()
                statements = self._statements(step.sql)
                try:
                    n = s.run_statements(statements, step.file)
                    self._insert(s, cols, step.extra["hash"], int(step.extra["when"]), step.migration)
                except StatementFailed as exc:
                    if transactional:
                        s.rollback()
                        finished = [StepOutcome(o.migration, "up", "skipped", o.seconds,
                                                f"undone: it ran in the same transaction as {step.migration}, "
                                                "which failed (drizzle-orm runs a batch all or nothing)")
                                    for o in finished]
                        tail = " The whole run was rolled back; the database is as it was."
                    else:
                        tail = (f" MySQL commits DDL as it runs: statements 1-{exc.index - 1} of this migration "
                                "stayed applied and it is NOT recorded (Drizzle has no failed state). Repair by "
                                "hand, then `dbm resolve {0} --applied`, or revert those statements.".format(step.migration)
                                if exc.index > 1 else " Nothing of this migration was applied.")
                    failed = StepOutcome(step.migration, "up", "failed", time.perf_counter() - t0,
                                         exc.describe() + tail, exc.index - 1)
                    rest = [StepOutcome(o.migration, "up", "skipped", error="not run: an earlier migration failed")
                            for o in todo[i + 1:]]
                    return outcomes + finished + [failed] + rest
                finished.append(StepOutcome(step.migration, "up", "applied", time.perf_counter() - t0, None, n))
            if transactional:
                s.commit()
            return outcomes + finished

    def rollback(self, steps: list[PlannedStep]) -> list[StepOutcome]:
        """Each down step in its own transaction with the removal of its row."""
        outcomes: list[StepOutcome] = []
        with session(self.db) as s, s.lock(LOCK_KEY, LOCK_NAME):
            for i, step in enumerate(steps):
                t0 = time.perf_counter()
                statements = self._statements(step.sql)
                transactional = self.db.dialect != "mysql"
                if transactional:
                    s.begin()
                try:
                    n = s.run_statements(statements, step.file)
                    self._delete(s, step.extra["hash"], int(step.extra["when"]))
                except StatementFailed as exc:
                    if transactional:
                        s.rollback()
                    outcomes.append(StepOutcome(step.migration, "down", "failed", time.perf_counter() - t0,
                                                exc.describe(), exc.index - 1))
                    outcomes += [StepOutcome(o.migration, "down", "skipped", error="not run: an earlier step failed")
                                 for o in steps[i + 1:]]
                    return outcomes
                if transactional:
                    s.commit()
                outcomes.append(StepOutcome(step.migration, "down", "rolled_back", time.perf_counter() - t0, None, n))
        return outcomes

    def _delete(self, s: Session, hash_: str, when: int) -> int:
        cur = s.execute(f"DELETE FROM {self.qualified} WHERE hash = ?", (hash_,))
        if cur.rowcount:
            return cur.rowcount
        return s.execute(f"DELETE FROM {self.qualified} WHERE created_at = ?", (when,)).rowcount

    def record(self, items: list[tuple[str, int, str]]) -> int:
        """Insert rows for (hash, when, tag) not yet recorded; returns how many were added."""
        with session(self.db) as s, s.lock(LOCK_KEY, LOCK_NAME):
            self.ensure(s)
            cols = self.columns(s)
            have = self._read(s)
            known = {r.hash for r in have} | {r.created_at for r in have}
            added = 0
            with s.transaction():
                for hash_, when, tag in items:
                    if hash_ in known or when in known:
                        continue
                    self._insert(s, cols, hash_, when, tag)
                    added += 1
            return added

    def forget(self, hash_: str, when: int) -> int:
        with session(self.db) as s, s.lock(LOCK_KEY, LOCK_NAME):
            if not self.exists(s):
                return 0
            with s.transaction():
                return self._delete(s, hash_, when)
