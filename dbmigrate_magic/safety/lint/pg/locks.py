"""Statements that lock a busy table for long: index builds, constraints validated under an
ACCESS EXCLUSIVE lock, table rewrites from defaults and type changes, NOT NULL checks."""

from __future__ import annotations

from functools import cache

from ..context import Context
from ..model import ERROR, WARNING, rule
from . import splice
from .nodes import alter_cmds, constraints, func_names, relname, strings, table_key, type_name, type_sql, walk
from .registry import on
from .restate import add_column_bare, alter_cmd, ident, restated

PG = "postgresql"
CONCURRENT_INDEX = rule(
    "require-concurrent-index-creation", ERROR, PG, "CREATE INDEX without CONCURRENTLY", squawk=True
)
CONCURRENT_DROP = rule("require-concurrent-index-deletion", ERROR, PG, "DROP INDEX without CONCURRENTLY", squawk=True)
CONCURRENT_IN_TX = rule(
    "ban-concurrent-index-creation-in-transaction",
    ERROR,
    PG,
    "CONCURRENTLY inside a transaction block fails",
    squawk=True,
)
CONCURRENT_REINDEX = rule(
    "require-concurrent-reindex", ERROR, PG, "REINDEX without CONCURRENTLY (PostgreSQL 12+)", squawk=True
)
CONCURRENT_DETACH = rule(
    "require-concurrent-partition-detach",
    ERROR,
    PG,
    "DETACH PARTITION without CONCURRENTLY (PostgreSQL 14+)",
    squawk=True,
)
NOT_VALID = rule(
    "constraint-missing-not-valid", ERROR, PG, "CHECK/FOREIGN KEY validated while holding the table lock", squawk=True
)
FOREIGN_KEY = rule(
    "adding-foreign-key-constraint", ERROR, PG, "foreign key locks both tables while validating", squawk=True
)
FIELD_DEFAULT = rule(
    "adding-field-with-default",
    ERROR,
    PG,
    "new column whose default rewrites the table (volatile, stored generated, or PostgreSQL < 11)",
    squawk=True,
)
REQUIRED = rule("adding-required-field", ERROR, PG, "new NOT NULL column without a default", squawk=True)
NOT_NULL = rule(
    "adding-not-nullable-field", ERROR, PG, "SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock", squawk=True
)
PRIMARY_KEY = rule(
    "adding-serial-primary-key-field", ERROR, PG, "primary key built under an ACCESS EXCLUSIVE lock", squawk=True
)
UNIQUE = rule(
    "disallowed-unique-constraint", ERROR, PG, "UNIQUE constraint built under an ACCESS EXCLUSIVE lock", squawk=True
)
COLUMN_TYPE = rule(
    "changing-column-type", ERROR, PG, "ALTER COLUMN TYPE rewrites the table and its indexes", squawk=True
)
ENUM_ORDER = rule("require-enum-value-ordering", WARNING, PG, "ALTER TYPE ADD VALUE without BEFORE/AFTER", squawk=True)
DOMAIN_CREATE = rule("ban-create-domain-with-constraint", WARNING, PG, "domain with a CHECK constraint", squawk=True)
DOMAIN_ALTER = rule(
    "ban-alter-domain-with-add-constraint",
    ERROR,
    PG,
    "ALTER DOMAIN ADD CONSTRAINT checks every column using the domain",
    squawk=True,
)

#: functions whose value differs per row: a column default calling them rewrites the table (PG 11+)
VOLATILE = {
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "setseed",
    "txid_current",
    "pg_current_xact_id",
    "statement_timestamp",
}
#: functions known to be stable or immutable: fine as a default from PostgreSQL 11
STABLE = {
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "current_user",
    "session_user",
    "user",
    "current_role",
    "current_schema",
    "lower",
    "upper",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "to_jsonb",
    "jsonb_build_object",
    "json_build_object",
    "array",
    "make_interval",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "pg_catalog.now",
    "pg_catalog.timezone",
    "timezone",
    "length",
    "abs",
    "concat",
    "format",
    "md5",
    "svfop_current_timestamp",
    "svfop_current_date",
    "svfop_current_time",
    "svfop_localtimestamp",
    "svfop_current_user",
    "svfop_current_role",
    "svfop_session_user",
    "svfop_user",
    "svfop_current_schema",
    "svfop_current_timestamp_n",
    "svfop_localtime",
    "svfop_localtimestamp_n",
    "svfop_current_time_n",
}


