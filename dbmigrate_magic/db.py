"""Database connections: one lazily created SQLAlchemy engine per URL, with errors masked.

SQLAlchemy is imported only when a verb actually needs a database, which keeps
``%load_ext`` and ``dbm detect`` fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .config import dialect_of
from .dialects import find_dialect
from .errors import ConfigError, ConnectionFailed, connection_advice
from .masking import mask
from .secret_url import SecretUrl, secret_url


def split_tool_options(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its ``x-`` query parameters, and those parameters: they are addressed to a
    migration tool (golang-migrate's ``x-migrations-table``, ``x-multi-statement``), never to the
    driver, which refuses them ("invalid connection option")."""
    raw = str.__str__(url) if url else ""
    if "?" not in raw or "x-" not in raw.split("?", 1)[1]:
        return url, {}
    from urllib.parse import parse_qsl, quote, urlencode

    head, query = raw.split("?", 1)
    pairs = parse_qsl(query, keep_blank_values=True)
    options = {k: v for k, v in pairs if k.startswith("x-")}
    kept = urlencode([(k, v) for k, v in pairs if not k.startswith("x-")], quote_via=quote)
    return (f"{head}?{kept}" if kept else head), options


class Database:
    """A database reached through SQLAlchemy; ``dialect`` is postgresql, mysql or sqlite."""

    def __init__(self, url: str, environment: str = "url", schema: str | None = None, read_only: bool = False):
        url, self.tool_options = split_tool_options(url)
        self.url: SecretUrl = secret_url(url) or SecretUrl("")  # str() and repr() are masked
        self.environment = environment
        self.schema = schema
        self.dialect = dialect_of(url)
        #: read-only: a SQLite file is opened with mode=ro and a missing one reads as an empty
        #: database, so looking (``status``) never creates anything
        self.read_only = read_only
        #: narrows the runner lock to one schema or database (a fleet's targets share a server)
        self.lock_scope: str | None = None
        #: a fleet's schema target, one tenant among others in a shared database: its backups
        #: hold that schema only, so restoring one never overwrites its neighbours
        self.tenant_schema: str | None = None
        self._engine = None

    def __repr__(self) -> str:
        return f"Database({mask(self.url)!r}, environment={self.environment!r})"

    @property
    def masked_url(self) -> str:
        return mask(self.url)

    @property
    def place(self) -> str:
        """The masked URL and, when it adds something, the environment it belongs to: a diff side
        given as a URL is labelled with that URL, which must not be said twice."""
        label = mask(self.environment)
        if not label or label in ("url", self.masked_url):
            return self.masked_url
        return f"{self.masked_url} ({label})"

    @property
    def engine(self):
        if self._engine is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            kwargs: dict[str, Any] = {"poolclass": NullPool}
            kind = find_dialect(self.dialect)
            if kind is not None:
                kind.prepare_sqlalchemy()  # process-wide (MySQL: UTF-8 passwords)
                kwargs.update(kind.engine_options(self))  # search path, read-only file access
            try:
                self._engine = create_engine(self.url, **kwargs)
            except Exception as exc:  # bad URL or missing driver
                raise ConnectionFailed(
                    f"Cannot use the database URL {self.masked_url}: {mask(exc)}",
                    next_step="Check the URL's scheme and that its driver is installed.",
                ) from None
        return self._engine

    def require_database_name(self) -> None:
        """Refuse to write through a server URL that names no database: the server would pick its
        default (``postgres``, the user's name) and the migration would land where nobody looks."""
        kind = find_dialect(self.dialect)
        if (kind is not None and kind.embedded) or self.url.split("?", 1)[0].rstrip("/").count("/") > 2:
            return
        raise ConfigError(
            f"{self.place} names no database, so the server would choose one for this change.",
            next_step="Add the database name to the URL (…/DATABASE_NAME) or pass --env with an environment name.",
        )

    def sqlite_path(self) -> str | None:
        """The SQLite file behind the URL (None for in-memory databases and other dialects)."""
        kind = find_dialect(self.dialect)
        if kind is None or not kind.embedded:
            return None
        # parsed by hand: importing SQLAlchemy here would cost ``dbm status`` a third of a second
        from urllib.parse import unquote

        rest = self.url.split("://", 1)[1] if "://" in self.url else ""
        path = unquote(rest.split("?", 1)[0])
        path = path[1:] if path.startswith("/") else path
        return path if path and path != ":memory:" else None

    def exists(self) -> bool:
        """False only for a SQLite file that is not there yet (servers: assumed to exist)."""
        path = self.sqlite_path()
        if path is None:
            return True
        import os

        return os.path.exists(path)

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A SQLAlchemy connection; a failure to connect becomes ``ConnectionFailed``."""
        conn = self._connected(lambda engine: engine.connect())
        try:
            yield conn
        finally:
            conn.close()

    def raw_connection(self) -> Any:
        """A pooled DBAPI connection (the ledger's sessions); a failure to connect becomes
        ``ConnectionFailed`` as in ``connect()``, never the driver's exception (a SQLite file in a
        folder that does not exist, a server that refuses the password). Where the dialect can open
        it with the driver alone (psycopg, sqlite3), SQLAlchemy is not loaded at all."""
        kind = find_dialect(self.dialect)
        direct = kind.direct_connection(self) if kind is not None else None
        return direct if direct is not None else self._connected(lambda engine: engine.raw_connection())

    def _connected(self, open_connection: Any) -> Any:
        from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

        try:
            return open_connection(self.engine)
        except (OperationalError, InterfaceError, DBAPIError) as exc:
            raise self.cannot_connect(exc) from None
        except Exception as exc:  # driver problems, DNS, bad port numbers ...
            raise self.cannot_connect(exc, otherwise="Check the URL") from None

    def cannot_connect(self, exc: BaseException, otherwise: str | None = None) -> ConnectionFailed:
        """The error for a connection that failed to open, whichever driver opened it: the server's
        own words, masked, and the advice they call for (``otherwise``: when they say nothing known)."""
        said = short_db_error(exc)
        advice = connection_advice(said) if otherwise is None else connection_advice(said, otherwise)
        return ConnectionFailed(f"Could not connect to {self.place}: {said}", next_step=advice)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def short_db_error(exc: BaseException) -> str:
    """The database's own message without SQLAlchemy's boilerplate, masked."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    text = text.split("\n(Background on this error")[0].strip()
    return mask(text)
