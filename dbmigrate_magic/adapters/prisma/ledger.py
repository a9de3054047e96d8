"""``_prisma_migrations``: read it, and write rows exactly as Prisma Migrate writes them.

One row per attempt: ``started_at`` when it starts, ``applied_steps_count`` 1 and ``finished_at``
when the script succeeded, ``logs`` when it failed, ``rolled_back_at`` once ``migrate resolve
--rolled-back`` (or our rollback) retired it. The shared ``ledger`` runs the SQL (one transaction
per migration with its row on PostgreSQL/SQLite; started -> finished/failed on MySQL) under
Prisma's own lock (``pg_advisory_lock(72707369)``, ``GET_LOCK('prisma_migrate')``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...dialects import dialect_for
from ...errors import NeedsResolve, UsageProblem
from ...ledger import Bookkeeping
from .._choose import required
from .._tables import read_table
from ..base import to_utc
from .config import TABLE

if TYPE_CHECKING:
    from ...db import Database
    from ...ledger import LedgerStep, Session

PG_LOCK = 72707369
MYSQL_LOCK = "prisma_migrate"
COLUMNS = (
    "id",
    "checksum",
    "finished_at",
    "migration_name",
    "logs",
    "rolled_back_at",
    "started_at",
    "applied_steps_count",
)
#: the table as Prisma's schema engine creates it, per dialect (``ddl``)
_DDL_POSTGRESQL = """CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)"""
_DDL_MYSQL = """CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"""
_DDL_SQLITE = """CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)"""


def ddl(dialect: str) -> str:
    return required(dialect_for(dialect), postgresql=_DDL_POSTGRESQL, mysql=_DDL_MYSQL, sqlite=_DDL_SQLITE)


APPLIED = "finished_at IS NOT NULL AND rolled_back_at IS NULL"
FAILED = "finished_at IS NULL AND rolled_back_at IS NULL"


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

    @property
    def state(self) -> str:
        if self.rolled_back_at is not None:
            return "rolled_back"
        return "applied" if self.finished_at is not None else "failed"


def stored_now(dialect: str, minus_seconds: float = 0.0) -> Any:
    """The current time as Prisma stores it: aware (PostgreSQL), naive UTC with milliseconds
    (MySQL DATETIME(3)), ISO text with ``+00:00`` (SQLite, as Prisma 6 writes it)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=minus_seconds)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return dialect_for(dialect).choose(
        postgresql=now, mysql=now.replace(tzinfo=None), sqlite=now.isoformat(timespec="milliseconds")
    )


def read_rows(db: Database) -> list[PrismaRow] | None:
    """Every row, oldest first; None when the table does not exist (nothing is created)."""
    rows = read_table(db, TABLE, ", ".join(COLUMNS))
    if rows is None:
        return None
    out = [
        PrismaRow(
            str(r["id"]),
            str(r["checksum"]),
            str(r["migration_name"]),
            to_utc(r["started_at"]),
            to_utc(r["finished_at"]),
            to_utc(r["rolled_back_at"]),
            r["logs"],
            int(r["applied_steps_count"] or 0),
        )
        for r in rows
    ]
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    out.sort(key=lambda r: (r.started_at or floor, r.migration_name))
    return out


