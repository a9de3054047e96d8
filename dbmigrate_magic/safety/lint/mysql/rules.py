"""InnoDB online DDL: which ALTERs copy the table or block writes, and migrations that cannot be
rolled back because DDL commits implicitly.

Assumes MySQL 8.0+ / MariaDB 10.3+ (instant ADD COLUMN); statements that are instant there are not
reported.
"""

from __future__ import annotations

import re

from sqlglot import exp

from ..common import drop_column, drop_table, rename_column, rename_table
from ..common import name as _name
from ..context import Context
from ..glot import option, source_words, words
from ..model import ERROR, PARTIAL, WARNING, Statement, rule

MY = "mysql"
ALGORITHM_COPY = rule("mysql-algorithm-copy", ERROR, MY, "ALGORITHM=COPY rebuilds the table and blocks writes")
LOCK_LEVEL = rule("mysql-lock-shared-exclusive", ERROR, MY, "LOCK=SHARED/EXCLUSIVE blocks writes (or reads)")
TABLE_COPY = rule(
    "mysql-column-change-copies-table",
    ERROR,
    MY,
    "MODIFY/CHANGE COLUMN, primary key, charset or engine changes copy the whole table",
)
EXPR_DEFAULT = rule("mysql-expression-default", ERROR, MY, "new column with an expression default copies the table")
FK_COPY = rule(
    "mysql-foreign-key-copies-table", ERROR, MY, "ADD FOREIGN KEY with foreign_key_checks=1 uses ALGORITHM=COPY"
)
MIXED = rule(
    "mysql-ddl-mixed-with-dml",
    ERROR,
    MY,
    "DDL commits implicitly: data changes in the same migration cannot be rolled back with it",
)
ONLINE_INDEX = rule(
    "mysql-index-without-online-options",
    WARNING,
    MY,
    "index change without ALGORITHM=INPLACE, LOCK=NONE may silently lock the table",
)

ONLINE = "ALGORITHM=INPLACE, LOCK=NONE"
_OPTION = re.compile(r"(?:,\s*)?\b(?:ALGORITHM|LOCK)\s*=?\s*\w+", re.IGNORECASE)


def name(node) -> str:
    """A name as MySQL SQL: backticks where the statement quoted it."""
    return _name(node, "mysql")


def online_sql(st: Statement) -> str:
    """The statement itself, as written (same names, same quoting), asking for an online change:
    ``ALTER TABLE ..., ALGORITHM=INPLACE, LOCK=NONE`` or ``CREATE/DROP INDEX ... ALGORITHM=INPLACE
    LOCK=NONE`` (no commas there: MySQL and MariaDB reject them)."""
    body = _OPTION.sub("", st.text.rstrip().rstrip(";")).rstrip().rstrip(",")
    if (words(st) or [""])[0] == "ALTER":
        return f"{body}, {ONLINE};"
    return f"{body} ALGORITHM=INPLACE LOCK=NONE;"


def _opts(node: exp.Expression, st: Statement) -> tuple[str | None, str | None]:
    """(algorithm, lock) stated on the ALTER, upper-case."""
    if isinstance(node, exp.Command) or not isinstance(node, exp.Alter):
        ws = words(st)
        return option(ws, "ALGORITHM"), option(ws, "LOCK")
    algo = lock = None
    for o in node.args.get("options") or ():
        if isinstance(o, exp.AlgorithmProperty):
            algo = o.this.name.upper()
        elif isinstance(o, exp.LockProperty):
            lock = o.this.name.upper()
    return algo, lock


def check_options(node: exp.Expression, st: Statement, ctx: Context, table: str) -> tuple[str | None, str | None]:
    algo, lock = _opts(node, st)
    if algo == "COPY":
        ctx.emit(
            ALGORITHM_COPY,
            f"ALGORITHM=COPY rebuilds {table} row by row into a new copy; concurrent writes are "
            "blocked for the whole copy (minutes to hours on a large table) and it needs disk for a second "
            "copy of the table.",
            f"Drop ALGORITHM=COPY and state ALGORITHM=INSTANT (or {ONLINE}) so MySQL refuses instead of "
            "copying; if the change really needs a copy, use gh-ost or pt-online-schema-change.",
        )
    if lock in ("SHARED", "EXCLUSIVE"):
        blocked = "writes" if lock == "SHARED" else "reads and writes"
        ctx.emit(
            LOCK_LEVEL,
            f"LOCK={lock} blocks {blocked} on {table} for the whole ALTER.",
            f"{online_sql(st)}  -- MySQL refuses if it cannot stay online, instead of locking",
        )
    return algo, lock


def _is_expr_default(d: exp.Expression) -> bool:
    v = d.this
    if isinstance(v, exp.Paren):
        return not isinstance(v.this, exp.Literal)
    return False


