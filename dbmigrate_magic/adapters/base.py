"""The protocol every migration-tool adapter implements, and the records they share.

Tool facts (file layout, tracking table, checksum rule, how to apply) live in one adapter per
tool; everything above this layer (api, display) only speaks this protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ..errors import UnsupportedOperation, UsageProblem
from .foreign_tables import TableMark

if TYPE_CHECKING:
    from ..config import FoundConnection
    from ..db import Database
    from ..dialects.base import Dialect

#: every state a migration row can be in
STATES = ("applied", "pending", "failed", "modified", "missing", "rolled_back", "skipped", "unknown")
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Evidence:
    """Why a tool was detected: the files that matched and anything worth saying."""

    tool: str
    files: tuple[str, ...]
    migrations_dir: str | None = None
    migration_count: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MigrationFile:
    """A migration as it exists on disk."""

    id: str  # the tool's own id/name for the migration
    path: Path  # absolute
    checksum: str | None = None  # in the tool's own checksum format, None if the tool keeps none
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationRow:
    """One row of ``status``: a migration on disk, in the tracking table, or both."""

    migration: str
    file: str | None  # path relative to the project root
    state: str
    applied_at: dt.datetime | None = None  # timezone-aware UTC
    checksum_ok: bool | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        row = {
            "migration": self.migration,
            "file": self.file,
            "state": self.state,
            "applied_at": self.applied_at,
            "checksum_ok": self.checksum_ok,
        }
        row.update(self.extra)
        row["note"] = self.note
        return row


@dataclass(frozen=True)
class PlannedStep:
    """One migration about to run, up or down, with the SQL shown in the preview."""

    migration: str
    file: str | None
    direction: str  # "up" or "down"
    sql: str  # the exact SQL, or the best preview the tool gives (Alembic offline, sqlmigrate)
    transactional: bool  # runs in one transaction with its tracking row
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepOutcome:
    """What happened to one planned step."""

    migration: str
    direction: str
    state: str  # applied, rolled_back, failed, skipped
    seconds: float = 0.0
    error: str | None = None  # masked database message, with the failing statement
    statements_run: int | None = None
    #: a lock timeout: who held the lock (as last seen while waiting); None for any other failure
    blocked: str | None = None


@dataclass(frozen=True)
class History:
    """What an adapter read: rows in apply order plus facts for the summary line."""

    rows: tuple[MigrationRow, ...]
    table_exists: bool
    table: str  # tracking table name, for messages
    current: str | None = None  # current version / head(s)
    notes: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()


def sha256_hex(data: bytes) -> str:
    import hashlib  # here: loading OpenSSL is a cost every status listing would pay

    return hashlib.sha256(data).hexdigest()


def to_utc(value: Any) -> dt.datetime | None:
    """Normalise a stored time (datetime, ISO text, epoch seconds or milliseconds) to aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, (int, float)) or (
        isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()
    ):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000.0
        return dt.datetime.fromtimestamp(number, tz=dt.UTC)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        return to_utc(parsed)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


