"""What the adapters read from each migration file, kept in ``<project>/.dbm/cache/`` by file.

A status listing of 2,000 Alembic revisions or Django migrations otherwise opens and scans 2,000
Python files on every run, most of its time. Here each file's facts (Alembic's identifiers and
message, Django's dependency names: never SQL, never code) are stored with its size and mtime; a
file whose size or mtime changed is read again, and the whole cache is dropped when the code that
reads the facts changes (its modules' sizes and mtimes are part of the key). Facts that needed the
tool itself (a module imported) are not kept. Reading or writing the cache never fails a verb: a
broken or unwritable cache is a cold one.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FOLDER = Path(".dbm") / "cache"
MISS = object()


def code_key(*parts: object, modules: Iterable[str] = ()) -> str:
    """The key of the reading code: ``parts`` (a setting the facts depend on) and the size and
    mtime of each module file that reads them."""
    stamps = []
    for module in modules:
        try:
            st = os.stat(module)
            stamps.append(f"{module}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append(module)
    return json.dumps([*map(str, parts), *stamps])


class FactsCache:
    """One kind of facts for one project; ``save`` writes back only when something was read anew."""

    def __init__(self, root: Path | None, kind: str, key: str):
        self.path = root / FOLDER / f"{kind}-facts.json" if root is not None else None
        self.key = key
        self.entries: dict[str, list[Any]] = {}
        self.seen: set[str] = set()
        self.changed = False
        if self.path is None:
            return
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
            if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("files"), dict):
                self.entries = data["files"]
        except (OSError, ValueError):
            pass

    def get(self, path: str) -> tuple[Any, tuple[int, int] | None]:
        """The facts stored for ``path`` if it is unchanged (else ``MISS``), and its stamp."""
        self.seen.add(path)
        try:
            st = os.stat(path)
        except OSError:
            return MISS, None
        if not stat.S_ISREG(st.st_mode):
            return MISS, None
        stamp = (st.st_size, st.st_mtime_ns)
        hit = self.entries.get(path)
        if hit is not None and len(hit) == 3 and hit[0] == stamp[0] and hit[1] == stamp[1]:
            return hit[2], stamp
        return MISS, stamp

    def put(self, path: str, stamp: tuple[int, int] | None, facts: Any) -> None:
        if stamp is not None and self.path is not None:
            self.entries[path] = [stamp[0], stamp[1], facts]
            self.changed = True

    def save(self) -> None:
        """Write the facts of the files seen in this run (gone files are dropped), atomically."""
        if self.path is None or not (self.changed or set(self.entries) - self.seen):
            return
        files = {p: v for p, v in self.entries.items() if p in self.seen}
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            folder = self.path.parent
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                ignore = folder.parent / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("*\n", encoding="utf-8")  # .dbm/ is local state, never committed
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"key": self.key, "files": files}, fh, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
