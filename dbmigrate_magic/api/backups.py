"""The backup verbs: backup, backups, restore."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from ..argspec import Arg
from ._params import (
    BackupDir,
    Env,
    Project,
)

if TYPE_CHECKING:
    from .._verbs.backup import BackupResult, BackupsResult, RestoreResult


# --- backups --------------------------------------------------------------------------------------
def backup(
    path: Project = None,
    *,
    env: Env = None,
    schema_only: Annotated[bool, Arg(help="schema without data")] = False,
    tables: Annotated[
        str | Sequence[str] | None, Arg(help="only these tables (comma-separated)", metavar="T,...")
    ] = None,
    backup_dir: BackupDir = None,
) -> BackupResult:
    """Back up a database (pg_dump, mysqldump, SQLite backup API) with a manifest.

    ``tables``: a comma-separated string or a list of names.
    """
    from .._verbs.backup import backup as _backup

    return _backup(path, env, schema_only=schema_only, tables=tables, folder=backup_dir)


def backups(
    path: Project = None,
    *,
    backup_dir: BackupDir = None,
    limit: Annotated[int | None, Arg(help="only the N newest", metavar="N")] = None,
) -> BackupsResult:
    """List backups in the backup folder, newest first."""
    from .._verbs.backup import backups as _backups

    return _backups(path, folder=backup_dir, limit=limit)


def restore(
    backup: Annotated[str, Arg(help="backup name (see `backups`), its file, or `latest`")],
    path: Project = None,
    *,
    env: Annotated[
        str | None, Arg(help="with --verify: the source to compare with; otherwise the default target")
    ] = None,
    into: Annotated[
        str | None, Arg(help="restore into this environment or URL (overwrites it)", metavar="ENV|URL")
    ] = None,
    verify: Annotated[
        bool, Arg(help="restore into a scratch database, compare schema and rows with --env, drop it")
    ] = False,
    yes: Annotated[bool, Arg(help="confirm overwriting the target (not enough in production)")] = False,
    confirm: Annotated[
        str | None, Arg(help="type the target environment's name (needed in production)", metavar="ENV")
    ] = None,
    no_backup: Annotated[
        bool, Arg(help="in production, do not back up the target before overwriting it (recorded)")
    ] = False,
    backup_dir: BackupDir = None,
) -> RestoreResult:
    """Restore a backup into a target, or verify it in a scratch database."""
    from .._verbs.backup import restore as _restore

    return _restore(
        backup, path, env, into=into, verify=verify, yes=yes, confirm=confirm, no_backup=no_backup, folder=backup_dir
    )
