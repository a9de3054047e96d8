"""Alembic: ``versions/<rev>_<slug>.py`` revision graph and the ``alembic_version`` table.

``alembic_version`` holds one row per current head and no history: what is applied is every
ancestor of the recorded heads in the revision graph (``graph.py``, ``history.py``). Writing, previewing
and applying go through Alembic's own command API: the adapter holds an ``AlembicOps`` (``ops.py``,
``run.py``) and forwards those operations to it.
"""

from __future__ import annotations

import ast
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import read_text
from .._tables import read_table
from ..base import Evidence, History, MigrationFile
from ..foreign_tables import TableMark
from ..operated import OperatedAdapter
from . import config, flask_config
from .history import build_history
from .layout import Layout, find_layout
from .ops import AlembicOps

if TYPE_CHECKING:
    from ...config import FoundConnection
    from ...db import Database
    from .graph import RevisionGraph

DEFAULT_TABLE = "alembic_version"


class AlembicAdapter(OperatedAdapter):
    tool = "alembic"
    display_name = "Alembic"
    thread_safe = False  # runs in process with a changed working folder and os.environ
    table_marks = (TableMark("Alembic", "alembic_version", ("version_num",), command="alembic upgrade head"),)
    down_in_file = "a downgrade() function"

    def __init__(self, root: Path, evidence: Evidence | None = None):
        super().__init__(root, evidence)
        self.ops = AlembicOps(self)
        self._graph_read: tuple[tuple, RevisionGraph] | None = None  # (files' fingerprint, graph)

    def mark_outside_transaction(self, path: Path) -> str:
        """Alembic's ``autocommit_block()`` around the revision's upgrade and downgrade bodies."""
        from .run import autocommit_functions

        autocommit_functions(path)
        return "`with op.get_context().autocommit_block():` around upgrade() and downgrade()"

    # --- configuration, read statically --------------------------------------------------
    @classmethod
    def layout_of(cls, root: Path) -> Layout:
        """The project's Alembic configuration files (``layout.py``); an empty layout when none."""
        return find_layout(root) or Layout(root, None, None)

    @cached_property
    def layout(self) -> Layout:
        return self.layout_of(self.root)

    @classmethod
    def ini_file(cls, root: Path) -> Path | None:
        return cls.layout_of(root).ini

    @classmethod
    def _option(cls, root: Path, name: str) -> str | None:
        value = cls.layout_of(root).option(name)
        return str(value).strip() if value not in (None, "") else None

    @classmethod
    def script_location(cls, root: Path) -> Path:
        return cls.layout_of(root).script_location

    @classmethod
    def version_locations(cls, root: Path) -> list[Path]:
        """``version_locations`` (split as Alembic splits it), else ``<script>/versions``."""
        return cls.layout_of(root).version_locations

    @classmethod
    def recommendation(cls, root: Path) -> str | None:
        for name in ("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "Pipfile"):
            if (root / name).is_file():
                return f"{name} found (Python project): Alembic is the standard choice."
        return None

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        layout = find_layout(root)
        if layout is None:
            return None
        locations = layout.version_locations
        count = sum(_count_py(folder) for folder in locations)
        rels = [v.relative_to(root).as_posix() if v.is_relative_to(root) else str(v) for v in locations]
        files = layout.files or ("alembic/",)
        notes: tuple[str, ...] = ()
        if layout.flask:
            notes = (flask_config.connection_note(root),)
        return Evidence(cls.tool, files, ", ".join(rels), count, notes)

    def config_connections(self) -> list[FoundConnection]:  # parsing lives in config.py
        found = config.connections(self.root, self.layout.ini)
        if self.layout.flask:
            found.extend(flask_config.connections(self.root))
        return found

    def preferred_variables(self) -> tuple[str, ...]:  # variables env.py (or the Flask config) reads the URL from
        names = config.env_py_variables(self.layout.script_location)
        if self.layout.flask:
            names = tuple(dict.fromkeys([*names, *flask_config.preferred_variables(self.root)]))
        return names

    @cached_property
    def version_table(self) -> tuple[str, str | None]:
        """(table, schema): ``version_table``/``version_table_schema`` string literals passed to
        ``context.configure`` in env.py, else Alembic's default ``alembic_version``."""
        env_py = self.layout.script_location / "env.py"
        table, schema = DEFAULT_TABLE, None
        source = read_text(env_py)
        if "version_table" not in source:
            return table, schema
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return table, schema
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.keyword)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                if node.arg == "version_table":
                    table = node.value.value
                elif node.arg == "version_table_schema":
                    schema = node.value.value
        return table, schema

    @property
    def table_label(self) -> str:
        table, schema = self.version_table
        return f"{schema}.{table}" if schema else table

    def tracking_tables(self) -> tuple[str, ...]:
        return (self.table_label,)

    # --- reading -----------------------------------------------------------------------
    def graph(self) -> RevisionGraph:
        """The revision graph, read once while the files are unchanged (one `dbm migrate` asks for it
        for the history, the plan and the run's check: three reads of every file at 1,000 revisions)."""
        from .commands import files_fingerprint
        from .graph import RevisionGraph, revision_files

        locations, recursive = self.layout.version_locations, self.layout.recursive
        files = files_fingerprint([str(p) for p in locations], recursive)
        if self._graph_read is not None and self._graph_read[0] == files:
            return self._graph_read[1]
        graph = RevisionGraph.load(revision_files(locations, recursive), self.root)
        self._graph_read = (files, graph)
        return graph

    def migration_files(self) -> list[MigrationFile]:
        graph = self.graph()
        return [self.revision_file(graph, rev) for rev in graph.ordered()]

    def revision_file(self, graph: RevisionGraph, rev_id: str) -> MigrationFile:
        rev = graph.revisions[rev_id]
        return MigrationFile(
            rev_id,
            rev.path,
            None,
            {
                "revision": rev_id,
                "down_revision": ", ".join(rev.down_revisions) or None,
                "branch_labels": ", ".join(rev.branch_labels) or None,
                "message": rev.message,
            },
        )

    def read_heads(self, db: Database) -> list[str] | None:
        """Rows of the version table (the current heads), or None when it does not exist."""
        table, schema = self.version_table
        rows = read_table(db, table, "version_num", schema=schema)
        return None if rows is None else [r["version_num"] for r in rows]

    def history(self, db: Database | None) -> History:
        graph = self.graph()
        heads = self.read_heads(db) if db is not None else None
        return build_history(self, graph, heads, db is not None)


def _count_py(folder: Path) -> int:
    """Revision files in a folder, counted without sorting or stat-ing each one (2,000 files)."""
    try:
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.name.endswith(".py") and e.name != "__init__.py")
    except OSError:
        return 0
