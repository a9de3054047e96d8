"""Which migration texts the preview's review already found clean, kept in ``<project>/.dbm/cache/``.

Every preview lints and guards every planned step; on a large project most steps are the same
unchanged, clean migrations each time (the dry run, then the real run, then the next migrate).
A step's text that produced no lint finding and no destructive statement is remembered as a
checksum, keyed with everything that decides the verdict (dialect, server version, transaction
flags, this package's code and the parsers' versions), so the next review skips parsing it. Only verdicts of
"nothing found" are kept: a step with findings is reviewed again, so what the preview shows is
always computed now, and the cache holds digests only, never SQL (which may carry a secret).
Any change to the code that decides (a rule, a parser upgrade) changes the fingerprint and
empties the cache. Reading or writing it never fails a verb: a broken cache is a cold cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from pathlib import Path

#: the folder, under the project's .dbm/, and the file of clean digests
FOLDER = Path(".dbm") / "cache"
FILE = "review-clean.txt"
#: at most this many digests are kept (the newest), so the file stays small on any project
LIMIT = 50_000
_PACKAGE = Path(__file__).resolve().parent.parent


def fingerprint() -> str:
    """The code that decides a verdict: every module of this package and the parsers' packages
    (their files' sizes and mtimes: an edit or an upgrade changes them; a few milliseconds of
    stat calls, and nothing imported). Any change empties the cache."""
    parts = [sys.version]
    for folder in (str(_PACKAGE), *_parser_folders()):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".so", ".pyd")):
                    st = os.stat(os.path.join(dirpath, name))
                    parts.append(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _parser_folders() -> list[str]:
    """Where pglast and sqlglot are installed (found without importing them)."""
    folders = []
    for name in ("pglast", "sqlglot"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders.extend(spec.submodule_search_locations)
    return folders


def digest(*parts: object) -> str:
    """The key of one verdict: every input that decides it, joined unambiguously."""
    h = hashlib.sha256()
    for part in parts:
        data = repr(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


class ReviewCache:
    """The clean digests of one project; ``save`` writes back what this process added."""

    def __init__(self, root: Path | None):
        self.path = Path(root) / FOLDER / FILE if root is not None else None
        self.print = fingerprint()
        self.clean: dict[str, None] = {}  # insertion-ordered: the oldest are dropped first
        self.added = 0
        if self.path is not None:
            try:
                lines = self.path.read_text(encoding="ascii").split()
            except (OSError, UnicodeDecodeError):
                lines = []
            if lines and lines[0] == self.print:
                self.clean = dict.fromkeys(lines[1:])

    def is_clean(self, key: str) -> bool:
        return key in self.clean

    def mark_clean(self, key: str) -> None:
        if key not in self.clean:
            self.clean[key] = None
            self.added += 1

    def save(self) -> None:
        if self.path is None or not self.added:
            return
        keys = list(self.clean)[-LIMIT:]
        try:
            folder = self.path.parent
            if not folder.exists():
                folder.mkdir(parents=True, exist_ok=True)
                ignore = folder.parent / ".gitignore"  # .dbm/ ignores itself, as active_env makes it
                if not ignore.exists():
                    ignore.write_text("*\n", encoding="utf-8")
            tmp = folder / f".{FILE}.{os.getpid()}.{threading.get_ident()}"  # per process and thread
            tmp.write_text("\n".join([self.print, *keys]) + "\n", encoding="ascii")
            os.replace(tmp, self.path)  # atomic: a concurrent run sees the old or the new file
        except OSError:
            return  # a read-only project: the next run is just a cold one
        self.added = 0


#: the cache of the project whose preview is being reviewed in this process (set by ``bind``)
_current: ReviewCache | None = None


def bind(root: Path | None) -> ReviewCache:
    """The cache for ``root``, loaded once per process and project, and made current."""
    global _current
    if _current is None or _current.path != (Path(root) / FOLDER / FILE if root is not None else None):
        _current = ReviewCache(root)
    return _current


def current() -> ReviewCache | None:
    return _current
