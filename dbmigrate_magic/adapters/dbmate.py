"""dbmate (read-only): ``db/migrations/<ts>_<name>.sql`` with ``-- migrate:up`` and ``schema_migrations``."""
from __future__ import annotations

from pathlib import Path

from ._files import iter_files, read_text
from .base import Adapter, Evidence

FOLDERS = ("db/migrations", "migrations")


class DbmateAdapter(Adapter):
    tool = "dbmate"
    display_name = "dbmate"
    read_only = True

    @classmethod
    def files_in(cls, root: Path) -> tuple[Path | None, list[Path]]:
        for folder in FOLDERS:
            files = [p for p in iter_files(root / folder, "*.sql") if "-- migrate:up" in read_text(p, 8192)]
            if files:
                return root / folder, files
        return None, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        folder, files = cls.files_in(root)
        if not files or folder is None:
            return None
        rel = folder.relative_to(root).as_posix()
        return Evidence(cls.tool, (f"{rel}/*.sql (-- migrate:up)",), rel, len(files))
