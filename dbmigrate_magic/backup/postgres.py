"""PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot, safe while writers run) and
``pg_restore`` in a single transaction."""

from __future__ import annotations

from pathlib import Path

from .clients import child_environment, find_binary, pg_environment, run, version_of

TOOL = "pg_dump"


def dump_command(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = ()
) -> tuple[list[str], dict[str, str]]:
    """argv and environment for pg_dump; the connection is in the environment only."""
    argv = [find_binary("pg_dump"), "--format=custom", "--no-password", f"--file={path}"]
    if schema_only:
        argv.append("--schema-only")
    for table in tables:
        argv.append(f"--table={table}")
    return argv, child_environment(pg_environment(url))


def dump(url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = ()) -> tuple[str, str]:
    argv, env = dump_command(url, path, schema_only, tables)
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


def restore(url: str, path: Path) -> None:
    argv, env = restore_command(url, path)
    run(
        argv,
        env,
        "pg_restore",
        unchanged="pg_restore ran in one transaction, which was rolled back: the target is as it was.",
    )
