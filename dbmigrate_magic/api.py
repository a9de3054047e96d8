"""The verbs, one function each. The magic, the CLI and Python callers all come through here
and get the same result objects back.

Implementations live in private modules (``dbmigrate_magic._verbs``); this module is the
public surface and stays thin.
"""
from __future__ import annotations

from pathlib import Path

from ._verbs.backup import BackupResult, BackupsResult, RestoreResult
from ._verbs.backup import backup as _backup
from ._verbs.backup import backups as _backups
from ._verbs.backup import restore as _restore
from ._verbs.detect import DetectResult
from ._verbs.detect import detect as _detect
from ._verbs.environments import EnvResult
from ._verbs.environments import env as _env
from ._verbs.status import StatusResult
from ._verbs.status import status as _status

PathLike = str | Path | None


def detect(path: PathLike = None, *, env: str | None = None) -> DetectResult:
    """Which migration tool the project at ``path`` uses, the evidence, and its connection (masked)."""
    return _detect(path, env)


def env(name: str | None = None, *, project: PathLike = None) -> EnvResult:
    """List environments and their (masked) connections; with ``name``, make it the active one."""
    return _env(name, project)


def status(path: PathLike = None, *, env: str | None = None) -> StatusResult:
    """Every migration on disk or in the tracking table, with its state."""
    return _status(path, env)


def backup(path: PathLike = None, *, env: str | None = None, schema_only: bool = False,
           tables: str | list[str] | None = None, backup_dir: PathLike = None) -> BackupResult:
    """Back up the environment's database (pg_dump, mysqldump, SQLite backup API) with a manifest."""
    return _backup(path, env, schema_only=schema_only, tables=tables, folder=backup_dir)


def backups(path: PathLike = None, *, backup_dir: PathLike = None) -> BackupsResult:
    """The backups in the backup folder, newest first."""
    return _backups(path, folder=backup_dir)


def restore(backup: str, path: PathLike = None, *, env: str | None = None, into: str | None = None,
            verify: bool = False, yes: bool = False, confirm: str | None = None, no_backup: bool = False,
            backup_dir: PathLike = None) -> RestoreResult:
    """Restore a backup into ``into`` (default: the environment), or ``verify`` it in a scratch database."""
    return _restore(backup, path, env, into=into, verify=verify, yes=yes, confirm=confirm, no_backup=no_backup,
                    folder=backup_dir)


__all__ = ["detect", "env", "status", "backup", "backups", "restore", "DetectResult", "EnvResult", "StatusResult",
           "BackupResult", "BackupsResult", "RestoreResult"]