def alter(node: exp.Alter, st: Statement, ctx: Context) -> None:
    table = name(node.this)
    algo, lock = check_options(node, st, ctx, table)
    new = table.lower() in ctx.new_tables
    online = algo in ("INPLACE", "INSTANT") and lock in ("NONE", None) and lock == "NONE"
    for act in node.args.get("actions") or ():
        if isinstance(act, exp.ColumnDef) and not new:
            for c in act.constraints:
                if isinstance(c.kind, exp.DefaultColumnConstraint) and _is_expr_default(c.kind):
                    ctx.emit(
                        EXPR_DEFAULT,
                        f"Adding {name(act.this)} with an expression default ({c.kind.sql(dialect='mysql')}) "
                        f"cannot be done INSTANT or INPLACE: MySQL copies all of {table} and blocks writes "
                        "meanwhile.",
                        f"ALTER TABLE {table} ADD COLUMN {name(act.this)} {act.kind.sql(dialect='mysql') if act.kind else ''} "
                        f"NULL, ALGORITHM=INSTANT;  -- then backfill in batches and set the default in the "
                        "application",
                    )
        elif isinstance(act, exp.ModifyColumn) and not new:
            cd = act.this
            ctx.emit(
                TABLE_COPY,
                f"MODIFY/CHANGE COLUMN {name(cd.this) if isinstance(cd, exp.ColumnDef) else name(cd)} on {table} rewrites every row (ALGORITHM=COPY, "
                "writes blocked) whenever it changes the type, nullability, character set or shrinks the "
                "column; only renames, defaults and VARCHAR growth within the same length byte stay in place.",
                f"State the algorithm so MySQL refuses a copy: ALTER TABLE {table} MODIFY ..., {ONLINE}; "
                "for a real type change add a new column, backfill it, and switch over, or use gh-ost / "
                "pt-online-schema-change.",
            )
        elif isinstance(act, exp.AddConstraint) and not new:
            for c in act.expressions:
                inner = c.expressions[0] if isinstance(c, exp.Constraint) and c.expressions else c
                if isinstance(inner, exp.ForeignKey):
                    if not ctx.flags.get("fk_checks_off"):
                        ctx.emit(
                            FK_COPY,
                            f"ADD FOREIGN KEY on {table} with foreign_key_checks=1 can only run with "
                            "ALGORITHM=COPY: the table is copied and writes are blocked meanwhile.",
                            f"SET foreign_key_checks = 0;\n{online_sql(st)}\nSET foreign_key_checks = 1;  -- check "
                            "orphans yourself first",
                        )
                elif isinstance(inner, exp.PrimaryKey):
                    _copy(ctx, table, "ADD PRIMARY KEY")
                elif isinstance(inner, (exp.IndexColumnConstraint, exp.UniqueColumnConstraint)) and not online:
                    _online_index(ctx, st, table, "ADD INDEX")
        elif isinstance(act, exp.DropPrimaryKey) and not new:
            _copy(ctx, table, "DROP PRIMARY KEY")
        elif isinstance(act, exp.Drop):
            kind = (act.args.get("kind") or "").upper()
            if kind == "COLUMN" and not new:
                drop_column(ctx, table, ", ".join(name(t) for t in act.args.get("tables") or ()))
            elif kind in ("INDEX", "KEY") and not online and not new:
                _online_index(ctx, st, table, "DROP INDEX")
        elif isinstance(act, exp.RenameColumn) and not new:
            rename_column(ctx, table, name(act.this), name(act.args.get("to")))
        elif isinstance(act, exp.AlterRename):
            rename_table(ctx, table, name(act.this))
    for o in node.args.get("options") or ():
        if isinstance(o, exp.EngineProperty) and not new:
            _copy(ctx, table, f"ENGINE={o.name}")


def _copy(ctx: Context, table: str, what: str) -> None:
    ctx.emit(
        TABLE_COPY,
        f"{what} on {table} rebuilds the whole table (a full copy, or an in-place rebuild that "
        "reads and rewrites every row); on a large table it runs for a long time, and a primary key or engine "
        "change blocks writes.",
        f"Run it with {ONLINE} where MySQL allows it (it refuses otherwise), in a quiet window, or with gh-ost / "
        "pt-online-schema-change.",
    )


def _online_index(ctx: Context, st: Statement, table: str, what: str, sql: str | None = None) -> None:
    ctx.emit(
        ONLINE_INDEX,
        f"{what} on {table} without {ONLINE}: MySQL picks the algorithm itself and may fall back "
        "to one that blocks writes (FULLTEXT/SPATIAL indexes, some MariaDB versions), with no error.",
        f"{sql or online_sql(st)}  -- MySQL now fails fast instead of locking",
    )


