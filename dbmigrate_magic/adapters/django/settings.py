"""Django's settings, read from the settings module without running project code: the one
reader both environment discovery (``DATABASES``) and the adapter (``INSTALLED_APPS``,
``MIGRATION_MODULES``, ``AUTH_USER_MODEL``) use, so both see the same settings.

Behaviour, chosen once for both:

- The settings module is the ``DJANGO_SETTINGS_MODULE`` that ``manage.py`` sets, else the
  ``<package>/settings.py`` beside it (the first, by name), as ``django-admin startproject`` lays out.
- Modules are found in the project first, then wherever Python finds them (an installed package).
- Module-level assignments are evaluated over a small, safe subset: literals, names assigned earlier,
  ``+`` of strings, lists or tuples, ``Path(__file__).resolve().parent``, ``BASE_DIR / "db.sqlite3"``,
  ``os.path.join``, ``os.environ.get``/``os.getenv``/``os.environ[...]`` with defaults, django-environ's
  ``env(...)``/``env.db()``, python-decouple's ``config(...)`` and ``dj_database_url.config(...)``/
  ``.parse(...)``, with the project's variables (``.env`` files, then the process environment).
  ``from .base import *`` is followed.
- A name that only running the code can tell (assigned inside an ``if``/``try``/``for``/``with``
  block, changed by ``+=`` or unpacking, imported by name, or computed beyond the subset) is
  ``Unevaluable``, never guessed: the caller then asks Django (the adapter loads it, env discovery
  imports the settings module in a subprocess) and says so.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

SETTINGS_MODULE = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")


class Unevaluable(Exception):
    """The settings compute something this reader does not evaluate."""


def settings_module(root: Path) -> str | None:
    """``manage.py``'s ``DJANGO_SETTINGS_MODULE``, else the first ``<package>/settings.py``."""
    manage = root / "manage.py"
    if manage.is_file():
        m = SETTINGS_MODULE.search(manage.read_text(encoding="utf-8", errors="replace"))
        if m:
            return m.group(1)
    for candidate in sorted(root.glob("*/settings.py")):
        return f"{candidate.parent.name}.settings"
    return None


def read_settings(
    root: Path,
    module: str,
    names: Iterable[str],
    variables: Mapping[str, str],
    approximate: list[str] | None = None,
) -> dict[str, Any]:
    """The values ``module`` gives ``names`` (names it does not assign are left out); raises
    ``Unevaluable`` when one of them cannot be read statically.

    With ``approximate`` (a list to fill; the reading of last resort, when Django cannot load the
    project), a name changed only inside a block (``if ...: INSTALLED_APPS.append(...)``) keeps the
    value it had before that block, and why it may differ is added to the list instead of raising."""
    path = module_file(root, module)
    if path is None:
        raise Unevaluable(f"the settings module {module} was not found under {root}")
    ev = _Evaluator(root, variables)
    ev.run(path, module)
    values = {}
    for name in names:
        if name in ev.failures:
            if approximate is None or name not in ev.before_block:
                raise Unevaluable(ev.failures[name])
            approximate.append(ev.failures[name])
            values[name] = ev.before_block[name]
            continue
        if name in ev.ns:
            values[name] = ev.ns[name]
    return values


def module_dir(root: Path, dotted: str) -> Path | None:
    """Folder of a package named ``dotted``: in the project first, else wherever Python finds it."""
    parts = dotted.split(".")
    local = root.joinpath(*parts)
    if (local / "__init__.py").is_file() or local.is_dir():
        return local
    if (root / parts[0]).exists():
        return None
    try:
        spec = importlib.util.find_spec(parts[0])  # finds the top package without importing it
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        from .interpreter import package_dirs  # not installed here: the project's own environment

        for site in package_dirs(root):
            folder = site.joinpath(*parts)
            if (site / parts[0]).is_dir():
                return folder if folder.is_dir() else None
        return None
    folder = Path(list(spec.submodule_search_locations)[0]).joinpath(*parts[1:])
    return folder if folder.is_dir() else None