_NO_ARGS = {"now", "pg_catalog.now", "transaction_timestamp", "statement_timestamp", "current_database"}


def _deferral(con: dict) -> str:
    """The constraint's DEFERRABLE / INITIALLY DEFERRED, kept in the USING INDEX form (without it the
    new constraint would check every row at once, which a deferred-uniqueness reorder relies on not doing)."""
    if not con.get("deferrable"):
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if con.get("initdeferred") else " DEFERRABLE"


def _existing(ctx: Context, rel: dict | None) -> bool:
    return table_key(rel) not in ctx.new_tables


def default_is_volatile(expr: dict) -> tuple[bool, str]:
    """(volatile?, why) for a column default expression."""
    for node in walk(expr):  # now(123) is no built-in: a function of that name taking arguments is unknown
        fc = node.get("FuncCall")
        if fc and fc.get("args") and ".".join(strings(fc.get("funcname"))).lower() in _NO_ARGS:
            return True, f"{'.'.join(strings(fc.get('funcname')))}(...) with arguments is not the built-in"
    for name in func_names(expr):
        short = name.split(".")[-1]
        if short in VOLATILE or name in VOLATILE:
            return True, f"{short}() is volatile"
        if short not in STABLE and name not in STABLE:
            return True, f"{short}() is not known to be stable"
    return False, ""


@on("IndexStmt")
def create_index(n: dict, ctx: Context) -> None:
    table = relname(n.get("relation"))
    if n.get("concurrent"):
        # (squawk lets a file of one statement pass; a tool that wraps the file in BEGIN still fails it)
        if ctx.in_transaction:
            ctx.emit(
                CONCURRENT_IN_TX,
                "CREATE INDEX CONCURRENTLY cannot run inside a transaction block: the "
                "migration fails at this statement (and everything before it in the transaction is "
                "rolled back).",
                "Put the CREATE INDEX CONCURRENTLY in its own migration that the tool runs without a "
                "transaction (e.g. Alembic autocommit_block(), Django atomic = False).",
            )
    elif _existing(ctx, n.get("relation")):
        unique = "UNIQUE " if n.get("unique") else ""

        def concurrently(node):
            node.concurrent = True
            node.if_not_exists = bool(node.idxname)  # IF NOT EXISTS needs a name

        ctx.emit(
            CONCURRENT_INDEX,
            f"CREATE {unique}INDEX on {table} takes a SHARE lock for the whole build: every "
            "INSERT, UPDATE and DELETE on the table waits until the index is built, which on a large "
            "table means minutes of failed writes in the running application.",
            f"{splice.create_index(ctx, n, True, True) or restated(ctx, concurrently)}  -- outside a transaction; if it fails, DROP INDEX CONCURRENTLY the "
            "invalid index and retry",
        )


@on("DropStmt")
def drop_index(n: dict, ctx: Context) -> None:
    if n.get("removeType") != "OBJECT_INDEX":
        return
    names = [".".join(map(ident, strings(o.get("List", {}).get("items")))) for o in n.get("objects", ())]
    if n.get("concurrent"):
        # (squawk lets a file of one statement pass; a tool that wraps the file in BEGIN still fails it)
        if ctx.in_transaction:
            ctx.emit(
                CONCURRENT_IN_TX,
                "DROP INDEX CONCURRENTLY cannot run inside a transaction block: the migration fails at this statement.",
                "Run DROP INDEX CONCURRENTLY in its own migration without a transaction.",
            )
    else:
        ctx.emit(
            CONCURRENT_DROP,
            f"DROP INDEX {', '.join(names)} takes an ACCESS EXCLUSIVE lock on the table: "
            "reads and writes queue behind it, and behind any long query it waits for.",
            "\n".join(f"DROP INDEX CONCURRENTLY IF EXISTS {name};" for name in names)
            + "  -- outside a transaction, one index per statement",
        )