class PrismaBook(Bookkeeping):
    """The ledger's ``Bookkeeping`` for ``_prisma_migrations``."""

    def __init__(self, dialect: str):
        self.dialect = dialect

    def prepare(self, s: Session) -> list[str]:
        s.execute(ddl(self.dialect))
        failed = [r[0] for r in s.query(f"SELECT migration_name FROM {TABLE} WHERE {FAILED}")]
        if failed:
            raise failed_block(sorted(set(failed)))
        return []

    def _applied(self, s: Session, name: str) -> bool:
        return bool(s.query(f"SELECT COUNT(*) FROM {TABLE} WHERE migration_name = %s AND {APPLIED}", (name,))[0][0])

    def is_done(self, s: Session, step: LedgerStep) -> bool:
        applied = self._applied(s, step.id)
        return applied if step.direction == "up" else not applied

    def started(self, s: Session, step: LedgerStep) -> None:
        """MySQL: the row is visible as started before any statement runs (``migrate deploy``)."""
        if step.direction == "up":
            step.meta["row_id"] = self.insert(s, step.id, step.meta["checksum"], stored_now(self.dialect))

    def progressed(self, s: Session, step: LedgerStep, statements_run: int) -> None:
        pass  # Prisma counts a script as one step: nothing to record per statement

    def finished(self, s: Session, step: LedgerStep, seconds: float) -> None:
        now = stored_now(self.dialect)
        if step.direction == "down":
            s.execute(f"UPDATE {TABLE} SET rolled_back_at = %s WHERE migration_name = %s AND {APPLIED}", (now, step.id))
            return
        row_id = step.meta.get("row_id")
        if row_id is None:  # transactional: the whole row inside the migration's transaction
            row_id = self.insert(s, step.id, step.meta["checksum"], stored_now(self.dialect, seconds))
        s.execute(
            f"UPDATE {TABLE} SET applied_steps_count = applied_steps_count + 1, finished_at = %s WHERE id = %s",
            (now, row_id),
        )

    def failed(self, s: Session, step: LedgerStep, statements_run: int, error: str) -> None:
        if step.direction == "up" and step.meta.get("row_id"):
            s.execute(f"UPDATE {TABLE} SET logs = %s WHERE id = %s", (prisma_logs(step.id, error), step.meta["row_id"]))

    # --- resolve ------------------------------------------------------------------------------
    def insert(self, s: Session, name: str, checksum: str, started: Any, finished: Any = None) -> str:
        row_id = str(uuid.uuid4())
        s.execute(
            f"INSERT INTO {TABLE} (id, checksum, started_at, finished_at, migration_name) VALUES (%s, %s, %s, %s, %s)",
            (row_id, checksum, started, finished, name),
        )
        return row_id

    def mark_applied(self, s: Session, name: str, checksum: str, strict: bool = True) -> bool:
        """``migrate resolve --applied``: retire failed attempts, insert a finished row with 0 steps."""
        if self._applied(s, name):
            if strict:
                raise UsageProblem(
                    f"Migration {name} is already recorded as applied (Prisma's rule: it cannot be resolved again).",
                    next_step="Nothing to resolve; `dbm status` shows its state.",
                )
            return False
        now = stored_now(self.dialect)
        s.execute(f"UPDATE {TABLE} SET rolled_back_at = %s WHERE migration_name = %s AND {FAILED}", (now, name))
        self.insert(s, name, checksum, now, now)
        return True

    def mark_rolled_back(self, s: Session, name: str) -> int:
        """``migrate resolve --rolled-back``: only a failed migration can be marked rolled back."""
        cur = s.execute(
            f"UPDATE {TABLE} SET rolled_back_at = %s WHERE migration_name = %s AND {FAILED}",
            (stored_now(self.dialect), name),
        )
        if not cur.rowcount:
            raise UsageProblem(
                f"Migration {name} cannot be marked rolled back because it is not in a failed state (Prisma's rule).",
                next_step="To revert an applied migration run `dbm rollback` (it needs a down.sql).",
            )
        return cur.rowcount


def prisma_logs(name: str, error: str) -> str:
    return f"Migration name: {name}\n\n{error}"


def failed_block(names: list[str]) -> NeedsResolve:
    return NeedsResolve(
        f"Prisma found failed migrations in the target database, new migrations will not be applied: "
        f"{', '.join(names)}.",
        next_step=f"Check what it left behind, then `dbm resolve {names[0]} --rolled-back` (it will "
        "run again) or `--applied` (you finished it by hand).",
    )


def ledger_config():
    from ...ledger import LedgerConfig

    return LedgerConfig(pg_lock_key=PG_LOCK, mysql_lock_name=MYSQL_LOCK)


def with_book(db: Database, work: Callable[[Session, PrismaBook], Any]) -> Any:
    """Run ``work`` in one transaction under Prisma's lock (resolve, baseline)."""
    from ...ledger import Session

    session = Session(db, ledger_config())
    try:
        with session.runner_lock():
            book = PrismaBook(db.dialect)
            session.execute(ddl(db.dialect))
            session.begin()
            result = work(session, book)
            session.commit()
            return result
    finally:
        session.close()
