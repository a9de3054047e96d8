"""PostgreSQL differ, the objects and facts ``pg_extras`` reads: comments and privileges on
functions/sequences/schemas/types/triggers/policies, domains, identity options, storage options,
defaults of partitions and children, and foreign keys that must be dropped and added again around
a changed unique key. The first part of ``PgDiffer``: ``pg_diff_tables`` builds on it."""

from __future__ import annotations

import re
from dataclasses import replace

from .model import Table, Thing
from .pg_diff_state import PgDiffState
from .pg_extras import comment_sql, comment_target, qn
from .pg_phases import Phase
from .quoting import pg_quote

q = pg_quote
DEFAULT_GRANTS = {"function": ("EXECUTE PUBLIC",)}  # what a new function gets without any GRANT
_GRANT = re.compile(r'^(.*) ("(?:[^"]|"")*"|[^ "]+)$')
_IDENTITY_OPT = re.compile(r"INCREMENT BY \S+|MINVALUE \S+|MAXVALUE \S+|START WITH \S+|CACHE \S+|NO CYCLE|CYCLE")


def split_grant(grant: str) -> tuple[str, str]:
    """``"SELECT(\"my col\") \"a role\""`` -> (privilege, grantee); the grantee is the last identifier."""
    m = _GRANT.match(grant)
    return (m.group(1), m.group(2)) if m else tuple(grant.split(" ", 1))  # type: ignore[return-value]


def identity_sets(options: str) -> list[str]:
    return [f"SET {o}" for o in _IDENTITY_OPT.findall(options)]


def core(thing: Thing) -> tuple:
    """What decides whether an object must be recreated: not its comment or privileges."""
    return thing.definition, tuple(kv for kv in thing.extra if kv[0] not in ("comment", "grants", "used_by"))


def uses_column(expression: str, columns: set) -> bool:
    return any(re.search(r'(?<![\w"])' + re.escape(q(c)) + r'(?![\w"])', expression) for c in columns)


def effective_default(tables: dict, key, column: str) -> tuple[bool, str | None]:
    """(has the column, its default) on a table that may inherit it: its own, else its parent's."""
    t = tables.get(key)
    if t is None:
        return False, None
    col = t.column(column)
    if col is not None:
        return True, col.default
    own = dict(t.own_defaults)
    if column in own:
        return True, own[column]
    for parent in t.parents:
        found = effective_default(tables, parent, column)
        if found[0]:
            return found
    return False, None


def _depth(tables: dict, key, seen: frozenset = frozenset()) -> int:
    t = tables.get(key)
    if t is None or key in seen:
        return 0
    return 1 + max((_depth(tables, p, seen | {key}) for p in t.parents), default=0)


