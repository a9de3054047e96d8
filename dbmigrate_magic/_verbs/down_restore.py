"""Columns a migration dropped, as its computed down part restores them.

The rows' values of a dropped column are gone: re-adding it ``NOT NULL`` without a default fails
on any table that has rows (PostgreSQL: "contains null values"; SQLite's rebuild copies NULLs into
it; MySQL fills it with '' or 0 and hides the loss). So the down part restores such a column
nullable, and says so; one with a default keeps NOT NULL (every row gets the default).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..schema.model import Column, SchemaModel, Table

_NOT_NULL = re.compile(r"\bNOT\s+NULL\b", re.IGNORECASE)


def _restorable(col: Column) -> bool:
    """True for a column that cannot be re-added NOT NULL to a table with rows (MySQL keeps the
    default in the column's own definition)."""
    has_default = col.default is not None or bool(col.definition and re.search(r"\bDEFAULT\b", col.definition, re.I))
    return not col.nullable and not has_default and col.identity is None and col.generated is None


def _relaxed(col: Column) -> Column:
    definition = _NOT_NULL.sub("NULL", col.definition) if col.definition else col.definition
    return replace(col, nullable=True, definition=definition)


def relax_dropped_columns(before: SchemaModel, after: SchemaModel) -> tuple[SchemaModel, list[str]]:
    """``before`` with every NOT NULL column the migration dropped (from a table it kept) made
    nullable, and one note per column for the preview and the down file."""
    tables: dict = {}
    notes: list[str] = []
    for key, table in before.tables.items():
        kept = after.tables.get(key)
        if kept is None:  # a dropped table comes back empty: its NOT NULL columns are fine
            tables[key] = table
            continue
        gone = {c.name for c in table.columns if kept.column(c.name) is None and _restorable(c)}
        if not gone:
            tables[key] = table
            continue
        where = f"{table.schema}.{table.name}" if table.schema else table.name
        for name in sorted(gone):
            notes.append(
                f"{where}.{name} was NOT NULL without a default: the migration dropped its values, so the down "
                "part restores it nullable (re-adding it NOT NULL would fail on a table with rows). Fill it, "
                "then make it NOT NULL again in a new migration."
            )
        columns = tuple(_relaxed(c) if c.name in gone else c for c in table.columns)
        tables[key] = _stored_sql_relaxed(replace(table, columns=columns), gone)
    return replace(before, tables=tables), notes


def _stored_sql_relaxed(table: Table, names: set[str]) -> Table:
    """SQLite rebuilds a table from its stored CREATE text: drop NOT NULL from the named columns'
    definitions there too."""

    def relax(text: str | None) -> str | None:
        if not text:
            return text
        for name in names:
            q = re.escape(name)
            text = re.sub(
                rf"((?:^|[(,])\s*[\"`\[]?{q}[\"`\]]?\s(?:[^,()]|\([^)]*\))*?)\s+NOT\s+NULL\b",
                r"\1",
                text,
                count=1,
                flags=re.IGNORECASE,
            )
        return text

    return replace(table, sql=relax(table.sql), create=relax(table.create) or "")
