"""Entry point: read a live database into a ``SchemaModel`` with the dialect's own module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..db import Database
    from .model import SchemaModel


@dataclass(frozen=True)
class Scope:
    """Which objects to read (the migra-style filters)."""

    schemas: tuple[str, ...] = ()  # only these (empty: all user schemas)
    exclude_schemas: tuple[str, ...] = ()
    privileges: bool = False
    ignore_extension_versions: bool = False

    def wants(self, schema: str) -> bool:
        if self.schemas and schema not in self.schemas:
            return False
        return schema not in self.exclude_schemas


DIRECT_PG = ("postgresql+psycopg://", "postgresql://", "postgres://")


def prepare(url: str) -> None:
    """Import the driver that reading ``url`` needs, in the calling thread.

    ``load_models`` calls this before its threads read the sides: the import then does not
    compete for the interpreter with the work the caller does while the servers answer."""
    if url.startswith(DIRECT_PG):
        import psycopg  # noqa: F401


def introspect(db: Database, scope: Scope | None = None) -> SchemaModel:
    scope = scope or Scope()
    if db.dialect == "postgresql":
        from .pg_introspect import introspect_pg as read
    elif db.dialect == "mysql":
        from .mysql_introspect import introspect_mysql as read
    elif db.dialect == "sqlite":
        from .sqlite_introspect import introspect_sqlite as read
    else:  # pragma: no cover - config.dialect_of only yields these three
        raise ValueError(db.dialect)
    if db.dialect == "postgresql" and db.url.startswith(DIRECT_PG):
        from .pg_connect import direct

        with direct(db) as raw:  # psycopg without SQLAlchemy: the import alone costs more than the queries
            return read(raw, scope)
    with db.connect() as conn:
        return read(conn.connection.dbapi_connection, scope)
