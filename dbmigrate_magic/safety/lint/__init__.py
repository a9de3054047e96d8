"""Migration linter: dangerous operations in migration SQL, each with why and the safe alternative.

``lint_sql(sql, dialect, pg_version=None, in_transaction=False)`` returns ``Finding`` records
(frozen dataclasses: rule, severity, line, column, message, help, statement). PostgreSQL is parsed
by libpg_query (pglast), MySQL/MariaDB and SQLite by sqlglot; a statement the parser cannot read
becomes an ``unparseable-statement`` error, never a silent pass.
"""

from .engine import DEFAULT_PG_VERSION, has_errors, lint_sql, normalise_dialect
from .model import ERROR, RULES, WARNING, Finding, RuleInfo

__all__ = [
    "lint_sql",
    "has_errors",
    "normalise_dialect",
    "Finding",
    "RuleInfo",
    "RULES",
    "ERROR",
    "WARNING",
    "DEFAULT_PG_VERSION",
    "all_rules",
]


def all_rules() -> dict[str, RuleInfo]:
    """Every rule of every dialect (imports all rule modules)."""
    from ...dialects import DIALECTS

    for dialect in DIALECTS.values():
        dialect.lint_rules()  # importing a rule set registers its rules
    return dict(RULES)
