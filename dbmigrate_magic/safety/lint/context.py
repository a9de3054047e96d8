"""What a rule sees besides its statement: options and what earlier statements in the file did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .model import Statement


@dataclass(frozen=True)
class Hit:
    rule: str
    message: str
    help: str
    offset: int | None = None  # character offset in the input; None: the statement's start


@dataclass
class Context:
    dialect: str
    pg_version: int
    assume_in_transaction: bool
    session_timeouts: bool
    enabled: frozenset[str]
    tx_depth: int = 0  # explicit BEGIN ... COMMIT nesting seen so far
    statement: Statement | None = None
    hits: list[tuple[Statement, Hit]] = field(default_factory=list)
    # facts gathered while walking the file (table names lower-cased, unqualified)
    new_tables: set[str] = field(default_factory=set)
    not_valid: set[tuple[str, str]] = field(default_factory=set)  # (table, constraint) added NOT VALID in this tx
    not_null_checks: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, constraint) -> column
    validated_not_null: set[tuple[str, str]] = field(default_factory=set)  # (table, column)
    lock_timeout: bool = False
    statement_timeout: bool = False
    flags: dict[str, Any] = field(default_factory=dict)
    #: start offsets of statements the runner takes out of its transaction (SQLite foreign_keys
    #: pragmas, see dbmigrate_magic/sqlite_fk.py); it then also runs PRAGMA foreign_key_check itself
    outside_transaction: frozenset[int] = frozenset()

    @property
    def current(self) -> Statement:
        """The statement being checked: the engine sets it before any rule runs."""
        if self.statement is None:
            raise RuntimeError("a lint rule ran with no current statement")
        return self.statement

    @property
    def in_transaction(self) -> bool:
        hoisted = self.statement is not None and self.statement.start in self.outside_transaction
        assumed = self.assume_in_transaction and not hoisted and not self.flags.get("assumed_closed")
        return assumed or self.tx_depth > 0

    def emit(self, rule: str, message: str, help: str, offset: int | None = None) -> None:
        if rule in self.enabled:
            self.hits.append((self.statement, Hit(rule, message, help, offset)))  # type: ignore[arg-type]


Handler = Callable[[dict, Context], None]
