"""Django's migration graph, read statically, with Django's own rules for ordering and squashes.

``manage.py showmigrations`` sets Django up and imports every migration module. The facts it
needs (installed apps, each migration's ``dependencies``/``replaces``/``run_before``) are
nearly always literals, so we read them with ``ast``; when one is not, the adapter asks Django
itself (``_django_run.load_declarations``) and feeds the same graph builder.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import _pystatic
from .._facts_cache import MISS, FactsCache, code_key
from .._pystatic import NOT_LITERAL, literal_assignments
from .settings import Unevaluable, module_dir, settings_module
from .settings import read_settings as read_settings_module

Key = tuple[str, str]
#: what the migration graph needs from the settings
SETTINGS = ("INSTALLED_APPS", "MIGRATION_MODULES", "AUTH_USER_MODEL")


class NeedsDjango(Exception):
    """A fact could not be read statically; Django must load the project."""


@dataclass(frozen=True)
class Declaration:
    """One migration file's graph facts."""

    app: str
    name: str
    file: str | None  # absolute path as text (2,000 Path objects cost more than the parsing)
    dependencies: tuple[Key, ...] = ()
    replaces: tuple[Key, ...] = ()
    run_before: tuple[Key, ...] = ()

    @property
    def path(self) -> Path | None:
        return Path(self.file) if self.file else None

    @property
    def key(self) -> Key:
        return (self.app, self.name)


# --- reading the project statically ----------------------------------------------------------


def read_settings(root: Path, approximate: list[str] | None = None) -> dict[str, Any]:
    """The settings the graph needs, by the one settings reader; ``NeedsDjango`` when it cannot tell."""
    from ...config import project_variables

    name = settings_module(root)
    if name is None:
        raise NeedsDjango("settings module not found from manage.py")
    try:
        values = read_settings_module(root, name, SETTINGS, project_variables(root), approximate)
    except (Unevaluable, SyntaxError, OSError) as exc:
        raise NeedsDjango(f"settings are not read statically: {exc}") from None
    if "INSTALLED_APPS" not in values:
        raise NeedsDjango(f"{name} assigns no INSTALLED_APPS at module level")
    return values


def _app_config(root: Path, entry: str) -> tuple[str, str]:
    """(label, package) for an INSTALLED_APPS entry: a package, or a dotted AppConfig class."""
    folder = module_dir(root, entry)
    if folder is not None:
        package, wanted = entry, None
    else:
        module, _, cls = entry.rpartition(".")
        package, wanted = module.rsplit(".", 1)[0] if module.endswith(".apps") else module, cls
    apps_py = module_dir(root, package)
    configs = _app_configs(apps_py / "apps.py") if apps_py else {}
    chosen = configs.get(wanted) if wanted else None
    if chosen is None and not wanted:
        defaults = [c for c in configs.values() if c.get("default") is True]
        candidates = defaults or (list(configs.values()) if len(configs) == 1 else [])
        chosen = candidates[0] if len(candidates) == 1 else None
    if wanted and chosen is None:
        raise NeedsDjango(f"AppConfig {entry} not found statically")
    chosen = chosen or {}
    name, label = chosen.get("name"), chosen.get("label")
    package = name if isinstance(name, str) else package
    return (label if isinstance(label, str) else package.rsplit(".", 1)[-1]), package


