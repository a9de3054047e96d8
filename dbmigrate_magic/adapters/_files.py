"""Small file-reading helpers shared by the adapters' detection code."""

from __future__ import annotations

import re
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
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if p.is_file())
