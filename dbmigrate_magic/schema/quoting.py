"""Identifier quoting through SQLAlchemy's own preparers (reserved words included)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def _preparer(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql.base import PGDialect as D
    elif dialect == "mysql":
        from sqlalchemy.dialects.mysql.base import MySQLDialect as D
    else:
        from sqlalchemy.dialects.sqlite.base import SQLiteDialect as D
    return D().identifier_preparer


def quoter(dialect: str):
    prep = _preparer(dialect)
    if dialect == "mysql":
        return lambda name: "`" + name.replace("`", "``") + "`"
    return prep.quote


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
