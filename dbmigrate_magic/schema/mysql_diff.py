"""MySQL/MariaDB differ: ALTER TABLE with the server's own column and key lines (MODIFY COLUMN,
ADD COLUMN ... AFTER to keep column order, DROP/ADD KEY, FOREIGN KEY and CHECK), new tables from
the target's ``SHOW CREATE TABLE``; views dropped before and recreated after the tables they read.
The script runs with FOREIGN_KEY_CHECKS = 0, as mysqldump's output does."""

from __future__ import annotations

import re
from enum import IntEnum, auto

from .changes import Collector
from .model import Column, Constraint, Index, SchemaModel, Table, column_pairs
from .ordering import dependants_closure, topo_order
from .quoting import mysql_quote

q = mysql_quote


class Phase(IntEnum):
    """The order of the statements: each names its phase, and they run in this order (within a
    phase, in the order they were made). Views and triggers go first and come back last; keys
    and foreign keys are dropped before the columns change and added after."""

    DROP_VIEWS = auto()  # and triggers
    DROP_FKS = auto()
    DROP_AUTO_INCREMENT = auto()  # an AUTO_INCREMENT column must lose it before its key goes
    DROP_KEYS = auto()
    SEQUENCES = auto()  # MariaDB sequences, before the tables whose defaults use them
    TABLES = auto()
    TABLE_OPTIONS = auto()  # and dropping system versioning, before column changes a versioned table refuses
    ALTER = auto()
    VERSIONING_AND_PARTITIONS = auto()  # after the columns they name
    DROP_TABLES = auto()
    KEYS = auto()
    RESTORE_AUTO_INCREMENT = auto()  # once its key exists again
    FKS = auto()
    VIEWS = auto()
    TRIGGERS = auto()


_FK = re.compile(r"FOREIGN KEY \((.*?)\) REFERENCES (`(?:[^`]|``)+`) \((.*?)\)")


def fk_parts(definition: str) -> tuple[set, str, set] | None:
    """``CONSTRAINT `c` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ...`` -> ({a}, p, {id})."""
    m = _FK.search(definition)
    if not m:
        return None
    names = lambda s: {x.strip().strip("`").replace("``", "`") for x in s.split(",")}  # noqa: E731
    return names(m.group(1)), m.group(2)[1:-1].replace("``", "`"), names(m.group(3))


TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}


INTEGERS = ("tinyint", "smallint", "mediumint", "int", "bigint")
TEXTS = ("tinytext", "text", "mediumtext", "longtext")


def _facts(c) -> tuple[str, tuple[int, ...], bool, str]:
    """(base type, numeric arguments, unsigned, CHARACTER SET clause) of a column line."""
    base, _, args = c.type.lower().partition("(")
    nums = tuple(int(a) for a in args.rstrip(")").split(",") if a.strip().isdigit())
    rest = (c.definition or "").split(" ", 2)[-1].lower()
    charset = rest.split("character set ", 1)[1].split(" ", 1)[0] if "character set " in rest else ""
    return base, nums, " unsigned" in f" {rest}", charset


def widening(old, new) -> bool:
    """Whether every value of column ``old`` fits ``new`` unchanged: a bigger integer (display
    width aside), longer varchar/char, a bigger text type, more decimal digits, float to double."""
    (ob, oa, ou, oc), (nb, na, nu, nc) = _facts(old), _facts(new)
    if oc != nc:
        return False
    if ob in INTEGERS and nb in INTEGERS:
        rank = INTEGERS.index(nb) - INTEGERS.index(ob)
        return rank >= 0 and ou == nu or rank > 0 and ou and not nu
    if ob in ("char", "varchar") and nb == "varchar":
        return bool(oa and na) and na[0] >= oa[0]
    if ob in ("char", "varchar") and nb in TEXTS[1:]:
        return True
    if ob in TEXTS and nb in TEXTS:
        return TEXTS.index(nb) >= TEXTS.index(ob)
    if ob == nb == "decimal" and ou == nu and len(oa) == len(na) == 2:
        return na[0] - na[1] >= oa[0] - oa[1] and na[1] >= oa[1]
    return ob == "float" and nb == "double" and ou == nu


