"""Run one piece of work per target, at most K at a time, stopping new starts on the first failure.

Threads, not processes: each target's work mostly waits on its database, and a thread shares the
already-imported adapters and drivers (a process per target would pay the imports again). The
work of a target runs to its end once started (a migration is never cut in half by the runner);
a failure or Ctrl-C only stops targets that have not started yet.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

#: target states that stop the fleet (without --keep-going)
FAILED_STATES = ("failed", "refused")


@dataclass(frozen=True)
class TargetOutcome:
    """What happened on one target."""

    target: str
    state: str  # applied, rolled back, up to date, failed, refused, not started, planned, ...
    steps: int = 0
    message: str = ""
    seconds: float = 0.0
    migrations: tuple[str, ...] = ()
    schema: str | None = None
    canary: bool = False

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STATES


@dataclass
class Progress:
    """Targets done / failed / left, reported after each target (the CLI's stderr line)."""

    total: int
    report: Callable[[str], None] | None = None
    done: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finished(self, outcome: TargetOutcome) -> None:
        with self.lock:
            self.done += 1
            self.failed += outcome.failed
            if self.report is not None:
                left = self.total - self.done
                self.report(
                    f"[{self.done}/{self.total}] {outcome.target}: {outcome.state} - done {self.done - self.failed}, "
                    f"failed {self.failed}, left {left}"
                )


def terminal_progress() -> Callable[[str], None] | None:
    """Progress lines on stderr when it is a terminal (the CLI); None elsewhere (a notebook shows the result)."""
    stream = sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def report(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return report


def process_pool(workers: int) -> ProcessPoolExecutor:
    """K worker processes: forked when the process has no other thread (the CLI: they start with
    everything imported), else spawned (a notebook's kernel runs threads a fork would copy mid-work)."""
    import multiprocessing

    forks = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    method = "fork" if forks else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def run_targets(
    targets: Sequence[T],
    work: Callable[[T], TargetOutcome],
    *,
    parallel: int,
    keep_going: bool,
    progress: Progress | None = None,
    name: Callable[[T], str] = str,
    processes: bool = False,
) -> list[TargetOutcome]:
    """``work`` on each target, at most ``parallel`` at once, outcomes in the targets' order.

    Without ``keep_going`` no target starts after one failed; those left are ``not started``.
    Ctrl-C also stops new starts; the running ones finish, then ``KeyboardInterrupt`` goes on up.
    ``processes``: worker processes instead of threads (``work`` and the targets must pickle), for
    tools whose runs change process-wide state.
    """
    pool: Executor
    if processes and parallel > 1:
        pool = process_pool(parallel)
    else:
        pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="dbm-fleet")
    results: dict[int, TargetOutcome] = {}
    queue = list(enumerate(targets))
    stop = False
    interrupted = False
    running: dict[Future, int] = {}
    with pool:
        while queue or running:
            while queue and not stop and len(running) < max(1, parallel):
                index, target = queue.pop(0)
                running[pool.submit(work, target)] = index
            if not running:
                break
            try:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                stop = interrupted = True
                continue
            for future in finished:
                index = running.pop(future)
                outcome = future.result()
                results[index] = outcome
                if progress is not None:
                    progress.finished(outcome)
                if outcome.failed and not keep_going:
                    stop = True
    for index, target in queue:
        results[index] = TargetOutcome(name(target), "not started", message="not started: the fleet stopped before it")
    if interrupted:
        raise KeyboardInterrupt
    return [results[i] for i in range(len(targets))]
