"""A connection string that cannot be shown by accident.

A ``SecretUrl`` is a ``str`` (drivers, SQLAlchemy and subprocess environments read its characters
as they are), but ``str()``, ``repr()``, ``format()`` and f-strings give the masked text. So an
exception message, a log record, a traceback's locals (IPython ``%xmode Verbose``) or a dataclass
repr that happens to hold one shows ``***`` where the password is. ``reveal()`` is the one way to
ask for the raw text, for code that must hand it to a driver as a plain ``str``.
"""

from __future__ import annotations

from .masking import mask


class SecretUrl(str):
    """A raw database URL whose text form is masked."""

    __slots__ = ()

    def __str__(self) -> str:
        return mask(self)

    def __repr__(self) -> str:
        return repr(mask(self))

    def __format__(self, spec: str) -> str:
        return format(mask(self), spec)

    def reveal(self) -> str:
        """The raw URL as a plain ``str`` (only for drivers and client tools)."""
        return str.__str__(self)


def secret_url(value: str | None) -> SecretUrl | None:
    """``value`` as a ``SecretUrl`` (None and '' stay as they are)."""
    if value is None:
        return None
    return value if isinstance(value, SecretUrl) else SecretUrl(value)
