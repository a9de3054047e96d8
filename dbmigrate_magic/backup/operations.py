"""Taking, restoring and verifying backups, and the automatic backup before a production change."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dialects import BackupEngine, find_dialect
from ..errors import ChecksumMismatch, DbmError, UnsupportedOperation
from ..masking import mask
from .compare import compare, fingerprint
from .manifest import BackupRecord, backup_dir, new_backup_path, sha256_file, write_manifest

if TYPE_CHECKING:
    from ..context import Context
    from ..db import Database


def engine_for(dialect: str) -> BackupEngine:
    """The dialect's dump and restore (``backup/postgres.py``, ``mysql.py``, ``sqlite.py``)."""
    kind = find_dialect(dialect)
    if kind is None:
        raise UnsupportedOperation(
            f"Backups of {dialect} databases are not supported (PostgreSQL, MySQL/MariaDB and SQLite are).",
            next_step="Use the database's own backup tool.",
        )
    return kind.backup_engine()


def take_backup(
    db: Database, folder: Path, *, schema_only: bool = False, tables: tuple[str, ...] = (), reason: str | None = None
) -> BackupRecord:
    """Dump ``db`` into ``folder`` and write its manifest; a failure leaves no partial file."""
    engine = engine_for(db.dialect)
    path = new_backup_path(folder, db.environment, db.dialect)
    started = time.perf_counter()
    created = dt.datetime.now(dt.UTC)
    try:
        tool, version = engine.dump(db.url, path, schema_only, tables, db.tenant_schema)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    duration = time.perf_counter() - started
    from sqlalchemy.engine import make_url

    record = BackupRecord(
        name=path.stem,
        file=path,
        created_at=created.isoformat(),
        environment=db.environment,
        source=mask(db.url),
        dialect=db.dialect,
        database=make_url(db.url).database,
        tool=tool,
        tool_version=version,
        size_bytes=path.stat().st_size,
        duration_s=duration,
        sha256=sha256_file(path),
        schema_only=schema_only,
        tables=tuple(tables),
        reason=reason,
        schema=db.tenant_schema,
    )
    write_manifest(record)
    return record


def check_file(record: BackupRecord) -> None:
    """The backup file must exist and match the checksum in its manifest."""
    if not record.file.is_file():
        raise DbmError(
            f"The backup file {record.file} is missing (its manifest is still there).",
            next_step="Restore another backup (`dbm backups` lists them).",
        )
    actual = sha256_file(record.file)
    if actual != record.sha256:
        raise ChecksumMismatch(
            f"The backup file {record.file.name} has changed since it was taken "
            f"(sha256 {actual[:12]}..., manifest says {record.sha256[:12]}...).",
            next_step="Do not restore it; restore another backup.",
        )


def restore_backup(record: BackupRecord, target_url: str) -> None:
    from ..config import dialect_of

    target_dialect = dialect_of(target_url)
    if target_dialect != record.dialect:
        raise UnsupportedOperation(
            f"The backup {record.name} is a {record.dialect} backup and cannot be restored "
            f"into a {target_dialect} database.",
            next_step="Restore it into a database of the same kind.",
        )
    check_file(record)
    engine_for(record.dialect).restore(target_url, record.file, record.schema)


def verify_backup(record: BackupRecord, source_url: str) -> tuple[str, list[dict[str, Any]]]:
    """Restore into a scratch database beside ``source_url``, compare with the source, drop it.

    Returns the scratch database's name and one comparison row per table.
    """
    from sqlalchemy.engine import make_url

    check_file(record)
    from ..scratch import scratch

    with scratch(source_url) as scratch_url:
        engine_for(record.dialect).restore(scratch_url, record.file, record.schema)
        restored = _fingerprint(scratch_url, not record.schema_only, "the restored scratch copy")
        name = Path(make_url(scratch_url).database or "").stem
    source = _fingerprint(source_url, not record.schema_only, "the source")
    if record.tables:
        wanted = set(record.tables)
        source = {k: v for k, v in source.items() if k in wanted}
    return name, compare(source, restored)


def _fingerprint(url: str, data: bool, what: str):
    from sqlalchemy.exc import SQLAlchemyError

    from ..db import short_db_error
    from ..errors import ConnectionFailed

    try:
        return fingerprint(url, data=data)
    except SQLAlchemyError as exc:
        raise ConnectionFailed(
            f"Could not read {what} ({mask(url)}) to compare: {short_db_error(exc)}",
            unchanged="Nothing was changed; the scratch database was dropped.",
            next_step="Check the connection and run the verification again.",
        ) from None


@dataclass(frozen=True)
class Declined:
    """The user declined the automatic backup before a production change (``--no-backup``)."""

    environment: str
    at: str
    reason: str = "--no-backup"

    @property
    def message(self) -> str:
        return f"No backup was taken before changing {self.environment}: declined with {self.reason} at {self.at}."

    def to_dict(self) -> dict[str, str | bool]:
        return {"declined": True, "environment": self.environment, "at": self.at, "reason": self.reason}


def ensure_backup_before_change(
    ctx: Context,
    decline: bool,
    *,
    folder: str | Path | None = None,
    reason: str = "automatic, before a production change",
) -> BackupRecord | Declined | None:
    """In production, take a backup first (or record that the user declined); elsewhere None.

    The pipeline calls this after the preview and confirmation and before changing anything; a
    backup failure raises, so the change does not run without one.
    """
    from ..safety.guard import environment_class

    env = ctx.require_environment()
    if environment_class(env) != "production":
        return None
    target = backup_dir(ctx.project.root, folder)
    if decline:
        record = Declined(env.name, dt.datetime.now(dt.UTC).isoformat())
        with (target / "declined.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(record.to_dict()) + "\n")
        return record
    db = ctx.database()
    try:
        return take_backup(db, target, reason=reason)
    except DbmError as exc:
        raise type(exc)(
            f"The automatic backup before changing {env.name} failed: {exc.what}",
            unchanged="Nothing was changed: the change runs only after a backup.",
            next_step="Fix the backup (see above), or run again with --no-backup to proceed "
            "without one (the decline is recorded).",
        ) from None
    finally:
        db.dispose()
