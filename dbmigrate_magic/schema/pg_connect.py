"""A direct psycopg connection for introspection, with the same masked errors as ``Database.connect``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from ..dialects.quoting import search_path_option
from ..errors import ConnectionFailed
from ..masking import mask

SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq URI (driver suffix dropped; query parameters kept)."""
    parts = urlsplit(url)
    scheme = parts.scheme if parts.scheme not in SCHEMES else "postgresql"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


@contextmanager
def direct(db) -> Iterator[object]:
    import psycopg

    options = search_path_option(db.schema) if db.schema else None  # psycopg drops a None parameter
    try:
        conn = psycopg.connect(libpq_url(db.url), options=options)
    except Exception as exc:
        raise ConnectionFailed(
            f"Could not connect to {db.place}: {mask(str(exc).strip())}",
            next_step="Check that the server is running and the credentials are right (`dbm env` shows "
            "where this URL came from).",
        ) from None
    try:
        yield conn
    finally:
        conn.close()


def pipelined(conn) -> bool:
    """A psycopg 3 connection whose libpq has pipeline mode (libpq 14 and later)."""
    try:
        from psycopg import Connection, Pipeline
    except ImportError:
        return False
    return isinstance(conn, Connection) and Pipeline.is_supported()
