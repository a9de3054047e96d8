"""PostgreSQL differ: walks two models and emits changes plus phased statements.

Phases put dependants' drops before what they depend on and creations before use: triggers,
policies and views are dropped first and recreated last; foreign keys are added after every table
and unique index exists; enums and sequences exist before the columns that use them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .changes import Collector
from .model import Column, SchemaModel, Table, Thing
from .ordering import dependants_closure, topo_order
from .pg_diff_objects import (
    P_DROP_ENUMS,
    P_DROP_EXTENSIONS,
    P_DROP_PARTITIONS,
    P_DROP_USERS,
    ObjectsMixin,
    core,
    identity_sets,
    uses_column,
)
from .pg_extras import comment_sql
from .pg_introspect import qn
from .quoting import literal, pg_quote

q = pg_quote

P_DROP_TRIGGERS, P_DROP_VIEWS, P_DROP_FUNCS, P_DROP_FKS, P_DROP_CONS = 10, 12, 14, 16, 18
P_SCHEMAS, P_ENUMS, P_SEQUENCES, P_FUNCS, P_TABLES, P_ALTER, P_ENUM_SWAP = 20, 22, 24, 26, 30, 32, 28
P_DROP_TABLES, P_OWNED, P_CONS, P_FKS, P_DROP_OTHER, P_VIEWS, P_TRIGGERS, P_COMMENTS = 36, 38, 40, 44, 46, 50, 52, 54
P_DROP_SCHEMAS = 48
P_REBIND = 39  # functions with SQL-standard bodies: after the tables they read, before constraints using them

WIDENING = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double precision"),
    ("character varying", "text"),
    ("character", "text"),
}


_PRECISION = re.compile(r"^(timestamp|time|interval)\((\d+)\)(.*)$")


def _base(t: str) -> tuple[str, int | None]:
    m = _PRECISION.match(t)  # "timestamp(3) with time zone": the precision sits inside the name
    if m:
        return m.group(1) + m.group(3), int(m.group(2))
    if "(" in t and t.endswith(")") and t.count("(") == 1:
        head, arg = t[:-1].split("(")
        return head, int(arg) if arg.isdigit() else None
    return t, None


def _numeric(t: str) -> tuple[int, int] | None:
    """(integer digits, scale) of ``numeric(p,s)``; None for other types."""
    if t.startswith("numeric(") and t.endswith(")"):
        p, _, sc = t[len("numeric(") : -1].partition(",")
        if p.strip().isdigit() and (not sc or sc.strip().isdigit()):
            scale = int(sc or 0)
            return int(p) - scale, scale
    return None


def widening(old: str, new: str) -> bool:
    ona, nna = _numeric(old), _numeric(new)
    if ona and nna:  # numeric(10,2) -> numeric(12,2) or (12,4): every old value still fits exactly
        return nna[0] >= ona[0] and nna[1] >= ona[1]
    if ona and new == "numeric":
        return True
    (ob, on), (nb, nn) = _base(old), _base(new)
    if (ob, nb) in WIDENING:
        return True
    if ob == nb and on is not None and (nn is None or nn >= on):
        return True
    return ob == nb and ob in ("character varying", "numeric") and on is not None and nn is None


CATEGORIES = {
    "boolean": "B",
    "smallint": "N",
    "integer": "N",
    "bigint": "N",
    "numeric": "N",
    "real": "N",
    "double precision": "N",
    "text": "S",
    "character varying": "S",
    "character": "S",
    "date": "D",
    "timestamp without time zone": "D",
    "timestamp with time zone": "D",
    "jsonb": "J",
    "json": "J",
}


def castable(old: str, new: str) -> bool:
    """Whether ``USING col::new`` can work: same category, to/from a string type (I/O conversion),
    or PostgreSQL's one cast between integer and boolean. Unknown types are assumed castable."""
    a, b = CATEGORIES.get(_base(old)[0]), CATEGORIES.get(_base(new)[0])
    if a is None or b is None or a == b or "S" in (a, b):
        return True
    return {_base(old)[0], _base(new)[0]} == {"integer", "boolean"}


def column_sql(c: Column) -> str:
    parts = [q(c.name), c.type]
    if c.collation:
        parts.append(f"COLLATE {c.collation}")
    if c.generated:
        parts.append(f"GENERATED ALWAYS AS ({c.generated}) STORED")
    if c.identity:
        parts.append(f"GENERATED {c.identity} AS IDENTITY" + (f" ({c.identity_options})" if c.identity_options else ""))
    if c.default is not None:
        parts.append(f"DEFAULT {c.default}")
    if not c.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)