class Adapter:
    """Base class: detection is required; other operations raise until a tool implements them."""

    tool: ClassVar[str]  # lowercase id used in JSON: prisma, drizzle, ...
    display_name: ClassVar[str]
    read_only: ClassVar[bool] = False
    #: its operations may run in several threads at once (a fleet's --parallel): False when they
    #: change process-wide state (the working folder, os.environ), and a fleet uses processes
    thread_safe: ClassVar[bool] = True
    #: where the tool keeps a migration's down part when it is code in the migration file itself
    #: (Knex ``exports.down``, Alembic ``downgrade()``): a computed down part is not stored for those
    down_in_file: ClassVar[str | None] = None
    #: directions our shared ledger runs (each SQLite step there has its foreign_keys pragmas taken
    #: out of the transaction, see sqlite_fk); the preview lints those pragmas as running outside it
    ledger_directions: ClassVar[tuple[str, ...]] = ()
    #: a format that takes any file of a kind (raw SQL: every ``*.sql``): it yields a folder to a tool
    #: whose own naming claims it too (``project.prefer_specific``)
    generic: ClassVar[bool] = False
    #: the tool's tracking tables as it creates them by default: in another tool's project's
    #: database they show the database belongs to this tool (``adapters.ownership``)
    table_marks: ClassVar[tuple[TableMark, ...]] = ()
    #: where new migrations go when a tool keeps several migration folders (Django apps: ``--app``);
    #: None lets the adapter choose (the only one), tools with one folder ignore it
    app: str | None = None
    #: the dialect of the database new migrations will run on, when the verb writing them knows it
    #: (the environment's URL; ``dbm plan`` the live database): tools whose files hold SQL split into
    #: statements (Knex) split it as that dialect rather than guessing from their config. None: guess
    sql_dialect: str | None = None

    def __init__(self, root: Path, evidence: Evidence | None = None):
        self.root = root
        self.evidence = evidence

    # --- detection and configuration -----------------------------------------------
    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        """Evidence that ``root`` uses this tool, or None."""
        raise NotImplementedError

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        """Why a file or folder in ``root`` that looks like this tool's was ignored (a ``manage.py``
        that does not import Django), for ``dbm detect``; None when there is none."""
        return None

    @classmethod
    def recommendation(cls, root: Path) -> str | None:
        """Why this tool fits a project that has none yet (``dbm detect`` recommends one), or None.
        ``RECOMMENDATION_ORDER`` in ``adapters`` says which tool's answer counts first."""
        return None

    def config_connections(self) -> list[FoundConnection]:
        """Connections named in the tool's own config files (knexfile, alembic.ini, ...)."""
        return []

    def preferred_variables(self) -> tuple[str, ...]:
        """Environment variables the tool's config reads the URL from (e.g. Prisma env("X"))."""
        return ()

    def url_base_dir(self) -> Path:
        """Folder relative SQLite paths in ``.env`` URLs resolve against (Prisma: the schema's)."""
        return self.root

    def relative(self, path: Path) -> str:
        """``path`` relative to the root (as text), else as given. The folder's part is worked out
        once per folder: ``Path.relative_to`` for each of 2,000 files is a good part of a status."""
        if path == self.root:
            return "."
        prefix = self._folder_prefix(path.parent)
        return str(path) if prefix is None or not path.name else prefix + path.name

    def relative_in(self, folder: Path, name: str) -> str:
        """``folder / name`` (``name`` "/"-separated) as ``relative`` gives it, without a ``Path``
        made for each of 2,000 files."""
        prefix = self._folder_prefix(folder)
        return str(folder / name) if prefix is None else prefix + name

    def _folder_prefix(self, folder: Path) -> str | None:
        """``folder`` relative to the root with a trailing "/" ("" for the root itself), or None
        when it is outside; worked out once per folder."""
        folders: dict[str, str | None] = self.__dict__.setdefault("_relative_folders", {})
        key = str(folder)  # kept by the Path once made: cheaper to hash than the Path itself
        if key not in folders:
            try:
                rel = folder.relative_to(self.root).as_posix()
                folders[key] = "" if rel == "." else rel + "/"
            except ValueError:
                folders[key] = None
        return folders[key]

    # --- reading ----------------------------------------------------------------------
    def migration_files(self) -> list[MigrationFile]:
        raise self._unsupported("list migration files")

    def history(self, db: Database | None) -> History:
        """Status rows; with ``db`` None (unreachable) every file is reported ``unknown``."""
        raise self._unsupported("read migration history")

    def runs_in_transaction(self, f: MigrationFile, dialect: Dialect) -> bool | None:
        """Whether the tool runs migration ``f`` inside a transaction on ``dialect``, as its apply
        (and the preview's ``PlannedStep.transactional``) does: ``dbm lint FILE`` on a file of the
        project lints it as it will run. None: the tool's rule is not known here."""
        return None

    def file_parts(self, text: str) -> list[tuple[str, int]] | None:
        """For a migration file that also holds its down part: the part ``migrate`` runs, then the
        down part if there is one, each with the 1-based line it starts on, so ``dbm lint FILE``
        lints what will run (as ``--pending`` does) and each part as the tool cuts it.
        None: the whole file runs."""
        return None

    def tracking_tables(self) -> tuple[str, ...]:
        """The tables the tool keeps its bookkeeping in (``schema.table`` where it pins a schema):
        schema comparisons (drift, diff, generated migrations) leave them out, since no migration
        creates them. Tools whose table name is configurable answer from their config."""
        return (self.history(None).table,)

    def parents(self, migration: str) -> list[str]:
        """The migrations ``migration`` is applied right after: migrating up to each of them builds
        the schema it starts from (``generate --down-for``). For a linear history the previous file;
        tools with a graph (Alembic, Django) answer from it, since "the file before" may be on
        another branch or in another app."""
        ids = [f.id for f in self.migration_files()]
        if migration not in ids:
            raise UsageProblem(f"There is no migration named {migration}.", next_step="`dbm status` lists them.")
        i = ids.index(migration)
        return ids[i - 1 : i]

    # --- changing (implemented per tool) -----------------------------------------------
    # The api layer (``_verbs/migrate.py``) previews a plan, runs the guard (confirmation,
    # production rules, lint, backup), takes the lock and only then calls ``apply``/``rollback``.

    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        """Write a migration in the tool's own format and location; return its path."""
        raise self._unsupported("write a new migration")

    #: why this tool cannot run one migration outside a transaction (None: it can, or nothing is known)
    no_transaction_limit: str | None = None

    def mark_outside_transaction(self, path: Path) -> str:
        """Make the migration written at ``path`` (by ``new_migration``) run outside a transaction, as
        CREATE INDEX CONCURRENTLY needs (Alembic ``autocommit_block``, Django ``atomic = False``, Knex
        ``config.transaction = false``); returns how, for the plan. Raises when the tool cannot."""
        raise UnsupportedOperation(
            f"{self.display_name} migrations written by dbmigrate_magic cannot run outside a transaction.",
            unchanged="The plan's other migrations are unchanged.",
            next_step="Run that step's SQL by hand (psql) at its place in the plan, then record it with the tool.",
        )

    def autogenerate(self, db: Database, name: str) -> list[Path]:
        """Let the tool compare its own models with ``db`` and write a migration (Alembic
        autogenerate, Django makemigrations); the files written, none when it found no change."""
        raise self._unsupported("autogenerate a migration from models")

    def autogenerate_hint(self) -> str | None:
        """A note for ``generate`` when the tool can write the migration from models itself."""
        return None

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        """The migration an earlier run wrote from this same name and SQL (re-run runbooks)."""
        return None

    def migration_file(self, migration_id: str) -> MigrationFile:
        """The file of the migration whose id (as ``dbm status`` lists it) is ``migration_id``."""
        found = next((f for f in self.migration_files() if f.id == migration_id), None)
        if found is None:
            raise UsageProblem(
                f"There is no {self.display_name} migration {migration_id!r}.",
                unchanged="Nothing was changed.",
                next_step="Run `dbm status` to see the names.",
            )
        return found

    def migration_id(self, name: str) -> str:
        """The id (as ``dbm status`` lists it) of the migration ``name`` means. Exact ids here (Prisma's
        folder name, Drizzle's tag); a tool whose rollback accepts shorter forms accepts them too."""
        return self.migration_file(name).id

    def down_file(self, migration_id: str, force: bool = False) -> Path:
        """Where a computed down part for ``migration_id`` is stored (``generate --down-for --write``);
        raises when the tool cannot store one or one exists already (unless ``force``). Writes nothing."""
        f = self.migration_file(migration_id)
        if self.down_in_file:
            raise UnsupportedOperation(
                f"{self.display_name} keeps a migration's down part in the migration itself: {self.relative(f.path)} "
                f"has {self.down_in_file}.",
                unchanged="No file was written.",
                next_step=f"Edit it there; `dbm generate --down-for {migration_id}` (without --write) shows the "
                "SQL a down part has to undo.",
            )
        path = self.stored_down_path(f)
        if path is None:
            raise self._unsupported("store a computed down migration")
        if path.exists() and not force:
            raise UsageProblem(
                f"{migration_id} already has a down part: {self.relative(path)}.",
                unchanged="No file was written.",
                next_step="Review it; pass --force to replace it with the computed one.",
            )
        return path

    def stored_down_path(self, f: MigrationFile) -> Path | None:
        """The file this tool's rollback reads as the down part of ``f`` (kept apart from the migration
        file, whose checksum covers it); None when the tool has no such file."""
        return None

    def store_down(self, migration_id: str, down_sql: str, force: bool = False) -> Path:
        """Store ``down_sql`` as the down part of an existing migration where ``rollback`` reads it,
        without touching the migration's own (checksummed) file. Returns the file written."""
        path = self.down_file(migration_id, force)
        path.write_text(down_sql.strip() + "\n", encoding="utf-8")
        return path

    def discard_migration(self, path: Path) -> str:
        """Undo ``new_migration`` when its preview is cancelled; tools that also edit a journal
        or index file override this. Returns what was removed, for the message."""
        import shutil

        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        return f"Removed {self.relative(path)}."

    def preview_notes(self, db: Database) -> list[str]:
        """What applying will do besides the migrations' SQL (create or upgrade the tracking table)."""
        return []

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        """Pending migrations (all, or up to ``target``) with the exact SQL each will run."""
        raise self._unsupported("apply migrations")

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        """Run planned steps with the tool's own semantics and bookkeeping."""
        raise self._unsupported("apply migrations")

    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        raise self._unsupported("roll back migrations")

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        raise self._unsupported("roll back migrations")

    def resolve(self, db: Database, migration: str, state: str) -> str:
        """Mark a migration ``applied`` or ``rolled_back`` without running it; returns a summary."""
        raise self._unsupported("resolve a migration")

    def baseline(self, db: Database, target: str | None = None) -> str:
        """Record migrations up to ``target`` as applied on an existing database."""
        raise self._unsupported("baseline a database")

    def _unsupported(self, what: str) -> UnsupportedOperation:
        extra = " (read-only support)" if self.read_only else ""
        return UnsupportedOperation(
            f"dbmigrate_magic cannot {what} for {self.display_name} projects yet{extra}.",
            next_step=f"Use {self.display_name}'s own command line for this step.",
        )


