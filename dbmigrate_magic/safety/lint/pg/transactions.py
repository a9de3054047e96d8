"""Transactions and session settings: nesting, unfinished transactions, CONCURRENTLY inside a
transaction, and missing lock/statement timeouts."""

from __future__ import annotations

from ..context import Context
from ..model import ERROR, WARNING, rule
from .nodes import table_key
from .registry import FINISHERS, on

PG = "postgresql"
NESTING = rule(
    "transaction-nesting", ERROR, PG, "BEGIN inside a transaction, or COMMIT inside the tool's transaction", squawk=True
)
UNCOMMITTED = rule("ban-uncommitted-transaction", ERROR, PG, "BEGIN without a matching COMMIT", squawk=True)
LOCK_TIMEOUT = rule("require-lock-timeout", WARNING, PG, "locking statement with no lock_timeout set", squawk=True)
STATEMENT_TIMEOUT = rule(
    "require-statement-timeout", WARNING, PG, "slow statement with no statement_timeout set", squawk=True
)

_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {
    "TRANS_STMT_COMMIT",
    "TRANS_STMT_ROLLBACK",
    "TRANS_STMT_COMMIT_PREPARED",
    "TRANS_STMT_ROLLBACK_PREPARED",
    "TRANS_STMT_PREPARE",
}


@on("TransactionStmt")
def transaction(n: dict, ctx: Context) -> None:
    k = n.get("kind")
    if k in _BEGIN:
        if ctx.in_transaction:
            ctx.emit(
                NESTING,
                "BEGIN inside a transaction that is already open: PostgreSQL ignores it with a "
                "warning, so the COMMIT meant for this block commits the outer transaction early and the "
                "rest of the migration is no longer atomic.",
                "Remove BEGIN/COMMIT from the file: the migration tool already wraps it in a transaction "
                "(or use SAVEPOINT name; ... RELEASE SAVEPOINT name; for an inner block).",
            )
        else:  # PostgreSQL has no nested transactions: an inner BEGIN is ignored, one COMMIT ends all
            ctx.flags["open_begin"] = ctx.statement
            ctx.tx_depth = 1
    elif k in _END:
        if ctx.assume_in_transaction and ctx.tx_depth == 0:
            ctx.flags["assumed_closed"] = True
            ctx.emit(
                NESTING,
                "COMMIT/ROLLBACK inside the migration tool's transaction ends that transaction: "
                "the statements after it run outside any transaction and the tool's bookkeeping may "
                "commit separately from the change.",
                "Remove COMMIT/ROLLBACK and let the tool commit; if a statement must run outside a "
                "transaction (CREATE INDEX CONCURRENTLY), put it in its own non-transactional migration.",
            )
        elif ctx.tx_depth == 0 and k in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"):
            ctx.emit(
                NESTING,
                "COMMIT/ROLLBACK with no transaction open (an earlier COMMIT already ended it): "
                "PostgreSQL only warns, but the statements meant to be inside the transaction are not.",
                "Remove the extra COMMIT, or add the BEGIN it was meant to close.",
            )
        ctx.tx_depth = max(0, ctx.tx_depth - 1)
        if ctx.tx_depth == 0:
            ctx.flags.pop("open_begin", None)
            ctx.flags.pop("schema_changed", None)  # the ALTER's lock ends with its transaction
            ctx.not_valid.clear()


@on("VariableSetStmt")
def settings(n: dict, ctx: Context) -> None:
    name = (n.get("name") or "").lower()
    if name in ("lock_timeout", "statement_timeout"):
        args = n.get("args") or [{}]
        const = args[0].get("A_Const", {}) if args else {}
        value = const.get("ival", {}).get("ival", None) if "ival" in const else const.get("sval", {}).get("sval")
        on_ = n.get("kind") == "VAR_SET_VALUE" and value not in (0, "0", None)
        if name == "lock_timeout":
            ctx.lock_timeout = on_
        else:
            ctx.statement_timeout = on_


_LOCKING = {
    "AlterTableStmt",
    "IndexStmt",
    "DropStmt",
    "RenameStmt",
    "TruncateStmt",
    "AlterEnumStmt",
    "AlterDomainStmt",
    "ReindexStmt",
    "ClusterStmt",
    "VacuumStmt",
    "AlterObjectSchemaStmt",
    "CreateTrigStmt",
    "CommentStmt",  # SHARE UPDATE EXCLUSIVE on the table
    "LockStmt",
    "RefreshMatViewStmt",
    "AlterSeqStmt",
    "CreateTableAsStmt",  # reads the whole source while it runs
}
# Not CREATE TYPE / DOMAIN / a new view: squawk flags them, but they lock no existing object, and on
# real projects (Prisma's CREATE TYPE ... AS ENUM at the top of most migrations) that was pure noise.


def check_timeouts(kind: str, n: dict, ctx: Context) -> None:
    """Called by the engine for every statement (it needs the statement kind)."""
    if ctx.session_timeouts or kind not in _LOCKING:
        return
    if (
        kind in ("AlterTableStmt", "IndexStmt", "RenameStmt", "CreateTrigStmt")
        and table_key(n.get("relation")) in ctx.new_tables
    ):
        return
    if not ctx.lock_timeout and not ctx.flags.get("lock_timeout_reported"):
        ctx.flags["lock_timeout_reported"] = True
        ctx.emit(
            LOCK_TIMEOUT,
            "This statement waits for a strong lock with no lock_timeout set: while it waits "
            "behind any long-running query, every other query on the table queues behind it, so a "
            "routine migration can stall the whole application.",
            "SET lock_timeout = '2s';  -- before the first locking statement; retry the migration if it times out",
        )
    if not ctx.statement_timeout and not ctx.flags.get("statement_timeout_reported"):
        ctx.flags["statement_timeout_reported"] = True
        ctx.emit(
            STATEMENT_TIMEOUT,
            "No statement_timeout is set: a statement that turns out to scan or "
            "rewrite a large table holds its lock for as long as it runs.",
            "SET statement_timeout = '5min';  -- before the first slow statement",
        )


@FINISHERS.append
def unfinished(n: dict, ctx: Context) -> None:
    begin = ctx.flags.get("open_begin")
    if begin is not None and ctx.tx_depth > 0:
        ctx.statement = begin
        ctx.emit(
            UNCOMMITTED,
            "BEGIN has no matching COMMIT in this file: the transaction stays open, holding "
            "every lock it took, until the connection closes, and its changes may be rolled back.",
            "COMMIT;  -- at the end of the migration",
        )
