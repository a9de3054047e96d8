"""SQLite: a file, not a server; ``BEGIN IMMEDIATE`` is the runner lock, a busy timeout the lock
timeout; ``PRAGMA foreign_keys`` only works outside a transaction; SQLite's own statement completion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import BackupEngine, Dialect, DirectConnection
from .quoting import sqlite_quote

if TYPE_CHECKING:
    from ..db import Database
    from ..ledger import LedgerConfig
    from ..schema.model import SchemaModel
    from ..schema.scope import Scope


def statement_spans(sql: str) -> list[tuple[int, int]]:
    """SQLite's own ``sqlite3_complete()`` decides where a statement ends (triggers' BEGIN ... END)."""
    import sqlite3

    spans, start, pos = [], 0, sql.find(";")
    while pos >= 0:
        if sqlite3.complete_statement(sql[start : pos + 1]):
            spans.append((start, pos + 1))
            start = pos + 1
        pos = sql.find(";", pos + 1)
    spans.append((start, len(sql)))
    return spans


def _regexp(pattern: str, text: str | None) -> bool | None:
    """``text REGEXP pattern``: SQLite leaves the function to the application."""
    import re

    return None if text is None else re.search(pattern, text) is not None


def read_only_connection(path: str | None):
    """The file opened with mode=ro; a missing file reads as an empty database (nothing is created)."""
    import sqlite3
    from pathlib import Path

    if path is None or not Path(path).exists():
        return sqlite3.connect(":memory:", check_same_thread=False)
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)


class SQLite(Dialect):
    name = "sqlite"
    aliases = ("sqlite", "sqlite3")
    driver_scheme = "sqlite"
    embedded = True
    fk_checks_switch = ("PRAGMA foreign_keys = OFF;", "PRAGMA foreign_keys = ON;")
    hoists_fk_pragmas = True
    begin_sql = "BEGIN IMMEDIATE"
    sqlglot_name = "sqlite"
    backup_suffix = ".sqlite3"
    row_lock_suffix = ""  # one writer at a time: the batch's transaction is the lock
    user_tables_sql = "SELECT '', name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"

    def quote(self, name: str) -> str:
        return sqlite_quote(name)

    def statement_spans(self, sql: str) -> list[tuple[int, int]]:
        return statement_spans(sql)

    def for_piping(self, sql: str) -> str:
        """The statements inside BEGIN/COMMIT, between the foreign_keys pragmas (which a transaction
        would ignore), so ``sqlite3 -bail`` leaves the database as it was when a rebuild's copy fails
        instead of a table renamed away. Migrations keep the plain form: the tools run them in their
        own transaction."""
        if not sql.strip():
            return sql
        before, after = self.fk_checks_switch
        body = sql.strip()
        if not (body.startswith(before) and body.endswith(after)):
            return sql
        body = body[len(before) : -len(after)].strip()
        return f"{before}\n\nBEGIN;\n\n{body}\n\nCOMMIT;\n\n{after}\n"

    def positional(self, sql: str) -> str:
        return sql.replace("%s", "?")

    def set_autocommit(self, conn: Any) -> None:
        conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves

    def session_settings(self, config: LedgerConfig) -> list[str]:
        return [f"PRAGMA busy_timeout = {int(config.sqlite_busy * 1000)}"]

    # runner lock: none to take; each migration's BEGIN IMMEDIATE is the lock, re-checked inside it

    def is_lock_timeout(self, exc: BaseException) -> bool:
        return "database is locked" in str(exc) or "database table is locked" in str(exc)

    def engine_options(self, db: Database) -> dict[str, Any]:
        return {"creator": lambda: read_only_connection(db.sqlite_path())} if db.read_only else {}

    def direct_connection(self, db: Database) -> DirectConnection | None:
        """A file URL without options, opened by ``sqlite3`` as SQLAlchemy opens it, ``REGEXP``
        included (the ``sqlite3`` shell has it too); URL options and ``:memory:`` go through SQLAlchemy."""
        path = db.sqlite_path()
        if path is None or "?" in db.url or db.read_only:
            return None
        import sqlite3

        try:
            conn = sqlite3.connect(path)
        except sqlite3.Error as exc:
            raise db.cannot_connect(exc) from None
        conn.create_function("regexp", 2, _regexp, deterministic=True)
        return DirectConnection(conn, sqlite3.Error)

    def scratch_grant(self, user: str, prefix: str) -> str:  # pragma: no cover - scratch files need no grant
        return ""

    def introspect(self, db: Database, scope: Scope) -> SchemaModel:
        from ..schema.sqlite_introspect import introspect_sqlite

        with db.connect() as conn:
            return introspect_sqlite(conn.connection.dbapi_connection, scope)

    def differ(self) -> type:
        from ..schema.sqlite_diff import SqliteDiffer

        return SqliteDiffer

    def backup_engine(self) -> BackupEngine:
        from ..backup.sqlite import dump, restore

        return BackupEngine(dump, restore)

    def lint_rules(self):
        from ..safety.lint.sqlite.run import run

        return run

    # --- seeding -------------------------------------------------------------------------------------
    def seed_session_sql(self) -> list[str]:
        return ["PRAGMA foreign_keys = ON"]  # off by default, and a no-op once a transaction is open

    def upsert(self, target: Any, columns: list[str], select: Any, key: list[str], update: list[str]) -> Any:
        from sqlalchemy.dialects.sqlite import insert

        stmt = insert(target).from_select(columns, select)
        if not update:
            return stmt.on_conflict_do_nothing(index_elements=key)
        return stmt.on_conflict_do_update(index_elements=key, set_={c: stmt.excluded[c] for c in update})


SQLITE = SQLite()