@on("ReindexStmt")
def reindex(n: dict, ctx: Context) -> None:
    concurrent = any(p.get("DefElem", {}).get("defname") == "concurrently" for p in n.get("params", ()))
    if concurrent and ctx.in_transaction:
        ctx.emit(
            CONCURRENT_IN_TX,
            "REINDEX CONCURRENTLY cannot run inside a transaction block.",
            "Run REINDEX CONCURRENTLY in its own migration without a transaction.",
        )
    elif not concurrent and ctx.pg_version >= 12 and n.get("kind") != "REINDEX_OBJECT_SYSTEM":
        # (system catalogs cannot be reindexed concurrently: there is no safer form to suggest)
        target = relname(n.get("relation")) if n.get("relation") else ident(n.get("name"))
        what = {"REINDEX_OBJECT_INDEX": "INDEX", "REINDEX_OBJECT_TABLE": "TABLE", "REINDEX_OBJECT_SCHEMA": "SCHEMA"}
        ctx.emit(
            CONCURRENT_REINDEX,
            "REINDEX without CONCURRENTLY locks out writes to the table (and reads "
            "that use the index) for the whole rebuild.",
            f"REINDEX {what.get(n.get('kind', ''), 'DATABASE')} CONCURRENTLY {target};  -- PostgreSQL 12+, outside "
            "a transaction",
        )


@on("AlterTableStmt")
def alter_table(n: dict, ctx: Context) -> None:
    rel = n.get("relation")
    table = relname(rel)
    key = table_key(rel)
    existing = _existing(ctx, rel)
    for i, cmd in enumerate(alter_cmds(n)):
        sub = cmd.get("subtype")
        d = cmd.get("def") or {}
        if sub == "AT_AddColumn" and existing:
            _add_column(d.get("ColumnDef", {}), table, ctx, n, i)
        elif sub == "AT_AddConstraint":
            _add_constraint(d.get("Constraint", {}), table, key, existing, ctx, n, i)
        elif sub == "AT_ValidateConstraint":
            name = (cmd.get("name") or "").lower()
            if (key, name) in ctx.not_valid and ctx.in_transaction:
                ctx.emit(
                    NOT_VALID,
                    f"VALIDATE CONSTRAINT {name} runs in the same transaction that added it NOT "
                    "VALID: the ACCESS EXCLUSIVE lock from ADD CONSTRAINT is still held while every row is "
                    "checked, so NOT VALID gained nothing.",
                    f"Move ALTER TABLE {table} VALIDATE CONSTRAINT {ident(cmd.get('name'))}; into a separate migration "
                    "(its own transaction), which takes only a SHARE UPDATE EXCLUSIVE lock.",
                )
            col = ctx.not_null_checks.get((key, name))
            if col:
                ctx.validated_not_null.add((key, col))
            elif ctx.pg_version >= 12:  # its NOT VALID CHECK came in an earlier migration (squawk's reading)
                ctx.flags.setdefault("validated_elsewhere", set()).add(key)
        elif sub == "AT_SetNotNull" and existing:
            col = (cmd.get("name") or "").lower()
            c, check = ident(cmd.get("name")), ident(f"{cmd.get('name')}_not_null")
            validated = (key, col) in ctx.validated_not_null or key in ctx.flags.get("validated_elsewhere", ())
            if not (ctx.pg_version >= 12 and validated):
                why = (
                    "PostgreSQL before 12 cannot use a CHECK constraint to skip the scan; backfill and "
                    "accept the lock in a quiet window, or keep the validated CHECK instead of NOT NULL."
                    if ctx.pg_version < 12
                    else ""
                )
                ctx.emit(
                    NOT_NULL,
                    f"SET NOT NULL on {table}.{c} scans the whole table while holding an ACCESS "
                    "EXCLUSIVE lock: no reads or writes until every row is checked.",
                    (
                        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;\n"
                        f"-- next migration:\nALTER TABLE {table} VALIDATE CONSTRAINT {check};\n"
                        f"ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;  -- PostgreSQL 12+ skips the scan\n"
                        f"ALTER TABLE {table} DROP CONSTRAINT {check};"
                    )
                    + (f"\n{why}" if why else ""),
                )
        elif sub == "AT_AlterColumnType" and existing:
            col = ident(cmd.get("name"))
            new_type = _type(ctx, i, d.get("ColumnDef", {}))
            ctx.emit(
                COLUMN_TYPE,
                f"ALTER COLUMN {col} TYPE {new_type} on {table} takes an ACCESS EXCLUSIVE lock "
                "and, for most type changes, rewrites the table and rebuilds every index on it; code still "
                "running against the old type may also fail.",
                f"ALTER TABLE {table} ADD COLUMN {ident(cmd.get('name', '') + '_new')} {new_type};  -- then backfill in batches, keep "
                f"both in sync (trigger), switch reads, and drop {col} in a later release",
            )
        elif sub == "AT_DetachPartition":
            pc = d.get("PartitionCmd", {})
            if pc.get("concurrent"):
                if ctx.in_transaction:
                    ctx.emit(
                        CONCURRENT_IN_TX,
                        "DETACH PARTITION CONCURRENTLY cannot run inside a transaction block.",
                        "Run it in its own migration without a transaction.",
                    )
            elif ctx.pg_version >= 14:
                part = relname(pc.get("name"))
                ctx.emit(
                    CONCURRENT_DETACH,
                    f"DETACH PARTITION {part} takes an ACCESS EXCLUSIVE lock on {table}, "
                    "blocking all queries on the partitioned table.",
                    f"ALTER TABLE {table} DETACH PARTITION {part} CONCURRENTLY;  -- outside a transaction",
                )


