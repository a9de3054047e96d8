"""Raw SQL, our own format: ``migrations/<YYYYMMDDHHMMSS>_<name>.sql`` with ``-- UP`` / ``-- DOWN``
sections, tracked in ``_migrations (id, filename UNIQUE, applied_at)``.

The minimal table must keep working; extra columns (checksum, state, ...) are read when present.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for
from ...errors import ProjectError, UnsupportedOperation, UsageProblem
from .._files import iter_files, read_text
from .._tables import read_table
from ..base import (
    Adapter,
    Evidence,
    History,
    LedgerRecord,
    MigrationFile,
    PlannedStep,
    StepOutcome,
    merge_history,
    sha256_hex,
    to_utc,
)
from ..foreign_tables import TableMark
from ..goose.files import is_goose_file
from .files import NO_TRANSACTION, compose, outside_transaction, sections, split_sections
from .ledger import INTERNAL_PREFIX, RawSqlBook

if TYPE_CHECKING:
    from ...db import Database
    from ...dialects.base import Dialect
    from ...ledger import LedgerStep

MIGRATIONS_DIR = "migrations"
TABLE = "_migrations"
STAMP = "%Y%m%d%H%M%S"
_STAMPED = re.compile(r"^(\d{14})_(.+)\.sql$")


def is_rawsql_file(path: Path, head: str | None = None) -> bool:
    name = path.name
    if not name.endswith(".sql") or name.endswith((".up.sql", ".down.sql")):
        return False
    if re.match(r"^[VU]\d", name) and "__" in name or name.startswith("R__"):
        return False  # Flyway's naming
    head = read_text(path, 4096) if head is None else head[:4096]
    return "-- migrate:up" not in head and not is_goose_file(path, head)  # dbmate's, goose's markers


def down_sibling(path: Path) -> Path:
    """``20250101000000_init.sql`` -> ``20250101000000_init.down.sql``: a stored down part."""
    return path.with_name(path.name[: -len(".sql")] + ".down.sql")


def file_checksum(data: bytes) -> str:
    """sha256 of the file with line endings normalised, so a CRLF checkout is not 'modified'."""
    return sha256_hex(data.replace(b"\r\n", b"\n"))


class RawSqlAdapter(Adapter):
    tool = "rawsql"
    display_name = "Raw SQL"
    table_marks = (
        TableMark("dbm raw SQL", "_migrations", ("filename", "applied_at"), command="dbm migrate --project PATH"),
    )
    ledger_directions = ("up", "down")  # both through ledger.Ledger
    generic = True  # any *.sql: a folder another tool's naming claims is that tool's
    table = TABLE

    @classmethod
    def files_in(cls, root: Path) -> list[Path]:
        return [p for p in iter_files(root / MIGRATIONS_DIR, "*.sql") if is_rawsql_file(p)]

    @classmethod
    def recommendation(cls, root: Path) -> str | None:
        return "No project files found: start with plain SQL files in migrations/ (dbm new NAME)."

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        files = cls.files_in(root)
        if not files:
            return None
        return Evidence(cls.tool, (f"{MIGRATIONS_DIR}/*.sql",), MIGRATIONS_DIR, len(files))

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        folder = root / MIGRATIONS_DIR
        if folder.is_dir() and any(folder.glob("*.py")) and not cls.files_in(root):  # files_in reads every file
            return "migrations/ ignored for raw SQL: it holds .py files, not .sql migrations"
        return None

    def file_parts(self, text: str) -> list[tuple[str, int]] | None:
        up, down = sections(text)
        return [up, *([down] if down is not None else [])]

    def runs_in_transaction(self, f: MigrationFile, dialect: Dialect) -> bool | None:
        """our raw SQL runner applies each file in one transaction with its tracking row where the database
        has transactional DDL (as ``plan_apply`` marks each step), unless the file starts with
        ``-- dbm:no-transaction``."""
        return dialect.transactional_ddl and not self._outside_transaction(f)

    def _outside_transaction(self, f: MigrationFile) -> bool:
        cached = getattr(self, "_texts", {}).get(f.id)
        try:
            return outside_transaction(cached if cached is not None else f.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return False

    def mark_outside_transaction(self, path: Path) -> str:
        """``-- dbm:no-transaction`` as the file's first line: our runner runs it without a transaction."""
        path.write_text(NO_TRANSACTION + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        return f"`{NO_TRANSACTION}` on its first line"

    def migration_files(self) -> list[MigrationFile]:
        """The migration files, each read once per change: a verb asks several times (history, plan,
        apply), so the contents are kept while the folder's names, sizes and mtimes stay the same."""
        folder = self.root / MIGRATIONS_DIR
        if not folder.is_dir():
            return []
        stats = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".sql") and entry.is_file():
                    st = entry.stat()
                    stats.append((entry.name, st.st_mtime_ns, st.st_size))
        key = tuple(sorted(stats))
        if key != getattr(self, "_files_key", None):
            files, texts = [], {}
            for name, _, _ in key:
                path = folder / name
                data = path.read_bytes()
                try:
                    text: str | None = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                if not is_rawsql_file(path, text if text is not None else ""):
                    continue
                files.append(MigrationFile(name, path, file_checksum(data)))
                texts[name] = text
            self._files_key, self._files, self._texts = key, files, texts
        return list(self._files)

    def read_ledger(self, db: Database) -> list[LedgerRecord] | None:
        """Rows of ``_migrations``, or None when the table does not exist (nothing is created)."""
        rows = read_table(db, TABLE)  # every column: the minimal form lacks the extended ones
        if rows is None:
            return None
        records = []
        for row in rows:
            if str(row["filename"]).startswith(INTERNAL_PREFIX):
                self._internal_notes.append(f"{TABLE}: {row['filename']} ({row['applied_at']})")
                continue
            state = (row.get("state") or "applied").lower()
            note = None
            if state == "running":  # MySQL step started and never finished: killed, or running now
                state = "failed"
                note = (
                    f"started, not finished (interrupted, or running right now) after "
                    f"{row.get('statements_run') or 0} statement(s)" + (f": {row['error']}" if row.get("error") else "")
                )
            elif state == "failed":
                note = f"failed after {row.get('statements_run') or 0} statement(s) ran: {row.get('error')}"
            records.append(
                LedgerRecord(
                    row["filename"],
                    to_utc(row["applied_at"]),
                    row.get("checksum"),
                    state,
                    extra={"statements_run": row.get("statements_run")},
                    note=note,
                )
            )
        return records

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        self._internal_notes: list[str] = []
        if db is None:
            return merge_history(self, files, None, table=TABLE)
        records = self.read_ledger(db)
        if records is None:
            h = merge_history(self, files, [], table=TABLE)
            return History(h.rows, False, TABLE, None, h.notes)
        return merge_history(self, files, records, table=TABLE, notes=tuple(self._internal_notes))

    def preview_notes(self, db: Database) -> list[str]:
        from .ledger import EXTRA_COLUMNS

        found = read_table(db, TABLE, "*", "WHERE 1 = 0")
        if found is None:
            return [f"The tracking table {TABLE} does not exist yet: it will be created."]
        columns = set(found.columns)
        if "state" not in columns and not dialect_for(db).transactional_ddl:
            missing = ", ".join(c for c in EXTRA_COLUMNS if c not in columns)
            return [
                f"{TABLE} has the minimal form; on MySQL/MariaDB (DDL auto-commits) nullable columns {missing} "
                "will be added so a failed step can be recorded (recorded in the table as 'dbm:upgrade-1'; "
                "tools writing only filename and applied_at keep working)."
            ]
        return []

    # --- writing ------------------------------------------------------------------------------
    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        folder = self.root / MIGRATIONS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        newest = max(
            (dt.datetime.strptime(m.group(1), STAMP) for p in folder.glob("*.sql") if (m := _STAMPED.match(p.name))),
            default=None,
        )
        stamp = max(now, newest + dt.timedelta(seconds=1)) if newest else now
        while True:  # strictly after every existing file, and never clobber one
            path = folder / f"{stamp.strftime(STAMP)}_{name}.sql"
            if not path.exists():
                break
            stamp += dt.timedelta(seconds=1)
        path.write_text(compose(up_sql, down_sql if down_sql is not None else ""), encoding="utf-8")
        return path

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        for f in self.migration_files():
            m = _STAMPED.match(f.id)
            if not m or m.group(2) != name:
                continue
            up, _ = split_sections(f.path.read_text(encoding="utf-8"))
            down = self._down_part(f)
            if up == up_sql.strip() and (down[0].strip() if down else "") == (down_sql or "").strip():
                return f
        return None

    def stored_down_path(self, f: MigrationFile) -> Path:
        """The sibling ``<name>.down.sql``: the migration file itself stays as applied (its checksum
        covers the whole file), and the listing ignores ``*.down.sql`` names. A file with its own
        ``-- DOWN`` section is refused: rollback reads that section, never the sibling."""
        in_file = self._parts(f)[1]
        if in_file is not None and in_file[0].strip():
            raise UsageProblem(
                f"{self.relative(f.path)} has its own -- DOWN section.",
                unchanged="No file was written.",
                next_step="Edit that section by hand (for a pending migration), or write a new "
                "migration that reverses it.",
            )
        return down_sibling(f.path)

    # --- applying -------------------------------------------------------------------------------
    def _parts(self, f: MigrationFile) -> tuple[tuple[str, int], tuple[str, int] | None]:
        cached = getattr(self, "_texts", {}).get(f.id)
        try:
            return sections(cached if cached is not None else f.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(
                f"Cannot read {self.relative(f.path)}: {exc}",
                next_step="Fix or remove the file, then run the command again.",
            ) from None

    def _down_part(self, f: MigrationFile) -> tuple[str, int, Path] | None:
        """(SQL, first line, file) of the down part: the file's own non-empty ``-- DOWN`` section,
        else a sibling ``<name>.down.sql`` (stored by ``generate --down-for --write``), else None."""
        down = self._parts(f)[1]
        if down is not None and down[0].strip():
            return down[0], down[1], f.path
        sibling = down_sibling(f.path)
        if not sibling.is_file():
            return None
        try:
            return sibling.read_text(encoding="utf-8"), 1, sibling
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(
                f"Cannot read {self.relative(sibling)}: {exc}",
                next_step="Fix or remove the file, then run the command again.",
            ) from None

    def migration_id(self, name: str) -> str:
        """What rollback and ``migrate --to`` accept: the file name, without ``.sql``, its timestamp, or
        the part after it."""
        return self._find_target([f.id for f in self.migration_files()], name)

    def _find_target(self, ids: list[str], target: str) -> str:
        for i in ids:
            if target in (i, i[:-4], i.split("_", 1)[0]) or (i.split("_", 1)[-1][:-4] == target):
                return i
        raise UsageProblem(f"There is no migration {target!r}.", next_step="Run `dbm status` to see the names.")

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        rows = self.history(db).rows
        files = {f.id: f for f in self.migration_files()}
        limit = self._find_target([r.migration for r in rows], target) if target else None
        steps = []
        for r in rows:
            if r.state == "pending" and r.migration in files:
                f = files[r.migration]
                (up, _), _down = self._parts(f)
                steps.append(
                    PlannedStep(
                        f.id,
                        self.relative(f.path),
                        "up",
                        up.strip(),
                        dialect_for(db).transactional_ddl and not self._outside_transaction(f),
                        {"checksum": f.checksum},
                    )
                )
            if limit is not None and r.migration == limit:
                break
        return steps

    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        rows = [r for r in self.history(db).rows if r.state in ("applied", "modified", "missing")]
        if target is not None:
            keep = self._find_target([r.migration for r in rows], target)
            chosen = rows[[r.migration for r in rows].index(keep) + 1 :]
        else:
            chosen = rows[-(steps or 1) :] if rows else []
        files = {f.id: f for f in self.migration_files()}
        planned, without_down = [], []
        for r in reversed(chosen):
            f = files.get(r.migration)
            down = self._down_part(f) if f else None
            if f is None or down is None or not down[0].strip():
                without_down.append(r.migration + ("" if f else " (file missing)"))
                continue
            planned.append(
                PlannedStep(
                    f.id,
                    self.relative(down[2]),
                    "down",
                    down[0].strip(),
                    dialect_for(db).transactional_ddl and not self._outside_transaction(f),
                    {"checksum": f.checksum},
                )
            )
        if without_down:
            first = without_down[0].split(" ")[0]
            raise UnsupportedOperation(
                f"Cannot roll back: {', '.join(without_down)} has no -- DOWN SQL (nor a .down.sql beside it).",
                unchanged="Nothing was rolled back.",
                next_step=f"`dbm generate --down-for {first}` computes one for review; add --write to store it, then "
                "roll back. Or write a reverse migration (`dbm new revert_<name>`), or restore a backup "
                "taken before it (`dbm backups`, `dbm restore`).",
            )
        return planned

    def _ledger_steps(self, db: Database, steps: list[PlannedStep]) -> list[LedgerStep]:
        from ...ledger import LedgerStep
        from ...sqlsplit import split

        files = {f.id: f for f in self.migration_files()}
        out = []
        for step in steps:
            f = files.get(step.migration)
            if f is None:
                raise ProjectError(
                    f"The migration file for {step.migration} is gone.",
                    next_step="Restore it, or run `dbm status` and preview again.",
                )
            if step.direction == "up":
                (text, line), path = self._parts(f)[0], f.path
            else:
                text, line, path = self._down_part(f) or ("", 1, f.path)
            if text.strip() != step.sql:
                raise ProjectError(
                    f"{self.relative(path)} changed since it was previewed.",
                    next_step="Preview again (`dbm migrate --dry-run`) and confirm the new SQL.",
                )
            out.append(
                LedgerStep(
                    f.id,
                    step.direction,
                    tuple(split(text, db.dialect, line)),
                    step.transactional,
                    self.relative(path),
                    {"checksum": f.checksum},
                )
            )
        return out

    def _run(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        from ...ledger import Ledger

        ledger = Ledger(db, RawSqlBook(db.dialect))
        outcomes = ledger.run(self._ledger_steps(db, steps))
        self.last_notes = list(ledger.notes)
        return outcomes

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        return self._run(db, steps)

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        return self._run(db, steps)

    # --- recovery -------------------------------------------------------------------------------
    def _bookkeeping(self, db: Database, work) -> str:
        from ...ledger import LedgerConfig, Session

        session = Session(db, LedgerConfig())
        try:
            with session.runner_lock():
                book = RawSqlBook(db.dialect, strict=False)
                book.prepare(session)
                book.done = None
                session.begin()
                summary = work(session, book)
                session.commit()
                return summary
        finally:
            session.close()

    def resolve(self, db: Database, migration: str, state: str) -> str:
        files = {f.id: f for f in self.migration_files()}
        f = files.get(migration)
        if state == "applied":
            return self._bookkeeping(db, lambda s, b: b.mark_applied(s, migration, f.checksum if f else None))
        return self._bookkeeping(db, lambda s, b: b.mark_rolled_back(s, migration))

    def baseline(self, db: Database, target: str | None = None) -> str:
        steps = self.plan_apply(db, target)

        def work(s, book):
            return "\n".join(book.mark_applied(s, st.migration, st.extra.get("checksum")) for st in steps)

        return self._bookkeeping(db, work)
