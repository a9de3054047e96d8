"""Whole-process timing for the benchmarks: wall seconds and the child's own peak RSS, side by side.

``os.wait4`` returns the resource usage of exactly the process waited for (with the children it
waited for itself, e.g. node under npx), so each run reports its own peak RSS
(``resource.getrusage(RUSAGE_CHILDREN)`` would only give the largest child so far).
``alternate`` runs the contenders in turn (A B A B ...), so both see the same machine load, and the
figures are medians; the load average is printed with them because the machine may be shared.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    out: str
    cpu: float = 0.0  # the child's own user + system CPU seconds: what it costs, whatever else runs


def run_child(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, ok=(0,)) -> Run:
    """Run ``cmd`` to completion; its wall time and peak RSS (MB). A return code outside ``ok`` stops the run."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd[:5]))} exited {proc.returncode}:\n{text[-3000:]}")
    return Run(seconds, peak, proc.returncode, text, usage.ru_utime + usage.ru_stime)


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    def line(self, width: int = 44) -> str:
        return f"  {self.label:<{width}} {self.median:8.3f} s   CPU {self.cpu:7.3f} s   peak RSS {self.peak_mb:6.0f} MB"


def alternate(contenders: dict[str, Callable[[], Run]], runs: int) -> dict[str, Series]:
    """Each contender once per round, in the given order, ``runs`` rounds (A B A B ...)."""
    series = {name: Series(name) for name in contenders}
    for _ in range(runs):
        for name, once in contenders.items():
            series[name].runs.append(once())
    return series


def load() -> str:
    """The machine's load average now (the benchmarks may share the CPU with other work)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def ratio(ours: Series, theirs: Series) -> str:
    r = ours.median / theirs.median
    return f"{r:.2f}x" + (" (slower)" if r > 1 else " (faster)")


def cpu_ratio(ours: Series, theirs: Series) -> str:
    """The same comparison in the children's own CPU seconds: steadier than wall time on a busy machine
    (a database server's work is not in it)."""
    return f"{ours.cpu / theirs.cpu:.2f}x"
