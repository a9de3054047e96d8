"""Identifier quoting, one function per dialect: a leaf module, so the introspection and diff
modules of one dialect can quote without importing the dialect objects that point to them."""

from __future__ import annotations

import re
from functools import cache

# PostgreSQL 15's non-unreserved keywords (``pg_get_keywords()`` where catcode <> 'U'): the words
# ``quote_ident`` quotes. Kept here so quoting needs no SQLAlchemy import on the fast path.
PG_KEYWORDS = frozenset(
    """
all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case
cast char character check coalesce collate collation column concurrently constraint create cross
current_catalog current_date current_role current_schema current_time current_timestamp current_user dec
decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign
freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect
interval into is isnull join lateral leading least left like limit localtime localtimestamp national natural
nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay
placing position precision primary real references returning right row select session_user setof similar
smallint some substring symmetric table tablesample then time timestamp to trailing treat trim true union
unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement
xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable""".split()
)
_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
_PG_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")


def pg_quote(name: str) -> str:
    """PostgreSQL's ``quote_ident``: quote unless a lower-case plain identifier and not a keyword."""
    if _PG_PLAIN.match(name) and name not in PG_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def search_path_option(schema: str) -> str:
    """libpq's ``options`` value that makes ``schema`` the search path: the name quoted as an
    identifier (PostgreSQL folds ``TenantA`` to ``tenanta`` otherwise), and backslash and space
    escaped, since the server splits ``options`` into arguments at spaces."""
    value = pg_quote(schema).replace("\\", "\\\\").replace(" ", "\\ ")
    return f"-csearch_path={value}"


def mysql_quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@cache
def _sqlite_preparer():
    from sqlalchemy.dialects.sqlite.base import SQLiteDialect

    return SQLiteDialect().identifier_preparer


def sqlite_quote(name: str) -> str:
    """SQLAlchemy's SQLite quoting (reserved words included)."""
    return _sqlite_preparer().quote(name)
