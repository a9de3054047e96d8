"""Bookkeeping for a Drizzle rollback: the row goes when the down SQL has run.

Its own module because it subclasses the shared ledger's ``Bookkeeping``: reading the table
(every ``dbm status``) has no use for the ledger and what it imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ledger import Bookkeeping, LedgerStep, Session

if TYPE_CHECKING:
    from .ledger import DrizzleLedger


class DownBook(Bookkeeping):
    """Bookkeeping for a Drizzle rollback: the row goes when the down SQL has run."""

    def __init__(self, ledger: DrizzleLedger):
        self.ledger = ledger

    def prepare(self, s: Session) -> list[str]:
        return []

    def is_done(self, s: Session, step: LedgerStep) -> bool:
        q = self.ledger.qualified
        return not s.query(
            f"SELECT COUNT(*) FROM {q} WHERE hash = %s OR created_at = %s", (step.meta["hash"], int(step.meta["when"]))
        )[0][0]

    def started(self, s: Session, step: LedgerStep) -> None:
        pass

    def progressed(self, s: Session, step: LedgerStep, statements_run: int) -> None:
        pass

    def failed(self, s: Session, step: LedgerStep, statements_run: int, error: str) -> None:
        pass

    def finished(self, s: Session, step: LedgerStep, seconds: float) -> None:
        self.ledger.delete(s, step.meta["hash"], int(step.meta["when"]))
