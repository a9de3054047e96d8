"""golang-migrate (read-only): ``<version>_<title>.up.sql``/``.down.sql`` and ``schema_migrations``."""
from __future__ import annotations

from pathlib import Path

from ._files import iter_files
from .base import Adapter, Evidence

FOLDERS = ("migrations", "db/migrations", "db/migration")


class GolangMigrateAdapter(Adapter):
    tool = "golang-migrate"
    display_name = "golang-migrate"
    read_only = True

    @classmethod
    def files_in(cls, root: Path) -> tuple[Path | None, list[Path]]:
        for folder in FOLDERS:
            ups = iter_files(root / folder, "*.up.sql")
            if ups:
                return root / folder, ups
        return None, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        folder, ups = cls.files_in(root)
        if folder is None:
            return None
        rel = folder.relative_to(root).as_posix()
        return Evidence(cls.tool, (f"{rel}/*.up.sql",), rel, len(ups))
