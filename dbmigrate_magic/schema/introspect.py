"""Entry point: read a live database into a ``SchemaModel`` with the dialect's own module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dialects import dialect_for
from ..dialects.postgresql import POSTGRESQL
from .scope import Scope

if TYPE_CHECKING:
    from ..db import Database
    from .model import SchemaModel

__all__ = ["Scope", "introspect", "prepare"]


def prepare(url: str) -> None:
    """Import what reading ``url`` needs, in the calling thread, before ``load_models`` reads the
    two sides in two threads: a package first imported by two threads at once can be seen half
    initialised by one of them (SQLAlchemy's circular modules were: "partially initialized module
    'sqlalchemy.sql.roles'"), and the import then does not compete with the servers' answers."""
    if not url:
        return
    if url.startswith(POSTGRESQL.direct_url_prefixes):
        import psycopg  # noqa: F401  (read without SQLAlchemy)

        return
    from sqlalchemy.engine import make_url

    make_url(url).get_dialect().import_dbapi()


def introspect(db: Database, scope: Scope | None = None) -> SchemaModel:
    return dialect_for(db).introspect(db, scope or Scope())
