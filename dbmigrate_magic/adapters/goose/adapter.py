"""goose (Go, read-only): ``<version>_<name>.sql`` files with ``-- +goose Up`` / ``-- +goose Down``
sections, and ``goose_db_version (id, version_id, is_applied, tstamp)``: goose appends a row per
up (and, in older versions, a row with ``is_applied`` false per down); a version is applied when
its newest row says so. Version 0 is the row goose writes when it creates the table. dbm shows
status and previews; ``goose up`` runs them (writes refuse, as for every read-only tool)."""

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
from . import files as gf

if TYPE_CHECKING:
    from ...db import Database


class GooseAdapter(Adapter):
    tool = "goose"
    display_name = "goose"
    table_marks = (TableMark("goose", "goose_db_version", ("version_id", "is_applied"), command="goose up"),)
    read_only = True

    @classmethod
    def folder(cls, root: Path) -> tuple[str | None, list[gf.GooseFile]]:
        """The folder goose reads (the configured one, else the first default holding goose files)."""
        s = gf.settings(root)
        for folder in (s.migrations_dir,) if s.migrations_dir else gf.FOLDERS:
            found = gf.files(root / folder)
            if found:
                return folder, found
        return s.migrations_dir, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        folder, found = cls.folder(root)
        if not found or folder is None:
            return None
        source = gf.settings(root).source
        evidence = (f"{folder}/<version>_<name>.sql (-- +goose Up)",) + ((source,) if source else ())
        return Evidence(cls.tool, evidence, folder, len(found))

    def tracking_tables(self) -> tuple[str, ...]:
        return (gf.settings(self.root).table,)

    def migration_files(self) -> list[MigrationFile]:
        return [MigrationFile(str(f.version), f.path, None, {"name": f.name}) for f in self.folder(self.root)[1]]

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        table = gf.settings(self.root).table
        if db is None:
            return in_version_order(merge_history(self, files, None, table=table, extra_columns=("name",)))
        read = read_table(db, table, "id, version_id, is_applied, tstamp", "ORDER BY id")
        if read is None:
            h = merge_history(self, files, [], table=table, extra_columns=("name",))
            return in_version_order(History(h.rows, False, table, None, h.notes, h.extra_columns))
        newest: dict[str, dict] = {}
        for row in read:  # goose's rule: the newest row of a version says whether it is applied
            if int(row["version_id"]) != 0:
                newest[str(row["version_id"])] = row
        records = [
            LedgerRecord(version, to_utc(row.get("tstamp")))
            for version, row in newest.items()
            if bool(row.get("is_applied"))
        ]
        return in_version_order(merge_history(self, files, records, table=table, extra_columns=("name",)))

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        """The pending migrations' files as goose would run them (never run here)."""
        transactional_ddl = dialect_for(db).transactional_ddl
        by_id = {f.id: f for f in self.migration_files()}
        steps = []
        for row in self.history(db).rows:
            if row.state != "pending":
                continue
            text = read_text(by_id[row.migration].path, 10_000_000)
            down = gf.DOWN.search(text)
            up = text[: down.start()] if down else text
            in_tx = transactional_ddl and not gf.NO_TRANSACTION.search(text)
            steps.append(PlannedStep(row.migration, row.file, "up", up, in_tx))
            if row.migration == target:
                break
        return steps
