"""Alembic: ``versions/<rev>_<slug>.py`` revision graph and the ``alembic_version`` table.

``alembic_version`` holds one row per current head and no history: what is applied is every
ancestor of the recorded heads in the revision graph (``_alembic_graph``). Writing, previewing
and applying go through Alembic's own command API (``_alembic_run``).
"""

from __future__ import annotations

import ast
import configparser
import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for
from .._files import read_text
from ..base import Adapter, Evidence, History, MigrationFile, MigrationRow
from . import config
from .ops import AlembicOps

if TYPE_CHECKING:
    from ...db import Database
    from .graph import RevisionGraph

DEFAULT_TABLE = "alembic_version"
EXTRA_COLUMNS = ("revision", "down_revision", "branch_labels", "is_head", "is_current", "message")
_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}


class AlembicAdapter(AlembicOps, Adapter):
    tool = "alembic"
    display_name = "Alembic"
    down_in_file = "a downgrade() function"

    # --- configuration, read statically --------------------------------------------------
    @classmethod
    def ini_file(cls, root: Path) -> Path | None:
        p = root / "alembic.ini"
        return p if p.is_file() else None

    @classmethod
    def _ini(cls, root: Path) -> configparser.ConfigParser | None:
        ini = cls.ini_file(root)
        if ini is None:
            return None
        parser = configparser.ConfigParser(defaults={"here": str(root)})
        try:
            parser.read(ini, encoding="utf-8")
        except configparser.Error:
            return None
        return parser

    @classmethod
    def _option(cls, root: Path, name: str, parser: configparser.ConfigParser | None = None) -> str | None:
        parser = parser if parser is not None else cls._ini(root)
        if parser is None or not parser.has_section("alembic"):
            return None
        try:
            value = parser.get("alembic", name, fallback=None)
        except configparser.Error:  # a bad %-interpolation: read it raw
            value = parser.get("alembic", name, raw=True, fallback=None)
        return value.strip() if value else None

    @classmethod
    def script_location(cls, root: Path) -> Path:
        loc = cls._option(root, "script_location")
        if loc and ":" in loc and not Path(loc).exists() and not re.match(r"^[A-Za-z]:[\\/]", loc):
            return root / "alembic"  # a package resource ("myapp:alembic"): not supported statically
        return (root / loc).resolve() if loc else root / "alembic"

    @classmethod
    def version_locations(cls, root: Path) -> list[Path]:
        """``version_locations`` from alembic.ini (split as Alembic splits it), else ``<script>/versions``."""
        parser = cls._ini(root)
        raw = cls._option(root, "version_locations", parser)
        if not raw:
            return [cls.script_location(root) / "versions"]
        sep_name = cls._option(root, "path_separator", parser) or cls._option(root, "version_path_separator", parser)
        if sep_name in _SEPARATORS:
            parts = [p.strip() for p in raw.split(_SEPARATORS[sep_name]) if p.strip()]
        else:
            parts = [p for p in re.split(r", *| +", raw) if p]
        return [(root / p).resolve() for p in parts]

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        ini = cls.ini_file(root)
        folder = cls.script_location(root)
        if ini is None and not (root / "alembic").is_dir():
            return None
        versions = folder / "versions"
        count = _count_py(versions)
        files = ("alembic.ini",) if ini else ("alembic/",)
        rel = versions.relative_to(root).as_posix() if versions.is_relative_to(root) else str(versions)
        return Evidence(cls.tool, files, rel, count)

    def config_connections(self):  # parsing lives in config.py
        return config.connections(self.root, self.ini_file(self.root))

    def preferred_variables(self):  # variables env.py reads the URL from
        return config.env_py_variables(self.script_location(self.root))

    @cached_property
    def version_table(self) -> tuple[str, str | None]:
        """(table, schema): ``version_table``/``version_table_schema`` string literals passed to
        ``context.configure`` in env.py, else Alembic's default ``alembic_version``."""
        env_py = self.script_location(self.root) / "env.py"
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
        from .graph import RevisionGraph, revision_files

        recursive = (self._option(self.root, "recursive_version_locations") or "").lower() in ("true", "1", "yes")
        return RevisionGraph.load(revision_files(self.version_locations(self.root), recursive))

    def migration_files(self) -> list[MigrationFile]:
        graph = self.graph()
        return [self._file(graph, rev) for rev in graph.ordered()]

    def _file(self, graph: RevisionGraph, rev_id: str) -> MigrationFile:
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
        name = ".".join(dialect_for(db).quote(part) for part in (schema, table) if part)
        rows = db.read_table(table, f"SELECT version_num FROM {name}", schema)
        return None if rows is None else [r[0] for r in rows]

    def history(self, db: Database | None) -> History:
        graph = self.graph()
        heads = self.read_heads(db) if db is not None else None
        return build_history(self, graph, heads, db is not None)