class PgDiffer(ObjectsMixin):
    def __init__(self, a: SchemaModel, b: SchemaModel, extensions_only: bool = False):
        self.a, self.b, self.out = a, b, Collector()
        self.extensions_only = extensions_only
        # tables whose columns change in a way views, triggers and policies notice; also functions
        # (schema, "f(args)") dropped or recreated, which views calling them depend on
        self.altered_relations: set = set()
        self.functions_recreated = False
        self.unique_dropped: set = set()  # tables whose primary key / unique index is dropped
        self.fk_added: set = set()  # (table key, constraint name) foreign keys (re)added
        self.predropped: set = set()  # (table key, name) constraints/indexes dropped with a function
        self.swapped_functions: set = set()  # functions recreated around an enum swap
        self.created_tables: set = set()  # created (or recreated) by this script

    # ------------------------------------------------------------------ entry point
    def run(self) -> Collector:
        if self.extensions_only:
            self.things("extension")
            return self.out
        self.out.sql(0, "SET check_function_bodies = off;", wrapper=True)
        self.things("schema")
        self.things("extension")
        self.enums()
        self.domains()
        self.types()
        self.things("sequence")
        self.things("function")
        self.tables()
        self.views()
        self.things("trigger")
        self.things("policy")
        return self.out

    # ------------------------------------------------------------------ generic objects
    PHASES = {  # kind: (drop phase for removed, create phase, drop phase when recreating)
        "schema": (P_DROP_SCHEMAS, P_SCHEMAS, P_DROP_SCHEMAS),
        "extension": (P_DROP_EXTENSIONS, P_SCHEMAS, P_DROP_OTHER),
        "sequence": (P_DROP_OTHER, P_SEQUENCES, P_DROP_OTHER),
        "function": (P_DROP_OTHER, P_FUNCS, P_DROP_FUNCS),
        "trigger": (P_DROP_TRIGGERS, P_TRIGGERS, P_DROP_TRIGGERS),
        "policy": (P_DROP_TRIGGERS, P_TRIGGERS, P_DROP_TRIGGERS),
    }
    DESTRUCTIVE_DROP = {"schema", "extension", "sequence", "function", "enum", "table", "materialized view"}

    def things(self, kind: str) -> None:
        a, b = self.a.of_kind(kind), self.b.of_kind(kind)
        if kind == "function":
            a = self.pair_signatures(a, b)
            a = {k: v for k, v in a.items() if k not in self.swapped_functions}
            b = {k: v for k, v in b.items() if k not in self.swapped_functions}
        drop_removed, create, drop_changed = self.PHASES[kind]
        if kind == "function":
            a, b = self.rebind_functions(a, b)
        for key in a.keys() - b.keys():
            t = a[key]
            self.out.change(kind, t.schema, t.name, "removed", destructive=kind in self.DESTRUCTIVE_DROP, table=t.table)
            drop = t.drop
            if kind == "sequence" and t.get("owned_by") in self.identity_columns():
                # a serial becoming an identity column: the identity's own sequence takes the name
                tmp = t.name + "__dbm_old"
                self.out.sql(P_DROP_FUNCS, f"ALTER SEQUENCE {qn(t.schema, t.name)} RENAME TO {q(tmp)};")
                drop = f"DROP SEQUENCE IF EXISTS {qn(t.schema, tmp)};"
            self.out.sql(drop_removed, drop, destructive=kind in self.DESTRUCTIVE_DROP)
            if kind == "function":
                self.altered_relations.add((t.schema, t.name))
        for key in sorted(b.keys() - a.keys()):
            t = b[key]
            self.out.change(kind, t.schema, t.name, "added", table=t.table)
            self.out.sql(create, t.create)
            if kind == "sequence" and t.get("owned_by"):
                self.out.sql(P_OWNED, f"ALTER SEQUENCE {qn(t.schema, t.name)} OWNED BY {t.get('owned_by')};")
            self.decorate(kind, None, t)
        for key in sorted(a.keys() & b.keys()):
            old, new = a[key], b[key]
            if core(old) == core(new):
                on_altered = kind in ("trigger", "policy") and (new.schema, new.table) in self.altered_relations
                if (kind in ("trigger", "policy") and self.functions_recreated) or on_altered:
                    self.out.sql(drop_changed, old.drop)  # a column it names changes type, or its function
                    self.out.sql(create, new.create)
                    self.decorate(kind, None, new)
                else:
                    self.decorate(kind, old, new)
                continue
            recreated = self.changed_thing(kind, old, new, create, drop_changed)
            self.decorate(kind, None if recreated else old, new)

    def identity_columns(self) -> set:
        """``schema.table.column`` of the target's identity columns (as a sequence's OWNED BY names them)."""
        return {f"{qn(t.schema, t.name)}.{q(c.name)}" for t in self.b.tables.values() for c in t.columns if c.identity}

    def relation_changes(self, key: tuple, seen: frozenset = frozenset()) -> bool:
        """Whether a table, or a view (through what it reads), a bound function reads is changed."""
        if key in self.a.tables:
            return self.a.tables[key] != self.b.tables.get(key) or key in self.altered_relations
        views = [k for k in self.a.things if k[0] in ("view", "materialized view") and k[1:] == key]
        if not views or key in seen:
            return False
        old, new = self.a.things[views[0]], self.b.things.get(views[0])
        return (
            new is None
            or old.definition != new.definition
            or any(self.relation_changes(k, seen | {key}) for k in old.depends)
        )

    def rebind_functions(self, a: dict, b: dict) -> tuple[dict, dict]:
        """A function with a SQL-standard body (BEGIN ATOMIC / RETURN) is bound to the tables it
        reads (``depends``): a column it uses cannot change type or go while it exists, and a new
        body must see the target columns. Such functions are dropped before the tables change and
        created after them; returns the functions left for the ordinary walk."""
        bound = {k for k in a.keys() | b.keys() if (k in a and a[k].depends) or (k in b and b[k].depends)}
        for key in sorted(bound):
            old, new = a.get(key), b.get(key)
            if new is None:  # before the columns it reads are dropped or changed
                self.out.change("function", old.schema, old.name, "removed", destructive=True)
                self.out.sql(P_DROP_FUNCS, old.drop, destructive=True)
                self.altered_relations.add((old.schema, old.name))
                continue
            if old is None:
                self.out.change("function", new.schema, new.name, "added")
                self.out.sql(P_REBIND, new.create)
                self.decorate("function", None, new)
                continue
            if core(old) == core(new) and not any(self.relation_changes(k) for k in old.depends):
                self.decorate("function", old, new)
                continue
            self.functions_recreated = True
            self.altered_relations.add((old.schema, old.name))
            self.predrop_users(old)
            # reading a view: dropped before views are and created after them
            reads_view = any(k not in self.a.tables for k in old.depends + new.depends)
            self.out.sql(P_DROP_TRIGGERS + 1 if reads_view else P_DROP_FUNCS, old.drop)
            self.out.sql(P_VIEWS + 0.5 if reads_view else P_REBIND, new.create)
            self.decorate("function", None, new)
            if core(old) != core(new):
                self.out.change("function", new.schema, new.name, "changed", "recreated (SQL-standard body)")
        return ({k: v for k, v in a.items() if k not in bound}, {k: v for k, v in b.items() if k not in bound})

    def changed_thing(self, kind: str, old: Thing, new: Thing, create: int, drop: int) -> bool:
        """Emit the change; True when the object was dropped and created again (comment and
        privileges then start from scratch)."""
        name = qn(new.schema, new.name)
        if kind == "extension":
            detail = []
            if old.get("schema") != new.get("schema"):
                self.out.sql(P_SCHEMAS, f"ALTER EXTENSION {q(new.name)} SET SCHEMA {q(new.get('schema'))};")
                detail.append(f"schema {old.get('schema')} -> {new.get('schema')}")
            if old.get("version") != new.get("version") and old.definition != new.definition:
                self.out.sql(P_SCHEMAS, f"ALTER EXTENSION {q(new.name)} UPDATE TO {literal(new.get('version'))};")
                detail.append(f"version {old.get('version')} -> {new.get('version')}")
            if detail:
                self.out.change(kind, "", new.name, "changed", "; ".join(detail))
            return False
        if kind == "sequence":
            if old.definition.split(" OWNED BY ")[0] != new.definition.split(" OWNED BY ")[0]:
                self.out.sql(P_SEQUENCES, f"ALTER SEQUENCE {name} {new.create.split(name, 1)[1].strip()}")
            if old.get("owned_by") != new.get("owned_by"):
                self.out.sql(P_OWNED, f"ALTER SEQUENCE {name} OWNED BY {new.get('owned_by') or 'NONE'};")
            self.out.change(kind, new.schema, new.name, "changed", f"{old.definition} -> {new.definition}")
            return False
        if kind == "function" and old.get("result") == new.get("result") and old.name == new.name:
            self.out.sql(create, new.create)  # CREATE OR REPLACE keeps dependants
            self.out.change(kind, new.schema, new.name, "changed", "body or attributes")
            return False
        if kind == "function":
            self.functions_recreated = True
            self.altered_relations.add((old.schema, old.name))
            self.predrop_users(old)
        self.out.sql(drop, old.drop)
        self.out.sql(create, new.create)
        self.out.change(kind, new.schema, new.name, "changed", "recreated", table=new.table)
        return True

    # ------------------------------------------------------------------ enums
    def enums(self) -> None:
        a, b = self.a.of_kind("enum"), self.b.of_kind("enum")
        for key in b.keys() - a.keys():
            t = b[key]
            self.out.change("enum", t.schema, t.name, "added")
            self.out.sql(P_ENUMS, t.create)
            self.decorate("enum", None, t)
        for key in a.keys() - b.keys():
            t = a[key]
            self.out.change("enum", t.schema, t.name, "removed", destructive=True)
            self.out.sql(P_DROP_ENUMS, t.drop, destructive=True)
        for key in sorted(a.keys() & b.keys()):
            old, new = a[key], b[key]
            if old.definition == new.definition:
                self.decorate("enum", old, new)
                continue
            before, after = old.get("labels").split("\x1f"), new.get("labels").split("\x1f")
            name = qn(new.schema, new.name)
            # only additions: ALTER TYPE ADD VALUE in place, unless the script itself uses a new value
            # (PostgreSQL refuses that before the ADD VALUE is committed: swap the type instead)
            if [v for v in after if v in before] == before and not self.labels_used(new, after, before):
                for i, v in enumerate(after):
                    if v in before:
                        continue
                    nxt = next((w for w in after[i + 1 :] if w in before), None)
                    where = f" BEFORE {literal(nxt)}" if nxt else ""
                    self.out.sql(P_ENUMS, f"ALTER TYPE {name} ADD VALUE {literal(v)}{where};")
                added = [v for v in after if v not in before]
                self.out.change("enum", new.schema, new.name, "changed", "values added: " + ", ".join(added))
                self.decorate("enum", old, new)
                continue
            self.swap_enum(old, new, before, after)
            self.decorate("enum", None, new)

    def labels_used(self, enum: Thing, after: list, before: list) -> bool:
        """Whether any target definition spells a new label as a value of this type."""
        spelled = [f"{literal(v)}::{qn(enum.schema, enum.name)}" for v in after if v not in before]
        texts = [t.definition for t in self.b.things.values() if t.kind != "enum"]
        for t in self.b.tables.values():
            texts += [c.default or "" for c in t.columns] + [c.generated or "" for c in t.columns]
            texts += [c.definition for c in t.constraints] + [i.definition for i in t.indexes]
        return any(s in text for text in texts for s in spelled)

    def swap_enum(self, old: Thing, new: Thing, before: list, after: list) -> None:
        """Values removed or reordered: rename the old type, create the new one, convert columns."""
        name = qn(new.schema, new.name)
        tmp = new.name + "__dbm_old"
        removed = [v for v in before if v not in after]
        self.out.change(
            "enum",
            new.schema,
            new.name,
            "changed",
            "recreated" + (f"; values removed: {', '.join(removed)}" if removed else "; reordered"),
            destructive=bool(removed),
        )
        self.enum_functions(name)
        self.enum_expressions(name)
        self.out.sql(P_ENUMS, f"ALTER TYPE {name} RENAME TO {q(tmp)};", destructive=bool(removed))
        self.out.sql(P_ENUMS, new.create, destructive=bool(removed))
        self.convert_columns(
            name,
            lambda cq, ctype: f"{cq}::text{'[]' if ctype.endswith('[]') else ''}::{ctype}",
            destructive=bool(removed),
        )
        self.out.sql(P_DROP_OTHER, f"DROP TYPE {qn(new.schema, tmp)};", destructive=bool(removed))

    def enum_expressions(self, enum_name: str) -> None:
        """Checks, exclusion constraints and indexes whose expressions hold a value of a swapped enum
        (``'x'::e``) cannot be rebuilt by ALTER COLUMN TYPE (no operator between the new and the
        renamed type), nor can foreign keys over its columns: they are dropped first;
        ``constraints``/``indexes`` add them again."""
        pattern = re.compile(r"::" + re.escape(enum_name) + r"(?![\w$])")
        for table in self.a.tables.values():
            if table.key not in self.b.tables:
                continue
            tq = qn(table.schema, table.name)
            typed = {c.name for c in table.columns if c.type in (enum_name, enum_name + "[]")}
            for c in table.constraints:
                if (table.key, c.name) in self.predropped:
                    continue
                if c.kind in ("check", "exclusion") and pattern.search(c.definition):
                    self.out.sql(P_DROP_USERS, f"ALTER TABLE {tq} DROP CONSTRAINT {q(c.name)};")
                    self.predropped.add((table.key, c.name))
                elif c.kind == "foreign" and typed & set(c.columns):  # both ends change type one by one
                    self.out.sql(P_DROP_FKS, f"ALTER TABLE {tq} DROP CONSTRAINT {q(c.name)};")
                    self.predropped.add((table.key, c.name))
            for ix in table.indexes:
                if pattern.search(ix.definition) and (table.key, ix.name) not in self.predropped:
                    self.out.sql(P_DROP_USERS, f"DROP INDEX {qn(table.schema, ix.name)};")
                    self.predropped.add((table.key, ix.name))

    # ------------------------------------------------------------------ tables
    def tables(self) -> None:
        a, b = self.a.tables, self.b.tables
        for key in sorted(b.keys() - a.keys()):
            self.create_table(b[key])
        for key in sorted(a.keys() - b.keys()):
            t = a[key]
            self.altered_relations.add(key)
            self.out.change("table", t.schema, t.name, "removed", f"{len(t.columns)} columns", destructive=True)
            for c in t.constraints:  # foreign keys into other dropped tables would block the drop order
                if c.kind == "foreign":
                    self.out.sql(
                        P_DROP_FKS, f"ALTER TABLE {qn(t.schema, t.name)} DROP CONSTRAINT {q(c.name)};", destructive=True
                    )
            self.out.sql(
                P_DROP_PARTITIONS if t.partition_of else P_DROP_TABLES,
                f"DROP TABLE {qn(t.schema, t.name)};",
                destructive=True,
            )
        touched = {k for k, _ in self.predropped}  # a function they call is recreated
        for key in sorted(a.keys() & b.keys()):
            if a[key] != b[key] or key in touched:
                self.alter_table(a[key], b[key])
        self.refresh_foreign_keys()
        self.child_defaults(self.created_tables)

    def create_table(self, t: Table, change: bool = True) -> None:
        name = qn(t.schema, t.name)
        items = [column_sql(c) for c in t.columns]
        items += [f"CONSTRAINT {q(c.name)} {c.definition}" for c in t.constraints if c.kind != "foreign"]
        unlogged = "UNLOGGED " if t.options == "UNLOGGED" else ""
        tail = (
            (f" INHERITS ({t.inherits})" if t.inherits else "")
            + (f" {t.partition_by}" if t.partition_by else "")
            + (f" WITH ({', '.join(t.storage)})" if t.storage else "")
        )
        if t.partition_of:  # columns, keys and indexes come from the parent
            self.out.sql(P_TABLES + 1, f"CREATE {unlogged}TABLE {name} {t.partition_of}{tail};")
        else:  # a child of INHERITS after its parents and their column changes (types must agree)
            self.out.sql(
                P_ALTER + 2 if t.inherits else P_TABLES,
                f"CREATE {unlogged}TABLE {name} (\n    " + ",\n    ".join(items) + f"\n){tail};",
            )
        self.created_tables.add(t.key)
        for column, default in t.own_defaults:
            self.set_child_default(t, column, default)
        if change:
            self.out.change("table", t.schema, t.name, "added", f"{len(t.columns)} columns", table=t.name)
        for c in t.constraints:
            if c.kind == "foreign":
                self.out.sql(P_FKS, f"ALTER TABLE {name} ADD CONSTRAINT {q(c.name)} {c.definition};")
            elif t.partition_of:  # a partition's own check (the parent's come with PARTITION OF)
                self.out.sql(P_CONS, f"ALTER TABLE {name} ADD CONSTRAINT {q(c.name)} {c.definition};")
            if c.comment:
                self.out.sql(P_COMMENTS, comment_sql(f"CONSTRAINT {q(c.name)} ON {name}", c.comment))
        for ix in t.indexes:
            self.out.sql(P_CONS, ix.definition + ";")
            if ix.comment:
                self.out.sql(P_COMMENTS, comment_sql(f"INDEX {qn(t.schema, ix.name)}", ix.comment))
        self.table_extras(None, t)

    def alter_table(self, old: Table, new: Table) -> None:
        name = qn(new.schema, new.name)
        out = self.out
        if self.partition_changed(old, new):
            return
        # stored generated columns over a column whose type changes block the ALTER TYPE: they are
        # dropped first and added again afterwards (their values are computed, nothing is lost)
        retyped = {
            c.name
            for c in new.columns
            if old.column(c.name) is not None
            and (old.column(c.name).type, old.column(c.name).collation) != (c.type, c.collation)
        }
        regenerate = [
            c
            for c in new.columns
            if c.generated
            and old.column(c.name) is not None
            and old.column(c.name).generated
            and retyped
            and uses_column(old.column(c.name).generated, retyped)
        ]
        for c in regenerate:
            self.altered_relations.add(new.key)
            out.sql(P_ALTER, f"ALTER TABLE {name} DROP COLUMN {q(c.name)};")
        for c in old.columns:
            if new.column(c.name) is None:
                self.altered_relations.add(new.key)
                out.change("column", new.schema, f"{new.name}.{c.name}", "removed", c.type, True, new.name)
                out.sql(P_ALTER, f"ALTER TABLE {name} DROP COLUMN {q(c.name)};", destructive=True)
        recreated: set = set()
        for c in new.columns:
            was = old.column(c.name)
            if was is None:
                out.change("column", new.schema, f"{new.name}.{c.name}", "added", column_sql(c), table=new.name)
                out.sql(P_ALTER, f"ALTER TABLE {name} ADD COLUMN {column_sql(c)};")
            elif c in regenerate:
                recreated.add(c.name)
            elif was != c and self.alter_column(new, was, c):
                recreated.add(c.name)
        for c in regenerate:
            out.sql(P_ALTER, f"ALTER TABLE {name} ADD COLUMN {column_sql(c)};")
            was = old.column(c.name)
            detail = f"type {was.type} -> {c.type}; " if was.type != c.type else ""
            out.change(
                "column",
                new.schema,
                f"{new.name}.{c.name}",
                "changed",
                detail + "generated column recomputed (it reads a column whose type changes)",
                table=new.name,
            )
        self.constraints(old, new, recreated)
        self.indexes(old, new, recreated)
        self.storage(old, new)
        if old.options != new.options:
            out.sql(P_ALTER, f"ALTER TABLE {name} SET {'UNLOGGED' if new.options == 'UNLOGGED' else 'LOGGED'};")
            out.change("table", new.schema, new.name, "changed", new.options or "LOGGED", table=new.name)
        self.table_extras(old, new)

    def alter_column(self, t: Table, old: Column, new: Column) -> bool:
        """Alter one column in place; True when it had to be dropped and added again."""
        name, col = qn(t.schema, t.name), q(new.name)
        out, details, destructive = self.out, [], False
        alter = f"ALTER TABLE {name} ALTER COLUMN {col}"
        if old.generated and not new.generated and castable(old.type, new.type):
            out.sql(P_ALTER, f"{alter} DROP EXPRESSION;")  # keeps the computed values
            old = replace(old, generated=None, default=None)
        if old.generated != new.generated or not castable(old.type, new.type):
            self.altered_relations.add(t.key)
            out.sql(P_ALTER, f"ALTER TABLE {name} DROP COLUMN {col};", destructive=True)
            out.sql(P_ALTER, f"ALTER TABLE {name} ADD COLUMN {column_sql(new)};", destructive=True)
            out.change(
                "column",
                t.schema,
                f"{t.name}.{new.name}",
                "changed",
                (
                    f"generated: {old.generated} -> {new.generated}"
                    if old.generated != new.generated
                    else f"type {old.type} -> {new.type} has no cast"
                )
                + " (column recreated)",
                True,
                t.name,
            )
            return True
        type_changed = old.type != new.type or old.collation != new.collation
        # a narrowing type change is withheld without --unsafe, and the default statements around it with it
        destructive = type_changed and not (widening(old.type, new.type) and old.collation == new.collation)
        if type_changed and old.default is not None:
            out.sql(P_ALTER, f"{alter} DROP DEFAULT;", destructive=destructive)
        if old.identity and not new.identity:  # early: a new serial's sequence may take its sequence's name
            out.sql(P_DROP_CONS, f"{alter} DROP IDENTITY;")
            details.append("identity dropped")
        if type_changed:
            self.altered_relations.add(t.key)
            coll = f" COLLATE {new.collation}" if new.collation else ""
            out.sql(P_ALTER, f"{alter} TYPE {new.type}{coll} USING {col}::{new.type};", destructive=destructive)
            details.append(f"type {old.type} -> {new.type}" + (f" collate {new.collation}" if coll else ""))
        if old.nullable != new.nullable:
            out.sql(P_ALTER, f"{alter} {'DROP' if new.nullable else 'SET'} NOT NULL;")
            details.append("nullable" if new.nullable else "not null")
        if old.default != new.default or (type_changed and new.default is not None):
            if new.default is None:
                if old.default is not None and not type_changed:
                    out.sql(P_ALTER, f"{alter} DROP DEFAULT;")
            else:
                out.sql(
                    P_ALTER + 1,
                    f"{alter} SET DEFAULT {new.default};",  # after sequences are owned
                    destructive=destructive,
                )
            if old.default != new.default:
                details.append(f"default {old.default} -> {new.default}")
        if new.identity and not old.identity:
            opts = f" ({new.identity_options})" if new.identity_options else ""
            out.sql(P_ALTER, f"{alter} ADD GENERATED {new.identity} AS IDENTITY{opts};")
            details.append(f"identity {new.identity}")
        elif new.identity and (old.identity, old.identity_options) != (new.identity, new.identity_options):
            sets = [f"SET GENERATED {new.identity}"] if old.identity != new.identity else []
            if old.identity_options != new.identity_options:
                sets += identity_sets(new.identity_options)
            out.sql(P_ALTER, f"{alter} {' '.join(sets)};")  # in place: the sequence keeps its position
            details.append(f"identity {new.identity} {new.identity_options}".strip())
        if old.comment != new.comment:
            self.comment("COLUMN", f"{name}.{col}", new.comment)
            details.append("comment")
        out.change("column", t.schema, f"{t.name}.{new.name}", "changed", "; ".join(details), destructive, t.name)
        return False

    def constraints(self, old: Table, new: Table, recreated: set = frozenset()) -> None:
        """Constraints by name; those on a recreated column went with it and are added again."""
        name = qn(new.schema, new.name)
        a = {c.name: c for c in old.constraints}
        b = {c.name: c for c in new.constraints}
        same = {n for n in a.keys() & b.keys() if replace(a[n], comment=None) == replace(b[n], comment=None)}
        pre = {n for n in a if (new.key, n) in self.predropped}  # dropped with a function it calls
        for n, c in a.items():
            if c.kind in ("primary", "unique") and (n not in same or recreated & set(c.columns)):
                self.unique_dropped.add(new.key)
            if n not in same and n in b and c.definition == b[n].definition + " NOT VALID" and n not in pre:
                continue  # validated: nothing to drop
            if n in pre and n not in b:
                self.out.change("constraint", new.schema, f"{new.name}.{n}", "removed", c.definition, table=new.name)
            elif n not in same and n not in pre:
                phase = P_DROP_FKS if c.kind == "foreign" else P_DROP_CONS
                self.out.sql(phase, f"ALTER TABLE {name} DROP CONSTRAINT {q(n)};")
                if n not in b:
                    self.out.change(
                        "constraint", new.schema, f"{new.name}.{n}", "removed", c.definition, table=new.name
                    )
        for n, c in b.items():
            target = f"CONSTRAINT {q(n)} ON {name}"
            if n in same and not recreated & set(c.columns) and n not in pre:
                if a[n].comment != c.comment:
                    self.out.sql(P_COMMENTS, comment_sql(target, c.comment))
                    self.out.change("constraint", new.schema, f"{new.name}.{n}", "changed", "comment", table=new.name)
                continue
            phase = P_FKS if c.kind == "foreign" else P_CONS
            if n in a and a[n].definition == c.definition + " NOT VALID" and n not in pre:
                self.out.sql(phase, f"ALTER TABLE {name} VALIDATE CONSTRAINT {q(n)};")
            else:
                self.out.sql(
                    phase,
                    f"ALTER TABLE {name} ADD CONSTRAINT {q(n)} {c.definition};",
                    destructive=n in same and n not in pre,
                )  # with its recreated column
            if c.kind == "foreign":
                self.fk_added.add((new.key, n))
            if c.comment:
                self.out.sql(P_COMMENTS, comment_sql(target, c.comment))
            if n not in same:
                self.out.change(
                    "constraint",
                    new.schema,
                    f"{new.name}.{n}",
                    "added" if n not in a else "changed",
                    c.definition,
                    table=new.name,
                )

    def indexes(self, old: Table, new: Table, recreated: set = frozenset()) -> None:
        """Indexes by name; those on a recreated column went with it and are created again."""
        a = {i.name: i for i in old.indexes}
        b = {i.name: i for i in new.indexes}
        same = {n for n in a.keys() & b.keys() if replace(a[n], comment=None) == replace(b[n], comment=None)}
        pre = {n for n in a if (new.key, n) in self.predropped}  # dropped with a function it calls
        for n, i in a.items():
            if i.unique and (n not in same or recreated & set(i.columns)):
                self.unique_dropped.add(new.key)
            if n in pre and n not in b:
                self.out.change("index", new.schema, n, "removed", i.definition, table=new.name)
            elif n not in same and n not in pre:
                self.out.sql(P_DROP_CONS, f"DROP INDEX {qn(new.schema, n)};")
                if n not in b:
                    self.out.change("index", new.schema, n, "removed", i.definition, table=new.name)
        for n, i in b.items():
            target = f"INDEX {qn(new.schema, n)}"
            if n in same and not recreated & set(i.columns) and n not in pre:
                if a[n].comment != i.comment:
                    self.out.sql(P_COMMENTS, comment_sql(target, i.comment))
                    self.out.change("index", new.schema, n, "changed", "comment", table=new.name)
                continue
            self.out.sql(P_CONS, i.definition + ";", destructive=n in same and n not in pre)
            if i.comment:
                self.out.sql(P_COMMENTS, comment_sql(target, i.comment))
            if n not in same:
                self.out.change(
                    "index", new.schema, n, "added" if n not in a else "changed", i.definition, table=new.name
                )

    def table_extras(self, old: Table | None, new: Table) -> None:
        name = qn(new.schema, new.name)
        if new.comment != (old.comment if old else None):
            self.comment("TABLE", name, new.comment)
            if old:
                self.out.change("table", new.schema, new.name, "changed", "comment", table=new.name)
        for c in new.columns:
            was = old.column(c.name) if old else None
            if c.comment and was is None:
                self.comment("COLUMN", f"{name}.{q(c.name)}", c.comment)
        rls_old = old.rls if old else (False, False)
        if new.rls != rls_old:
            if new.rls[0] != rls_old[0]:
                self.out.sql(
                    P_TRIGGERS, f"ALTER TABLE {name} {'ENABLE' if new.rls[0] else 'DISABLE'} ROW LEVEL SECURITY;"
                )
            if new.rls[1] != rls_old[1]:
                self.out.sql(P_TRIGGERS, f"ALTER TABLE {name} {'' if new.rls[1] else 'NO '}FORCE ROW LEVEL SECURITY;")
            if old:
                self.out.change(
                    "table", new.schema, new.name, "changed", f"row level security {new.rls}", table=new.name
                )
        self.grants("TABLE", name, old.grants if old else (), new.grants, new.schema, new.name)

    def grants(self, kind: str, name: str, old: tuple, new: tuple, schema: str, obj: str) -> None:
        self.grant_sql(f"{kind} {name}", old, new, schema, obj)

    def comment(self, kind: str, target: str, text: str | None) -> None:
        self.out.sql(P_COMMENTS, f"COMMENT ON {kind} {target} IS {literal(text) if text else 'NULL'};")

    # ------------------------------------------------------------------ views
    def views(self) -> None:
        kinds = ("view", "materialized view")
        a = {k[1:]: v for k, v in self.a.things.items() if k[0] in kinds}
        b = {k[1:]: v for k, v in self.b.things.items() if k[0] in kinds}
        changed = {k for k in a.keys() & b.keys() if (a[k].kind, a[k].definition) != (b[k].kind, b[k].definition)}
        removed = a.keys() - b.keys()
        deps_a = {k: set(v.depends) for k, v in a.items()}
        recreate = changed | dependants_closure(changed | removed | self.altered_relations, deps_a)
        recreate &= a.keys()
        self.altered_relations |= recreate  # INSTEAD OF triggers on them go with them: recreated too
        drop = [k for k in topo_order(sorted(a), deps_a) if k in recreate or k in removed]
        for k in reversed(drop):
            v = a[k]
            destructive = k in removed
            self.out.sql(P_DROP_VIEWS, v.drop, destructive=destructive)
            if k in removed:
                self.out.change(v.kind, v.schema, v.name, "removed", destructive=destructive)
        deps_b = {k: set(v.depends) for k, v in b.items()}
        for k in topo_order(sorted(b), deps_b):
            v = b[k]
            if k in a and k not in recreate:
                old = a[k]
                if old.extra != v.extra:
                    self.view_extras(old, v)
                continue
            self.out.sql(P_VIEWS, v.create)
            self.view_extras(None, v)
            if k not in a:
                self.out.change(v.kind, v.schema, v.name, "added")
            elif k in changed:
                self.out.change(v.kind, v.schema, v.name, "changed", "definition")
        # indexes on materialized views follow their view
        ia, ib = self.a.of_kind("index"), self.b.of_kind("index")
        for key, ix in ia.items():
            if key not in ib or core(ib[key]) != core(ix):
                if (ix.schema, ix.table) not in recreate and (ix.schema, ix.table) not in removed:
                    self.out.sql(P_DROP_CONS, ix.drop)
                if key not in ib:
                    self.out.change("index", ix.schema, ix.name, "removed", ix.definition, table=ix.table)
        for key, ix in ib.items():
            if key not in ia or core(ia[key]) != core(ix) or (ix.schema, ix.table) in recreate:
                self.out.sql(P_VIEWS + 1, ix.create)
                self.decorate("index", None, ix)
                if key not in ia or core(ia[key]) != core(ix):
                    self.out.change(
                        "index",
                        ix.schema,
                        ix.name,
                        "added" if key not in ia else "changed",
                        ix.definition,
                        table=ix.table,
                    )
                elif ia[key].get("comment") != ix.get("comment"):
                    self.out.change("index", ix.schema, ix.name, "changed", "comment", table=ix.table)
            else:
                self.decorate("index", ia[key], ix)

    def view_extras(self, old: Thing | None, new: Thing) -> None:
        kind = "VIEW" if new.kind == "view" else "MATERIALIZED VIEW"
        name = qn(new.schema, new.name)
        before = dict(old.extra) if old else {}
        after = dict(new.extra)
        if after.get("comment", "") != before.get("comment", ""):
            self.comment(kind, name, after.get("comment") or None)
        g_old = tuple(filter(None, before.get("grants", "").split("\n")))
        g_new = tuple(filter(None, after.get("grants", "").split("\n")))
        self.grants("TABLE", name, g_old, g_new, new.schema, new.name)
