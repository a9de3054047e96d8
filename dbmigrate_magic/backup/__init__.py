"""Backups and restores: pg_dump/pg_restore, mysqldump/mariadb, SQLite's online backup API.

Each backup is a file plus a JSON manifest (size, duration, masked source, tool and version,
sha256) in the backup folder; ``restore --verify`` proves a backup by restoring it into a
scratch database and comparing schema and rows with the source.
"""

from .manifest import BackupRecord, backup_dir, find_record, list_records
from .operations import (
    Declined,
    ensure_backup_before_change,
    restore_backup,
    take_backup,
    verify_backup,
)

__all__ = [
    "BackupRecord",
    "Declined",
    "backup_dir",
    "ensure_backup_before_change",
    "find_record",
    "list_records",
    "restore_backup",
    "take_backup",
    "verify_backup",
]
