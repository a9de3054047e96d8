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
from ._verbs.lint import LintResult
from ._verbs.lint import lint as _lint
from ._verbs.environments import env as _env
from ._verbs.status import StatusResult
from ._verbs.status import status as _status

PathLike = str | Path | None


def detect(path: PathLike = None, *, env: str | None = None) -> DetectResult:
    """Which migration tool the project at ``path`` uses, the evidence, and its connection (masked)."""
    return _detect(path, env)


def env(name: str | None = None, *, project: PathLike = None) -> EnvResult:
    """List environments and their (masked) connections; with ``name``, make it the active one."""
    return _env(name, project)


def status(path: PathLike = None, *, env: str | None = None) -> StatusResult:
    """Every migration on disk or in the tracking table, with its state."""
    return _status(path, env)


def lint(files=None, *, sql: str | None = None, pending: bool = False, dialect: str | None = None,
         pg_version: str | int | None = None, in_transaction: bool = False, include=(), exclude=(),
         project: PathLike = None, env: str | None = None, session_timeouts: bool = False) -> LintResult:
    """Dangerous operations in SQL files, a SQL string, or the pending migrations, with the safe alternative."""
    return _lint(files, sql=sql, pending=pending, dialect=dialect, pg_version=pg_version,
                 in_transaction=in_transaction, include=include, exclude=exclude, project=project, env=env,
                 session_timeouts=session_timeouts)


__all__ = ["detect", "env", "status", "lint", "DetectResult", "EnvResult", "StatusResult", "LintResult"]