class PgObjectsDiffer(PgDiffState):
    # ------------------------------------------------------------------ comments and privileges
    def decorate(self, kind: str, old: Thing | None, new: Thing) -> None:
        """Comment and privileges of an object; ``old`` None when it was just (re)created."""
        if kind == "extension":  # an extension brings its own comment
            return
        target = comment_target(new.drop)
        before = old.get("comment") if old else None
        if (new.get("comment") or None) != (before or None):
            self.out.sql(Phase.COMMENTS, comment_sql(target, new.get("comment")))
            if old is not None:
                self.out.change(kind, new.schema, new.name, "changed", "comment", table=new.table)
        if new.get("grants") is None:  # privileges not read (no --with-privileges)
            return
        g_old = tuple(filter(None, old.get("grants", "").split("\n"))) if old else DEFAULT_GRANTS.get(kind, ())
        g_new = tuple(filter(None, new.get("grants", "").split("\n")))
        self.grant_sql(target, g_old, g_new, new.schema, new.name)

    def grant_sql(self, target: str, old: tuple, new: tuple, schema: str, obj: str) -> None:
        for g in sorted(set(old) - set(new)):
            priv, grantee = split_grant(g)
            self.out.sql(Phase.COMMENTS, f"REVOKE {priv} ON {target} FROM {grantee};")
            self.out.change("privilege", schema, f"{obj}: {g}", "removed", table=obj)
        for g in sorted(set(new) - set(old)):
            priv, grantee = split_grant(g)
            self.out.sql(Phase.COMMENTS, f"GRANT {priv} ON {target} TO {grantee};")
            self.out.change("privilege", schema, f"{obj}: {g}", "added", table=obj)

    def pair_signatures(self, a: dict, b: dict) -> dict:
        """Functions whose OUT parameters changed have a new identity-argument name but the same
        input signature: key the old one under the new name so it is replaced, not dropped twice."""
        by_sig = {v.get("signature"): k for k, v in b.items() if k not in a and v.get("signature")}
        out = dict(a)
        for k, v in a.items():
            other = by_sig.get(v.get("signature")) if k not in b else None
            if other is not None:
                out[other] = out.pop(k)
        return out

    # ------------------------------------------------------------------ functions' users
    def predrop_users(self, function: Thing) -> None:
        """Before ``function`` is dropped to be created again: drop the defaults, constraints and
        indexes that call it; ``constraints``/``indexes`` and ``alter_column`` restore them."""
        for user in filter(None, (function.get("used_by") or "").split("\x1f")):
            kind, schema, table, name = user.split("\x1e")
            tq = qn(schema, table)
            if kind == "default":
                self.out.sql(Phase.DROP_USERS, f"ALTER TABLE {tq} ALTER COLUMN {q(name)} DROP DEFAULT;")
                target = self.b.tables.get((schema, table))
                col = target.column(name) if target else None
                if col is not None and col.default is not None:
                    self.out.sql(
                        Phase.SET_DEFAULTS, f"ALTER TABLE {tq} ALTER COLUMN {q(name)} SET DEFAULT {col.default};"
                    )
            elif kind == "constraint":
                self.out.sql(Phase.DROP_USERS, f"ALTER TABLE {tq} DROP CONSTRAINT {q(name)};")
                self.predropped.add(((schema, table), name))
            else:
                self.out.sql(Phase.DROP_USERS, f"DROP INDEX {qn(schema, name)};")
                self.predropped.add(((schema, table), name))

    def enum_functions(self, enum_name: str) -> None:
        """Functions taking or returning an enum that is swapped would keep the old type: they are
        dropped before and created again after the new type exists."""
        pattern = re.compile(re.escape(enum_name) + r"(?![\w$])")
        b = self.b.of_kind("function")
        for key, f in self.a.of_kind("function").items():
            if key in self.swapped_functions or not (pattern.search(f.name) or pattern.search(f.get("result") or "")):
                continue
            self.swapped_functions.add(key)
            self.functions_recreated = True  # triggers and policies calling it
            self.predrop_users(f)  # defaults, checks and indexes calling it
            self.out.sql(Phase.DROP_FUNCS, f.drop, destructive=key not in b)
            self.altered_relations.add((f.schema, f.name))
            if key in b:
                self.out.sql(Phase.FUNCS, b[key].create)
                self.decorate("function", None, b[key])
                if core(b[key]) != core(f):
                    self.out.change("function", f.schema, f.name, "changed", "recreated")
            else:
                self.out.change("function", f.schema, f.name, "removed", destructive=True)

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
                    self.out.sql(Phase.DROP_USERS, f"ALTER TABLE {tq} DROP CONSTRAINT {q(c.name)};")
                    self.predropped.add((table.key, c.name))
                elif c.kind == "foreign" and typed & set(c.columns):  # both ends change type one by one
                    self.out.sql(Phase.DROP_FKS, f"ALTER TABLE {tq} DROP CONSTRAINT {q(c.name)};")
                    self.predropped.add((table.key, c.name))
            for ix in table.indexes:
                if pattern.search(ix.definition) and (table.key, ix.name) not in self.predropped:
                    self.out.sql(Phase.DROP_USERS, f"DROP INDEX {qn(table.schema, ix.name)};")
                    self.predropped.add((table.key, ix.name))

    # ------------------------------------------------------------------ composite and range types
    def added_and_removed(self, kind: str, create_phase: Phase, drop_phase: Phase):
        """Create what only ``b`` has, drop what only ``a`` has; yield the pairs whose core differs
        (the unchanged ones only get their comments and grants compared)."""
        a, b = self.a.of_kind(kind), self.b.of_kind(kind)
        for key in sorted(b.keys() - a.keys()):
            t = b[key]
            self.out.change(kind, t.schema, t.name, "added", t.definition)
            self.out.sql(create_phase, t.create)
            self.decorate(kind, None, t)
        for key in sorted(a.keys() - b.keys()):
            t = a[key]
            self.out.change(kind, t.schema, t.name, "removed", t.definition, destructive=True)
            self.out.sql(drop_phase, t.drop, destructive=True)
        for key in sorted(a.keys() & b.keys()):
            old, new = a[key], b[key]
            if core(old) == core(new):
                self.decorate(kind, old, new)
            else:
                yield old, new

    def types(self) -> None:
        for old, new in self.added_and_removed("type", Phase.TYPES, Phase.DROP_TYPES):
            before = [x for x in old.fact("attributes").split("\x1f") if x]
            after = [x for x in new.fact("attributes").split("\x1f") if x]
            if not before or not after:  # a range type: only created again (works while unused)
                self.out.change(
                    "type",
                    new.schema,
                    new.name,
                    "changed",
                    f"{old.definition} -> {new.definition} (recreated)",
                    destructive=True,
                )
                self.out.sql(Phase.TYPES, old.drop, destructive=True)
                self.out.sql(Phase.TYPES, new.create, destructive=True)
                self.decorate("type", None, new)
                continue
            names_b = {x.split(" ", 1)[0]: x for x in after}
            names_a = {x.split(" ", 1)[0]: x for x in before}
            actions = [f"DROP ATTRIBUTE {n}" for n in names_a if n not in names_b]
            actions += [
                f"ALTER ATTRIBUTE {n} TYPE {x.split(' ', 1)[1]}"
                for n, x in names_b.items()
                if n in names_a and names_a[n] != x
            ]
            actions += [f"ADD ATTRIBUTE {x}" for n, x in names_b.items() if n not in names_a]
            destructive = any(not a_.startswith("ADD") for a_ in actions)
            self.out.sql(
                Phase.TYPES, f"ALTER TYPE {qn(new.schema, new.name)} {', '.join(actions)};", destructive=destructive
            )
            self.out.change(
                "type",
                new.schema,
                new.name,
                "changed",
                f"{old.definition} -> {new.definition}",
                destructive=destructive,
            )
            self.decorate("type", old, new)

    # ------------------------------------------------------------------ domains
    def domains(self) -> None:
        for old, new in self.added_and_removed("domain", Phase.DOMAINS, Phase.DROP_DOMAINS):
            name = qn(new.schema, new.name)
            if old.get("base") != new.get("base"):
                self.out.change(
                    "domain",
                    new.schema,
                    new.name,
                    "changed",
                    f"{old.definition} -> {new.definition} (recreated)",
                    destructive=True,
                )
                self.swap_domain(old, new)
                self.decorate("domain", None, new)
                continue
            if old.get("default") != new.get("default"):
                value = new.get("default")
                self.out.sql(
                    Phase.DOMAINS,
                    f"ALTER DOMAIN {name} " + ("DROP DEFAULT;" if value == "\x00" else f"SET DEFAULT {value};"),
                )
            if old.get("notnull") != new.get("notnull"):
                self.out.sql(Phase.DOMAINS, f"ALTER DOMAIN {name} {'SET' if new.get('notnull') else 'DROP'} NOT NULL;")
            before = set(filter(None, old.fact("constraints").split("\x1f")))
            after = set(filter(None, new.fact("constraints").split("\x1f")))
            for c in sorted(before - after):
                self.out.sql(Phase.DOMAINS, f"ALTER DOMAIN {name} DROP CONSTRAINT {c.split(' ', 1)[0]};")
            for c in sorted(after - before):
                self.out.sql(Phase.DOMAINS, f"ALTER DOMAIN {name} ADD CONSTRAINT {c};")
            self.out.change("domain", new.schema, new.name, "changed", f"{old.definition} -> {new.definition}")
            self.decorate("domain", old, new)

    def convert_columns(self, name: str, using, destructive: bool) -> None:
        """Columns of a type being swapped for a new one of the same name (the old one renamed aside)
        move to the new type: default dropped, converted ``USING`` the given cast, the target's default
        set again when the column keeps that type."""
        for table in self.a.tables.values():
            target = self.b.tables.get(table.key)
            for col in table.columns:
                tcol = target.column(col.name) if target is not None else None
                if col.type not in (name, name + "[]") or tcol is None:
                    continue
                self.altered_relations.add(table.key)
                tq, cq = qn(table.schema, table.name), q(col.name)
                if col.default is not None:
                    self.out.sql(Phase.ENUM_SWAP, f"ALTER TABLE {tq} ALTER COLUMN {cq} DROP DEFAULT;")
                self.out.sql(
                    Phase.ENUM_SWAP,
                    f"ALTER TABLE {tq} ALTER COLUMN {cq} TYPE {col.type} USING {using(cq, col.type)};",
                    destructive=destructive,
                )
                if tcol.default is not None and tcol.type == col.type:
                    self.out.sql(Phase.ENUM_SWAP, f"ALTER TABLE {tq} ALTER COLUMN {cq} SET DEFAULT {tcol.default};")

    def swap_domain(self, old: Thing, new: Thing) -> None:
        """A new base type: the old domain is renamed aside, the new one created, the columns that
        use it converted (their views, triggers and policies are recreated around the change), and
        only then the old one dropped (DROP DOMAIN fails while a column still uses it)."""
        name = qn(new.schema, new.name)
        tmp = new.name + "__dbm_old"
        self.enum_functions(name)  # functions taking or returning it would keep the renamed one
        self.enum_expressions(name)  # foreign keys over its columns
        self.out.sql(Phase.DOMAINS, f"ALTER DOMAIN {name} RENAME TO {q(tmp)};", destructive=True)
        self.out.sql(Phase.DOMAINS, new.create, destructive=True)
        self.convert_columns(name, lambda cq, ctype: f"{cq}::{ctype}", destructive=True)
        b_types = self.b.of_kind("type")
        for key, t in self.a.of_kind("type").items():  # composite types holding it
            target = b_types.get(key)
            for attr in filter(None, (t.get("attributes") or "").split("\x1f")):
                aname, _, atype = attr.partition(" ")
                if (
                    atype in (name, name + "[]")
                    and target is not None
                    and attr in (target.get("attributes") or "").split("\x1f")
                ):
                    self.out.sql(
                        Phase.ENUM_SWAP,
                        f"ALTER TYPE {qn(t.schema, t.name)} ALTER ATTRIBUTE {aname} TYPE {atype};",
                        destructive=True,
                    )
        self.out.sql(Phase.DROP_OTHER, f"DROP DOMAIN {qn(new.schema, tmp)};", destructive=True)

    # ------------------------------------------------------------------ tables: storage, partitions
    def storage(self, old: Table, new: Table) -> None:
        if old.storage == new.storage:
            return
        name = qn(new.schema, new.name)
        keys = {o.split("=", 1)[0] for o in new.storage}
        gone = sorted(o.split("=", 1)[0] for o in old.storage if o.split("=", 1)[0] not in keys)
        if gone:
            self.out.sql(Phase.ALTER, f"ALTER TABLE {name} RESET ({', '.join(gone)});")
        if new.storage:
            self.out.sql(Phase.ALTER, f"ALTER TABLE {name} SET ({', '.join(new.storage)});")
        self.out.change(
            "table",
            new.schema,
            new.name,
            "changed",
            f"storage ({', '.join(old.storage)}) -> ({', '.join(new.storage)})",
            table=new.name,
        )

    # ------------------------------------------------------------------ defaults of partitions and children
    def set_child_default(self, t: Table, column: str, default: str | None) -> None:
        action = "DROP DEFAULT" if default is None else f"SET DEFAULT {default}"
        self.out.sql(Phase.CHILD_DEFAULTS, f"ALTER TABLE {qn(t.schema, t.name)} ALTER COLUMN {q(column)} {action};")

    def child_defaults(self, created: set) -> None:
        """Defaults a partition or INHERITS child set itself. A parent's SET/DROP DEFAULT recurses to
        its children, so parents go first and a child's own default is set again after its parent's
        changed; children just created (``created``) got theirs from ``create_table``."""
        a, b = self.a.tables, self.b.tables
        children = [k for k, t in b.items() if t.parents and k in a and k not in created]
        for key in sorted(children, key=lambda k: (_depth(b, k), k)):
            old, new = a[key], b[key]
            own = dict(new.own_defaults)
            for column in sorted(dict(old.own_defaults).keys() | own.keys()):
                was = effective_default(a, key, column)[1]
                now = effective_default(b, key, column)[1]
                parent_moved = any(
                    effective_default(a, p, column) != effective_default(b, p, column) for p in new.parents
                )
                if was != now or (parent_moved and column in own):
                    self.set_child_default(new, column, now)
                if was != now:
                    self.out.change(
                        "column",
                        new.schema,
                        f"{new.name}.{column}",
                        "changed",
                        f"default {was} -> {now} (on this {'partition' if new.partition_of else 'child'})",
                        table=new.name,
                    )

    # ------------------------------------------------------------------ foreign keys around unique keys
    def refresh_foreign_keys(self) -> None:
        """A foreign key depends on the referenced table's unique index: when that index is dropped
        (a primary key or unique constraint changes), keys that point at the table are dropped first
        and added again after the new key exists."""
        for key, old in self.a.tables.items():
            new = self.b.tables.get(key)
            if new is None:
                continue
            for c in old.constraints:
                if c.kind != "foreign" or c.references not in self.unique_dropped:
                    continue
                if (key, c.name) in self.fk_added:
                    continue
                same = next((n for n in new.constraints if n.name == c.name), None)
                if same is None or replace(same, comment=None) != replace(c, comment=None):
                    continue
                name = qn(new.schema, new.name)
                self.out.sql(Phase.DROP_FKS, f"ALTER TABLE {name} DROP CONSTRAINT {q(c.name)};")
                self.out.sql(Phase.FKS, f"ALTER TABLE {name} ADD CONSTRAINT {q(c.name)} {c.definition};")
                if same.comment:
                    self.out.sql(Phase.COMMENTS, comment_sql(f"CONSTRAINT {q(c.name)} ON {name}", same.comment))
