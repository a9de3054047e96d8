"""Who is connected to a database about to lose a table or the whole database.

PostgreSQL: ``pg_stat_activity`` (and ``pg_locks`` to say who holds a lock on the table);
MySQL/MariaDB: ``information_schema.PROCESSLIST``. SQLite has no server to ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..masking import mask

if TYPE_CHECKING:
    from ..db import Database
    from .destructive import Destructive

_PG_SESSIONS = """
SELECT a.pid, a.usename AS "user", a.application_name AS application, a.client_addr::text AS client,
       a.state, a.backend_start, left(coalesce(a.query, ''), 200) AS query, a.datname AS database,
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = to_regclass(CAST(:tbl AS text))) AS holds_lock
FROM pg_stat_activity a
WHERE a.datname = coalesce(:db, current_database()) AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
ORDER BY a.pid
"""
_MYSQL_SESSIONS = """
SELECT ID AS pid, USER AS user, HOST AS client, DB AS `database`, COMMAND AS state, TIME AS seconds,
       LEFT(COALESCE(INFO, ''), 200) AS query
FROM information_schema.PROCESSLIST
WHERE DB = COALESCE(:db, DATABASE()) AND ID <> CONNECTION_ID()
ORDER BY ID
"""


def active_connections(db: Database, findings: list[Destructive]) -> list[dict[str, Any]]:
    """Sessions connected to each database or table a DROP TABLE/DATABASE/SCHEMA targets."""
    if db.dialect not in ("postgresql", "mysql"):
        return []
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return _sessions(db, findings, text)
    except SQLAlchemyError as exc:
        from ..db import short_db_error
        from ..errors import ConnectionFailed

        raise ConnectionFailed(
            f"Could not list the sessions connected to {db.masked_url}: {short_db_error(exc)}",
            next_step="The user may lack the privilege to see other sessions.",
        ) from None


def _sessions(db: Database, findings: list[Destructive], text) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with db.connect() as conn:
        for finding in findings:
            if finding.kind not in ("drop_table", "drop_database", "drop_schema"):
                continue
            for target in finding.targets:
                database, table = _scope(db.dialect, finding.kind, target)
                if db.dialect == "postgresql":
                    result = conn.execute(text(_PG_SESSIONS), {"db": database, "tbl": table})
                else:
                    result = conn.execute(text(_MYSQL_SESSIONS), {"db": database})
                for row in result.mappings():
                    entry = {"target": target, "kind": finding.kind, **dict(row)}
                    entry["query"] = mask(entry.get("query") or "")
                    rows.append(entry)
    return rows


def _scope(dialect: str, kind: str, target: str) -> tuple[str | None, str | None]:
    """(database to look in, table) for one target; None database means the current one."""
    if kind == "drop_database" or (kind == "drop_schema" and dialect == "mysql"):
        return target, None
    if kind == "drop_schema":
        return None, None
    if dialect == "mysql" and "." in target:
        schema, table = target.split(".", 1)
        return schema, table
    return None, target
