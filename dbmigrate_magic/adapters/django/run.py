"""Running the project's own ``manage.py`` in a subprocess, against the selected environment.

The subprocess runs ``manage.py`` unchanged, except that just before Django starts, the
``default`` database is replaced by the environment dbm selected. The connection travels in an
environment variable (never on a command line), and everything printed is masked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...dialects import find_dialect
from ...errors import ToolFailed, ToolMissing
from ...masking import mask
from .interpreter import python_for

if TYPE_CHECKING:
    import subprocess

ENV_VAR = "DBM_DJANGO_DATABASE"

# Runs as ``python -c BOOTSTRAP manage.py MODE args...``; MODE is "manage", "declarations" or "sql"
# (for "sql", render_child.py's text comes before it: see child_code).
BOOTSTRAP = r"""
import json, os, runpy, sys
manage, mode, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, os.path.dirname(os.path.abspath(manage)))
import django.core.management as management
original = management.execute_from_command_line

def use_selected_database():
    override = os.environ.get("DBM_DJANGO_DATABASE")
    if not override:
        return
    db = json.loads(override)
    if db["ENGINE"].endswith("mysql"):
        try:
            import MySQLdb  # noqa: F401
        except ImportError:
            import pymysql
            pymysql.install_as_MySQLdb()
    from django.conf import settings
    current = dict(settings.DATABASES.get("default", {}))
    for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT"):
        current[key] = db.get(key, "")
    settings.DATABASES["default"] = current

def declarations():
    import django
    django.setup()
    from django.db.migrations.loader import MigrationLoader
    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    loader.load_disk()
    out = []
    for (app, name), m in sorted(loader.disk_migrations.items()):
        out.append({"app": app, "name": name, "file": sys.modules[type(m).__module__].__file__,
                    "dependencies": [list(d) for d in m.dependencies],
                    "replaces": [list(d) for d in m.replaces], "run_before": [list(d) for d in m.run_before]})
    print("DBM-JSON" + json.dumps({"migrations": out, "migrated": sorted(loader.migrated_apps)}))

def sqlmigrate():
    import django
    django.setup()
    print("DBM-JSON" + json.dumps(render(json.loads(sys.stdin.read()))))  # render: render_child.py, sent first

def patched(args=None):
    use_selected_database()
    if mode == "declarations":
        declarations()
        return
    if mode == "sql":
        sqlmigrate()
        return
    original([manage] + argv)

management.execute_from_command_line = patched
sys.argv = [manage] + argv
runpy.run_path(manage, run_name="__main__")
"""


def child_code(mode: str) -> str:
    """The ``-c`` program: the bootstrap, after the SQL renderer's source when it renders SQL (the
    project's interpreter may not have dbm installed, so the renderer travels as text)."""
    if mode != "sql":
        return BOOTSTRAP
    return (Path(__file__).with_name("render_child.py")).read_text(encoding="utf-8") + "\n" + BOOTSTRAP


