"""golang-migrate (read-only): ``<version>_<title>.up.sql``/``.down.sql`` and
``schema_migrations (version bigint PK, dirty boolean)`` holding ONE row: every migration with a
version <= it counts as applied; ``dirty`` means that version started and did not finish (failed).
No checksum, no applied time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import iter_files
from .._tables import read_table
from ..base import Adapter, Evidence, History, MigrationFile, MigrationRow
from ..foreign_tables import TableMark

if TYPE_CHECKING:
    from ...db import Database

FOLDERS = ("migrations", "db/migrations", "db/migration")
TABLE = "schema_migrations"
UP_FILE = re.compile(r"^(\d+)_(.*)\.up\.sql$")


class GolangMigrateAdapter(Adapter):
    tool = "golang-migrate"
    display_name = "golang-migrate"
    table_marks = (
        TableMark(
            "golang-migrate", "schema_migrations", ("version", "dirty"), command="migrate -path DIR -database URL up"
        ),
    )
    read_only = True

    @classmethod
    def files_in(cls, root: Path) -> tuple[Path | None, list[Path]]:
        for folder in FOLDERS:
            ups = iter_files(root / folder, "*.up.sql")
            if ups:
                return root / folder, ups
        return None, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        folder, ups = cls.files_in(root)
        if folder is None:
            return None
        rel = folder.relative_to(root).as_posix()
        return Evidence(cls.tool, (f"{rel}/*.up.sql",), rel, len(ups))

    def migration_files(self) -> list[MigrationFile]:
        out = []
        for path in self.files_in(self.root)[1]:
            m = UP_FILE.match(path.name)
            if m:
                down = path.with_name(path.name[: -len(".up.sql")] + ".down.sql")
                out.append(
                    MigrationFile(
                        str(int(m.group(1))),
                        path,
                        None,
                        {"title": m.group(2), "down_file": down.name if down.is_file() else None},
                    )
                )
        return sorted(out, key=lambda f: int(f.id))  # golang-migrate orders by the number

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        cols = ("title", "down_file")
        rel = self.relative
        if db is None:
            unread = tuple(MigrationRow(f.id, rel(f.path), "unknown", extra=_pick(f)) for f in files)
            return History(unread, False, TABLE, None, (), cols)
        read = read_table(db, TABLE)  # every column: dbmate's table of the same name has no dirty
        if read is None:
            unread = tuple(MigrationRow(f.id, rel(f.path), "pending", extra=_pick(f)) for f in files)
            return History(unread, False, TABLE, None, (), cols)
        records, columns = read, read.columns
        notes: list[str] = []
        if "dirty" not in columns:
            notes.append(f"{TABLE} has no dirty column: it may be dbmate's table, not golang-migrate's")
        if len(records) > 1:
            notes.append(f"{TABLE} holds {len(records)} rows; golang-migrate keeps one: the highest is used")
        current = max((int(r["version"]) for r in records), default=None)
        dirty = bool(
            next((r.get("dirty") for r in records if current is not None and int(r["version"]) == current), False)
        )
        rows: list[MigrationRow] = []
        for f in files:
            version = int(f.id)
            if current is None or version > current:
                rows.append(MigrationRow(f.id, rel(f.path), "pending", extra=_pick(f)))
            elif version == current and dirty:
                rows.append(
                    MigrationRow(
                        f.id,
                        rel(f.path),
                        "failed",
                        note="dirty: this migration started and did "
                        "not finish; fix the database, then `migrate force VERSION`",
                        extra=_pick(f),
                    )
                )
            else:
                rows.append(MigrationRow(f.id, rel(f.path), "applied", extra=_pick(f)))
        if current is not None and str(current) not in {f.id for f in files}:
            state = "failed" if dirty else "missing"
            rows.append(
                MigrationRow(
                    str(current),
                    None,
                    state,
                    note="the recorded version has no .up.sql file",
                    extra={c: None for c in cols},
                )
            )
            rows.sort(key=lambda r: int(r.migration))
        label = None if current is None else f"{current}{' (dirty)' if dirty else ''}"
        return History(tuple(rows), True, TABLE, label, tuple(notes), cols)


def _pick(f: MigrationFile) -> dict:
    return {"title": f.extra.get("title"), "down_file": f.extra.get("down_file")}
