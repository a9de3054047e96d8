"""Knex: ``migrations/<ts>_<name>.js`` and the ``knex_migrations`` table, run through the knex CLI."""
from __future__ import annotations

from pathlib import Path

from . import knex_config
from ._files import first_existing, iter_files, js_string_option, read_text
from .base import Adapter, Evidence

KNEXFILES = ("knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs")
MIGRATION_EXTS = (".js", ".ts", ".cjs", ".mjs")


class KnexAdapter(Adapter):
    tool = "knex"
    display_name = "Knex"

    @classmethod
    def migrations_dir(cls, root: Path) -> Path:
        knexfile = first_existing(root, KNEXFILES)
        directory = js_string_option(read_text(knexfile), "directory") if knexfile else None
        return (root / (directory or "migrations")).resolve()

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        knexfile = first_existing(root, KNEXFILES)
        if knexfile is None:
            return None
        folder = cls.migrations_dir(root)
        count = len([p for p in iter_files(folder, "*") if p.suffix in MIGRATION_EXTS])
        rel = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
        return Evidence(cls.tool, (knexfile.name,), rel, count)

    def config_connections(self):  # parsing lives in knex_config.py
        return knex_config.connections(self.root, first_existing(self.root, KNEXFILES))

    def preferred_variables(self):
        return knex_config.preferred_variables(first_existing(self.root, KNEXFILES))
