"""Where backups live, how they are named, and the JSON manifest written beside each one.

Folder: ``--dir``, else ``DBM_BACKUP_DIR``, else ``<project>/.dbm/backups``. A backup is
``<environment>-<UTC timestamp>.<ext>`` plus ``<same name>.json``; the manifest holds only
masked URLs, so the folder can be listed or shared without leaking a password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..dialects import dialect_for
from ..errors import ProjectError
from ..masking import mask, mask_obj

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class BackupRecord:
    """One backup on disk, as its manifest describes it."""

    name: str
    file: Path
    created_at: str  # ISO 8601, UTC
    environment: str
    source: str  # masked URL
    dialect: str
    database: str | None
    tool: str
    tool_version: str
    size_bytes: int
    duration_s: float
    sha256: str
    schema_only: bool = False
    tables: tuple[str, ...] = ()
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: a fleet's schema target: the backup holds this schema only
    schema: str | None = None

    @property
    def manifest_path(self) -> Path:
        return manifest_path_for(self.file)

    def as_row(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at,
            "environment": self.environment,
            "dialect": self.dialect,
            "database": self.database,
            "size_bytes": self.size_bytes,
            "duration_s": round(self.duration_s, 3),
            "tool": self.tool_version if self.tool in self.tool_version else f"{self.tool} {self.tool_version}",
            "schema_only": self.schema_only,
            "tables": ",".join(self.tables),
            "schema": self.schema,
            "sha256": self.sha256[:12],
            "reason": self.reason,
            "file": str(self.file),
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["file"] = str(self.file)
        data["tables"] = list(self.tables)
        return mask_obj(data)  # type: ignore[return-value]


def backup_dir(root: Path, override: str | Path | None = None) -> Path:
    chosen = override or os.environ.get("DBM_BACKUP_DIR")
    folder = Path(chosen).expanduser() if chosen else root / ".dbm" / "backups"
    if not folder.is_absolute():
        folder = (root / folder).resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectError(
            f"Cannot create the backup folder {folder}: {exc.strerror}.",
            next_step="Pass --dir or set DBM_BACKUP_DIR to a writable folder.",
        ) from None
    if folder == root / ".dbm" / "backups":
        ignore = root / ".dbm" / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    return folder


def new_backup_path(folder: Path, environment: str, dialect: str) -> Path:
    now = dt.datetime.now(dt.UTC)
    safe_env = re.sub(r"[^A-Za-z0-9_.-]+", "_", environment) or "db"
    stem = f"{safe_env}-{now:%Y%m%dT%H%M%S_%f}Z"
    return folder / f"{stem}{dialect_for(dialect).backup_suffix}"


def manifest_path_for(file: Path) -> Path:
    return file.with_name(file.name + ".json")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(record: BackupRecord) -> None:
    data = {"format": MANIFEST_VERSION, **record.to_dict()}
    data["source"] = mask(data["source"])
    tmp = record.manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    tmp.replace(record.manifest_path)


def read_manifest(path: Path) -> BackupRecord:
    data = json.loads(path.read_text(encoding="utf-8"))
    file = Path(data["file"])
    if not file.is_absolute() or not file.exists():
        # the folder was moved: the backup file sits beside its manifest
        file = path.with_name(path.name[: -len(".json")])
    return BackupRecord(
        name=data["name"],
        file=file,
        created_at=data["created_at"],
        environment=data["environment"],
        source=data["source"],
        dialect=data["dialect"],
        database=data.get("database"),
        tool=data["tool"],
        tool_version=data.get("tool_version", ""),
        size_bytes=int(data["size_bytes"]),
        duration_s=float(data["duration_s"]),
        sha256=data["sha256"],
        schema_only=bool(data.get("schema_only")),
        tables=tuple(data.get("tables") or ()),
        reason=data.get("reason"),
        extra=data.get("extra") or {},
        schema=data.get("schema"),
    )


def list_records(folder: Path) -> list[BackupRecord]:
    """Every readable manifest in ``folder``, newest first."""
    records = []
    for path in folder.glob("*.json"):
        try:
            records.append(read_manifest(path))
        except (ValueError, KeyError, TypeError, OSError):
            continue  # not one of ours, or half-written
    return sorted(records, key=lambda r: r.created_at, reverse=True)


def find_record(folder: Path, name: str) -> BackupRecord:
    """A backup by name (with or without extension), file path, manifest path, or ``latest``."""
    records = list_records(folder)
    if name == "latest":
        if not records:
            raise ProjectError(f"There are no backups in {folder}.", next_step="Take one with `dbm backup`.")
        return records[0]
    candidate = Path(name).expanduser()
    if candidate.suffix == ".json" and candidate.is_file():
        return read_manifest(candidate)
    if candidate.is_file() and manifest_path_for(candidate).is_file():
        return read_manifest(manifest_path_for(candidate))
    for record in records:
        if name in (record.name, record.file.name, record.file.stem):
            return record
    known = ", ".join(r.name for r in records[:5]) or "none"
    raise ProjectError(
        f"There is no backup named '{name}' in {folder} (newest: {known}).",
        next_step="Run `dbm backups` to list them, or pass the backup file's path.",
    )
