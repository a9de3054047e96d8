"""PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot, safe while writers run) and
``pg_restore`` in a single transaction."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..dialects.quoting import pg_quote
from .clients import child_environment, find_binary, pg_environment, run, version_of

TOOL = "pg_dump"


def dump_command(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = (), schema: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """argv and environment for pg_dump; the connection is in the environment only. ``schema``
    limits the dump to that one schema (its name double-quoted: pg_dump reads it as a pattern)."""
    argv = [find_binary("pg_dump"), "--format=custom", "--no-password", f"--file={path}"]
    if schema_only:
        argv.append("--schema-only")
    if schema:
        argv.append(f"--schema={pg_quote(schema)}")
    for table in tables:
        argv.append(f"--table={table}")
    return argv, child_environment(pg_environment(url))


def dump(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = (), schema: str | None = None
) -> tuple[str, str]:
    argv, env = dump_command(url, path, schema_only, tables, schema)
    run(argv, env, "pg_dump", unchanged="The database was only read; no backup file was kept.")
    return TOOL, version_of(argv[0])


def restore_command(url: str, path: Path) -> tuple[list[str], dict[str, str]]:
    env = pg_environment(url)
    argv = [
        find_binary("pg_restore"),
        "--no-password",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={env['PGDATABASE']}",
        str(path),
    ]
    return argv, child_environment(env)


def restore(url: str, path: Path, schema: str | None = None) -> None:
    """The dump's objects replace the target's. A schema backup (a fleet's tenant) replaces the
    whole schema instead: it is dropped with everything in it and rebuilt from the dump, in one
    transaction, so objects made after the backup go too and no other schema is touched."""
    if schema:
        _restore_schema(url, path, schema)
        return
    argv, env = restore_command(url, path)
    run(argv, env, "pg_restore", unchanged=_ROLLED_BACK.format(tool="pg_restore"))


_ROLLED_BACK = "{tool} ran in one transaction, which was rolled back: the target is as it was."


def _restore_schema(url: str, path: Path, schema: str) -> None:
    env = pg_environment(url)
    with tempfile.TemporaryDirectory(prefix="dbm-restore-") as folder:
        script = Path(folder) / "restore.sql"
        to_sql = [find_binary("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(path)]
        run(to_sql, child_environment(env), "pg_restore", unchanged="Only the backup file was read.")
        argv = [
            find_binary("psql"),
            "--no-password",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={env['PGDATABASE']}",
            f"--command=DROP SCHEMA IF EXISTS {pg_quote(schema)} CASCADE",
            f"--file={script}",
        ]
        run(argv, child_environment(env), "psql", unchanged=_ROLLED_BACK.format(tool="psql"))