def _app_configs(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            values = literal_assignments(node.body, ("name", "label", "default"))
            if any(v is NOT_LITERAL for v in values.values()):
                raise NeedsDjango(f"AppConfig {node.name} is not literal")
            found[node.name] = values
    return found


def migration_modules(
    root: Path, skipped: list[str] | None = None, approximate: list[str] | None = None
) -> tuple[list[tuple[str, Path | None]], str]:
    """(app label, migrations folder or None) for every installed app, and AUTH_USER_MODEL.

    With ``skipped`` (a list to fill), an app that cannot be found statically is left out and named
    there instead of raising ``NeedsDjango``: the reading of last resort, when Django cannot run.
    With ``approximate``, settings changed only inside a block are read as before that block, and
    why is added there (see ``settings.read_settings``)."""
    settings = read_settings(root, approximate)
    overrides = settings.get("MIGRATION_MODULES") or {}
    apps = []
    for entry in settings["INSTALLED_APPS"]:
        try:
            label, package = _app_config(root, entry)
        except NeedsDjango:
            if skipped is None:
                raise
            skipped.append(entry)
            continue
        if skipped is not None and module_dir(root, package) is None:
            skipped.append(entry)
            continue
        dotted = overrides.get(label, f"{package}.migrations")
        apps.append((label, module_dir(root, dotted) if dotted else None))
    return apps, settings.get("AUTH_USER_MODEL") or "auth.User"


def migration_names(folder: Path) -> list[str]:
    """Modules Django would load: ``*.py`` not starting with ``_`` or ``~`` (scandir: no stat per file)."""
    with os.scandir(folder) as entries:
        return sorted(
            e.name[:-3] for e in entries if e.name.endswith(".py") and e.name[:1] not in ("_", "~") and e.is_file()
        )


def read_declaration(app: str, path: str | Path, user_model: str) -> Declaration | None:
    """The Migration class's graph facts; None if the file has no Migration class."""
    path = str(path)
    with open(path, encoding="utf-8", errors="replace") as fh:
        source = fh.read()
    if "class Migration" not in source:
        return None
    facts = fast_facts(source, user_model)
    if facts is None:
        facts = ast_facts(source, user_model)
    if facts is None:
        return None
    return Declaration(
        app,
        os.path.basename(path)[:-3],
        path,
        facts.get("dependencies", ()),
        facts.get("replaces", ()),
        facts.get("run_before", ()),
    )


_FACT_LINE = re.compile(r"^    (dependencies|replaces|run_before)[ \t]*(?::[^=\n]*)?=(?!=)[ \t]*(.*)$", re.M)


def fast_facts(source: str, user_model: str) -> dict[str, tuple[Key, ...]] | None:
    """Parse only the three assignments (not the operations, the bulk of a file) when the file
    has the shape ``makemigrations`` writes: one class, each name assigned once at class level,
    multi-line lists closed at the same indent. Anything else returns None (parse it all)."""
    if source.count("class ") != 1 or "\nclass Migration(" not in source:
        return None
    facts: dict[str, tuple[Key, ...]] = {}
    for m in _FACT_LINE.finditer(source):
        name, rest = m.group(1), m.group(2).rstrip()
        if name in facts or m.start() < source.index("\nclass Migration("):
            return None
        expr = rest
        if rest.endswith(("[", "(")):
            closing = "\n    " + ("]" if rest.endswith("[") else ")")
            end = source.find(closing, m.end(2))
            if end < 0:
                return None
            expr = source[m.start(2) : end + len(closing)]
        simple = _plain_pairs(expr)
        if simple is not None:
            facts[name] = simple
            continue
        try:
            node = ast.parse(expr.strip(), mode="eval").body
            facts[name] = _keys(node, user_model)
        except (SyntaxError, NeedsDjango):
            return None
    return facts


_PAIR = re.compile(r"""\(\s*(['"])([\w.]+)\1\s*,\s*(['"])([\w.]+)\3\s*,?\s*\)""")
_LIST = re.compile(r"""^\s*[\[(](?P<body>[^\[\]()]*(?:\([^()]*\)[^\[\]()]*)*)[\])]\s*$""")


def _plain_pairs(expr: str) -> tuple[Key, ...] | None:
    """``[('app', '0001_x'), ...]`` of plain identifiers read without compiling; None for anything else."""
    m = _LIST.match(expr)
    if m is None:
        return None
    body = m.group("body")
    pairs = list(_PAIR.finditer(body))
    if _PAIR.sub("", body).replace(",", "").strip():
        return None  # something besides plain pairs (a call, a comment, ...): let ast read it
    return tuple((p.group(2), p.group(4)) for p in pairs)


def ast_facts(source: str, user_model: str) -> dict[str, tuple[Key, ...]] | None:
    tree = ast.parse(source)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)
    if cls is None:
        return None
    facts: dict[str, tuple[Key, ...]] = {}
    for node in cls.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id in ("dependencies", "replaces", "run_before"):
                facts[target.id] = _keys(node.value, user_model)
    return facts


def _keys(node: ast.expr | None, user_model: str) -> tuple[Key, ...]:
    if not isinstance(node, (ast.List, ast.Tuple)):
        raise NeedsDjango("dependencies are not a list literal")
    keys = []
    for elt in node.elts:
        if isinstance(elt, ast.Call):
            func = elt.func.attr if isinstance(elt.func, ast.Attribute) else getattr(elt.func, "id", "")
            if func == "swappable_dependency" and elt.args and ast.unparse(elt.args[0]).endswith("AUTH_USER_MODEL"):
                keys.append((user_model.split(".", 1)[0], "__first__"))  # what swappable_dependency returns
                continue
            raise NeedsDjango("a dependency is computed")
        try:
            value = ast.literal_eval(elt)
        except ValueError:
            raise NeedsDjango("a dependency is not literal") from None
        keys.append((str(value[0]), str(value[1])))
    return tuple(keys)


def read_project(
    root: Path, skipped: list[str] | None = None, approximate: list[str] | None = None
) -> tuple[list[Declaration], set[str]]:
    """Every installed app's migrations (statically) and the labels of apps that have migrations."""
    apps, user_model = migration_modules(root, skipped, approximate)
    cache = FactsCache(root, "django", code_key(user_model, modules=(__file__, _pystatic.__file__)))
    declarations, migrated = [], set()
    for label, folder in apps:
        if folder is None or not folder.is_dir():
            continue
        migrated.add(label)
        prefix = str(folder) + os.sep
        for name in migration_names(folder):
            path = f"{prefix}{name}.py"
            facts, stamp = cache.get(path)
            if facts is MISS:
                decl = read_declaration(label, path, user_model)
                cache.put(path, stamp, None if decl is None else [decl.dependencies, decl.replaces, decl.run_before])
            elif facts is None:
                decl = None
            else:
                deps, replaces, run_before = (tuple(tuple(k) for k in keys) for keys in facts)
                decl = Declaration(label, name, path, deps, replaces, run_before)
            if decl is not None:
                declarations.append(decl)
    cache.save()
    return declarations, migrated


