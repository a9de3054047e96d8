"""A tool's per-dialect value that must exist.

``Dialect.choose`` answers None for a dialect the caller gave no value for; the DDL of a tool that
supports every dialect the package does is never missing, so a gap is a programming error, said
as such here rather than passed on as None to ``execute``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from ..dialects import Dialect

T = TypeVar("T")


def required(kind: Dialect, **by_dialect: T) -> T:
    """``kind.choose(**by_dialect)``, refusing a dialect the caller gave no value for."""
    value = kind.choose(**by_dialect)
    if value is None:
        raise NotImplementedError(f"no value for {kind.name} among {', '.join(by_dialect)}")
    return value
