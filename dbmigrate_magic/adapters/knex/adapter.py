"""Knex: ``migrations/<ts>_<name>.js`` and the ``knex_migrations`` table, run through the knex CLI.

Status reads the tracking table directly (no node process: it must be fast). Changes always go
through the project's own ``knex`` command line, so Knex's lock table, batches and transactions
are Knex's own; we only hand it the selected environment's connection.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for
from ...errors import ProjectError, UnsupportedOperation
from .._files import first_existing, read_text
from .._tables import read_tables
from ..base import (
    Adapter,
    Evidence,
    History,
    LedgerRecord,
    Listed,
    MigrationFile,
    PlannedStep,
    StepOutcome,
    merge_listed,
    to_utc,
)
from ..foreign_tables import TableMark
from . import config
from . import files as kf

if TYPE_CHECKING:
    from ...db import Database
    from .._node import DownFailure, ToolRun

KNEXFILES = kf.KNEXFILES
MIGRATION_EXTS = (".js", ".ts", ".cjs", ".mjs")
WRAPPER = Path(__file__).with_name("wrapper.js")


class KnexAdapter(Adapter):
    tool = "knex"
    display_name = "Knex"
    table_marks = (
        TableMark("Knex", "knex_migrations", ("name", "batch"), command="npx knex migrate:latest"),
        TableMark("Knex", "knex_migrations_lock", ("is_locked",), command="npx knex migrate:latest"),
    )
    down_in_file = "an exports.down function"

    # --- detection ---------------------------------------------------------------------
    @classmethod
    def migrations_dir(cls, root: Path) -> Path:
        return kf.read_settings(root).directory

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        knexfile = first_existing(root, KNEXFILES)
        if knexfile is None:
            return None
        folder = cls.migrations_dir(root)
        count = _count_files(folder)
        rel = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
        return Evidence(cls.tool, (knexfile.name,), rel, count)

    def config_connections(self):  # parsing lives in config.py
        return config.connections(self.root, first_existing(self.root, KNEXFILES))

    def preferred_variables(self):
        return config.preferred_variables(first_existing(self.root, KNEXFILES))

    @cached_property
    def settings(self) -> kf.KnexSettings:
        return kf.read_settings(self.root)

    def relative(self, path: Path) -> str:
        # fast path for the common case (2,000 files in one folder): Path.relative_to is slow
        if path.parent == self.settings.directory:
            return self._dir_prefix + path.name
        return super().relative(path)

    @cached_property
    def _dir_prefix(self) -> str:
        """What ``relative`` puts before the name of a file in the migrations folder."""
        return super().relative(self.settings.directory) + "/"

    def tracking_tables(self) -> tuple[str, ...]:
        s = self.settings
        return tuple(f"{s.schema}.{t}" if s.schema else t for t in (s.table, s.lock_table))

    # --- reading -------------------------------------------------------------------------
    def migration_files(self) -> list[MigrationFile]:
        return [MigrationFile(p.name, p) for p in kf.list_files(self.settings)]

    def read_ledger(self, db: Database) -> tuple[list[LedgerRecord] | None, tuple[str, ...]]:
        """Rows of the tracking table in id order (None: no table), and notes about its lock."""
        settings = self.settings
        found = read_tables(
            db,
            {
                "rows": (settings.table, "id, name, batch, migration_time", "ORDER BY id"),
                "lock": (settings.lock_table, "is_locked", ""),
            },
            settings.schema,
        )
        if found["rows"] is None:
            return None, ()
        notes: tuple[str, ...] = ()
        if any(r["is_locked"] for r in found["lock"] or []):
            notes = (
                f"{settings.lock_table} is locked: a knex migration is running now, or one crashed; if none "
                "is running, `npx knex migrate:unlock` releases it.",
            )
        records = [
            LedgerRecord(r["name"], to_utc(r["migration_time"]), None, "applied", {"batch": r["batch"], "id": r["id"]})
            for r in found["rows"]
        ]
        return records, notes

    def history(self, db: Database | None) -> History:
        """Each file by name, shown as ``relative`` shows it, with no ``Path`` made for each of 2,000."""
        names = kf.list_names(self.settings)
        files = [Listed(n, self._dir_prefix + n) for n in names]
        table = self.settings.table
        if db is None:
            return merge_listed(files, None, table=table, extra_columns=("batch",))
        records, notes = self.read_ledger(db)
        if records is None:
            h = merge_listed(files, [], table=table, extra_columns=("batch",))
            return History(h.rows, False, table, None, h.notes, h.extra_columns)
        missing = {r.id for r in records} - set(names)
        if missing:
            notes += (
                f"knex refuses to migrate while applied files are missing ({len(missing)}: "
                f"{', '.join(sorted(missing)[:3])}{'...' if len(missing) > 3 else ''}): restore them first.",
            )
        return merge_listed(files, records, table=table, extra_columns=("batch",), notes=notes)

    # --- writing ---------------------------------------------------------------------------
    def _statements(self, sql: str | None) -> list[str] | None:
        from ...sqlsplit import split

        if sql is None:
            return None
        return [s.sql for s in split(sql, self.sql_dialect or self._client_dialect() or "postgresql")]

    def _client_dialect(self) -> str | None:
        """The dialect of the one client the knexfile names; None when it names none, or several (a
        knexfile choosing its client from DATABASE_URL at run time): the text cannot tell which runs,
        and splitting PostgreSQL's dollar-quoted bodies as SQLite would cut them at each ``;``."""
        text = read_text(self.settings.knexfile) if self.settings.knexfile else ""
        named = {
            dialect
            for word, dialect in (
                ("better-sqlite3", "sqlite"),
                ("sqlite3", "sqlite"),
                ("mysql", "mysql"),
                ("mysql2", "mysql"),
                ("pg", "postgresql"),
                ("postgres", "postgresql"),
            )
            if f"'{word}'" in text or f'"{word}"' in text
        }
        return named.pop() if len(named) == 1 else None

    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        settings = self.settings
        settings.directory.mkdir(parents=True, exist_ok=True)
        stamp = kf.next_timestamp(kf.list_files(settings))
        path = settings.directory / f"{stamp}_{kf.slug(name)}.js"
        # an empty migration reverts trivially; SQL without a DOWN part cannot be reverted
        down = self._statements(down_sql) if down_sql is not None else ([] if not up_sql.strip() else None)
        path.write_text(kf.render(self._statements(up_sql) or [], down), encoding="utf-8")
        return path

    def mark_outside_transaction(self, path: Path) -> str:
        """``exports.config = { transaction: false }``: knex runs the migration outside a transaction."""
        path.write_text(read_text(path) + "\nexports.config = { transaction: false };\n", encoding="utf-8")
        return "`exports.config = { transaction: false }`"

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        wanted = (self._statements(up_sql) or [], self._statements(down_sql))
        suffix = f"_{kf.slug(name)}.js"
        for f in self.migration_files():
            if f.path.name.endswith(suffix) and kf.parse_ours(read_text(f.path)) == wanted:
                return f
        return None

    # --- planning -----------------------------------------------------------------------------
    def _step(self, f: MigrationFile | None, name: str, direction: str, transactional: bool) -> PlannedStep:
        parsed = kf.parse_ours(read_text(f.path)) if f else None
        if parsed is None:
            where = "its file is missing" if f is None else "it is hand-written JavaScript"
            sql = f"-- {name}: {where}; knex runs its {direction}() function, so the SQL is not known in advance."
            ours = False
        else:
            statements = parsed[0] if direction == "up" else parsed[1]
            if statements is None:
                sql = f"-- {name} has no down SQL."
            else:
                sql = "\n".join(s.rstrip(";") + ";" for s in statements) or "-- (no statements)"
            ours = True
        return PlannedStep(
            name, self.relative(f.path) if f else None, direction, sql, transactional, {"written_by_dbm": ours}
        )

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        from .._node import transaction_note

        files = self.migration_files()
        records, _ = self.read_ledger(db)
        applied = {r.id for r in records or []}
        missing = sorted(applied - {f.id for f in files})
        if missing:
            raise ProjectError(
                f"knex will not migrate: {len(missing)} applied migration file(s) are missing ({', '.join(missing[:3])}).",
                next_step="Restore the missing files (git checkout) and retry; `dbm status` lists them.",
            )
        pending = [f for f in files if f.id not in applied]
        if target:
            names = [f.id for f in pending]
            match = _match(target, names)
            if match is None:
                raise ProjectError(
                    f"'{target}' is not a pending Knex migration.",
                    next_step="Run `dbm status` to see the pending migrations.",
                )
            pending = pending[: names.index(match) + 1]
        transactional = dialect_for(db).transactional_ddl
        note = transaction_note("knex", db.dialect, "the whole batch in one transaction")
        return [_with(self._step(f, f.id, "up", transactional), transaction=note) for f in pending]

    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        from .._node import transaction_note

        records, _ = self.read_ledger(db)
        records = records or []
        if not records:
            return []
        by_name = {f.id: f for f in self.migration_files()}
        missing = sorted({r.id for r in records} - set(by_name))
        if missing:  # knex checks the whole directory first and refuses
            raise ProjectError(
                f"knex will not roll back: {len(missing)} applied migration file(s) are missing ({', '.join(missing[:3])}).",
                next_step="Restore the missing files (git checkout) and retry; `dbm status` lists them.",
            )
        newest_first = list(reversed(records))
        if target:
            match = _match(target, [r.id for r in records])
            if match is None:
                raise ProjectError(
                    f"'{target}' is not an applied Knex migration.",
                    next_step="Run `dbm status` to see the applied migrations.",
                )
            chosen = newest_first[: [r.id for r in newest_first].index(match)]
            mode = "down"
        elif steps is not None:
            chosen, mode = newest_first[:steps], "down"
        else:
            last = max(r.extra["batch"] for r in records)
            chosen, mode = [r for r in newest_first if r.extra["batch"] == last], "rollback"
        plan = []
        for rec in chosen:
            step = self._step(by_name.get(rec.id), rec.id, "down", dialect_for(db).transactional_ddl)
            if step.extra["written_by_dbm"] and step.sql.endswith("has no down SQL."):
                raise UnsupportedOperation(
                    f"{rec.id} has no down SQL, so it cannot be rolled back.",
                    next_step="Write a reverse migration (`dbm migrate` with the undoing SQL) or restore a backup.",
                )
            unit = "the whole batch in one transaction" if mode == "rollback" else "each in its own transaction"
            plan.append(
                PlannedStep(
                    step.migration,
                    step.file,
                    "down",
                    step.sql,
                    step.transactional,
                    {
                        **step.extra,
                        "knex_command": mode,
                        "batch": rec.extra["batch"],
                        "transaction": transaction_note("knex", db.dialect, unit),
                    },
                )
            )
        return plan

    # --- running the project's knex ------------------------------------------------------------
    def run_seeds(self, db: Database) -> ToolRun:
        """``knex seed:run`` against ``db``; a failing seed is returned (exit code, masked output), not raised."""
        return self._knex(db, ["seed:run"], "npx knex seed:run", check=False)

    def _knex(
        self, db: Database, args: list[str], what: str, failure: DownFailure | None = None, check: bool = True
    ) -> ToolRun:
        from .._node import connection_env, find_node_bin, node_url, run_tool, wrapper_folder  # running knex only

        settings = self.settings
        if settings.knexfile is None:
            raise ProjectError("No knexfile was found.", next_step="Create knexfile.js (`npx knex init`).")
        knex_bin = find_node_bin(self.root, "knex", "knex")
        conn = node_url(db.url, db.dialect)
        with wrapper_folder() as tmp:
            wrapper = tmp / "knexfile.js"
            wrapper.write_text(WRAPPER.read_text(encoding="utf-8"), encoding="utf-8")
            env = connection_env(conn, read_text(settings.knexfile), self.preferred_variables())
            if settings.knexfile.suffix == ".ts":
                # knex would look for ts-node next to our wrapper; register the project's own instead
                register = find_node_bin(self.root, "ts-node", "ts-node").parent.parent / "ts-node" / "register"
                env["NODE_OPTIONS"] = (os.environ.get("NODE_OPTIONS", "") + f' --require "{register}"').strip()
            env.update(
                {
                    "DBM_PROJECT_ROOT": str(self.root),
                    "DBM_KNEXFILE": str(settings.knexfile.resolve()),
                    "DBM_KNEX_ENV": db.environment or "",
                }
            )
            module = _knex_module(knex_bin)
            if module:
                env["KNEX_PATH"] = str(module)
            return run_tool(
                knex_bin,
                ["--knexfile", str(wrapper), *args],
                cwd=self.root,
                env=env,
                what=what,
                check=check,
                unchanged=failure.unchanged if failure else None,
                next_step=failure.next_step if failure else None,
            )

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        """``migrate:latest`` (or ``migrate:to`` the last step): one knex batch, under knex's own lock."""
        from .._node import after_failure
        from .._runner_lock import runner_lock

        if not steps:
            return []
        import time

        # Knex's lock table guards against every runner, but two first runs on a fresh database race to
        # create knex's tables and both fail; dbm runners therefore also queue on our runner lock.
        with runner_lock(db):
            before, _ = self.read_ledger(db)
            before_ids = {r.id for r in before or []}
            if steps[-1].migration in before_ids:  # another run applied the plan since the preview
                return [StepOutcome(s.migration, "up", "skipped") for s in steps]
            newest = self.migration_files()[-1].id
            args = ["migrate:latest"] if steps[-1].migration == newest else ["migrate:to", steps[-1].migration]
            started = time.perf_counter()
            error = None
            output = ""
            try:
                output = self._knex(db, args, f"npx knex {args[0]}").stdout
            except Exception as exc:  # ToolFailed: report per step from the table, then re-raise below
                error = exc
            seconds = time.perf_counter() - started
            records, _ = self.read_ledger(db)
        done = {r.id for r in records or []}
        ours = _ran_by_this_run(output, records or [], before_ids)
        outcomes = []
        for s in steps:
            if s.migration in ours:
                outcomes.append(StepOutcome(s.migration, "up", "applied", seconds / len(steps)))
            elif s.migration in done:
                outcomes.append(StepOutcome(s.migration, "up", "skipped"))  # recorded by a concurrent run
            else:
                outcomes.append(
                    StepOutcome(s.migration, "up", "failed" if error else "skipped", 0.0, getattr(error, "what", None))
                )
        if error is not None:
            raise after_failure(
                error,
                [s.migration for s in steps if s.migration in done],
                [s.migration for s in steps if s.migration not in done],
                steps[0].transactional,
            )
        return outcomes

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        from .._runner_lock import runner_lock

        if not steps:
            return []
        with runner_lock(db):
            return self._rollback(db, steps)

    def _down_failure(self, db: Database, names: list[str]) -> DownFailure:
        from .._node import DownFailure

        return DownFailure.of("knex", names, dialect_for(db).transactional_ddl)

    def _rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        import time

        started = time.perf_counter()
        if all(s.extra.get("knex_command") == "rollback" for s in steps):
            records, _ = self.read_ledger(db)
            last = max((r.extra["batch"] for r in records or []), default=None)
            if {r.id for r in records or [] if r.extra["batch"] == last} != {s.migration for s in steps}:
                raise ProjectError(
                    "The last knex batch changed since the preview (another run).",
                    next_step="Run `dbm status`, then preview the rollback again.",
                )
            names = [s.migration for s in steps]
            self._knex(db, ["migrate:rollback"], "npx knex migrate:rollback", self._down_failure(db, names))
        else:
            for step in steps:  # migrate:down undoes the newest applied migration, one at a time
                records, _ = self.read_ledger(db)
                if not records or records[-1].id != step.migration:
                    raise ProjectError(
                        f"{step.migration} is no longer the newest applied migration (another run changed the "
                        "history since the preview).",
                        next_step="Run `dbm status`, then preview again.",
                    )
                self._knex(db, ["migrate:down"], "npx knex migrate:down", self._down_failure(db, [step.migration]))
        seconds = time.perf_counter() - started
        records, _ = self.read_ledger(db)
        still = {r.id for r in records or []}
        return [
            StepOutcome(
                s.migration, "down", "rolled_back" if s.migration not in still else "failed", seconds / len(steps)
            )
            for s in steps
        ]


