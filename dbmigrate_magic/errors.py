"""One error tree, so every front end can turn any failure into the same three-part message.

Each error says what happened, what was left unchanged, and what to do next. Messages pass
through the masking function at construction, so a password can never escape in an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .masking import mask

if TYPE_CHECKING:
    from .results import Result


class DbmError(Exception):
    """Root of every error a user can cause. ``exit_code`` is what the CLI returns."""

    exit_code = 2
    default_unchanged = "Nothing was changed."

    def __init__(self, what: str, *, unchanged: str | None = None, next_step: str | None = None):
        self.what = mask(what)
        self.unchanged = mask(unchanged if unchanged is not None else self.default_unchanged)
        self.next_step = mask(next_step) if next_step else None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.what, self.unchanged]
        if self.next_step:
            parts.append(f"Next: {self.next_step}")
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "error": type(self).__name__,
            "what": self.what,
            "unchanged": self.unchanged,
            "next": self.next_step,
        }


class UsageProblem(DbmError):
    """Bad arguments or an impossible combination of flags."""


class ProjectError(DbmError):
    """The project folder, its files or a migration file cannot be used as they are."""


class ConfigError(DbmError):
    """An environment or connection setting is missing or malformed."""


class ConnectionFailed(DbmError):
    """The database could not be reached or refused the credentials."""


class ForeignTrackingTable(DbmError):
    """The target database holds another migration tool's tracking table: writing is refused."""


class UnsupportedOperation(DbmError):
    """The detected tool has no way to do what was asked (e.g. rollback without down SQL)."""


class ToolMissing(DbmError):
    """A client binary or the project's own tool (npx knex, manage.py) is not installed."""


class ToolFailed(DbmError):
    """The project's own migration tool exited with an error."""


class ConfirmationRequired(DbmError):
    """A change was previewed but not confirmed; nothing ran."""

    exit_code = 1


class ProductionRefused(DbmError):
    """The production guard refused an operation."""


class ChecksumMismatch(DbmError):
    """An applied migration's file changed since it was applied."""

    exit_code = 1


class LockBusy(DbmError):
    """Another runner holds the migration lock."""


class MigrationFailed(DbmError):
    """A migration's SQL failed; the message names the statement, the line and the database error."""

    exit_code = 1
    default_unchanged = "The failed migration was rolled back; migrations before it stay applied."
    #: the failing statement, when the tool names it (Alembic): tells which planned step failed
    statement: str | None = None
    #: the change verb's partial result (steps done before the failure), set by the pipeline
    result: Result | None = None


class SeedFailed(DbmError):
    """A seed could not be loaded (bad value, unknown table or column, a key the table cannot use)."""

    exit_code = 1
    default_unchanged = "Nothing was written: the seed run's transaction was rolled back."


class NeedsResolve(DbmError):
    """A migration is recorded as failed (started, not finished): resolve it before going on."""

    exit_code = 1


#: what to do, by what the driver or client tool said (psycopg, PyMySQL, sqlite3, pg_dump, mariadb-dump)
_ADVICE = (
    (
        ("password authentication failed", "using password: yes", "no password supplied", "fe_sendauth"),
        "The server refused the user name or password. Check the password where `dbm env` says this URL "
        "comes from (in a URL, percent-encode special characters, e.g. @ as %40), then run again.",
    ),
    (
        ('database "', "unknown database", "to database '"),
        "The database does not exist, or this user may not use it: fix the database name in the URL, or "
        "create it / grant access (an administrator), then run again.",
    ),
    (
        ("unable to open database file",),
        "The SQLite file's folder does not exist or cannot be written: create the folder or fix the path "
        "in the URL, then run again.",
    ),
    (
        (
            "translate host",
            "resolve",
            "name or service not known",
            "connection refused",
            "can't connect",
            "unknown server host",
            "timeout",
        ),
        "The server could not be reached: check the host and port in the URL (`dbm env` shows where it "
        "comes from) and that the server is running, then run again.",
    ),
)


def connection_advice(
    message: str, otherwise: str = "Check that the server is running and the credentials are right"
) -> str:
    """The next step for a failed connection, told from the driver's or client tool's message
    (``otherwise``: when the message says nothing known)."""
    low = message.lower()
    for words, advice in _ADVICE:
        if any(w in low for w in words):
            return advice
    return f"{otherwise} (`dbm env` shows where this URL came from)."
