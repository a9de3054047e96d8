"""SQLite differ. Any change to a table is done with SQLite's documented 12-step rebuild: rename
the old table away (with ``legacy_alter_table`` so other tables' foreign keys keep pointing at the
name), create the target table from its exact stored SQL, copy the common columns, drop the old
one, then recreate its indexes. Views and triggers are dropped first and recreated last whenever a
table is rebuilt or dropped, since they may read it. After a rebuild, ``PRAGMA foreign_key_check``
lists rows that lost their parent before foreign keys are switched back on (the runner also
checks, and fails the migration, when it runs the SQL as a migration: see ``sqlite_fk``)."""

from __future__ import annotations

from enum import IntEnum, auto

from .changes import Collector
from .model import SchemaModel, Table, column_pairs
from .quoting import sqlite_quote
from .sqlnorm import normalise

q = sqlite_quote


class Phase(IntEnum):
    """The order of the statements: each names its phase, and they run in this order (within a
    phase, in the order they were made)."""

    DROP_TRIGGERS = auto()
    DROP_VIEWS = auto()
    DROP_INDEXES = auto()
    TABLES = auto()
    LEGACY_ALTER_ON = auto()  # PRAGMA legacy_alter_table = ON: other tables' foreign keys keep the name
    REBUILD = auto()
    DROP_TABLES = auto()
    LEGACY_ALTER_OFF = auto()
    INDEXES = auto()
    VIEWS = auto()
    TRIGGERS = auto()
    FK_CHECK = auto()  # last, just before the trailing PRAGMA foreign_keys = ON (Dialect.fk_checks_switch)


