"""What every verb works in: the project, its environments, and the one to use (``Context``).

Below the verbs, the safety layer and backups alike, which all take a ``Context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .active_env import get_active
from .config import (
    DEFAULT_ENV,
    Environment,
    FoundConnection,
    build_environments,
    canonical_env_name,
    dotenv_connections,
    environment_from_url,
    process_connections,
)
from .db import Database
from .errors import ConfigError
from .project import Project, find_project


def discover_environments(project: Project) -> list[Environment]:
    preferred: tuple[str, ...] = ()
    base_dir = project.root
    found: list[FoundConnection] = []
    if project.has_tool:  # the first match alone: the other adapters are not run
        adapter = project.adapter
        preferred = adapter.preferred_variables()
        base_dir = adapter.url_base_dir()
        found.extend(adapter.config_connections())
    found.extend(dotenv_connections(project.root, preferred, base_dir))
    found.extend(process_connections(project.root, preferred, base_dir))
    return build_environments(found)


@dataclass
class Context:
    project: Project
    environments: list[Environment]
    environment: Environment | None
    active_reason: str | None

    def database(self, read_only: bool = False) -> Database:
        """The active environment's database; ``read_only`` for verbs that only look (status)."""
        env = self.require_environment()
        return Database(env.url or "", env.name, env.schema, read_only=read_only)

    def require_environment(self) -> Environment:
        if self.environment is not None and self.environment.problem:
            raise ConfigError(
                f"The {self.environment.name} environment cannot be used: {self.environment.problem}",
                next_step="Fix that setting; the other environments are not affected.",
            )
        if self.environment is None or not self.environment.url:
            names = ", ".join(e.name for e in self.environments) or "none"
            raise ConfigError(
                f"No database connection was found for this project (environments found: {names}).",
                next_step="Set DATABASE_URL in .env, pass --env NAME, or pass a URL with --env.",
            )
        return self.environment


def select_environment(
    environments: list[Environment], name: str | None, root: Path
) -> tuple[Environment | None, str | None]:
    if name and "://" in name or (name and name.startswith("file:")):
        return environment_from_url(name, base_dir=root), "given on the command line"
    reason = "--env" if name else None
    if not name:
        name, reason = get_active(root)
    if name:
        wanted = canonical_env_name(name)
        for env in environments:
            if env.name == wanted:
                return env, reason
        known = ", ".join(e.name for e in environments) or "none"
        raise ConfigError(
            f"There is no environment named '{name}' (found: {known}; '{name}' came from {reason}).",
            next_step="Run `dbm env` to list environments, choose one with `dbm env NAME`, or add a .env.<name> file.",
        )
    for env in environments:
        if env.name == DEFAULT_ENV:
            return env, "the default environment"
    if len(environments) == 1:
        return environments[0], "the only environment found"
    return None, None


def resolve_context(project: str | Path | None = None, env: str | None = None) -> Context:
    proj = find_project(project)
    environments = discover_environments(proj)
    chosen, reason = select_environment(environments, env, proj.root)
    return Context(proj, environments, chosen, reason)