def _charset(options: str) -> tuple:
    return tuple(w for w in options.split() if w.startswith(("CHARSET=", "COLLATE=")))


def _options(options: str) -> tuple[str, bool, str]:
    """(table options, WITH SYSTEM VERSIONING, PARTITION BY clause) of ``SHOW CREATE TABLE``'s tail:
    the last two are changed by their own ALTER TABLE clauses, not restated like ENGINE=."""
    head, _, part = options.partition(" PARTITION BY ")
    plain = head.replace(" WITH SYSTEM VERSIONING", "")
    return plain.strip(), plain != head, f"PARTITION BY {part}" if part else ""


# what an option left out of the target resets to: ALTER TABLE keeps any option it does not name
RESETS = {
    "ROW_FORMAT": "DEFAULT",
    "TRANSACTIONAL": "DEFAULT",
    "STATS_PERSISTENT": "DEFAULT",
    "STATS_AUTO_RECALC": "DEFAULT",
    "STATS_SAMPLE_PAGES": "DEFAULT",
    "PACK_KEYS": "DEFAULT",
    "KEY_BLOCK_SIZE": "0",
    "CHECKSUM": "0",
    "DELAY_KEY_WRITE": "0",
    "MIN_ROWS": "0",
    "MAX_ROWS": "0",
    "AVG_ROW_LENGTH": "0",
    "COMMENT": "''",
}


def _resets(old: str, new: str) -> str:
    """`` ROW_FORMAT=DEFAULT`` and the like for each option ``old`` sets and ``new`` does not."""
    names = lambda o: {w.split("=", 1)[0] for w in o.split(" ") if "=" in w}  # noqa: E731
    return "".join(f" {n}={RESETS[n]}" for n in sorted(names(old) - names(new)) if n in RESETS)


def _values_lost(old, new) -> bool:
    """Whether an ENUM or SET loses one of its values (rows holding it would be blanked or refused)."""
    values = lambda c: set(re.findall(r"'((?:[^']|'')*)'", c.type)) if _facts(c)[0] in ("enum", "set") else None  # noqa: E731
    before, after = values(old), values(new)
    return before is not None and after is not None and bool(before - after)


def _names(definition: str) -> set:
    """Every backquoted name in a key line (the key's own name included), unescaped."""
    return {n.replace("``", "`") for n in re.findall(r"`((?:[^`]|``)+)`", definition)}


def _dropped_key_columns(old: Table, new: Table) -> set:
    """Columns named by a primary key or index of ``old`` that ``new`` does not have as it is."""
    keys: list[Constraint | Index] = [c for c in old.constraints if c.kind == "primary" and c not in new.constraints]
    keys += [i for i in old.indexes if i not in new.indexes]
    return {n for k in keys for n in _names(k.definition)}


def _key_columns(key) -> set:
    return _names(key.definition) if key else set()


def _auto_key(c, old: Table, new: Table, pk_a, pk_b):
    """The new primary key or index of ``new`` that holds the added AUTO_INCREMENT column ``c`` (and
    otherwise only columns ``old`` has), or None."""
    keys = ([pk_b] if pk_b and pk_b != pk_a else []) + [i for i in new.indexes if i not in old.indexes]
    return next(
        (
            k
            for k in keys
            if c.name in _key_columns(k) and all(n == c.name or old.column(n) for n in _key_columns(k) - {k.name})
        ),
        None,
    )


def _line(c: Column) -> str:
    """A column's ``SHOW CREATE TABLE`` line, which MySQL introspection always records."""
    if c.definition is None:
        raise ValueError(f"MySQL column {c.name} has no definition line")
    return c.definition


def _auto(c: Column | None) -> bool:
    return c is not None and " AUTO_INCREMENT" in (c.definition or "")


def _without_auto(c: Column) -> str:
    return _line(c).replace(" AUTO_INCREMENT", "", 1)


def _generated(c) -> bool:
    return " GENERATED ALWAYS AS " in (c.definition or "")


