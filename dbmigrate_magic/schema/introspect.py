"""Entry point: read a live database into a ``SchemaModel`` with the dialect's own module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dialects import dialect_for
from ..dialects.postgresql import DIRECT_URLS
from .scope import Scope

if TYPE_CHECKING:
    from ..db import Database
    from .model import SchemaModel

__all__ = ["Scope", "introspect", "prepare"]


def prepare(url: str) -> None:
    """Import the driver that reading ``url`` needs, in the calling thread.

    ``load_models`` calls this before its threads read the sides: the import then does not
    compete for the interpreter with the work the caller does while the servers answer."""
    if url.startswith(DIRECT_URLS):
        import psycopg  # noqa: F401


def introspect(db: Database, scope: Scope | None = None) -> SchemaModel:
    return dialect_for(db).introspect(db, scope or Scope())
