"""``_prisma_migrations``: read it, and write rows exactly as Prisma Migrate writes them.

One row per attempt: ``started_at`` when it starts, ``applied_steps_count`` + 1 and
``finished_at`` when the script succeeds, ``logs`` when it fails, ``rolled_back_at`` when
``migrate resolve --rolled-back`` (or our rollback) retires it. Lock: Prisma's own
(``pg_advisory_lock(72707369)``, ``GET_LOCK('prisma_migrate', 10)``).
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import DbmError
from ._native import Session, StatementFailed, session, split_statements
from .base import PlannedStep, StepOutcome, to_utc

if TYPE_CHECKING:
    from ..db import Database

TABLE = "_prisma_migrations"
PG_LOCK = 72707369
MYSQL_LOCK = "prisma_migrate"
COLUMNS = ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at",
           "applied_steps_count")
#: the table as Prisma's schema engine creates it, per dialect
DDL = {
    "postgresql": """CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)""",
    "mysql": """CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci""",
    "sqlite": """CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)""",
}


@dataclass(frozen=True)
class PrismaRow:
    id: str
    checksum: str
    migration_name: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rolled_back_at: dt.datetime | None
    logs: str | None
    applied_steps_count: int
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def state(self) -> str:
        if self.rolled_back_at is not None:
            return "rolled_back"
        return "applied" if self.finished_at is not None else "failed"


class PrismaLedger:
    def __init__(self, db: "Database"):
        self.db = db

    def now(self) -> Any:
        """The current time in the form Prisma stores it on this dialect."""
        now = dt.datetime.now(dt.timezone.utc)
        if self.db.dialect == "sqlite":
            return now.isoformat(timespec="milliseconds")  # 2025-01-01T10:00:00.123+00:00
        if self.db.dialect == "mysql":
            return now.replace(tzinfo=None, microsecond=now.microsecond // 1000 * 1000)
        return now

    def exists(self, s: Session) -> bool:
        if self.db.dialect == "postgresql":
            return bool(s.rows("SELECT to_regclass(?)", (TABLE,))[0][0])
        if self.db.dialect == "mysql":
            return bool(s.rows("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                               "AND table_name = ?", (TABLE,))[0][0])
        return bool(s.rows("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))[0][0])

    def _read(self, s: Session) -> list[PrismaRow]:
        cur = s.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE}")
        out = []
        for values in cur.fetchall():
            r = dict(zip(COLUMNS, values))
            out.append(PrismaRow(str(r["id"]), str(r["checksum"]), str(r["migration_name"]), to_utc(r["started_at"]),
                                 to_utc(r["finished_at"]), to_utc(r["rolled_back_at"]), r["logs"],
                                 int(r["applied_steps_count"] or 0), r))
        out.sort(key=lambda r: (r.started_at or dt.datetime.min.replace(tzinfo=dt.timezone.utc), r.migration_name))
        return out

    def read(self) -> list[PrismaRow] | None:
        with session(self.db) as s:
            return self._read(s) if self.exists(s) else None

    # --- writing ------------------------------------------------------------------------
    def _start(self, s: Session, name: str, checksum: str) -> str:
        row_id = str(uuid.uuid4())
        s.execute(f"INSERT INTO {TABLE} (id, checksum, started_at, migration_name) VALUES (?, ?, ?, ?)",
                  (row_id, checksum, self.now(), name))
        return row_id

    def _finish(self, s: Session, row_id: str) -> None:
        s.execute(f"UPDATE {TABLE} SET applied_steps_count = applied_steps_count + 1 WHERE id = ?", (row_id,))
        s.execute(f"UPDATE {TABLE} SET finished_at = ? WHERE id = ?", (self.now(), row_id))

    def _fail(self, s: Session, row_id: str, logs: str) -> None:
        s.execute(f"UPDATE {TABLE} SET logs = ? WHERE id = ?", (logs, row_id))

    def _statements(self, sql: str):
        return split_statements(sql, self.db.dialect)

    def apply(self, steps: list[PlannedStep]) -> list[StepOutcome]:
        """``migrate deploy``: each migration in order; stop at the first failure.

        PostgreSQL/SQLite: script and bookkeeping in one transaction; on failure it is rolled
        back and then a failed row (``logs`` set, ``finished_at`` null) is written, as Prisma
        leaves it, so ``resolve`` is needed before going on. MySQL: the row is committed as
        started first, so an interrupted run is visible as failed."""
        outcomes: list[StepOutcome] = []
        with session(self.db) as s, s.lock(PG_LOCK, MYSQL_LOCK):
            s.execute(DDL[self.db.dialect])
            rows = self._read(s)
            blocked = [r.migration_name for r in rows if r.state == "failed"]
            if blocked:
                raise failed_block(blocked)
            applied = {r.migration_name for r in rows if r.state == "applied"}
            for i, step in enumerate(steps):
                if step.migration in applied:
                    outcomes.append(StepOutcome(step.migration, "up", "skipped", error="already applied by another run"))
                    continue
                t0 = time.perf_counter()
                statements = self._statements(step.sql)
                checksum = step.extra["checksum"]
                transactional = self.db.dialect != "mysql"
                try:
                    if transactional:
                        with s.transaction():
                            row_id = self._start(s, step.migration, checksum)
                            n = s.run_statements(statements, step.file)
                            self._finish(s, row_id)
                    else:
                        row_id = self._start(s, step.migration, checksum)
                        n = s.run_statements(statements, step.file)
                        self._finish(s, row_id)
                except StatementFailed as exc:
                    logs = f"Migration name: {step.migration}\n\n{exc.describe()}"
                    if transactional:
                        with s.transaction():
                            self._fail(s, self._start(s, step.migration, checksum), logs)
                        tail = " The migration was rolled back; it is recorded as failed, as Prisma does."
                    else:
                        self._fail(s, row_id, logs)
                        tail = (f" MySQL commits DDL as it runs: statements 1-{exc.index - 1} stayed applied."
                                if exc.index > 1 else " None of its statements were applied.")
                    outcomes.append(StepOutcome(step.migration, "up", "failed", time.perf_counter() - t0,
                                                exc.describe() + tail + " Fix it, then `dbm resolve "
                                                f"{step.migration} --rolled-back` (or --applied).", exc.index - 1))
                    outcomes += [StepOutcome(o.migration, "up", "skipped", error="not run: an earlier migration failed")
                                 for o in steps[i + 1:]]
                    return outcomes
                outcomes.append(StepOutcome(step.migration, "up", "applied", time.perf_counter() - t0, None, n))
        return outcomes

    def rollback(self, steps: list[PlannedStep]) -> list[StepOutcome]:
        """Run ``down.sql`` and set ``rolled_back_at`` on the applied row (Prisma then treats the
        migration as not applied, and ``migrate deploy`` would apply it again)."""
        outcomes: list[StepOutcome] = []
        with session(self.db) as s, s.lock(PG_LOCK, MYSQL_LOCK):
            for i, step in enumerate(steps):
                t0 = time.perf_counter()
                transactional = self.db.dialect != "mysql"
                try:
                    if transactional:
                        s.begin()
                    n = s.run_statements(self._statements(step.sql), step.file)
                    s.execute(f"UPDATE {TABLE} SET rolled_back_at = ? WHERE migration_name = ? AND finished_at IS "
                              "NOT NULL AND rolled_back_at IS NULL", (self.now(), step.migration))
                    if transactional:
                        s.commit()
                except StatementFailed as exc:
                    if transactional:
                        s.rollback()
                    outcomes.append(StepOutcome(step.migration, "down", "failed", time.perf_counter() - t0,
                                                exc.describe(), exc.index - 1))
                    outcomes += [StepOutcome(o.migration, "down", "skipped", error="not run: an earlier step failed")
                                 for o in steps[i + 1:]]
                    return outcomes
                outcomes.append(StepOutcome(step.migration, "down", "rolled_back", time.perf_counter() - t0, None, n))
        return outcomes

    def resolve_applied(self, names_checksums: list[tuple[str, str]], strict: bool = True) -> int:
        """``migrate resolve --applied``: retire failed rows, insert a finished row, run nothing."""
        added = 0
        with session(self.db) as s, s.lock(PG_LOCK, MYSQL_LOCK):
            s.execute(DDL[self.db.dialect])
            rows = self._read(s)
            with s.transaction():
                for name, checksum in names_checksums:
                    mine = [r for r in rows if r.migration_name == name]
                    if any(r.state == "applied" for r in mine):
                        if strict:
                            raise DbmError(f"Migration {name} is already recorded as applied.",
                                           next_step="Nothing to resolve; `dbm status` shows its state.")
                        continue
                    now = self.now()
                    s.execute(f"UPDATE {TABLE} SET rolled_back_at = ? WHERE migration_name = ? AND finished_at IS NULL "
                              "AND rolled_back_at IS NULL", (now, name))
                    s.execute(f"INSERT INTO {TABLE} (id, checksum, started_at, finished_at, migration_name, "
                              "applied_steps_count) VALUES (?, ?, ?, ?, ?, 0)", (str(uuid.uuid4()), checksum, now, now, name))
                    added += 1
        return added

    def resolve_rolled_back(self, name: str) -> int:
        """``migrate resolve --rolled-back``: only a failed migration can be marked rolled back."""
        with session(self.db) as s, s.lock(PG_LOCK, MYSQL_LOCK):
            rows = self._read(s) if self.exists(s) else []
            if not any(r.migration_name == name and r.state == "failed" for r in rows):
                raise DbmError(f"Migration {name} cannot be marked rolled back because it is not in a failed state "
                               "(Prisma's rule).",
                               next_step="To revert an applied migration run `dbm rollback` (needs its down.sql).")
            with s.transaction():
                cur = s.execute(f"UPDATE {TABLE} SET rolled_back_at = ? WHERE migration_name = ? AND finished_at IS NULL "
                                "AND rolled_back_at IS NULL", (self.now(), name))
            return cur.rowcount


def failed_block(names: list[str]) -> DbmError:
    return DbmError(f"Prisma found failed migrations in the target database, new migrations will not be applied: "
                    f"{', '.join(names)}.",
                    next_step=f"Fix the database, then `dbm resolve {names[0]} --rolled-back` (it will run again) or "
                    f"`--applied` (you finished it by hand).")
