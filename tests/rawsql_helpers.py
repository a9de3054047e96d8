"""Helpers for the raw SQL migrate tests: a project on disk and a way to look into the database."""

from __future__ import annotations

from pathlib import Path


def make_project(root: Path, url: str, migrations: dict[str, str] | None = None, env_file: str = ".env") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / env_file).write_text(f"DATABASE_URL={url}\n", encoding="utf-8")
    folder = root / "migrations"
    folder.mkdir(exist_ok=True)
    for name, text in (migrations or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def query(url: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def execute(url: str, *statements: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            for s in statements:
                conn.execute(text(s))
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def recorded(url: str) -> dict[str, str | None]:
    """filename -> state of every row in _migrations (state None for the minimal form)."""
    cols = {c for c in _columns(url)}
    state = "state" if "state" in cols else "NULL"
    return {r[0]: r[1] for r in query(url, f"SELECT filename, {state} FROM _migrations")}


def _columns(url: str) -> list[str]:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        return [c["name"] for c in inspect(engine).get_columns("_migrations")]
    finally:
        engine.dispose()


def dialect(url: str) -> str:
    return "postgresql" if url.startswith("postgres") else "mysql" if url.startswith("mysql") else "sqlite"
