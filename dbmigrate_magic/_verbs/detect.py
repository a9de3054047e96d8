"""``detect``: which migration tool a project uses, the evidence, and its connection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..adapters import Evidence
from ..context import resolve_context
from ..project import projects_below, recommend
from ..results import Result


@dataclass(frozen=True, repr=False)
class DetectResult(Result):
    title: ClassVar[str] = "dbm detect"

    root: str
    tool: str | None
    evidence: tuple[str, ...]
    also_matched: tuple[Evidence, ...]
    migrations_dir: str | None
    migration_count: int
    connection: str | None  # masked
    connection_source: str | None
    dialect: str | None
    environment: str | None
    production: bool | None
    connection_note: str | None
    notes: tuple[str, ...]
    recommendation: str | None
    recommendation_reason: str | None
    #: migration projects in folders below the root (a monorepo): path, tool, migrations folder, count
    projects: tuple[dict[str, Any], ...] = ()

    def summary_lines(self) -> list[str]:
        if self.tool is None and self.projects:
            lines = [f"{len(self.projects)} migration projects below {self.root} (choose one with --project PATH):"]
            lines.extend(
                f"  {p['path']}: {p['tool']} ({p['migrations_dir'] or '-'}, {p['migration_count']} files)"
                for p in self.projects
            )
        elif self.tool is None:
            lines = [f"No migration tool found in {self.root}."]
            lines.append(f"Recommendation: {self.recommendation} — {self.recommendation_reason}")
        else:
            lines = [
                f"Tool: {self.tool} (evidence: {', '.join(self.evidence)})",
                f"Migrations: {self.migrations_dir or '-'} ({self.migration_count} files)",
            ]
            if self.also_matched:
                others = "; ".join(f"{e.tool} ({', '.join(e.files)})" for e in self.also_matched)
                lines.append(f"Also matched: {others}")
            if self.projects:
                below = "; ".join(f"{p['path']} ({p['tool']})" for p in self.projects)
                lines.append(f"Projects below: {below}")
        if self.connection:
            lines.append(f"Connection: {self.connection} [{self.dialect}] from {self.connection_source}")
            kind = "production" if self.production else "not production"
            lines.append(f"Environment: {self.environment} ({kind})")
            if self.connection_note:
                lines.append(f"Connection note: {self.connection_note}")
        else:
            lines.append("Connection: none found (set DATABASE_URL in .env)")
        lines.extend(f"Note: {n}" for n in self.notes)
        return lines

    def table(self) -> list[dict[str, Any]] | None:
        return None


def detect(path: str | Path | None = None, env: str | None = None) -> DetectResult:
    ctx = resolve_context(path, env)
    proj = ctx.project
    chosen = ctx.environment
    below = proj.below if not proj.tool else tuple(projects_below(proj.root, proj.evidence))
    projects = tuple(
        {
            "path": folder.relative_to(proj.root).as_posix(),
            "tool": e.tool,
            "migrations_dir": e.migrations_dir,
            "migration_count": e.migration_count,
        }
        for folder, e in below
    )
    rec, why = (None, None) if proj.tool or projects else recommend(proj.root)
    ev = proj.evidence
    return DetectResult(
        root=str(proj.root),
        tool=proj.tool,
        evidence=ev.files if ev else (),
        also_matched=proj.matches[1:],
        migrations_dir=ev.migrations_dir if ev else None,
        migration_count=ev.migration_count if ev else 0,
        connection=chosen.masked_url if chosen else None,
        connection_source=chosen.source if chosen else None,
        dialect=chosen.dialect if chosen else None,
        environment=chosen.name if chosen else None,
        production=chosen.production if chosen else None,
        connection_note=chosen.note if chosen else None,
        notes=proj.notes + (ev.notes if ev else ()),
        recommendation=rec,
        recommendation_reason=why,
        projects=projects,
    )
