"""Drizzle's files: the journal layout of drizzle-kit 0.x and the folder layout of 1.0.

0.x: ``<out>/<NNNN>_<name>.sql``, ``<out>/meta/_journal.json`` (the list drizzle-orm's
migrator runs, in order) and ``<out>/meta/<NNNN>_snapshot.json`` (a chain by ``prevId``).
1.0: ``<out>/<YYYYMMDDHHMMSS>_<name>/migration.sql`` + ``snapshot.json``, no journal.

Down SQL is ours (Drizzle has none): a sibling ``<NNNN>_<name>.down.sql`` (``down.sql`` in a
1.0 folder). drizzle-orm only reads files the journal names, so it never sees them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import NamedTuple

from ...dialects import dialect_for, find_dialect
from ...errors import ProjectError
from .._choose import required
from ..base import sha256_hex

BREAKPOINT = "--> statement-breakpoint"
ZERO_ID = "00000000-0000-0000-0000-000000000000"
FOLDER_RE = re.compile(r"^(\d{14})_(.+)$")
#: what ``drizzle-kit generate --custom`` writes as a first snapshot (0.31.x), per dialect
_EMPTY_POSTGRESQL = {
    "version": "7",
    "dialect": "postgresql",
    "tables": {},
    "enums": {},
    "schemas": {},
    "views": {},
    "sequences": {},
    "roles": {},
    "policies": {},
    "_meta": {"columns": {}, "schemas": {}, "tables": {}},
}
_EMPTY_MYSQL = {
    "version": "5",
    "dialect": "mysql",
    "tables": {},
    "views": {},
    "_meta": {"columns": {}, "schemas": {}, "tables": {}},
}
_EMPTY_SQLITE = {
    "version": "6",
    "dialect": "sqlite",
    "tables": {},
    "views": {},
    "enums": {},
    "_meta": {"columns": {}, "schemas": {}, "tables": {}},
}


def empty_snapshot(dialect: str | None) -> dict:
    """The first snapshot for ``dialect`` (another dialect gets PostgreSQL's)."""
    kind = find_dialect(dialect) or dialect_for("postgresql")
    return required(kind, postgresql=_EMPTY_POSTGRESQL, mysql=_EMPTY_MYSQL, sqlite=_EMPTY_SQLITE)


JOURNAL_VERSION = "7"


class Entry(NamedTuple):
    """One migration drizzle-orm would run, in journal order. A tuple, with the file kept as text
    below the out folder and made a ``Path`` only when asked: a status of 2,000 entries needs none."""

    tag: str
    when: int  # milliseconds: recorded as ``created_at``
    out: Path
    file: str  # the .sql file below ``out``, "/"-separated (may not exist)
    idx: int
    layout: str  # "journal" or "folder"

    @property
    def path(self) -> Path:
        return self.out / self.file

    @property
    def down_path(self) -> Path:
        if self.layout == "folder":
            return self.path.parent / "down.sql"
        return self.path.with_name(self.tag + ".down.sql")


def file_hash(data: bytes) -> str:
    """drizzle-orm: sha256 over the file read as a UTF-8 string (``readFileSync().toString()``)."""
    return sha256_hex(data.decode("utf-8", errors="replace").encode("utf-8"))


def journal_path(out: Path) -> Path:
    return out / "meta" / "_journal.json"


def read_journal(out: Path) -> dict | None:
    path = journal_path(out)
    if not path.is_file():
        return None
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(journal.get("entries"), list):
            raise ValueError("no entries list")
        return journal
    except (ValueError, AttributeError) as exc:
        raise ProjectError(
            f"{path} is not a valid Drizzle journal: {exc}",
            next_step="Restore meta/_journal.json from version control.",
        ) from None


def folder_millis(stamp: str) -> int:
    when = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)


def entries(out: Path) -> tuple[list[Entry], list[str]]:
    """Migrations in the order drizzle-orm runs them, plus notes about files it would ignore."""
    notes: list[str] = []
    journal = read_journal(out)
    if journal is not None:
        result = []
        for i, e in enumerate(journal["entries"]):
            try:
                tag = str(e["tag"])
                result.append(Entry(tag, int(e["when"]), out, tag + ".sql", int(e.get("idx", i)), "journal"))
            except (KeyError, TypeError, ValueError):
                raise ProjectError(
                    f"Entry {i} of {journal_path(out)} lacks a tag or a numeric 'when'.",
                    next_step="Restore meta/_journal.json from version control.",
                ) from None
        listed = {e.file for e in result}
        stray = sorted(n for n in _names(out) if n.endswith(".sql") and n not in listed and not n.endswith(".down.sql"))
        if stray:
            notes.append(
                f"{len(stray)} .sql file(s) not in meta/_journal.json, which drizzle-kit never runs: "
                + ", ".join(stray[:5])
            )
        return result, notes
    stamped = sorted(
        (p.parent, m.group(1)) for p in out.glob("*/migration.sql") if (m := FOLDER_RE.match(p.parent.name))
    )
    return [
        Entry(f.name, folder_millis(stamp), out, f.name + "/migration.sql", i, "folder")
        for i, (f, stamp) in enumerate(stamped)
    ], notes


def _names(folder: Path) -> list[str]:
    """The names in ``folder`` (none when it is missing): ``os.listdir``, not 2,000 ``Path`` objects."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def statements_of(text: str) -> list[str]:
    """drizzle-orm's split: the file text cut at each breakpoint marker, nothing else."""
    return text.split(BREAKPOINT)


def slug(name: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "_", name.strip()).strip("_").lower()
    return s or "migration"


def render_sql(statements: list[str]) -> str:
    """Statements joined as drizzle-kit writes them: each ends with ';' and a breakpoint between."""
    parts = []
    for st in statements:
        st = st.strip()
        if st and not st.endswith(";"):
            st += ";"
        parts.append(st)
    return f"{BREAKPOINT}\n".join(p + "\n" for p in parts if p)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def snapshot_path(out: Path, tag: str) -> Path:
    return out / "meta" / f"{tag.split('_', 1)[0]}_snapshot.json"


def next_snapshot(out: Path, previous_tag: str | None, dialect: str) -> dict:
    """The previous snapshot's schema under a new id, chained by ``prevId`` (what ``--custom`` does)."""
    prev: dict | None = None
    if previous_tag is not None:
        path = snapshot_path(out, previous_tag)
        if path.is_file():
            try:
                prev = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                raise ProjectError(
                    f"{path} is not valid JSON; a new snapshot cannot be chained to it.",
                    next_step="Restore it from version control.",
                ) from None
        else:
            raise ProjectError(
                f"The previous migration {previous_tag} has no snapshot {path.name}.",
                next_step="Restore the meta/ folder, or run `drizzle-kit generate` once.",
            )
    import uuid  # here: it loads platform, a cost every status listing would pay

    body = {k: v for k, v in (prev or empty_snapshot(dialect)).items() if k not in ("id", "prevId")}
    return {"id": str(uuid.uuid4()), "prevId": (prev or {}).get("id", ZERO_ID), **body}
