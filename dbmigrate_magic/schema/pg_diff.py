"""PostgreSQL differ: walks two models and emits changes plus statements, each in a named phase
(``pg_phases.Phase`` lists their order). Generic objects, enums and views are here; tables and
their partitioning are in ``pg_diff_tables``; domains, types, children's defaults and grants in
``pg_diff_objects``; what the parts share (models, collector, bookkeeping) in ``pg_diff_state``.
"""

from __future__ import annotations

from .changes import Collector
from .model import Thing
from .ordering import dependants_closure, topo_order
from .pg_diff_objects import core
from .pg_diff_state import ThingKey
from .pg_diff_tables import PgTablesDiffer
from .pg_introspect import qn
from .pg_phases import Phase
from .quoting import literal, pg_quote

q = pg_quote


class PgDiffer(PgTablesDiffer):
    """Built on ``PgTablesDiffer`` and ``PgObjectsDiffer``; ``PgDiffState`` holds what they share."""

    # ------------------------------------------------------------------ entry point
    def run(self) -> Collector:
        if self.extensions_only:
            self.things("extension")
            return self.out
        self.out.sql(Phase.SETTINGS, "SET check_function_bodies = off;", wrapper=True)
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
        "schema": (Phase.DROP_SCHEMAS, Phase.SCHEMAS, Phase.DROP_SCHEMAS),
        "extension": (Phase.DROP_EXTENSIONS, Phase.SCHEMAS, Phase.DROP_OTHER),
        "sequence": (Phase.DROP_OTHER, Phase.SEQUENCES, Phase.DROP_OTHER),
        "function": (Phase.DROP_OTHER, Phase.FUNCS, Phase.DROP_FUNCS),
        "trigger": (Phase.DROP_TRIGGERS, Phase.TRIGGERS, Phase.DROP_TRIGGERS),
        "policy": (Phase.DROP_TRIGGERS, Phase.TRIGGERS, Phase.DROP_TRIGGERS),
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
                self.out.sql(Phase.DROP_FUNCS, f"ALTER SEQUENCE {qn(t.schema, t.name)} RENAME TO {q(tmp)};")
                drop = f"DROP SEQUENCE IF EXISTS {qn(t.schema, tmp)};"
            self.out.sql(drop_removed, drop, destructive=kind in self.DESTRUCTIVE_DROP)
            if kind == "function":
                self.altered_relations.add((t.schema, t.name))
        for key in sorted(b.keys() - a.keys()):
            t = b[key]
            self.out.change(kind, t.schema, t.name, "added", table=t.table)
            self.out.sql(create, t.create)
            if kind == "sequence" and t.get("owned_by"):
                self.out.sql(Phase.OWNED, f"ALTER SEQUENCE {qn(t.schema, t.name)} OWNED BY {t.get('owned_by')};")
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

    def rebind_functions(
        self, a: dict[ThingKey, Thing], b: dict[ThingKey, Thing]
    ) -> tuple[dict[ThingKey, Thing], dict[ThingKey, Thing]]:
        """A function with a SQL-standard body (BEGIN ATOMIC / RETURN) is bound to the tables it
        reads (``depends``): a column it uses cannot change type or go while it exists, and a new
        body must see the target columns. Such functions are dropped before the tables change and
        created after them; returns the functions left for the ordinary walk."""
        bound = {k for k in a.keys() | b.keys() if (k in a and a[k].depends) or (k in b and b[k].depends)}
        for key in sorted(bound):
            if key not in b:  # before the columns it reads are dropped or changed
                old = a[key]
                self.out.change("function", old.schema, old.name, "removed", destructive=True)
                self.out.sql(Phase.DROP_FUNCS, old.drop, destructive=True)
                self.altered_relations.add((old.schema, old.name))
                continue
            if key not in a:
                new = b[key]
                self.out.change("function", new.schema, new.name, "added")
                self.out.sql(Phase.REBIND, new.create)
                self.decorate("function", None, new)
                continue
            old, new = a[key], b[key]
            if core(old) == core(new) and not any(self.relation_changes(k) for k in old.depends):
                self.decorate("function", old, new)
                continue
            self.functions_recreated = True
            self.altered_relations.add((old.schema, old.name))
            self.predrop_users(old)
            # reading a view: dropped before views are and created after them
            reads_view = any(k not in self.a.tables for k in old.depends + new.depends)
            self.out.sql(Phase.DROP_VIEW_READERS if reads_view else Phase.DROP_FUNCS, old.drop)
            self.out.sql(Phase.VIEW_READERS if reads_view else Phase.REBIND, new.create)
            self.decorate("function", None, new)
            if core(old) != core(new):
                self.out.change("function", new.schema, new.name, "changed", "recreated (SQL-standard body)")
        return ({k: v for k, v in a.items() if k not in bound}, {k: v for k, v in b.items() if k not in bound})

    def changed_thing(self, kind: str, old: Thing, new: Thing, create: Phase, drop: Phase) -> bool:
        """Emit the change; True when the object was dropped and created again (comment and
        privileges then start from scratch)."""
        name = qn(new.schema, new.name)
        if kind == "extension":
            detail = []
            if old.get("schema") != new.get("schema"):
                self.out.sql(Phase.SCHEMAS, f"ALTER EXTENSION {q(new.name)} SET SCHEMA {q(new.fact('schema'))};")
                detail.append(f"schema {old.get('schema')} -> {new.get('schema')}")
            if old.get("version") != new.get("version") and old.definition != new.definition:
                self.out.sql(Phase.SCHEMAS, f"ALTER EXTENSION {q(new.name)} UPDATE TO {literal(new.fact('version'))};")
                detail.append(f"version {old.get('version')} -> {new.get('version')}")
            if detail:
                self.out.change(kind, "", new.name, "changed", "; ".join(detail))
            return False
        if kind == "sequence":
            if old.definition.split(" OWNED BY ")[0] != new.definition.split(" OWNED BY ")[0]:
                self.out.sql(Phase.SEQUENCES, f"ALTER SEQUENCE {name} {new.create.split(name, 1)[1].strip()}")
            if old.get("owned_by") != new.get("owned_by"):
                self.out.sql(Phase.OWNED, f"ALTER SEQUENCE {name} OWNED BY {new.get('owned_by') or 'NONE'};")
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
            self.out.sql(Phase.ENUMS, t.create)
            self.decorate("enum", None, t)
        for key in a.keys() - b.keys():
            t = a[key]
            self.out.change("enum", t.schema, t.name, "removed", destructive=True)
            self.out.sql(Phase.DROP_ENUMS, t.drop, destructive=True)
        for key in sorted(a.keys() & b.keys()):
            old, new = a[key], b[key]
            if old.definition == new.definition:
                self.decorate("enum", old, new)
                continue
            before, after = old.fact("labels").split("\x1f"), new.fact("labels").split("\x1f")
            name = qn(new.schema, new.name)
            # only additions: ALTER TYPE ADD VALUE in place, unless the script itself uses a new value
            # (PostgreSQL refuses that before the ADD VALUE is committed: swap the type instead)
            if [v for v in after if v in before] == before and not self.labels_used(new, after, before):
                for i, v in enumerate(after):
                    if v in before:
                        continue
                    nxt = next((w for w in after[i + 1 :] if w in before), None)
                    where = f" BEFORE {literal(nxt)}" if nxt else ""
                    self.out.sql(Phase.ENUMS, f"ALTER TYPE {name} ADD VALUE {literal(v)}{where};")
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
        self.out.sql(Phase.ENUMS, f"ALTER TYPE {name} RENAME TO {q(tmp)};", destructive=bool(removed))
        self.out.sql(Phase.ENUMS, new.create, destructive=bool(removed))
        self.convert_columns(
            name,
            lambda cq, ctype: f"{cq}::text{'[]' if ctype.endswith('[]') else ''}::{ctype}",
            destructive=bool(removed),
        )
        self.out.sql(Phase.DROP_OTHER, f"DROP TYPE {qn(new.schema, tmp)};", destructive=bool(removed))

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
            self.out.sql(Phase.DROP_VIEWS, v.drop, destructive=destructive)
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
            self.out.sql(Phase.VIEWS, v.create)
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
                    self.out.sql(Phase.DROP_CONS, ix.drop)
                if key not in ib:
                    self.out.change("index", ix.schema, ix.name, "removed", ix.definition, table=ix.table)
        for key, ix in ib.items():
            if key not in ia or core(ia[key]) != core(ix) or (ix.schema, ix.table) in recreate:
                self.out.sql(Phase.VIEW_INDEXES, ix.create)
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
