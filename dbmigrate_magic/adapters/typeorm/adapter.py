"""TypeORM: ``<ts>-<Name>.ts`` migration classes and the ``migrations`` table.

Status reads the tracking table directly; changes go through the project's own TypeORM command
line (``migration:run`` / ``migration:revert``), so TypeORM's transactions and bookkeeping are its
own. The selected environment reaches it through a wrapper DataSource (see ``_node``).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ...dialects import dialect_for
from ...errors import ProjectError, UnsupportedOperation
from ...sqlsplit import split
from .._files import read_text
from .._node import (
    DownFailure,
    after_failure,
    connection_env,
    find_node_bin,
    node_url,
    run_tool,
    transaction_note,
    wrapper_folder,
)
from .._runner_lock import runner_lock
from .._tables import read_tables
from ..base import (
    Adapter,
    Evidence,
    History,
    LedgerRecord,
    MigrationFile,
    MigrationRow,
    PlannedStep,
    StepOutcome,
    merge_history,
)
from ..foreign_tables import TableMark
from . import config, locate
from . import files as tf

if TYPE_CHECKING:
    from ...db import Database

WRAPPER = Path(__file__).with_name("wrapper.js")


class TypeOrmAdapter(Adapter):
    tool = "typeorm"
    display_name = "TypeORM"
    table_marks = (
        TableMark("TypeORM", "migrations", ("timestamp", "name"), command="npx typeorm migration:run -d DATASOURCE"),
    )
    down_in_file = "a down() method"

    @classmethod
    def data_source(cls, root: Path) -> Path | None:
        """The DataSource the team's scripts name with ``-d``, else one in the usual places (``locate.py``)."""
        return locate.find_data_source(root)

    @classmethod
    def sources(cls, root: Path) -> locate.Sources:
        return locate.sources(root, cls.data_source(root), locate.ormconfig_file(root))

    @classmethod
    def files_and_notes(cls, root: Path) -> tuple[list[Path], tuple[str, ...]]:
        """The migration files TypeORM loads; a compiled ``dist/`` glob with nothing built yet is read
        from its ``src/`` TypeScript counterpart, and said so."""
        src = cls.sources(root)
        notes = [
            f"{src.origin}: the migrations entry {u} cannot be read without running it; "
            "the migrations it names are not listed"
            for u in src.unknown
        ]
        found = set(locate.glob_files(root, src.globs)) | set(src.class_files)
        if not found:
            counterparts = tuple(
                c for g in src.globs if (c := locate.build_counterpart(root, g) or locate.source_twin(root, g))
            )
            found = set(locate.glob_files(root, counterparts))
            if found:
                notes.append(
                    f"{src.origin} loads compiled migrations ({', '.join(src.globs)}), which are not built: "
                    f"read from {', '.join(counterparts)}"
                )
        return sorted(found), tuple(notes)

    @classmethod
    def files(cls, root: Path) -> list[Path]:
        return cls.files_and_notes(root)[0]

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        evidence = []
        ormconfig = locate.ormconfig_file(root)
        if ormconfig is not None:
            evidence.append(ormconfig.name)
        ds = cls.data_source(root)
        if ds is not None:
            rel = ds.relative_to(root).as_posix() if ds.is_relative_to(root) else str(ds)
            named = ds in locate.script_data_sources(root)
            evidence.append(f"{rel} (-d in package.json)" if named else rel)
        if not evidence:
            return None
        files, notes = cls.files_and_notes(root)
        folder = None
        if files:
            folders = dict.fromkeys(f.parent.relative_to(root).as_posix() for f in files if f.is_relative_to(root))
            folder = ", ".join(folders) or None
        return Evidence(cls.tool, tuple(evidence), folder, len(files), notes)

    def config_connections(self):  # parsing lives in config.py
        return config.connections(self.root, self.data_source(self.root))

    def preferred_variables(self):
        return config.preferred_variables(self.data_source(self.root))

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        for name in locate.DATA_SOURCE_NAMES:
            if (root / name).is_file() and cls.data_source(root) is None:
                return f"{name} ignored: it does not import typeorm"
        return None

    # --- reading -------------------------------------------------------------------------
    @property
    def table(self) -> str:
        sources = [p for p in (locate.ormconfig_file(self.root), self.data_source(self.root)) if p and p.is_file()]
        return tf.table_name(sources)

    def tracking_tables(self) -> tuple[str, ...]:
        return (self.table,)

    def parsed(self) -> list[tf.TypeOrmMigration]:
        """Migration classes in TypeORM's order (by the 13-digit timestamp, then name)."""
        found = [tf.parse_migration(p) for p in self.files(self.root)]
        return sorted(found, key=lambda m: (m.timestamp or 0, m.name or "", m.path.name))

    def migration_files(self) -> list[MigrationFile]:
        return [MigrationFile(m.name or m.path.stem, m.path, None, {"timestamp": m.timestamp}) for m in self.parsed()]

    def read_ledger(self, db: Database) -> list[LedgerRecord] | None:
        """Rows of the tracking table in id order (None when it does not exist; nothing is created)."""
        rows = read_tables(db, {"rows": (self.table, "id, timestamp, name", "ORDER BY id")})["rows"]
        if rows is None:
            return None
        return [
            LedgerRecord(r["name"], None, None, "applied", {"timestamp": int(r["timestamp"]), "id": r["id"]})
            for r in rows
        ]

    def history(self, db: Database | None) -> History:
        files = self.migration_files()
        notes = tuple(
            f"{self.relative(f.path)} holds no migration class with a 13-digit timestamp: TypeORM will refuse to run"
            for f in files
            if f.extra.get("timestamp") is None
        )
        notes = self.files_and_notes(self.root)[1] + notes
        records = None if db is None else self.read_ledger(db)
        h = merge_history(
            self,
            files,
            records if records is not None or db is None else [],
            table=self.table,
            extra_columns=("timestamp",),
            notes=notes,
        )
        rows = sorted(h.rows, key=_order)
        exists = records is not None
        current = h.current if exists else None
        if exists:
            applied = [r for r in rows if r.state in ("applied", "missing")]
            current = applied[-1].migration if applied else None
        return History(tuple(rows), exists, self.table, current, h.notes, h.extra_columns)

    # --- writing ---------------------------------------------------------------------------
    def migrations_folder(self) -> tuple[Path, bool]:
        """Where new migrations go and whether they are TypeScript; ``new_path`` checks the name."""
        path = self.new_path("Probe", 1700000000000)
        return path.parent, path.suffix == ".ts"

    def new_path(self, base: str, stamp: int) -> Path:
        """The file a new migration is written to: in the folder of the DataSource's first glob that
        can be written to, named so that TypeORM's own glob loads it; refused (``ProjectError``) when
        that cannot be known without running the DataSource, or when TypeORM would not load it."""
        src = self.sources(self.root)
        ds = self.data_source(self.root)
        typescript_ds = ds is None or ds.suffix != ".js"
        where = src.origin
        if src.unknown:
            raise ProjectError(
                f"{where} names its migrations with {', '.join(src.unknown)}, which cannot be read without "
                "running it, so dbm cannot tell where TypeORM looks for a new migration.",
                unchanged="Nothing was written.",
                next_step="Write the migration with `npx typeorm migration:create <folder>/<Name>`, or list the "
                'folder as a glob in the DataSource (migrations: ["src/migrations/*.ts"]).',
            )
        candidates = []
        for glob in src.globs:
            for pattern in locate.expand_braces(glob):
                candidates.append(pattern)
        if not candidates:
            raise ProjectError(
                f"{where} lists its migrations as imported classes, so a new file would not be run until it "
                "is imported and added to that list.",
                unchanged="Nothing was written.",
                next_step="Create the migration with `npx typeorm migration:create`, import it in the DataSource "
                "and add it to `migrations`, or switch the DataSource to a glob.",
            )
        built = [c for c in candidates if locate.build_counterpart(self.root, c)]
        usable = [c for c in candidates if c not in built]
        if not usable:
            counterpart = locate.build_counterpart(self.root, built[0])
            raise ProjectError(
                f"{where} loads compiled migrations ({', '.join(src.globs)}): a migration written there would be "
                f"overwritten by the next build, and one written in {counterpart} is not run until it is built.",
                unchanged="Nothing was written.",
                next_step=f"Write the migration in {tf.folder_of(counterpart or '')}, build the project, "
                "then run `dbm migrate` (or point the DataSource at the TypeScript sources when run with ts-node).",
            )
        ts = [c for c in usable if c.endswith(".ts")]
        js = [c for c in usable if c.endswith(".js")]
        ordered = (ts + js if typescript_ds else js + ts) or usable
        for pattern in ordered:
            rel = locate.relative_glob(self.root, pattern)
            if rel is None:
                continue
            folder = tf.folder_of(rel)
            last = rel.rsplit("/", 1)[-1]
            suffix = last[1:] if last.startswith("*") and not any(ch in last[1:] for ch in "*?[") else None
            if suffix is None or not suffix.startswith("."):
                continue
            path = (self.root / folder / f"{stamp}-{base}{suffix}").resolve()
            if locate.matches(self.root, src.globs, path):
                return path
        raise ProjectError(
            f"None of {where}'s migration globs ({', '.join(src.globs)}) names a folder and file pattern dbm can "
            "write a migration into that TypeORM would then load.",
            unchanged="Nothing was written.",
            next_step="Create the migration with `npx typeorm migration:create <folder>/<Name>`.",
        )

    def _dialect(self) -> str:
        """The DataSource's ``type`` decides how a cell's SQL is split into queryRunner calls."""
        source = self.data_source(self.root)
        text = read_text(source) if source else ""
        for word, dialect in (
            ("mariadb", "mysql"),
            ("mysql", "mysql"),
            ("sqlite", "sqlite"),
            ("better-sqlite3", "sqlite"),
        ):
            if f"'{word}'" in text or f'"{word}"' in text:
                return dialect
        return "postgresql"

    def _statements(self, sql: str | None) -> list[str] | None:
        return None if sql is None else [s.sql for s in split(sql, self._dialect())]

    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        stamps = [m.timestamp for m in self.parsed() if m.timestamp]
        stamp = max(int(time.time() * 1000), max(stamps, default=0) + 1)
        base = tf.pascal(name)
        cls = f"{base}{stamp}"
        down = self._statements(down_sql) if down_sql is not None else ([] if not up_sql.strip() else None)
        path = self.new_path(base, stamp)
        typescript = path.suffix == ".ts"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tf.render(cls, self._statements(up_sql) or [], down, typescript), encoding="utf-8")
        return path

    def mark_outside_transaction(self, path: Path) -> str:
        """``transaction = false`` on the class; TypeORM honours it only when migrations run with
        ``--transaction each`` (its default, ``all``, refuses the override), which dbm passes then."""
        path.write_text(tf.without_transaction(read_text(path)), encoding="utf-8")
        return "`transaction = false` on the class (run with `typeorm migration:run --transaction each`)"

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        wanted = (self._statements(up_sql) or [], self._statements(down_sql))
        stem = f"-{tf.pascal(name)}"
        for f in self.migration_files():
            if f.path.stem.endswith(stem) and tf.parse_ours(read_text(f.path)) == wanted:
                return f
        return None

    # --- planning ------------------------------------------------------------------------------
    def _step(
        self, f: MigrationFile | None, name: str, direction: str, transactional: bool, transaction: str | None = None
    ) -> PlannedStep:
        parsed = tf.parse_ours(read_text(f.path)) if f else None
        if parsed is None:
            where = "its file is missing" if f is None else "it is hand-written TypeScript"
            sql = f"-- {name}: {where}; TypeORM runs its {direction}() method, so the SQL is not known in advance."
        else:
            statements = parsed[0] if direction == "up" else parsed[1]
            sql = (
                f"-- {name} has no down SQL."
                if statements is None
                else "\n".join(s.rstrip(";") + ";" for s in statements) or "-- (no statements)"
            )
        return PlannedStep(
            name,
            self.relative(f.path) if f else None,
            direction,
            sql,
            transactional,
            {"written_by_dbm": parsed is not None, "transaction": transaction},
        )

    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        applied = {r.id for r in self.read_ledger(db) or []}
        pending = [f for f in self.migration_files() if f.id not in applied]
        if target:
            names = [f.id for f in pending]
            match = _match(target, pending)
            if match is None:
                raise ProjectError(
                    f"'{target}' is not a pending TypeORM migration.",
                    next_step="Run `dbm status` to see the pending migrations.",
                )
            pending = pending[: names.index(match) + 1]
        transactional = dialect_for(db).transactional_ddl  # TypeORM runs all pending in one transaction by default
        note = transaction_note("TypeORM", db.dialect, "all in one transaction")
        if any(tf.outside_transaction(read_text(f.path)) for f in pending):
            note = (
                "TypeORM runs each migration in its own transaction (--transaction each), those with "
                "`transaction = false` outside one"
            )
        return [
            self._step(f, f.id, "up", transactional and not tf.outside_transaction(read_text(f.path)), note)
            for f in pending
        ]

    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        records = self.read_ledger(db) or []
        newest_first = list(reversed(records))  # migration:revert undoes the highest id first
        by_name = {f.id: f for f in self.migration_files()}
        if target:
            names = [r.id for r in newest_first]
            match = _match(target, [by_name[n] for n in names if n in by_name])
            if match is None:
                raise ProjectError(
                    f"'{target}' is not an applied TypeORM migration.",
                    next_step="Run `dbm status` to see the applied migrations.",
                )
            chosen = newest_first[: names.index(match)]
        else:
            chosen = newest_first[: 1 if steps is None else steps]
        plan = []
        for rec in chosen:
            f = by_name.get(rec.id)
            if f is None:
                raise ProjectError(
                    f"{rec.id} is applied but its file is missing, so TypeORM cannot revert it.",
                    next_step="Restore the file (git checkout) and retry.",
                )
            step = self._step(
                f,
                rec.id,
                "down",
                dialect_for(db).transactional_ddl and not tf.outside_transaction(read_text(f.path)),
                transaction_note("TypeORM", db.dialect, "each revert in its own transaction"),
            )
            if step.extra["written_by_dbm"] and step.sql.endswith("has no down SQL."):
                raise UnsupportedOperation(
                    f"{rec.id} has no down SQL, so it cannot be rolled back.",
                    next_step="Write a reverse migration (`dbm migrate` with the undoing SQL) or restore a backup.",
                )
            plan.append(step)
        return plan

    # --- running the project's typeorm --------------------------------------------------------
    def _typeorm(
        self,
        db: Database,
        args: list[str],
        what: str,
        migrations: list[Path] | None = None,
        failure: DownFailure | None = None,
    ):
        ds = self.data_source(self.root)
        if ds is None:
            raise ProjectError(
                "No TypeORM DataSource file (data-source.ts) was found.",
                next_step="Create data-source.ts exporting your DataSource; ormconfig.json alone is "
                "not supported by the TypeORM 0.3+ command line.",
            )
        command = "typeorm-ts-node-commonjs" if ds.suffix == ".ts" else "typeorm"
        executable = find_node_bin(self.root, command, "typeorm")
        conn = node_url(db.url, db.dialect)
        with wrapper_folder() as tmp:
            wrapper = tmp / "dbm-data-source.js"
            wrapper.write_text(WRAPPER.read_text(encoding="utf-8"), encoding="utf-8")
            env = connection_env(conn, read_text(ds), self.preferred_variables())
            env["DBM_DATASOURCE"] = str(ds.resolve())
            if migrations is not None:
                env["DBM_TYPEORM_MIGRATIONS"] = json.dumps([str(p) for p in migrations])
            return run_tool(
                executable,
                [*args, "-d", str(wrapper)],
                cwd=self.root,
                env=env,
                what=what,
                unchanged=failure.unchanged if failure else None,
                next_step=failure.next_step if failure else None,
            )

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        """``migration:run`` (all pending in TypeORM's one transaction), serialised between dbm runners."""
        if not steps:
            return []
        with runner_lock(db):
            applied_before = {r.id for r in self.read_ledger(db) or []}
            todo = [s for s in steps if s.migration not in applied_before]
            if not todo:  # another run applied the plan since the preview
                return [StepOutcome(s.migration, "up", "skipped") for s in steps]
            files = self.migration_files()
            wanted = {s.migration for s in steps} | applied_before
            subset = None
            if {f.id for f in files} - wanted:  # `--to`: hand TypeORM only the migrations up to the target
                subset = [f.path for f in files if f.id in wanted]
            started = time.perf_counter()
            error = None
            try:
                # a class with `transaction = false` is refused by TypeORM's default mode (all in one transaction)
                mode = ["--transaction", "each"] if any(not s.transactional for s in todo) else []
                self._typeorm(db, ["migration:run", *mode], "npx typeorm migration:run", subset)
            except Exception as exc:
                error = exc
            seconds = time.perf_counter() - started
            done = {r.id for r in self.read_ledger(db) or []}
        outcomes = []
        for s in steps:
            if s.migration in applied_before:
                outcomes.append(StepOutcome(s.migration, "up", "skipped"))
            elif s.migration in done:
                outcomes.append(StepOutcome(s.migration, "up", "applied", seconds / len(todo)))
            elif error is not None:
                outcomes.append(StepOutcome(s.migration, "up", "failed", 0.0, getattr(error, "what", None)))
            else:  # TypeORM finished without running it: never report that as done
                outcomes.append(StepOutcome(s.migration, "up", "failed", 0.0, "TypeORM did not load this migration"))
        not_run = [s.migration for s in todo if s.migration not in done]
        if error is None and not_run:
            raise ProjectError(
                f"TypeORM's migration:run finished without running {', '.join(not_run)}: its DataSource does not "
                "load that file.",
                unchanged=f"Applied in this run: {', '.join(s.migration for s in todo if s.migration in done) or 'none'}; "
                f"{', '.join(not_run)} stay(s) pending.",
                next_step="Check the DataSource's `migrations` entry (`dbm detect` shows the files TypeORM loads) "
                "and move the file there.",
            )
        if error is not None:
            raise after_failure(
                error,
                [s.migration for s in todo if s.migration in done],
                [s.migration for s in todo if s.migration not in done],
                steps[0].transactional,
            )
        return outcomes

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        """``migration:revert`` once per step; each step must still be the newest applied one."""
        outcomes = []
        with runner_lock(db):
            for step in steps:
                records = self.read_ledger(db) or []
                if step.migration not in {r.id for r in records}:
                    outcomes.append(StepOutcome(step.migration, "down", "skipped"))
                    continue
                if records[-1].id != step.migration:
                    raise ProjectError(
                        f"{records[-1].id} was applied after the preview, so reverting now would undo it, not "
                        f"{step.migration}.",
                        unchanged=f"Reverted so far: {len(outcomes)} step(s).",
                        next_step="Run `dbm status`, then preview the rollback again.",
                    )
                started = time.perf_counter()
                failure = DownFailure.of("TypeORM", [step.migration], dialect_for(db).transactional_ddl)
                # migration:revert ignores the class's `transaction = false`: only --transaction none skips it
                mode = [] if step.transactional else ["--transaction", "none"]
                self._typeorm(db, ["migration:revert", *mode], "npx typeorm migration:revert", failure=failure)
                still = {r.id for r in self.read_ledger(db) or []}
                outcomes.append(
                    StepOutcome(
                        step.migration,
                        "down",
                        "failed" if step.migration in still else "rolled_back",
                        time.perf_counter() - started,
                    )
                )
        return outcomes


def _order(row: MigrationRow):
    stamp = row.extra.get("timestamp")
    if stamp is None:
        m = re.search(r"(\d{13})$", row.migration)
        stamp = int(m.group(1)) if m else 0
    return (stamp, row.migration)


def _match(target: str, files: list[MigrationFile]) -> str | None:
    """A migration by class name, by file name/stem, or by its timestamp."""
    for f in files:
        if target in (f.id, f.path.name, f.path.stem, str(f.extra.get("timestamp"))):
            return f.id
    return None
