"""dbmate (read-only): ``db/migrations/<version>_<name>.sql`` with ``-- migrate:up`` /
``-- migrate:down`` sections, and ``schema_migrations (version varchar PK)`` holding one row per
applied version. dbmate keeps no checksum and no applied time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import iter_files, read_text
from .._tables import read_table
from ..base import Adapter, Evidence, History, LedgerRecord, MigrationFile, merge_history
from ..foreign_tables import TableMark

if TYPE_CHECKING:
    from ...db import Database

FOLDERS = ("db/migrations", "migrations")
TABLE = "schema_migrations"
VERSION = re.compile(r"^(\d+)_")


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
        return Evidence(cls.tool, (f"{rel}/*.sql (-- migrate:up)",), rel, len(files))

    def migration_files(self) -> list[MigrationFile]:
        out = []
        for path in self.files_in(self.root)[1]:
            m = VERSION.match(path.name)
            if m:  # dbmate's id is the numeric prefix; the rest of the name is free text
                out.append(MigrationFile(m.group(1), path, None, {"name": path.stem[len(m.group(0)) :]}))
        return out

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        if db is None:
            return merge_history(self, files, None, table=TABLE, extra_columns=("name",))
        read = read_table(db, TABLE, "version")
        if read is None:
            h = merge_history(self, files, [], table=TABLE, extra_columns=("name",))
            return History(h.rows, False, TABLE, None, h.notes, h.extra_columns)
        records = [LedgerRecord(str(r["version"])) for r in read]
        return merge_history(self, files, records, table=TABLE, extra_columns=("name",))
