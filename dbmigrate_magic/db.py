"""Database connections: one lazily created SQLAlchemy engine per URL, with errors masked.

SQLAlchemy is imported only when a verb actually needs a database, which keeps
``%load_ext`` and ``dbm detect`` fast.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from .config import dialect_of
from .errors import ConnectionFailed
from .secrets import mask


class Database:
    """A database reached through SQLAlchemy; ``dialect`` is postgresql, mysql or sqlite."""

    def __init__(self, url: str, environment: str = "url", schema: str | None = None):
        self.url = url
        self.environment = environment
        self.schema = schema
        self.dialect = dialect_of(url)
        self._engine = None

    def __repr__(self) -> str:
        return f"Database({mask(self.url)!r}, environment={self.environment!r})"

    @property
    def masked_url(self) -> str:
        return mask(self.url)

    @property
    def engine(self):
        if self._engine is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            kwargs: dict[str, Any] = {"poolclass": NullPool}
            if self.dialect == "postgresql" and self.schema:
                kwargs["connect_args"] = {"options": f"-csearch_path={self.schema}"}
            try:
                self._engine = create_engine(self.url, **kwargs)
            except Exception as exc:  # bad URL or missing driver
                raise ConnectionFailed(
                    f"Cannot use the database URL {self.masked_url}: {mask(exc)}",
                    next_step="Check the URL's scheme and that its driver is installed.",
                ) from None
        return self._engine

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A SQLAlchemy connection; a failure to connect becomes ``ConnectionFailed``."""
        from sqlalchemy.exc import DBAPIError, OperationalError, InterfaceError

        try:
            conn = self.engine.connect()
        except (OperationalError, InterfaceError, DBAPIError) as exc:
            raise ConnectionFailed(
                f"Could not connect to {self.masked_url} ({self.environment}): {short_db_error(exc)}",
                next_step="Check that the server is running and the credentials are right (`dbm env` shows "
                "where this URL came from).",
            ) from None
        except Exception as exc:  # driver problems, DNS, bad port numbers ...
            raise ConnectionFailed(
                f"Could not connect to {self.masked_url} ({self.environment}): {mask(exc)}",
                next_step="Check the URL (`dbm env` shows where it came from).",
            ) from None
        try:
            yield conn
        finally:
            conn.close()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def short_db_error(exc: BaseException) -> str:
    """The database's own message without SQLAlchemy's boilerplate, masked."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    text = text.split("\n(Background on this error")[0].strip()
    return mask(text)
