"""``diff``: the schema difference between two sides, as a change table, a side-by-side view and SQL."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..masking import mask
from ..results import Result
from ..schema.changes import Change
from ..schema.introspect import Scope
from .schema_sources import load_models, tracking_tables

COLUMNS = ["object_type", "schema", "name", "change", "detail", "destructive"]


@dataclass(frozen=True, repr=False)
class DiffResult(Result):
    title: ClassVar[str] = "dbm diff"
    attention: ClassVar[str | None] = "there are differences"  # what --exit-code reports
    sql_view: ClassVar[bool] = True

    source: str
    target: str
    dialect: str
    changes: tuple[Change, ...]
    sql: str  # what to run (destructive statements left out unless unsafe)
    unsafe: bool
    left_out: tuple[str, ...]  # destructive statements not included
    source_model: Any = field(default=None, repr=False, compare=False)
    target_model: Any = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()  # what the comparison left out (drift: migrations not yet applied)
    sql_only: bool = field(default=False, repr=False, compare=False)  # shown as its SQL alone (magic --sql)

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.sql

    @property
    def needs_attention(self) -> bool:
        return not self.is_empty

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.change] = out.get(c.change, 0) + 1
        return out

    def summary_line(self) -> str:
        if self.is_empty:
            return f"No differences: {self.source} and {self.target} have the same schema."
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts().items()))
        destructive = sum(1 for c in self.changes if c.destructive)
        line = f"{len(self.changes)} changes ({counts}); {destructive} destructive"
        if self.left_out:
            line += f"; {len(self.left_out)} destructive statements left out (use --unsafe to include them)"
        return line

    def summary_lines(self) -> list[str]:
        lines = [self.summary_line(), f"From: {self.source}", f"To:   {self.target}"]
        lines += [f"Note: {n}" for n in self.notes]
        if self.sql:
            lines += ["", "SQL:", self.sql.rstrip()]
        if self.left_out:
            lines += ["", "Left out (destructive):"] + [f"  {s}" for s in self.left_out]
        if self.changes:
            lines.append("")
        return lines

    def columns(self) -> list[str]:
        return COLUMNS

    def to_text(self) -> str:
        from ..display.text import format_table

        if self.sql_only:
            return mask(self.piped_sql() or "-- (no SQL)")
        lines = self.summary_lines()
        if self.changes:
            lines.append(format_table(self.table(), COLUMNS))
        return mask("\n".join(lines))

    def table(self) -> list[dict[str, Any]]:
        return [c.as_row() for c in self.changes]

    def to_dict(self) -> dict[str, Any]:
        return mask_dict(
            {
                "source": self.source,
                "target": self.target,
                "dialect": self.dialect,
                "empty": self.is_empty,
                "summary": self.summary_line(),
                "changes": self.table(),
                "sql": self.sql,
                "unsafe": self.unsafe,
                "left_out": list(self.left_out),
                "notes": list(self.notes),
            }
        )

    def piped_sql(self) -> str:
        """The SQL as ``--sql`` prints it (SQLite: inside BEGIN/COMMIT between the pragmas)."""
        from ..schema.diff import for_piping

        return for_piping(self.sql, self.dialect).rstrip()

    def sql_messages(self) -> list[str]:
        """What ``--sql`` says beside the SQL: the summary, notes and withheld statements."""
        return [
            mask(self.summary_line()),
            *(mask(f"Note: {n}") for n in self.notes),
            *(mask(f"-- left out (destructive): {s.splitlines()[0]}") for s in self.left_out),
        ]

    def as_sql_view(self) -> DiffResult:
        """The same result, displayed as its SQL alone (``%dbm diff ... --sql`` in a notebook)."""
        from dataclasses import replace

        return replace(self, sql_only=True)

    def cli_output(self, *, format: str = "text", sql: bool = False) -> str:
        """``sql``: the SQL alone on stdout, what it says beside it on stderr (``dbm diff --sql | psql``)."""
        if sql:
            for line in self.sql_messages():
                print(line, file=sys.stderr)
            return self.piped_sql()
        return super().cli_output(format=format)

    def _repr_html_(self) -> str:
        if self.sql_only:
            from html import escape

            return f"<pre>{escape(self.to_text())}</pre>"
        from ..display.schema_diff import render_diff_html

        return mask(render_diff_html(self))


def mask_dict(d: dict) -> dict:
    from ..masking import mask_obj

    return mask_obj(d)  # type: ignore[return-value]


def make_result(sides, models, schema_diff, unsafe: bool) -> DiffResult:
    left_out = tuple(s.sql for s in schema_diff.statements if s.destructive and not unsafe)
    return DiffResult(
        mask(sides[0].label),
        mask(sides[1].label),
        schema_diff.dialect,
        schema_diff.changes,
        schema_diff.sql(unsafe),
        unsafe,
        left_out,
        models[0],
        models[1],
    )


def diff(
    source: str,
    target: str,
    *,
    project: str | Path | None = None,
    unsafe: bool = False,
    schemas: tuple[str, ...] = (),
    exclude_schemas: tuple[str, ...] = (),
    privileges: bool = False,
    extensions_only: bool = False,
    ignore_extension_versions: bool = False,
    dialect: str | None = None,
) -> DiffResult:
    from ..schema import diff as schema_diff

    scope = Scope(tuple(schemas), tuple(exclude_schemas), privileges, ignore_extension_versions)
    with ExitStack() as stack:
        sides, models = load_models(
            [source, target], project, scope, dialect, stack, ignore_tables=lambda: tracking_tables(project)
        )
    check_filters(models, scope, extensions_only)
    d = schema_diff(models[0], models[1], extensions_only=extensions_only)
    return make_result(sides, models, d, unsafe)


def check_filters(models, scope: Scope, extensions_only: bool) -> None:
    """Filters that match nothing would report 'No differences' for a typo: say so instead."""
    from ..dialects import dialect_for
    from ..errors import UsageProblem

    dialect = models[0].dialect
    if not dialect_for(dialect).diff_scope_filters:
        used = [
            flag
            for flag, on in (
                ("--schema", scope.schemas),
                ("--exclude-schema", scope.exclude_schemas),
                ("--with-privileges", scope.privileges),
                ("--extensions-only", extensions_only),
                ("--ignore-extension-versions", scope.ignore_extension_versions),
            )
            if on
        ]
        if used:
            raise UsageProblem(
                f"{', '.join(used)} {'applies' if len(used) == 1 else 'apply'} only to PostgreSQL; "
                f"these are {dialect} databases.",
                next_step="Leave them out (on MySQL a schema is a database: name it in the URL).",
            )
        return
    missing = [s for s in scope.schemas if not any(("schema", s, s) in m.things for m in models)]
    if missing:
        raise UsageProblem(
            f"No schema named {', '.join(missing)} on either side, so --schema would compare nothing.",
            next_step="Check the spelling; `\\dn` in psql lists the schemas.",
        )
