"""``backup``, ``backups`` and ``restore``: results and verb functions (the work is in ``backup/``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..backup import (
    BackupRecord,
    Declined,
    backup_dir,
    ensure_backup_before_change,
    find_record,
    list_records,
    restore_backup,
    take_backup,
    verify_backup,
)
from ..context import Context, resolve_context, select_environment
from ..errors import UsageProblem
from ..results import Result

PathLike = str | Path | None


@dataclass(frozen=True, repr=False)
class BackupResult(Result):
    title: ClassVar[str] = "dbm backup"

    record: BackupRecord
    folder: str

    def summary_lines(self) -> list[str]:
        r = self.record
        kind = "schema-only backup" if r.schema_only else "backup"
        scope = f" of tables {', '.join(r.tables)}" if r.tables else ""
        return [
            f"{kind.capitalize()}{scope} of {r.environment} ({r.source}) written to {r.file}",
            f"{r.size_bytes:,} bytes in {r.duration_s:.2f} s with {r.as_row()['tool']}; sha256 {r.sha256}",
        ]

    def table(self) -> list[dict[str, Any]]:
        return [self.record.as_row()]

    def columns(self) -> list[str]:
        return ["name", "environment", "dialect", "size_bytes", "duration_s", "schema_only", "tables", "sha256"]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, **self.record.to_dict()}


@dataclass(frozen=True, repr=False)
class BackupsResult(Result):
    title: ClassVar[str] = "dbm backups"

    folder: str
    records: tuple[BackupRecord, ...]

    def summary_lines(self) -> list[str]:
        return [f"{len(self.records)} backup(s) in {self.folder}, newest first."]

    def table(self) -> list[dict[str, Any]]:
        return [r.as_row() for r in self.records]

    def columns(self) -> list[str]:
        return [
            "name",
            "created_at",
            "environment",
            "dialect",
            "database",
            "size_bytes",
            "duration_s",
            "tool",
            "schema_only",
            "tables",
            "sha256",
            "reason",
            "file",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "backups": [r.to_dict() for r in self.records]}


@dataclass(frozen=True, repr=False)
class RestoreResult(Result):
    title: ClassVar[str] = "dbm restore"

    backup: str
    mode: str  # "restore" or "verify"
    target: str  # masked URL, or the scratch database's name
    environment: str
    duration_s: float
    comparison: tuple[dict[str, Any], ...] = ()
    confirmed_by: str | None = None
    backup_before: dict[str, Any] | None = None  # the automatic backup (or its decline) before overwriting

    @property
    def ok(self) -> bool:
        return all(r["schema_match"] and r["rows_match"] for r in self.comparison)

    def exit_code(self, *, report_attention: bool = False) -> int:
        return 0 if self.mode == "restore" or self.ok else 1

    def summary_lines(self) -> list[str]:
        if self.mode == "verify":
            bad = [r["table"] for r in self.comparison if not (r["schema_match"] and r["rows_match"])]
            verdict = (
                "OK: the restored copy matches the source (schema, row counts, row checksums)"
                if not bad
                else f"DIFFERENT: {len(bad)} table(s) differ ({', '.join(bad[:8])}); the source may have "
                "changed since the backup"
            )
            return [
                f"Verified {self.backup}: restored into scratch database {self.target} (dropped again) and "
                f"compared with {self.environment} in {self.duration_s:.2f} s.",
                verdict,
            ]
        lines = [
            f"Restored {self.backup} into {self.environment} ({self.target}) in {self.duration_s:.2f} s, "
            f"confirmed with {self.confirmed_by}."
        ]
        if self.backup_before:
            if self.backup_before.get("declined"):
                lines.append(f"No backup was taken first: declined with {self.backup_before.get('reason')}.")
            else:
                lines.append(f"Backup taken first: {self.backup_before.get('name')}.")
        return lines

    def table(self) -> list[dict[str, Any]] | None:
        return list(self.comparison) if self.mode == "verify" else None

    def columns(self) -> list[str]:
        return ["table", "schema_match", "source_rows", "restored_rows", "rows_match", "note"]

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["ok"] = self.ok
        return data


def _tables(tables: str | Sequence[str] | None) -> tuple[str, ...]:
    if not tables:
        return ()
    if isinstance(tables, str):
        tables = tables.split(",")
    return tuple(t.strip() for t in tables if t.strip())


def backup(
    project: PathLike = None,
    env: str | None = None,
    *,
    schema_only: bool = False,
    tables: str | Sequence[str] | None = None,
    folder: PathLike = None,
) -> BackupResult:
    ctx = resolve_context(project, env)
    ctx.require_environment()
    target = backup_dir(ctx.project.root, folder)
    db = ctx.database()
    try:
        record = take_backup(db, target, schema_only=schema_only, tables=_tables(tables), reason="dbm backup")
    finally:
        db.dispose()
    return BackupResult(record, str(target))


def backups(project: PathLike = None, *, folder: PathLike = None, limit: int | None = None) -> BackupsResult:
    if limit is not None and limit < 1:
        raise UsageProblem(f"limit must be 1 or more, not {limit}.", next_step="Leave it out to list every backup.")
    ctx = resolve_context(project, None)
    target = backup_dir(ctx.project.root, folder)
    return BackupsResult(str(target), tuple(list_records(target)[:limit]))


def restore(
    name: str,
    project: PathLike = None,
    env: str | None = None,
    *,
    into: str | None = None,
    verify: bool = False,
    yes: bool = False,
    confirm: str | None = None,
    no_backup: bool = False,
    folder: PathLike = None,
) -> RestoreResult:
    from ..safety.guard import require_confirmation

    ctx = resolve_context(project, env)
    target_dir = backup_dir(ctx.project.root, folder)
    record = find_record(target_dir, name)
    started = time.perf_counter()
    if verify:
        if into:
            raise UsageProblem(
                "--verify restores into a scratch database and compares it with --env; it does not take --into.",
                next_step="Drop --into, or drop --verify.",
            )
        source = ctx.require_environment()
        scratch, rows = verify_backup(record, source.url or "")
        return RestoreResult(record.name, "verify", scratch, source.name, time.perf_counter() - started, tuple(rows))
    if into:
        chosen, _reason = select_environment(ctx.environments, into, ctx.project.root)
        ctx = Context(ctx.project, ctx.environments, chosen, "--into")
    target = ctx.require_environment()
    confirmed = require_confirmation(target, confirm, yes, f"Restoring {record.name} overwrites")
    before = ensure_backup_before_change(
        ctx, no_backup, folder=folder, reason=f"automatic, before restoring {record.name}"
    )
    restore_backup(record, target.url or "")
    return RestoreResult(
        record.name,
        "restore",
        target.masked_url or "",
        target.name,
        time.perf_counter() - started,
        (),
        confirmed,
        _summary(before),
    )


def _summary(before: BackupRecord | Declined | None) -> dict[str, Any] | None:
    if before is None:
        return None
    if isinstance(before, Declined):
        return before.to_dict()
    return {"name": before.name, "file": str(before.file), "sha256": before.sha256}
