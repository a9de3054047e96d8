"""Who is connected to a database about to lose a table or the whole database.

PostgreSQL: ``pg_stat_activity`` (and ``pg_locks`` to say who holds a lock on the table);
MySQL/MariaDB: ``information_schema.PROCESSLIST``. SQLite has no server to ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..dialects import find_dialect
from ..masking import mask

if TYPE_CHECKING:
    from ..db import Database
    from ..dialects import Dialect
    from .destructive import Destructive


def active_connections(db: Database, findings: list[Destructive]) -> list[dict[str, Any]]:
    """Sessions connected to each database or table a DROP TABLE/DATABASE/SCHEMA targets."""
    kind = find_dialect(db)
    if kind is None or kind.sessions_sql is None:  # no server to ask
        return []
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return _sessions(db, kind, findings, text)
    except SQLAlchemyError as exc:
        from ..db import short_db_error
        from ..errors import ConnectionFailed

        raise ConnectionFailed(
            f"Could not list the sessions connected to {db.masked_url}: {short_db_error(exc)}",
            next_step="The user may lack the privilege to see other sessions.",
        ) from None


def _sessions(db: Database, kind: Dialect, findings: list[Destructive], text) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with db.connect() as conn:
        for finding in findings:
            if finding.kind not in ("drop_table", "drop_database", "drop_schema"):
                continue
            for target in finding.targets:
                database, table = kind.drop_scope(finding.kind, target)
                result = conn.execute(text(kind.sessions_sql), {"db": database, "tbl": table})
                for row in result.mappings():
                    entry = {"target": target, "kind": finding.kind, **dict(row)}
                    entry["query"] = mask(entry.get("query") or "")
                    rows.append(entry)
    return rows
