"""Loading seed rows: stage, count, upsert, in one transaction.

Each table's rows stream into a temporary staging table shaped like the target's seeded columns
(PostgreSQL: ``COPY``; elsewhere batched bound ``INSERT``s). One query then counts what is new,
changed or already there (compared NULL-safely against the target), one ``INSERT ... SELECT`` in
the dialect's own upsert form writes only new and changed rows, so a second run writes nothing.
An empty target takes the rows directly (the bulk path, no staging). Everything runs in one
transaction: a failure anywhere rolls the whole seed run back. Values are bound or copied as
data, never pasted into SQL.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import DbmError, SeedFailed
from .order import Ordering, key_columns, load_order, reflect
from .values import rows_for

if TYPE_CHECKING:
    from ..db import Database
    from ..dialects import Dialect
    from .sources import ScriptSeed, TableSeed


@dataclass(frozen=True)
class TableCount:
    """What a seed did (or, rehearsed, would do) to one table."""

    table: str
    source: str
    key: tuple[str, ...]
    rows: int
    inserted: int
    updated: int
    unchanged: int
    deleted: int = 0  # --prune / --reset
    duplicates: int = 0  # rows whose key came again later in the seed (the later one counts)


@dataclass(frozen=True)
class ScriptRun:
    source: str
    kind: str
    state: str  # "ran", or "not run" in a rehearsal
    seconds: float = 0.0


@dataclass
class LoadReport:
    counts: list[TableCount]
    scripts: list[ScriptRun]
    sql: list[str] = field(default_factory=list)  # the statements, as shown to the user (no values)
    order: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Table:
    seed: TableSeed
    target: Any  # reflected Table
    columns: list[Any]  # the target's seeded Columns, in the frame's order
    key: list[str]
    rows: list[tuple]
    duplicates: int
    staging: Any = None
    counts: tuple[int, int, int] = (0, 0, 0)  # inserted, updated, unchanged


def _shape(name: str, columns: list[Any], schema: str | None = None) -> Any:
    """A Table object of just ``columns`` (their types give the binds their conversions)."""
    import copy

    from sqlalchemy import JSON, Column, MetaData, Table

    def bound(sa_type: Any) -> Any:
        if isinstance(sa_type, JSON) and not sa_type.none_as_null:  # None is SQL NULL, not JSON 'null'
            sa_type = copy.copy(sa_type)
            sa_type.none_as_null = True
        return sa_type

    return Table(name, MetaData(), *[Column(c.name, bound(c.type)) for c in columns], schema=schema)


def prepare(conn: Any, seeds: list[TableSeed], schema: str | None) -> tuple[list[_Table], Ordering]:
    """Reflect, choose keys, convert and check every value: all before the first write."""
    tables = reflect(conn, [s.table for s in seeds], schema)
    prepared = []
    for seed in seeds:
        target = tables[seed.table]
        names = [str(c) for c in seed.frame.columns]
        unknown = [n for n in names if n not in target.columns]
        if unknown:
            raise SeedFailed(
                f"{seed.source} gives column(s) {', '.join(unknown)} that table {seed.table} does not have "
                f"(it has {', '.join(target.columns.keys())}).",
                unchanged="Nothing was written.",
                next_step="Rename or remove those columns in the seed, or add them to the table in a migration.",
            )
        key = key_columns(target, seed.key)
        absent = [k for k in key if k not in names]
        if absent:
            raise SeedFailed(
                f"{seed.source} has no {', '.join(absent)} column, the key of {seed.table}: "
                "rows cannot be matched with the table's.",
                unchanged="Nothing was written.",
                next_step="Add the key column(s) to the seed, or name other key columns with --key.",
            )
        nulls = int(seed.frame[key].isna().any(axis=1).sum())
        if nulls:
            raise SeedFailed(
                f"{nulls} row(s) of {seed.source} have no value in the key column(s) {', '.join(key)}.",
                unchanged="Nothing was written.",
                next_step="Give every row its key.",
            )
        later = seed.frame.duplicated(subset=key, keep="last")  # the same key again: the later row counts
        duplicates = int(later.sum())
        frame = seed.frame[~later.to_numpy()] if duplicates else seed.frame
        columns = [target.columns[n] for n in names]
        from_text = any(s.endswith(".csv") for s in seed.sources)
        kept = (~later).to_numpy().nonzero()[0]  # a message names the row as the file has it, duplicates too

        def where(i: int, seed: TableSeed = seed, kept: Any = kept) -> str:
            return seed.where(int(kept[i]))

        rows = rows_for(frame, columns, seed.table, where, from_text)
        prepared.append(_Table(seed, target, columns, key, rows, duplicates))
    seeded = {t.seed.table: {c.name for c in t.columns} for t in prepared}
    return prepared, load_order([t.target for t in prepared], seeded, _dialect(conn).defers_constraints)


def _dialect(conn: Any) -> Dialect:
    from ..dialects import dialect_for

    return dialect_for(conn.dialect.name)


class _Progress:
    """A text progress bar on a terminal (tqdm), silent elsewhere and for small seeds."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled and total >= 20_000 and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="row", desc="seed", file=sys.stderr, leave=False)

    def __call__(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _matched(staging: Any, target: Any, key: list[str]) -> Any:
    from sqlalchemy import and_

    return and_(*(staging.c[k] == target.c[k] for k in key))


def _changed(dialect: Dialect, staging: Any, target: Any, columns: list[str]) -> Any:
    from sqlalchemy import false, or_

    if not columns:
        return false()
    return or_(*(dialect.comparable(staging.c[c]).is_distinct_from(dialect.comparable(target.c[c])) for c in columns))


class _Loader:
    def __init__(self, conn: Any, dialect: Dialect, progress: _Progress, report: LoadReport):
        self.conn, self.dialect, self.progress, self.report = conn, dialect, progress, report

    def show(self, stmt: Any) -> None:
        text = stmt if isinstance(stmt, str) else str(stmt.compile(dialect=self.conn.dialect))
        self.report.sql.append(text.strip() + ";")

    def run(self, stmt: Any) -> Any:
        self.show(stmt)
        return self.conn.execute(stmt)

    def stage(self, t: _Table, index: int) -> None:
        """The staging table, filled and counted against the target."""
        from sqlalchemy import and_, case, false, func, select, text

        names = [c.name for c in t.columns]
        name = f"dbm_seed_{index}"
        shape_sql = select(*(t.target.c[n] for n in names)).where(false()).compile(dialect=self.conn.dialect)
        self.run(text(self.dialect.temp_table_sql(name, str(shape_sql))))
        t.staging = _shape(name, t.columns)
        self.show(self.dialect.bulk_load(self.conn, t.staging, t.rows, self.progress))
        s, g = t.staging, t.target
        missing = g.c[t.key[0]].is_(None)
        changed = _changed(self.dialect, s, g, [n for n in names if n not in t.key])
        query = select(
            func.count(),
            func.coalesce(func.sum(case((missing, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(g.c[t.key[0]].is_not(None), changed), 1), else_=0)), 0),
        ).select_from(s.outerjoin(g, _matched(s, g, t.key)))
        total, new, updated = self.run(query).one()
        t.counts = (int(new), int(updated), int(total) - int(new) - int(updated))

    def upsert(self, t: _Table, hold: list[str]) -> None:
        """New and changed rows from staging into the target; ``hold`` columns go in NULL and are not updated."""
        from sqlalchemy import literal, or_, select, true

        s, g = t.staging, t.target
        names = [c.name for c in t.columns]
        changing = [n for n in names if n not in t.key]
        picked = select(
            *(literal(None, type_=s.c[n].type).label(n) if n in hold else s.c[n] for n in names)
        ).select_from(s.outerjoin(g, _matched(s, g, t.key)))
        picked = picked.where(or_(g.c[t.key[0]].is_(None), _changed(self.dialect, s, g, changing)))
        source = picked.subquery("seed_rows")  # a derived table: MySQL's ON DUPLICATE KEY sees no ambiguity
        rows = select(*(source.c[n] for n in names)).where(true())  # SQLite: WHERE keeps ON CONFLICT unambiguous
        update = [n for n in changing if n not in hold]
        self.run(self.dialect.upsert(g, names, rows, t.key, update))

    def direct(self, t: _Table) -> None:
        """An empty target takes the rows as they come (COPY / batched INSERT): all are new."""
        self.show(
            self.dialect.bulk_load(self.conn, _shape(t.target.name, t.columns, t.target.schema), t.rows, self.progress)
        )
        t.counts = (len(t.rows), 0, 0)

    def is_empty(self, t: _Table) -> bool:
        from sqlalchemy import literal, select

        return self.conn.execute(select(literal(1)).select_from(t.target).limit(1)).first() is None

    def _gone(self, t: _Table) -> Any:
        from sqlalchemy import exists, not_, select

        return not_(exists(select(1).select_from(t.staging).where(_matched(t.staging, t.target, t.key))))

    def release(self, t: _Table, held: list[str], everything: bool) -> None:
        """Set a cycle's nullable columns NULL in the rows about to be deleted (all of them for --reset):
        MySQL checks a foreign key row by row even within one DELETE, so a parent row deleted before
        its child (or a row of the other table of a cycle) would be refused."""
        from sqlalchemy import update

        if not held or (not everything and t.staging is None):
            return
        stmt = update(t.target).values({c: None for c in held})
        self.run(stmt if everything else stmt.where(self._gone(t)))

    def prune(self, t: _Table) -> int:
        from sqlalchemy import delete, func, select

        if t.staging is None:  # loaded into an empty table: nothing else is there
            return 0
        gone = self._gone(t)
        count = self.conn.execute(select(func.count()).select_from(t.target).where(gone)).scalar()
        self.run(delete(t.target).where(gone))
        return int(count or 0)


def apply(
    conn: Any, tables: list[_Table], ordering: Ordering, *, prune: bool, reset: bool, progress: _Progress
) -> LoadReport:
    """Write every table in ``ordering`` (the transaction is the caller's)."""
    from sqlalchemy import delete, func, select, text

    dialect = _dialect(conn)
    report = LoadReport([], [], order=[t.name for t in ordering.tables])
    loader = _Loader(conn, dialect, progress, report)
    by_name = {t.seed.table: t for t in tables}
    ordered = [by_name[t.name] for t in ordering.tables if t.name in by_name]
    if ordering.deferred_constraints:
        loader.run(text(dialect.defer_constraints_sql(ordering.deferred_constraints)))
        report.notes.append(f"Deferred to commit (a foreign-key cycle): {', '.join(ordering.deferred_constraints)}.")
    deleted: dict[str, int] = {}
    if reset:
        for t in ordered:
            loader.release(t, ordering.second_pass.get(t.seed.table, []), everything=True)
        for t in reversed(ordered):
            deleted[t.seed.table] = int(conn.execute(select(func.count()).select_from(t.target)).scalar() or 0)
            loader.run(delete(t.target))
    for index, t in enumerate(ordered):
        hold = ordering.second_pass.get(t.seed.table, [])
        if not hold and loader.is_empty(t):
            loader.direct(t)
            continue
        loader.stage(t, index)
        if hold or t.counts[0] or t.counts[1]:  # nothing new or changed: no write at all
            loader.upsert(t, hold)
    for t in ordered:
        if ordering.second_pass.get(t.seed.table):
            loader.upsert(t, [])  # the rows now exist: this pass sets the cycle's columns
    if ordering.second_pass:
        said = "; ".join(f"{k}: {', '.join(v)}" for k, v in ordering.second_pass.items())
        report.notes.append(f"Foreign-key cycle loaded in two passes (first NULL, then set): {said}.")
    if prune:
        for t in ordered:
            loader.release(t, ordering.second_pass.get(t.seed.table, []), everything=False)
        for t in reversed(ordered):
            deleted[t.seed.table] = deleted.get(t.seed.table, 0) + loader.prune(t)
    for t in ordered:
        if t.staging is not None:
            conn.execute(text(dialect.drop_temp_sql(t.staging.name)))
    for t in ordered:  # the report lists tables in the order they were loaded
        new, changed, same = t.counts
        report.counts.append(
            TableCount(
                t.seed.table,
                t.seed.source,
                tuple(t.key),
                len(t.rows),
                new,
                changed,
                same,
                deleted.get(t.seed.table, 0),
                t.duplicates,
            )
        )
    return report


def run_script(conn: Any, script: ScriptSeed, dialect: Dialect) -> ScriptRun:
    """A ``.sql`` file statement by statement (no parameters: ``%`` stays itself), or ``seed(conn)``."""
    started = time.perf_counter()
    if script.kind == "sql":
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            for statement in dialect.split(dialect.script_text(script.text)):
                cursor.execute(statement.sql)
        finally:
            cursor.close()
    else:
        import importlib.util

        spec = importlib.util.spec_from_file_location(f"dbm_seed_{script.path.stem}", script.path)
        if spec is None or spec.loader is None:
            raise SeedFailed(f"{script.source} cannot be imported.", next_step="Check the file.")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        function = getattr(module, "seed", None)
        if not callable(function):
            raise SeedFailed(
                f"{script.source} has no seed(conn) function.",
                next_step="Define `def seed(conn):` (conn is a SQLAlchemy Connection inside the seed's transaction).",
            )
        function(conn)
    return ScriptRun(script.source, script.kind, "ran", time.perf_counter() - started)


def seed_database(
    db: Database,
    seeds: list[TableSeed],
    scripts: list[ScriptSeed],
    *,
    prune: bool = False,
    reset: bool = False,
    commit: bool,
    progress: bool = True,
) -> LoadReport:
    """One transaction: tables (in foreign-key order), then scripts; ``commit=False`` rehearses
    (runs the tables, rolls back: the counts and SQL without a change; scripts are not run)."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..db import short_db_error
    from ..dialects import dialect_for

    dialect = dialect_for(db)
    doing = "reading the tables"
    with db.connect() as conn:
        for statement in dialect.seed_session_sql():
            conn.exec_driver_sql(statement)
        if conn.in_transaction():
            conn.commit()  # the session settings' autobegun transaction holds nothing
        transaction = conn.begin()
        bar = _Progress(0, False)
        try:
            tables, ordering = prepare(conn, seeds, db.schema) if seeds else ([], Ordering([]))
            bar = _Progress(sum(len(t.rows) for t in tables), progress)
            doing = "loading " + ", ".join(t.name for t in ordering.tables)
            report = (
                apply(conn, tables, ordering, prune=prune, reset=reset, progress=bar) if tables else LoadReport([], [])
            )
            for script in scripts:
                doing = f"running {script.source}"
                report.scripts.append(
                    run_script(conn, script, dialect)
                    if commit
                    else ScriptRun(script.source, script.kind, "runs on confirmation")
                )
            if commit and tables:
                doing = "moving sequences past the seeded ids"
                report.notes.extend(dialect.catch_up_sequences(conn, [(t.target, t.columns) for t in tables]))
            doing = "committing"
            (transaction.commit if commit else transaction.rollback)()
        except DbmError:
            transaction.rollback()
            raise
        except SQLAlchemyError as exc:
            transaction.rollback()
            raise SeedFailed(
                f"The seed failed while {doing}: {short_db_error(exc)}",
                next_step="Fix the seed data (or the table) as the database's message says, then run the seed again.",
            ) from None
        except Exception as exc:  # a .py seed's own error, a driver's conversion error
            transaction.rollback()
            from ..masking import mask

            raise SeedFailed(
                f"The seed failed while {doing}: {type(exc).__name__}: {mask(exc)}",
                next_step="Fix the seed, then run it again.",
            ) from None
        finally:
            bar.close()
    return report
