"""Prisma: ``prisma/migrations/<ts>_<name>/migration.sql`` and the ``_prisma_migrations`` table."""
from __future__ import annotations

import re
from pathlib import Path

from . import prisma_config
from ._files import first_existing, read_text
from .base import Adapter, Evidence


class PrismaAdapter(Adapter):
    tool = "prisma"
    display_name = "Prisma"
    table = "_prisma_migrations"

    @classmethod
    def schema_file(cls, root: Path) -> Path | None:
        return first_existing(root, ("prisma/schema.prisma", "schema.prisma"))

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        schema = cls.schema_file(root)
        if schema is None:
            return None
        migrations = schema.parent / "migrations"
        count = sum(1 for p in migrations.glob("*/migration.sql")) if migrations.is_dir() else 0
        return Evidence(cls.tool, (schema.relative_to(root).as_posix(),),
                        migrations.relative_to(root).as_posix(), count)

    def config_connections(self):  # parsing lives in prisma_config.py
        return prisma_config.connections(self.schema_file(self.root))

    def url_base_dir(self):  # Prisma resolves file: URLs against the schema file's folder
        schema = self.schema_file(self.root)
        return schema.parent if schema else self.root

    def preferred_variables(self) -> tuple[str, ...]:
        return prisma_config.preferred_variables(self.root, self.schema_file(self.root))
