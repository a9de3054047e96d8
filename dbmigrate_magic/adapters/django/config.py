"""Django's ``DATABASES``, read from the settings module without running project code.

The settings file is parsed with ``ast`` and its module-level assignments are evaluated over a
small, safe subset: literals, names assigned earlier, ``Path(__file__).resolve().parent``,
``BASE_DIR / "db.sqlite3"``, ``os.path.join``, ``os.environ.get``/``os.getenv``/``os.environ[...]``
with defaults, django-environ's ``env(...)``/``env.db()``, python-decouple's ``config(...)``, and
``dj_database_url.config(...)``/``.parse(...)``; ``from .base import *`` is followed. Only when
that fails is the module imported, in a subprocess, and the connection says so.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ...config import (
    FoundConnection,
    config_connection,
    process_env_name,
    project_variables,
    register_config_secrets,
    url_from_fields,
)
from ...masking import mask

SETTINGS_MODULE = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")


class Unevaluable(Exception):
    """The settings compute something this reader does not evaluate."""


def settings_module(root: Path) -> str | None:
    manage = root / "manage.py"
    if manage.is_file():
        m = SETTINGS_MODULE.search(manage.read_text(encoding="utf-8", errors="replace"))
        if m:
            return m.group(1)
    for candidate in sorted(root.glob("*/settings.py")):
        return f"{candidate.parent.name}.settings"
    return None


def module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


class _Evaluator:
    """Evaluates a settings module's top-level assignments over the safe subset."""

    def __init__(self, root: Path, variables: dict[str, str]):
        self.root = root
        self.variables = variables
        self.ns: dict[str, Any] = {}
        self.failures: dict[str, str] = {}

    def run(self, path: Path, module: str, depth: int = 0) -> None:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        self.ns.setdefault("__file__", path)
        file_before = self.ns.get("__file__")
        self.ns["__file__"] = path
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) and depth < 5:
                target = self._relative(module, node)
                target_path = module_file(self.root, target) if target else None
                if target_path:
                    self.run(target_path, target, depth + 1)
                    self.ns["__file__"] = path
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                try:
                    value = self.eval(node.value)
                except Unevaluable as exc:
                    for t in targets:
                        if isinstance(t, ast.Name):
                            self.ns.pop(t.id, None)
                            self.failures[t.id] = str(exc)
                    continue
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.ns[t.id] = value
                        self.failures.pop(t.id, None)
            elif isinstance(node, (ast.If, ast.Try, ast.For, ast.With)):
                names = {
                    t.id
                    for n in ast.walk(node)
                    if isinstance(n, ast.Assign)
                    for t in n.targets
                    if isinstance(t, ast.Name)
                }
                for name in names:  # conditionally assigned: only the import can tell
                    self.ns.pop(name, None)
                    self.failures[name] = f"{name} is assigned inside a {type(node).__name__.lower()} block"
        self.ns["__file__"] = file_before

    @staticmethod
    def _relative(module: str, node: ast.ImportFrom) -> str | None:
        if node.level == 0:
            return node.module
        package = module.split(".")[: -node.level] if node.level else []
        return ".".join(package + ([node.module] if node.module else [])) or None

    # --- expressions ---------------------------------------------------------------
    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise Unevaluable(f"{ast.unparse(node)[:60]} is computed at import time")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Dict(self, node: ast.Dict) -> dict:
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                out.update(self.eval(v))
            else:
                out[self.eval(k)] = self.eval(v)
        return out

    def _List(self, node: ast.List) -> list:
        return [self.eval(e) for e in node.elts]

    _Tuple = _List

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.ns:
            return self.ns[node.id]
        if node.id in self.failures:
            raise Unevaluable(self.failures[node.id])
        raise Unevaluable(f"{node.id} is not defined statically")

    def _JoinedStr(self, node: ast.JoinedStr) -> str:
        parts = []
        for v in node.values:
            parts.append(str(self.eval(v.value)) if isinstance(v, ast.FormattedValue) else str(v.value))
        return "".join(parts)

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(node.op, ast.Div) and isinstance(left, Path):
            return left / str(right)
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            return left + right
        raise Unevaluable(f"{ast.unparse(node)[:60]} is computed at import time")

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        if isinstance(node.op, ast.Or):
            value = None
            for v in node.values:
                value = self.eval(v)
                if value:
                    return value
            return value
        raise Unevaluable(f"{ast.unparse(node)[:60]} is computed at import time")

    def _Subscript(self, node: ast.Subscript) -> Any:
        if ast.unparse(node.value) == "os.environ":
            name = self.eval(node.slice)
            if name in self.variables:
                return self.variables[name]
            raise Unevaluable(f"os.environ[{name!r}] is not set")
        container = self.eval(node.value)
        try:
            return container[self.eval(node.slice)]
        except (KeyError, IndexError, TypeError) as exc:
            raise Unevaluable(f"{ast.unparse(node)[:60]}: {exc}") from None

    def _Attribute(self, node: ast.Attribute) -> Any:
        base = self.eval(node.value)
        if isinstance(base, Path) and node.attr in ("parent", "name", "stem"):
            return getattr(base, node.attr)
        raise Unevaluable(f"{ast.unparse(node)[:60]} is computed at import time")

    def _Call(self, node: ast.Call) -> Any:
        func = ast.unparse(node.func)
        args = node.args
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        if func in ("os.environ.get", "os.getenv", "env", "env.str", "config", "env.int", "env.bool"):
            name = self.eval(args[0]) if args else None
            default_node = args[1] if len(args) > 1 else kwargs.get("default")
            if name in self.variables:
                return self.variables[name]
            if default_node is not None:
                return self.eval(default_node)
            if func.startswith("os."):
                return None
            raise Unevaluable(f"{name} is not set")
        if func in ("dj_database_url.config", "env.db", "env.db_url", "db_url"):
            var = kwargs.get("env") or (args[0] if args else None)
            name = self.eval(var) if var is not None else "DATABASE_URL"
            default_node = kwargs.get("default") or (
                args[1] if func != "dj_database_url.config" and len(args) > 1 else None
            )
            url = self.variables.get(name) or (self.eval(default_node) if default_node is not None else None)
            if not url:
                raise Unevaluable(f"{name} is not set and {func}() has no default")
            return {"__url__": str(url), "__var__": name}
        if func in ("dj_database_url.parse",):
            return {"__url__": str(self.eval(args[0]))}
        if func in ("Path", "pathlib.Path") and args:
            value = self.eval(args[0])
            return Path(value)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute") and not args:
            value = self.eval(node.func.value)
            if isinstance(value, Path):
                return value.resolve()
        if func in ("os.path.dirname", "os.path.abspath", "os.path.realpath", "os.path.join", "str", "int"):
            values = [self.eval(a) for a in args]
            fn = {
                "os.path.dirname": os.path.dirname,
                "os.path.abspath": os.path.abspath,
                "os.path.realpath": os.path.realpath,
                "os.path.join": os.path.join,
                "str": str,
                "int": int,
            }[func]
            return fn(*[str(v) if isinstance(v, Path) else v for v in values])
        raise Unevaluable(f"{func}() is called at import time")


