"""The ``_migrations`` table of our raw SQL format: its two forms and the bookkeeping SQL.

Minimal form (must keep working, read and write): ``id, filename UNIQUE, applied_at``; a row means
applied. Extended form (what we create): the same plus nullable ``checksum, state, error,
statements_run, finished_at, duration_ms``. ``state`` NULL or 'applied' means applied; 'running' /
'failed' exist only on MySQL/MariaDB, where DDL auto-commits and a step is recorded before it
finishes. A minimal table is extended only where that is needed (MySQL/MariaDB), by adding nullable
columns (old readers and writers keep working), recorded as a row named ``dbm:upgrade-1``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ...errors import NeedsResolve
from ...ledger import Bookkeeping
from .._choose import required

if TYPE_CHECKING:
    from ...ledger import LedgerStep, Session

TABLE = "_migrations"
MINIMAL = ("id", "filename", "applied_at")
EXTRA_COLUMNS = ("checksum", "state", "error", "statements_run", "finished_at", "duration_ms")
UPGRADE_MARK = "dbm:upgrade-1"
INTERNAL_PREFIX = "dbm:"

_CREATE_POSTGRESQL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id SERIAL PRIMARY KEY,
    filename VARCHAR(255) NOT NULL UNIQUE,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    checksum VARCHAR(64),
    state VARCHAR(16),
    error TEXT,
    statements_run INTEGER,
    finished_at TIMESTAMPTZ,
    duration_ms INTEGER
)"""
_CREATE_MYSQL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id INT AUTO_INCREMENT PRIMARY KEY,
    filename VARCHAR(255) NOT NULL UNIQUE,
    applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    checksum VARCHAR(64) NULL,
    state VARCHAR(16) NULL,
    error TEXT NULL,
    statements_run INT NULL,
    finished_at DATETIME(6) NULL,
    duration_ms INT NULL
) DEFAULT CHARSET=utf8mb4"""
_CREATE_SQLITE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    filename TEXT NOT NULL UNIQUE,
    applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    checksum TEXT,
    state TEXT,
    error TEXT,
    statements_run INTEGER,
    finished_at TIMESTAMP,
    duration_ms INTEGER
)"""
#: types of the extended columns added to a minimal table
_ADD_POSTGRESQL = {
    "checksum": "VARCHAR(64)",
    "state": "VARCHAR(16)",
    "error": "TEXT",
    "statements_run": "INTEGER",
    "finished_at": "TIMESTAMPTZ",
    "duration_ms": "INTEGER",
}
_ADD_MYSQL = {
    "checksum": "VARCHAR(64) NULL",
    "state": "VARCHAR(16) NULL",
    "error": "TEXT NULL",
    "statements_run": "INT NULL",
    "finished_at": "DATETIME(6) NULL",
    "duration_ms": "INT NULL",
}


def columns_of(s: Session) -> set[str] | None:
    """Column names of ``_migrations`` (None when it does not exist), with one catalog query."""
    if s.kind.embedded:
        rows = s.query(f"PRAGMA table_info({TABLE})")
        return {r[1].lower() for r in rows} or None
    rows = s.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        f"AND table_schema = {s.kind.current_schema_sql}",
        (TABLE,),
    )
    return {r[0].lower() for r in rows} or None


