"""Reading literal values from Python files without importing them.

Alembic and Django both load every migration module to learn its identifiers, which is what
makes their status commands slow on big projects. The identifiers are nearly always plain
literals, so we read them statically and let the adapters fall back to the tool's own loader
only when a value is not a literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

NOT_LITERAL = object()  #: marker: the name is assigned, but not to a literal


def _target_name(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    return None, None


def literal_assignments(body: Iterable[ast.stmt], names: Iterable[str]) -> dict[str, Any]:
    """The last assignment of each wanted name in a statement list (``x = ...`` or ``x: T = ...``).

    Values that are not literals, and names also assigned inside a nested block (``if``, ``try``)
    or in an unusual form (``a = b = ...``, ``x += ...``), are ``NOT_LITERAL``: only running the
    code could tell their value. Absent names are absent.
    """
    wanted = set(names)
    found: dict[str, Any] = {}
    for node in body:
        name, value = _target_name(node)
        if name in wanted and value is not None:
            try:
                found[name] = ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                found[name] = NOT_LITERAL
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in wanted and isinstance(sub.ctx, ast.Store):
                found[sub.id] = NOT_LITERAL
    return found


def module_literals(source: str, names: Iterable[str]) -> dict[str, Any] | None:
    """Top-level literal assignments of ``names`` in ``source``; None if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return literal_assignments(tree.body, names)


def docstring_first_line(source: str) -> str | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    doc = ast.get_docstring(tree)
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else None


def fast_literals(source: str, names: tuple[str, ...]) -> dict[str, Any] | None:
    """A cheap line scan equivalent to ``module_literals`` for simple files, or None to say "use ast".

    It accepts a file only when every wanted name is assigned at most once, on one line at column
    0, outside any triple-quoted string, to a value ``ast.literal_eval`` accepts. Anything else
    (continuation lines, repeated or conditional assignments, odd quoting) returns None, and the
    caller parses the file properly. A test checks it agrees with ``module_literals``.
    """
    pattern = _scan_pattern(names)
    found: dict[str, Any] = {}
    for m in pattern.finditer(source):
        name, value = m.group(1), m.group(2).strip()
        if name in found:
            return None
        if value.endswith(("\\", "(", "[", "{", ",")):
            return None
        if "#" in value:
            value = _strip_comment(value)
            if value is None:
                return None
        try:
            found[name] = _simple_literal(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        if source.count('"""', 0, m.start()) % 2 or source.count("'''", 0, m.start()) % 2:
            return None  # inside (or confusingly near) a triple-quoted string
    if _has_indented_assignment(source, names):
        return None
    return found


_PLAIN_STRING = re.compile(r"""^(?:'([^'\\\n]*)'|"([^"\\\n]*)")$""")


def _simple_literal(value: str) -> Any:
    """``ast.literal_eval`` with the common cases (None, a plain quoted id) answered without compiling."""
    if value == "None":
        return None
    m = _PLAIN_STRING.match(value)
    if m:
        return m.group(1) if m.group(1) is not None else m.group(2)
    return ast.literal_eval(value)


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _scan_pattern(names: tuple[str, ...]) -> re.Pattern:
    pat = _PATTERNS.get(names)
    if pat is None:
        alternatives = "|".join(map(re.escape, names))
        pat = re.compile(rf"^({alternatives})[ \t]*(?::[^=\n]*)?=(?!=)([^\n]*)$", re.M)
        _PATTERNS[names] = pat
    return pat


def _strip_comment(value: str) -> str | None:
    """``'abc'  # note`` -> ``'abc'``; None when a '#' might sit inside a string."""
    quote = value[:1]
    if quote in ("'", '"'):
        end = value.find(quote, 1)
        if end > 0 and value[end + 1 :].lstrip().startswith("#") and "\\" not in value[:end]:
            return value[: end + 1]
        return None
    head = value.split("#", 1)[0]
    return head if "'" not in head and '"' not in head else None


def _has_indented_assignment(source: str, names: tuple[str, ...]) -> bool:
    """A wanted name assigned under an ``if``/``try`` at top level would be missed: refuse those."""
    for name in names:
        idx = source.find(name)
        while idx != -1:
            line_start = source.rfind("\n", 0, idx) + 1
            if (
                idx != line_start
                and not source[line_start:idx].strip()
                and re.match(rf"{re.escape(name)}[ \t]*(?::[^=\n]*)?=(?!=)", source[idx:])
            ):
                return True
            idx = source.find(name, idx + 1)
    return False


def python_string(text: str) -> str:
    """A readable Python literal for SQL: triple-quoted when that is exact, else repr()."""
    if "\n" in text and '"""' not in text and "\\" not in text and not text.endswith('"'):
        return '"""' + text + '"""'
    return repr(text)
