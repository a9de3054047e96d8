"""Reading another tool's tracking table read-only: never creates anything."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..db import Database


def read_table(
    db: Database, table: str, columns: tuple[str, ...] | None = None, order_by: str | None = None
) -> tuple[list[dict[str, Any]], set[str]] | None:
    """Rows of ``table`` as dicts (and its column names), or None when the table does not exist."""
    from sqlalchemy import column, inspect, select
    from sqlalchemy import table as sa_table

    with db.connect() as conn:
        insp = inspect(conn)
        if not insp.has_table(table):
            return None
        present = {c["name"] for c in insp.get_columns(table)}
        wanted = [c for c in (columns or tuple(sorted(present))) if c in present]
        query = select(*[column(c) for c in wanted]).select_from(sa_table(table))
        if order_by and order_by in present:
            query = query.order_by(column(order_by))
        rows = [dict(r) for r in conn.execute(query).mappings()]
        return rows, present
