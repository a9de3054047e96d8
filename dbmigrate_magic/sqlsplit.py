"""Split a migration's SQL into statements, each with the line it starts on, using real parsers.

Each dialect finds its own statement boundaries (``Dialect.statement_spans``): pglast for
PostgreSQL, ``sqlite3_complete()`` for SQLite, sqlglot's MySQL tokenizer for MySQL/MariaDB.
"""

from __future__ import annotations

from .dialects import dialect_for, find_dialect
from .dialects.base import Statement, code_offset

__all__ = ["Statement", "code_offset", "split"]


def split(sql: str, dialect: str, first_line: int = 1) -> list[Statement]:
    """Statements of ``sql`` for ``dialect`` (postgresql, mysql, sqlite), without trailing semicolons.
    Another dialect's SQL is split as MySQL's tokenizer reads it."""
    return (find_dialect(dialect) or dialect_for("mysql")).split(sql, first_line)