def module_file(root: Path, dotted: str) -> Path | None:
    folder = module_dir(root, dotted)
    if folder is not None:
        init = folder / "__init__.py"
        return init if init.is_file() else None
    parent = module_dir(root, dotted.rsplit(".", 1)[0]) if "." in dotted else root
    candidate = parent / (dotted.rsplit(".", 1)[-1] + ".py") if parent else None
    return candidate if candidate and candidate.is_file() else None


#: statements whose assignments depend on a condition, a loop or an exception
_MISSING = object()
BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith, ast.Match)


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _changed_names(node: ast.stmt) -> set[str]:
    """Names a statement (re)binds or changes in place: ``x = ``, ``x += ``, ``x["k"] = ``,
    ``x.update(...)``, unpacking, loop variables, anywhere inside it."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, (ast.Subscript, ast.Attribute)) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.update(_root(n))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            names.update(_root(n.func.value))
    return names


def _root(node: ast.expr) -> list[str]:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return [node.id] if isinstance(node, ast.Name) else []


class _Evaluator:
    """Evaluates a settings module's top-level assignments over the safe subset."""

    def __init__(self, root: Path, variables: Mapping[str, str]):
        self.root = root
        self.variables = variables
        self.ns: dict[str, Any] = {}
        self.failures: dict[str, str] = {}
        #: a name's value just before a block changed it (see ``read_settings(approximate=...)``)
        self.before_block: dict[str, Any] = {}

    def run(self, path: Path, module: str, depth: int = 0) -> None:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        self.ns.setdefault("__file__", path)
        file_before = self.ns.get("__file__")
        self.ns["__file__"] = path
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) and depth < 5:
                target = self._relative(module, node)
                target_path = module_file(self.root, target) if target else None
                if target and target_path:
                    self.run(target_path, target, depth + 1)
                    self.ns["__file__"] = path
            elif (
                isinstance(node, (ast.Assign, ast.AnnAssign))
                and node.value is not None
                and all(isinstance(t, ast.Name) for t in _targets(node))
            ):
                names = [t.id for t in _targets(node) if isinstance(t, ast.Name)]
                try:
                    value = self.eval(node.value)
                except Unevaluable as exc:
                    self._unknown(names, str(exc))
                    continue
                for name in names:
                    self.ns[name] = value
                    self.failures.pop(name, None)
                    self.before_block.pop(name, None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:  # a name imported from elsewhere: only the import can tell
                    name = (alias.asname or alias.name).split(".")[0]
                    self._unknown([name], f"{name} is imported by name")
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                kind = type(node).__name__.lower()
                where = f"inside a {kind} block" if isinstance(node, BLOCKS) else "at import time"
                for name in sorted(_changed_names(node)):  # conditionally or partly: only the import can tell
                    known = self.ns.get(name) if name in self.ns else self.before_block.get(name, _MISSING)
                    self._unknown([name], f"{name} is changed {where}")
                    if isinstance(node, BLOCKS) and known is not _MISSING:
                        self.before_block[name] = known
        self.ns["__file__"] = file_before

    def _unknown(self, names: list[str], why: str) -> None:
        for name in names:
            self.ns.pop(name, None)
            self.before_block.pop(name, None)
            self.failures[name] = why

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

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.eval(e) for e in node.elts)

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.ns:
            return self.ns[node.id]
        if node.id in self.failures:
            raise Unevaluable(self.failures[node.id])
        raise Unevaluable(f"{node.id} is not defined statically")

    def _JoinedStr(self, node: ast.JoinedStr) -> str:
        parts = []
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                parts.append(str(self.eval(v.value)))
            elif isinstance(v, ast.Constant):
                parts.append(str(v.value))
        return "".join(parts)

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(node.op, ast.Div) and isinstance(left, Path):
            return left / str(right)
        if isinstance(node.op, ast.Add) and type(left) is type(right) and isinstance(left, (str, list, tuple)):
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
            if isinstance(name, str) and name in self.variables:
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
            functions: dict[str, Callable[..., Any]] = {
                "os.path.dirname": os.path.dirname,
                "os.path.abspath": os.path.abspath,
                "os.path.realpath": os.path.realpath,
                "os.path.join": os.path.join,
                "str": str,
                "int": int,
            }
            return functions[func](*[str(v) if isinstance(v, Path) else v for v in values])
        raise Unevaluable(f"{func}() is called at import time")
