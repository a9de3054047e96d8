"""The package's shape, kept by tests: one-way imports, small modules, dialect facts in dialects/.

The import graph is grimp's (imports inside functions count; ``if TYPE_CHECKING:`` imports do not).
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dbmigrate_magic"
DIALECT_NAMES = {"postgresql", "mysql", "sqlite"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("dbmigrate_magic", exclude_type_checking_imports=True)


def test_no_module_imports_itself_back(graph):
    cycles = sorted(
        f"{importer} -> {imported} -> ... -> {importer}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize(
    "lower, upper",
    [
        ("dbmigrate_magic.safety", "dbmigrate_magic._verbs"),
        ("dbmigrate_magic.backup", "dbmigrate_magic._verbs"),
        ("dbmigrate_magic.adapters", "dbmigrate_magic._verbs"),
        ("dbmigrate_magic.schema", "dbmigrate_magic._verbs"),
        ("dbmigrate_magic._verbs", "dbmigrate_magic.magics"),
        ("dbmigrate_magic._verbs", "dbmigrate_magic.cli"),
    ],
)
def test_lower_layers_never_import_upper_ones(graph, lower, upper):
    found = graph.find_matching_direct_imports(import_expression=f"{lower}.** -> {upper}.**")
    found += graph.find_matching_direct_imports(import_expression=f"{lower}.** -> {upper}")
    assert not found, [f"{i['importer']} -> {i['imported']}" for i in found]


def test_no_module_is_longer_than_600_lines():
    long = {
        str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 600
    }
    assert not long, long


def _dialect_name_tests(tree: ast.AST) -> list[int]:
    """Lines comparing against a dialect's name, or keying a dict by one."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                strings = [side] if isinstance(side, ast.Constant) else getattr(side, "elts", [])
                if any(isinstance(s, ast.Constant) and s.value in DIALECT_NAMES for s in strings):
                    lines.append(node.lineno)
        elif isinstance(node, ast.Dict):
            if any(isinstance(k, ast.Constant) and k.value in DIALECT_NAMES for k in node.keys):
                lines.append(node.lineno)
    return lines


def test_dialect_facts_live_in_dialects():
    found = {
        str(p.relative_to(PACKAGE)): hits
        for p in PACKAGE.rglob("*.py")
        if "dialects" not in p.relative_to(PACKAGE).parts and (hits := _dialect_name_tests(ast.parse(p.read_text())))
    }
    assert not found, f"ask dialects.dialect_for(...) instead of comparing names: {found}"


def test_the_shape_checks_can_fail(graph):
    """The checks above see what they look for: a planted dialect branch, and a real import chain."""
    assert _dialect_name_tests(ast.parse("if db.dialect == 'mysql': pass")) == [1]
    assert _dialect_name_tests(ast.parse("x = {'sqlite': 1}")) == [1]
    assert graph.chain_exists(importer="dbmigrate_magic.cli", imported="dbmigrate_magic.api")
