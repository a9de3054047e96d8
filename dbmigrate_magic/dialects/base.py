"""What every dialect answers: the shared interface of ``postgresql``, ``mysql`` and ``sqlite``.

A dialect object holds facts (flags, SQL snippets) and small functions; the big implementations
(introspection, diff, lint rules, backup engines) are reached through methods that import them
only when called, so importing a dialect stays cheap (``dbm status`` reads flags, nothing more).
Modules those methods import never import ``dialects`` back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

if TYPE_CHECKING:
    from ..db import Database
    from ..ledger import LedgerConfig, Session
    from ..schema.model import SchemaModel
    from ..schema.scope import Scope

T = TypeVar("T")
#: rows per round trip when a seed streams into its staging table
SEED_BATCH = 5000


@dataclass(frozen=True)
class Statement:
    """One statement of a SQL text, without its trailing semicolon."""

    sql: str
    line: int  # 1-based line where the statement starts, counted in the text given
    offset: int = 0  # character offset of its first token in the text given


def code_offset(text: str) -> int:
    """Offset of the first character that is not whitespace or a leading ``--``/``/* */`` comment."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        else:
            break
    return i


class BackupEngine(NamedTuple):
    """A dialect's dump and restore (``backup/postgres.py`` and its siblings)."""

    dump: Callable[[str, Path, bool, tuple[str, ...], str | None], tuple[str, str]]
    restore: Callable[[str, Path, str | None], None]  # the schema a fleet tenant's backup holds


class DirectConnection:
    """A driver's own connection under the two names SQLAlchemy's pooled connection uses for it
    (``driver_connection``, ``dbapi_connection``), with ``close``: what ``Database.raw_connection``
    hands out when the dialect opens the connection itself. ``error``: the driver's base exception."""

    def __init__(self, conn: Any, error: type[Exception]):
        self.driver_connection = self.dbapi_connection = conn
        self.error = error

    def close(self) -> None:
        try:
            self.driver_connection.close()
        except Exception:  # already closed by a failure (PyMySQL then says so): ignored, as by SQLAlchemy's pool
            pass


