"""Our statically read Alembic revision graph equals the one Alembic builds by importing every file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dbmigrate_magic.adapters._pystatic import NOT_LITERAL, fast_literals, module_literals
from dbmigrate_magic.adapters.alembic.adapter import AlembicAdapter
from dbmigrate_magic.adapters.alembic.graph import NAMES, RevisionGraph, revision_files
from tests import alembic_project as ap


def branchy_project(root: Path, url: str | None = None) -> Path:
    """a1-a2-a3, two branches from a3 (one labelled), a merge, then two heads, one with depends_on,
    and a second base with its own label."""
    ap.init(root, url or f"sqlite:///{root / 'dev.db'}")
    ap.revision(root, "a1", "create a", head="base", up="CREATE TABLE a (id int)", down="DROP TABLE a")
    ap.revision(root, "a2", "second")
    ap.revision(root, "a3", "third")
    ap.revision(root, "b1", "bees start", head="a3", branch_label="bees")
    ap.revision(root, "b2", "bees more", head="b1")
    ap.revision(root, "c1", "sea", head="a3", splice=True)
    ap.merge(root, "m1", ["b2", "c1"])
    ap.revision(root, "d1", "after merge", head="m1")
    ap.revision(root, "e1", "left head", head="d1")
    ap.revision(root, "f1", "right head", head="d1", splice=True, depends_on="bees")
    ap.revision(root, "g1", "second base", head="base", branch_label="other")
    return root


def alembic_view(root: Path) -> dict:
    from alembic.script import ScriptDirectory
    from alembic.util import to_tuple

    script = ScriptDirectory.from_config(ap.config(root))
    revs = {}
    for s in script.walk_revisions():
        revs[s.revision] = (
            to_tuple(s.down_revision, default=()),
            tuple(sorted(to_tuple(s.module.branch_labels, default=()))),
            to_tuple(s.dependencies, default=()),
        )
    return {"revisions": revs, "heads": set(script.get_heads()), "bases": set(script.get_bases())}


def our_view(root: Path) -> dict:
    graph = AlembicAdapter(root).graph()
    revs = {
        r.revision: (r.down_revisions, tuple(sorted(r.branch_labels)), r.depends_on) for r in graph.revisions.values()
    }
    return {"revisions": revs, "heads": set(graph.heads()), "bases": set(graph.bases())}


def assert_topological(graph: RevisionGraph) -> None:
    order = graph.ordered()
    assert sorted(order) == sorted(graph.revisions)
    position = {rev: i for i, rev in enumerate(order)}
    for rev in graph.revisions.values():
        for parent in graph.parents(rev):
            assert position[parent] < position[rev.revision], (parent, rev.revision)


def test_branchy_graph_equals_script_directory(tmp_path):
    root = branchy_project(tmp_path / "proj")
    ours, theirs = our_view(root), alembic_view(root)
    assert ours == theirs
    assert theirs["heads"] == {"e1", "f1", "g1"}
    graph = AlembicAdapter(root).graph()
    assert_topological(graph)
    assert not any(r.imported for r in graph.revisions.values())  # all read statically
    # f1 depends on the branch labelled "bees", which Alembic resolves to b1
    assert "b1" in graph.parents(graph.revisions["f1"])


def test_non_literal_identifiers_fall_back_to_import(tmp_path):
    root = branchy_project(tmp_path / "proj")
    path = next((root / "alembic" / "versions").glob("d1_*.py"))
    text = path.read_text().replace("revision: str = 'd1'", "PREFIX = 'd'\nrevision: str = PREFIX + '1'")
    path.write_text(text)
    graph = AlembicAdapter(root).graph()
    assert graph.revisions["d1"].imported
    assert our_view(root) == alembic_view(root)


def test_versions_folder_from_ini_version_locations(tmp_path):
    root = branchy_project(tmp_path / "proj")
    (root / "alembic" / "versions").rename(root / "revs")
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nversion_locations = %(here)s/revs\n", 1))
    assert AlembicAdapter.version_locations(root) == [(root / "revs").resolve()]
    assert our_view(root) == alembic_view(root)


CASES = {
    "plain": "revision = 'a'\ndown_revision = None\n",
    "annotated": "revision: str = 'a'\ndown_revision: Union[str, None] = ('b', 'c')\n",
    "comment": "revision = 'a'  # the id\ndown_revision = 'b' # prev\n",
    "hash in string": "revision = 'a#b'  # x\ndown_revision = None\n",
    "docstring decoy": '"""\nrevision = \'fake\'\n"""\nrevision = \'real\'\ndown_revision = None\n',
    "multiline tuple": "revision = 'a'\ndown_revision = (\n    'b',\n    'c',\n)\n",
    "conditional": "revision = 'a'\nif True:\n    revision = 'z'\ndown_revision = None\n",
    "reassigned": "revision = 'a'\nrevision = 'b'\ndown_revision = None\n",
    "expression": "X = 'a'\nrevision = X\ndown_revision = None\n",
    "in function": "revision = 'a'\ndef f():\n    revision = 'q'\ndown_revision = None\n",
    "comparison": "revision = 'a'\ndown_revision = None\nrevision == 'x'\n",
    "double quotes": 'revision = "a"\ndown_revision = "b"\nbranch_labels = ("x",)\ndepends_on = None\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_scan_agrees_with_ast(name):
    source = CASES[name]
    fast = fast_literals(source, NAMES)
    exact = module_literals(source, NAMES)
    if fast is not None:  # when the cheap scan answers, it gives ast's answer
        assert fast == exact
        assert NOT_LITERAL not in fast.values()


def test_fast_scan_answers_for_alembic_template(tmp_path):
    root = branchy_project(tmp_path / "proj")
    for path in map(Path, revision_files([root / "alembic" / "versions"])):
        source = path.read_text()
        fast = fast_literals(source, NAMES)
        assert fast is not None, path.name
        assert fast == module_literals(source, NAMES)


def test_conditional_assignment_is_not_trusted():
    exact = module_literals(textwrap.dedent(CASES["conditional"]), NAMES)
    assert exact["revision"] is NOT_LITERAL
