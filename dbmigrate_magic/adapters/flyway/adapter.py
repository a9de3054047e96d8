"""Flyway (read-only): ``db/migration/V<ver>__<desc>.sql`` (``U<ver>__`` undo, ``R__<desc>`` repeatable)
and ``flyway_schema_history``. Checksums are computed as Flyway computes them (see ``checksum``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import first_existing, iter_files, read_text
from .._tables import read_table
from ..base import Adapter, Evidence, History, MigrationFile, MigrationRow, to_utc
from ..foreign_tables import TableMark

if TYPE_CHECKING:
    from ...db import Database

FOLDERS = ("db/migration", "src/main/resources/db/migration", "sql", "migrations")
FLYWAY_NAME = re.compile(r"^(V|U)[0-9][0-9._]*__.+\.sql$|^R__.+\.sql$")
NAME_PARTS = re.compile(r"^(?P<kind>[VUR])(?P<version>[0-9][0-9._]*)?__(?P<desc>.+)\.sql$")
TABLE = "flyway_schema_history"
COLUMNS = ("installed_rank", "version", "description", "type", "script", "checksum", "installed_on", "success")
EXTRA = ("version", "description", "type", "installed_rank", "undo_file")
LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def checksum(data: bytes) -> int:
    """Flyway's checksum: CRC32 fed with each line's UTF-8 bytes, line terminators left out
    (Java ``BufferedReader.readLine``: ``\\n``, ``\\r`` or ``\\r\\n``), a byte-order mark dropped
    from the first line only, the result as a signed 32-bit int."""
    import zlib

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    crc = 0
    for line in LINE_BREAK.split(data):
        crc = zlib.crc32(line, crc)
    return crc - (1 << 32) if crc >= (1 << 31) else crc


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p != "")


class FlywayAdapter(Adapter):
    tool = "flyway"
    display_name = "Flyway"
    table_marks = (
        TableMark(
            "Flyway", "flyway_schema_history", ("installed_rank", "script", "checksum"), command="flyway migrate"
        ),
    )
    read_only = True

    @classmethod
    def files_in(cls, root: Path) -> tuple[Path | None, list[Path]]:
        for folder in FOLDERS:
            files = [p for p in iter_files(root / folder, "*.sql") if FLYWAY_NAME.match(p.name)]
            if files:
                return root / folder, files
        return None, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        config = first_existing(root, ("flyway.conf", "flyway.toml", "conf/flyway.conf"))
        folder, files = cls.files_in(root)
        if config is None and not files:
            return None
        evidence = tuple(
            x
            for x in (
                config.name if config else None,
                f"{folder.relative_to(root).as_posix()}/V*__*.sql" if folder else None,
            )
            if x
        )
        rel = folder.relative_to(root).as_posix() if folder else None
        return Evidence(cls.tool, evidence, rel, len(files))

    def table_name(self) -> str:
        config = first_existing(self.root, ("flyway.conf", "conf/flyway.conf"))
        m = re.search(r"^\s*flyway\.table\s*=\s*(\S+)", read_text(config), re.M) if config else None
        return m.group(1) if m else TABLE

    def migration_files(self) -> list[MigrationFile]:
        """Versioned migrations in version order, then repeatables by description (Flyway's order);
        undo files are attached to their version, not listed."""
        versioned, repeatable, undo = [], [], {}
        for path in self.files_in(self.root)[1]:
            m = NAME_PARTS.match(path.name)
            if not m:
                continue
            desc = m.group("desc").replace("_", " ")
            if m.group("kind") == "U":
                undo[_version(m.group("version"))] = path.name
                continue
            data = path.read_bytes()
            if m.group("kind") == "V":
                version = _version(m.group("version"))
                versioned.append(
                    MigrationFile(
                        version, path, str(checksum(data)), {"version": version, "description": desc, "type": "SQL"}
                    )
                )
            else:
                repeatable.append(
                    MigrationFile(
                        desc, path, str(checksum(data)), {"version": None, "description": desc, "type": "SQL"}
                    )
                )
        versioned.sort(key=lambda f: version_key(f.id))
        repeatable.sort(key=lambda f: f.id)
        for f in versioned:
            f.extra["undo_file"] = undo.get(f.id)
        return versioned + repeatable

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        table = self.table_name()
        rel = self.relative
        if db is None:
            rows = tuple(MigrationRow(f.id, rel(f.path), "unknown", extra=_extra(f.extra)) for f in files)
            return History(rows, False, table, None, (), EXTRA)
        read = read_table(db, table, ", ".join(COLUMNS), "ORDER BY installed_rank")
        if read is None:
            rows = tuple(MigrationRow(f.id, rel(f.path), "pending", extra=_extra(f.extra)) for f in files)
            return History(rows, False, table, None, (), EXTRA)
        return _merge(files, read, table, rel)


def _version(text: str) -> str:
    """``1_1`` and ``1.1`` are the same Flyway version, stored as ``1.1``; leading zeros kept as written."""
    return text.replace("_", ".").strip(".")


def _extra(values: dict[str, Any], record: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {c: values.get(c) for c in EXTRA}
    if record is not None:
        out["installed_rank"] = record.get("installed_rank")
        out["type"] = record.get("type") or out["type"]
    return out


def _merge(files: list[MigrationFile], records: list[dict[str, Any]], table: str, rel) -> History:
    applied: dict[str, dict[str, Any]] = {}  # version -> latest effective row
    repeat: dict[str, dict[str, Any]] = {}  # description -> latest row
    baseline = None
    for r in records:
        kind = (r.get("type") or "").upper()
        version = r.get("version")
        if kind == "SCHEMA":
            continue
        if kind == "BASELINE":
            baseline = str(version)
            applied[str(version)] = r
        elif kind in ("UNDO_SQL", "UNDO_JDBC", "UNDO_SCRIPT", "DELETE"):
            if r.get("success") in (True, 1, "1", "t", "true") and version is not None:
                applied.pop(str(version), None)  # undone or deleted by `flyway repair`
        elif version is None:
            repeat[str(r.get("description"))] = r
        else:
            applied[str(version)] = r
    ok = lambda r: r.get("success") in (True, 1, "1", "t", "true")  # noqa: E731
    done_versions = [v for v, r in applied.items() if ok(r)]
    current = max(done_versions, key=version_key) if done_versions else None
    rows: list[MigrationRow] = []
    file_versions = set()
    for f in files:
        extra_f = f.extra
        if extra_f["version"] is None:
            row = repeat.pop(f.id, None)
            if row is None:
                rows.append(MigrationRow(f.id, rel(f.path), "pending", extra=_extra(extra_f)))
                continue
            same = str(row.get("checksum")) == f.checksum
            state = "failed" if not ok(row) else ("applied" if same else "pending")
            note = None if same else "repeatable migration changed since it last ran: Flyway will re-run it"
            rows.append(
                MigrationRow(
                    f.id, rel(f.path), state, to_utc(row.get("installed_on")), same, note, _extra(extra_f, row)
                )
            )
            continue
        file_versions.add(f.id)
        row = applied.get(f.id)
        if row is None:
            note = None
            if baseline is not None and version_key(f.id) <= version_key(baseline):
                rows.append(
                    MigrationRow(
                        f.id,
                        rel(f.path),
                        "applied",
                        None,
                        None,
                        f"below the baseline {baseline}: Flyway will not run it",
                        _extra(extra_f),
                    )
                )
                continue
            if current is not None and version_key(f.id) < version_key(current):
                note = f"older than the current version {current}: Flyway ignores it unless outOfOrder=true"
            rows.append(MigrationRow(f.id, rel(f.path), "pending", note=note, extra=_extra(extra_f)))
            continue
        checksum_ok = None if row.get("checksum") is None else str(row.get("checksum")) == f.checksum
        if not ok(row):
            state, note = "failed", "success is false: fix the database, then `flyway repair`"
        elif checksum_ok is False:
            state, note = "modified", "the file's checksum differs from the one Flyway recorded"
        else:
            state, note = "applied", None
        rows.append(
            MigrationRow(
                f.id, rel(f.path), state, to_utc(row.get("installed_on")), checksum_ok, note, _extra(extra_f, row)
            )
        )
    for version, r in applied.items():
        if version in file_versions or (r.get("type") or "").upper() == "BASELINE":
            continue
        state = "failed" if not ok(r) else "missing"
        rows.append(
            MigrationRow(
                version,
                None,
                state,
                to_utc(r.get("installed_on")),
                None,
                "recorded by Flyway, file not found",
                _extra({"version": version, "description": r.get("description"), "type": "SQL"}, r),
            )
        )
    for desc, r in repeat.items():
        rows.append(
            MigrationRow(
                desc,
                None,
                "missing",
                to_utc(r.get("installed_on")),
                None,
                "repeatable recorded by Flyway, file not found",
                _extra({"version": None, "description": desc, "type": "SQL"}, r),
            )
        )
    versioned = sorted((r for r in rows if r.extra.get("version") is not None), key=lambda r: version_key(r.migration))
    others = [r for r in rows if r.extra.get("version") is None]
    return History(tuple(versioned + others), True, table, current, (), EXTRA)
