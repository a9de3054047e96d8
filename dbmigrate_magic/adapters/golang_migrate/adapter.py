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
#: a folder per database driver below a migrations folder (``migrations/sqlite3``, ``db/migrations/postgres``)
DRIVER_FOLDERS = ("postgres", "postgresql", "pgx", "mysql", "sqlite3", "sqlite")
TABLE = "schema_migrations"
#: golang-migrate's own file pattern (source/parse.go): any extension, up or down
FILE = re.compile(r"^([0-9]+)_(.*)\.(down|up)\.(.*)$")


def _files(folder: Path) -> list[Path]:
    return [p for p in iter_files(folder, "*") if FILE.match(p.name)]


def _ups(folder: Path) -> list[Path]:
    return [p for p in _files(folder) if (m := FILE.match(p.name)) and m.group(3) == "up"]


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
    def folders(cls, root: Path) -> list[Path]:
        """Every folder holding up files golang-migrate reads, the plain folders first. Down files
        alone are no golang-migrate folder (it could not migrate up): raw SQL keeps a stored down
        part as ``<name>.down.sql`` beside ``<name>.sql``."""
        out = [root / f for f in FOLDERS if _ups(root / f)]
        out += [root / f / d for f in FOLDERS for d in DRIVER_FOLDERS if _ups(root / f / d)]
        return out

    @classmethod
    def files_in(cls, root: Path, driver: str | None = None) -> tuple[Path | None, list[Path]]:
        """The folder golang-migrate would be pointed at (the one for ``driver``'s dialect when the
        project keeps one per driver) and its up files."""
        from ...dialects import find_dialect

        found = cls.folders(root)
        if driver is not None:
            wanted = [f for f in found if f.name in DRIVER_FOLDERS and find_dialect(f.name) is find_dialect(driver)]
            found = wanted + [f for f in found if f not in wanted]
        if not found:
            return None, []
        return found[0], _ups(found[0])

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        found = cls.folders(root)
        if not found:
            return None
        folder, ups = cls.files_in(root)
        assert folder is not None
        rel = folder.relative_to(root).as_posix()
        others = [f.relative_to(root).as_posix() for f in found[1:]]
        notes = (
            (f"also golang-migrate files in {', '.join(others)} (the database's driver picks one)",) if others else ()
        )
        return Evidence(cls.tool, (f"{rel}/<version>_<title>.up|down.<ext>",), rel, len(ups), notes)

    def migration_files(self, driver: str | None = None) -> list[MigrationFile]:
        out = []
        folder, ups = self.files_in(self.root, driver)
        downs = {
            m.group(1): p.name
            for p in (_files(folder) if folder else [])
            if (m := FILE.match(p.name)) and m.group(3) == "down"
        }
        for path in ups:
            m = FILE.match(path.name)
            if m:
                out.append(
                    MigrationFile(
                        str(int(m.group(1))),
                        path,
                        None,
                        {"title": m.group(2), "down_file": downs.get(m.group(1))},
                    )
                )
        return sorted(out, key=lambda f: int(f.id))  # golang-migrate orders by the number

    def history(self, db: Database | None) -> History:
        files = self.migration_files(db.dialect if db is not None else None)
        cols = ("title", "down_file")
        rel = self.relative
        if db is None:
            unread = tuple(MigrationRow(f.id, rel(f.path), "unknown", extra=_pick(f)) for f in files)
            return History(unread, False, TABLE, None, (), cols)
        table = db.tool_options.get("x-migrations-table") or TABLE  # the URL may rename it
        read = read_table(db, table)  # every column: dbmate's table of the same name has no dirty
        if read is None:
            unread = tuple(MigrationRow(f.id, rel(f.path), "pending", extra=_pick(f)) for f in files)
            return History(unread, False, table, None, (), cols)
        records, columns = read, read.columns
        notes: list[str] = []
        if "dirty" not in columns:
            notes.append(f"{table} has no dirty column: it may be dbmate's table, not golang-migrate's")
        if len(records) > 1:
            notes.append(f"{table} holds {len(records)} rows; golang-migrate keeps one: the highest is used")
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
        return History(tuple(rows), True, table, label, tuple(notes), cols)


def _pick(f: MigrationFile) -> dict:
    return {"title": f.extra.get("title"), "down_file": f.extra.get("down_file")}
