"""One runner at a time around tools whose own locking is missing or racy (Alembic, Django, TypeORM, Knex).

Holds the ledger's database-wide runner lock (PostgreSQL advisory lock, MySQL ``GET_LOCK``) on a
separate connection while the tool runs on its own. SQLite has no session lock to take: there
the tool's own transactions serialise writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..dialects import find_dialect

if TYPE_CHECKING:
    from ..db import Database


@contextmanager
def runner_lock(db: Database) -> Iterator[None]:
    kind = find_dialect(db)
    if kind is None or not kind.has_runner_lock:
        yield
        return
    from ..ledger import LedgerConfig, Session

    session = Session(db, LedgerConfig())
    try:
        with session.runner_lock():
            yield
    finally:
        session.close()
