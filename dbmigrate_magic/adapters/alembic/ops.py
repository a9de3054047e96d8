"""Writing, previewing, applying and rolling back Alembic revisions with Alembic's own commands.

Held by ``AlembicAdapter`` (``adapter.ops``), which forwards the protocol's changing operations here;
reading lives in the adapter (graph, heads, configuration) and ``history.py``, which these operations ask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for, find_dialect
from ...errors import MigrationFailed, ProjectError, UnsupportedOperation, UsageProblem
from .._runner_lock import runner_lock
from ..base import MigrationFile, PlannedStep, StepOutcome
from . import run as ar
from .history import build_history

if TYPE_CHECKING:
    from ...db import Database
    from .adapter import AlembicAdapter
    from .graph import RevisionGraph


class AlembicOps:
    """The changing half of the Alembic adapter: it reads the project through ``adapter``."""

    def __init__(self, adapter: AlembicAdapter):
        self.adapter = adapter

    @property
    def root(self) -> Path:
        return self.adapter.root

    def _url_variables(self, db: Database) -> dict[str, str]:
        """env.py often reads the URL from a variable instead of alembic.ini: point those at ``db`` too."""
        return {name: db.url for name in self.adapter.preferred_variables()}

    # --- writing -------------------------------------------------------------------------
    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        """``alembic revision -m NAME`` on the current head, with ``op.execute`` up and down."""
        from alembic import command

        heads = self.adapter.graph().heads()
        if len(heads) > 1:
            raise ProjectError(
                f"The revision files have {len(heads)} heads ({', '.join(heads)}), so a new revision "
                "has no single parent.",
                next_step="Join them first with `alembic merge heads -m merge`.",
            )
        cfg = ar.make_config(self.root, None)
        script = ar.run(self.root, "write a new revision", command.revision, cfg, message=name, head="head")
        path = Path(script.path)
        ar.fill_function(path, "upgrade", self._statements(up_sql))
        ar.fill_function(path, "downgrade", self._statements(down_sql))
        return path

    def autogenerate(self, db: Database, name: str) -> list[Path]:
        """``alembic revision --autogenerate -m NAME`` against ``db``; an empty revision is removed."""
        import contextlib
        import io

        from alembic import command

        if self.adapter.layout.flask:
            raise ProjectError(
                "This is a Flask-Migrate project: autogenerate compares the Flask app's models, which only "
                "`flask db migrate` can load.",
                unchanged="Nothing was written.",
                next_step="Run `flask db migrate -m NAME`, then `dbm migrate` to preview and apply it.",
            )
        if not self.has_target_metadata():
            raise ProjectError(
                "Alembic's autogenerate needs the project's SQLAlchemy models, but env.py does not set "
                "target_metadata (it is None or missing).",
                unchanged="Nothing was written.",
                next_step="In env.py set `target_metadata = Base.metadata` (import your models' Base), "
                "or use `dbm generate --name NAME --from-schema FILE|ENV|URL`.",
            )
        heads = self.adapter.graph().heads()
        if len(heads) > 1:
            raise ProjectError(
                f"The revision files have {len(heads)} heads ({', '.join(heads)}), so a new revision "
                "has no single parent.",
                next_step="Join them first with `alembic merge heads -m merge`.",
            )
        if set(self.adapter.read_heads(db) or []) != set(heads):
            raise ProjectError(
                "The database is not at the latest revision, and Alembic compares the models with an "
                "up-to-date database.",
                unchanged="Nothing was written.",
                next_step="Apply the pending revisions first (`dbm migrate`), then run this again.",
            )
        cfg = ar.make_config(self.root, db.url, io.StringIO())
        with contextlib.redirect_stdout(io.StringIO()):  # Alembic's "Generating ..." must not mix into --format json
            script = ar.run(
                self.root,
                "autogenerate a revision",
                command.revision,
                cfg,
                message=name,
                head="head",
                autogenerate=True,
                environ=self._url_variables(db),
            )
        path = Path(script.path)
        if not ar.has_body(path, "upgrade") and not ar.has_body(path, "downgrade"):
            path.unlink()  # Alembic writes a revision even when models and database agree
            return []
        return [path]

    def has_target_metadata(self) -> bool:
        """Whether env.py gives autogenerate a MetaData: an assignment or ``configure(target_metadata=...)``
        that is not ``None`` (read statically, without running env.py)."""
        import ast

        env_py = self.adapter.script_location(self.root) / "env.py"
        try:
            tree = ast.parse(env_py.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            return False
        for node in ast.walk(tree):
            value = None
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "target_metadata" for t in targets):
                    value = node.value
            elif isinstance(node, ast.keyword) and node.arg == "target_metadata":
                if not (isinstance(node.value, ast.Name) and node.value.id == "target_metadata"):
                    value = node.value
            if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
                return True
        return False

    def autogenerate_hint(self) -> str | None:
        if self.adapter.layout.flask:
            return "Flask-Migrate can write this migration from your models with `flask db migrate -m NAME`."
        if self.has_target_metadata():
            return (
                "env.py sets target_metadata: Alembic can write this migration from your SQLAlchemy models "
                "with `dbm generate --name NAME --autogenerate`."
            )
        return None

    def _statements(self, sql: str | None) -> list[str]:
        """SQL split into statements with the project database's rules (SQLite's when unknown)."""
        if not sql or not sql.strip():
            return []
        urls = [c.url for c in self.adapter.config_connections() if "://" in c.url]
        kind = (find_dialect(urls[0]) if urls else None) or dialect_for("sqlite")  # others: read as SQLite
        return [s.sql for s in kind.split(sql)]

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        """A revision with this message whose upgrade() executes exactly this SQL."""
        graph = self.adapter.graph()
        wanted = [s.strip() for s in self._statements(up_sql)]
        for rev_id in graph.ordered():
            rev = graph.revisions[rev_id]
            if rev.message == name and [s.strip() for s in ar.executed_sql(rev.path, "upgrade")] == wanted:
                return self.adapter.revision_file(graph, rev_id)
        return None

    # --- applying ------------------------------------------------------------------------
    def _resolve(self, graph: RevisionGraph, target: str) -> str:
        if target in ("head", "heads", "base") or target in graph.revisions:
            return target
        matches = [r for r in graph.revisions if r.startswith(target)] or [
            r for r, rev in graph.revisions.items() if target in rev.branch_labels
        ]
        if len(matches) != 1:
            raise UsageProblem(
                f"'{target}' names {'no' if not matches else 'more than one'} revision.",
                next_step="Pass a revision id from `dbm status` (a unique prefix is enough).",
            )
        return matches[0]

    def parents(self, migration: str) -> list[str]:
        """Its down revisions (several for a merge) and ``depends_on`` revisions."""
        graph = self.adapter.graph()
        return list(graph.parents(graph.revisions[self._resolve(graph, migration)]))

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        graph = self.adapter.graph()
        heads = self.adapter.read_heads(db) or []
        history = build_history(self.adapter, graph, heads, True)
        dest = self._resolve(graph, target) if target else "heads"
        wanted = None if dest in ("head", "heads") else graph.ancestors([dest])
        pending = [
            r.migration for r in history.rows if r.state == "pending" and (wanted is None or r.migration in wanted)
        ]
        if not pending:
            return []
        sql = self._upgrade_sql(db, graph, heads, pending, dest)
        transactional = dialect_for(db).transactional_ddl
        return [
            PlannedStep(
                rev,
                self.adapter.relative(graph.revisions[rev].path),
                "up",
                sql.get(rev, ""),
                transactional,
                {"target": dest},
            )
            for rev in pending
        ]

    def _upgrade_sql(
        self, db: Database, graph: RevisionGraph, heads: list[str], pending: list[str], dest: str
    ) -> dict[str, str]:
        """Per-revision SQL from Alembic's offline mode: one run from a single current head,
        else one run per revision (offline mode cannot start from several heads)."""
        env = self._url_variables(db)
        if len(heads) <= 1:
            rng = f"{heads[0]}:{dest}" if heads else dest
            return ar.split_by_revision(ar.offline_sql(self.root, db.url, "upgrade", rng, env))
        sql = {}
        for rev in pending:
            downs = graph.revisions[rev].down_revisions
            rng = f"{downs[0]}:{rev}" if downs else rev
            sql[rev] = ar.split_by_revision(ar.offline_sql(self.root, db.url, "upgrade", rng, env)).get(rev, "")
        return sql

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        """``alembic upgrade TARGET`` in process (over the revisions the preview loaded); outcomes read
        back from the version table."""
        from . import commands

        if not steps:
            return []
        dest = steps[-1].extra.get("target") or steps[-1].migration
        return self._run_and_check(db, steps, "up", f"upgrade to {dest}", commands.upgrade, dest)

    # --- rolling back --------------------------------------------------------------------
    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        graph = self.adapter.graph()
        heads = self.adapter.read_heads(db) or []
        applied = graph.ancestors(heads)
        if not applied:
            return []
        if target:
            dest = self._resolve(graph, target)
            undo = applied - (graph.ancestors([dest]) if dest != "base" else set())
        else:
            if len(heads) != 1:
                raise UsageProblem(
                    f"The database is at {len(heads)} heads ({', '.join(heads)}): 'the last revision' is ambiguous.",
                    next_step="Pass --to REVISION.",
                )
            undo, cur = set(), heads[0]
            for _ in range(steps or 1):
                if cur == "base":
                    break
                downs = graph.revisions[cur].down_revisions if cur in graph.revisions else ()
                if len(downs) > 1:
                    raise UsageProblem(
                        f"Revision {cur} is a merge point: stepping back past it is ambiguous.",
                        next_step="Pass --to REVISION.",
                    )
                undo.add(cur)
                cur = downs[0] if downs else "base"
            dest = cur
        order = [r for r in reversed(graph.ordered()) if r in undo]
        empty = [r for r in order if not ar.has_body(graph.revisions[r].path, "downgrade")]
        if empty:
            raise UnsupportedOperation(
                f"Revision {empty[0]} has an empty downgrade(): rolling it back would change nothing but the "
                "version table.",
                next_step="Write a reverse revision (`dbm new`), or restore a backup taken before it.",
            )
        sql = {}
        if len(heads) == 1:
            sql = ar.split_by_revision(
                ar.offline_sql(self.root, db.url, "downgrade", f"{heads[0]}:{dest}", self._url_variables(db))
            )
        transactional = dialect_for(db).transactional_ddl
        return [
            PlannedStep(
                r,
                self.adapter.relative(graph.revisions[r].path),
                "down",
                sql.get(r, ""),
                transactional,
                {"target": dest},
            )
            for r in order
        ]

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        from . import commands

        if not steps:
            return []
        dest = steps[-1].extra.get("target") or "base"
        return self._run_and_check(db, steps, "down", f"downgrade to {dest}", commands.downgrade, dest)

    def _run_and_check(
        self,
        db: Database,
        steps: list[PlannedStep],
        direction: str,
        what: str,
        fn: Callable[..., object],
        dest: str,
    ) -> list[StepOutcome]:
        cfg = ar.make_config(self.root, db.url)
        error, statement = None, None
        with runner_lock(db):
            graph = self.adapter.graph()
            before = graph.ancestors(self.adapter.read_heads(db) or [])
            already = {s.migration for s in steps if (s.migration in before) == (direction == "up")}
            start = time.perf_counter()
            try:
                ar.run(self.root, what, fn, cfg, dest, environ=self._url_variables(db))
            except MigrationFailed as exc:
                error, statement = exc.what, exc.statement
            seconds = time.perf_counter() - start
            applied = graph.ancestors(self.adapter.read_heads(db) or [])
        done = {s.migration for s in steps if (s.migration in applied) == (direction == "up")} - already
        culprit = None
        if error:
            left = [s for s in steps if s.migration not in done]
            culprit = next((s.migration for s in left if statement and statement in s.sql), None)
            culprit = culprit or (left[0].migration if left else None)
        order = [s.migration for s in steps]
        outcomes = []
        for s in steps:
            if s.migration in already:
                outcomes.append(StepOutcome(s.migration, direction, "skipped"))
            elif s.migration in done:
                state = "applied" if direction == "up" else "rolled_back"
                outcomes.append(StepOutcome(s.migration, direction, state, seconds / len(steps)))
            elif s.migration == culprit:
                outcomes.append(StepOutcome(s.migration, direction, "failed", error=error))
            else:
                note = None
                if error and culprit is not None:
                    ran_first = order.index(s.migration) < order.index(culprit)
                    note = (
                        f"rolled back with {culprit}: Alembic ran both in one transaction"
                        if ran_first
                        else f"not run: {culprit} failed first"
                    )
                outcomes.append(StepOutcome(s.migration, direction, "skipped", error=note))
        return outcomes

    # --- recovery ------------------------------------------------------------------------
    def resolve(self, db: Database, migration: str, state: str) -> str:
        """``alembic stamp``: mark a revision applied, or rolled back (stamp its down revision)."""
        from alembic import command

        graph = self.adapter.graph()
        rev = self._resolve(graph, migration)
        if state == "applied":
            dest: str | tuple[str, ...] = rev
        elif state == "rolled_back":
            downs = graph.revisions[rev].down_revisions if rev in graph.revisions else ()
            dest = downs if len(downs) > 1 else (downs[0] if downs else "base")
        else:
            raise UsageProblem(f"Unknown state '{state}'.", next_step="Use --applied or --rolled-back.")
        cfg = ar.make_config(self.root, db.url)
        with runner_lock(db):
            ar.run(self.root, f"stamp {dest}", command.stamp, cfg, dest, environ=self._url_variables(db))
        return f"alembic stamp {dest if isinstance(dest, str) else ' '.join(dest)}: {rev} marked {state}"

    def baseline(self, db: Database, target: str | None = None) -> str:
        """``alembic stamp TARGET`` (default: heads) on an existing database."""
        from alembic import command

        dest = self._resolve(self.adapter.graph(), target) if target else "heads"
        cfg = ar.make_config(self.root, db.url)
        with runner_lock(db):
            ar.run(self.root, f"stamp {dest}", command.stamp, cfg, dest, environ=self._url_variables(db))
        return f"alembic stamp {dest}: recorded as applied without running"
