"""sqlx's migration files and settings, read by sqlx's own rules (sqlx-core ``migrate/source.rs``):
a file ``<VERSION>_<DESCRIPTION>.sql`` (``.up.sql`` / ``.down.sql`` for reversible ones) whose
version parses as an integer; the description is the rest without the suffix, ``_`` read as a
space; the checksum is SHA-384 of the file's text, less any ``ignored-chars`` of ``sqlx.toml``;
``-- no-transaction`` at the very start runs it outside a transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .._files import iter_files, read_text

DEFAULT_DIR = "migrations"
DEFAULT_TABLE = "_sqlx_migrations"
MACRO = re.compile(r"""sqlx::migrate!\s*\(\s*"([^"]+)"\s*\)""")


@dataclass(frozen=True)
class Settings:
    migrations_dir: str
    table: str
    ignored_chars: frozenset[str]
    source: str  # what says this is sqlx, for detect's evidence


@dataclass(frozen=True)
class SqlxFile:
    version: int
    description: str
    kind: str  # simple, up, down
    path: Path


def uses_sqlx(root: Path) -> str | None:
    """Why ``root`` is a sqlx project: sqlx.toml, or sqlx among Cargo.toml's dependencies."""
    if (root / "sqlx.toml").is_file():
        return "sqlx.toml"
    if re.search(r"^\s*sqlx(?:-\w+)?\s*=|\[(?:\w+-)?dependencies\.sqlx\]", read_text(root / "Cargo.toml"), re.M):
        return "Cargo.toml (sqlx)"
    return None


def settings(root: Path) -> Settings | None:
    source = uses_sqlx(root)
    if source is None:
        return None
    config: dict = {}
    if (root / "sqlx.toml").is_file():
        import tomllib

        try:
            config = tomllib.loads(read_text(root / "sqlx.toml")).get("migrate") or {}
        except tomllib.TOMLDecodeError:
            config = {}
    folder = config.get("migrations-dir") or _macro_dir(root) or DEFAULT_DIR
    return Settings(
        str(folder).removeprefix("./").rstrip("/"),
        str(config.get("table-name") or DEFAULT_TABLE),
        frozenset(str(c) for c in config.get("ignored-chars") or ()),
        source,
    )


def _macro_dir(root: Path) -> str | None:
    """The folder ``sqlx::migrate!("...")`` embeds (relative to the crate root), if the code names one."""
    for path in sorted((root / "src").rglob("*.rs"))[:200] if (root / "src").is_dir() else ():
        m = MACRO.search(read_text(path))
        if m:
            return m.group(1)
    return None


def parse(path: Path) -> SqlxFile | None:
    """The file as sqlx reads it; None for a name sqlx skips (or refuses: a non-integer version)."""
    version, sep, rest = path.name.partition("_")
    if not sep or not rest.endswith(".sql"):
        return None
    try:
        number = int(version)
    except ValueError:
        return None
    kind = "up" if rest.endswith(".up.sql") else "down" if rest.endswith(".down.sql") else "simple"
    suffix = {"up": ".up.sql", "down": ".down.sql", "simple": ".sql"}[kind]
    return SqlxFile(number, rest[: -len(suffix)].replace("_", " "), kind, path)


def files(folder: Path) -> list[SqlxFile]:
    found = [f for f in (parse(p) for p in iter_files(folder, "*.sql")) if f is not None]
    return sorted(found, key=lambda f: (f.version, f.kind))


def checksum(path: Path, ignored: frozenset[str] = frozenset()) -> str:
    """Hex of sqlx's checksum: SHA-384 of the file's bytes as written (CRLF stays CRLF), without the
    ignored characters when sqlx.toml names some."""
    data = path.read_bytes()
    if ignored:
        text = data.decode("utf-8", errors="replace")
        data = "".join(c for c in text if c not in ignored).encode("utf-8")
    return hashlib.sha384(data).hexdigest()
