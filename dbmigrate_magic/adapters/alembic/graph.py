"""Alembic's revision graph, read statically from the revision files.

``alembic.script.ScriptDirectory`` imports every revision module (and SQLAlchemy with it) just to
learn four identifiers; on a 2,000-revision project that is most of the time ``alembic history``
takes. We read ``revision``, ``down_revision``, ``branch_labels`` and ``depends_on`` as literals
and import a module (Alembic's own loader) only when one of them is not a literal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._pystatic import NOT_LITERAL, fast_literals, module_literals

if TYPE_CHECKING:
    from .._facts_cache import FactsCache

NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
#: Alembic's own rule for which files in a versions folder are revisions (no __init__, no .# locks)
REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    file: str  # absolute path, kept as text: 2,000 Path objects cost more than reading the files
    message: str | None = None
    imported: bool = False  # identifiers were not literals: read by importing the module

    @property
    def path(self) -> Path:
        return Path(self.file)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def revision_files(locations: Iterable[Path], recursive: bool = False) -> list[str]:
    """Revision files in the version folders, sorted by path (``os.scandir``: no stat per file)."""
    found: list[str] = []
    pending = [str(folder) for folder in locations]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py") and REVISION_FILE.match(entry.name) and entry.is_file():
                found.append(entry.path)
            elif recursive and entry.is_dir() and entry.name != "__pycache__":
                pending.append(entry.path)
    return sorted(found)


def _message(source: str) -> str | None:
    """First line of the module docstring (Alembic's ``-m`` message), cheaply."""
    text = source.lstrip()
    for quote in ('"""', "'''"):
        if text.startswith(quote):
            body = text[3:].lstrip("\n")
            end = body.find(quote)
            first = body[: end if end >= 0 else None].split("\n", 1)[0].strip()
            return first or None
    return None


def read_revision(path: str | Path) -> Revision | None:
    """One revision file; None when it declares no revision (Alembic would refuse it too)."""
    path = str(path)
    with open(path, encoding="utf-8", errors="replace") as fh:
        source = fh.read()
    values = fast_literals(source, NAMES)
    if values is None:
        values = module_literals(source, NAMES)
    if values is None or "revision" not in values or any(v is NOT_LITERAL for v in values.values()):
        return _import_revision(path)
    rev = values["revision"]
    if not isinstance(rev, str):
        return _import_revision(path)
    return Revision(
        rev,
        _as_tuple(values.get("down_revision")),
        _as_tuple(values.get("branch_labels")),
        _as_tuple(values.get("depends_on")),
        path,
        _message(source),
    )


def _import_revision(path: str) -> Revision | None:
    """Fallback: let Alembic import the module, exactly as ``ScriptDirectory`` would."""
    from alembic.util.pyfiles import load_python_file

    try:
        module = load_python_file(os.path.dirname(path), os.path.basename(path))
    except Exception:  # a broken revision file: reported by the caller as unreadable
        return None
    rev = getattr(module, "revision", None)
    if not isinstance(rev, str):
        return None
    doc = (module.__doc__ or "").strip().split("\n", 1)[0].strip() or None
    return Revision(
        rev,
        _as_tuple(getattr(module, "down_revision", None)),
        _as_tuple(getattr(module, "branch_labels", None)),
        _as_tuple(getattr(module, "depends_on", None)),
        path,
        doc,
        imported=True,
    )


def _cached_revision(cache: FactsCache, path: str) -> Revision | None:
    """``read_revision`` through the cache: only revisions read as literals are kept (an imported
    module's values may depend on more than its file)."""
    from .._facts_cache import MISS

    facts, stamp = cache.get(path)
    if facts is not MISS:
        rev, down, labels, depends, message = facts
        return Revision(rev, tuple(down), tuple(labels), tuple(depends), path, message)
    found = read_revision(path)
    if found is not None and not found.imported:
        cache.put(
            path, stamp, [found.revision, found.down_revisions, found.branch_labels, found.depends_on, found.message]
        )
    return found


@dataclass
class RevisionGraph:
    """The DAG of revisions: ``down_revision`` edges, plus ``depends_on`` edges for ordering."""

    revisions: dict[str, Revision]
    unreadable: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, files: Iterable[str | Path], root: Path | None = None) -> RevisionGraph:
        """The graph of ``files``; with the project ``root``, facts read before are taken from
        its cache (``_facts_cache``) for files unchanged since."""
        from .. import _pystatic
        from .._facts_cache import FactsCache, code_key

        cache = FactsCache(root, "alembic", code_key(modules=(__file__, _pystatic.__file__)))
        revisions: dict[str, Revision] = {}
        unreadable, duplicates = [], []
        for path in files:
            rev = _cached_revision(cache, str(path))
            if rev is None:
                unreadable.append(str(path))
            elif rev.revision in revisions:
                duplicates.append(rev.revision)
            else:
                revisions[rev.revision] = rev
        cache.save()
        return cls(revisions, unreadable, duplicates)

    # --- structure --------------------------------------------------------------------
    def label_map(self) -> dict[str, str]:
        """Branch label -> the revision that declares it (how Alembic resolves ``depends_on``)."""
        cached = getattr(self, "_labels", None)
        if cached is None:
            cached = {label: r.revision for r in self.revisions.values() for label in r.branch_labels}
            self._labels = cached
        return cached

    def dependencies(self, rev: Revision) -> tuple[str, ...]:
        if not rev.depends_on:
            return ()
        labels = self.label_map()
        return tuple(labels.get(d, d) for d in rev.depends_on)

    def parents(self, rev: Revision) -> tuple[str, ...]:
        """Revisions that must be applied before ``rev``: down revisions, then dependencies."""
        if not rev.depends_on:
            return rev.down_revisions
        deps = self.dependencies(rev)
        return rev.down_revisions + tuple(d for d in deps if d not in rev.down_revisions)

    def dangling(self) -> list[tuple[str, str]]:
        """(revision, referenced id) pairs whose referenced revision has no file."""
        return [(r.revision, p) for r in self.revisions.values() for p in self.parents(r) if p not in self.revisions]

    def heads(self) -> list[str]:
        """Revisions nothing revises (Alembic's heads; ``depends_on`` does not count)."""
        revised = {d for r in self.revisions.values() for d in r.down_revisions}
        return [rev for rev in self.ordered() if rev not in revised]

    def bases(self) -> list[str]:
        return [r.revision for r in self.revisions.values() if not r.down_revisions]

    def ancestors(self, heads: Iterable[str]) -> set[str]:
        """``heads`` and everything they need (what Alembic considers applied for those heads)."""
        seen: set[str] = set()
        stack = [h for h in heads if h in self.revisions]
        while stack:
            rev = stack.pop()
            if rev in seen:
                continue
            seen.add(rev)
            stack.extend(p for p in self.parents(self.revisions[rev]) if p in self.revisions and p not in seen)
        return seen

    def ordered(self) -> list[str]:
        """All revisions in an order Alembic could apply them: each after all its parents.

        Depth-first from the tips (revisions with no children, by file order), parents in
        ``down_revision`` order: a branch's revisions stay together and a merge follows both.
        """
        cached = getattr(self, "_ordered", None)
        if cached is not None:
            return cached
        children: set[str] = set()
        for r in self.revisions.values():
            children.update(self.parents(r))
        by_file = sorted(self.revisions.values(), key=lambda r: r.file)
        tips = [r.revision for r in by_file if r.revision not in children]
        tips += [r.revision for r in by_file]  # revisions caught in a cycle still get listed
        order: list[str] = []
        done: set[str] = set()
        on_path: set[str] = set()
        for tip in tips:
            if tip in done:
                continue
            stack: list[tuple[str, bool]] = [(tip, False)]
            while stack:
                rev, expanded = stack.pop()
                if rev in done:
                    continue
                if expanded:
                    done.add(rev)
                    on_path.discard(rev)
                    order.append(rev)
                    continue
                if rev in on_path:  # a cycle: Alembic refuses these; list it once, not forever
                    continue
                on_path.add(rev)
                stack.append((rev, True))
                parents = [p for p in self.parents(self.revisions[rev]) if p in self.revisions and p not in done]
                stack.extend((p, False) for p in reversed(parents))
        self._ordered = order
        return order