class Dialect:
    """One database family. Subclasses set the class attributes and override the methods."""

    #: the name the package uses everywhere (``Database.dialect``, manifests, ``--dialect``)
    name: ClassVar[str]
    #: how people write it: ``--dialect`` values and tool spellings that mean this dialect
    aliases: ClassVar[tuple[str, ...]]
    #: SQLAlchemy's URL scheme with the driver the package installs
    driver_scheme: ClassVar[str]
    #: DDL runs inside a transaction (MySQL/MariaDB auto-commit each DDL statement)
    transactional_ddl: ClassVar[bool] = True
    #: namespaces (schemas) inside one database, so ``schema.table`` names and schema filters mean something
    has_schemas: ClassVar[bool] = False
    #: introspection reads schemas, privileges and extensions, so the diff's filters on them apply
    diff_scope_filters: ClassVar[bool] = False
    #: the runner lock is one per server (MySQL ``GET_LOCK``): fleets scope it to each database
    server_wide_lock: ClassVar[bool] = False
    #: a file the process opens, not a server: scratch databases are files, no sessions, no session lock
    embedded: ClassVar[bool] = False
    #: ``#`` starts a comment (lint suppressions are read from it too)
    hash_comments: ClassVar[bool] = False
    #: statements that switch foreign-key checks off and on around a whole diff script
    fk_checks_switch: ClassVar[tuple[str, str] | None] = None
    #: PRAGMA foreign_keys does nothing inside a transaction: the runner moves such pragmas outside it
    hoists_fk_pragmas: ClassVar[bool] = False
    #: a migration's transaction may go to the server as one message (simple-query protocol)
    batches_transactions: ClassVar[bool] = False
    #: what opens a migration's transaction (SQLite takes the write lock up front)
    begin_sql: ClassVar[str] = "BEGIN"
    #: the parser that reads its SQL for the guard: ``pglast`` or ``sqlglot`` (with ``sqlglot_name``)
    parser: ClassVar[str] = "sqlglot"
    sqlglot_name: ClassVar[str]
    #: lint rules that depend on the server version (``--pg-version``)
    lint_by_version: ClassVar[bool] = False
    #: the lint rule that flags a column type change (None: the dialect's lint has none)
    type_change_rule: ClassVar[str | None] = None
    #: file extension of its backups
    backup_suffix: ClassVar[str]
    #: which kind of ``dbm plan`` this database gets: "expand-contract" (rewrites into steps, PostgreSQL),
    #: "algorithm-clause" (INSTANT / INPLACE LOCK=NONE per statement, MySQL/MariaDB); None: no plans
    online_plans: ClassVar[str | None] = None
    #: appended to a SELECT that must lock the rows it reads until the transaction ends
    row_lock_suffix: ClassVar[str] = " FOR UPDATE"
    #: a query giving the replication lag in seconds (NULL or no row: no replica), read before each
    #: backfill batch; None: this database has no replicas to wait for
    replication_lag_sql: ClassVar[str | None] = None
    #: backfill batches go to the server as one message each (``online.backfill_pg``: a data-modifying
    #: WITH moves the rows and the checkpoint together), so row locks last only while the server runs it
    one_message_backfill: ClassVar[bool] = False
    #: a statement's extra result sets must be read before the next statement runs (PyMySQL)
    drains_result_sets: ClassVar[bool] = False
    #: a query listing the sessions connected to a database (None: nothing to ask)
    sessions_sql: ClassVar[str | None] = None
    #: this connection's server-side id, to ask who blocks it (None: the server has no lock views)
    backend_id_sql: ClassVar[str | None] = None
    #: the sessions blocking backend ``%s`` (every ``%s`` is that id): id, user, application, seconds in
    #: their transaction, state, last query (``lockwatch`` shows them while a migration waits)
    blockers_sql: ClassVar[str] = ""
    #: the SQL expression for the schema (MySQL: database) unqualified names resolve in
    current_schema_sql: ClassVar[str | None] = None
    #: a query listing the databases on the server (scratch clean-up)
    databases_sql: ClassVar[str | None] = None
    #: (schema, table) of every table the connection's user sees, not the system catalogs
    #: (schema '' where the dialect has none)
    user_tables_sql: ClassVar[str]
    #: one row when table ``%s`` (second parameter) exists in schema ``%s`` (first; NULL: the current
    #: one), asked on ``direct_connection``; None: tracking tables are read through SQLAlchemy
    table_exists_sql: ClassVar[str | None] = None
    #: URL prefixes the driver reads without SQLAlchemy (the fast paths of status and introspection)
    direct_url_prefixes: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        return f"<dialect {self.name}>"

    def choose(self, **by_dialect: T) -> T | None:
        """Pick a caller's own per-dialect value (a tool's DDL, say): ``d.choose(postgresql=..., mysql=...)``;
        None when the caller gives none for this dialect."""
        return by_dialect.get(self.name)

    # --- identifiers and statements -----------------------------------------------------------------
    def quote(self, name: str) -> str:
        """An identifier quoted the way the database's own quoting function does."""
        raise NotImplementedError

    def statement_spans(self, sql: str) -> list[tuple[int, int]]:
        """(start, end) of each statement in ``sql``, found with the dialect's real parser."""
        raise NotImplementedError

    def split(self, sql: str, first_line: int = 1) -> list[Statement]:
        """Statements of ``sql`` with the line each starts on; comment-only pieces are dropped."""
        out = []
        for start, end in self.statement_spans(sql):
            text = sql[start:end].strip()
            if text.endswith(";"):
                text = text[:-1].rstrip()
            if not text or code_offset(text) >= len(text):
                continue
            offset = start + code_offset(sql[start:end])
            out.append(Statement(text, first_line + sql.count("\n", 0, offset), offset))
        return out

    def script_text(self, sql: str) -> str:
        """A SQL file as a driver can run it (PostgreSQL drops psql's backslash commands)."""
        return sql

    def for_piping(self, sql: str) -> str:
        """A diff's SQL as the dialect's command-line client reads it from a pipe."""
        return sql

    def positional(self, sql: str) -> str:
        """``%s`` placeholders in the driver's own style."""
        return sql

    # --- connections, locks and timeouts (ledger.py, scratch.py, db.py) ------------------------------
    def set_autocommit(self, conn: Any) -> None:
        """Put a raw DB-API connection in autocommit mode (transactions are issued explicitly)."""
        conn.autocommit = True

    def session_settings(self, config: LedgerConfig) -> list[str]:
        """Statements run on the ledger's connection first: lock and statement timeouts."""
        return []

    def runner_lock(self, session: Session) -> AbstractContextManager[None]:
        """Hold the database-wide lock that lets one migration runner in at a time."""
        return _no_lock()

    @property
    def has_runner_lock(self) -> bool:
        return type(self).runner_lock is not Dialect.runner_lock

    def is_lock_timeout(self, exc: BaseException) -> bool:
        """Whether ``exc`` says a statement gave up waiting for a lock."""
        return False

    def rows_break_constraint(self, message: str) -> bool:
        """Whether the server's ``message`` says rows already in the table break the constraint a
        statement adds (editing the migration is then not the fix: the rows are)."""
        return False

    def url_for_schema(self, url: str, schema: str) -> str | None:
        """The URL that puts every connection, a tool's own included, in ``schema`` (a fleet's
        target); None when the database has no schemas (SQLite: one file per tenant)."""
        return None

    def engine_options(self, db: Database) -> dict[str, Any]:
        """Extra ``create_engine`` arguments for ``db`` (search path, read-only file access)."""
        return {}

    def prepare_sqlalchemy(self) -> None:
        """Process-wide SQLAlchemy set-up every engine for this dialect needs, made before the first
        one connects (MySQL: passwords sent as UTF-8); nothing by default."""
        return None

    def direct_connection(self, db: Database) -> DirectConnection | None:
        """``db``'s DBAPI connection opened by the driver alone, or None when only SQLAlchemy knows
        how to open it (driver options in the URL, other drivers). Importing SQLAlchemy only to
        open one connection costs a runner more than applying a small migration."""
        return None

    # --- scratch databases ------------------------------------------------------------------------------
    def drop_database_sql(self, name: str) -> str:
        return f"DROP DATABASE IF EXISTS {name}"

    def scratch_grant(self, user: str, prefix: str) -> str:
        """The grant a user needs to create scratch databases named ``prefix...``."""
        raise NotImplementedError

    # --- safety -----------------------------------------------------------------------------------------------
    def drop_scope(self, kind: str, target: str) -> tuple[str | None, str | None]:
        """(database to look in, table) for a DROP target; None database means the current one."""
        if kind == "drop_database":
            return target, None
        if kind == "drop_schema":
            return None, None
        return None, target

    # --- seeding (seeding/load.py): the dialect's own upsert and bulk load --------------------------------
    #: DEFERRABLE foreign keys can wait until commit, so a cycle of them loads in one pass
    defers_constraints: ClassVar[bool] = False

    def defer_constraints_sql(self, names: list[str]) -> str:
        """The statement deferring ``names`` to commit (only where ``defers_constraints``)."""
        raise NotImplementedError

    def seed_session_sql(self) -> list[str]:
        """Run on the seed's connection before its transaction (SQLite: enforce foreign keys)."""
        return []

    def catch_up_sequences(self, conn: Any, tables: list[tuple[Any, list[Any]]]) -> list[str]:
        """After a seed wrote its own values into ``(table, columns)``: move the columns' sequences
        past them where the database does not do it itself; notes for the report. (MySQL's
        AUTO_INCREMENT and SQLite's rowid follow the largest value on their own.)"""
        return []

    def temp_table_sql(self, temp: str, select_sql: str) -> str:
        """An empty temporary table shaped like ``select_sql``'s columns (the seed's staging table)."""
        return f"CREATE TEMPORARY TABLE {temp} AS {select_sql}"

    def drop_temp_sql(self, temp: str) -> str:
        return f"DROP TABLE {temp}"

    def upsert(self, target: Any, columns: list[str], select: Any, key: list[str], update: list[str]) -> Any:
        """``INSERT INTO target (columns) SELECT ...`` that updates ``update`` when ``key`` exists,
        in the dialect's own form (SQLAlchemy's dialect ``insert``)."""
        raise NotImplementedError

    def comparable(self, expr: Any) -> Any:
        """A column expression two values can be compared with (PostgreSQL ``json`` has no ``=``)."""
        return expr

    def bulk_load(self, conn: Any, temp: Any, rows: Iterable[tuple], on_batch: Callable[[int], None]) -> str:
        """Stream ``rows`` into the staging table ``temp`` (a SQLAlchemy ``Table``) in batches, values
        bound; returns the statement shown in the preview."""
        from sqlalchemy import insert

        stmt = insert(temp)
        names = [c.name for c in temp.columns]
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(names, row)))
            if len(batch) >= SEED_BATCH:
                conn.execute(stmt, batch)
                on_batch(len(batch))
                batch = []
        if batch:
            conn.execute(stmt, batch)
            on_batch(len(batch))
        return str(stmt.compile(dialect=conn.dialect))

    # --- big implementations, imported when asked for -------------------------------------------------
    def introspect(self, db: Database, scope: Scope) -> SchemaModel:
        """Read the live database into a ``SchemaModel``."""
        raise NotImplementedError

    def differ(self) -> type:
        """The class that diffs two models of this dialect (``schema/*_diff.py``)."""
        raise NotImplementedError

    def backup_engine(self) -> BackupEngine:
        raise NotImplementedError

    def replication_lag(self, conn: Any) -> float | None:
        """Seconds the replicas are behind (a SQLAlchemy connection); None when there are none to wait for."""
        if self.replication_lag_sql is None:
            return None
        row = conn.exec_driver_sql(self.replication_lag_sql).first()
        return float(row[0]) if row is not None and row[0] is not None else None

    def lint_parse(self, sql: str) -> list:
        """Statements of ``sql`` as the lint rules read them."""
        from ..safety.lint.glot import parse

        return parse(sql, self.name)

    def lint_rules(self) -> Callable[[list, Any], None]:
        """The dialect's lint rule set: a function running every rule over parsed statements
        (importing it registers the rule ids)."""
        raise NotImplementedError


@contextmanager
def _no_lock() -> Iterator[None]:
    yield