def _with(step: PlannedStep, **extra) -> PlannedStep:
    return PlannedStep(step.migration, step.file, step.direction, step.sql, step.transactional, {**step.extra, **extra})


def _ran_by_this_run(output: str, records: list[LedgerRecord], before: set[str]) -> set[str]:
    """Migrations this knex run recorded: its batch, as knex prints it ("Batch 3 run: 2 migrations")."""
    if "Already up to date" in output:
        return set()
    m = re.search(r"Batch (\d+) (?:run|ran)", output)
    if m:
        return {r.id for r in records if r.extra["batch"] == int(m.group(1))}
    return {r.id for r in records} - before


def _count_files(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.is_file() and os.path.splitext(e.name)[1] in MIGRATION_EXTS)
    except OSError:
        return 0


def _knex_module(knex_bin: Path) -> Path | None:
    """The knex package folder behind ``node_modules/.bin/knex`` (the CLI needs it via KNEX_PATH)."""
    candidate = knex_bin.parent.parent / "knex"
    return candidate.resolve() if (candidate / "package.json").is_file() else None


def _match(target: str, names: list[str]) -> str | None:
    """A migration named exactly, without its extension, or by its timestamp prefix."""
    for name in names:
        stem = name.rsplit(".", 1)[0]
        if target in (name, stem) or stem.split("_", 1)[0] == target:
            return name
    return None
