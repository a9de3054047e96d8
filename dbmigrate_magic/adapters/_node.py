"""Running a project's own npm tools (knex, typeorm) as subprocesses, safely.

Why a module of its own: both Node adapters need the same three things: find the project's
``node_modules/.bin`` (never a global install, so the version the team pinned is the one that
runs), hand the selected environment's connection to the tool without putting a password on a
command line, and turn the tool's exit status and output into masked errors.

The connection travels in the environment variable ``DBM_NODE_CONNECTION`` (JSON), read by a
small wrapper config the adapter writes into a private temporary folder; the project's own
config is loaded by that wrapper unchanged, and only its connection is replaced.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from ..dialects import find_dialect
from ..errors import ConfigError, ToolFailed, ToolMissing
from ..masking import mask

CONNECTION_VARIABLE = "DBM_NODE_CONNECTION"
TOOL_TIMEOUT = 900  # seconds; a migration may be long, but never hang a notebook forever


def find_node_bin(root: Path, command: str, package: str) -> Path:
    """``node_modules/.bin/<command>`` of the project, walking up from ``root``."""
    for folder in (root.resolve(), *root.resolve().parents):
        candidate = folder / "node_modules" / ".bin" / command
        if candidate.exists():
            return candidate
    raise ToolMissing(
        f"The project's own {package} command line ({command}) was not found in node_modules above {root}.",
        next_step=f"Run `npm install` in the project (it must list {package} in package.json), then retry.",
    )


@dataclass(frozen=True)
class NodeUrl:
    """The selected database in the forms Node drivers take."""

    dialect: str  # postgresql, mysql, sqlite
    url: str | None  # postgres://... or mysql://... (holds the password; never shown)
    database: str | None  # database name, or the SQLite file path


def node_url(sqlalchemy_url: str, dialect: str) -> NodeUrl:
    """Translate our SQLAlchemy URL (``postgresql+psycopg://``) to what pg/mysql2/sqlite take."""
    kind = find_dialect(dialect)
    if kind is not None and kind.embedded:
        path = sqlalchemy_url.split("://", 1)[1]
        path = path[1:] if path.startswith("/") else path
        if not path or path == ":memory:":
            raise ConfigError(
                "An in-memory SQLite database cannot be shared with the project's Node tool.",
                next_step="Use a SQLite file (sqlite:///path/to/file.db).",
            )
        return NodeUrl("sqlite", None, path.split("?", 1)[0])
    scheme = kind.choose(postgresql="postgres", mysql="mysql") if kind is not None else None  # what pg / mysql2 take
    if scheme is None:
        raise ConfigError(
            f"The Node migration tools here support PostgreSQL, MySQL/MariaDB and SQLite, not {dialect}.",
            next_step="Choose an environment on one of those databases.",
        )
    parts = urlsplit(sqlalchemy_url)
    rebuilt = urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    return NodeUrl(dialect, rebuilt, unquote(parts.path.lstrip("/")) or None)


@dataclass(frozen=True)
class ToolRun:
    """A finished tool run, output already masked."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return "\n".join(t for t in (self.stdout.strip(), self.stderr.strip()) if t)


@dataclass(frozen=True)
class DownFailure:
    """What a failed rollback through a node tool left, in the words of the failure message: the
    down part failed, and the migrations it was undoing are still applied (``unchanged``)."""

    unchanged: str
    next_step: str

    @classmethod
    def of(cls, tool: str, names: list[str], transactional_ddl: bool) -> DownFailure:
        which = ", ".join(names)
        if transactional_ddl:
            left = f"{tool} undoes them in a transaction: {which} are still applied, their tracking rows unchanged."
        else:
            left = (
                f"{which} are still recorded as applied; this database commits DDL as it runs, so part of a "
                "down part may have taken effect: `dbm status` and the schema show what is left."
            )
        return cls(
            unchanged=f"The rollback failed in a down part (the migration's down function, not its up). {left}",
            next_step=f"Fix the down part {tool} names above and run `dbm rollback` again; if you reverted it "
            "by hand instead, record that with `dbm resolve NAME --rolled-back`.",
        )


def run_tool(
    executable: Path,
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    what: str,
    check: bool = True,
    unchanged: str | None = None,
    next_step: str | None = None,
) -> ToolRun:
    """Run ``executable args`` with ``env`` added; a non-zero exit becomes ``ToolFailed``."""
    import subprocess  # here, not at the top: a status listing never starts a process

    full_env = dict(os.environ)
    full_env.update(env)
    full_env.setdefault("FORCE_COLOR", "0")
    full_env["NO_COLOR"] = "1"
    try:
        proc = subprocess.run(
            [str(executable), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=TOOL_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise ToolFailed(
            f"{what} did not finish within {TOOL_TIMEOUT} s and was stopped.",
            unchanged=unchanged
            or "Check the tracking table with `dbm status`: the tool may have applied part of the work.",
            next_step="Look for a lock or a long-running statement.",
        ) from None
    except OSError as exc:
        raise ToolMissing(
            f"{what} could not be started: {mask(exc)}",
            next_step="Run `npm install` in the project and check that node is on PATH.",
        ) from None
    run = ToolRun(tuple(args), proc.returncode, mask(proc.stdout), mask(proc.stderr))
    if check and proc.returncode != 0:
        raise ToolFailed(
            f"{what} failed (exit code {proc.returncode}): {tool_message(run)}",
            unchanged=unchanged,
            next_step=next_step or "Fix the problem the tool reports, then run `dbm status` and retry.",
        )
    return run


def tool_message(run: ToolRun, limit: int = 4000) -> str:
    """The useful part of a failed tool's output: its error lines, not its query log."""
    text = run.output
    noise = ("query:", "Working directory changed to", "Requiring external module", "Using environment:")
    lines = [
        ln for ln in text.splitlines() if ln.strip() and not ln.startswith(noise) and not ln.lstrip().startswith("at ")
    ]
    message = "\n".join(lines) or text or "(no output)"
    return message[-limit:]


def after_failure(error: Exception, steps_done: list[str], steps_left: list[str], transactional: bool) -> Exception:
    """Restate a tool failure with what was (not) left changed, read back from the tracking table."""
    if not isinstance(error, ToolFailed):
        return error
    if steps_done:
        unchanged = f"Applied and recorded before the failure: {', '.join(steps_done)}."
    else:
        unchanged = "Nothing was recorded."
    if steps_left:
        if transactional:
            unchanged += (
                f" Not applied: {', '.join(steps_left)}; the tool runs them in a transaction, so none "
                "of their changes stay."
            )
        else:
            unchanged += (
                f" Not recorded: {', '.join(steps_left)}; on MySQL/MariaDB, DDL that ran before the "
                "error is not rolled back, so check the schema."
            )
    return ToolFailed(error.what, unchanged=unchanged, next_step=error.next_step)


@contextmanager
def wrapper_folder() -> Iterator[Path]:
    """A private temporary folder for the wrapper config, removed afterwards."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dbm-node-") as tmp:
        os.chmod(tmp, 0o700)
        yield Path(tmp)


def connection_env(conn: NodeUrl, config_text: str, preferred: tuple[str, ...] = ()) -> dict[str, str]:
    """``DBM_NODE_CONNECTION`` for our wrapper, plus every URL variable the project's config reads.

    The wrapper replaces the connection; the variables matter when the config also derives other
    settings from them (a knexfile choosing its client, a DataSource its ``type``, from the URL).
    """
    from ..config import URL_VARIABLES

    env = {CONNECTION_VARIABLE: json.dumps({"dialect": conn.dialect, "url": conn.url, "database": conn.database})}
    value = conn.url if conn.url else f"file:{conn.database}"
    read = set(re.findall(r"""process\.env(?:\.([A-Za-z_]\w*)|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])""", config_text))
    names = {a or b for a, b in read}
    for name in names & (set(URL_VARIABLES) | set(preferred)):
        env[name] = value
    return env


def transaction_note(tool: str, dialect: str, unit: str) -> str:
    """How the tool's run is wrapped in transactions, for the preview's header line."""
    kind = find_dialect(dialect)
    if kind is not None and not kind.transactional_ddl:
        return (
            f"NOT transactional on MySQL/MariaDB: DDL auto-commits, and {tool} records each migration after it "
            "runs, so a failure can leave part of one applied and unrecorded"
        )
    return f"{unit} ({tool}'s own), with the tracking rows"
