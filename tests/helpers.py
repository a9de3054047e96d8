"""Small helpers shared by the test files: look into a database, write a project on disk, read
``dbm status``. One copy of each, so that a fix to how a test looks reaches every test."""

from __future__ import annotations

import json
from pathlib import Path


def _engine(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool)


def query(url: str, sql: str) -> list[tuple]:
    """Every row of one SELECT, as plain tuples."""
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def scalar(url: str, sql: str):
    """The first column of the first row of one SELECT (None when there is no row)."""
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def execute(url: str, *statements: str, params: list[dict] | None = None) -> None:
    """Run the statements in one transaction; ``params`` gives each statement its bind values."""
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.begin() as conn:
            for i, statement in enumerate(statements):
                conn.execute(text(statement), params[i] if params else {})
    finally:
        engine.dispose()


def tables(url: str, ignore: tuple[str, ...] = ()) -> set[str]:
    """Names of the tables in the database, without those in ``ignore`` (a tool's tracking table)."""
    from sqlalchemy import inspect

    engine = _engine(url)
    try:
        return set(inspect(engine).get_table_names()) - set(ignore)
    finally:
        engine.dispose()


def columns(url: str, table: str) -> list[str]:
    """Column names of one table, in table order."""
    from sqlalchemy import inspect

    engine = _engine(url)
    try:
        return [c["name"] for c in inspect(engine).get_columns(table)]
    finally:
        engine.dispose()


def dialect(url: str) -> str:
    """postgresql, mysql or sqlite: the backend a SQLAlchemy URL names."""
    return "postgresql" if url.startswith("postgres") else "mysql" if url.startswith("mysql") else "sqlite"


def with_password(url: str, password: str) -> str:
    """The URL with ``password`` set, rendered in full (trust authentication ignores it)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` below ``root``, making folders as needed; return ``root``."""
    for name, body in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body)
    return root


def make_project(root: Path, url: str, migrations: dict[str, str] | None = None, env_file: str = ".env") -> Path:
    """A raw SQL project: ``env_file`` naming ``url`` and a migrations/ folder with the given files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / env_file).write_text(f"DATABASE_URL={url}\n", encoding="utf-8")
    folder = root / "migrations"
    folder.mkdir(exist_ok=True)
    for name, text in (migrations or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def recorded(url: str) -> dict[str, str | None]:
    """filename -> state of every row in _migrations (state None for the minimal form)."""
    state = "state" if "state" in columns(url, "_migrations") else "NULL"
    return {r[0]: r[1] for r in query(url, f"SELECT filename, {state} FROM _migrations")}


def status_json(run_dbm, root) -> dict:
    """``dbm status ROOT --format json``, which must succeed, parsed."""
    out = run_dbm("status", root, "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def libpq_url(url: str) -> str:
    """A PostgreSQL SQLAlchemy URL as libpq (psql, psycopg.connect) reads it: no ``+driver``."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def visible_text(markup: str) -> str:
    """What a reader sees of HTML: tags (e.g. SQL highlighting's spans) dropped, entities decoded."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", markup))
