"""What every dialect answers: the shared interface of ``postgresql``, ``mysql`` and ``sqlite``.

A dialect object holds facts (flags, SQL snippets) and small functions; the big implementations
(introspection, diff, lint rules, backup engines) are reached through methods that import them
only when called, so importing a dialect stays cheap (``dbm status`` reads flags, nothing more).
Modules those methods import never import ``dialects`` back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

    dump: Callable[[str, Path, bool, tuple[str, ...]], tuple[str, str]]
    restore: Callable[[str, Path], None]


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
    #: a statement's extra result sets must be read before the next statement runs (PyMySQL)
    drains_result_sets: ClassVar[bool] = False
    #: a query listing the sessions connected to a database (None: nothing to ask)
    sessions_sql: ClassVar[str | None] = None
    #: the SQL expression for the schema (MySQL: database) unqualified names resolve in
    current_schema_sql: ClassVar[str | None] = None
    #: a query listing the databases on the server (scratch clean-up)
    databases_sql: ClassVar[str | None] = None
    #: (schema, table) of every table the connection's user sees, not the system catalogs
    #: (schema '' where the dialect has none)
    user_tables_sql: ClassVar[str]
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

    def engine_options(self, db: Database) -> dict[str, Any]:
        """Extra ``create_engine`` arguments for ``db`` (search path, read-only file access)."""
        return {}

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

    # --- big implementations, imported when asked for -------------------------------------------------
    def introspect(self, db: Database, scope: Scope) -> SchemaModel:
        """Read the live database into a ``SchemaModel``."""
        raise NotImplementedError

    def differ(self) -> type:
        """The class that diffs two models of this dialect (``schema/*_diff.py``)."""
        raise NotImplementedError

    def backup_engine(self) -> BackupEngine:
        raise NotImplementedError

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
