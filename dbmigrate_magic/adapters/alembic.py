"""Alembic: ``versions/<rev>_<slug>.py`` revision graph and the ``alembic_version`` table."""
from __future__ import annotations

import configparser
from pathlib import Path

from . import alembic_config
from ._files import iter_files
from .base import Adapter, Evidence


class AlembicAdapter(Adapter):
    tool = "alembic"
    display_name = "Alembic"

    @classmethod
    def ini_file(cls, root: Path) -> Path | None:
        p = root / "alembic.ini"
        return p if p.is_file() else None

    @classmethod
    def script_location(cls, root: Path) -> Path:
        ini = cls.ini_file(root)
        if ini is not None:
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(ini, encoding="utf-8")
                loc = parser.get("alembic", "script_location", fallback=None)
            except configparser.Error:
                loc = None
            if loc:
                loc = loc.replace("%(here)s", str(root))
                return (root / loc).resolve()
        return root / "alembic"

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        ini = cls.ini_file(root)
        folder = cls.script_location(root)
        if ini is None and not (root / "alembic").is_dir():
            return None
        versions = folder / "versions"
        count = len([p for p in iter_files(versions, "*.py") if p.name != "__init__.py"])
        files = ("alembic.ini",) if ini else ("alembic/",)
        rel = versions.relative_to(root).as_posix() if versions.is_relative_to(root) else str(versions)
        return Evidence(cls.tool, files, rel, count)

    def config_connections(self):  # parsing lives in alembic_config.py
        return alembic_config.connections(self.root, self.ini_file(self.root))

    def preferred_variables(self):  # variables env.py reads the URL from
        return alembic_config.env_py_variables(self.script_location(self.root))