class MySqlDiffer:
    def __init__(self, a: SchemaModel, b: SchemaModel, extensions_only: bool = False):
        self.a, self.b, self.out = a, b, Collector()
        self.extensions_only = extensions_only
        self.altered: set = set()
        self.retyped: dict = {}  # table -> columns whose type changes (foreign keys on them must go first)
        self.fk_touched: set = set()  # (table, constraint) foreign keys already dropped or added

    def run(self) -> Collector:
        if self.extensions_only:
            return self.out
        a, b, out = self.a.tables, self.b.tables, self.out
        for k in sorted(b.keys() - a.keys()):
            t = b[k]
            out.change("table", "", t.name, "added", f"{len(t.columns)} columns", table=t.name)
        for k in sorted(a.keys() - b.keys()):
            t = a[k]
            self.altered.add(k)
            out.change("table", "", t.name, "removed", f"{len(t.columns)} columns", True, t.name)
            out.sql(Phase.DROP_TABLES, f"DROP TABLE {q(t.name)};", destructive=True)
        for k in sorted(a.keys() & b.keys()):
            if a[k] != b[k]:
                self.alter(a[k], b[k])
        for k in sorted(b.keys() - a.keys()):  # once self.retyped is known
            out.sql(Phase.TABLES, self.create(b[k]) + ";")
        for k in sorted(a.keys() - b.keys()):
            for c in self.fks_to_retyped(a[k]):  # the table goes after the retyping, which its key would block
                out.sql(Phase.DROP_FKS, f"ALTER TABLE {q(a[k].name)} DROP FOREIGN KEY {q(c.name)};")
        self.refresh_foreign_keys()
        self.views()
        self.triggers()
        self.sequences()
        return out

    def sequences(self) -> None:
        """MariaDB sequences: created before the tables whose DEFAULT nextval() uses them, dropped
        after; a changed one is altered in place with the target's options (its current value stays)."""
        a, b = self.a.of_kind("sequence"), self.b.of_kind("sequence")
        for k in sorted(a.keys() | b.keys()):
            if k in a and k in b and a[k].definition == b[k].definition:
                continue
            change = "removed" if k not in b else "added" if k not in a else "changed"
            self.out.change("sequence", "", k[2], change, "", k not in b)
            if k not in b:
                self.out.sql(Phase.DROP_TABLES, a[k].drop, destructive=True)
            elif k not in a:
                self.out.sql(Phase.SEQUENCES, b[k].create)
            else:  # SHOW CREATE SEQUENCE `s` start with ... nocycle ENGINE=InnoDB
                options = b[k].definition[len(f"CREATE SEQUENCE {q(k[2])} ") :].split(" ENGINE=")[0]
                self.out.sql(Phase.SEQUENCES, f"ALTER SEQUENCE {q(k[2])} {options};")

    def triggers(self) -> None:
        """Triggers are dropped before and created after everything else. The triggers of one table
        and event fire in order, so when one of them changes, all of them are dropped and created
        again in the target's order (each FOLLOWS the one before); one whose table goes, goes with it."""
        a, b = self.a.of_kind("trigger"), self.b.of_kind("trigger")
        event = lambda t: dict(t.extra)["event"]  # noqa: E731
        group = lambda side, e: [(k, t.definition) for k, t in side.items() if event(t) == e]  # noqa: E731
        events = {event(t) for t in a.values()} | {event(t) for t in b.values()}
        dirty = {e for e in events if group(a, e) != group(b, e)}
        for k, t in a.items():
            if k not in b:
                self.out.change("trigger", "", k[2], "removed", table=t.table)
            if event(t) in dirty and (("", t.table) in self.b.tables or k in b):  # else its table takes it
                self.out.sql(Phase.DROP_VIEWS, t.drop)
        for k, t in b.items():  # in their order on each table, so FOLLOWS finds the one before
            if k not in a or a[k].definition != t.definition:
                self.out.change("trigger", "", k[2], "added" if k not in a else "changed", table=t.table)
            if event(t) in dirty:
                self.out.sql(Phase.TRIGGERS, t.create)

    def fks_to_retyped(self, t: Table) -> list:
        """Foreign keys of ``t`` that reference a column whose type changes."""
        out = []
        for c in t.constraints:
            parts = fk_parts(c.definition) if c.kind == "foreign" else None
            if parts and parts[2] & self.retyped.get(parts[1], set()):
                out.append(c)
        return out

    def create(self, t: Table) -> str:
        """``SHOW CREATE TABLE`` of a new table; its foreign keys to a column being retyped are added
        after the retyping (the server refuses a key between columns of different types)."""
        late = self.fks_to_retyped(t)
        if not late:
            return t.create
        lines = t.create.splitlines()
        body = [
            line.rstrip(",") for line in lines[1:-1] if line.strip().rstrip(",") not in {c.definition for c in late}
        ]
        for c in late:
            self.out.sql(Phase.FKS, f"ALTER TABLE {q(t.name)} ADD {c.definition};")
        return "\n".join([lines[0], ",\n".join(body), lines[-1]])

    def refresh_foreign_keys(self) -> None:
        """MariaDB/MySQL refuse to change the type of a column a foreign key uses (on either side),
        even with FOREIGN_KEY_CHECKS = 0: such keys are dropped before and added again after."""
        for t in self.a.tables.values():
            target = self.b.tables.get(t.key)
            if target is None:
                continue
            for c in t.constraints:
                parts = fk_parts(c.definition) if c.kind == "foreign" else None
                if parts is None or (t.name, c.name) in self.fk_touched:
                    continue
                cols, parent, ref = parts
                if not (cols & self.retyped.get(t.name, set()) or ref & self.retyped.get(parent, set())):
                    continue
                if next((x for x in target.constraints if x.name == c.name), None) != c:
                    continue
                self.out.sql(Phase.DROP_FKS, f"ALTER TABLE {q(t.name)} DROP FOREIGN KEY {q(c.name)};")
                self.out.sql(Phase.FKS, f"ALTER TABLE {q(t.name)} ADD {c.definition};")

    def alter(self, old: Table, new: Table) -> None:
        out, name = self.out, q(new.name)
        if old.options != new.options:
            (plain_a, versioned_a, part_a), (plain_b, versioned_b, part_b) = (
                _options(old.options),
                _options(new.options),
            )
            if plain_a != plain_b:
                out.sql(Phase.TABLE_OPTIONS, f"ALTER TABLE {name} {plain_b}{_resets(plain_a, plain_b)};")
            if versioned_a != versioned_b:  # dropping system versioning loses the row history; column
                # changes are refused on a versioned table, so versioning goes first and comes last
                out.sql(
                    Phase.VERSIONING_AND_PARTITIONS if versioned_b else Phase.TABLE_OPTIONS,
                    f"ALTER TABLE {name} {'ADD' if versioned_b else 'DROP'} SYSTEM VERSIONING;",
                    destructive=versioned_a,
                )
            if part_a != part_b:
                out.sql(Phase.VERSIONING_AND_PARTITIONS, f"ALTER TABLE {name} {part_b or 'REMOVE PARTITIONING'};")
            out.change(
                "table",
                "",
                new.name,
                "changed",
                f"options: {new.options}",
                versioned_a and not versioned_b,
                table=new.name,
            )
        regenerated: dict[str, Column] = {}  # name -> the old column, dropped and added again
        for c in new.columns:  # generated columns cannot switch kind in place: drop and add again
            was = old.column(c.name)
            if was is not None and was.definition != c.definition and (_generated(was) or _generated(c)):
                regenerated[c.name] = was
                out.sql(Phase.ALTER, f"ALTER TABLE {name} DROP COLUMN {q(c.name)};")
        charset_changed = _charset(old.options) != _charset(new.options)
        # columns that stay but change places: once one moves, every later one is placed after its
        # predecessor too (MODIFY ... AFTER), which rebuilds the target order from the front
        order_changed = [c.name for c in new.columns if old.column(c.name)] != [
            c.name for c in old.columns if new.column(c.name)
        ]
        # an AUTO_INCREMENT column whose key is dropped and replaced gives up AUTO_INCREMENT meanwhile
        cycled = {  # name -> (old column, new column)
            c.name: (was, c)
            for was, c in column_pairs(old, new)
            if _auto(c) and _auto(was) and c.name in _dropped_key_columns(old, new)
        }
        for was, c in cycled.values():
            out.sql(Phase.DROP_AUTO_INCREMENT, f"ALTER TABLE {name} MODIFY COLUMN {_without_auto(was)};")
            out.sql(Phase.RESTORE_AUTO_INCREMENT, f"ALTER TABLE {name} MODIFY COLUMN {c.definition};")
        for c in old.columns:  # a dropped AUTO_INCREMENT column lets its key go first
            if _auto(c) and new.column(c.name) is None:
                out.sql(Phase.DROP_AUTO_INCREMENT, f"ALTER TABLE {name} MODIFY COLUMN {_without_auto(c)};")
        pk_a, pk_b = (next((k for k in t.constraints if k.kind == "primary"), None) for t in (old, new))
        leaving_pk = _key_columns(pk_a) - _key_columns(pk_b) if pk_a != pk_b else set()
        handled: dict[str, str] = {}  # name -> definition of keys added with their new AUTO_INCREMENT column
        prev = None
        for c in new.columns:
            was = old.column(c.name)
            if (
                order_changed
                and was is not None
                and was.definition == c.definition
                and c.name not in regenerated
                and not charset_changed
            ):
                out.sql(
                    Phase.ALTER,
                    f"ALTER TABLE {name} MODIFY COLUMN "
                    f"{_without_auto(c) if c.name in cycled else c.definition} {('AFTER ' + q(prev)) if prev else 'FIRST'};",
                )
                out.change("column", "", f"{new.name}.{c.name}", "changed", "position", table=new.name)
                prev = c.name
                continue
            if was is not None and charset_changed and c.type.split("(")[0].lower() in TEXT_TYPES:
                was = None if was.definition != c.definition else was
                if was is not None:  # same text, different table default: restate it
                    out.sql(
                        Phase.ALTER,
                        f"ALTER TABLE {name} MODIFY COLUMN {c.definition} {('AFTER ' + q(prev)) if prev else 'FIRST'};",
                    )
                    prev = c.name
                    continue
                was = old.column(c.name)
            where = f" AFTER {q(prev)}" if prev else " FIRST"
            if c.name in regenerated:
                self.altered.add(new.key)
                out.change(
                    "column",
                    "",
                    f"{new.name}.{c.name}",
                    "changed",
                    f"{regenerated[c.name].definition} -> {c.definition} (generated column recreated)",
                    table=new.name,
                )
                out.sql(Phase.ALTER, f"ALTER TABLE {name} ADD COLUMN {c.definition}{where};")
            elif was is None:
                out.change("column", "", f"{new.name}.{c.name}", "added", _line(c), table=new.name)
                key = _auto_key(c, old, new, pk_a, pk_b) if _auto(c) else None
                also = ""
                if key is not None:  # one statement: the new rows are numbered and keyed at once
                    handled[key.name] = key.definition
                    also = (", DROP PRIMARY KEY" if key is pk_b and pk_a else "") + f", ADD {key.definition}"
                out.sql(Phase.ALTER, f"ALTER TABLE {name} ADD COLUMN {c.definition}{where}{also};")
            elif was.definition != c.definition:
                self.altered.add(new.key)
                destructive = _facts(was) != _facts(c) and not widening(was, c) or _values_lost(was, c)
                if was.type != c.type:
                    self.retyped.setdefault(new.name, set()).add(c.name)
                out.change(
                    "column",
                    "",
                    f"{new.name}.{c.name}",
                    "changed",
                    f"{was.definition} -> {c.definition}",
                    destructive,
                    new.name,
                )
                gains, loses = _auto(c) and not _auto(was), _auto(was) and not _auto(c)
                if loses:  # an AUTO_INCREMENT column must stay a key: give it up before its key goes
                    out.sql(Phase.DROP_AUTO_INCREMENT, f"ALTER TABLE {name} MODIFY COLUMN {_without_auto(was)};")
                # a column leaving the primary key keeps NOT NULL while it is in it: change it after
                out.sql(
                    Phase.RESTORE_AUTO_INCREMENT if c.name in leaving_pk else Phase.ALTER,
                    f"ALTER TABLE {name} MODIFY COLUMN "
                    f"{_without_auto(c) if gains or c.name in cycled else c.definition}"
                    f"{where};",
                    destructive,
                )
                if gains:  # ... and can take it only once its key exists
                    out.sql(Phase.RESTORE_AUTO_INCREMENT, f"ALTER TABLE {name} MODIFY COLUMN {c.definition};")
            prev = c.name
        for c in old.columns:  # after the additions: MySQL refuses to drop a table's last column
            if new.column(c.name) is None:
                self.altered.add(new.key)
                out.change("column", "", f"{new.name}.{c.name}", "removed", _line(c), True, new.name)
                out.sql(Phase.ALTER, f"ALTER TABLE {name} DROP COLUMN {q(c.name)};", destructive=True)
        a = {k.name: k for k in old.constraints}
        b = {k.name: k for k in new.constraints}
        if "PRIMARY" in handled:
            out.change(
                "constraint",
                "",
                f"{new.name}.PRIMARY",
                "changed" if pk_a else "added",
                handled["PRIMARY"],
                table=new.name,
            )
            a, b = {n: k for n, k in a.items() if n != "PRIMARY"}, {n: k for n, k in b.items() if n != "PRIMARY"}
        pk_a, pk_b = a.get("PRIMARY"), b.get("PRIMARY")
        if pk_a and pk_b and pk_a != pk_b and all(new.column(c) for c in _key_columns(pk_a)):
            # one statement: an AUTO_INCREMENT column must stay a key
            out.sql(Phase.KEYS, f"ALTER TABLE {name} DROP PRIMARY KEY, ADD {pk_b.definition};")
            out.change("constraint", "", f"{new.name}.PRIMARY", "changed", pk_b.definition, table=new.name)
            a, b = {n: k for n, k in a.items() if n != "PRIMARY"}, {n: k for n, k in b.items() if n != "PRIMARY"}
        for n, k in a.items():
            if k.kind == "foreign" and b.get(n) != k:
                self.fk_touched.add((new.name, n))
            if b.get(n) != k:
                drop = {"primary": "DROP PRIMARY KEY", "foreign": f"DROP FOREIGN KEY {q(n)}"}.get(
                    k.kind, f"DROP CONSTRAINT {q(n)}"
                )
                out.sql(Phase.DROP_FKS if k.kind == "foreign" else Phase.DROP_KEYS, f"ALTER TABLE {name} {drop};")
                if n not in b:
                    out.change("constraint", "", f"{new.name}.{n}", "removed", k.definition, table=new.name)
        for n, k in b.items():
            if a.get(n) != k:
                out.sql(Phase.FKS if k.kind == "foreign" else Phase.KEYS, f"ALTER TABLE {name} ADD {k.definition};")
                out.change(
                    "constraint",
                    "",
                    f"{new.name}.{n}",
                    "added" if n not in a else "changed",
                    k.definition,
                    table=new.name,
                )
        ia = {i.name: i for i in old.indexes}
        ib = {i.name: i for i in new.indexes}
        for n, i in ia.items():
            if ib.get(n) != i:
                out.sql(Phase.DROP_KEYS, f"ALTER TABLE {name} DROP INDEX {q(n)};")
                if n not in ib:
                    out.change("index", "", n, "removed", i.definition, table=new.name)
        for n, i in ib.items():
            if ia.get(n) != i:
                if n not in handled:
                    out.sql(Phase.KEYS, f"ALTER TABLE {name} ADD {i.definition};")
                out.change("index", "", n, "added" if n not in ia else "changed", i.definition, table=new.name)

    def views(self) -> None:
        a = {k[1:]: v for k, v in self.a.of_kind("view").items()}  # (schema, name) -> view
        b = {k[1:]: v for k, v in self.b.of_kind("view").items()}
        changed = {k for k in a.keys() & b.keys() if a[k].definition != b[k].definition}
        removed = a.keys() - b.keys()
        deps_a = {k: set(v.depends) for k, v in a.items()}
        recreate = (changed | dependants_closure(changed | removed | self.altered, deps_a)) & a.keys()
        for k in reversed(topo_order(sorted(a), deps_a)):
            if k in recreate or k in removed:
                self.out.sql(Phase.DROP_VIEWS, a[k].drop)
                if k in removed:
                    self.out.change("view", "", k[1], "removed")
        deps_b = {k: set(v.depends) for k, v in b.items()}
        for k in topo_order(sorted(b), deps_b):
            if k in a and k not in recreate:
                continue
            self.out.sql(Phase.VIEWS, b[k].create)
            if k not in a:
                self.out.change("view", "", k[1], "added")
            elif k in changed:
                self.out.change("view", "", k[1], "changed", "definition")
