"""The linter's records: a finding, a parsed statement, and the rule catalogue.

Kept free of parser imports so the API and the CLI can describe rules without loading pglast
or sqlglot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
DIALECTS = ("postgresql", "mysql", "sqlite")


@dataclass(frozen=True)
class Finding:
    """One problem in one statement. ``line``/``column`` are 1-based and point into the original text."""

    rule: str
    severity: str  # "error" | "warning"
    line: int
    column: int
    message: str  # what the statement does and why it is dangerous (lock, rewrite, what breaks)
    help: str  # the safe alternative, as SQL where there is one
    statement: str
    dialect: str
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "help": self.help,
            "statement": self.statement,
            "dialect": self.dialect,
            "file": self.file,
        }


@dataclass
class Statement:
    """One statement of the input: its text, where it starts, and its parse tree (or the parse error)."""

    text: str
    start: int  # character offset of the first token in the whole input
    node: Any = None  # pglast JSON dict ({"AlterTableStmt": {...}}) or a sqlglot expression
    error: str | None = None
    ignored: frozenset[str] = frozenset()  # rule ids suppressed by comments ("*" = all)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    dialects: tuple[str, ...]
    summary: str
    squawk: bool = False  # same id (and meaning) as a squawk rule
    opt_in: bool = False  # off unless included (--include, project config), like squawk's opt-in rules


#: every rule, by id; filled by the rule modules through ``rule(...)``
RULES: dict[str, RuleInfo] = {}
#: names accepted for a rule in --include/--exclude/ignore comments (squawk's aliases)
ALIASES = {
    "prefer-timestamptz": "prefer-timestamp-tz",
    "require-timeout-settings": "require-lock-timeout",
    "prefer-big-int": "prefer-bigint-over-int",
}


def rule(
    id: str, severity: str, dialects: tuple[str, ...] | str, summary: str, squawk: bool = False, opt_in: bool = False
) -> str:
    """Register a rule; returns its id so modules can write ``X = rule("x", ...)``."""
    if isinstance(dialects, str):
        dialects = (dialects,)
    if id in RULES:  # the same rule checked in another dialect: one id, one severity
        old = RULES[id]
        dialects = old.dialects + tuple(d for d in dialects if d not in old.dialects)
        severity, summary, squawk = old.severity, old.summary, old.squawk or squawk
    RULES[id] = RuleInfo(id, severity, tuple(dialects), summary, squawk, opt_in)
    return id


def canonical_rule(name: str) -> str:
    name = name.strip().lower()
    return ALIASES.get(name, name)


UNPARSEABLE = rule(
    "unparseable-statement", ERROR, DIALECTS, "a statement the dialect's parser cannot read is always reported"
)
PARTIAL = rule(
    "partially-parsed-statement",
    WARNING,
    ("mysql", "sqlite"),
    "sqlglot reads the statement only as an opaque command: most rules cannot check it",
)
UNUSED_IGNORE = rule("unused-ignore", WARNING, DIALECTS, "an ignore comment that suppresses nothing", squawk=True)
