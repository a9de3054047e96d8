"""``lint_sql``: parse, run the dialect's rules, apply suppressions and rule selection, and turn
rule hits into ``Finding`` records with positions in the original text."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable

from ...dialects import dialect_for, find_dialect
from .context import Context
from .model import DIALECTS, ERROR, RULES, UNPARSEABLE, UNUSED_IGNORE, Finding, Statement, canonical_rule
from .text import LineIndex, apply_suppressions

DEFAULT_PG_VERSION = 14  # oldest PostgreSQL release still supported upstream (Nov 2026)
MAX_STATEMENT_CHARS = 500
DISABLE_ASSUME = re.compile(r"(?:--|/\*|#)\s*(?:squawk|dbm:)-?disable-assume-in-transaction")


def normalise_dialect(name: str | None) -> str:
    """The dialect's own name for any of its aliases (``postgres``, ``mariadb``, ``sqlite3``)."""
    key = (name or "postgresql").lower().split("+")[0]
    d = find_dialect(key) if ":" not in key else None  # a name, not a URL
    if d is None:
        from ...errors import UsageProblem

        raise UsageProblem(f"Unknown SQL dialect '{name}'.", next_step=f"Use one of: {', '.join(DIALECTS)}.")
    return d.name


def parse_pg_version(value: str | int | float | None) -> int:
    """'15', '15.4', 15, '9.6' -> major version (9.6 -> 9)."""
    if value is None or value == "":
        return DEFAULT_PG_VERSION
    try:
        return int(str(value).split(".")[0])
    except ValueError:
        from ...errors import UsageProblem

        raise UsageProblem(
            f"--pg-version '{value}' is not a PostgreSQL version.",
            next_step="Pass a major version such as 11, 12 or 16.",
        ) from None


def _select(include: Iterable[str], exclude: Iterable[str], dialect: str, enable: Iterable[str] = ()) -> frozenset[str]:
    inc = {canonical_rule(r) for r in include or ()}
    exc = {canonical_rule(r) for r in exclude or ()}
    on = {canonical_rule(r) for r in enable or ()}
    unknown = sorted((inc | exc | on) - set(RULES))
    if unknown:
        from ...errors import UsageProblem

        raise UsageProblem(
            f"Unknown lint rule(s): {', '.join(unknown)}.", next_step="Run `dbm lint --rules` to list the rule ids."
        )
    chosen = inc or {r for r, info in RULES.items() if dialect in info.dialects and (not info.opt_in or r in on)}
    return frozenset(chosen - exc) | ({UNPARSEABLE} if UNPARSEABLE not in exc else frozenset())


def lint_sql(
    sql: str,
    dialect: str = "postgresql",
    pg_version: str | int | None = None,
    in_transaction: bool = False,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    session_timeouts: bool = False,
    file: str | None = None,
    outside_transaction: Iterable[int] = (),
    enable: Iterable[str] = (),
) -> list[Finding]:
    """Findings for ``sql``, sorted by position.

    ``in_transaction``: the migration tool wraps the file in a transaction (squawk's
    ``--assume-in-transaction``); ``outside_transaction``: start offsets of statements our runner
    runs before BEGIN / after COMMIT instead (SQLite foreign_keys pragmas, ``sqlite_fk``).
    ``session_timeouts``: the runner sets lock_timeout and statement_timeout itself, so the timeout
    rules stay quiet. ``include`` limits the run to those
    rules; ``exclude`` removes rules; ``enable`` adds opt-in rules to the defaults. Rule ids accept
    squawk's aliases.
    """
    # Parse trees are thousands of small dicts with no reference cycles: the cyclic collector
    # would only re-scan them over and over (about half the run time on large files), so it is
    # paused for the call and restored after; refcounting still frees everything.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _lint_sql(
            sql,
            dialect,
            pg_version,
            in_transaction,
            include,
            exclude,
            session_timeouts,
            file,
            frozenset(outside_transaction),
            tuple(enable),
        )
    finally:
        if paused:
            gc.enable()


def _lint_sql(
    sql: str,
    dialect: str,
    pg_version: str | int | None,
    in_transaction: bool,
    include: Iterable[str],
    exclude: Iterable[str],
    session_timeouts: bool,
    file: str | None,
    outside_transaction: frozenset[int] = frozenset(),
    enable: tuple[str, ...] = (),
) -> list[Finding]:
    dialect = normalise_dialect(dialect)
    kind = dialect_for(dialect)
    if sql.startswith("\ufeff"):  # a byte-order mark: blank it, keeping every offset
        sql = " " + sql[1:]
    if in_transaction and DISABLE_ASSUME.search(sql):  # squawk's per-file opt-out of --assume-in-transaction
        in_transaction = False
    run_rules = kind.lint_rules()  # imported now: RULES holds the dialect's ids before selection
    ctx = Context(
        dialect=dialect,
        pg_version=parse_pg_version(pg_version),
        assume_in_transaction=in_transaction,
        session_timeouts=session_timeouts,
        enabled=_select(include, exclude, dialect, enable),
        outside_transaction=outside_transaction,
    )
    statements = kind.lint_parse(sql)
    file_ignored = apply_suppressions(sql, statements, hash_comments=kind.hash_comments)
    for st in statements:
        if st.error is not None:
            ctx.statement = st
            ctx.emit(
                UNPARSEABLE,
                f"The {dialect} parser cannot read this statement ({st.error}); it was not "
                "checked by any rule, and the database will most likely reject it too.",
                "Fix the syntax (or the --dialect), then lint again.",
            )
    run_rules(statements, ctx)
    _unused_ignores(statements, file_ignored, ctx)
    index = LineIndex(sql)
    findings = []
    for st, hit in ctx.hits:
        if "*" in file_ignored or hit.rule in file_ignored or "*" in st.ignored or hit.rule in st.ignored:
            continue
        line, col = index.position(hit.offset if hit.offset is not None else st.start)
        text = st.text if len(st.text) <= MAX_STATEMENT_CHARS else st.text[:MAX_STATEMENT_CHARS] + " ..."
        findings.append(
            Finding(hit.rule, RULES[hit.rule].severity, line, col, hit.message, hit.help, text, dialect, file)
        )
    findings.sort(key=lambda f: (f.line, f.column))
    return findings


def _unused_ignores(statements: list[Statement], file_ignored: frozenset[str], ctx: Context) -> None:
    """An ignore comment naming a rule that did not fire there (or no rule at all) hides nothing: say so,
    so stale or misspelt suppressions do not pile up."""
    if not file_ignored and not any(st.ignored for st in statements):
        return
    fired: dict[int, set[str]] = {}
    for st, hit in ctx.hits:
        fired.setdefault(id(st), set()).add(hit.rule)
    every = set().union(*fired.values()) if fired else set()
    for st in statements:
        for name in sorted(st.ignored - {"*"}):
            if name not in fired.get(id(st), ()):
                ctx.statement = st
                known = "" if name in RULES else " (no rule has this id)"
                ctx.emit(
                    UNUSED_IGNORE,
                    f"The ignore comment for {name}{known} suppresses nothing on this statement.",
                    f"Remove `{name}` from the ignore comment, or fix its spelling.",
                )
    for name in sorted(file_ignored - {"*"}):
        if name not in every and statements:
            ctx.statement = statements[0]
            ctx.emit(
                UNUSED_IGNORE,
                f"The file-wide ignore for {name} suppresses nothing in this file.",
                f"Remove `{name}` from the ignore-file comment.",
            )


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