# --- the graph, with Django's semantics --------------------------------------------------------


@dataclass
class Graph:
    nodes: dict[Key, Declaration]
    parents: dict[Key, set[Key]] = field(default_factory=dict)
    children: dict[Key, set[Key]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add_edge(self, child: Key, parent: Key) -> None:
        if child not in self.nodes or parent not in self.nodes:
            missing = parent if parent not in self.nodes else child
            self.problems.append(f"{child[0]}.{child[1]} depends on {missing[0]}.{missing[1]}, which does not exist")
            return
        self.parents[child].add(parent)
        self.children[parent].add(child)

    def root_nodes(self, app: str) -> list[Key]:
        return sorted(k for k in self.nodes if k[0] == app and all(p[0] != app for p in self.parents[k]))

    def leaf_nodes(self) -> list[Key]:
        return sorted(k for k in self.nodes if all(c[0] != k[0] for c in self.children[k]))

    def remove(self, key: Key) -> None:
        for p in self.parents.pop(key, set()):
            self.children[p].discard(key)
        for c in self.children.pop(key, set()):
            self.parents[c].discard(key)
        self.nodes.pop(key, None)

    def use_replacement(self, squash: Key, replaced: tuple[Key, ...]) -> None:
        """The squashed migration stands in for the ones it replaces (edges move to it)."""
        gone = set(replaced)
        for key in replaced:
            if key not in self.nodes:
                continue
            for c in self.children[key] - gone:
                self.add_edge(c, squash)
            for p in self.parents[key] - gone:
                self.add_edge(squash, p)
            self.remove(key)

    def drop_replacement(self, squash: Key, replaced: tuple[Key, ...]) -> None:
        """Partly applied squash: keep the replaced migrations, children hang off the last of them."""
        present = {k for k in replaced if k in self.nodes}
        lasts = present - {p for k in present for p in self.parents[k]}
        for c in set(self.children[squash]):
            for last in lasts:
                self.add_edge(c, last)
        self.remove(squash)

    def plan(self) -> list[Key]:
        """showmigrations --plan order: for each leaf (sorted), a depth-first walk of its parents."""
        order, seen = [], set()
        for leaf in self.leaf_nodes():
            stack = [(leaf, False)]
            while stack:
                key, done = stack.pop()
                if key in seen:
                    continue
                if done:
                    seen.add(key)
                    order.append(key)
                else:
                    stack.append((key, True))
                    stack.extend((p, False) for p in sorted(self.parents[key]))
        return order


def build_graph(declarations: list[Declaration], migrated: set[str], applied: set[Key]) -> tuple[Graph, set[Key]]:
    """The graph Django would build, and the applied set with squashes marked as Django marks them."""
    graph = Graph({d.key: d for d in declarations})
    for key in graph.nodes:
        graph.parents[key], graph.children[key] = set(), set()
    for d in declarations:  # internal dependencies first, so __first__ finds the right root
        for parent in d.dependencies:
            if parent[0] == d.app and parent[1] != "__first__":
                graph.add_edge(d.key, parent)
    for d in declarations:
        for parent in d.dependencies:
            if parent[0] != d.app:
                resolved = _resolve(graph, parent, migrated)
                if resolved is not None:
                    graph.add_edge(d.key, resolved)
        for child in d.run_before:
            resolved = _resolve(graph, child, migrated)
            if resolved is not None:
                graph.add_edge(resolved, d.key)
    applied = set(applied)
    for d in declarations:
        if not d.replaces or d.key not in graph.nodes:
            continue
        statuses = [k in applied for k in d.replaces]
        if all(statuses):
            applied.add(d.key)
        else:
            applied.discard(d.key)
        if all(statuses) or not any(statuses):
            graph.use_replacement(d.key, d.replaces)
        else:
            graph.drop_replacement(d.key, d.replaces)
    return graph, applied


def _resolve(graph: Graph, key: Key, migrated: set[str]) -> Key | None:
    if key[1] not in ("__first__", "__latest__") or key in graph.nodes:
        return key
    if key[0] not in migrated:
        return None  # unmigrated (or unknown) app: Django skips it or refuses; either way no edge
    if key[1] == "__first__":
        roots = graph.root_nodes(key[0])
        return roots[0] if roots else None
    leaves = [k for k in graph.leaf_nodes() if k[0] == key[0]]
    return leaves[0] if leaves else None
