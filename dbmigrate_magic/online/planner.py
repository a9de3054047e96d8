"""Turn PostgreSQL migration SQL into an expand/contract plan.

Each statement is parsed (libpg_query through pglast, as the linter does) and dispatched to the
rewrite of its family; what has no risky rewrite stays as written, grouped into one step. The
linter runs on the input and on every step, so the plan says which findings it removes.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UsageProblem
from ..safety.lint import lint_sql
from . import pg_columns as cols
from . import pg_constraints as cons
from .model import OnlinePlan, Rewrite, Step
from .pg_live import LiveSchema
from .pg_sql import deparse, expr_json, short_lock_wait, table_sql


def slug(text: str) -> str:
    """A migration name: lower-case letters, digits and underscores."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", text.lower())).strip("_")[:60] or "step"


def _statements(sql: str) -> list[tuple[str, Any]]:
    """(text, pglast node) of each statement; unparseable SQL is refused with the parser's message."""
    import pglast

    try:
        raws = pglast.parse_sql(sql)
    except pglast.parser.ParseError as exc:
        raise UsageProblem(
            f"The PostgreSQL parser cannot read this SQL: {exc}",
            unchanged="Nothing was planned or written.",
            next_step="Fix the SQL (`dbm lint` points at the statement), then plan again.",
        ) from None
    out = []
    for raw in raws:
        begin = raw.stmt_location or 0
        end = begin + raw.stmt_len if raw.stmt_len else len(sql.encode())
        text = sql.encode()[begin:end].decode().strip().rstrip(";").strip()
        out.append((text, raw.stmt))
    return out


def _volatile(default: Any) -> bool:
    from ..safety.lint.pg.locks import default_is_volatile

    tree = expr_json(deparse(default))
    return default_is_volatile(tree)[0]


def _add_column(text: str, cmd: Any, table: str, name: str) -> Rewrite | None:
    from pglast.enums import ConstrType

    cd = cmd.def_
    kinds = {c.contype: c for c in cd.constraints or ()}
    default = kinds.get(ConstrType.CONSTR_DEFAULT)
    others = set(kinds) - {ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_DEFAULT, ConstrType.CONSTR_NULL}
    if others:
        raise UsageProblem(
            f"Cannot plan `{text}` online: the new column {cd.colname} also declares a constraint "
            "(PRIMARY KEY, UNIQUE, REFERENCES or CHECK).",
            unchanged="Nothing was written.",
            next_step="Add the column alone, and the constraint with its own ALTER TABLE ... ADD CONSTRAINT "
            "statement: the plan then builds it online.",
        )
    if ConstrType.CONSTR_NOTNULL not in kinds:
        if default is not None and _volatile(default.raw_expr):
            pass  # a volatile default on a nullable column: backfill it like a NOT NULL one, then keep it nullable
        else:
            return None
    if default is None:
        raise UsageProblem(
            f"Cannot plan `{text}`: a NOT NULL column without a DEFAULT fails on a table that has rows, "
            "and nothing says what existing rows should hold.",
            unchanged="Nothing was written.",
            next_step="Give it a DEFAULT (the value existing rows get), then plan again.",
        )
    if not _volatile(default.raw_expr) and ConstrType.CONSTR_NOTNULL in kinds:
        return None  # a constant default is stored in the catalog (PostgreSQL 11+): already online
    rewrite = cols.add_not_null_column(text, table, name, cd.colname, deparse(cd.typeName), deparse(default.raw_expr))
    if ConstrType.CONSTR_NOTNULL not in kinds:  # nullable: keep the expand and the backfill only
        return Rewrite(rewrite.family, text, rewrite.steps[:2], rewrite.why.replace(" NOT NULL", ""))
    return rewrite


def _alter_table(text: str, node: Any, live: LiveSchema) -> list[Rewrite | str]:
    from pglast import ast
    from pglast.enums import AlterTableType as T

    table, name = table_sql(node.relation), node.relation.relname
    out: list[Rewrite | str] = []
    for cmd in node.cmds:
        alone = deparse(ast.AlterTableStmt(relation=node.relation, cmds=(cmd,), objtype=node.objtype))
        label = alone if len(node.cmds) > 1 else text
        found: Rewrite | None = None
        if cmd.subtype == T.AT_AddColumn:
            found = _add_column(label, cmd, table, name)
        elif cmd.subtype == T.AT_AlterColumnType:
            using = deparse(cmd.def_.raw_default) if cmd.def_.raw_default is not None else None
            found = cols.change_type(label, table, name, cmd.name, deparse(cmd.def_.typeName), using, live)
        elif cmd.subtype == T.AT_DropColumn:
            found = cons.drop_column(label, table, name, cmd.name, live)
        elif cmd.subtype == T.AT_SetNotNull:
            found = cols.set_not_null(label, table, name, cmd.name)
        elif cmd.subtype == T.AT_AddConstraint and not cmd.def_.skip_validation:
            found = cons.add_constraint(label, cmd.def_, table, name)
        out.append(found if found is not None else alone)
    return out


