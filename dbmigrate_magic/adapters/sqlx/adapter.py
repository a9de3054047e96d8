"""sqlx (Rust, read-only): ``migrations/<version>_<description>.sql`` (or ``.up.sql`` / ``.down.sql``)
and ``_sqlx_migrations (version, description, installed_on, success, checksum, execution_time)``.
A row with ``success`` false is a migration that did not finish (sqlx refuses to go on: dirty); a
checksum that differs from the file's is a modified migration (sqlx: VersionMismatch)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for
from .._files import read_text
from .._tables import read_table
from ..base import (
    Adapter,
    Evidence,
    History,
    LedgerRecord,
    MigrationFile,
    PlannedStep,
    in_version_order,
    merge_history,
    to_utc,
)
from ..foreign_tables import TableMark
from . import files as sf

if TYPE_CHECKING:
    from ...db import Database
    from ...dialects import Dialect

COLUMNS = ("description", "execution_time")


class SqlxAdapter(Adapter):
    tool = "sqlx"
    display_name = "sqlx"
    table_marks = (
        TableMark("sqlx", "_sqlx_migrations", ("version", "checksum", "success"), command="sqlx migrate run"),
    )
    read_only = True

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        s = sf.settings(root)
        if s is None:
            return None
        found = sf.files(root / s.migrations_dir)
        if not found:
            return None
        applied = [f for f in found if f.kind != "down"]
        return Evidence(
            cls.tool, (s.source, f"{s.migrations_dir}/<version>_<description>.sql"), s.migrations_dir, len(applied)
        )

    @property
    def settings(self) -> sf.Settings:
        return sf.settings(self.root) or sf.Settings(sf.DEFAULT_DIR, sf.DEFAULT_TABLE, frozenset(), "")

    def tracking_tables(self) -> tuple[str, ...]:
        return (self.settings.table,)

    def migration_files(self) -> list[MigrationFile]:
        s = self.settings
        found = sf.files(self.root / s.migrations_dir)
        downs = {f.version: f.path.name for f in found if f.kind == "down"}
        return [
            MigrationFile(
                str(f.version),
                f.path,
                sf.checksum(f.path, s.ignored_chars),
                {"description": f.description, "down_file": downs.get(f.version)},
            )
            for f in found
            if f.kind != "down"
        ]

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        table = self.settings.table
        cols = ("description", "down_file")
        if db is None:
            return in_version_order(merge_history(self, files, None, table=table, extra_columns=cols))
        read = read_table(db, table, "*", "ORDER BY version")
        if read is None:
            h = merge_history(self, files, [], table=table, extra_columns=cols)
            return in_version_order(History(h.rows, False, table, None, h.notes, h.extra_columns))
        records = []
        for row in read:
            stored = row.get("checksum")
            ok = bool(row.get("success"))
            records.append(
                LedgerRecord(
                    str(row["version"]),
                    to_utc(row.get("installed_on")),
                    bytes(stored).hex() if stored is not None else None,
                    "applied" if ok else "failed",
                    {"description": row.get("description")},
                    None if ok else "dirty: it started and did not finish; sqlx stops until the row is fixed",
                )
            )
        return in_version_order(merge_history(self, files, records, table=table, extra_columns=cols))

    def runs_in_transaction(self, f: MigrationFile, dialect: Dialect) -> bool | None:
        """As ``plan_apply``: sqlx runs each migration in a transaction where the database has
        transactional DDL, unless the file starts with ``-- no-transaction``."""
        return dialect.transactional_ddl and not read_text(f.path, 10_000_000).startswith("-- no-transaction")

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        """Each pending migration's SQL, as sqlx would run it (for the preview and ``lint --pending``)."""
        transactional_ddl = dialect_for(db).transactional_ddl
        by_id = {f.id: f for f in self.migration_files()}
        steps = []
        for row in self.history(db).rows:
            if row.state != "pending":
                continue
            sql = read_text(by_id[row.migration].path, 10_000_000)
            steps.append(
                PlannedStep(
                    row.migration, row.file, "up", sql, transactional_ddl and not sql.startswith("-- no-transaction")
                )
            )
            if row.migration == target:
                break
        return steps
