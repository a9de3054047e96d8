"""Throw-away databases named ``dbm_scratch_<random>``, always dropped, even on error."""
from __future__ import annotations

import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..config import dialect_of


def scratch_name() -> str:
    return f"dbm_scratch_{uuid.uuid4().hex[:16]}"


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create a scratch database beside ``server_url``'s (same server); yield its URL."""
    dialect = dialect_of(server_url)
    name = scratch_name()
    if dialect == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="dbm_scratch_"))
        try:
            yield f"sqlite:///{folder / (name + '.sqlite3')}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from ..db import Database

    admin = Database(server_url, "scratch")
    engine = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    admin._engine = engine
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if dialect == "postgresql":
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()
