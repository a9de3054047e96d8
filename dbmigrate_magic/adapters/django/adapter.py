"""Django: ``<app>/migrations/NNNN_name.py`` per app and the ``django_migrations`` table.

History mirrors ``manage.py showmigrations --plan``: the graph of every installed app's
migrations (read statically by ``_django_graph``, or by Django itself when a fact is not a
literal), squashed migrations treated as Django treats them, and rows recorded in
``django_migrations`` with no migration file reported ``missing``. Writing, previewing and applying
run Django's own commands: the adapter holds a ``DjangoOps`` (``ops.py``) and forwards them to it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import SKIP_DIRS, read_text
from .._tables import read_table
from ..base import Evidence, History, MigrationFile, MigrationRow, to_utc
from ..foreign_tables import TableMark
from ..operated import OperatedAdapter
from . import config
from .ops import DjangoOps

if TYPE_CHECKING:
    from ...config import FoundConnection
    from ...db import Database
    from .graph import Declaration

DJANGO_IMPORT = re.compile(r"(\bdjango\b|DJANGO_SETTINGS_MODULE)")
MIGRATION_NAME = re.compile(r"^\d{4}_\w+\.py$")
TABLE = "django_migrations"
EXTRA_COLUMNS = ("app", "name", "replaces")


class DjangoAdapter(OperatedAdapter):
    tool = "django"
    display_name = "Django"
    thread_safe = False  # runs in process with a changed working folder and os.environ
    table_marks = (
        TableMark("Django", "django_migrations", ("app", "name", "applied"), command="python manage.py migrate"),
    )
    down_in_file = "operations Django reverses itself (RunSQL reverse_sql, RunPython reverse_code)"

    def __init__(self, root: Path, evidence: Evidence | None = None):
        super().__init__(root, evidence)
        self.ops = DjangoOps(self)

    def mark_outside_transaction(self, path: Path) -> str:
        """``atomic = False`` on the Migration class: Django runs it outside a transaction."""
        text = path.read_text(encoding="utf-8")
        head = "class Migration(migrations.Migration):\n"
        path.write_text(text.replace(head, head + "    atomic = False\n", 1), encoding="utf-8")
        return "`atomic = False` on the Migration class"

    @classmethod
    def migration_dirs(cls, root: Path) -> list[Path]:
        """Every app's migrations folder below ``root``, except those of another Django project
        nested below it (a folder with its own manage.py): that one is listed as its own project."""
        dirs = []
        for init in root.rglob("migrations/__init__.py"):
            parts = init.relative_to(root).parts
            if any(part in SKIP_DIRS for part in parts):
                continue
            if any((root.joinpath(*parts[:i]) / "manage.py").is_file() for i in range(1, len(parts) - 1)):
                continue
            dirs.append(init.parent)
        return sorted(dirs)

    @classmethod
    def recommendation(cls, root: Path) -> str | None:
        settings = list(root.glob("settings.py")) + list(root.glob("*/settings.py"))
        manage = root / "manage.py"
        if settings or (manage.is_file() and "django" in read_text(manage).lower()):
            return "Django settings found: use Django's own migrations (manage.py makemigrations)."
        return None

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        manage = root / "manage.py"
        if not manage.is_file() or not DJANGO_IMPORT.search(read_text(manage)):
            return None
        dirs = cls.migration_dirs(root)
        count = sum(1 for d in dirs for name in os.listdir(d) if MIGRATION_NAME.match(name))  # names: no Path each
        folder = dirs[0].relative_to(root).as_posix() if len(dirs) == 1 else ("*/migrations" if dirs else None)
        return Evidence(cls.tool, ("manage.py",), folder, count)

    def config_connections(self) -> list[FoundConnection]:  # parsing lives in config.py
        return config.connections(self.root)

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        manage = root / "manage.py"
        if manage.is_file() and not DJANGO_IMPORT.search(read_text(manage)):
            return "manage.py ignored: it does not import Django"
        return None

    def tracking_tables(self) -> tuple[str, ...]:
        return (TABLE,)

    # --- reading -----------------------------------------------------------------------
    def declarations(self) -> tuple[list[Declaration], set[str], str | None]:
        """Every installed app's migrations; statically when possible, else from Django itself."""
        from .graph import Declaration, NeedsDjango, read_project

        try:
            decls, migrated = read_project(self.root)
            return decls, migrated, None
        except (NeedsDjango, SyntaxError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
        from ...errors import ToolFailed
        from .interpreter import python_for
        from .run import load_declarations

        found = python_for(self.root)
        if found is not None:
            try:
                data = load_declarations(self.root)
            except ToolFailed as failed:  # the project's own dependencies are missing there, typically
                cause = failed.what.split(": ", 1)[-1].splitlines()[-1]
                return self._last_resort(f"Django could not load the project with {found[0]} ({cause})", failed)
            decls = [
                Declaration(
                    m["app"],
                    m["name"],
                    m["file"] or None,
                    tuple(map(tuple, m["dependencies"])),
                    tuple(map(tuple, m["replaces"])),
                    tuple(map(tuple, m["run_before"])),
                )
                for m in data["migrations"]
            ]
            by = f" with {found[1]}" if found[1] else ""
            return decls, set(data["migrated"]), f"migrations read by loading Django{by} ({reason})"
        try:
            return self._last_resort(
                f"Django is not importable here and no project environment holding it was found ({reason})"
            )
        except (NeedsDjango, SyntaxError, OSError):
            load_declarations(self.root)  # raises ToolMissing, which says what to do
            raise

    def _last_resort(self, why: str, failed: Exception | None = None) -> tuple[list[Declaration], set[str], str | None]:
        """The graph read statically as far as it can be, saying what may differ from Django's view:
        apps not found here are left out, settings changed inside a block are read as before it.
        Raises ``failed`` (when given) if even that reading fails."""
        from .graph import NeedsDjango, read_project

        skipped: list[str] = []
        approximate: list[str] = []
        try:
            decls, migrated = read_project(self.root, skipped, approximate)
        except (NeedsDjango, SyntaxError, OSError):
            if failed is not None:
                raise failed from None
            raise
        left_out = f"; apps not found here, so left out: {', '.join(skipped)}" if skipped else ""
        approx = f"; read as before a block that may change them: {'; '.join(approximate)}" if approximate else ""
        return decls, migrated, f"{why}: migrations read statically{left_out}{approx}"

    def migration_files(self) -> list[MigrationFile]:
        from .graph import build_graph

        decls, migrated, _ = self.declarations()
        graph, _ = build_graph(decls, migrated, set())
        return [self._file(graph.nodes[k]) for k in graph.plan()]

    def _file(self, d: Declaration) -> MigrationFile:
        return MigrationFile(
            f"{d.app}.{d.name}",
            d.path or Path(d.name),
            None,
            {
                "app": d.app,
                "name": d.name,
                "replaces": ", ".join(f"{a}.{n}" for a, n in d.replaces) or None,
            },
        )

    def _relative(self, path: str) -> str:
        """``relative()`` by string prefix: Path.relative_to costs more than reading 2,000 rows."""
        prefix = str(self.root) + os.sep
        return path[len(prefix) :].replace(os.sep, "/") if path.startswith(prefix) else self.relative(Path(path))

    def read_ledger(self, db: Database) -> list[tuple[str, str, object]] | None:
        """(app, name, applied) rows of django_migrations, or None if the table does not exist."""
        rows = read_table(db, TABLE, "app, name, applied", "ORDER BY id")
        return None if rows is None else [(r["app"], r["name"], r["applied"]) for r in rows]

    def history(self, db: Database | None) -> History:
        from .graph import build_graph

        decls, migrated, how = self.declarations()
        records = self.read_ledger(db) if db is not None else None
        times = {(a, n): to_utc(t) for a, n, t in records or ()}
        graph, applied = build_graph(decls, migrated, set(times))
        replaced_by = {k: d.key for d in graph.nodes.values() for k in d.replaces}
        rows = []
        for key in graph.plan():
            d = graph.nodes[key]
            extra = {
                "app": d.app,
                "name": d.name,
                "replaces": ", ".join(f"{a}.{n}" for a, n in d.replaces) if d.replaces else None,
            }
            state = "unknown" if db is None else ("applied" if key in applied else "pending")
            when = times.get(key)
            if when is None and state == "applied" and d.replaces:
                when = max((t for k in d.replaces if (t := times.get(k)) is not None), default=None)
            note = f"squashed: replaces {len(d.replaces)} migrations" if d.replaces else None
            rows.append(
                MigrationRow(
                    f"{d.app}.{d.name}", self._relative(d.file) if d.file else None, state, when, None, note, extra
                )
            )
        on_disk = {d.key for d in decls}
        for key, when in times.items():
            if key in graph.nodes or key in on_disk or key in replaced_by:
                continue  # a replaced migration whose squash stands in for it is not missing
            rows.append(
                MigrationRow(
                    f"{key[0]}.{key[1]}",
                    None,
                    "missing",
                    when,
                    None,
                    f"recorded in {TABLE}, no migration file (app {key[0]})",
                    {"app": key[0], "name": key[1], "replaces": None},
                )
            )
        notes = list(dict.fromkeys(graph.problems))
        if how:
            notes.append(how)
        leaves: dict[str, list[str]] = {}
        for app, name in graph.leaf_nodes():
            leaves.setdefault(app, []).append(name)
        for app, names in leaves.items():
            if len(names) > 1:
                notes.append(
                    f"app {app} has {len(names)} leaf migrations ({', '.join(names)}): "
                    "Django asks for `makemigrations --merge`"
                )
        done = [r.migration for r in rows if r.state == "applied"]
        current = done[-1] if done else None
        table_exists = records is not None
        return History(tuple(rows), table_exists, TABLE, current, tuple(notes), EXTRA_COLUMNS)
