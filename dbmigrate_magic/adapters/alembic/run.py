"""Alembic's own command API, run in process against the environment dbm selected.

Every call runs with the working folder set to the project root (as the ``alembic`` CLI is run
there: ``script_location`` and ``prepend_sys_path`` are relative to it) and with
``sqlalchemy.url`` replaced by the selected environment's URL, in memory only.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ...errors import DbmError, MigrationFailed, ProjectError
from ...masking import mask
from .._pystatic import python_string

RUNNING = re.compile(r"^-- Running (upgrade|downgrade) (.*?) -> (.*?)$", re.M)


@contextlib.contextmanager
def in_project(root: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(old)


def make_config(root: Path, url: str | None, buffer: io.StringIO | None = None):
    """Alembic's ``Config`` for the project's layout (alembic.ini, pyproject.toml [tool.alembic],
    Flask-Migrate's migrations/ run with a stand-in for its Flask-bound env.py: ``layout.py``)."""
    from ...dialects import find_dialect
    from .layout import Layout, find_layout

    kind = find_dialect(url)
    if kind is not None:  # env.py makes its own engine: give it what ours would have (MySQL: UTF-8 passwords)
        kind.prepare_sqlalchemy()
    layout = find_layout(root) or Layout(root, None, None)
    return layout.config(url, buffer, run=True)


@contextlib.contextmanager
def variables(values: dict[str, str] | None) -> Iterator[None]:
    """Set process environment variables for the duration of one Alembic call."""
    saved = {k: os.environ.get(k) for k in values or {}}
    os.environ.update(values or {})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def kept_logging() -> Iterator[None]:
    """env.py's ``fileConfig(alembic.ini)`` reconfigures the root logger and disables every other
    logger; in a notebook kernel that would silence the user's logging. Put it back afterwards."""
    import logging

    root_logger = logging.getLogger()
    handlers, level = list(root_logger.handlers), root_logger.level
    disabled = {
        name: lg.disabled for name, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root_logger.handlers[:] = handlers
        root_logger.setLevel(level)
        for name, lg in logging.root.manager.loggerDict.items():
            if isinstance(lg, logging.Logger) and name in disabled:
                lg.disabled = disabled[name]


def run(root: Path, what: str, fn, *args, environ: dict[str, str] | None = None, **kwargs):
    """Call an ``alembic.command`` function; Alembic's errors become dbm errors (masked)."""
    from alembic.util import CommandError

    try:
        with in_project(root), variables(environ), kept_logging():
            return fn(*args, **kwargs)
    except CommandError as exc:
        raise ProjectError(
            f"Alembic could not {what}: {mask(exc)}", next_step="Run `dbm status` to see the revision graph and heads."
        ) from None
    except DbmError:
        raise
    except Exception as exc:  # the migration's own SQL failed, or env.py did
        statement = getattr(exc, "statement", None)
        shown = f"\nStatement: {mask(statement.strip())}" if isinstance(statement, str) else ""
        error = MigrationFailed(
            f"Alembic failed to {what}: {type(exc).__name__}: {_short(exc)}{shown}",
            unchanged="On PostgreSQL and SQLite the run's transaction was rolled back; on "
            "MySQL/MariaDB statements before the failure stay applied.",
            next_step="Fix the revision and run again; `dbm status` shows where the database is.",
        )
        error.statement = statement.strip() if isinstance(statement, str) else None
        raise error from None


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).split("\n(Background on this error")[0]
    return mask(text.strip())


def offline_sql(root: Path, url: str, command: str, rng: str, environ: dict[str, str] | None = None) -> str:
    """The SQL Alembic's offline mode (``--sql``) writes for ``upgrade``/``downgrade`` over ``rng``."""
    from . import commands  # the revision files stay loaded for the run that follows

    buffer = io.StringIO()
    cfg = make_config(root, url, buffer)
    run(root, f"render the SQL for {command} {rng}", getattr(commands, command), cfg, rng, sql=True, environ=environ)
    return buffer.getvalue()


def split_by_revision(sql: str) -> dict[str, str]:
    """Offline output split at Alembic's ``-- Running upgrade a -> b`` markers: revision -> SQL."""
    parts: dict[str, str] = {}
    marks = list(RUNNING.finditer(sql))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(sql)
        chunk = sql[m.start() : end].strip()
        chunk = re.sub(r"\n*COMMIT;\s*$", "", chunk)
        key = m.group(3).strip() if m.group(1) == "upgrade" else m.group(2).strip()
        parts[key] = chunk
    return parts


def has_body(path: Path, function: str) -> bool:
    """Whether ``def function()`` does anything (more than a docstring and ``pass``)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return True
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            real = [
                s
                for s in node.body
                if not isinstance(s, ast.Pass) and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            ]
            return bool(real)
    return False


def fill_function(path: Path, function: str, sql: str | list[str] | None) -> None:
    """Replace the ``pass`` Alembic's template leaves in ``function`` with ``op.execute(...)`` calls,
    one per statement (drivers such as sqlite3 and pymysql run one statement per call)."""
    statements = [sql] if isinstance(sql, str) else list(sql or [])
    statements = [s for s in statements if s.strip()]
    if not statements:
        return
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            last = node.body[-1]
            indent = " " * last.col_offset
            call = "".join(f"{indent}op.execute({python_string(s)})\n" for s in statements)
            if isinstance(last, ast.Pass):
                lines[last.lineno - 1] = call
            else:
                lines.insert(last.end_lineno or last.lineno, call)  # always set by ast.parse
            break
    else:
        raise ProjectError(
            f"{path.name} has no {function}() function to fill.",
            next_step="Check the project's script.py.mako template.",
        )
    text = "".join(lines)
    if not re.search(r"^from alembic import op\b|^import alembic\.op\b", text, re.M):
        text = "from alembic import op\n" + text
    path.write_text(text, encoding="utf-8")


def executed_sql(path: Path, function: str) -> list[str]:
    """String arguments of ``op.execute(...)`` calls in ``function`` (to recognise our own files)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "execute"
                    and sub.args
                    and isinstance(sub.args[0], ast.Constant)
                    and isinstance(sub.args[0].value, str)
                ):
                    found.append(sub.args[0].value)
    return found


def autocommit_functions(path: Path) -> None:
    """Wrap the bodies of ``upgrade()`` and ``downgrade()`` in ``with op.get_context().autocommit_block():``,
    Alembic's own way to run statements outside the migration's transaction (CREATE INDEX CONCURRENTLY)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    for node in sorted(functions, key=lambda n: -n.lineno):  # bottom up: line numbers above stay right
        if node.name not in ("upgrade", "downgrade"):
            continue
        body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if not body or all(isinstance(s, ast.Pass) for s in body):
            continue
        first, last = body[0].lineno - 1, (node.end_lineno or body[-1].lineno)
        indent = " " * body[0].col_offset
        wrapped = [f"{indent}with op.get_context().autocommit_block():\n"]
        wrapped += [("    " + line) if line.strip() else line for line in lines[first:last]]
        lines[first:last] = wrapped
    path.write_text("".join(lines), encoding="utf-8")
