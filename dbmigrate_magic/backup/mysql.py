"""MySQL/MariaDB: ``mariadb-dump``/``mysqldump --single-transaction --routines --triggers``
(a consistent InnoDB snapshot without locking writers), restored with the ``mariadb`` client.

The dump names no database (no ``--databases``), so it restores into whichever database
the target URL names, including a scratch database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .clients import child_environment, find_binary, mysql_defaults_file, run, version_of


def _database(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database or ""


@contextmanager
def dump_command(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = ()
) -> Iterator[tuple[list[str], dict[str, str]]]:
    binary = find_binary("mariadb-dump", "mysqldump")
    with mysql_defaults_file(url) as defaults:
        # --defaults-extra-file must be the first option
        argv = [
            binary,
            f"--defaults-extra-file={defaults}",
            "--single-transaction",
            "--routines",
            "--triggers",
            "--hex-blob",
            "--no-tablespaces",
            "--default-character-set=utf8mb4",
            f"--result-file={path}",
        ]
        if schema_only:
            argv.append("--no-data")
        argv.append(_database(url))
        argv.extend(tables)
        yield argv, child_environment({})


def dump(
    url: str, path: Path, schema_only: bool = False, tables: tuple[str, ...] = (), schema: str | None = None
) -> tuple[str, str]:
    """``schema`` is unused: a MySQL/MariaDB fleet's schema target is its own database, which the URL names."""
    with dump_command(url, path, schema_only, tables) as (argv, env):
        run(argv, env, "mysqldump", unchanged="The database was only read; no backup file was kept.")
    return Path(argv[0]).name, version_of(argv[0])


@contextmanager
def restore_command(url: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    binary = find_binary("mariadb", "mysql")
    with mysql_defaults_file(url) as defaults:
        yield [binary, f"--defaults-extra-file={defaults}", "--batch", _database(url)], child_environment({})


def restore(url: str, path: Path, schema: str | None = None) -> None:
    with restore_command(url) as (argv, env), path.open("rb") as fh:
        run(
            argv,
            env,
            "mysql restore",
            stdin=fh,
            unchanged="MySQL cannot restore in one transaction: tables up to the failing statement "
            "were replaced, the rest are as they were.",
        )
