"""The verbs, one function each. The magic, the CLI and Python callers all come through here
and get the same result objects back.

Implementations live in private modules (``dbmigrate_magic._verbs``); this module is the
public surface and stays thin.
"""
from __future__ import annotations

from pathlib import Path

from ._verbs.detect import DetectResult
from ._verbs.detect import detect as _detect
from ._verbs.environments import EnvResult
from ._verbs.environments import env as _env
from ._verbs.status import StatusResult
from ._verbs.status import status as _status

PathLike = str | Path | None


def detect(path: PathLike = None, *, env: str | None = None) -> DetectResult:
    """Which migration tool the project at ``path`` uses, the evidence, and its connection (masked)."""
    return _detect(path, env)


def env(name: str | None = None, *, project: PathLike = None, persist: bool = False) -> EnvResult:
    """List environments and their (masked) connections; with ``name``, make it the active one for
    later verbs in this process (``persist=True``, as the CLI does: for later commands too)."""
    return _env(name, project, persist)


def status(path: PathLike = None, *, env: str | None = None) -> StatusResult:
    """Every migration on disk or in the tracking table, with its state."""
    return _status(path, env)


__all__ = ["detect", "env", "status", "DetectResult", "EnvResult", "StatusResult"]
