"""One module per database family, each a ``Dialect`` object that owns the family's facts.

Code outside this package never compares dialect names: it asks ``dialect_for(...)`` for the object
and reads its attributes or calls its methods (see ``base.Dialect`` for the interface). Registered
like the backup engines were: a name -> object table, looked up by name, alias, URL or Database.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import UnsupportedOperation
from .base import BackupEngine, Dialect, Statement
from .mysql import MYSQL
from .postgresql import POSTGRESQL
from .sqlite import SQLITE

__all__ = [
    "DIALECTS",
    "BackupEngine",
    "Dialect",
    "Statement",
    "dialect_for",
    "find_dialect",
    "name_of_url",
    "tool_words",
    "UnknownDialect",
]

#: every supported dialect by its name, in the order they are listed to users
DIALECTS: dict[str, Dialect] = {d.name: d for d in (POSTGRESQL, MYSQL, SQLITE)}
_BY_ALIAS: dict[str, Dialect] = {alias: d for d in DIALECTS.values() for alias in d.aliases}


class HasDialect(Protocol):
    dialect: str


class UnknownDialect(UnsupportedOperation, LookupError):
    """A name, URL or database of a kind the package has no dialect for."""


def name_of_url(url: str) -> str:
    """The dialect name of a URL's scheme (``postgres://``, ``mariadb://``, ``file:``); an unknown
    scheme gives its own name (``libsql``), so callers can say what they do not support."""
    scheme = url.split(":", 1)[0].lower()
    base = scheme.split("+", 1)[0]
    return {"postgres": "postgresql", "mariadb": "mysql", "file": "sqlite"}.get(base, base)


def find_dialect(which: str | HasDialect | None) -> Dialect | None:
    """The dialect of a name or alias (``postgres``, ``mariadb``; ``+driver`` ignored), a URL
    (anything with ``:``), or an object with a ``dialect`` name (``Database``); None when unknown."""
    if which is None:
        return None
    if not isinstance(which, str):
        which = which.dialect
    if ":" in which:
        which = name_of_url(which)
    return _BY_ALIAS.get(which.lower().split("+", 1)[0])


def tool_words(**words: tuple[str, ...]) -> dict[str, str]:
    """A tool's own words for each dialect, as word -> dialect name:
    ``tool_words(postgresql=("pg", "cockroachdb"), mysql=("mysql2",))``."""
    return {word: DIALECTS[name].name for name, spellings in words.items() for word in spellings}


def dialect_for(which: str | HasDialect) -> Dialect:
    """Like ``find_dialect``, for callers that only ever see supported databases."""
    found = find_dialect(which)
    if found is None:
        name = which if isinstance(which, str) else which.dialect
        name = name_of_url(name) if ":" in name else name  # never a URL (it may hold a password)
        raise UnknownDialect(
            f"{name} databases are not supported here (PostgreSQL, MySQL/MariaDB and SQLite are).",
            next_step="Use an environment on one of those databases.",
        )
    return found
