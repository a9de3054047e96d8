"""Progress of a running change (step i of N, elapsed, a lock wait as it happens), for whoever shows it.

The runner (``ledger``) only emits events; a front end listens for the length of one run: the
notebook updates the cell's output in place, the CLI writes lines to stderr. With no listener an
event costs one context-variable look-up, and no lock watcher is started.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """``kind``: start (step ``index`` of ``total`` begins), done (it ended in ``state``), lock (it waits
    for a lock that ``detail`` names), retry (a lock timeout; it runs again after a pause)."""

    kind: str
    index: int
    total: int
    migration: str
    elapsed: float = 0.0  # seconds since the run started
    state: str = ""
    detail: str = ""
    at: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        """One line of plain text, the same in a terminal and in a notebook's text form."""
        head = f"[{self.elapsed:5.1f}s] step {self.index} of {self.total}: {self.migration}"
        if self.kind == "start":
            return f"{head} running"
        if self.kind == "done":
            return f"{head} {self.state}"
        if self.kind == "lock":
            return f"{head} waiting for a lock: {self.detail}"
        return f"{head} {self.detail}"


Listener = Callable[[Event], None]
_listener: ContextVar[Listener | None] = ContextVar("dbm_progress", default=None)


def listening() -> bool:
    return _listener.get() is not None


def emit(event: Event) -> None:
    fn = _listener.get()
    if fn is not None:
        try:
            fn(event)
        except Exception:  # showing progress must never break the run it shows
            pass


@contextmanager
def listen(fn: Listener) -> Iterator[None]:
    """Send this context's events to ``fn`` (the run's thread and the lock watcher both use it)."""
    token = _listener.set(fn)
    try:
        yield
    finally:
        _listener.reset(token)


class Clock:
    """The run's elapsed time and its current step, shared by the runner and the lock watcher."""

    def __init__(self, total: int) -> None:
        self.t0 = time.monotonic()
        self.total = total
        self.index = 0
        self.migration = ""

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def start(self, index: int, migration: str) -> None:
        self.index, self.migration = index, migration
        emit(Event("start", index, self.total, migration, self.elapsed()))

    def event(self, kind: str, state: str = "", detail: str = "") -> None:
        emit(Event(kind, self.index, self.total, self.migration, self.elapsed(), state, detail))


def terminal_printer(stream) -> Listener:
    """The CLI's listener: one line per event on ``stream`` (stderr), so stdout stays the result."""

    def show(event: Event) -> None:
        print(event.line(), file=stream, flush=True)

    return show
