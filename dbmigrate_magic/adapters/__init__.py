"""Adapters, one per migration tool, in detection order (first match wins, all are reported)."""

from __future__ import annotations

from importlib import import_module

from .base import Adapter, Evidence, History, MigrationFile, MigrationRow

#: (tool id, module, class) in detection order: the first match wins (all matches are reported);
#: specific tools before raw SQL (sqlx, named by Cargo.toml, too), then the tools we only read
ADAPTERS: tuple[tuple[str, str, str], ...] = (
    ("prisma", "prisma.adapter", "PrismaAdapter"),
    ("drizzle", "drizzle.adapter", "DrizzleAdapter"),
    ("knex", "knex.adapter", "KnexAdapter"),
    ("typeorm", "typeorm.adapter", "TypeOrmAdapter"),
    ("alembic", "alembic.adapter", "AlembicAdapter"),
    ("django", "django.adapter", "DjangoAdapter"),
    ("sqlx", "sqlx.adapter", "SqlxAdapter"),  # before golang-migrate: sqlx's .up.sql files match its naming too
    ("goose", "goose.adapter", "GooseAdapter"),  # before raw SQL: its files carry `-- +goose Up`
    ("rawsql", "rawsql.adapter", "RawSqlAdapter"),
    ("dbmate", "dbmate.adapter", "DbmateAdapter"),
    ("golang-migrate", "golang_migrate.adapter", "GolangMigrateAdapter"),
    ("flyway", "flyway.adapter", "FlywayAdapter"),
)
TOOL_IDS = tuple(t for t, _, _ in ADAPTERS)
#: the tools ``dbm detect`` may recommend to a project that has none, most specific first; the
#: last (our raw SQL format) always fits
RECOMMENDATION_ORDER = ("django", "drizzle", "alembic", "rawsql")
#: the format a project with no tool yet writes its first migration in (``dbm new``)
DEFAULT_TOOL = "rawsql"


def adapter_class(tool: str) -> type[Adapter]:
    for tool_id, module, cls in ADAPTERS:
        if tool_id == tool:
            return getattr(import_module(f".{module}", __name__), cls)
    raise KeyError(tool)


def all_adapter_classes() -> list[type[Adapter]]:
    return [adapter_class(t) for t in TOOL_IDS]


__all__ = [
    "ADAPTERS",
    "DEFAULT_TOOL",
    "RECOMMENDATION_ORDER",
    "TOOL_IDS",
    "Adapter",
    "Evidence",
    "History",
    "MigrationFile",
    "MigrationRow",
    "adapter_class",
    "all_adapter_classes",
]
