"""Flask-Migrate's connection: the Flask app's ``SQLALCHEMY_DATABASE_URI``, read without running it.

Flask-Migrate's env.py takes the engine from ``current_app``, so alembic.ini holds no URL. Flask
projects set the URI in a few recognisable ways, which are read statically here:

- a config class or module (``config.py``): ``SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
  or "sqlite:///" + os.path.join(basedir, "app.db")``; a class named ``ProductionConfig`` gives the
  production environment, ``TestingConfig`` testing, others the default one;
- ``app.config["SQLALCHEMY_DATABASE_URI"] = ...`` or ``app.config.update(SQLALCHEMY_DATABASE_URI=...)``;
- ``.env`` / the process environment (``SQLALCHEMY_DATABASE_URI``, ``FLASK_SQLALCHEMY_DATABASE_URI``
  for ``app.config.from_prefixed_env()``, and every variable the expressions above read).

The literal fallback of an expression is the config's connection (``.env`` and the process environment
rank first, as they do at run time). When nothing can be read, ``connection_note`` says so.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ...config import FoundConnection, config_connection, register_config_secrets
from ..django.settings import Unevaluable, _Evaluator

KEY = "SQLALCHEMY_DATABASE_URI"
#: variables Flask itself reads the URI from (``from_prefixed_env`` adds the ``FLASK_`` prefix)
FLASK_VARIABLES = (KEY, f"FLASK_{KEY}")
ENV_READ = re.compile(r"""os\.environ\[\s*['"](\w+)['"]\s*\]|os\.(?:environ\.get|getenv)\(\s*['"](\w+)['"]""")
SKIP_DIRS = {"migrations", "node_modules", "venv", ".venv", "env", "tests", "test", "static", "templates"}
MAX_FILES = 300


def _python_files(root: Path) -> Iterator[Path]:
    """``*.py`` in the root and one package level below, skipping virtualenvs and migrations."""
    count = 0
    for folder in [root, *sorted(p for p in root.iterdir() if p.is_dir())]:
        if folder != root and (folder.name in SKIP_DIRS or folder.name.startswith(".")):
            continue
        for path in sorted(folder.glob("*.py")):
            count += 1
            if count > MAX_FILES:
                return
            yield path


def _environment(class_name: str | None) -> str | None:
    """``ProductionConfig`` -> production; ``Config``/``BaseConfig`` -> None (the default one)."""
    if not class_name:
        return None
    name = re.sub(r"_?config$", "", class_name, flags=re.I).strip("_").lower()
    return None if name in ("", "base", "default", "common", "app") else name


def _assignments(tree: ast.Module) -> Iterator[tuple[str | None, ast.expr]]:
    """(class name or None, expression) for every place the URI is set."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    if any(isinstance(t, ast.Name) and t.id == KEY for t in targets):
                        yield node.name, sub.value
    for found_node in ast.walk(tree):
        if isinstance(found_node, (ast.Assign, ast.AnnAssign)) and found_node.value is not None:
            targets = found_node.targets if isinstance(found_node, ast.Assign) else [found_node.target]
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and t.slice.value == KEY:
                    yield None, found_node.value
                elif isinstance(t, ast.Name) and t.id == KEY and found_node in tree.body:
                    yield None, found_node.value
        elif isinstance(found_node, ast.keyword) and found_node.arg == KEY:
            yield None, found_node.value


def _scan(root: Path) -> tuple[list[FoundConnection], list[str], list[str]]:
    """Connections found, variables the expressions read, and why others could not be read."""
    found: list[tuple[bool, FoundConnection]] = []  # (belongs to the default environment, connection)
    variables: list[str] = []
    problems: list[str] = []
    for path in _python_files(root):
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if KEY not in source:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        rel = path.relative_to(root).as_posix()
        ev = _Evaluator(root, {})  # no variables: the expression's literal fallback
        try:
            ev.run(path, path.stem)
        except (OSError, SyntaxError, RecursionError):
            continue
        for class_name, expr in _assignments(tree):
            text = ast.unparse(expr)
            variables.extend(a or b for a, b in ENV_READ.findall(text))
            where = f"{rel} {class_name + '.' if class_name else ''}{KEY}"
            try:
                value = ev.eval(expr)
            except Unevaluable as exc:
                problems.append(f"{where}: {exc}")
                continue
            if not isinstance(value, str) or "://" not in value and not value.startswith("sqlite"):
                if value is not None:
                    problems.append(f"{where}: not a URL")
                continue
            register_config_secrets(value)
            env = _environment(class_name)
            found.append((env is None, config_connection(env, value, where, root)))
    found.sort(key=lambda pair: pair[0])  # a named DevelopmentConfig before the base Config
    return [c for _, c in found], list(dict.fromkeys(variables)), problems


def connections(root: Path) -> list[FoundConnection]:
    return _scan(root)[0]


def preferred_variables(root: Path) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*_scan(root)[1], *FLASK_VARIABLES]))


def connection_note(root: Path) -> str:
    """What detect says about where a Flask-Migrate project's connection comes from."""
    found, variables, problems = _scan(root)
    if found:
        return (
            "Flask-Migrate: the connection is the Flask app's SQLALCHEMY_DATABASE_URI, read statically "
            f"from {found[0].source}" + (f" (or ${variables[0]} when set)" if variables else "") + "."
        )
    set_vars = [v for v in (*variables, *FLASK_VARIABLES) if os.environ.get(v)]
    why = f" ({problems[0]})" if problems else ""
    if set_vars:
        return f"Flask-Migrate: the connection is the Flask app's SQLALCHEMY_DATABASE_URI, taken from ${set_vars[0]}."
    return (
        "Flask-Migrate: the connection is the Flask app's SQLALCHEMY_DATABASE_URI, which could not be read "
        f"statically{why}. Set {(variables or [KEY])[0]} in .env or pass --env URL."
    )
