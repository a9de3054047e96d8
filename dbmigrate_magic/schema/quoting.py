"""Identifier and string quoting for the introspection and diff modules (each dialect's own
identifier quoting is in ``dialects.quoting``; other code asks ``dialect_for(...).quote``)."""

from __future__ import annotations

from ..dialects.quoting import PG_KEYWORDS, mysql_quote, pg_quote, sqlite_quote

__all__ = ["PG_KEYWORDS", "literal", "mysql_quote", "pg_quote", "sqlite_quote"]


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
