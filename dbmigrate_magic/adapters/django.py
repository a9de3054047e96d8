"""Django: ``<app>/migrations/NNNN_name.py`` per app and the ``django_migrations`` table."""
from __future__ import annotations

import re
from pathlib import Path

from . import django_config
from ._files import SKIP_DIRS, read_text
from .base import Adapter, Evidence

DJANGO_IMPORT = re.compile(r"(\bdjango\b|DJANGO_SETTINGS_MODULE)")
MIGRATION_NAME = re.compile(r"^\d{4}_\w+\.py$")


class DjangoAdapter(Adapter):
    tool = "django"
    display_name = "Django"

    @classmethod
    def migration_dirs(cls, root: Path) -> list[Path]:
        dirs = []
        for init in root.rglob("migrations/__init__.py"):
            if any(part in SKIP_DIRS for part in init.relative_to(root).parts):
                continue
            dirs.append(init.parent)
        return sorted(dirs)

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        manage = root / "manage.py"
        if not manage.is_file() or not DJANGO_IMPORT.search(read_text(manage)):
            return None
        dirs = cls.migration_dirs(root)
        count = sum(1 for d in dirs for p in d.iterdir() if MIGRATION_NAME.match(p.name))
        folder = dirs[0].relative_to(root).as_posix() if len(dirs) == 1 else ("*/migrations" if dirs else None)
        return Evidence(cls.tool, ("manage.py",), folder, count)

    def config_connections(self):  # parsing lives in django_config.py
        return django_config.connections(self.root)

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        manage = root / "manage.py"
        if manage.is_file() and not DJANGO_IMPORT.search(read_text(manage)):
            return "manage.py ignored: it does not import Django"
        return None
