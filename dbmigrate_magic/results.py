"""Base for every verb's result: plain frozen dataclasses that know how to show themselves.

A result is what ``api`` returns and what the CLI and the magic display, so JSON, text, HTML
and DataFrame views all come from the same object and are masked in one place.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import sys
from collections.abc import Sequence
from typing import Any, ClassVar

from .masking import mask, mask_obj


def jsonable(value: Any) -> Any:
    """Turn dataclasses, paths, datetimes and enums into JSON-friendly values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    dt = sys.modules.get("datetime")  # a datetime value implies the module is loaded: no import at CLI start
    if dt is not None and isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, os.PathLike):  # Path and friends, without importing pathlib at CLI start
        return os.fspath(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


class Result:
    """Mixin for result dataclasses: ``to_dict``, ``to_frame``, text ``__repr__`` and HTML."""

    #: every result is a dataclass: ``@dataclass`` on the subclass sets this (declared for the type checker)
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    title: ClassVar[str] = "dbm"
    #: column holding a state, coloured in the HTML view
    state_column: ClassVar[str | None] = None
    #: the front ends offer ``--df VAR`` (store the table as a DataFrame)
    frame_option: ClassVar[bool] = True
    #: what ``--exit-code`` reports (when ``needs_attention``); None: the verb offers no ``--exit-code``
    attention: ClassVar[str | None] = None
    #: the verb offers ``--sql`` (``sql_messages`` and ``as_sql_view`` show the result as its SQL alone)
    sql_view: ClassVar[bool] = False

    # --- optional hooks: results that can do more override these --------------------------------
    @property
    def needs_attention(self) -> bool:
        """The verb found what ``attention`` names (``--exit-code`` then exits 1)."""
        return False

    @property
    def needs_confirmation(self) -> bool:
        """A changing verb's preview waits for a typed confirmation (the CLI asks in a terminal)."""
        return False

    def display_in_notebook(self) -> object:
        """What the magic returns for the notebook to show: the result itself unless it has widgets."""
        return self

    def sql_messages(self) -> list[str]:
        """What ``--sql`` says beside the SQL (the CLI's stderr lines)."""
        return []

    def as_sql_view(self) -> Result:
        """The same result, shown as its SQL alone (``--sql`` in a notebook)."""
        return self

    # --- the command line's view ------------------------------------------------------------
    def exit_code(self, *, report_attention: bool = False) -> int:
        """The CLI's exit status: 1 when the verb found what it exists to report; with
        ``report_attention`` (``--exit-code``), also when the result needs attention."""
        return 1 if report_attention and self.needs_attention else 0

    def cli_output(self, *, format: str = "text", sql: bool = False) -> str:
        """What the CLI prints: text or (``format="json"``) JSON; ``sql``: results that have SQL print it alone."""
        if format == "json":
            import json

            return json.dumps(self.to_dict(), indent=2, default=str)
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self) if f.repr}
        return mask_obj(data)  # type: ignore[return-value]

    # --- tabular view -------------------------------------------------------------------
    def table(self) -> list[dict[str, Any]] | None:
        """Rows for ``to_frame`` and the HTML table; None when the result has no table."""
        return None

    def columns(self) -> list[str] | None:
        return None

    def text_table(self) -> Sequence[dict[str, Any]] | None:
        """The rows for the text view, which shows the head and tail of a long table: ``table()``,
        unless a result hands a sequence that makes only the rows asked for."""
        return self.table()

    def to_frame(self):
        """The result's table as a pandas DataFrame (pandas is imported only here)."""
        import pandas as pd

        rows = self.table()
        if rows is None:
            return pd.DataFrame([self.to_dict()])
        cols = self.columns()
        frame = pd.DataFrame(
            [{k: mask_obj(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows], columns=cols
        )
        return frame

    # --- text and HTML -----------------------------------------------------------------
    def summary_lines(self) -> list[str]:
        return []

    def to_text(self) -> str:
        from .display.text import render_text

        return mask(render_text(self))

    def __repr__(self) -> str:
        return self.to_text()

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        from .display.html import render_html

        return mask(render_html(self))
