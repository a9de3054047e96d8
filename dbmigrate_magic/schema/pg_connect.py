"""A direct psycopg connection (``PostgreSQL.direct_connection``), with the same masked errors as ``Database.connect``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..dialects.quoting import search_path_option

if TYPE_CHECKING:
    from ..db import Database

SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq URI (driver suffix dropped; query parameters kept)."""
    parts = urlsplit(url)
    scheme = parts.scheme if parts.scheme not in SCHEMES else "postgresql"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def connect(db: Database) -> Any:
    """A psycopg connection to ``db`` (its schema first on the search path), failing as
    ``Database.connect`` does: ``ConnectionFailed`` with the server's masked message and advice."""
    import psycopg

    options = search_path_option(db.schema) if db.schema else None  # psycopg drops a None parameter
    try:
        return psycopg.connect(libpq_url(db.url), options=options)
    except Exception as exc:
        raise db.cannot_connect(exc) from None


def pipelined(conn) -> bool:
    """A psycopg 3 connection whose libpq has pipeline mode (libpq 14 and later)."""
    try:
        from psycopg import Connection, Pipeline
    except ImportError:
        return False
    return isinstance(conn, Connection) and Pipeline.is_supported()