class SqliteDiffer:
    def __init__(self, a: SchemaModel, b: SchemaModel, extensions_only: bool = False):
        self.a, self.b, self.out = a, b, Collector()
        self.extensions_only = extensions_only

    def run(self) -> Collector:
        if self.extensions_only:
            return self.out
        a, b, out = self.a.tables, self.b.tables, self.out
        added = sorted(b.keys() - a.keys())
        removed = sorted(a.keys() - b.keys())
        rebuilt = sorted(k for k in a.keys() & b.keys() if a[k].sql != b[k].sql)
        # SQLite names are case-insensitive: "Users" -> "users" is the same table, rebuilt
        recased = [(ka, kb) for ka in removed for kb in added if ka[1].lower() == kb[1].lower()]
        added = [k for k in added if k not in {kb for _, kb in recased}]
        removed = [k for k in removed if k not in {ka for ka, _ in recased}]
        for k in added:
            t = b[k]
            out.change("table", "", t.name, "added", f"{len(t.columns)} columns", table=t.name)
            out.sql(Phase.TABLES, t.create.rstrip(";") + ";")
        for k in removed:
            t = a[k]
            out.change("table", "", t.name, "removed", f"{len(t.columns)} columns", True, t.name)
            out.sql(Phase.DROP_TABLES, f"DROP TABLE {q(t.name)};", destructive=True)
        appended = [k for k in rebuilt if self.add_column(a[k], b[k])]
        rebuilt = [k for k in rebuilt if k not in appended]
        if rebuilt or recased:
            out.sql(Phase.LEGACY_ALTER_ON, "PRAGMA legacy_alter_table = ON;", wrapper=True)
            for k in rebuilt:
                self.rebuild(a[k], b[k])
            for ka, kb in recased:
                self.rebuild(a[ka], b[kb])
            out.sql(Phase.LEGACY_ALTER_OFF, "PRAGMA legacy_alter_table = OFF;", wrapper=True)
            # the rebuild ran with foreign keys off: list rows it left without a parent (the 12-step procedure)
            out.sql(Phase.FK_CHECK, "PRAGMA foreign_key_check;", wrapper=True)
        renamed = {k[1] for pair in recased for k in pair}
        touched = {k[1] for k in removed + rebuilt} | renamed
        self.things(touched, {k[1] for k in rebuilt} | renamed, {k[1] for k in removed})
        return out

    def add_column(self, old: Table, new: Table) -> bool:
        """One column appended, as SQLite's own ADD COLUMN stores it: no rebuild needed."""
        added = [c for c in new.columns if old.column(c.name) is None]
        if len(added) != 1 or len(new.columns) != len(old.columns) + 1 or new.columns[:-1] != old.columns:
            return False
        head = old.create.rstrip().rstrip(";").rstrip()
        if not head.endswith(")"):
            return False
        head = head[:-1]
        tail = new.create.rstrip().rstrip(";").rstrip()
        if not (tail.startswith(head + ", ") and tail.endswith(")")):
            return False
        piece = tail[len(head) + 2 : -1]
        words = normalise(piece).split()
        if {"primary", "unique", "stored", "references", "constraint"} & set(words):
            return False
        if "not" in words and "default" not in words:
            return False
        self.out.change("column", "", f"{new.name}.{added[0].name}", "added", piece, table=new.name)
        self.out.change("table", "", new.name, "changed", f"column {added[0].name} added", table=new.name)
        self.out.sql(Phase.REBUILD, f"ALTER TABLE {q(new.name)} ADD COLUMN {piece};")
        return True

    def rebuild(self, old: Table, new: Table) -> None:
        out = self.out
        gone = [c for c in old.columns if new.column(c.name) is None]
        destructive = bool(gone)
        details = []
        for c in new.columns:
            was = old.column(c.name)
            if was is None:
                details.append(f"+{c.name}")
                out.change("column", "", f"{new.name}.{c.name}", "added", c.type, table=new.name)
            elif was != c:
                details.append(f"~{c.name}")
                out.change(
                    "column",
                    "",
                    f"{new.name}.{c.name}",
                    "changed",
                    f"{was.type} -> {c.type}" if was.type != c.type else "definition",
                    table=new.name,
                )
        for c in gone:
            details.append(f"-{c.name}")
            out.change("column", "", f"{new.name}.{c.name}", "removed", c.type, True, new.name)
        if old.constraints != new.constraints:
            a, b = set(old.constraints), set(new.constraints)
            for k in sorted(a - b, key=lambda k: k.name):
                out.change("constraint", "", f"{new.name}.{k.name}", "removed", k.definition, table=new.name)
            for k in sorted(b - a, key=lambda k: k.name):
                out.change("constraint", "", f"{new.name}.{k.name}", "added", k.definition, table=new.name)
        out.change(
            "table",
            "",
            new.name,
            "changed",
            "rebuilt ("
            + (
                ", ".join(details)
                or ("constraints" if old.constraints != new.constraints else f"definition of {old.name}")
            )
            + ")",
            destructive,
            new.name,
        )
        tmp = q(f"_dbm_old_{new.name}")
        common = [q(c.name) for was, c in column_pairs(old, new) if not c.generated and not was.generated]
        out.sql(Phase.REBUILD, f"ALTER TABLE {q(old.name)} RENAME TO {tmp};", destructive)
        out.sql(Phase.REBUILD, new.create.rstrip(";") + ";", destructive)
        if common:
            cols = ", ".join(common)
            out.sql(Phase.REBUILD, f"INSERT INTO {q(new.name)} ({cols}) SELECT {cols} FROM {tmp};", destructive)
        out.sql(Phase.REBUILD, f"DROP TABLE {tmp};", destructive)

    def things(self, touched: set, rebuilt: set, removed: set) -> None:
        out = self.out
        phases = {
            "trigger": (Phase.DROP_TRIGGERS, Phase.TRIGGERS),
            "view": (Phase.DROP_VIEWS, Phase.VIEWS),
            "index": (Phase.DROP_INDEXES, Phase.INDEXES),
        }
        for kind in ("index", "view", "trigger"):
            a, b = self.a.of_kind(kind), self.b.of_kind(kind)
            drop_phase, create_phase = phases[kind]
            # views and triggers may read any table: recreate them all when a table is rebuilt or dropped
            redo_all = kind != "index" and bool(touched)
            for key in sorted(a):
                t = a[key]
                gone_with_table = t.table in touched and kind == "index"
                changed = key not in b or b[key].definition != t.definition
                if key not in b:
                    out.change(kind, "", t.name, "removed", table=t.table)
                if (changed or redo_all) and not gone_with_table:
                    out.sql(drop_phase, t.drop)
            for key in sorted(b):
                t = b[key]
                changed = key not in a or a[key].definition != t.definition
                if key not in a:
                    out.change(kind, "", t.name, "added", table=t.table)
                elif changed:
                    out.change(kind, "", t.name, "changed", "recreated", table=t.table)
                if changed or redo_all or t.table in rebuilt:
                    out.sql(create_phase, t.create)