def read_static(root: Path, module: str, variables: dict[str, str]) -> dict:
    path = module_file(root, module)
    if path is None:
        raise Unevaluable(f"the settings module {module} was not found under {root}")
    ev = _Evaluator(root, variables)
    ev.run(path, module)
    if "DATABASES" in ev.failures:
        raise Unevaluable(ev.failures["DATABASES"])
    if "DATABASES" not in ev.ns:
        raise Unevaluable(f"{module} assigns no DATABASES at module level")
    value = ev.ns["DATABASES"]
    if not isinstance(value, dict):
        raise Unevaluable("DATABASES is not a dict")
    return value


def read_by_import(root: Path, module: str, variables: dict[str, str]) -> dict:
    """Import the settings module in a subprocess (project code runs: only as a last resort)."""
    script = (
        "import importlib, json, sys\n"
        f"m = importlib.import_module({module!r})\n"
        "print(json.dumps(getattr(m, 'DATABASES', None), default=str))\n"
    )
    env = {
        **variables,
        "DJANGO_SETTINGS_MODULE": module,
        "PYTHONPATH": str(root) + os.pathsep + variables.get("PYTHONPATH", ""),
    }
    try:
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unevaluable(f"importing {module} failed: {exc}") from None
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unevaluable(f"importing {module} failed: {mask(last)}")
    value = json.loads(out.stdout.strip().splitlines()[-1])
    if not isinstance(value, dict):
        raise Unevaluable(f"{module} defines no DATABASES")
    return value


def database_url(entry: dict, root: Path) -> str | None:
    if "__url__" in entry:
        return entry["__url__"]
    return url_from_fields(
        entry.get("ENGINE"),
        host=entry.get("HOST") or None,
        port=entry.get("PORT") or None,
        user=entry.get("USER") or None,
        password=entry.get("PASSWORD") or None,
        database=entry.get("NAME"),
        base_dir=root,
    )


def connections(root: Path) -> list[FoundConnection]:
    module = settings_module(root)
    if module is None:
        return []
    variables = project_variables(root)
    note = None
    how = "read statically"
    try:
        databases = read_static(root, module, variables)
    except (Unevaluable, SyntaxError, OSError) as exc:
        reason = mask(exc)
        try:
            databases = read_by_import(root, module, variables)
        except Unevaluable as failed:
            return [
                FoundConnection(
                    process_env_name(),
                    "",
                    f"{module}.DATABASES",
                    20,
                    f"could not read DATABASES: {reason}; {mask(failed)}",
                )
            ]
        how = "read by importing the settings module"
        note = f"had to import {module} to read DATABASES (static reading failed: {reason})"
    register_config_secrets(databases)
    found = []
    for alias, entry in databases.items():
        if not isinstance(entry, dict):
            continue
        url = database_url(entry, root)
        if not url:
            continue
        source = f"{module}.DATABASES['{alias}'] ({how})"
        found.append(config_connection(None, url, source, root, note))
        if alias == "default":
            found.insert(0, found.pop())
    return found
