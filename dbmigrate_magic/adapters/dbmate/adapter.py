"""dbmate (read-only): ``<version>_<name>.sql`` files with ``-- migrate:up`` / ``-- migrate:down``
sections in ``db/migrations`` (or the folder its scripts or ``.env`` name), and
``schema_migrations (version varchar PK)`` (or ``--migrations-table``) holding one row per applied
version. dbmate keeps no checksum and no applied time. Pending migrations are planned (their up
part, for the preview and ``lint --pending``) but never run here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for
from .._files import iter_files, read_text
from .._tables import read_table
from ..base import Adapter, Evidence, History, LedgerRecord, MigrationFile, PlannedStep, merge_history
from ..foreign_tables import TableMark
from .config import settings
from .files import located_sections, sections, statement_ended

if TYPE_CHECKING:
    from ...db import Database
    from ...dialects import Dialect

FOLDERS = ("db/migrations", "migrations")
#: dbmate's own file pattern: a numeric version, an underscore, anything, .sql
FILE = re.compile(r"^(\d+)_.*\.sql$")


class DbmateAdapter(Adapter):
    tool = "dbmate"
    display_name = "dbmate"
    table_marks = (
        TableMark(
            "dbmate (or Rails)", "schema_migrations", ("version",), ("dirty", "inserted_at"), command="dbmate up"
        ),
    )
    read_only = True

    @classmethod
    def files_in(cls, root: Path) -> tuple[Path | None, list[Path]]:
        """The folder dbmate reads and its migrations: a configured folder's every ``<version>_*.sql``
        (dbmate is named there), else the first default folder whose files carry dbmate's marker."""
        for folder in settings(root).dirs:
            files = [p for p in iter_files(root / folder, "*.sql") if FILE.match(p.name)]
            if files:
                return root / folder, files
        for folder in FOLDERS:
            files = [p for p in iter_files(root / folder, "*.sql") if "-- migrate:up" in read_text(p, 8192)]
            if files:
                return root / folder, files
        return None, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        folder, files = cls.files_in(root)
        if not files or folder is None:
            return None
        rel = folder.relative_to(root).as_posix()
        source = settings(root).source
        evidence = (f"{rel}/*.sql (-- migrate:up)",) + ((source,) if source else ())
        return Evidence(cls.tool, evidence, rel, len(files))

    def table_name(self) -> tuple[str | None, str]:
        """(schema or None, table) of the tracking table: ``--migrations-table`` may qualify it."""
        table = settings(self.root).table
        schema, _, name = table.rpartition(".")
        return schema or None, name

    def tracking_tables(self) -> tuple[str, ...]:
        return (settings(self.root).table,)

    def file_parts(self, text: str) -> list[tuple[str, int]] | None:
        return located_sections(text)

    def runs_in_transaction(self, f: MigrationFile, dialect: Dialect) -> bool | None:
        """As ``plan_apply``: dbmate runs the up part in a transaction where the database has
        transactional DDL, unless its marker says ``transaction:false``."""
        return sections(read_text(f.path)).up_transaction and dialect.transactional_ddl

    def migration_files(self) -> list[MigrationFile]:
        out = []
        for path in self.files_in(self.root)[1]:
            m = FILE.match(path.name)
            if m:  # dbmate's id is the numeric prefix; the rest of the name is free text
                name = path.stem[len(m.group(1)) + 1 :]
                out.append(MigrationFile(m.group(1), path, None, {"name": name}))
        return sorted(out, key=lambda f: f.id)

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        label = settings(self.root).table
        if db is None:
            return merge_history(self, files, None, table=label, extra_columns=("name",))
        schema, table = self.table_name()
        read = read_table(db, table, "version", schema=schema if dialect_for(db).has_schemas else None)
        if read is None:
            h = merge_history(self, files, [], table=label, extra_columns=("name",))
            return History(h.rows, False, label, None, h.notes, h.extra_columns)
        records = [LedgerRecord(str(r["version"])) for r in read]
        return merge_history(self, files, records, table=label, extra_columns=("name",))

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        """The up part of each pending migration, as dbmate would send it (never run here)."""
        transactional_ddl = dialect_for(db).transactional_ddl
        pending = [r for r in self.history(db).rows if r.state == "pending"]
        files = {f.id: f for f in self.migration_files()}
        steps = []
        for row in pending:
            part = sections(read_text(files[row.migration].path))
            steps.append(
                PlannedStep(
                    row.migration,
                    row.file,
                    "up",
                    statement_ended(part.up),
                    part.up_transaction and transactional_ddl,
                )
            )
            if target is not None and row.migration == target:
                break
        return steps
