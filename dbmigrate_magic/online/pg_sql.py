"""Small helpers the PostgreSQL rewrites share: printing parse-tree nodes back as SQL, quoting,
the names PostgreSQL would choose, and the lock texts each kind of step reports."""

from __future__ import annotations

import json
from typing import Any

from ..dialects.quoting import pg_quote

#: (lock, how long it is held) per kind of statement a step runs
CATALOG = ("ACCESS EXCLUSIVE on {t}", "milliseconds: a catalog change, no scan (queued behind running transactions)")
TRIGGER = ("SHARE ROW EXCLUSIVE on {t}", "milliseconds: creates a function and a trigger")
VALIDATE = ("SHARE UPDATE EXCLUSIVE on {t}", "one scan of the table; reads and writes continue")
BACKFILLED = ("ACCESS SHARE on {t}", "one scan of the table; reads and writes continue")
CONCURRENT = ("SHARE UPDATE EXCLUSIVE on {t}", "two scans of the table; reads and writes continue")
BACKFILL = ("row locks of one batch", "about 15 ms per batch (batches sized by time, committed one by one)")

#: how long a step that blocks writers may wait in the lock queue. While it waits, every writer queues
#: behind it; past this it gives up (its transaction rolls back, nothing changed) and is retried, so a
#: long transaction or autovacuum on the table costs writers this much, never the whole wait
LOCK_WAIT_MS = 50
_WAITS = ("ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE")


def short_lock_wait(step: Any) -> Any:
    """``step`` with ``SET LOCAL lock_timeout`` first in its up and down SQL when it takes a lock that
    blocks writers (in a transaction only: SET LOCAL means nothing outside one, and CONCURRENTLY
    steps must not time out half-built)."""
    from dataclasses import replace

    if not step.transactional or not step.up or not step.locks.startswith(_WAITS):
        return step
    guard = f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms';\n"
    down = guard + step.down if step.down else step.down
    wait = f"; waits at most {LOCK_WAIT_MS} ms in the lock queue, then gives up and is retried"
    return replace(step, up=guard + step.up, down=down, lock_time=step.lock_time + wait)


def q(name: str) -> str:
    return pg_quote(name)


def deparse(node: Any) -> str:
    from pglast.stream import RawStream

    return RawStream()(node)


def table_sql(rel: Any) -> str:
    """schema.table as written (quoted where PostgreSQL needs it)."""
    name = q(rel.relname)
    return f"{q(rel.schemaname)}.{name}" if rel.schemaname else name


def lock(kind: tuple[str, str], table: str) -> tuple[str, str]:
    return kind[0].format(t=table), kind[1]


def pg_name(table: str, columns: list[str], suffix: str) -> str:
    """The name PostgreSQL gives an unnamed index or constraint (``orders_user_id_fkey``), so the
    plan's result is the same schema as the naive statement's; cut to 63 bytes as PostgreSQL does."""
    base = "_".join([table, *columns]) if columns else table
    return (base[: 63 - len(suffix) - 1] + "_" + suffix) if suffix else base[:63]


def expr_json(expr_sql: str) -> dict:
    """The parse tree of an expression as libpg_query's JSON (what the lint helpers read)."""
    from pglast import parser

    return json.loads(parser.parse_sql_json(f"SELECT {expr_sql}"))


def column_refs(node: Any) -> list[str]:
    """Column names an expression refers to, in order of appearance."""
    from pglast import ast
    from pglast.visitors import Visitor

    found: list[str] = []

    class Refs(Visitor):
        def visit_ColumnRef(self, ancestors, n):  # noqa: N802 (pglast's visitor naming)
            names = [f.sval for f in n.fields if isinstance(f, ast.String)]
            if names:
                found.append(names[-1])

    Refs()(node)
    return found


def sync_function(name: str, table: str, body: str) -> tuple[str, str]:
    """(create, drop) SQL of a row trigger ``name`` on ``table`` running the PL/pgSQL ``body``.

    It fires on every UPDATE, not only of the copied columns: the new column's ``CHECK ... NOT VALID``
    applies to every row written, so a writer touching a row the backfill has not reached yet must
    get the new column filled too."""
    create = (
        f"CREATE FUNCTION {q(name)}() RETURNS trigger LANGUAGE plpgsql AS $dbm$\nBEGIN\n{body}\n  RETURN NEW;\nEND\n$dbm$;\n"
        f"CREATE TRIGGER {q(name)} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {q(name)}();"
    )
    drop = f"DROP TRIGGER IF EXISTS {q(name)} ON {table};\nDROP FUNCTION IF EXISTS {q(name)}();"
    return create, drop


def backfilled_check(table: str, behind: str, fill: Any) -> str:
    """A statement that fails while a row of ``table`` matches ``behind`` (one the backfill has not
    reached), naming the backfill to run. A nullable copy has no NOT NULL CHECK to validate, so this
    is what stops the switch and contract from running on columns still empty."""
    message = f"dbm: rows of {table} are not backfilled yet; run first: {fill.command()}".replace("'", "''")
    return (
        f"DO $dbm$ BEGIN\n  IF EXISTS (SELECT 1 FROM {table} WHERE {behind}) THEN\n"
        f"    RAISE EXCEPTION '%', '{message}';\n  END IF;\nEND $dbm$;"
    )