def django_database(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    backend = u.get_backend_name()
    kind = find_dialect(backend)
    if kind is not None and kind.embedded:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": u.database or ":memory:"}
    engine = kind and kind.choose(postgresql="django.db.backends.postgresql", mysql="django.db.backends.mysql")
    if engine is None:
        raise ToolFailed(
            f"Django cannot use a {backend} database from dbm's environment.",
            next_step="Use a PostgreSQL, MySQL/MariaDB or SQLite environment.",
        )
    return {
        "ENGINE": engine,
        "NAME": u.database or "",
        "USER": u.username or "",
        "PASSWORD": u.password or "",
        "HOST": u.host or "",
        "PORT": str(u.port or ""),
    }


def run_manage(
    root: Path,
    args: list[str],
    url: str | None,
    mode: str = "manage",
    check: bool = True,
    timeout: float = 600,
    stdin: str | None = None,
) -> subprocess.CompletedProcess:
    """``manage.py ARGS`` in ``root`` against ``url``; output masked; failures raise ToolFailed."""
    manage = root / "manage.py"
    if not manage.is_file():
        raise ToolMissing(f"{manage} does not exist.", next_step="Run dbm from the Django project's folder.")
    found = python_for(root)
    if found is None:
        raise ToolMissing(
            "Django is not importable by the Python dbm runs with, and no project environment holding Django "
            "was found ($VIRTUAL_ENV, .venv, venv, env, Poetry or pipenv environments).",
            unchanged="Nothing was run and the database was not touched.",
            next_step="Create the project's environment (e.g. `python -m venv .venv && .venv/bin/pip install -r "
            "requirements.txt`), activate it, or install dbm next to Django.",
        )
    python = found[0]
    env = dict(os.environ)
    if url:
        env[ENV_VAR] = json.dumps(django_database(url))
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    import subprocess  # here: the adapter is imported for every status listing, which runs no process

    try:
        out = subprocess.run(
            [python, "-c", child_code(mode), str(manage), mode, *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=stdin,
        )
    except subprocess.TimeoutExpired:
        raise ToolFailed(
            f"manage.py {' '.join(args)} did not finish within {timeout:.0f} s.",
            unchanged="It may have applied part of its work: run `dbm status` to see.",
        ) from None
    out = subprocess.CompletedProcess(out.args, out.returncode, mask(out.stdout), mask(out.stderr))
    if check and out.returncode != 0:
        detail = error_lines(out.stderr.strip() or out.stdout.strip())
        what = (
            " ".join(args) if mode == "manage" else {"declarations": "(reading the migrations)"}.get(mode, "sqlmigrate")
        )
        writes = mode == "manage" and bool(args) and args[0] == "migrate"
        unchanged = (
            "Django ran each migration in its own transaction where the database allows; "
            "run `dbm status` to see what was applied."
            if writes
            else "Nothing was changed: this only read the project."
        )
        raise ToolFailed(
            f"manage.py {what} failed (with {python}): " + "\n".join(detail),
            unchanged=unchanged,
            next_step="Fix the error above and run again.",
        )
    return out


def error_lines(output: str, limit: int = 15) -> list[str]:
    """What a failed manage.py says went wrong: after a Python traceback, the exception line(s)
    below its last frame (Django's frames are noise to a user); else the output's last lines."""
    lines = output.splitlines()
    frames = [i for i, ln in enumerate(lines) if ln.startswith("  File ")]
    if frames and any(ln.startswith("Traceback (most recent call last)") for ln in lines):
        tail = lines[frames[-1] + 1 :]
        while tail and tail[0].startswith(" "):  # the frame's source line and its ^^^ markers
            tail = tail[1:]
        if tail:
            return tail[-limit:]
    return lines[-limit:]


def load_declarations(root: Path) -> dict[str, Any]:
    """Django's own view of the migration files (imports the project): the static reader's fallback."""
    data = _json_output(run_manage(root, [], None, mode="declarations"))
    if data is not None:
        return data
    raise ToolFailed("Django did not report its migrations.", next_step="Run `python manage.py check` to see why.")


def _json_output(out: subprocess.CompletedProcess) -> dict[str, Any] | None:
    for line in out.stdout.splitlines():
        if line.startswith("DBM-JSON"):
            return json.loads(line[len("DBM-JSON") :])
    return None


def sqlmigrate(root: Path, url: str, items: list[tuple[str, str, bool]]) -> dict[str, dict[str, str]]:
    """``manage.py sqlmigrate [--backwards]`` for many migrations in one Django process:
    "app.name" -> {"sql": ...} or {"error": ...}."""
    if not items:
        return {}
    out = run_manage(root, [], url, mode="sql", stdin=json.dumps([list(i) for i in items]))
    data = _json_output(out)
    if data is None:
        raise ToolFailed("Django did not render the SQL (sqlmigrate).", next_step="Run `python manage.py check`.")
    return data
