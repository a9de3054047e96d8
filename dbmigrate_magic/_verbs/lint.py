"""``lint``: dangerous operations in migration SQL (files, a cell, or the pending migrations),
each with why it is dangerous and the safe alternative.

Kept lean on purpose: linting a file imports the linter and the parser only; the project and its
environments are resolved only when the dialect is not given or ``--pending`` is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..dialects import dialect_for
from ..errors import ProjectError, UsageProblem
from ..masking import mask
from ..results import Result
from ..safety.lint import ERROR, WARNING, Finding, lint_sql, normalise_dialect
from ..safety.lint.config import LintConfig, find_config
from ..safety.lint.engine import DEFAULT_PG_VERSION, parse_pg_version

if TYPE_CHECKING:
    from pathlib import Path

COLUMNS = ["file", "line", "column", "severity", "rule", "message", "help", "statement"]


FAIL_LEVELS = {"error": (ERROR,), "warning": (ERROR, WARNING), "never": ()}


@dataclass(frozen=True, repr=False)
class LintResult(Result):
    title: ClassVar[str] = "dbm lint"
    state_column: ClassVar[str | None] = "severity"

    findings: tuple[Finding, ...]
    sources: tuple[str, ...]  # files (or "<cell>", migration names) that were linted
    dialect: str
    pg_version: int | None
    in_transaction: bool
    dialect_source: str = "default"
    #: files of the detected project linted as the tool runs them (in a transaction or not)
    notes: tuple[str, ...] = ()
    fail_on: str = "error"  # the lowest severity that makes the exit code 1 ("never": always 0)
    pg_version_source: str = ""  # where pg_version came from (--pg-version, the server, config, default)
    extra_formats: ClassVar[tuple[str, ...]] = ("github", "sarif")

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def exit_code(self, *, report_attention: bool = False) -> int:
        failing = FAIL_LEVELS[self.fail_on]
        return 1 if any(f.severity in failing for f in self.findings) else 0

    def summary_lines(self) -> list[str]:
        where = ", ".join(self.sources) if len(self.sources) <= 3 else f"{len(self.sources)} sources"
        version = f" {self.pg_version}" if dialect_for(self.dialect).lint_by_version else ""
        if version and self.pg_version_source:
            version += f" from {self.pg_version_source}"
        head = (
            f"{self.errors} error(s), {self.warnings} warning(s) in {where} "
            f"[{self.dialect}{version}, dialect from {self.dialect_source}"
            f"{', in a transaction' if self.in_transaction else ''}]"
        )
        lines = [head] if self.findings else [f"No findings in {where} [{self.dialect}{version}]."]
        return lines + list(self.notes)

    def columns(self) -> list[str]:
        return COLUMNS

    def table(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "sources": list(self.sources),
            "dialect": self.dialect,
            "pg_version": self.pg_version,
            "pg_version_source": self.pg_version_source,
            "errors": self.errors,
            "warnings": self.warnings,
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        if not self.findings:
            return self.summary_lines()[0]
        from .lint_render import text

        return mask("\n".join(text(self.findings) + self.summary_lines()))

    def _repr_html_(self) -> str:
        """The grouped findings (one row per rule and file, with count and locations)."""
        import html

        from .lint_render import html_table

        summary = "".join(f"<div>{html.escape(line)}</div>" for line in self.summary_lines())
        table = html_table(self.findings) if self.findings else ""
        return mask(f"<div class='dbm-result'><strong>{self.title}</strong>{summary}{table}</div>")

    def cli_output(self, *, format: str = "text", sql: bool = False) -> str:
        """``--format json`` prints the list of findings (the shape linters and CI tools expect)."""
        if format == "json":
            return json.dumps([f.to_dict() for f in self.findings], ensure_ascii=False)
        if format in ("github", "sarif"):
            from ..safety.lint.ci_formats import github_annotations, sarif

            return github_annotations(self.findings) if format == "github" else sarif(self.findings)
        return self.to_text()


def _dialect_from_project(project: str | Path | None, env: str | None) -> tuple[str | None, str]:
    from ..context import resolve_context

    try:
        ctx = resolve_context(project, env)
    except Exception:  # no project or no environment: fall back to the default dialect
        return None, "default"
    if ctx.environment is not None and ctx.environment.dialect:
        return ctx.environment.dialect, f"environment '{ctx.environment.name}'"
    return None, "default"


def _as_the_tool_runs(
    path: str | Path, text: str, project: str | Path | None, dialect: str, include_down: bool
) -> tuple[bool | None, list[str], str] | None:
    """(runs in a transaction?, the texts to lint, why) when ``path`` is a migration file of the
    project detected at ``project`` (or the working folder), else from the file's own folder: the
    tool's rule for that file, as ``migrate`` previews it, and the part ``migrate`` runs (a down
    part in the same file only with ``include_down``, linted on its own), each padded with blank
    lines so findings keep the file's line numbers. None for a file outside any project."""
    from pathlib import Path

    from ..errors import DbmError

    target = Path(path).resolve()
    tried: set[Path] = set()
    for start in (project, target.parent):
        if start is None:
            continue
        try:
            # the file's own project is one of its folder's ancestors: walk up from it, never scan the
            # folders below the working directory (thousands of folders under /tmp or a home folder)
            if start is project:
                from ..project import find_project

                proj = find_project(start)
            else:
                proj = _project_above(target.parent)
            if proj is None or proj.root in tried or not proj.has_tool:
                continue
            tried.add(proj.root)
            adapter = proj.adapter
            found = next((f for f in adapter.migration_files() if f.path.resolve() == target), None)
        except (DbmError, OSError):
            continue
        if found is None:
            continue
        tx = adapter.runs_in_transaction(found, dialect_for(dialect))
        parts = adapter.file_parts(text)
        if tx is None and parts is None:
            return None
        how = ["inside a transaction" if tx else "without a transaction"] if tx is not None else []
        texts = [text]
        if parts is not None:
            texts = ["\n" * (line - 1) + part for part, line in (parts if include_down else parts[:1])]
            if len(parts) > 1 and not include_down:
                how.append("its down part left out (--include-down lints it too)")
        said = "".join(f", {h}" for h in how)
        return tx, texts, f"{path}: linted as {adapter.display_name} runs it{said}."
    return None


