"""Where a dbmate project keeps its migrations and its table: the ``-d`` / ``--migrations-dir`` and
``--migrations-table`` flags its package.json or Makefile scripts pass to ``dbmate``, then
``DBMATE_MIGRATIONS_DIR`` / ``DBMATE_MIGRATIONS_TABLE`` in ``.env`` (dbmate loads it), then
dbmate's defaults (``./db/migrations``, ``schema_migrations``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .._files import read_text

DEFAULT_DIR = "db/migrations"
DEFAULT_TABLE = "schema_migrations"
_FLAG = r"""(?:^|\s){flags}(?:\s+|=)(['"]?)([^\s'"]+)\1"""
DIR_FLAG = re.compile(_FLAG.format(flags=r"(?:-d|--migrations-dir)"))
TABLE_FLAG = re.compile(_FLAG.format(flags=r"--migrations-table"))


@dataclass(frozen=True)
class Settings:
    dirs: tuple[str, ...]  # configured folders, relative to the root; empty: dbmate's default
    table: str
    source: str | None  # where the setting came from, for detect's evidence


def _commands(root: Path) -> list[tuple[str, str]]:
    """``(source, command)`` for each script or Makefile line that runs dbmate."""
    out: list[tuple[str, str]] = []
    pkg = root / "package.json"
    if pkg.is_file():
        try:
            scripts = json.loads(read_text(pkg)).get("scripts") or {}
        except (ValueError, AttributeError):
            scripts = {}
        for name, command in scripts.items() if isinstance(scripts, dict) else ():
            if isinstance(command, str) and re.search(r"\bdbmate\b", command):
                out.append((f"package.json scripts.{name}", command))
    for makefile in ("Makefile", "makefile", "GNUmakefile"):
        text = read_text(root / makefile)
        for line in text.splitlines():
            if re.search(r"\bdbmate\b", line) and not line.lstrip().startswith("#"):
                out.append((makefile, line))
    return out


def _dotenv(root: Path) -> dict[str, str | None]:
    from ...dotenv_file import read_dotenv_file

    path = root / ".env"
    return read_dotenv_file(path).values if path.is_file() else {}


def settings(root: Path) -> Settings:
    dirs: list[str] = []
    table: str | None = None
    source: str | None = None
    for where, command in _commands(root):
        call = re.search(r"\bdbmate\b", command)  # _commands keeps only the commands that run dbmate
        segment = command[call.end() :] if call else command
        segment = re.split(r"&&|\|\||;|\|", segment)[0]  # this dbmate call only
        for m in DIR_FLAG.finditer(segment):
            if m.group(2) not in dirs:
                dirs.append(m.group(2))
                source = source or where
        t = TABLE_FLAG.search(segment)
        if t and table is None:
            table = t.group(2)
    env = _dotenv(root)
    if not dirs and env.get("DBMATE_MIGRATIONS_DIR"):
        dirs = [str(env["DBMATE_MIGRATIONS_DIR"])]
        source = ".env DBMATE_MIGRATIONS_DIR"
    table = table or env.get("DBMATE_MIGRATIONS_TABLE") or DEFAULT_TABLE
    return Settings(tuple(d.removeprefix("./").rstrip("/") or "." for d in dirs), table, source)
