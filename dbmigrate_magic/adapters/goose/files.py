"""goose's migration files, read by goose's own rules (pressly/goose): ``<version>_<name>.sql`` whose
version (the part before the first ``_``) is a positive integer, with a mandatory ``-- +goose Up``
annotation (annotations are case-insensitive, on their own line); ``-- +goose Down`` is optional.
goose reads one folder: ``-dir`` / ``GOOSE_MIGRATION_DIR`` (also from ``.env``), default ``.``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .._files import iter_files, read_text

DEFAULT_TABLE = "goose_db_version"
#: folders teams point ``goose -dir`` at, tried when nothing names one (goose's own default is ``.``)
FOLDERS = ("migrations", "db/migrations", "sql/migrations", "sql/schema", "database/migrations", ".")
UP = re.compile(r"^--\s*\+goose\s+up\b", re.I | re.M)
DOWN = re.compile(r"^--\s*\+goose\s+down\b", re.I | re.M)
NO_TRANSACTION = re.compile(r"^--\s*\+goose\s+no\s*transaction\b", re.I | re.M)
_DIR_FLAG = re.compile(r"""\bgoose\b[^\n&|;]*?\s-dir(?:\s+|=)(['"]?)([^\s'"]+)\1""")


@dataclass(frozen=True)
class Settings:
    migrations_dir: str | None  # configured folder, relative to the root
    table: str
    source: str | None  # where the setting came from, for detect's evidence


@dataclass(frozen=True)
class GooseFile:
    version: int
    name: str
    path: Path


def parse(path: Path) -> GooseFile | None:
    """The file as goose reads it; None for a name goose skips (no numeric version)."""
    version, sep, rest = path.name.partition("_")
    if not sep or not path.name.endswith(".sql") or not version.isdigit() or int(version) < 1:
        return None
    return GooseFile(int(version), rest[: -len(".sql")], path)


def files(folder: Path) -> list[GooseFile]:
    """Every goose migration in ``folder``: goose's name pattern and its ``-- +goose Up`` marker."""
    found = [f for f in (parse(p) for p in iter_files(folder, "*.sql")) if f is not None]
    return sorted((f for f in found if UP.search(read_text(f.path))), key=lambda f: f.version)


def is_goose_file(path: Path, head: str) -> bool:
    """A ``.sql`` file carrying goose's mandatory annotation: goose's, never raw SQL's."""
    return bool(UP.search(head))


def settings(root: Path) -> Settings:
    """``goose -dir`` in package.json/Makefile scripts, then ``GOOSE_MIGRATION_DIR`` / ``GOOSE_TABLE``
    in ``.env``, then goose's defaults."""
    env = _env(root)
    table = env.get("GOOSE_TABLE") or DEFAULT_TABLE
    for name in ("Makefile", "makefile", "Taskfile.yml", "justfile", "package.json"):
        m = _DIR_FLAG.search(read_text(root / name))
        if m:
            folder = m.group(2).removeprefix("./").rstrip("/") or "."
            return Settings(folder, table, f"{name} (goose -dir)")
    folder = env.get("GOOSE_MIGRATION_DIR")
    if folder:
        return Settings(folder.removeprefix("./").rstrip("/") or ".", table, ".env GOOSE_MIGRATION_DIR")
    return Settings(None, table, None)


def _env(root: Path) -> dict[str, str | None]:
    from ...dotenv_file import read_dotenv_file

    path = root / ".env"
    return read_dotenv_file(path).values if path.is_file() else {}
