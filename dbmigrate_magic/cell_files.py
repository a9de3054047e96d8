"""Which migration file each notebook cell wrote, so re-running a fixed ``%%dbm migrate`` cell
replaces its own pending file instead of adding a second one behind the broken first.

The magic names the running cell (the front end's cell id); ``migrate`` asks for the file that
cell wrote before and replaces it only while it is still pending. Kept in the kernel's memory: a
restarted kernel forgets, and then the next run writes a new file as before (never deletes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_cell: ContextVar[str | None] = ContextVar("dbm_cell", default=None)
_written: dict[str, Path] = {}


@contextmanager
def running_cell(key: str | None) -> Iterator[None]:
    token = _cell.set(key)
    try:
        yield
    finally:
        _cell.reset(token)


def previous() -> Path | None:
    """The file the running cell wrote on an earlier run (None outside a cell, or if it wrote none)."""
    key = _cell.get()
    return _written.get(key) if key else None


def remember(path: Path) -> None:
    key = _cell.get()
    if key:
        _written[key] = path


def forget(path: Path) -> None:
    for key in [k for k, v in _written.items() if v == path]:
        del _written[key]
