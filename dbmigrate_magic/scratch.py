"""Scratch ("shadow") databases: created on the same server, always dropped afterwards.

Names are ``dbm_scratch_<pid>_<host tag><random>`` so leftovers are recognisable; ``stale`` lists
those whose process is gone and ``clean_scratch`` drops them (``dbm scratch --clean``). SQLite
scratch databases are temporary files removed on exit. ``scratch()`` drops in ``finally``, so an
error or a KeyboardInterrupt inside the block still cleans up.
"""

from __future__ import annotations

import os
import re
import secrets as _random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .dialects import Dialect, dialect_for
from .errors import ConnectionFailed, ProjectError, connection_advice
from .masking import mask

PREFIX = "dbm_scratch_"
NAME = re.compile(rf"^{PREFIX}(\d+)_[0-9a-f]+$")
FILE = re.compile(rf"^{PREFIX}(\d+)_[a-z0-9_]+\.db$")  # tempfile.mkstemp's names for SQLite scratch files
SQLITE_SIDE_FILES = ("", "-journal", "-wal", "-shm")


def host_tag() -> str:
    """Four hex digits naming this machine: a pid only says whether a process is alive on this one."""
    import hashlib
    import socket

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:4]


def scratch_name() -> str:
    return f"{PREFIX}{os.getpid()}_{host_tag()}{_random.token_hex(4)}"


def _server(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    dialect_for(url).prepare_sqlalchemy()  # no Database made one before it when the runner went direct
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop(engine, dialect: Dialect, name: str) -> None:
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text(dialect.drop_database_sql(name)))


