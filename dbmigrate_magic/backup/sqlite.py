"""SQLite: the online backup API (a consistent copy while other connections read and write,
WAL content included). Schema-only and table subsets copy through ``ATTACH`` in one read
transaction instead, from the schema SQLite stores in ``sqlite_master``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import ProjectError, ToolFailed

TOOL = "sqlite3-backup-api"


def database_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    if not name or name == ":memory:":
        raise ProjectError(
            "An in-memory SQLite database cannot be backed up or restored into.",
            next_step="Use a SQLite database file.",
        )
    return Path(name)


def _connect_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ProjectError(f"The SQLite database {path} does not exist.", next_step="Check the URL.")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def dump(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = (), schema: str | None = None
) -> tuple[str, str]:
    """``schema`` is unused: SQLite has no schemas (a fleet gives each tenant its own file)."""
    try:
        return _dump(url, path, schema_only, tables)
    except sqlite3.Error as exc:
        raise ToolFailed(
            f"The SQLite backup failed: {exc}.",
            unchanged="The database was only read.",
            next_step="Check that the file is a SQLite database and readable.",
        ) from None


def _dump(url: str, path: Path, schema_only: bool, tables: tuple[str, ...]) -> tuple[str, str]:
    source_path = database_path(url)
    if schema_only or tables:
        _copy_subset(source_path, path, schema_only, tables)
    else:
        src = _connect_source(source_path)
        dst = sqlite3.connect(path)
        try:
            with dst:
                src.backup(dst)  # pages=-1: one step, so the copy is one consistent snapshot
        finally:
            dst.close()
            src.close()
    return TOOL, f"SQLite {sqlite3.sqlite_version}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_subset(source: Path, target: Path, schema_only: bool, tables: tuple[str, ...]) -> None:
    _connect_source(source).close()
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
        dst.execute("BEGIN")
        objects = dst.execute(
            "SELECT type, name, tbl_name, sql FROM src.sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 "
            "WHEN 'view' THEN 2 ELSE 3 END, rowid"
        ).fetchall()
        wanted = set(tables)
        missing = wanted - {name for kind, name, _t, _s in objects if kind == "table"}
        if missing:
            raise ProjectError(
                f"No table named {', '.join(sorted(missing))} in {source}.",
                next_step="Check --tables (comma-separated table names).",
            )
        copied = []
        for kind, name, table, sql in objects:
            if wanted and table not in wanted:
                continue
            dst.execute(sql)
            if kind == "table":
                copied.append(name)
        if not schema_only:
            for name in copied:
                dst.execute(f"INSERT INTO main.{_quote(name)} SELECT * FROM src.{_quote(name)}")
            has_seq = all(
                dst.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE name='sqlite_sequence'").fetchone()
                for schema in ("src", "main")
            )
            if has_seq and copied:
                marks = ",".join("?" * len(copied))
                dst.execute(
                    f"INSERT INTO main.sqlite_sequence SELECT * FROM src.sqlite_sequence WHERE name IN ({marks})",
                    copied,
                )
        version = dst.execute("PRAGMA src.user_version").fetchone()[0]
        dst.execute(f"PRAGMA main.user_version = {int(version)}")
        dst.execute("COMMIT")
        dst.execute("DETACH DATABASE src")
    finally:
        dst.close()


def restore(url: str, path: Path, schema: str | None = None) -> None:
    """Replace the target database's whole content with the backup's (backup API, one step)."""
    target = database_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            check = src.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            check = str(exc)
        if check != "ok":
            raise ToolFailed(
                f"The backup {path.name} is not a readable SQLite database ({check}).",
                unchanged=f"{target} was not touched.",
                next_step="Restore another backup.",
            )
        dst = sqlite3.connect(target, timeout=30)
        try:
            with dst:
                src.backup(dst)
        except sqlite3.Error as exc:
            raise ToolFailed(
                f"Restoring {path.name} into {target} failed: {exc}.",
                unchanged="SQLite's backup API replaces the file in one step; it was not replaced.",
                next_step="Check that no other process holds a write lock on the target.",
            ) from None
        finally:
            dst.close()
    finally:
        src.close()
