"""SQLite's ALTER TABLE supports only RENAME, ADD COLUMN (with limits) and DROP COLUMN (3.35+).
Everything else needs the documented 12-step rebuild: create the new table, copy, drop, rename,
with foreign keys switched off outside the transaction and checked afterwards."""

from __future__ import annotations

from sqlglot import exp

from ..common import drop_column, drop_database, drop_table, rename_column, rename_table
from ..common import name as _name
from ..context import Context
from ..glot import words
from ..model import ERROR, PARTIAL, WARNING, Statement, rule

LITE = "sqlite"
REBUILD = rule("sqlite-table-rebuild", ERROR, LITE, "ALTER TABLE form SQLite does not support: needs a table rebuild")
ADD_COLUMN = rule(
    "sqlite-add-column-rejected",
    ERROR,
    LITE,
    "ADD COLUMN that SQLite rejects (PRIMARY KEY, UNIQUE, NOT NULL without default, non-constant default, STORED)",
)
FK_ON = rule(
    "sqlite-rebuild-with-foreign-keys-on", ERROR, LITE, "table rebuild (drop + rename) while foreign keys are on"
)
PRAGMA_TX = rule(
    "sqlite-foreign-keys-pragma-in-transaction", ERROR, LITE, "PRAGMA foreign_keys inside a transaction does nothing"
)
FK_CHECK = rule(
    "sqlite-foreign-keys-not-restored", WARNING, LITE, "foreign keys switched off and not checked/switched back on"
)

_STEPS = (
    "PRAGMA foreign_keys = OFF;  -- outside any transaction\nBEGIN;\nCREATE TABLE {t_new} (...);  -- the new "
    "definition\nINSERT INTO {t_new} (cols) SELECT cols FROM {t};\nDROP TABLE {t};\nALTER TABLE {t_new} RENAME "
    "TO {t};\n-- recreate indexes, triggers and views on {t}\nPRAGMA foreign_key_check;\nCOMMIT;\n"
    "PRAGMA foreign_keys = ON;"
)


class _Steps:
    """The rebuild recipe for one table, its temporary name quoted as the table's is."""

    @staticmethod
    def format(t: str) -> str:
        t_new = f"{t[:-1]}_new{t[-1]}" if t[-1:] in ('"', "`", "]") else f"{t}_new"
        return _STEPS.format(t=t, t_new=t_new)


STEPS = _Steps()


def name(node) -> str:
    """A name as SQLite SQL: double quotes where the statement quoted it."""
    return _name(node, "sqlite")


def _rebuild(ctx: Context, table: str, what: str) -> None:
    ctx.emit(
        REBUILD,
        f"SQLite cannot {what}: the statement fails, and the change needs the table to be rebuilt "
        "(new table, copy, drop, rename) which locks the whole database while it copies.",
        STEPS.format(t=table),
    )


def alter(node: exp.Alter, st: Statement, ctx: Context) -> None:
    table = name(node.this)
    new = table.lower() in ctx.new_tables
    for act in node.args.get("actions") or ():
        if isinstance(act, exp.ColumnDef):
            _add_column(act, table, ctx)
        elif isinstance(act, exp.AlterColumn):
            _rebuild(ctx, table, "ALTER COLUMN (type, NULL/NOT NULL or default)")
        elif isinstance(act, exp.AddConstraint):
            _rebuild(ctx, table, "ADD CONSTRAINT")
        elif isinstance(act, exp.DropPrimaryKey):
            _rebuild(ctx, table, "DROP PRIMARY KEY")
        elif isinstance(act, exp.ModifyColumn):
            _rebuild(ctx, table, "MODIFY/CHANGE COLUMN")
        elif isinstance(act, exp.Drop):
            kind = (act.args.get("kind") or "").upper()
            if kind == "COLUMN":
                if not new:
                    drop_column(
                        ctx,
                        table,
                        ", ".join(name(t) for t in act.args.get("tables") or ()),
                        " SQLite (3.35+) also refuses it when the column is a PRIMARY KEY, UNIQUE, indexed, "
                        "in a foreign key, or used by a view, trigger or CHECK.",
                    )
            else:
                _rebuild(ctx, table, f"DROP {kind or 'CONSTRAINT'}")
        elif isinstance(act, exp.RenameColumn):
            if not new:
                rename_column(ctx, table, name(act.this), name(act.args.get("to")))
        elif isinstance(act, exp.AlterRename):
            target = name(act.this).lower()
            ctx.flags.setdefault("renamed_to", set()).add(target)
            dropped = ctx.flags.get("dropped_existing", {})
            if target in dropped:
                _rebuild_fk(ctx, dropped[target], target)
            elif not new:  # decided at the end: renamed away, recreated and the old copy dropped is a rebuild
                ctx.flags.setdefault("renames", []).append((st, table, name(act.this), bool(ctx.flags.get("fk_off"))))