@contextmanager
def _term_as_interrupt() -> Iterator[None]:
    """While a scratch database exists, SIGTERM (a CI timeout, ``kill``) unwinds like Ctrl-C, so the
    ``finally`` that drops it runs. Only where nobody else handles SIGTERM, and only in the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def scratch(like_url: str) -> Iterator[str]:
    """Yield the URL of a new, empty database of the same kind and server as ``like_url``."""
    with _term_as_interrupt():
        yield from _scratch(like_url)


def _scratch(like_url: str) -> Iterator[str]:
    dialect = dialect_for(like_url)
    if dialect.embedded:
        fd, path = tempfile.mkstemp(prefix=PREFIX + f"{os.getpid()}_", suffix=".db")
        os.close(fd)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in SQLITE_SIDE_FILES:
                Path(path + suffix).unlink(missing_ok=True)
        return
    from sqlalchemy import text

    name = scratch_name()
    engine = _server(like_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        engine.dispose()
        said = mask(_db_message(exc))
        advice = connection_advice(said)  # a refused password or an unreachable server is not a privilege
        raise ConnectionFailed(
            f"Could not create a scratch database on {mask(like_url)}: {said}",
            next_step=advice
            if advice.startswith(("The server refused", "The server could not"))
            else _grant_hint(like_url, dialect),
        ) from None
    try:
        yield with_database(like_url, name)
    finally:
        try:
            _drop(engine, dialect, name)
        finally:
            engine.dispose()


def _grant_hint(url: str, dialect: Dialect) -> str:
    """The exact grant a scratch database needs, for the user in ``url``."""
    from sqlalchemy.engine import make_url

    grant = dialect.scratch_grant(make_url(url).username or "CURRENT_USER", PREFIX)
    return (
        f"Scratch databases ({PREFIX}*) are created on the same server: have an administrator run "
        f"{grant} (or compare against an environment or URL instead of a schema file or `migrations`)."
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_scratch(url: str) -> list[str]:
    """Every scratch database on the server of ``url`` (SQLite: temporary files)."""
    dialect = dialect_for(url)
    if dialect.embedded:
        return sorted(p.name for p in Path(tempfile.gettempdir()).glob(PREFIX + "*.db") if FILE.match(p.name))
    from sqlalchemy import text

    sql = dialect.databases_sql
    if sql is None:  # every server dialect sets it; embedded ones returned above
        raise NotImplementedError(f"{dialect.name} has no query listing its databases")
    engine = _server(url)
    try:
        with engine.connect() as conn:
            names = [r[0] for r in conn.execute(text(sql))]
    finally:
        engine.dispose()
    return sorted(n for n in names if NAME.match(n))  # a look-alike someone else named is not ours


def stale(names: list[str]) -> list[str]:
    """Scratch names whose creating process is no longer running on this machine. A server database
    made on another machine (its name carries that machine's tag) is never judged from here."""
    out, here = [], host_tag()
    for n in names:
        m = re.match(rf"^{PREFIX}(\d+)_([0-9a-f]+)$", n)
        if m and len(m.group(2)) == 12 and not m.group(2).startswith(here):
            continue
        m = m or re.match(rf"^{PREFIX}(\d+)_", n)
        if m and not _pid_alive(int(m.group(1))):
            out.append(n)
    return out


def clean_scratch(url: str, everything: bool = False) -> list[str]:
    """Drop stale scratch databases (or all of them with ``everything``); return their names."""
    names = list_scratch(url)
    victims = names if everything else stale(names)
    dialect = dialect_for(url)
    if dialect.embedded:
        for n in victims:
            for suffix in SQLITE_SIDE_FILES:
                Path(tempfile.gettempdir(), n + suffix).unlink(missing_ok=True)
        return victims
    engine = _server(url)
    try:
        for n in victims:
            if NAME.match(n):  # never drop anything that is not ours
                _drop(engine, dialect, n)
    finally:
        engine.dispose()
    return victims


def load_sql(url: str, sql: str, source: str = "schema file") -> None:
    """Run a whole SQL script (a schema file, a migration) on the database at ``url``.

    Statement by statement with autocommit, as ``psql``/``mysql``/``sqlite3`` run a file: a dump of
    thousands of tables does not exhaust PostgreSQL's lock table in one transaction, and a failure
    names the line and statement it came from."""
    dialect = dialect_for(url)
    statements = dialect.split(dialect.script_text(sql))
    raw = _connect_autocommit(url, dialect)
    current, done = None, False
    try:
        cur = raw.cursor()
        for current in statements:
            cur.execute(current.sql)
            while dialect.drains_result_sets and cur.nextset():
                pass
        done = True
    except Exception as exc:
        where = _where(current, exc) if current else ""
        data = current is not None and re.match(r"(?is)^copy\b.*\bfrom\s+stdin", _code(current.sql))
        raise ProjectError(
            f"Loading the {source} failed{where}: {mask(_db_message(exc))}",
            unchanged="Only a scratch database was touched; it is dropped.",
            next_step="This is a dump with data: use a schema-only one (pg_dump --schema-only)."
            if data
            else f"Fix the {source} so it runs on {dialect.name}.",
        ) from None
    finally:  # after an error or Ctrl-C mid-statement the connection may be unusable: close it quietly
        _close(raw, broken=not done)


def _connect_autocommit(url: str, dialect: Dialect):
    """A DB-API connection in autocommit mode (SQLite: no implicit transactions)."""
    try:
        if dialect.embedded:
            import sqlite3

            return sqlite3.connect(url.split(":///", 1)[1], isolation_level=None)
        from sqlalchemy import create_engine

        engine = create_engine(url)  # only for its dialect's connect arguments: no pool is involved
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        conn = engine.dialect.connect(*cargs, **cparams)
        dialect.set_autocommit(conn)
        return conn
    except Exception as exc:
        raise ConnectionFailed(
            f"Could not connect to the scratch database {mask(url)}: {mask(_db_message(exc))}",
            next_step="Check that the server is running.",
        ) from None


def _close(raw, broken: bool = False) -> None:
    try:
        raw.close()
    except Exception:
        if not broken:
            raise


def _code(sql: str) -> str:
    """The statement without its leading comments."""
    from .dialects.base import code_offset

    return sql[code_offset(sql) :]


def _where(statement, exc: BaseException) -> str:
    """``at line N (statement ...)``: the line in the file, from the server's error position if it gives one."""
    line, sql = statement.line, statement.sql
    position = getattr(getattr(exc, "diag", None), "statement_position", None)
    if position:
        line += _code(sql)[: int(position) - 1].count("\n")
    head = _first_line(sql)
    if line != statement.line:
        return f" at line {line} (in the statement on line {statement.line}: {head})"
    return f" at line {line} ({head})"


def _first_line(sql: str) -> str:
    line = next((s.strip() for s in sql.splitlines() if s.strip() and not s.strip().startswith("--")), "")
    return line if len(line) <= 80 else line[:77] + "..."


def _db_message(exc: BaseException) -> str:
    """The database's own message, without the driver's decoration (psycopg's ``LINE n:`` context,
    counted within one statement; PyMySQL's ``(code, "message")`` tuple)."""
    exc = getattr(exc, "orig", exc)
    diag = getattr(exc, "diag", None)
    if diag is not None and diag.message_primary:
        return "; ".join(filter(None, [diag.message_primary, diag.message_detail, diag.message_hint]))
    args: tuple[object, ...] = getattr(exc, "args", ())
    if len(args) == 2 and isinstance(args[0], int):
        return f"{args[1]} (error {args[0]})"
    return str(exc).strip()