def _rewrite(text: str, node: Any, live: LiveSchema) -> list[Rewrite | str]:  # node: a pglast statement
    from pglast import ast
    from pglast.enums import ObjectType

    if isinstance(node, ast.AlterTableStmt) and node.objtype == ObjectType.OBJECT_TABLE:
        return _alter_table(text, node, live)
    if isinstance(node, ast.RenameStmt) and node.renameType == ObjectType.OBJECT_COLUMN:
        rel: Any = node.relation
        return [cols.rename_column(text, table_sql(rel), rel.relname, node.subname or "", node.newname or "", live)]
    if isinstance(node, ast.IndexStmt):
        target: Any = node.relation
        return [cons.create_index(text, node, table_sql(target), target.relname)]
    if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_INDEX and not node.concurrent:
        return [cons.drop_index(text, node)]
    full = isinstance(node, ast.VacuumStmt) and any(o.defname == "full" for o in node.options or ())
    if (full and node.rels) or (isinstance(node, ast.ClusterStmt) and node.relation is not None):
        from .pg_repack import repack

        return [repack(text, node, live)]
    return [text]


def plan_sql(sql: str, live: LiveSchema, pg_version: str | int | None = None, label: str = "change") -> OnlinePlan:
    """The plan for ``sql``: each risky statement's rewrite, the others as written, in order."""
    parts: list[Rewrite | str] = []
    for text, node in _statements(sql):
        parts.extend(_rewrite(text, node, live))
    rewrites: list[Rewrite] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            body = "\n".join(p.rstrip(";") + ";" for p in pending)
            step = Step(
                f"{slug(label)}_as_written", "as written", body, None, "as the statements take", "see the lint findings"
            )
            rewrites.append(Rewrite("as written", body, (step,), "no online rewrite needed (or known) for these"))
            pending.clear()

    for part in parts:
        if isinstance(part, str):
            pending.append(part)
        else:
            flush()
            rewrites.append(part)
    flush()
    _refuse_backfill_without_key(rewrites, live)
    names: set[str] = set()
    for rw in rewrites:  # two steps of one plan never share a name
        fixed = []
        for step in rw.steps:
            name, n = slug(step.name), 2
            while name in names:
                name, n = f"{slug(step.name)}_{n}", n + 1
            names.add(name)
            step = step if name == step.name else _renamed(step, name)
            fixed.append(step if rw.family == "as written" else short_lock_wait(step))
        rewrites[rewrites.index(rw)] = Rewrite(rw.family, rw.statement, tuple(fixed), rw.why, rw.notes)
    before = rule_ids(sql, "postgresql", True, pg_version)
    steps = [s for rw in rewrites for s in rw.steps if s.up]
    after = [r for s in steps for r in rule_ids(s.up, "postgresql", s.transactional, pg_version)]
    return OnlinePlan(tuple(rewrites), tuple(sorted(set(before))), tuple(sorted(set(after))))


def _refuse_backfill_without_key(rewrites: list[Rewrite], live: LiveSchema) -> None:
    """A backfill walks its table by primary key: refuse the plan now, before any step is written or
    applied, rather than at its backfill step with the expand step already in the database."""
    for rw in rewrites:
        for step in rw.steps:
            if step.backfill is not None and live.db is not None and not live.has_primary_key(step.backfill.table):
                raise UsageProblem(
                    f"Cannot plan `{rw.statement}` online: its backfill updates {step.backfill.table} in batches "
                    "walked by primary key, and the table has none.",
                    unchanged="Nothing was written.",
                    next_step="Give the table a primary key first (a unique NOT NULL column, or a new identity "
                    "column), then plan again; or make the change in a maintenance window.",
                )


def _renamed(step: Step, name: str) -> Step:
    from dataclasses import replace

    return replace(step, name=name)


def rule_ids(sql: str, dialect: str, in_transaction: bool, pg_version: str | int | None) -> list[str]:
    """Lint rule ids found in ``sql`` as a tool would run it (our runner sets the timeouts itself)."""
    return [f.rule for f in lint_sql(sql, dialect, pg_version or 15, in_transaction, session_timeouts=True)]


def plan_pg(sql: str, db: Any, pg_version: str | int | None = None, label: str = "change") -> OnlinePlan:
    """The PostgreSQL planner as a dialect's ``online_planner`` (the live schema read from ``db``)."""
    return plan_sql(sql, LiveSchema(db), pg_version, label)
