"""MySQL/MariaDB: DDL auto-commits, ``GET_LOCK``, lock_wait_timeout, sqlglot's MySQL tokenizer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .base import BackupEngine, Dialect, DirectConnection
from .quoting import mysql_quote

if TYPE_CHECKING:
    from ..db import Database
    from ..ledger import LedgerConfig, Session
    from ..schema.model import SchemaModel
    from ..schema.scope import Scope

LOCK_WAIT_TIMEOUT = 1205  # ER_LOCK_WAIT_TIMEOUT
_BLOCK_ENDS_IGNORED = {"IF", "LOOP", "WHILE", "REPEAT"}

SESSIONS = """
SELECT ID AS pid, USER AS user, HOST AS client, DB AS `database`, COMMAND AS state, TIME AS seconds,
       LEFT(COALESCE(INFO, ''), 200) AS query
FROM information_schema.PROCESSLIST
WHERE DB = COALESCE(:db, DATABASE()) AND ID <> CONNECTION_ID()
ORDER BY ID
"""


def statement_spans(sql: str) -> list[tuple[int, int]]:
    """sqlglot's MySQL tokenizer, keeping ``BEGIN ... END`` / ``CASE ... END`` bodies of routines and
    triggers whole, so no ``DELIMITER`` is needed."""
    import sqlglot
    from sqlglot.tokens import TokenType

    try:
        tokens = sqlglot.Dialect.get_or_raise("mysql").tokenize(sql)
    except Exception:
        return [(0, len(sql))]
    spans, start, depth, first = [], 0, 0, True
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.token_type == TokenType.SEMICOLON:
            if depth == 0:
                spans.append((start, tok.start + 1))
                start, first = tok.end + 1, True
            continue
        # sqlglot tokenizes START (of START TRANSACTION, and CREATE SEQUENCE ... START WITH) as BEGIN too
        if tok.token_type == TokenType.BEGIN and tok.text.upper() == "BEGIN" and (depth > 0 or not first):
            depth += 1  # a routine/trigger body, not BEGIN (a transaction) as a statement of its own
        elif tok.token_type == TokenType.CASE:
            depth += 1
        elif tok.token_type == TokenType.END and depth > 0:
            if not (nxt is not None and nxt.text.upper() in _BLOCK_ENDS_IGNORED and nxt.line == tok.line):
                depth -= 1
        first = False
    spans.append((start, len(sql)))
    return spans


_utf8_auth_installed = False


def _use_utf8_auth() -> None:
    """Send MySQL/MariaDB passwords as UTF-8, as mariadb-dump and the mariadb client do.

    PyMySQL encodes a ``str`` password as latin-1 (``ü`` becomes one wrong byte, ``密`` cannot be
    sent at all); a password given as UTF-8 bytes is sent as it is. Installed once, for every
    SQLAlchemy engine of the process (scratch and comparison engines included).
    """
    global _utf8_auth_installed
    if _utf8_auth_installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "do_connect")
    def _utf8_password(dialect, _record, _cargs, cparams) -> None:
        if dialect.driver != "pymysql":
            return
        password = cparams.get("password")
        if isinstance(password, str) and not password.isascii():
            cparams["password"] = password.encode("utf-8")
        cparams.setdefault("charset", "utf8mb4")

    _utf8_auth_installed = True


class MySQL(Dialect):
    name = "mysql"
    aliases = ("mysql", "mariadb")
    driver_scheme = "mysql+pymysql"
    transactional_ddl = False
    server_wide_lock = True
    hash_comments = True
    drains_result_sets = True
    fk_checks_switch = ("SET FOREIGN_KEY_CHECKS = 0;", "SET FOREIGN_KEY_CHECKS = 1;")
    sqlglot_name = "mysql"
    type_change_rule = "mysql-column-change-copies-table"
    backup_suffix = ".sql"
    online_plans = "algorithm-clause"
    replication_lag_sql = "SHOW REPLICA STATUS"
    sessions_sql = SESSIONS
    databases_sql = "select schema_name from information_schema.schemata"
    current_schema_sql = "DATABASE()"
    user_tables_sql = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
    table_exists_sql = (
        "SELECT 1 FROM information_schema.tables WHERE table_schema = COALESCE(%s, DATABASE()) AND table_name = %s"
    )

    def url_for_schema(self, url: str, schema: str) -> str | None:
        """A MySQL/MariaDB "schema" is a database: the URL names it."""
        from sqlalchemy.engine import make_url

        return make_url(url).set(database=schema).render_as_string(False)

    def prepare_sqlalchemy(self) -> None:
        _use_utf8_auth()

    def direct_connection(self, db: Database) -> DirectConnection | None:
        """A ``mysql+pymysql://`` URL of user, password, host, port and database only, opened by
        PyMySQL with what SQLAlchemy would pass it: the URL's parts decoded, ``FOUND_ROWS`` (rowcount
        counts matched rows), utf8mb4 and a UTF-8 password (``_use_utf8_auth``). Anything more in the
        URL (a query string: SSL, a socket, timeouts) goes through SQLAlchemy."""
        url = str.__str__(db.url)
        if "?" in url or not url.startswith(("mysql+pymysql://", "mariadb+pymysql://")):
            return None
        from urllib.parse import unquote, urlsplit

        import pymysql
        from pymysql.constants import CLIENT

        parts = urlsplit(url)
        password = unquote(parts.password) if parts.password is not None else ""
        try:
            port = parts.port or 3306
            conn = pymysql.connect(
                host=parts.hostname or "localhost",
                port=port,
                user=unquote(parts.username) if parts.username is not None else None,
                password=password if password.isascii() else password.encode("utf-8"),
                database=unquote(parts.path.lstrip("/")) or None,
                charset="utf8mb4",
                client_flag=CLIENT.FOUND_ROWS,
            )
        except (pymysql.Error, ValueError, OSError) as exc:
            raise db.cannot_connect(exc) from None
        return DirectConnection(conn, pymysql.Error)

    def quote(self, name: str) -> str:
        return mysql_quote(name)

    def statement_spans(self, sql: str) -> list[tuple[int, int]]:
        return statement_spans(sql)

    def for_piping(self, sql: str) -> str:
        """A trigger body with several statements (``BEGIN ...; ...; END``) between ``DELIMITER ;;``
        lines, as mysqldump writes it, since the ``mysql`` client ends statements at ``;``."""
        statements = self.split(sql) if ";" in sql else []
        if not any(";" in s.sql for s in statements):
            return sql
        return (
            "\n\n".join(f"DELIMITER ;;\n{s.sql};;\nDELIMITER ;" if ";" in s.sql else f"{s.sql};" for s in statements)
            + "\n"
        )

    def set_autocommit(self, conn: Any) -> None:
        conn.autocommit(True)  # pymysql: a method, not a property

    def session_settings(self, config: LedgerConfig) -> list[str]:
        seconds = max(1, int(round(config.lock_timeout)))
        return [
            f"SET SESSION lock_wait_timeout = {seconds}",
            f"SET SESSION innodb_lock_wait_timeout = {seconds}",
            "SET time_zone = '+00:00'",
        ]

    @contextmanager
    def runner_lock(self, session: Session) -> Iterator[None]:
        """``GET_LOCK`` (name configurable), waiting up to ``runner_wait`` on the server."""
        c = session.config
        scope = getattr(session.db, "lock_scope", None)
        name = f"{c.mysql_lock_name}:{scope}"[:64] if scope else c.mysql_lock_name  # a fleet: one per database
        got = session.query("SELECT GET_LOCK(%s, %s)", (name, int(max(0, c.runner_wait))))[0][0]
        if got != 1:
            raise session.busy()
        try:
            yield
        finally:
            session.execute("SELECT RELEASE_LOCK(%s)", (name,))

    backend_id_sql = "SELECT CONNECTION_ID()"
    #: row-lock waits from innodb_lock_waits; while our statement waits for a table's metadata lock
    #: (ALTER behind an open transaction), every other open transaction may be the holder
    blockers_sql = (
        "SELECT b.trx_mysql_thread_id, p.USER, p.HOST, TIMESTAMPDIFF(SECOND, b.trx_started, NOW()), "
        "COALESCE(p.STATE, p.COMMAND), LEFT(COALESCE(b.trx_query, p.INFO, ''), 200) "
        "FROM information_schema.INNODB_TRX b JOIN information_schema.PROCESSLIST p ON p.ID = b.trx_mysql_thread_id "
        "WHERE b.trx_mysql_thread_id <> %s AND (b.trx_id IN (SELECT w.blocking_trx_id "
        "FROM information_schema.INNODB_LOCK_WAITS w JOIN information_schema.INNODB_TRX r "
        "ON r.trx_id = w.requesting_trx_id WHERE r.trx_mysql_thread_id = %s) OR EXISTS (SELECT 1 "
        "FROM information_schema.PROCESSLIST me WHERE me.ID = %s AND me.STATE LIKE 'Waiting for table metadata lock')) "
        "ORDER BY b.trx_started"
    )

    def is_lock_timeout(self, exc: BaseException) -> bool:
        return bool(getattr(exc, "args", None)) and exc.args[0] in (LOCK_WAIT_TIMEOUT,)

    def scratch_grant(self, user: str, prefix: str) -> str:
        return f"GRANT ALL ON `{prefix.replace('_', chr(92) + '_')}%`.* TO '{user}'@'%';"

    def drop_scope(self, kind: str, target: str) -> tuple[str | None, str | None]:
        """A schema is a database here, and ``db.table`` names the database to look in."""
        if kind in ("drop_database", "drop_schema"):
            return target, None
        if "." in target:
            schema, table = target.split(".", 1)
            return schema, table
        return None, target

    def introspect(self, db: Database, scope: Scope) -> SchemaModel:
        from ..schema.mysql_introspect import introspect_mysql

        with db.connect() as conn:
            return introspect_mysql(conn.connection.dbapi_connection, scope)

    def differ(self) -> type:
        from ..schema.mysql_diff import MySqlDiffer

        return MySqlDiffer

    def backup_engine(self) -> BackupEngine:
        from ..backup.mysql import dump, restore

        return BackupEngine(dump, restore)

    def replication_lag(self, conn: Any) -> float | None:
        """``Seconds_Behind_Master`` (``_Source`` on MySQL 8) of ``SHOW REPLICA STATUS``: this server's own
        lag when it replicates; no row (a primary, or no replication) means nothing to wait for."""
        try:
            row = conn.exec_driver_sql("SHOW REPLICA STATUS").mappings().first()
        except Exception:  # servers older than the REPLICA spelling: treated as not replicating
            return None
        if not row:
            return None
        lag = row.get("Seconds_Behind_Master", row.get("Seconds_Behind_Source"))
        return float(lag) if lag is not None else None

    def lint_rules(self):
        from ..safety.lint.mysql.run import run

        return run

    # --- seeding -------------------------------------------------------------------------------------
    def drop_temp_sql(self, temp: str) -> str:
        return f"DROP TEMPORARY TABLE {temp}"

    def comparable(self, expr: Any) -> Any:
        """Text compared byte for byte: the usual collations are case-insensitive and pad spaces, so
        ``'north' <=> 'North '`` holds and a seed changing only case or trailing spaces would be "unchanged"."""
        from sqlalchemy import String, cast
        from sqlalchemy.dialects.mysql import BINARY

        return cast(expr, BINARY()) if isinstance(expr.type, String) else expr

    def upsert(self, target: Any, columns: list[str], select: Any, key: list[str], update: list[str]) -> Any:
        from sqlalchemy.dialects.mysql import insert

        stmt = insert(target).from_select(columns, select)
        return stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in (update or key[:1])})


MYSQL = MySQL()