class RawSqlBook(Bookkeeping):
    """The ledger's bookkeeping for ``_migrations``; adapts to the columns the table has."""

    batchable: ClassVar[bool] = True  # writes only inside a step's transaction (is_done reads the cache on PostgreSQL)

    def __init__(self, dialect: str, strict: bool = True):
        self.dialect = dialect
        #: refuse to run while a failed/interrupted step is recorded (resolve itself is not strict)
        self.strict = strict
        self.columns: set[str] = set(MINIMAL)
        self.done: dict[str, str | None] | None = None  # filename -> state, read once under the lock

    @property
    def extended(self) -> bool:
        return "state" in self.columns

    def prepare(self, s: Session) -> list[str]:
        notes: list[str] = []
        cols = columns_of(s)
        if cols is None:
            s.execute(required(s.kind, postgresql=_CREATE_POSTGRESQL, mysql=_CREATE_MYSQL, sqlite=_CREATE_SQLITE))
            cols = columns_of(s) or set(MINIMAL) | set(EXTRA_COLUMNS)
            notes.append(f"Created the tracking table {TABLE}.")
        elif "state" not in cols and not s.kind.transactional_ddl:
            notes.append(self.upgrade(s, cols))
            cols = columns_of(s) or cols
        self.columns = cols
        if s.kind.has_runner_lock:  # under the runner lock nothing else writes: read once
            self.done = dict(self._rows(s))
            stuck = sorted(f for f, st in self.done.items() if st not in (None, "applied"))
            if stuck and self.strict:  # under the lock, a 'running' row cannot belong to a live run: it was interrupted
                raise NeedsResolve(
                    f"{stuck[0]} is recorded as {self.done[stuck[0]]}: an earlier run failed or was interrupted.",
                    unchanged="Nothing was run.",
                    next_step=f"Check what it left behind, then `dbm resolve {stuck[0]} --rolled-back` or "
                    "`--applied`, and migrate again.",
                )
        return notes

    def upgrade(self, s: Session, cols: set[str]) -> str:
        """Add the nullable extended columns to a minimal table and record that we did."""
        missing = [c for c in EXTRA_COLUMNS if c not in cols]
        types = required(s.kind, postgresql=_ADD_POSTGRESQL, mysql=_ADD_MYSQL)
        for c in missing:
            s.execute(f"ALTER TABLE {TABLE} ADD COLUMN {c} {types[c]}")
        s.execute(
            f"INSERT INTO {TABLE} (filename, applied_at) VALUES (%s, CURRENT_TIMESTAMP)",
            (f"{UPGRADE_MARK}: added nullable columns {', '.join(missing)}"[:255],),
        )
        return (
            f"Upgraded {TABLE} from its minimal form: added nullable columns {', '.join(missing)} so a failed "
            f"step can be recorded on a database where DDL auto-commits (recorded as '{UPGRADE_MARK}')."
        )

    def _rows(self, s: Session, filename: str | None = None) -> list[tuple[str, str | None]]:
        state = "state" if self.extended else "NULL"
        sql = f"SELECT filename, {state} FROM {TABLE}"
        if filename is None:
            return [(r[0], r[1]) for r in s.query(sql)]
        return [(r[0], r[1]) for r in s.query(sql + " WHERE filename = %s", (filename,))]

    def _state(self, s: Session, step: LedgerStep) -> tuple[bool, str | None]:
        if self.done is not None:
            return step.id in self.done, self.done.get(step.id)
        rows = self._rows(s, step.id)
        return bool(rows), (rows[0][1] if rows else None)

    def is_done(self, s: Session, step: LedgerStep) -> bool:
        recorded, state = self._state(s, step)
        if recorded and state not in (None, "applied"):
            raise NeedsResolve(
                f"{step.id} is recorded as {state} (a run was interrupted or failed).",
                unchanged="Nothing else was run.",
                next_step=f"Check what it left behind, then `dbm resolve {step.id} --rolled-back` or `--applied`.",
            )
        return recorded if step.direction == "up" else not recorded

    # --- writes ---------------------------------------------------------------------------------
    def _insert(
        self, s: Session, step: LedgerStep, state: str | None, seconds: float | None, statements_run: int | None
    ) -> None:
        cols, vals = ["filename", "applied_at"], ["%s", "CURRENT_TIMESTAMP"]
        params: list[object] = [step.id]
        if self.extended:
            cols += ["checksum", "state", "statements_run"]
            vals += ["%s", "%s", "%s"]
            params += [step.meta.get("checksum"), state, statements_run]
            if seconds is not None:
                cols += ["finished_at", "duration_ms"]
                vals += ["CURRENT_TIMESTAMP", "%s"]
                params.append(int(seconds * 1000))
        elif "checksum" in self.columns:
            cols.append("checksum")
            vals.append("%s")
            params.append(step.meta.get("checksum"))
        s.execute(f"INSERT INTO {TABLE} ({', '.join(cols)}) VALUES ({', '.join(vals)})", params)

    def finished(self, s: Session, step: LedgerStep, seconds: float) -> None:
        if step.direction == "down":
            s.execute(f"DELETE FROM {TABLE} WHERE filename = %s", (step.id,))
            return
        if step.transactional or not self.extended:
            self._insert(s, step, "applied" if self.extended else None, seconds, len(step.statements))
        else:
            s.execute(
                f"UPDATE {TABLE} SET state = 'applied', error = NULL, statements_run = %s, "
                f"finished_at = CURRENT_TIMESTAMP, duration_ms = %s WHERE filename = %s",
                (len(step.statements), int(seconds * 1000), step.id),
            )

    def committed(self, s: Session, step: LedgerStep) -> None:
        """After the step's transaction committed: keep the cached view of the table in step."""
        if self.done is None:
            return
        if step.direction == "down":
            self.done.pop(step.id, None)
        else:
            self.done[step.id] = "applied"

    def started(self, s: Session, step: LedgerStep) -> None:
        if not self.extended:
            return
        if step.direction == "up":
            self._insert(s, step, "running", None, 0)
        else:
            s.execute(
                f"UPDATE {TABLE} SET state = 'running', statements_run = 0, error = %s WHERE filename = %s",
                ("rolling back (DOWN section)", step.id),
            )

    def progressed(self, s: Session, step: LedgerStep, statements_run: int) -> None:
        if self.extended:
            s.execute(f"UPDATE {TABLE} SET statements_run = %s WHERE filename = %s", (statements_run, step.id))

    def failed(self, s: Session, step: LedgerStep, statements_run: int, error: str) -> None:
        if not self.extended:
            return
        prefix = "" if step.direction == "up" else "rolling back (DOWN section) failed: "
        s.execute(
            f"UPDATE {TABLE} SET state = 'failed', statements_run = %s, error = %s WHERE filename = %s",
            (statements_run, (prefix + error)[:4000], step.id),
        )

    # --- recovery -------------------------------------------------------------------------------
    def mark_applied(self, s: Session, filename: str, checksum: str | None) -> str:
        from ...ledger import LedgerStep

        recorded, state = self._state(s, LedgerStep(filename, "up", (), True))
        if recorded and state in (None, "applied"):
            return f"{filename} is already recorded as applied."
        if recorded:
            s.execute(
                f"UPDATE {TABLE} SET state = 'applied', error = NULL, finished_at = CURRENT_TIMESTAMP "
                f"WHERE filename = %s",
                (filename,),
            )
            return f"{filename}: recorded as applied (was {state})."
        self._insert(
            s,
            LedgerStep(filename, "up", (), True, meta={"checksum": checksum}),
            "applied" if self.extended else None,
            0.0,
            None,
        )
        return f"{filename}: recorded as applied."

    def mark_rolled_back(self, s: Session, filename: str) -> str:
        s.execute(f"DELETE FROM {TABLE} WHERE filename = %s", (filename,))
        return f"{filename}: no longer recorded, so it counts as not applied (pending if its file exists)."
