"""Flyway (read-only): ``db/migration/V<ver>__<desc>.sql`` and ``flyway_schema_history``."""
from __future__ import annotations

import re
from pathlib import Path

from ._files import first_existing, iter_files
from .base import Adapter, Evidence

FOLDERS = ("db/migration", "src/main/resources/db/migration", "sql", "migrations")
FLYWAY_NAME = re.compile(r"^(V|U)[0-9][0-9._]*__.+\.sql$|^R__.+\.sql$")


class FlywayAdapter(Adapter):
    tool = "flyway"
    display_name = "Flyway"
    read_only = True

    @classmethod
    def files_in(cls, root: Path) -> tuple[Path | None, list[Path]]:
        for folder in FOLDERS:
            files = [p for p in iter_files(root / folder, "*.sql") if FLYWAY_NAME.match(p.name)]
            if files:
                return root / folder, files
        return None, []

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        config = first_existing(root, ("flyway.conf", "flyway.toml", "conf/flyway.conf"))
        folder, files = cls.files_in(root)
        if config is None and not files:
            return None
        evidence = tuple(x for x in (config.name if config else None,
                                     f"{folder.relative_to(root).as_posix()}/V*__*.sql" if folder else None) if x)
        rel = folder.relative_to(root).as_posix() if folder else None
        return Evidence(cls.tool, evidence, rel, len(files))