def command(st: Statement, ctx: Context) -> None:
    """Statements sqlglot keeps as a Command: CREATE INDEX ... ALGORITHM=, RENAME TABLE, ALTER TABLE ... CONVERT."""
    ws = words(st)
    if not ws:
        return
    handled = (ws[0] == "CREATE" and "INDEX" in ws[:4]) or ws[0] in (
        "RENAME",
        "OPTIMIZE",
        "ANALYZE",
        "LOCK",
        "UNLOCK",
        "FLUSH",
        "SHOW",
        "USE",
    )
    if not handled:
        partial(ctx)
    src = source_words(st, "mysql")
    if ws[0] == "CREATE" and "INDEX" in ws[:4]:
        on = ws.index("ON") if "ON" in ws else -1
        table = src[on + 1] if on >= 0 and on + 1 < len(ws) else "?"
        algo, lock = check_options(st.node, st, ctx, table)
        if table.lower() not in ctx.new_tables and not (algo in ("INPLACE", "INSTANT") and lock == "NONE"):
            _online_index(ctx, st, table, "CREATE INDEX")
    elif ws[0] == "RENAME" and len(ws) > 3:
        rename_table(ctx, src[2], src[4] if len(ws) > 4 else "?")
    elif ws[0] == "ALTER" and len(ws) > 2 and ws[1] == "TABLE":
        table = src[2]
        check_options(st.node, st, ctx, table)
        if "CONVERT" in ws or "PARTITION" in ws or "FORCE" in ws:
            _copy(ctx, table, " ".join(w for w in ws[3:6]))


def partial(ctx: Context) -> None:
    ctx.emit(
        PARTIAL,
        "sqlglot could not parse this statement fully and keeps it as an opaque command, so only "
        "the word-level checks (ALGORITHM=, LOCK=, table copies) ran on it; a syntax error here would also "
        "go unnoticed until the database runs it.",
        "Review this statement by hand, or try it on a scratch database first.",
    )


def create(node: exp.Create, st: Statement, ctx: Context) -> None:
    kind = (node.args.get("kind") or "").upper()
    if kind == "TABLE":
        t = node.this.this if isinstance(node.this, exp.Schema) else node.this
        ctx.new_tables.add(name(t).lower())
    elif kind == "INDEX":
        idx = node.this
        table = name(idx.args.get("table")) if isinstance(idx, exp.Index) else "?"
        if table.lower() not in ctx.new_tables:
            _online_index(ctx, st, table, "CREATE INDEX")


def drop(node: exp.Drop, st: Statement, ctx: Context) -> None:
    kind = (node.args.get("kind") or "").upper()
    if kind == "TABLE":
        tables = [name(t) for t in node.args.get("tables") or ()]
        if not all(t.lower() in ctx.new_tables for t in tables):
            drop_table(ctx, ", ".join(tables))
    elif kind in ("DATABASE", "SCHEMA"):
        from ..common import drop_database

        drop_database(ctx, ", ".join(name(t) for t in node.args.get("tables") or ()) or name(node.this))
    elif kind == "INDEX":
        _opts_ok = _opts(node, st)
        if not (_opts_ok[0] in ("INPLACE", "INSTANT") and _opts_ok[1] == "NONE"):
            cluster = node.args.get("cluster")
            table = name(cluster.this) if cluster is not None else "?"
            index = ", ".join(name(t) for t in node.args.get("tables") or ())
            # MariaDB's DROP INDEX takes no ALGORITHM/LOCK: the ALTER TABLE form works on both servers
            _online_index(ctx, st, table, "DROP INDEX", f"ALTER TABLE {table} DROP INDEX {index}, {ONLINE};")


_DML = (exp.Insert, exp.Update, exp.Delete)
_DDL = (exp.Create, exp.Alter, exp.Drop, exp.TruncateTable)


def mixed(node: exp.Expression, st: Statement, ctx: Context) -> None:
    """DDL implicitly commits in MySQL: a migration with both DDL and data changes is not atomic."""
    is_ddl = isinstance(node, _DDL) or (
        isinstance(node, exp.Command) and words(st)[:1] in (["RENAME"], ["ALTER"], ["CREATE"], ["DROP"])
    )
    is_dml = isinstance(node, _DML)
    if is_ddl:
        ctx.flags["seen_ddl"] = True
    if is_dml:
        ctx.flags["seen_dml"] = True
    if (is_ddl and ctx.flags.get("seen_dml")) or (is_dml and ctx.flags.get("seen_ddl")):
        if not ctx.flags.get("mixed_reported"):
            ctx.flags["mixed_reported"] = True
            ctx.emit(
                MIXED,
                "This migration mixes schema changes (DDL) with data changes: every DDL statement "
                "commits implicitly in MySQL/MariaDB, so if a later statement fails, the earlier ones stay "
                "applied, the migration is half done, and the tool cannot roll it back.",
                "Split it: one migration for the schema change, another for the data change (each re-runnable, "
                "e.g. INSERT ... ON DUPLICATE KEY UPDATE).",
            )


def set_stmt(node: exp.Set, ctx: Context) -> None:
    for item in node.expressions:
        eq = item.this
        if isinstance(eq, exp.EQ) and eq.this.name.lower() in ("foreign_key_checks", "@@foreign_key_checks"):
            ctx.flags["fk_checks_off"] = eq.expression.name in ("0", "OFF", "off", "FALSE", "false")
