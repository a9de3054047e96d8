"""PostgreSQL: transactional DDL, session advisory lock, lock_timeout/statement_timeout, pglast."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .base import BackupEngine, Dialect, DirectConnection
from .quoting import pg_quote, search_path_option

if TYPE_CHECKING:
    from ..db import Database
    from ..ledger import LedgerConfig, Session
    from ..schema.model import SchemaModel
    from ..schema.scope import Scope

#: URLs psycopg reads directly (introspection skips SQLAlchemy for them)
DIRECT_URLS = ("postgresql+psycopg://", "postgresql://", "postgres://")
LOCK_NOT_AVAILABLE = "55P03"

SESSIONS = """
SELECT a.pid, a.usename AS "user", a.application_name AS application, a.client_addr::text AS client,
       a.state, a.backend_start, left(coalesce(a.query, ''), 200) AS query, a.datname AS database,
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = to_regclass(CAST(:tbl AS text))) AS holds_lock
FROM pg_stat_activity a
WHERE a.datname = coalesce(:db, current_database()) AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
ORDER BY a.pid
"""


def statement_spans(sql: str) -> list[tuple[int, int]]:
    """pglast (the server's own parser; dollar quoting, ``BEGIN ATOMIC`` bodies); SQL it cannot
    parse is split with pglast's scanner so the server reports the real error."""
    from pglast import parser

    try:
        return [(s.start, s.stop) for s in parser.split(sql, only_slices=True)]
    except Exception:  # not valid SQL: let the scanner find the boundaries, the server names the error
        pass
    spans, start = [], 0
    try:
        tokens = parser.scan(sql)
    except Exception:
        return [(0, len(sql))]
    for tok in tokens:
        if tok.name == "ASCII_59":
            spans.append((start, tok.start))
            start = tok.end + 1
    spans.append((start, len(sql)))
    return spans


_ROWS_AT_FAULT = re.compile(r"is violated by some row|contains null values|could not create unique index")


class PostgreSQL(Dialect):
    name = "postgresql"
    aliases = ("postgresql", "postgres", "pg", "psql")
    driver_scheme = "postgresql+psycopg"
    has_schemas = True
    diff_scope_filters = True
    batches_transactions = True
    one_message_backfill = True
    parser = "pglast"
    sqlglot_name = "postgres"
    lint_by_version = True
    type_change_rule = "changing-column-type"
    backup_suffix = ".dump"
    online_plans = "expand-contract"
    replication_lag_sql = (
        "SELECT max(extract(epoch FROM greatest(write_lag, flush_lag, replay_lag))) FROM pg_stat_replication"
    )
    sessions_sql = SESSIONS
    databases_sql = "select datname from pg_database"
    current_schema_sql = "current_schema()"
    user_tables_sql = (
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
    )
    table_exists_sql = (
        "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = coalesce(%s, current_schema()) AND tablename = %s"
    )
    direct_url_prefixes = DIRECT_URLS

    def quote(self, name: str) -> str:
        return pg_quote(name)

    def statement_spans(self, sql: str) -> list[tuple[int, int]]:
        return statement_spans(sql)

    def script_text(self, sql: str) -> str:
        """Drop psql backslash commands (``\\restrict``, ``\\connect``) that only psql understands."""
        return "\n".join(line for line in sql.splitlines() if not line.startswith("\\"))

    def session_settings(self, config: LedgerConfig) -> list[str]:
        return [
            f"SET lock_timeout = '{int(config.lock_timeout * 1000)}ms'",
            f"SET statement_timeout = '{int(config.statement_timeout * 1000)}ms'",
        ]

    @contextmanager
    def runner_lock(self, session: Session) -> Iterator[None]:
        """A session advisory lock (key configurable, e.g. Prisma's 72707369), polled until ``runner_wait``."""
        c = session.config
        scope = getattr(session.db, "lock_scope", None)
        # a fleet's schema targets share a database: one lock per schema (the two-key form)
        args, keys = ("%s, hashtext(%s)", (c.pg_lock_key % 2**31, scope)) if scope else ("%s", (c.pg_lock_key,))
        deadline = time.monotonic() + c.runner_wait
        delay = 0.02
        while not session.query(f"SELECT pg_try_advisory_lock({args})", keys)[0][0]:
            if time.monotonic() > deadline:
                raise session.busy()
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
        try:
            yield
        finally:
            session.execute(f"SELECT pg_advisory_unlock({args})", keys)

    backend_id_sql = "SELECT pg_backend_pid()"
    blockers_sql = (
        "SELECT a.pid, a.usename, a.application_name, "
        "COALESCE(EXTRACT(EPOCH FROM now() - COALESCE(a.xact_start, a.query_start))::int, 0), a.state, "
        "left(a.query, 200) FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids(%s)) ORDER BY a.pid"
    )

    def is_lock_timeout(self, exc: BaseException) -> bool:
        return getattr(exc, "sqlstate", None) == LOCK_NOT_AVAILABLE

    def rows_break_constraint(self, message: str) -> bool:
        """SET NOT NULL over NULLs, ADD CHECK or VALIDATE that a row breaks, a unique index over duplicates."""
        return _ROWS_AT_FAULT.search(message) is not None

    def url_for_schema(self, url: str, schema: str) -> str | None:
        """libpq's ``options=-csearch_path=...`` in the URL: Alembic's engine and the Node tools'
        drivers read it too, so the migrations and the tracking table land in the schema."""
        from sqlalchemy.engine import make_url

        return make_url(url).update_query_dict({"options": search_path_option(schema)}).render_as_string(False)

    def engine_options(self, db: Database) -> dict[str, Any]:
        return {"connect_args": {"options": search_path_option(db.schema)}} if db.schema else {}

    def direct_connection(self, db: Database) -> DirectConnection | None:
        if not db.url.startswith(DIRECT_URLS):
            return None
        import psycopg

        from ..schema.pg_connect import connect

        return DirectConnection(connect(db), psycopg.Error)

    def drop_database_sql(self, name: str) -> str:
        return f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"

    def scratch_grant(self, user: str, prefix: str) -> str:
        return f"ALTER ROLE {user} CREATEDB;"

    def introspect(self, db: Database, scope: Scope) -> SchemaModel:
        from ..schema.pg_introspect import introspect_pg

        direct = self.direct_connection(db)  # psycopg without SQLAlchemy: its import costs more than the queries
        if direct is not None:
            try:
                return introspect_pg(direct.dbapi_connection, scope)
            finally:
                direct.close()
        with db.connect() as conn:
            return introspect_pg(conn.connection.dbapi_connection, scope)

    def differ(self) -> type:
        from ..schema.pg_diff import PgDiffer

        return PgDiffer

    def backup_engine(self) -> BackupEngine:
        from ..backup.postgres import dump, restore

        return BackupEngine(dump, restore)

    def lint_parse(self, sql: str) -> list:
        from ..safety.lint.pg.parse import parse

        return parse(sql)

    def lint_rules(self):
        from ..safety.lint.pg.run import run

        return run

    # --- seeding -------------------------------------------------------------------------------------
    defers_constraints = True

    def defer_constraints_sql(self, names: list[str]) -> str:
        return f"SET CONSTRAINTS {', '.join(pg_quote(n) for n in names)} DEFERRED"

    def catch_up_sequences(self, conn: Any, tables: list[tuple[Any, list[Any]]]) -> list[str]:
        """A serial or identity column seeded with ids leaves its sequence behind them, and the
        application's next INSERT would take an id already used. The sequence moves forward to the
        largest value, never back. ``setval`` is not undone by a rollback: only a committing run calls this."""
        from sqlalchemy import text

        notes = []
        for table, columns in tables:
            name = (f"{pg_quote(table.schema)}." if table.schema else "") + pg_quote(table.name)
            for column in columns:
                found = text("SELECT pg_get_serial_sequence(:t, :c)")
                sequence = conn.execute(found, {"t": name, "c": column.name}).scalar()
                if sequence is None:
                    continue
                moved = conn.execute(
                    text(
                        f"SELECT setval(CAST(:s AS regclass), m) FROM (SELECT max({pg_quote(column.name)}) AS m "
                        f"FROM {name}) x WHERE m > COALESCE(pg_sequence_last_value(CAST(:s AS regclass)), 0)"
                    ),
                    {"s": sequence},
                ).scalar()
                if moved is not None:
                    notes.append(f"Sequence {sequence} moved past the seeded {column.name} values (next {moved + 1}).")
        return notes

    def upsert(self, target: Any, columns: list[str], select: Any, key: list[str], update: list[str]) -> Any:
        from sqlalchemy.dialects.postgresql import insert

        stmt = insert(target).from_select(columns, select)
        if not update:
            return stmt.on_conflict_do_nothing(index_elements=key)
        return stmt.on_conflict_do_update(index_elements=key, set_={c: stmt.excluded[c] for c in update})

    def comparable(self, expr: Any) -> Any:
        from sqlalchemy import JSON, cast
        from sqlalchemy.dialects.postgresql import JSONB

        return cast(expr, JSONB) if isinstance(expr.type, JSON) and not isinstance(expr.type, JSONB) else expr

    def bulk_load(self, conn: Any, temp: Any, rows: Any, on_batch: Any) -> str:
        """``COPY ... FROM STDIN`` through psycopg 3 (``cursor.copy``): values travel as data, never SQL."""
        import json

        from sqlalchemy import JSON

        from .base import SEED_BATCH

        names = ", ".join(pg_quote(c.name) for c in temp.columns)
        sql = f"COPY {pg_quote(temp.name)} ({names}) FROM STDIN"
        json_at = [i for i, c in enumerate(temp.columns) if isinstance(c.type, JSON)]
        raw = conn.connection.driver_connection
        done = 0
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = None if row[i] is None else json.dumps(row[i])  # JSON text, as psql's copy sends it
                copy.write_row(row)
                done += 1
                if done == SEED_BATCH:
                    on_batch(done)
                    done = 0
        if done:
            on_batch(done)
        return sql


POSTGRESQL = PostgreSQL()