def _add_column(cd: exp.ColumnDef, table: str, ctx: Context) -> None:
    col = name(cd.this)
    problems = []
    has_default = not_null = False
    for c in cd.constraints:
        k = c.kind
        if isinstance(k, exp.PrimaryKeyColumnConstraint):
            problems.append("it cannot be a PRIMARY KEY")
        elif isinstance(k, exp.UniqueColumnConstraint):
            problems.append("it cannot be UNIQUE")
        elif isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null"):
            not_null = True
        elif isinstance(k, exp.DefaultColumnConstraint):
            v = k.this
            if v is not None and not (
                isinstance(v, (exp.Literal, exp.Null, exp.Boolean))
                or (isinstance(v, exp.Neg) and isinstance(v.this, exp.Literal))
            ):
                problems.append(f"its default {v.sql(dialect='sqlite')} is not a constant")
            has_default = has_default or not isinstance(v, exp.Null)
        elif isinstance(k, exp.ComputedColumnConstraint) and k.args.get("persisted"):
            problems.append("a generated column added with ALTER TABLE cannot be STORED")
    if not_null and not has_default:
        problems.append("it is NOT NULL without a non-NULL default")
    if problems:
        ctx.emit(
            ADD_COLUMN,
            f"SQLite rejects ADD COLUMN {col} because {'; '.join(problems)}: the migration fails at this statement.",
            f"ALTER TABLE {table} ADD COLUMN {col} {cd.kind.sql(dialect='sqlite') if cd.kind else ''};  -- "
            "nullable or with a constant default; or rebuild the table:\n" + STEPS.format(t=table),
        )


def _rebuild_fk(ctx: Context, drop_st: Statement, table: str) -> None:
    if ctx.flags.get("fk_off"):
        return
    keep = ctx.statement
    ctx.statement = drop_st
    ctx.emit(
        FK_ON,
        f"This drops {table} to rebuild it while foreign keys are on (SQLite's default in most "
        "drivers): dropping the parent runs ON DELETE CASCADE / SET NULL in child tables or fails with a "
        "constraint error, so rows in other tables can silently disappear.",
        STEPS.format(t=table),
    )
    ctx.statement = keep


def drop(node: exp.Drop, st: Statement, ctx: Context) -> None:
    kind = (node.args.get("kind") or "").upper()
    if kind == "TABLE":
        tables = [name(t) for t in node.args.get("tables") or ()]
        ctx.flags.setdefault("dropped_any", set()).update(t.lower() for t in tables)
        existing = [t for t in tables if t.lower() not in ctx.new_tables]
        for t in existing:
            ctx.flags.setdefault("dropped_existing", {})[t.lower()] = st
        # reported at the end: a DROP followed by RENAME ... TO the same name is a rebuild, not a loss
        if existing:
            ctx.flags.setdefault("pending_drops", []).append((st, ", ".join(existing), [t.lower() for t in existing]))
    elif kind in ("DATABASE", "SCHEMA"):
        drop_database(ctx, name(node.this))


