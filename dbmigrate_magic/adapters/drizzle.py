"""Drizzle: ``<out>/NNNN_name.sql`` + ``meta/_journal.json`` and ``__drizzle_migrations``."""
from __future__ import annotations

import json
from pathlib import Path

from . import drizzle_config
from ._files import first_existing, js_string_option, read_text
from .base import Adapter, Evidence

CONFIG_NAMES = ("drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs", "drizzle.config.mts",
                "drizzle.config.cjs", "drizzle.config.json")


class DrizzleAdapter(Adapter):
    tool = "drizzle"
    display_name = "Drizzle"

    @classmethod
    def out_dir(cls, root: Path) -> Path:
        config = first_existing(root, CONFIG_NAMES)
        if config is not None:
            out = js_string_option(read_text(config), "out")
            if out:
                return (root / out).resolve()
        return root / "drizzle"

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        config = first_existing(root, CONFIG_NAMES)
        out = cls.out_dir(root)
        journal = out / "meta" / "_journal.json"
        count = 0
        if journal.is_file():
            try:
                count = len(json.loads(read_text(journal)).get("entries", []))
            except ValueError:
                count = 0
        elif out.is_dir():
            count = len(list(out.glob("*.sql"))) + len(list(out.glob("*/migration.sql")))
        rel_out = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
        if config is not None:
            return Evidence(cls.tool, (config.name,), rel_out, count)
        if out.is_dir() and (journal.is_file() or count):
            files = (journal.relative_to(root).as_posix(),) if journal.is_file() else (rel_out + "/",)
            return Evidence(cls.tool, files, rel_out, count)
        return None

    def config_connections(self):  # parsing lives in drizzle_config.py
        return drizzle_config.connections(self.root, first_existing(self.root, CONFIG_NAMES))

    def preferred_variables(self):
        return drizzle_config.preferred_variables(first_existing(self.root, CONFIG_NAMES))

    @classmethod
    def ignored_folder_note(cls, root: Path) -> str | None:
        folder = root / "drizzle"
        if folder.is_dir() and cls.detect(root) is None:
            return "drizzle/ folder ignored: it holds no meta/_journal.json and no .sql migrations"
        return None