def _project_above(folder: Path):
    """The nearest migration project in ``folder`` or its parents (up to the repository root), or None.
    Folders that cannot hold one (no tool's config file or migrations folder) are passed over without
    importing the adapters, which would cost more than linting a thousand statements."""
    from ..project_markers import candidate_roots, may_hold_project

    for root in candidate_roots(folder):
        if not may_hold_project(root):
            continue
        from ..project import Project, detect_in

        matches, notes = detect_in(root)
        if matches:
            return Project(root, tuple(matches), tuple(notes))
    return None


def _read(path: str | Path) -> str:
    p = path  # plain open(), not pathlib: pathlib (and urllib.parse under it) is a fixed cost on every lint
    try:
        with open(p, encoding="utf-8-sig") as fh:
            return fh.read()
    except FileNotFoundError:
        raise ProjectError(
            f"The file {p} does not exist.", next_step="Check the path, or lint a cell with %%dbm lint."
        ) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise ProjectError(
            f"The file {p} cannot be read as UTF-8 SQL ({type(exc).__name__}).",
            next_step="Pass .sql files saved as UTF-8.",
        ) from None


def lint(
    files: Iterable[str | Path] | None = None,
    *,
    sql: str | None = None,
    pending: bool = False,
    dialect: str | None = None,
    pg_version: str | int | None = None,
    in_transaction: bool = False,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    project: str | Path | None = None,
    env: str | None = None,
    session_timeouts: bool = False,
    include_down: bool = False,
    fail_on: str | None = None,
) -> LintResult:
    files = [f for f in (files or ()) if f]
    if not files and sql is None and not pending:
        raise UsageProblem(
            "Nothing to lint.", next_step="Pass SQL files, --pending, or use %%dbm lint with SQL in the cell."
        )
    source = "--dialect"
    if dialect is None:
        found, source = _dialect_from_project(project, env)
        dialect = found or "postgresql"
    dialect = normalise_dialect(dialect)
    cfg = find_config(project)
    exclude = (*exclude, *cfg.disable)
    fail_on = fail_on or cfg.fail_on or "error"
    version, version_source = None, ""
    if dialect_for(dialect).lint_by_version:
        version, version_source = _pg_version(pg_version, cfg, project, env)

    def check(text: str, in_tx: bool, file: str | None, outside: Iterable[int] = ()) -> list[Finding]:
        """``lint_sql`` with the options every source shares."""
        return lint_sql(
            text,
            dialect,
            version,
            in_tx,
            include=include,
            exclude=exclude,
            session_timeouts=session_timeouts,
            file=file,
            outside_transaction=outside,
            enable=cfg.enable,
        )

    findings: list[Finding] = []
    sources: list[str] = []
    if sql is not None:
        findings += check(sql, in_transaction, None if not files else "<cell>")
        sources.append("<cell>")
    notes: list[str] = []
    for f in files:
        texts, tx = [_read(f)], in_transaction
        known = _as_the_tool_runs(f, texts[0], project, dialect, include_down)  # a file of the project
        if known is not None:
            tool_tx, texts, note = known
            tx = in_transaction or bool(tool_tx)
            notes.append(note)
        for text in texts:
            findings += check(text, tx, str(f))
        sources.append(str(f))
    if pending:
        from ..context import resolve_context
        from ..safety.lint.review import hoisted_offsets

        ctx = resolve_context(project, env)
        steps = ctx.project.adapter.plan_apply(ctx.database(read_only=True))  # lint looks: no SQLite file made
        for step in steps:
            label = step.file or step.migration
            # as migrate's preview: SQLite foreign_keys pragmas the runner takes out of the transaction
            findings += check(
                step.sql, in_transaction or step.transactional, label, hoisted_offsets(step, dialect, ctx)
            )
            sources.append(label)
        if not steps:
            sources.append("(no pending migrations)")
    if fail_on not in FAIL_LEVELS:
        raise UsageProblem(f"--fail-on '{fail_on}' is not a level.", next_step="Use error, warning or never.")
    if cfg.severity:
        findings = [replace(f, severity=cfg.severity.get(f.rule, f.severity)) for f in findings]
    if cfg.source:
        notes.append(f"Project defaults from {cfg.source}.")
    return LintResult(
        tuple(findings),
        tuple(sources),
        dialect,
        version,
        in_transaction,
        source,
        tuple(notes),
        fail_on,
        version_source,
    )


def _pg_version(
    given: str | int | None, cfg: LintConfig, project: str | Path | None, env: str | None
) -> tuple[int, str]:
    """(major version, where it came from): --pg-version, else the environment's server when one is
    configured and answers, else the project config, else the default."""
    if given not in (None, ""):
        return parse_pg_version(given), "--pg-version"
    from pathlib import Path

    try:
        # only where a project is (walking up, never scanning below) or an environment was named
        if not env and _project_above(Path(project) if project else Path.cwd()) is None:
            raise LookupError("no project")
        from ..context import resolve_context
        from ..safety.lint.review import server_pg_version

        ctx = resolve_context(project, env)
        envir = ctx.require_environment()
        if envir.dialect and dialect_for(normalise_dialect(envir.dialect)).lint_by_version:
            found = server_pg_version(ctx.database(read_only=True))
            if found is not None:
                return found, f"the server of environment '{envir.name}'"
    except Exception:  # no project, no environment: the project config or the default applies
        pass
    if cfg.pg_version is not None:
        return parse_pg_version(cfg.pg_version), str(cfg.source)
    return DEFAULT_PG_VERSION, "the default (oldest supported release)"
