"""Small file-reading helpers shared by the adapters' detection code."""

from __future__ import annotations

import os
import re
from fnmatch import fnmatchcase
from pathlib import Path

SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "__pycache__", ".tox", "dist", "build", "site-packages"}


def read_text(path: Path, limit: int = 200_000) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(limit)
    except OSError:
        return ""


def first_existing(root: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        p = root / name
        if p.exists():
            return p
    return None


def js_string_option(source: str, key: str) -> str | None:
    """The string literal assigned to ``key`` in a JS/TS config object (``out: "./drizzle"``)."""
    m = re.search(rf"""\b{re.escape(key)}\s*:\s*(['"`])([^'"`]+)\1""", source)
    return m.group(2) if m else None


def iter_files(folder: Path, pattern: str) -> list[Path]:
    """Files in ``folder`` whose names match ``pattern`` (case-sensitive, as ``Path.glob``), by name.
    One directory scan, no stat per file and plain string sorting: detection lists a migrations
    folder several times per command, and with thousands of files ``glob`` + ``is_file`` + sorting
    Path objects was most of the time."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if fnmatchcase(e.name, pattern) and e.is_file())
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    return [folder / name for name in names]