def _type(ctx: Context, index: int, cd: dict) -> str:
    """The column type of cmd ``index`` as written (quoted where it was), for suggestions."""
    from .restate import type_of_column

    return splice.type_text(ctx, cd.get("typeName")) or type_of_column(ctx, index) or type_sql(cd.get("typeName"))


def _add_column(cd: dict, table: str, ctx: Context, n: dict, index: int) -> None:
    col = ident(cd.get("colname", "?"))
    cons = constraints(cd)
    types = type_name(cd.get("typeName"))
    default = next((c.get("raw_expr") for c in cons if c.get("contype") == "CONSTR_DEFAULT"), None)
    generated = any(c.get("contype") == "CONSTR_GENERATED" for c in cons)
    identity = any(c.get("contype") == "CONSTR_IDENTITY" for c in cons)
    not_null = any(c.get("contype") in ("CONSTR_NOTNULL", "CONSTR_PRIMARY") for c in cons)
    serial = types in ("serial", "serial4", "bigserial", "serial8", "smallserial", "serial2")

    @cache
    def safe_add() -> str:  # made only for a finding that shows it
        bare = splice.add_column_bare(ctx, n, index) or add_column_bare(ctx, index)
        return bare or f"ALTER TABLE {table} ADD COLUMN {col} {type_sql(cd.get('typeName'))};"

    if generated:
        ctx.emit(
            FIELD_DEFAULT,
            f"Adding the stored generated column {col} rewrites all of {table} under an ACCESS "
            "EXCLUSIVE lock: no reads or writes until every row has been rewritten.",
            f"{safe_add()}  -- then backfill in batches and maintain it with a trigger",
        )
    elif serial or identity:
        ctx.emit(
            FIELD_DEFAULT,
            f"Adding {col} as {'an identity' if identity else 'a serial'} column fills every "
            f"existing row from a sequence, which rewrites all of {table} under an ACCESS EXCLUSIVE lock.",
            f"{safe_add()}  -- nullable, then set a sequence default and backfill in batches",
        )
    elif default is not None:
        volatile, why = default_is_volatile(default)
        if ctx.pg_version < 11:
            ctx.emit(
                FIELD_DEFAULT,
                f"On PostgreSQL {ctx.pg_version}, adding {col} with a DEFAULT rewrites all of "
                f"{table} under an ACCESS EXCLUSIVE lock (PostgreSQL 11+ stores a constant default without a "
                "rewrite).",
                f"{safe_add()}\nALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT ...;  -- applies to new rows; "
                "then backfill old rows in batches",
            )
        elif volatile:
            ctx.emit(
                FIELD_DEFAULT,
                f"Adding {col} with a default that must be computed per row ({why}) rewrites "
                f"all of {table} under an ACCESS EXCLUSIVE lock, even on PostgreSQL 11+.",
                f"{safe_add()}\nALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT ...;  -- new rows only; "
                "then backfill existing rows in batches",
            )
    if not_null and default is None and not generated and not identity and not serial:
        ctx.emit(
            REQUIRED,
            f"Adding NOT NULL column {col} without a default fails on any table that has rows, and "
            "application code that inserts without the column breaks once it exists.",
            f"ALTER TABLE {table} ADD COLUMN {col} {_type(ctx, index, cd)} DEFAULT <constant> NOT NULL;  -- PostgreSQL 11+, "
            "no rewrite; or add it nullable, backfill, then enforce NOT NULL via a validated CHECK",
        )
    for c in cons:
        ct = c.get("contype")
        if ct == "CONSTR_PRIMARY":
            base = _bare_table(ctx)
            pkey, pkey_idx = ident(f"{base}_pkey"), ident(f"{base}_pkey_idx")
            ctx.emit(
                PRIMARY_KEY,
                f"Adding {col} as PRIMARY KEY builds a unique index on {table} under an ACCESS "
                "EXCLUSIVE lock: reads and writes wait for the whole build.",
                f"{safe_add()}\nCREATE UNIQUE INDEX CONCURRENTLY {pkey_idx} ON {table} ({col});\n"
                f"ALTER TABLE {table} ADD CONSTRAINT {pkey} PRIMARY KEY USING INDEX {pkey_idx};",
            )
        elif ct == "CONSTR_UNIQUE":
            key = ident(f"{cd.get('colname')}_key")
            ctx.emit(
                UNIQUE,
                f"Adding {col} as UNIQUE builds an index on {table} under an ACCESS EXCLUSIVE lock.",
                f"{safe_add()}\nCREATE UNIQUE INDEX CONCURRENTLY {key} ON {table} ({col});\n"
                f"ALTER TABLE {table} ADD CONSTRAINT {key} UNIQUE USING INDEX {key};",
            )
        elif ct == "CONSTR_FOREIGN":
            ref = relname(c.get("pktable"))
            ref_cols = ", ".join(map(ident, strings(c.get("pk_attrs"))))
            fkey = ident(f"{cd.get('colname')}_fkey")
            ctx.emit(
                FOREIGN_KEY,
                f"Adding {col} with REFERENCES {ref} takes a SHARE ROW EXCLUSIVE lock on both "
                f"{table} and {ref}, blocking writes to both while the statement runs.",
                f"{safe_add()}\nALTER TABLE {table} ADD CONSTRAINT {fkey} FOREIGN KEY ({col}) REFERENCES {ref}"
                f"{f' ({ref_cols})' if ref_cols else ''} NOT VALID;\n-- next migration:\n"
                f"ALTER TABLE {table} VALIDATE CONSTRAINT {fkey};",
            )


