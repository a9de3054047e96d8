"""PostgreSQL differ, tables: created, dropped and altered tables, their columns, constraints,
indexes, partitioning, row level security and comments. Builds on ``pg_diff_objects``; ``PgDiffer``
builds on it."""

from __future__ import annotations

from dataclasses import replace

from .model import Column, Table, column_pairs
from .pg_diff_objects import PgObjectsDiffer, identity_sets, uses_column
from .pg_extras import comment_sql
from .pg_introspect import qn
from .pg_phases import Phase
from .pg_types import castable, column_sql, widening
from .quoting import literal, pg_quote

q = pg_quote


class PgTablesDiffer(PgObjectsDiffer):
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
                        Phase.DROP_FKS,
                        f"ALTER TABLE {qn(t.schema, t.name)} DROP CONSTRAINT {q(c.name)};",
                        destructive=True,
                    )
            self.out.sql(
                Phase.DROP_PARTITIONS if t.partition_of else Phase.DROP_TABLES,
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
            self.out.sql(Phase.PARTITIONS, f"CREATE {unlogged}TABLE {name} {t.partition_of}{tail};")
        else:  # a child of INHERITS after its parents and their column changes (types must agree)
            self.out.sql(
                Phase.INHERITING_TABLES if t.inherits else Phase.TABLES,
                f"CREATE {unlogged}TABLE {name} (\n    " + ",\n    ".join(items) + f"\n){tail};",
            )
        self.created_tables.add(t.key)
        for column, default in t.own_defaults:
            self.set_child_default(t, column, default)
        if change:
            self.out.change("table", t.schema, t.name, "added", f"{len(t.columns)} columns", table=t.name)
        for c in t.constraints:
            if c.kind == "foreign":
                self.out.sql(Phase.FKS, f"ALTER TABLE {name} ADD CONSTRAINT {q(c.name)} {c.definition};")
            elif t.partition_of:  # a partition's own check (the parent's come with PARTITION OF)
                self.out.sql(Phase.CONS, f"ALTER TABLE {name} ADD CONSTRAINT {q(c.name)} {c.definition};")
            if c.comment:
                self.out.sql(Phase.COMMENTS, comment_sql(f"CONSTRAINT {q(c.name)} ON {name}", c.comment))
        for ix in t.indexes:
            self.out.sql(Phase.CONS, ix.definition + ";")
            if ix.comment:
                self.out.sql(Phase.COMMENTS, comment_sql(f"INDEX {qn(t.schema, ix.name)}", ix.comment))
        self.table_extras(None, t)

    def alter_table(self, old: Table, new: Table) -> None:
        name = qn(new.schema, new.name)
        out = self.out
        if self.partition_changed(old, new):
            return
        # stored generated columns over a column whose type changes block the ALTER TYPE: they are
        # dropped first and added again afterwards (their values are computed, nothing is lost)
        both = column_pairs(old, new)
        retyped = {c.name for was, c in both if (was.type, was.collation) != (c.type, c.collation)}
        regenerate = [
            (was, c)
            for was, c in both
            if c.generated and was.generated and retyped and uses_column(was.generated, retyped)
        ]
        regenerated = {c.name for _, c in regenerate}
        for _, c in regenerate:
            self.altered_relations.add(new.key)
            out.sql(Phase.ALTER, f"ALTER TABLE {name} DROP COLUMN {q(c.name)};")
        for c in old.columns:
            if new.column(c.name) is None:
                self.altered_relations.add(new.key)
                out.change("column", new.schema, f"{new.name}.{c.name}", "removed", c.type, True, new.name)
                out.sql(Phase.ALTER, f"ALTER TABLE {name} DROP COLUMN {q(c.name)};", destructive=True)
        recreated: set[str] = set()
        for c in new.columns:
            was = old.column(c.name)
            if was is None:
                out.change("column", new.schema, f"{new.name}.{c.name}", "added", column_sql(c), table=new.name)
                out.sql(Phase.ALTER, f"ALTER TABLE {name} ADD COLUMN {column_sql(c)};")
            elif c.name in regenerated:
                recreated.add(c.name)
            elif was != c and self.alter_column(new, was, c):
                recreated.add(c.name)
        for was, c in regenerate:
            out.sql(Phase.ALTER, f"ALTER TABLE {name} ADD COLUMN {column_sql(c)};")
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
            out.sql(Phase.ALTER, f"ALTER TABLE {name} SET {'UNLOGGED' if new.options == 'UNLOGGED' else 'LOGGED'};")
            out.change("table", new.schema, new.name, "changed", new.options or "LOGGED", table=new.name)
        self.table_extras(old, new)

    def partition_changed(self, old: Table, new: Table) -> bool:
        """A partition's bound, a table's partitioning or its INHERITS list changed: drop and create
        it again (ALTER ... INHERIT would leave the inherited columns and checks local, unlike a
        table created that way)."""
        retyped = {c.name for was, c in column_pairs(old, new) if was.type != c.type}
        key_retyped = bool(old.partition_by) and uses_column(old.partition_by, retyped)  # ALTER TYPE refuses
        if (old.partition_of, old.partition_by, old.inherits) == (
            new.partition_of,
            new.partition_by,
            new.inherits,
        ) and not key_retyped:
            return False
        name = qn(new.schema, new.name)
        if key_retyped:
            detail = f"partition key column type changed ({', '.join(sorted(retyped))})"
        elif old.inherits != new.inherits:
            detail = f"inherits ({old.inherits or '-'}) -> ({new.inherits or '-'})"
        else:
            detail = (
                f"partitioning: {old.partition_of or old.partition_by or 'none'} -> "
                f"{new.partition_of or new.partition_by or 'none'}"
            )
        self.out.change("table", new.schema, new.name, "changed", detail + " (recreated)", True, new.name)
        # a partition may already have gone with its parent, recreated here too
        first = len(self.out.statements)
        self.out.sql(
            Phase.DROP_PARTITIONS, f"DROP TABLE {'IF EXISTS ' if old.partition_of else ''}{name};", destructive=True
        )
        self.create_table(new, change=False)
        if old.partition_by:  # its partitions went with it: the target's ones are created again
            for key, t in sorted(self.b.tables.items()):
                old_t = self.a.tables.get(key)
                if (
                    old_t is not None
                    and t.partition_of.startswith(f"PARTITION OF {name} ")
                    and (old_t.partition_of, old_t.partition_by) == (t.partition_of, t.partition_by)
                ):
                    self.create_table(t, change=False)
        # the creation only makes sense after the drop: both are left out without --unsafe
        self.out.statements[first:] = [replace(st, destructive=True) for st in self.out.statements[first:]]
        child = f" PARTITION OF {name} "  # new partitions of it, created earlier, need it recreated too
        self.out.statements[:first] = [
            replace(st, destructive=True) if child in st.sql else st for st in self.out.statements[:first]
        ]
        return True

    def alter_column(self, t: Table, old: Column, new: Column) -> bool:
        """Alter one column in place; True when it had to be dropped and added again."""
        name, col = qn(t.schema, t.name), q(new.name)
        out, details, destructive = self.out, [], False
        alter = f"ALTER TABLE {name} ALTER COLUMN {col}"
        if old.generated and not new.generated and castable(old.type, new.type):
            out.sql(Phase.ALTER, f"{alter} DROP EXPRESSION;")  # keeps the computed values
            old = replace(old, generated=None, default=None)
        if old.generated != new.generated or not castable(old.type, new.type):
            self.altered_relations.add(t.key)
            out.sql(Phase.ALTER, f"ALTER TABLE {name} DROP COLUMN {col};", destructive=True)
            out.sql(Phase.ALTER, f"ALTER TABLE {name} ADD COLUMN {column_sql(new)};", destructive=True)
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
            out.sql(Phase.ALTER, f"{alter} DROP DEFAULT;", destructive=destructive)
        if old.identity and not new.identity:  # early: a new serial's sequence may take its sequence's name
            out.sql(Phase.DROP_CONS, f"{alter} DROP IDENTITY;")
            details.append("identity dropped")
        if type_changed:
            self.altered_relations.add(t.key)
            coll = f" COLLATE {new.collation}" if new.collation else ""
            out.sql(Phase.ALTER, f"{alter} TYPE {new.type}{coll} USING {col}::{new.type};", destructive=destructive)
            details.append(f"type {old.type} -> {new.type}" + (f" collate {new.collation}" if coll else ""))
        if old.nullable != new.nullable:
            out.sql(Phase.ALTER, f"{alter} {'DROP' if new.nullable else 'SET'} NOT NULL;")
            details.append("nullable" if new.nullable else "not null")
        if old.default != new.default or (type_changed and new.default is not None):
            if new.default is None:
                if old.default is not None and not type_changed:
                    out.sql(Phase.ALTER, f"{alter} DROP DEFAULT;")
            else:
                out.sql(
                    Phase.SET_DEFAULTS,
                    f"{alter} SET DEFAULT {new.default};",  # after sequences are owned
                    destructive=destructive,
                )
            if old.default != new.default:
                details.append(f"default {old.default} -> {new.default}")
        if new.identity and not old.identity:
            opts = f" ({new.identity_options})" if new.identity_options else ""
            out.sql(Phase.ALTER, f"{alter} ADD GENERATED {new.identity} AS IDENTITY{opts};")
            details.append(f"identity {new.identity}")
        elif new.identity and (old.identity, old.identity_options) != (new.identity, new.identity_options):
            sets = [f"SET GENERATED {new.identity}"] if old.identity != new.identity else []
            if old.identity_options != new.identity_options:
                sets += identity_sets(new.identity_options)
            out.sql(Phase.ALTER, f"{alter} {' '.join(sets)};")  # in place: the sequence keeps its position
            details.append(f"identity {new.identity} {new.identity_options}".strip())
        if old.comment != new.comment:
            self.comment("COLUMN", f"{name}.{col}", new.comment)
            details.append("comment")
        out.change("column", t.schema, f"{t.name}.{new.name}", "changed", "; ".join(details), destructive, t.name)
        return False

    def constraints(self, old: Table, new: Table, recreated: set[str] | frozenset[str] = frozenset()) -> None:
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
                phase = Phase.DROP_FKS if c.kind == "foreign" else Phase.DROP_CONS
                self.out.sql(phase, f"ALTER TABLE {name} DROP CONSTRAINT {q(n)};")
                if n not in b:
                    self.out.change(
                        "constraint", new.schema, f"{new.name}.{n}", "removed", c.definition, table=new.name
                    )
        for n, c in b.items():
            target = f"CONSTRAINT {q(n)} ON {name}"
            if n in same and not recreated & set(c.columns) and n not in pre:
                if a[n].comment != c.comment:
                    self.out.sql(Phase.COMMENTS, comment_sql(target, c.comment))
                    self.out.change("constraint", new.schema, f"{new.name}.{n}", "changed", "comment", table=new.name)
                continue
            phase = Phase.FKS if c.kind == "foreign" else Phase.CONS
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
                self.out.sql(Phase.COMMENTS, comment_sql(target, c.comment))
            if n not in same:
                self.out.change(
                    "constraint",
                    new.schema,
                    f"{new.name}.{n}",
                    "added" if n not in a else "changed",
                    c.definition,
                    table=new.name,
                )

    def indexes(self, old: Table, new: Table, recreated: set[str] | frozenset[str] = frozenset()) -> None:
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
                self.out.sql(Phase.DROP_CONS, f"DROP INDEX {qn(new.schema, n)};")
                if n not in b:
                    self.out.change("index", new.schema, n, "removed", i.definition, table=new.name)
        for n, i in b.items():
            target = f"INDEX {qn(new.schema, n)}"
            if n in same and not recreated & set(i.columns) and n not in pre:
                if a[n].comment != i.comment:
                    self.out.sql(Phase.COMMENTS, comment_sql(target, i.comment))
                    self.out.change("index", new.schema, n, "changed", "comment", table=new.name)
                continue
            self.out.sql(Phase.CONS, i.definition + ";", destructive=n in same and n not in pre)
            if i.comment:
                self.out.sql(Phase.COMMENTS, comment_sql(target, i.comment))
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
                    Phase.TRIGGERS, f"ALTER TABLE {name} {'ENABLE' if new.rls[0] else 'DISABLE'} ROW LEVEL SECURITY;"
                )
            if new.rls[1] != rls_old[1]:
                self.out.sql(
                    Phase.TRIGGERS, f"ALTER TABLE {name} {'' if new.rls[1] else 'NO '}FORCE ROW LEVEL SECURITY;"
                )
            if old:
                self.out.change(
                    "table", new.schema, new.name, "changed", f"row level security {new.rls}", table=new.name
                )
        self.grants("TABLE", name, old.grants if old else (), new.grants, new.schema, new.name)

    def grants(self, kind: str, name: str, old: tuple, new: tuple, schema: str, obj: str) -> None:
        self.grant_sql(f"{kind} {name}", old, new, schema, obj)

    def comment(self, kind: str, target: str, text: str | None) -> None:
        self.out.sql(Phase.COMMENTS, f"COMMENT ON {kind} {target} IS {literal(text) if text else 'NULL'};")
