"""Drizzle: ``<out>/NNNN_name.sql`` + ``meta/_journal.json`` and ``__drizzle_migrations``.

drizzle-orm's migrator records ``(hash, created_at)`` per migration, where ``hash`` is the
sha256 of the file text and ``created_at`` the journal's ``when`` (generation time). It runs
every journal entry whose ``when`` is newer than the newest recorded ``created_at``, all in one
transaction. We read and write exactly that, and say when its rule would skip a migration.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...dialects import dialect_for, find_dialect, tool_words
from ...errors import ProjectError, UnsupportedOperation
from .._files import first_existing, js_string_option, read_text
from ..base import Adapter, Evidence, History, MigrationFile, MigrationRow, PlannedStep, StepOutcome, rows_to_revert
from ..foreign_tables import TableMark
from . import config
from . import files as files

if TYPE_CHECKING:
    from ...db import Database
    from ...dialects.base import Dialect
    from .ledger import DrizzleLedger, LedgerRow

CONFIG_NAMES = (
    "drizzle.config.ts",
    "drizzle.config.js",
    "drizzle.config.mjs",
    "drizzle.config.mts",
    "drizzle.config.cjs",
    "drizzle.config.json",
)
#: drizzle-kit's ``dialect`` words, as the dialect each runs on
DIALECTS = tool_words(
    postgresql=("postgresql", "postgres", "pg"), mysql=("mysql", "singlestore"), sqlite=("sqlite", "turso", "libsql")
)


def _iso(ms: int | None) -> str:
    if ms is None:
        return "-"
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class DrizzleAdapter(Adapter):
    tool = "drizzle"
    display_name = "Drizzle"
    no_transaction_limit = (
        "drizzle-kit migrate runs every pending migration in one transaction, with no setting to run one outside it"
    )
    table_marks = (
        TableMark(
            "Drizzle",
            "__drizzle_migrations",
            ("hash", "created_at"),
            schema="drizzle",
            command="npx drizzle-kit migrate",
        ),
    )
    ledger_directions = ("down",)  # up: drizzle-orm runs the batch in one transaction
    extra_columns = ("generated_at",)

    @classmethod
    def out_dir(cls, root: Path) -> Path:
        config = first_existing(root, CONFIG_NAMES)
        if config is not None:
            out = js_string_option(read_text(config), "out")
            if out:
                return (root / out).resolve()
        return root / "drizzle"

    @classmethod
    def recommendation(cls, root: Path) -> str | None:
        package = root / "package.json"
        if not package.is_file():
            return None
        text = read_text(package)
        lang = "TypeScript" if ("typescript" in text or list(root.glob("tsconfig*.json"))) else "JavaScript"
        return f"package.json found ({lang} project): Drizzle (drizzle-kit) fits it best."

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        config = first_existing(root, CONFIG_NAMES)
        out = cls.out_dir(root)
        journal = out / "meta" / "_journal.json"
        count = 0
        if journal.is_file():
            try:
                import json

                count = len(json.loads(read_text(journal)).get("entries", []))
            except ValueError:
                count = 0
        elif out.is_dir():
            count = len(list(out.glob("*.sql"))) + len(list(out.glob("*/migration.sql")))
        rel_out = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
        if config is not None:
            return Evidence(cls.tool, (config.name,), rel_out, count)
        if out.is_dir() and (journal.is_file() or count):
            files_ = (journal.relative_to(root).as_posix(),) if journal.is_file() else (rel_out + "/",)
            return Evidence(cls.tool, files_, rel_out, count)
        return None

    def config_connections(self):  # parsing lives in config.py
        return config.connections(self.root, first_existing(self.root, CONFIG_NAMES))

    def preferred_variables(self):
        return config.preferred_variables(first_existing(self.root, CONFIG_NAMES))

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        folder = root / "drizzle"
        if folder.is_dir() and cls.detect(root) is None:
            return "drizzle/ folder ignored: it holds no meta/_journal.json and no .sql migrations"
        return None

    # --- configuration -----------------------------------------------------------------
    @property
    def out(self) -> Path:
        return self.out_dir(self.root)

    def _exported(self) -> dict:
        """The config's exported object, read without running it (drizzle_config)."""
        exported, _ = config.credentials(first_existing(self.root, CONFIG_NAMES))
        return exported if isinstance(exported, dict) else {}

    def config_dialect(self) -> str | None:
        found = self._exported().get("dialect")
        if not isinstance(found, str):
            journal = files.read_journal(self.out)
            found = journal.get("dialect") if journal else None
        return DIALECTS.get((found or "").lower())

    def _migrations_table(self) -> tuple[str, str]:
        """(table, schema) of the migrator, honouring the config's ``migrations: {table, schema}``."""
        block = self._exported().get("migrations")
        block = block if isinstance(block, dict) else {}
        table, schema = block.get("table"), block.get("schema")
        return (
            table if isinstance(table, str) else "__drizzle_migrations",
            schema if isinstance(schema, str) else "drizzle",
        )

    def ledger(self, db: Database) -> DrizzleLedger:
        from .ledger import DrizzleLedger  # here: detecting a project (every status) has no use for it

        return DrizzleLedger(db, *self._migrations_table())

    def tracking_tables(self) -> tuple[str, ...]:
        """drizzle-orm's migrator table; on PostgreSQL in its own schema (``drizzle`` by default)."""
        table, schema = self._migrations_table()
        kind = find_dialect(self.config_dialect())
        return (f"{schema}.{table}",) if kind is not None and kind.has_schemas else (table,)

    # --- reading ------------------------------------------------------------------------
    def entries(self) -> tuple[list[files.Entry], list[str]]:
        return files.entries(self.out)

    def runs_in_transaction(self, f: MigrationFile, dialect: Dialect) -> bool | None:
        """drizzle-kit migrate runs the pending migrations in one transaction where the database has transactional DDL (as ``plan_apply`` marks each step)."""
        return dialect.transactional_ddl

    def migration_files(self, found: list[files.Entry] | None = None, cached: bool = False) -> list[MigrationFile]:
        """Each journal entry with its file's hash (``checksums``)."""
        if found is None:
            found, _ = self.entries()
        return [
            MigrationFile(e.tag, e.path, checksum, {"when": e.when, "idx": e.idx, "generated_at": _when(e.when)})
            for e, checksum in zip(found, self.checksums(found, cached))
        ]

    def checksums(self, found: list[files.Entry], cached: bool = False) -> list[str | None]:
        """drizzle-orm's hash of each entry's file (None: no file). ``cached`` (status, which only
        reads): hashes of files unchanged since an earlier listing (same size and mtime) come from
        ``.dbm/cache`` (``_facts_cache``) instead of reading and hashing every file; what is
        applied is always hashed anew."""
        from .._facts_cache import MISS, FactsCache, code_key

        cache = FactsCache(self.root if cached else None, "drizzle", code_key(modules=(files.__file__,)))
        sep = os.sep
        out: list[str | None] = []
        for e in found:
            path = f"{e.out}{sep}{e.file}" if sep == "/" else str(e.path)
            checksum, stamp = cache.get(path)
            if checksum is MISS:
                checksum = files.file_hash(e.path.read_bytes()) if e.path.is_file() else None
                cache.put(path, stamp, checksum)
            out.append(checksum)
        cache.save()
        return out

    def history(self, db: Database | None) -> History:
        entries, notes = self.entries()
        sums = self.checksums(entries, cached=True)
        table_name = "__drizzle_migrations"
        if db is None:
            unread = tuple(
                MigrationRow(e.tag, self.relative_in(e.out, e.file), "unknown", extra={"generated_at": _when(e.when)})
                for e in entries
            )
            return History(unread, False, table_name, None, tuple(notes), self.extra_columns)
        ledger = self.ledger(db)
        records = ledger.read()
        if records is None:
            rows: list[MigrationRow] = []
            for e, checksum in zip(entries, sums):
                note = None if checksum else "listed in the journal but the file is missing"
                rows.append(
                    MigrationRow(
                        e.tag,
                        self.relative_in(e.out, e.file),
                        "pending",
                        note=note,
                        extra={"generated_at": _when(e.when)},
                    )
                )
            return History(tuple(rows), False, ledger.display, None, tuple(notes), self.extra_columns)
        rows = self._merge(entries, sums, records)
        applied = [r for r in rows if r.state in ("applied", "modified")]
        if any(r.state == "skipped" for r in rows):
            notes.append(
                "drizzle-kit migrate runs only migrations generated after the newest applied one; "
                "'skipped' migrations will never run with it (dbm migrate applies them)."
            )
        return History(
            tuple(rows),
            True,
            ledger.display,
            applied[-1].migration if applied else None,
            tuple(notes),
            self.extra_columns,
        )

    def _merge(
        self, entries: list[files.Entry], sums: list[str | None], records: list[LedgerRow]
    ) -> list[MigrationRow]:
        """Rows to files: by hash first, then by name (1.0), then by ``when`` == created_at."""
        by_hash: dict[object, list[int]] = {}
        for i, r in enumerate(records):
            by_hash.setdefault(r.hash, []).append(i)
        used: set[int] = set()

        def take(index: dict[object, list[int]], key: object) -> LedgerRow | None:
            for i in index.get(key, ()):
                if i not in used:
                    used.add(i)
                    return records[i]
            return None

        matched: dict[str, tuple[LedgerRow, bool]] = {}
        for e, checksum in zip(entries, sums):
            found = take(by_hash, checksum) if checksum is not None else None
            if found is not None:
                matched[e.tag] = (found, True)
        unmatched = [e for e in entries if e.tag not in matched]
        if unmatched:  # by name, then time, for these only (none in the usual listing: no index to build)
            by_name: dict[object, list[int]] = {}
            by_when: dict[object, list[int]] = {}
            for i, r in enumerate(records):
                if r.name is not None:
                    by_name.setdefault(r.name, []).append(i)
                if r.created_at is not None:
                    by_when.setdefault(r.created_at, []).append(i)
            for e in unmatched:
                if e.tag not in matched:
                    found = take(by_name, e.tag) or take(by_when, e.when)
                    if found is not None:
                        matched[e.tag] = (found, False)
        # drizzle-orm 0.x runs only entries newer than the newest created_at; tables with a name
        # column (1.0) match by name, so the skip rule is applied to 0.x tables only
        named = any(r.name for r in records)
        newest = None if named else max((r.created_at for r in records if r.created_at is not None), default=None)
        rows: list[MigrationRow] = []
        for e, checksum in zip(entries, sums):
            when = e.when
            extra = {"generated_at": _when(when)}
            rel = self.relative_in(e.out, e.file)  # the folder's part is worked out once per folder
            if e.tag in matched:
                r, same = matched[e.tag]
                if checksum is None:
                    row = MigrationRow(
                        e.tag, None, "missing", r.applied_at, None, "recorded in the database, file not found", extra
                    )
                elif same:
                    row = MigrationRow(e.tag, rel, "applied", r.applied_at, True, None, extra)
                else:
                    row = MigrationRow(
                        e.tag,
                        rel,
                        "modified",
                        r.applied_at,
                        False,
                        "the file changed after it was applied (hash differs)",
                        extra,
                    )
            elif checksum is None:
                row = MigrationRow(
                    e.tag, rel, "pending", None, None, "listed in the journal but the file is missing", extra
                )
            elif newest is not None and when <= newest:
                note = (
                    f"generated {_iso(when)}, before the newest applied migration ({_iso(newest)}): "
                    "drizzle-kit migrate only runs newer ones, so it will never run this (merged from an "
                    "older branch?). Apply it with `dbm migrate`, or regenerate it."
                )
                row = MigrationRow(e.tag, rel, "skipped", None, None, note, extra)
            else:
                row = MigrationRow(e.tag, rel, "pending", None, None, None, extra)
            rows.append(row)
        if len(used) == len(records):
            return rows  # every record has its file: the rows are in journal order as they stand
        # records with no file go where their generation time sorts, before the entry at that place
        whens = sorted(e.when for e in entries)
        keyed = [((order, 0), row) for order, row in enumerate(rows)]
        for r in (r for i, r in enumerate(records) if i not in used):
            name = r.name or f"hash {r.hash[:12]}"
            pos = bisect.bisect_right(whens, r.created_at or 0)
            keyed.append(
                (
                    (pos, -1),
                    MigrationRow(
                        name,
                        None,
                        "missing",
                        r.applied_at,
                        None,
                        "recorded in the database (hash " + r.hash[:12] + "), no file in "
                        "the journal has this hash or generation time",
                        {"generated_at": _when(r.created_at)},
                    ),
                )
            )
        keyed.sort(key=lambda pair: pair[0])
        return [row for _, row in keyed]

    # --- writing files --------------------------------------------------------------------
    def _dialect_for_files(self) -> str:
        return self.config_dialect() or "postgresql"

    def new_migration(self, name: str, up_sql: str = "", down_sql: str | None = None) -> Path:
        """A journal entry, ``NNNN_name.sql`` with breakpoints and a snapshot chained to the last."""
        from ...sqlsplit import split as split_statements

        dialect = self._dialect_for_files()
        out = self.out
        entries, _ = self.entries()
        if entries and entries[0].layout == "folder":
            return self._new_folder_migration(name, up_sql, down_sql, entries, dialect)
        journal = files.read_journal(out) or {"version": files.JOURNAL_VERSION, "dialect": dialect, "entries": []}
        idx = len(journal["entries"])
        tag = f"{idx:04d}_{files.slug(name)}"
        if (out / f"{tag}.sql").exists():
            raise ProjectError(
                f"{self.relative(out / (tag + '.sql'))} already exists but is not in the journal.",
                next_step="Remove it or add it to meta/_journal.json first.",
            )
        last_when = max((e.when for e in entries), default=0)
        when = max(int(time.time() * 1000), last_when + 1)
        snapshot = files.next_snapshot(out, entries[-1].tag if entries else None, dialect)
        up = (
            files.render_sql([s.sql for s in split_statements(up_sql, dialect)])
            if up_sql.strip()
            else "-- Custom SQL migration file, put your code below! --"
        )
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{tag}.sql"
        path.write_text(up, encoding="utf-8")
        files.write_json(files.snapshot_path(out, tag), snapshot)
        journal["entries"].append(
            {"idx": idx, "version": snapshot.get("version", "7"), "when": when, "tag": tag, "breakpoints": True}
        )
        files.write_json(files.journal_path(out), journal)
        if down_sql and down_sql.strip():
            entry = files.Entry(tag, when, out, path.name, idx, "journal")
            entry.down_path.write_text(
                files.render_sql([s.sql for s in split_statements(down_sql, dialect)]), encoding="utf-8"
            )
        return path

    def _new_folder_migration(self, name, up_sql, down_sql, entries, dialect) -> Path:
        import json
        import uuid

        from ...sqlsplit import split as split_statements

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        if entries and stamp <= entries[-1].tag[:14]:
            stamp = (dt.datetime.strptime(entries[-1].tag[:14], "%Y%m%d%H%M%S") + dt.timedelta(seconds=1)).strftime(
                "%Y%m%d%H%M%S"
            )
        folder = self.out / f"{stamp}_{files.slug(name)}"
        folder.mkdir(parents=True)
        (folder / "migration.sql").write_text(
            files.render_sql([s.sql for s in split_statements(up_sql, dialect)]), encoding="utf-8"
        )
        prev = entries[-1].path.parent / "snapshot.json" if entries else None
        snap = json.loads(prev.read_text(encoding="utf-8")) if prev and prev.is_file() else {}
        prev_id = snap.get("id", files.ZERO_ID)
        snap = {k: v for k, v in snap.items() if k not in ("id", "prevId", "prevIds")}
        files.write_json(folder / "snapshot.json", {"id": str(uuid.uuid4()), "prevIds": [prev_id], **snap})
        if down_sql and down_sql.strip():
            (folder / "down.sql").write_text(
                files.render_sql([s.sql for s in split_statements(down_sql, dialect)]), encoding="utf-8"
            )
        return folder / "migration.sql"

    def discard_migration(self, path: Path) -> str:
        """Undo ``new_migration``: the file, its down file, its snapshot and its journal entry."""
        entries, _ = self.entries()
        entry = next((e for e in entries if e.path == path), None)
        if entry is None:
            raise ProjectError(f"{self.relative(path)} is not a migration of this project.")
        if entry.layout == "folder":
            import shutil

            shutil.rmtree(path.parent)
            return f"Removed {self.relative(path.parent)}."
        journal = files.read_journal(self.out)
        if journal is None:
            raise ProjectError(f"{self.relative(files.journal_path(self.out))} is missing or unreadable.")
        journal["entries"] = [e for e in journal["entries"] if e.get("tag") != entry.tag]
        files.write_json(files.journal_path(self.out), journal)
        for p in (entry.path, entry.down_path, files.snapshot_path(self.out, entry.tag)):
            if p.exists():
                p.unlink()
        return f"Removed {self.relative(path)}, its snapshot and its journal entry."

    def find_migration(self, name: str, up_sql: str, down_sql: str | None) -> MigrationFile | None:
        from ...sqlsplit import split as split_statements

        dialect = self._dialect_for_files()
        want_up = files.render_sql([s.sql for s in split_statements(up_sql, dialect)])
        want_down = files.render_sql([s.sql for s in split_statements(down_sql, dialect)]) if down_sql else None
        suffix = files.slug(name)
        entries, _ = self.entries()
        for f, e in zip(self.migration_files(), entries):
            if not e.tag.split("_", 1)[-1] == suffix or not e.path.is_file():
                continue
            if e.path.read_text(encoding="utf-8") != want_up:
                continue
            have_down = e.down_path.read_text(encoding="utf-8") if e.down_path.is_file() else None
            if (want_down or None) == (have_down or None):
                return f
        return None

    def stored_down_path(self, f: MigrationFile) -> Path:
        """The down file rollback reads (``<tag>.down.sql``, or ``down.sql`` in a 1.0 folder);
        drizzle-orm never reads it, and the migration's own file (and hash) stay as applied."""
        return next(e.down_path for e in self.entries()[0] if e.tag == f.id)

    def store_down(self, migration_id: str, down_sql: str, force: bool = False) -> Path:
        from ...sqlsplit import split as split_statements

        path = self.down_file(migration_id, force)
        statements = [s.sql for s in split_statements(down_sql, self._dialect_for_files())]
        path.write_text(files.render_sql(statements), encoding="utf-8")
        return path

    # --- applying ---------------------------------------------------------------------------
    def plan_apply(self, db: Database, target: str | None = None) -> list[PlannedStep]:
        """Pending and skipped migrations in journal order (up to ``target``)."""
        rows = self.history(db).rows
        if target is not None and not any(r.migration == target for r in rows):
            raise UnsupportedOperation(
                f"No Drizzle migration named {target!r} in the journal.", next_step="Use a tag from `dbm status`."
            )
        entries = {e.tag: e for e in self.entries()[0]}
        steps = []
        for row in rows:
            if row.state in ("pending", "skipped") and row.migration in entries:
                e = entries[row.migration]
                if not e.path.is_file():
                    raise ProjectError(
                        f"{self.relative(e.path)} is listed in the journal but does not exist.",
                        next_step="Restore the file or remove its journal entry.",
                    )
                data = e.path.read_bytes()
                steps.append(
                    PlannedStep(
                        e.tag,
                        self.relative(e.path),
                        "up",
                        data.decode("utf-8", "replace"),
                        dialect_for(db).transactional_ddl,
                        {"when": e.when, "hash": files.file_hash(data), "state": row.state, "one_transaction": True},
                    )
                )
            if target is not None and row.migration == target:
                break
        return steps

    def apply(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        return self.ledger(db).apply(steps, self._check_unchanged)

    def _check_unchanged(self, step: PlannedStep) -> None:
        path = self.root / step.file if step.file else None
        if path is None or not path.is_file() or files.file_hash(path.read_bytes()) != step.extra.get("hash"):
            raise ProjectError(
                f"{step.file} changed between the preview and the apply.",
                next_step="Run the command again to preview the current file.",
            )

    # --- rolling back and resolving -----------------------------------------------------------
    def plan_rollback(self, db: Database, steps: int | None = None, target: str | None = None) -> list[PlannedStep]:
        """The last applied migrations, newest first, with their stored down SQL."""
        chosen = rows_to_revert(self.history(db).rows, steps, target, "Drizzle", "tag")
        entries = {e.tag: e for e in self.entries()[0]}
        plan = []
        for row in reversed(chosen):
            e = entries.get(row.migration)
            down = e.down_path if e else None
            if e is None or down is None or not down.is_file():
                where = self.relative(down) if down else f"a down file beside {row.migration}"
                raise UnsupportedOperation(
                    f"Drizzle migration {row.migration} has no down SQL ({where} does not exist); nothing was run.",
                    next_step=f"`dbm generate --down-for {row.migration}` computes one for review; add --write to "
                    "store it there, then roll back. Or write a new migration that reverses it (`dbm new`), "
                    "or restore a backup.",
                )
            data = e.path.read_bytes()
            plan.append(
                PlannedStep(
                    e.tag,
                    self.relative(down),
                    "down",
                    down.read_text(encoding="utf-8"),
                    dialect_for(db).transactional_ddl,
                    {"when": e.when, "hash": files.file_hash(data)},
                )
            )
        return plan

    def rollback(self, db: Database, steps: list[PlannedStep]) -> list[StepOutcome]:
        return self.ledger(db).rollback(steps)

    def resolve(self, db: Database, migration: str, state: str) -> str:
        """``applied``: record without running; ``rolled_back``: forget the record (Drizzle has no
        failed state, so this is how a half-applied MySQL migration is cleared)."""
        entry = next((e for e in self.entries()[0] if e.tag == migration), None)
        if entry is None or not entry.path.is_file():
            raise UnsupportedOperation(
                f"No Drizzle migration file for {migration!r}.", next_step="Use a tag from `dbm status`."
            )
        data_hash = files.file_hash(entry.path.read_bytes())
        ledger = self.ledger(db)
        if state == "applied":
            added = ledger.record([(data_hash, entry.when, entry.tag)])
            return f"Recorded {migration} as applied." if added else f"{migration} was already recorded as applied."
        if state == "rolled_back":
            removed = ledger.forget(data_hash, entry.when)
            return (
                f"Removed the record of {migration}; drizzle-kit migrate would run it again."
                if removed
                else f"{migration} was not recorded; nothing changed."
            )
        raise UnsupportedOperation(f"Unknown state {state!r}: use applied or rolled_back.")

    def baseline(self, db: Database, target: str | None = None) -> str:
        entries = self.entries()[0]
        if target is not None:
            tags = [e.tag for e in entries]
            if target not in tags:
                raise UnsupportedOperation(f"No Drizzle migration named {target!r}.")
            entries = entries[: tags.index(target) + 1]
        todo = [(files.file_hash(e.path.read_bytes()), e.when, e.tag) for e in entries if e.path.is_file()]
        added = self.ledger(db).record(todo)
        return f"Recorded {added} migration(s) as applied without running them."


def _when(ms: Any) -> dt.datetime | None:
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC)
