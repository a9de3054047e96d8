"""Running migration SQL ourselves for tools whose runner we re-implement (Prisma, Drizzle).

One driver-level session per run, in autocommit mode with explicit BEGIN/COMMIT so that
SQLite (whose Python driver does not open transactions before DDL) behaves like the others,
statement splitting with a real tokenizer (sqlglot; SQLite's own ``complete_statement`` joins
trigger bodies back together), and errors that name the failing statement and its line.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import ConnectionFailed
from ..secrets import mask

if TYPE_CHECKING:
    from ..db import Database

_SQLGLOT_DIALECT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


@dataclass(frozen=True)
class Statement:
    sql: str
    line: int  # 1-based line in the migration file where the statement starts


def split_statements(script: str, dialect: str, line_offset: int = 0) -> list[Statement]:
    """Statements of ``script`` in order; comment-only and blank pieces are dropped."""
    from sqlglot.dialects import Dialect
    from sqlglot.tokens import TokenType

    try:
        tokens = Dialect.get_or_raise(_SQLGLOT_DIALECT.get(dialect, dialect)).tokenize(script)
    except Exception:  # the tokenizer gave up: run the script as one statement
        return [Statement(script, 1 + line_offset)] if script.strip() else []
    cuts = [t.end + 1 for t in tokens if t.token_type == TokenType.SEMICOLON]
    pieces: list[tuple[int, int]] = []
    start = 0
    for cut in cuts + [len(script)]:
        if dialect == "sqlite" and cut != len(script) and not sqlite3.complete_statement(script[start:cut]):
            continue  # inside CREATE TRIGGER ... BEGIN ...; END;
        pieces.append((start, cut))
        start = cut
    out = []
    for a, b in pieces:
        text = script[a:b]
        if not _has_code(text, dialect):
            continue
        lead = len(text) - len(text.lstrip())
        line = script.count("\n", 0, a + lead) + 1 + line_offset
        out.append(Statement(text.strip(), line))
    return out


def _has_code(text: str, dialect: str) -> bool:
    from sqlglot.dialects import Dialect

    if not text.strip():
        return False
    try:
        return bool(Dialect.get_or_raise(_SQLGLOT_DIALECT.get(dialect, dialect)).tokenize(text))
    except Exception:
        return True


class StatementFailed(Exception):
    """A statement failed; carries everything the error message needs."""

    def __init__(self, statement: Statement, index: int, total: int, message: str, file: str | None):
        self.statement, self.index, self.total, self.message, self.file = statement, index, total, message, file
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f"{self.file}, line {self.statement.line}" if self.file else f"line {self.statement.line}"
        sql = self.statement.sql if len(self.statement.sql) < 400 else self.statement.sql[:400] + " ..."
        return mask(f"Statement {self.index} of {self.total} failed ({where}):\n{sql}\nDatabase error: {self.message}")


def db_message(exc: BaseException) -> str:
    return mask(str(exc).strip().split("\n(Background on this error")[0])


class Session:
    """A driver connection in autocommit mode; transactions are explicit SQL."""

    def __init__(self, dbapi: Any, dialect: str):
        self.dbapi = dbapi
        self.dialect = dialect

    def _q(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def execute(self, sql: str, params: tuple | list | None = None) -> Any:
        cur = self.dbapi.cursor()
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(self._q(sql), tuple(params))
        return cur

    def rows(self, sql: str, params: tuple | list | None = None) -> list[tuple]:
        cur = self.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []

    def begin(self) -> None:
        self.execute("BEGIN" if self.dialect != "mysql" else "START TRANSACTION")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        try:
            self.execute("ROLLBACK")
        except Exception:
            pass

    def run_statements(self, statements: list[Statement], file: str | None) -> int:
        """Run statements in order; raise ``StatementFailed`` naming the one that failed."""
        for i, st in enumerate(statements, 1):
            try:
                self.execute(st.sql)
            except Exception as exc:
                raise StatementFailed(st, i, len(statements), db_message(exc), file) from None
        return len(statements)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    @contextmanager
    def lock(self, pg_key: int, mysql_name: str, timeout: int = 10) -> Iterator[None]:
        """The tool's own lock: advisory lock on PostgreSQL, GET_LOCK on MySQL.

        SQLite needs none here: every write runs in a transaction SQLite serialises."""
        from ..errors import DbmError

        if self.dialect == "postgresql":
            self.execute(f"SELECT pg_advisory_lock({int(pg_key)})")
        elif self.dialect == "mysql":
            got = self.rows("SELECT GET_LOCK(?, ?)", (mysql_name, timeout))
            if not got or got[0][0] != 1:
                raise DbmError(f"Another migration run holds the lock {mysql_name!r} on this database.",
                               next_step="Wait for it to finish, then run again.")
        try:
            yield
        finally:
            try:
                if self.dialect == "postgresql":
                    self.execute(f"SELECT pg_advisory_unlock({int(pg_key)})")
                elif self.dialect == "mysql":
                    self.rows("SELECT RELEASE_LOCK(?)", (mysql_name,))
            except Exception:
                pass


@contextmanager
def session(db: "Database") -> Iterator[Session]:
    """A driver-level session on ``db`` (connection errors become ``ConnectionFailed``)."""
    with db.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        if db.dialect == "sqlite":
            dbapi.isolation_level = None
        elif db.dialect == "postgresql":
            if not dbapi.autocommit:
                dbapi.rollback()
                dbapi.autocommit = True
        elif db.dialect == "mysql":
            dbapi.autocommit(True)
        else:
            raise ConnectionFailed(f"Unsupported database dialect {db.dialect!r}.")
        yield Session(dbapi, db.dialect)
