"""Raw SQL, our own format: ``migrations/<YYYYMMDDHHMMSS>_<name>.sql`` with ``-- UP`` / ``-- DOWN``
sections, tracked in ``_migrations (id, filename UNIQUE, applied_at)``.

The minimal table must keep working; extra columns (checksum, state, ...) are read when present.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ._files import iter_files, read_text
from .base import Adapter, Evidence, History, LedgerRecord, MigrationFile, merge_history, sha256_hex, to_utc

if TYPE_CHECKING:
    from ..db import Database

MIGRATIONS_DIR = "migrations"
TABLE = "_migrations"


def is_rawsql_file(path: Path) -> bool:
    name = path.name
    if not name.endswith(".sql") or name.endswith((".up.sql", ".down.sql")):
        return False
    if re.match(r"^[VU]\d", name) and "__" in name or name.startswith("R__"):
        return False  # Flyway's naming
    return "-- migrate:up" not in read_text(path, 4096)  # dbmate's marker


def file_checksum(data: bytes) -> str:
    """sha256 of the file with line endings normalised, so a CRLF checkout is not 'modified'."""
    return sha256_hex(data.replace(b"\r\n", b"\n"))


class RawSqlAdapter(Adapter):
    tool = "rawsql"
    display_name = "Raw SQL"
    table = TABLE

    @classmethod
    def files_in(cls, root: Path) -> list[Path]:
        return [p for p in iter_files(root / MIGRATIONS_DIR, "*.sql") if is_rawsql_file(p)]

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        files = cls.files_in(root)
        if not files:
            return None
        return Evidence(cls.tool, (f"{MIGRATIONS_DIR}/*.sql",), MIGRATIONS_DIR, len(files))

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        folder = root / MIGRATIONS_DIR
        if folder.is_dir() and not cls.files_in(root) and any(folder.glob("*.py")):
            return "migrations/ ignored for raw SQL: it holds .py files, not .sql migrations"
        return None

    def migration_files(self) -> list[MigrationFile]:
        return [MigrationFile(p.name, p, file_checksum(p.read_bytes())) for p in self.files_in(self.root)]

    def read_ledger(self, db: "Database") -> list[LedgerRecord] | None:
        """Rows of ``_migrations``, or None when the table does not exist (nothing is created)."""
        from sqlalchemy import inspect, text

        with db.connect() as conn:
            insp = inspect(conn)
            if not insp.has_table(TABLE):
                return None
            columns = {c["name"] for c in insp.get_columns(TABLE)}
            wanted = ["filename", "applied_at"] + [c for c in ("checksum", "state", "error") if c in columns]
            result = conn.execute(text(f"SELECT {', '.join(wanted)} FROM {TABLE}"))
            records = []
            for row in result.mappings():
                state = (row.get("state") or "applied").lower()
                note = row.get("error") if state == "failed" else None
                records.append(LedgerRecord(row["filename"], to_utc(row["applied_at"]), row.get("checksum"),
                                            state, note=note))
            return records

    def history(self, db: "Database | None") -> History:
        files = self.migration_files()
        if db is None:
            return merge_history(self, files, None, table=TABLE)
        records = self.read_ledger(db)
        if records is None:
            h = merge_history(self, files, [], table=TABLE)
            return History(h.rows, False, TABLE, None, h.notes)
        return merge_history(self, files, records, table=TABLE)
