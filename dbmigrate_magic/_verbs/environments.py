"""``env``: the environments found, masked, with their sources; selecting the active one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..active_env import set_active
from ..config import Environment
from ..errors import ConfigError
from ..project import find_project
from ..results import Result
from . import context


@dataclass(frozen=True, repr=False)
class EnvResult(Result):
    title: ClassVar[str] = "dbm env"

    root: str
    environments: tuple[Environment, ...]
    active: str | None
    active_reason: str | None

    def summary_lines(self) -> list[str]:
        if not self.environments:
            return ["No environments found: add DATABASE_URL to .env or the process environment."]
        if self.active:
            return [f"Active environment: {self.active} ({self.active_reason})"]
        return ["No active environment: choose one with `env NAME`."]

    def columns(self) -> list[str]:
        return ["active", "environment", "production", "dialect", "url", "source", "classification", "note"]

    def table(self) -> list[dict[str, Any]]:
        return [
            {
                "active": "*" if e.name == self.active else "",
                "environment": e.name,
                "production": e.production,
                "dialect": e.dialect,
                "url": e.masked_url,
                "source": e.source,
                "classification": e.classification,
                "note": e.note,
            }
            for e in self.environments
        ]


def env(name: str | None = None, project: str | Path | None = None, persist: bool = False) -> EnvResult:
    proj = find_project(project)
    environments = context.discover_environments(proj)
    if name is not None:
        chosen, _ = context.select(environments, name, proj.root)
        if chosen is None or chosen.name not in {e.name for e in environments}:
            raise ConfigError(
                f"'{name}' is not one of this project's environments.", next_step="Pick a name from `dbm env`."
            )
        set_active(proj.root, chosen.name, persist=persist)
        return EnvResult(str(proj.root), tuple(environments), chosen.name, "selected with `env NAME`")
    try:
        chosen, reason = context.select(environments, None, proj.root)
    except ConfigError as exc:  # a remembered choice that no longer exists: list anyway, say why
        chosen, reason = None, exc.what
    return EnvResult(str(proj.root), tuple(environments), chosen.name if chosen else None, reason)