@dataclass(frozen=True)
class LedgerRecord:
    """One row of a tracking table, in the tool-neutral form the merge below needs."""

    id: str
    applied_at: dt.datetime | None = None
    checksum: str | None = None
    state: str = "applied"  # applied, failed, rolled_back
    extra: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


class Listed(NamedTuple):
    """A migration file as a listing joins it to the tracking table: its id, its path as status
    shows it, and what the tool keeps of it. A tuple: a listing makes 2,000 of them."""

    id: str
    shown: str | None
    checksum: str | None = None
    extra: Mapping[str, Any] = _NO_EXTRA


def merge_history(
    adapter: Adapter,
    files: list[MigrationFile],
    records: list[LedgerRecord] | None,
    *,
    table: str,
    extra_columns: tuple[str, ...] = (),
    current: str | None = None,
    notes: tuple[str, ...] = (),
) -> History:
    """Join files and tracking rows by id: the common case for tools with a linear history.

    ``records`` None means the database could not be read: every file is ``unknown``. Rows
    keep the files' order; records with no file (``missing``) are placed where they sort.
    """
    listed = [Listed(f.id, adapter.relative(f.path), f.checksum, f.extra) for f in files]
    return merge_listed(listed, records, table=table, extra_columns=extra_columns, current=current, notes=notes)


