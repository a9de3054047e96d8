"""The one way adapters read a tracking table: read-only, never creating anything, and fast,
because ``status`` is the verb run most.

On SQLite the table is read with the standard library's ``sqlite3`` (read-only, so looking never
creates a file), and on a server with the connection the dialect opens itself (psycopg; PyMySQL
on a plain URL): both spare the SQLAlchemy import and its reflection queries, about a third of a
second per ``dbm status``. A URL with driver options goes through SQLAlchemy.
Every path answers the same: rows as dicts, the column names (also for an empty table: a tool
whose table comes in several forms tells them apart by these), or None when the table is absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..dialects import dialect_for

if TYPE_CHECKING:
    from ..db import Database


Query = tuple[str, str, str]  # table, column list ("*" for all), tail (ORDER BY ...)


class Rows(list):
    """A table's rows (dicts, in the order read) and its ``columns`` as the database names them."""

    def __init__(self, rows: Iterable[dict[str, Any]], columns: Iterable[str]):
        super().__init__(rows)
        self.columns: tuple[str, ...] = tuple(columns)


def read_table(db: Database, table: str, columns: str = "*", tail: str = "", schema: str | None = None) -> Rows | None:
    """``SELECT columns FROM table tail``, or None when the table does not exist."""
    return read_tables(db, {"rows": (table, columns, tail)}, schema)["rows"]


def read_tables(db: Database, queries: dict[str, Query], schema: str | None = None) -> dict[str, Rows | None]:
    """For each ``key: (table, columns, tail)`` the rows, or None when the table does not exist.
    The tables are read over one connection (knex: its migrations table and its lock table)."""
    path = db.sqlite_path() if not schema else None
    if path is not None:
        return _read_sqlite(path, queries)
    kind = dialect_for(db)
    if kind.table_exists_sql and (direct := kind.direct_connection(db)) is not None:  # psycopg, PyMySQL
        return _read_direct(db, direct, queries, schema)
    from sqlalchemy import inspect, text

    out: dict[str, Rows | None] = {}
    with db.connect() as conn:
        insp = inspect(conn)
        prep = conn.dialect.identifier_preparer
        for key, (table, columns, tail) in queries.items():
            if not insp.has_table(table, schema=schema):
                out[key] = None
                continue
            qualified = f"{prep.quote(schema)}.{prep.quote(table)}" if schema else prep.quote(table)
            sql = f"SELECT {columns} FROM {qualified} {tail}"
            result = conn.execute(text(sql))
            out[key] = Rows((dict(r) for r in result.mappings()), result.keys())
    return out


def _read_sqlite(path: str, queries: dict[str, Query]) -> dict[str, Rows | None]:
    import sqlite3
    from pathlib import Path

    from ..errors import ConnectionFailed
    from ..masking import mask

    file = Path(path)
    if not file.exists():
        return {key: None for key in queries}
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ConnectionFailed(
            f"Could not open the SQLite file {mask(path)}: {mask(exc)}", next_step="Check the path and its permissions."
        ) from None
    try:
        out: dict[str, Rows | None] = {}
        for key, (table, columns, tail) in queries.items():
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            if not found:
                out[key] = None
                continue
            quoted = '"' + table.replace('"', '""') + '"'
            cursor = conn.execute(f"SELECT {columns} FROM {quoted} {tail}")
            names = [d[0] for d in cursor.description]
            out[key] = Rows([dict(zip(names, r)) for r in cursor.fetchall()], names)  # not sqlite3.Row: 3x the time
        return out
    except sqlite3.DatabaseError as exc:
        raise ConnectionFailed(
            f"Could not read the SQLite file {mask(path)}: {mask(exc)}", next_step="Check that it is a SQLite database."
        ) from None
    finally:
        conn.close()


def _read_direct(db: Database, direct: Any, queries: dict[str, Query], schema: str | None) -> dict[str, Rows | None]:
    """The driver on the connection the dialect opened itself (psycopg; PyMySQL on a plain URL):
    the dialect's existence check, then the rows as the driver returns them. Unqualified names
    resolve as the connection's own (PostgreSQL: the environment's schema is its search path)."""
    from ..db import short_db_error
    from ..errors import ConnectionFailed

    kind = dialect_for(db)
    try:
        cursor = direct.dbapi_connection.cursor()
        out: dict[str, Rows | None] = {}
        for key, (table, columns, tail) in queries.items():
            cursor.execute(kind.table_exists_sql, (schema, table))
            if not cursor.fetchone():
                out[key] = None
                continue
            name = f"{kind.quote(schema)}.{kind.quote(table)}" if schema else kind.quote(table)
            cursor.execute(f"SELECT {columns} FROM {name} {tail}")
            names = [d[0] for d in cursor.description or ()]
            out[key] = Rows([dict(zip(names, r)) for r in cursor.fetchall()], names)
        return out
    except direct.error as exc:
        raise ConnectionFailed(
            f"Could not read the tracking table on {db.masked_url}: {short_db_error(exc)}",
            next_step="Check the user's privileges on the table.",
        ) from None
    finally:
        direct.close()


def table_names(db: Database) -> tuple[str, set[tuple[str, str]]]:
    """The schema unqualified names resolve in ('' where the dialect has none) and (schema, table)
    of every table the user sees, from the dialect's ``user_tables_sql``: one connection, two small
    queries, nothing created (a missing SQLite file has no tables)."""
    kind = dialect_for(db)
    path = db.sqlite_path()
    if path is not None:
        import sqlite3
        from pathlib import Path

        from ..errors import ConnectionFailed
        from ..masking import mask

        file = Path(path)
        if not file.exists():
            return "", set()
        try:
            conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
            try:
                return "", {(r[0], r[1]) for r in conn.execute(kind.user_tables_sql)}
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise ConnectionFailed(
                f"Could not read the tables of the SQLite file {mask(path)}: {mask(exc)}",
                next_step="Check the path and that it is a SQLite database.",
            ) from None
    current = f"SELECT {kind.current_schema_sql}" if kind.current_schema_sql else None
    if (direct := kind.direct_connection(db)) is not None:  # psycopg, or PyMySQL on a plain URL
        from ..db import short_db_error
        from ..errors import ConnectionFailed

        try:
            cursor = direct.dbapi_connection.cursor()
            row = None
            if current:
                cursor.execute(current)
                row = cursor.fetchone()
            cursor.execute(kind.user_tables_sql)
            return (row[0] if row else "") or "", {(r[0], r[1]) for r in cursor.fetchall()}
        except direct.error as exc:
            raise ConnectionFailed(
                f"Could not list the tables of {db.place}: {short_db_error(exc)}",
                next_step="Check that the server is running and the credentials are right.",
            ) from None
        finally:
            direct.close()
    from sqlalchemy import text

    with db.connect() as conn:
        schema = conn.execute(text(current)).scalar() if current else ""
        return schema or "", {(r[0], r[1]) for r in conn.execute(text(kind.user_tables_sql))}
