"""Index and constraint rewrites for PostgreSQL, and the two-phase column drop.

- CREATE INDEX -> CREATE INDEX CONCURRENTLY in a migration the tool runs outside a transaction;
- ADD FOREIGN KEY / CHECK -> ADD ... NOT VALID, then VALIDATE CONSTRAINT in its own migration;
- ADD UNIQUE / PRIMARY KEY -> a unique index built concurrently, then ADD CONSTRAINT ... USING INDEX;
- DROP COLUMN -> deploy code that no longer uses it (NOT NULL dropped first so it can stop writing),
  then drop it; refused while views, indexes or constraints use it (the live schema is asked).
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageProblem
from .model import Rewrite, Step
from .pg_live import LiveSchema
from .pg_sql import CATALOG, CONCURRENT, VALIDATE, column_refs, deparse, lock, pg_name, q

_NO_TX = "runs outside a transaction (CONCURRENTLY cannot run inside one)"


def create_index(statement: str, node: Any, table: str, table_name: str) -> Rewrite:
    """``CREATE [UNIQUE] INDEX`` -> the same index built ``CONCURRENTLY``, alone in its migration."""
    node.concurrent = True
    if not node.idxname:
        names = [e.name or "expr" for e in node.indexParams]
        node.idxname = pg_name(table_name, names, "idx")
    name = q(node.idxname)
    schema = f"{q(node.relation.schemaname)}." if node.relation.schemaname else ""
    step = Step(
        f"index_{node.idxname}",
        "index",
        deparse(node) + ";",
        f"DROP INDEX CONCURRENTLY IF EXISTS {schema}{name};",
        *lock(CONCURRENT, table),
        transactional=False,
        then="check that the index is valid (a failed CONCURRENTLY build leaves an INVALID index: drop it and "
        "run the step again)",
    )
    return Rewrite(
        "add-index",
        statement,
        (step,),
        f"CREATE INDEX without CONCURRENTLY blocks every write to {table} for the whole build",
        (f"The migration {_NO_TX}.",),
    )


def drop_index(statement: str, node: Any) -> Rewrite:
    """``DROP INDEX`` -> ``DROP INDEX CONCURRENTLY``, alone in a non-transactional migration."""
    node.concurrent = True
    names = [".".join(q(s.sval) for s in obj) for obj in node.objects]
    step = Step(
        "drop_index_" + "_".join(n.replace('"', "") for n in names).replace(".", "_"),
        "contract",
        deparse(node) + ";",
        "SELECT 1;  -- recreate the index with CREATE INDEX CONCURRENTLY if you roll this back",
        "SHARE UPDATE EXCLUSIVE on the table",
        "waits for transactions using the index; reads and writes continue",
        transactional=False,
    )
    return Rewrite(
        "drop-index",
        statement,
        (step,),
        "DROP INDEX takes ACCESS EXCLUSIVE on the table",
        (f"The migration {_NO_TX}.",),
    )


def add_constraint(statement: str, con: Any, table: str, table_name: str) -> Rewrite:
    """FOREIGN KEY / CHECK -> NOT VALID + VALIDATE; UNIQUE / PRIMARY KEY -> index concurrently + USING INDEX."""
    from pglast.enums import ConstrType

    if con.contype in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
        return _unique(statement, con, table, table_name)
    if con.contype == ConstrType.CONSTR_FOREIGN:
        cols = [s.sval for s in con.fk_attrs]
        con.conname = con.conname or pg_name(table_name, cols, "fkey")
        why = f"ADD FOREIGN KEY scans {table} holding SHARE ROW EXCLUSIVE on both tables: writes wait"
        held = "milliseconds on both tables (SHARE ROW EXCLUSIVE), no scan"
    else:
        cols = column_refs(con.raw_expr)[:1]
        con.conname = con.conname or pg_name(table_name, cols, "check")
        why = f"ADD CHECK scans {table} under ACCESS EXCLUSIVE: reads and writes wait"
        held = "milliseconds, no scan"
    name = q(con.conname)
    con.skip_validation = True
    con.initially_valid = False
    from pglast import ast

    not_valid = deparse(ast.AlterTableStmt(relation=_rel(table), cmds=(_add_cmd(con),), objtype=_table_type())) + ";"
    add = Step(
        f"add_{con.conname}_not_valid",
        "expand",
        not_valid,
        f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};",
        "ACCESS EXCLUSIVE on " + table
        if not cols or con.contype != ConstrType.CONSTR_FOREIGN
        else f"SHARE ROW EXCLUSIVE on {table} and the referenced table",
        held,
        then="new and updated rows are checked from now on",
    )
    validate = Step(
        f"validate_{con.conname}",
        "validate",
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};",
        f"ALTER TABLE {table} DROP CONSTRAINT {name};\n{not_valid}",
        *lock(VALIDATE, table),
    )
    family = "add-foreign-key" if con.contype == ConstrType.CONSTR_FOREIGN else "add-check"
    return Rewrite(family, statement, (add, validate), why)


def _rel(table: str) -> Any:
    from pglast import parse_sql

    stmt: Any = parse_sql(f"SELECT 1 FROM {table}")[0].stmt
    return stmt.fromClause[0]


def _add_cmd(con: Any) -> Any:
    from pglast import ast
    from pglast.enums import AlterTableType

    return ast.AlterTableCmd(subtype=AlterTableType.AT_AddConstraint, def_=con)


def _table_type() -> Any:
    from pglast.enums import ObjectType

    return ObjectType.OBJECT_TABLE


def _unique(statement: str, con: Any, table: str, table_name: str) -> Rewrite:
    from pglast.enums import ConstrType

    primary = con.contype == ConstrType.CONSTR_PRIMARY
    cols = [s.sval for s in con.keys]
    name = con.conname or (pg_name(table_name, [], "pkey") if primary else pg_name(table_name, cols, "key"))
    kind = "PRIMARY KEY" if primary else "UNIQUE"
    schema = _rel(table).schemaname  # the index lives in its table's schema, not on the search_path
    qualified = f"{q(schema)}.{q(name)}" if schema else q(name)
    index = Step(
        f"index_{name}",
        "index",
        f"CREATE UNIQUE INDEX CONCURRENTLY {q(name)} ON {table} ({', '.join(q(c) for c in cols)});",
        f"DROP INDEX CONCURRENTLY IF EXISTS {qualified};",
        *lock(CONCURRENT, table),
        transactional=False,
        then="check that the index is valid (a failed build leaves an INVALID index: drop it and run the step again)",
    )
    attach = Step(
        f"add_{name}_using_index",
        "switch",
        f"ALTER TABLE {table} ADD CONSTRAINT {q(name)} {kind} USING INDEX {q(name)};",
        f"ALTER TABLE {table} DROP CONSTRAINT {q(name)};\n"
        f"CREATE UNIQUE INDEX {q(name)} ON {table} ({', '.join(q(c) for c in cols)});",
        *lock(CATALOG, table),
    )
    notes: tuple[str, ...] = (f"The index migration {_NO_TX}.",)
    if primary:
        notes += (
            "ADD PRIMARY KEY USING INDEX sets NOT NULL on its columns: make them NOT NULL first (see the add "
            "NOT NULL rewrite), or that statement scans the table under ACCESS EXCLUSIVE.",
        )
    return Rewrite(
        "add-unique" if not primary else "add-primary-key",
        statement,
        (index, attach),
        f"ADD {kind} builds its index under ACCESS EXCLUSIVE: reads and writes wait for the whole build",
        notes,
    )


def drop_column(statement: str, table: str, table_name: str, column: str, live: LiveSchema) -> Rewrite:
    """Two phases: code stops using the column (NOT NULL dropped so it can stop writing), then the drop."""
    col = live.column(table, column)
    users = [u for u in live.users(table, column) if u.kind != "sequence"]
    if users:
        listed = ", ".join(u.describe() for u in users)
        raise UsageProblem(
            f"Cannot plan dropping {table}.{column}: {listed} still use{'s' if len(users) == 1 else ''} it.",
            unchanged="Nothing was written.",
            next_step="Drop or change those first (in their own migrations; indexes with DROP INDEX CONCURRENTLY), "
            "then plan the drop again.",
        )
    c = q(column)
    steps = []
    if col.not_null or col.default is not None:
        up = [f"ALTER TABLE {table} ALTER COLUMN {c} DROP NOT NULL;"] if col.not_null else []
        down = [f"ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;"] if col.not_null else []
        if col.default is not None:
            up.append(f"ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT;")
            down.append(f"ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT {col.default};")
        steps.append(
            Step(
                f"relax_{table_name}_{column}",
                "expand",
                "\n".join(up),
                "\n".join(down),
                *lock(CATALOG, table),
                then=f"deploy 5: code that no longer reads or writes {column}; deploy 6: after a bake period, contract",
            )
        )
    restore = f"ALTER TABLE {table} ADD COLUMN {c} {col.type_sql};"
    steps.append(
        Step(
            f"contract_drop_{table_name}_{column}",
            "contract",
            f"ALTER TABLE {table} DROP COLUMN {c};",
            restore + "  -- the column comes back empty: its data is gone (restore a backup for it)",
            *lock(CATALOG, table),
        )
    )
    notes = () if steps[0].phase == "expand" else (f"Deploy code that no longer reads or writes {column} first.",)
    return Rewrite(
        "drop-column",
        statement,
        tuple(steps),
        "dropping a column the running code still selects or inserts breaks it",
        notes,
    )