def pragma(node: exp.Pragma, st: Statement, ctx: Context) -> None:
    ws = [w.lower() for w in words(st)]
    if "foreign_keys" not in ws:
        if "foreign_key_check" in ws:
            ctx.flags["fk_checked"] = True
        return
    value = ws[-1] if ws[-1] not in ("foreign_keys",) else None
    if value is None:
        return
    off = value in ("off", "0", "false", "no")
    if ctx.in_transaction:
        ctx.emit(
            PRAGMA_TX,
            "PRAGMA foreign_keys is a no-op inside a transaction: foreign keys keep their "
            "current setting, so the rebuild that follows runs with them on (or they are never turned back "
            "on).",
            "Run PRAGMA foreign_keys = OFF before BEGIN (in a migration the tool runs without a transaction), "
            "and PRAGMA foreign_keys = ON after COMMIT.",
        )
        return
    ctx.flags["fk_off"] = off
    if off and st.start in ctx.outside_transaction:
        ctx.flags["fk_checked"] = True  # our runner took it out of the transaction and checks before COMMIT
    if off:
        ctx.flags["fk_off_stmt"] = st
    else:
        ctx.flags.pop("fk_off_stmt", None)


def _renames(ctx: Context) -> None:
    """``RENAME t TO tmp; CREATE TABLE t ...; DROP TABLE tmp`` (our differ's rebuild, with
    legacy_alter_table so other tables keep pointing at ``t``) is a rebuild, not a rename that
    breaks deployed code; with foreign keys on, the rename rewrites child tables' references to
    ``tmp`` and the drop then deletes their rows through ON DELETE CASCADE."""
    dropped = ctx.flags.get("dropped_any", set())
    keep = ctx.statement
    for st, old, new, fk_off in ctx.flags.get("renames", ()):
        ctx.statement = st
        if new.lower() in dropped and old.lower() in ctx.new_tables:
            if not fk_off:
                ctx.emit(
                    FK_ON,
                    f"This renames {old} away to rebuild it while foreign keys are on (SQLite's default "
                    f"in most drivers): child tables' foreign keys are rewritten to point at {new}, and dropping "
                    f"{new} then runs ON DELETE CASCADE / SET NULL on their rows or fails with a constraint "
                    "error.",
                    STEPS.format(t=old),
                )
        else:
            rename_table(ctx, old, new)
    ctx.statement = keep


def finish(ctx: Context) -> None:
    _renames(ctx)
    renamed = ctx.flags.get("renamed_to", set())
    for st, shown, tables in ctx.flags.get("pending_drops", ()):
        if not all(t in renamed for t in tables):
            keep = ctx.statement
            ctx.statement = st
            drop_table(ctx, shown)
            ctx.statement = keep
    off_st = ctx.flags.get("fk_off_stmt")
    if off_st is not None and (not ctx.flags.get("fk_checked")):
        ctx.statement = off_st
        ctx.emit(
            FK_CHECK,
            "Foreign keys are switched off and the migration never runs PRAGMA foreign_key_check "
            "(nor switches them back on): rows that break a foreign key during the rebuild stay unnoticed.",
            "PRAGMA foreign_key_check;  -- before COMMIT; then PRAGMA foreign_keys = ON; after it",
        )


def transaction(node: exp.Expression, st: Statement, ctx: Context) -> None:
    if isinstance(node, exp.Transaction):
        ctx.tx_depth += 1
    else:
        ctx.tx_depth = max(0, ctx.tx_depth - 1)


def command(st: Statement, ctx: Context) -> None:
    ws = words(st)
    if ws[:1] in (["VACUUM"], ["ANALYZE"], ["REINDEX"], ["SAVEPOINT"], ["RELEASE"]):
        return
    ctx.emit(
        PARTIAL,
        "sqlglot could not parse this statement fully and keeps it as an opaque command, so the "
        "SQLite rules did not check it.",
        "Review this statement by hand, or try it on a copy of the database.",
    )
    if ws[:2] == ["CREATE", "TABLE"] and len(ws) > 2:
        ctx.new_tables.add(ws[2].lower().strip('"`[]'))