def _not_valid(ctx: Context, n: dict, index: int) -> str | None:
    """The ADD CONSTRAINT of cmd ``index`` alone, with NOT VALID."""
    as_text = splice.alter_cmd(ctx, n, index, splice.not_valid)
    if as_text is not None:
        return as_text

    def mark(cmd):
        cmd.def_.skip_validation = True
        cmd.def_.initially_valid = False

    return alter_cmd(ctx, index, mark)


def _add_constraint(c: dict, table: str, key: str, existing: bool, ctx: Context, n: dict, index: int) -> None:
    ct = c.get("contype")
    name = (c.get("conname") or "").lower()
    dropped = ctx.flags.get("dropped_constraints", {}).pop((key, name), None)
    if dropped is not None and dropped < len(ctx.hits) and ctx.hits[dropped][1].rule == "ban-drop-constraint":
        del ctx.hits[dropped]  # dropped and re-created under the same name: a re-runnable replace, not a loss
    if ct in ("CONSTR_CHECK", "CONSTR_FOREIGN") and c.get("skip_validation"):
        ctx.not_valid.add((key, name))
        expr = c.get("raw_expr") or {}
        nt = expr.get("NullTest")
        if ct == "CONSTR_CHECK" and nt and nt.get("nulltesttype") == "IS_NOT_NULL":
            cols = strings(nt.get("arg", {}).get("ColumnRef", {}).get("fields"))
            if cols:
                ctx.not_null_checks[(key, name)] = cols[-1].lower()
        return
    if not existing:
        return
    cname = ident(c.get("conname") or "new_constraint")
    named = bool(c.get("conname"))

    @cache
    def not_valid() -> str | None:  # printed only for a finding that shows it
        return _not_valid(ctx, n, index) if named else None

    validate = f"ALTER TABLE {table} VALIDATE CONSTRAINT {cname};"
    if ct == "CONSTR_FOREIGN":
        ref = relname(c.get("pktable"))
        ctx.emit(
            FOREIGN_KEY,
            f"Adding foreign key {cname} validates every row of {table} while holding a SHARE ROW "
            f"EXCLUSIVE lock on both {table} and {ref}: writes to both tables wait.",
            (
                not_valid()
                or f"ALTER TABLE {table} ADD CONSTRAINT {cname} FOREIGN KEY (...) REFERENCES {ref} (...) NOT VALID;"
            )
            + f"\n-- next migration:\n{validate}",
        )
    if ct in ("CONSTR_CHECK", "CONSTR_FOREIGN"):
        ctx.emit(
            NOT_VALID,
            f"Adding constraint {cname} without NOT VALID checks every existing row of {table} "
            "while holding the lock that blocks writes (ACCESS EXCLUSIVE for CHECK).",
            (not_valid() or f"ALTER TABLE {table} ADD CONSTRAINT {cname} ... NOT VALID;")
            + f"\n-- next migration (own transaction):\n{validate}",
        )
    elif ct == "CONSTR_UNIQUE" and not c.get("indexname"):
        ctx.emit(
            UNIQUE,
            f"Adding UNIQUE constraint {cname} builds its index on {table} under an ACCESS EXCLUSIVE "
            "lock: reads and writes wait for the whole build.",
            f"CREATE UNIQUE INDEX CONCURRENTLY {_idx(c)} ON {table} ({_keys(c)});\n"
            f"ALTER TABLE {table} ADD CONSTRAINT {cname} UNIQUE USING INDEX {_idx(c)}{_deferral(c)};",
        )
    elif ct == "CONSTR_PRIMARY" and not c.get("indexname"):
        ctx.emit(
            PRIMARY_KEY,
            f"Adding a primary key to {table} builds a unique index (and checks NOT NULL) under "
            "an ACCESS EXCLUSIVE lock.",
            f"CREATE UNIQUE INDEX CONCURRENTLY {_idx(c)} ON {table} ({_keys(c)});\n"
            f"ALTER TABLE {table} ADD CONSTRAINT {cname} PRIMARY KEY USING INDEX {_idx(c)};",
        )