def _relative(adapter: AlembicAdapter, file: str) -> str:
    prefix = str(adapter.root) + os.sep
    return file[len(prefix) :].replace(os.sep, "/") if file.startswith(prefix) else adapter.relative(Path(file))


def _count_py(folder: Path) -> int:
    """Revision files in a folder, counted without sorting or stat-ing each one (2,000 files)."""
    try:
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.name.endswith(".py") and e.name != "__init__.py")
    except OSError:
        return 0


def build_history(
    adapter: AlembicAdapter, graph: RevisionGraph, recorded: list[str] | None, reachable: bool
) -> History:
    """Rows in apply order: ancestors of the recorded heads applied, the rest pending."""
    order = graph.ordered()
    script_heads = set(graph.heads())
    recorded_set = set(recorded or ())
    applied = graph.ancestors(recorded or ())
    rows: list[MigrationRow] = []
    for rev_id in order:
        rev = graph.revisions[rev_id]
        extra = {
            "revision": rev_id,
            "down_revision": ", ".join(rev.down_revisions) or None,
            "branch_labels": ", ".join(rev.branch_labels) or None,
            "message": rev.message,
            "is_head": rev_id in script_heads,
            "is_current": rev_id in recorded_set,
        }
        if not reachable:
            state = "unknown"
        else:
            state = "applied" if rev_id in applied else "pending"
        note = "identifiers read by importing the module" if graph.revisions[rev_id].imported else None
        rows.append(
            MigrationRow(rev_id, _relative(adapter, graph.revisions[rev_id].file), state, None, None, note, extra)
        )
    for rev_id in recorded or ():
        if rev_id not in graph.revisions:
            extra = {c: None for c in EXTRA_COLUMNS} | {"revision": rev_id, "is_head": False, "is_current": True}
            rows.append(
                MigrationRow(
                    rev_id,
                    None,
                    "missing",
                    None,
                    None,
                    f"recorded in {adapter.table_label}, no revision file has this id",
                    extra,
                )
            )
    notes = _notes(adapter, graph, recorded)
    current = ", ".join(recorded) if recorded else None
    table_exists = reachable and recorded is not None
    return History(tuple(rows), table_exists, adapter.table_label, current, tuple(notes), EXTRA_COLUMNS)


def _notes(adapter: AlembicAdapter, graph: RevisionGraph, recorded: list[str] | None) -> list[str]:
    notes = []
    heads = graph.heads()
    if len(heads) > 1:
        notes.append(
            f"{len(heads)} heads in the revision files: {', '.join(heads)} "
            "(`alembic upgrade heads` applies all; `alembic merge heads` joins them)"
        )
    if recorded and len(recorded) > 1:
        notes.append(f"the database is at {len(recorded)} heads: {', '.join(recorded)}")
    lost = [r for r in recorded or () if r not in graph.revisions]
    if lost:
        notes.append(
            f"{', '.join(lost)} recorded in {adapter.table_label} but no file declares "
            f"{'it' if len(lost) == 1 else 'them'}: what came before cannot be told from the files, so "
            "revisions shown pending may already be applied (restore the file, or `alembic stamp`)"
        )
    for rev, ref in graph.dangling():
        notes.append(f"revision {rev} refers to {ref}, which no revision file declares")
    for path in graph.unreadable:
        notes.append(
            f"{_relative(adapter, path)} is not a readable revision file (no `revision` id, or it fails to import)"
        )
    for rev in graph.duplicates:
        notes.append(f"revision id {rev} is declared by more than one file")
    return notes
