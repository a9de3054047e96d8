"""Small file-reading helpers shared by the adapters' detection code."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fnmatch import fnmatchcase
from pathlib import Path

SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "__pycache__", ".tox", "dist", "build", "site-packages"}


#: inside ``read_once()``: path -> (limit read with, text); per thread, so a verb writing files in
#: one thread never reads them through another thread's detection
_READ: ContextVar[dict[str, tuple[int, str]] | None] = ContextVar("dbm_detection_reads", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """While detection runs, each file is read once: several adapters look for their own markers in
    the same ``*.sql`` files (goose's ``-- +goose Up``, dbmate's ``-- migrate:up``, raw SQL's
    absence of both), which was one read per adapter of every migration. Detection writes nothing."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def read_text(path: Path, limit: int = 200_000) -> str:
    memo = _READ.get()
    key = str(path)
    if memo is not None and (hit := memo.get(key)) is not None and (hit[0] >= limit or len(hit[1]) < hit[0]):
        return hit[1][:limit]  # read before with a larger limit, or the whole file
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(limit)
    except OSError:
        return ""
    if memo is not None:
        memo[key] = (limit, text)
    return text


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