def _idx(c: dict) -> str:
    return ident(f"{c.get('conname') or 'new_constraint'}_idx")


def _keys(c: dict) -> str:
    return ", ".join(map(ident, strings(c.get("keys")))) or "..."


def _bare_table(ctx: Context) -> str:
    """The table's own name (no schema) of the current statement, for derived names."""
    body: dict = next(iter((ctx.statement.node or {}).values()), {}) if ctx.statement else {}
    return (body.get("relation") or {}).get("relname", "t")


@on("AlterEnumStmt")
def enum_value(n: dict, ctx: Context) -> None:
    if n.get("newVal") is not None and not n.get("newValNeighbor"):
        t = ".".join(map(ident, strings(n.get("typeName"))))
        ctx.emit(
            ENUM_ORDER,
            f"ADD VALUE '{n['newVal']}' to {t} without BEFORE/AFTER appends it at the end, so the "
            "enum's sort order (ORDER BY, comparisons) may not be what the application expects.",
            f"ALTER TYPE {t} ADD VALUE IF NOT EXISTS '{n['newVal']}' AFTER '<existing value>';",
        )


@on("CreateDomainStmt")
def create_domain(n: dict, ctx: Context) -> None:
    if any(c.get("Constraint", {}).get("contype") == "CONSTR_CHECK" for c in n.get("constraints", ())):
        ctx.emit(
            DOMAIN_CREATE,
            "A CHECK constraint on a domain cannot be added NOT VALID later and changing it "
            "means checking every column that uses the domain under lock.",
            "Use a plain type and put the CHECK constraint on the table columns (ADD CONSTRAINT ... NOT VALID "
            "then VALIDATE).",
        )


@on("AlterDomainStmt")
def alter_domain(n: dict, ctx: Context) -> None:
    if n.get("subtype") == "C":
        ctx.emit(
            DOMAIN_ALTER,
            "ALTER DOMAIN ADD CONSTRAINT checks every column of every table that uses the "
            "domain, holding locks on all of them.",
            "ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID; then ALTER DOMAIN ... VALIDATE CONSTRAINT ...; in a "
            "later migration",
        )