def merge_listed(
    files: Sequence[Listed],
    records: list[LedgerRecord] | None,
    *,
    table: str,
    extra_columns: tuple[str, ...] = (),
    current: str | None = None,
    notes: tuple[str, ...] = (),
) -> History:
    """``merge_history`` for files an adapter lists by name, with no ``MigrationFile`` (nor
    ``Path``) made for each of them: Knex's 2,000 names in one folder."""
    if records is None:
        unread = tuple(MigrationRow(f.id, f.shown, "unknown", extra=_pick(f.extra, extra_columns)) for f in files)
        return History(unread, False, table, None, notes, extra_columns)
    by_id: dict[str, LedgerRecord] = {}
    for r in records:
        by_id.setdefault(r.id, r)
    file_ids = {f.id for f in files}
    rows: list[tuple[str, MigrationRow]] = []
    for f in files:
        rec = by_id.get(f.id)
        if rec is None:
            rows.append((f.id, MigrationRow(f.id, f.shown, "pending", extra=_pick(f.extra, extra_columns))))
            continue
        # the record's value where it has the column, else the file's
        extra = {c: rec.extra[c] if c in rec.extra else f.extra.get(c) for c in extra_columns}
        checksum_ok = None
        if rec.checksum is not None and f.checksum is not None:
            checksum_ok = rec.checksum == f.checksum
        state = rec.state
        if state == "applied" and checksum_ok is False:
            state = "modified"
        rows.append((f.id, MigrationRow(f.id, f.shown, state, rec.applied_at, checksum_ok, rec.note, extra)))
    for rec in records:
        if rec.id not in file_ids:
            state = "missing" if rec.state == "applied" else rec.state
            rows.append(
                (
                    rec.id,
                    MigrationRow(
                        rec.id,
                        None,
                        state,
                        rec.applied_at,
                        None,
                        rec.note or "recorded in the database, file not found",
                        _pick(rec.extra, extra_columns),
                    ),
                )
            )
    rows.sort(key=itemgetter(0))
    if current is None:
        applied = [r for _, r in rows if r.state in ("applied", "modified")]
        current = applied[-1].migration if applied else None
    return History(tuple(r for _, r in rows), True, table, current, notes, extra_columns)


def _pick(values: Mapping[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: values.get(c) for c in columns}


def rows_to_revert(
    rows: tuple[MigrationRow, ...], steps: int | None, target: str | None, tool: str, noun: str = "name"
) -> list[MigrationRow]:
    """The applied rows a rollback undoes, oldest first: the last ``steps`` (default 1), or every
    one after ``target`` (which stays applied). Shared by the tools whose down SQL we run ourselves."""
    applied = [r for r in rows if r.state in ("applied", "modified", "missing")]
    if target is None:
        return applied[len(applied) - (steps or 1) :] if applied else []
    names = [r.migration for r in applied]
    if target not in names:
        raise UnsupportedOperation(
            f"{target!r} is not an applied {tool} migration.", next_step=f"Use an applied {noun} from `dbm status`."
        )
    return applied[names.index(target) + 1 :]


def in_version_order(history: History) -> History:
    """Rows ordered by their version as a number (2 before 10, as goose and sqlx order them), the
    newest applied one as current."""
    rows = tuple(sorted(history.rows, key=lambda r: int(r.migration)))
    applied = [r.migration for r in rows if r.state in ("applied", "modified")]
    current = applied[-1] if applied and history.table_exists else history.current
    return History(rows, history.table_exists, history.table, current, history.notes, history.extra_columns)
