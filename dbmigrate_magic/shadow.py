"""Scratch ("shadow") databases: created on the same server, always dropped afterwards.

Names are ``dbm_scratch_<pid>_<random>`` so leftovers are recognisable; ``stale_scratch`` lists
those whose process is gone and ``clean_scratch`` drops them (``dbm scratch --clean``). SQLite
scratch databases are temporary files removed on exit. ``scratch()`` drops in ``finally``, so an
error or a KeyboardInterrupt inside the block still cleans up.
"""
from __future__ import annotations

import os
import re
import secrets as _random
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .config import dialect_of
from .errors import ConnectionFailed, ProjectError
from .secrets import mask

PREFIX = "dbm_scratch_"
NAME = re.compile(rf"^{PREFIX}(\d+)_[0-9a-f]+$")


def scratch_name() -> str:
    return f"{PREFIX}{os.getpid()}_{_random.token_hex(4)}"


def _server(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop(engine, dialect: str, name: str) -> None:
    from sqlalchemy import text

    with engine.connect() as conn:
        force = " WITH (FORCE)" if dialect == "postgresql" else ""
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))


@contextmanager
def scratch(like_url: str) -> Iterator[str]:
    """Yield the URL of a new, empty database of the same kind and server as ``like_url``."""
    dialect = dialect_of(like_url)
    if dialect == "sqlite":
        fd, path = tempfile.mkstemp(prefix=PREFIX + f"{os.getpid()}_", suffix=".db")
        os.close(fd)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
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
        raise ConnectionFailed(
            f"Could not create a scratch database on {mask(like_url)}: {mask(getattr(exc, 'orig', exc))}",
            next_step="Scratch databases need the CREATE DATABASE privilege on the same server; "
            "grant it or compare against another environment instead.") from None
    try:
        yield with_database(like_url, name)
    finally:
        try:
            _drop(engine, dialect, name)
        finally:
            engine.dispose()


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
    dialect = dialect_of(url)
    if dialect == "sqlite":
        return sorted(p.name for p in Path(tempfile.gettempdir()).glob(PREFIX + "*.db"))
    from sqlalchemy import text

    sql = ("select datname from pg_database" if dialect == "postgresql"
           else "select schema_name from information_schema.schemata")
    engine = _server(url)
    try:
        with engine.connect() as conn:
            names = [r[0] for r in conn.execute(text(sql))]
    finally:
        engine.dispose()
    return sorted(n for n in names if n.startswith(PREFIX))


def stale(names: list[str]) -> list[str]:
    """Scratch names whose creating process is no longer running on this machine."""
    out = []
    for n in names:
        m = re.match(rf"^{PREFIX}(\d+)_", n)
        if m and not _pid_alive(int(m.group(1))):
            out.append(n)
    return out


def clean_scratch(url: str, everything: bool = False) -> list[str]:
    """Drop stale scratch databases (or all of them with ``everything``); return their names."""
    names = list_scratch(url)
    victims = names if everything else stale(names)
    dialect = dialect_of(url)
    if dialect == "sqlite":
        for n in victims:
            Path(tempfile.gettempdir(), n).unlink(missing_ok=True)
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
    """Run a whole SQL script (a schema file, a migration) on the database at ``url``."""
    dialect = dialect_of(url)
    try:
        if dialect == "sqlite":
            import sqlite3

            path = url.split(":///", 1)[1]
            con = sqlite3.connect(path)
            try:
                con.executescript(sql)
            finally:
                con.close()
            return
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        connect_args = {}
        if dialect == "mysql":
            from pymysql.constants import CLIENT

            connect_args = {"client_flag": CLIENT.MULTI_STATEMENTS}
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        try:
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute(strip_psql_meta(sql) if dialect == "postgresql" else sql)
                if dialect == "mysql":
                    while cur.nextset():
                        pass
                raw.commit()
            finally:
                raw.close()
        finally:
            engine.dispose()
    except Exception as exc:
        raise ProjectError(f"Loading the {source} failed: {mask(getattr(exc, 'orig', exc))}",
                              unchanged="Only a scratch database was touched; it is dropped.",
                              next_step=f"Fix the {source} so it runs on {dialect}.") from None


def strip_psql_meta(sql: str) -> str:
    """Drop psql backslash commands (``\\restrict``, ``\\connect``) that only psql understands."""
    return "\n".join(line for line in sql.splitlines() if not line.startswith("\\"))
