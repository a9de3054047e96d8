"""The fleet file (``fleet.toml``): which targets one command runs against, as written.

Parsed with ``tomllib`` into plain data; nothing here connects anywhere (``targets.py`` resolves the
entries to URLs, a ``[query]`` included). A target names its connection one way only (``env``,
``url`` or ``url_env``) so that a reader of the file knows where each tenant lives.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..masking import mask

DEFAULT_FILE = "fleet.toml"
#: the keys that say where a target's database is (at most one per target)
SOURCES = ("env", "url", "url_env")


@dataclass(frozen=True)
class TargetSpec:
    """One ``[[targets]]`` entry; no source means the fleet's ``env`` (or the active environment)."""

    name: str
    env: str | None = None
    url: str | None = field(default=None, repr=False)
    url_env: str | None = None
    schema: str | None = None


@dataclass(frozen=True)
class QuerySpec:
    """``[query]``: ``sql`` run on ``env`` returns the targets (one column: schema names in that
    database; two: name, then a schema name or a URL)."""

    env: str | None
    url_env: str | None
    sql: str


@dataclass(frozen=True)
class FleetSpec:
    path: Path
    #: what a production fleet's confirmation types back (``--confirm NAME``); default: the file's stem
    name: str
    targets: tuple[TargetSpec, ...]
    query: QuerySpec | None = None
    #: the connection of targets that give only a schema
    env: str | None = None
    #: every target counts as production, whatever its environment's name
    production: bool = False


def fleet_path(given: str | Path | None, root: Path) -> Path:
    """The fleet file: ``given`` (relative to the project) or ``fleet.toml`` in the project."""
    path = Path(given) if given else Path(DEFAULT_FILE)
    if not path.is_absolute():
        path = root / path
    if not path.is_file():
        raise ConfigError(
            f"The fleet file {path} does not exist.",
            next_step=f"Write {DEFAULT_FILE} in the project ([[targets]] with name and env, url or url_env; "
            "see docs/fleet.md), or pass --fleet FILE.",
        )
    return path


def _text(entry: dict, key: str, where: str, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string.", next_step=f"Fix '{key}' in the fleet file.")
    return value.strip()


def parse_fleet(path: Path) -> FleetSpec:
    """Read and check the fleet file; every problem names the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"The fleet file {path} is not valid TOML: {mask(exc)}", next_step="Fix the file's syntax."
        ) from None
    known = {"name", "env", "production", "targets", "query"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"The fleet file {path} has unknown keys: {', '.join(unknown)}.",
            next_step=f"Use only {', '.join(sorted(known))} at the top level (see docs/fleet.md).",
        )
    entries = data.get("targets", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'targets' must be [[targets]] tables.", next_step="Write each as [[targets]].")
    targets = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        where = f"{path.name}, target {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not a table.", next_step="Write each target as a [[targets]] table.")
        name = _text(entry, "name", where, required=True) or ""
        given = [k for k in SOURCES if entry.get(k) is not None]
        if len(given) > 1:
            raise ConfigError(
                f"{where} ({name}) gives {' and '.join(given)}: a target has one connection.",
                next_step="Keep one of env, url, url_env.",
            )
        extra = sorted(set(entry) - {"name", "schema", *SOURCES})
        if extra:
            raise ConfigError(
                f"{where} ({name}) has unknown keys: {', '.join(extra)}.",
                next_step="A target takes name, schema and one of env, url, url_env.",
            )
        if name in seen:
            raise ConfigError(f"{where}: the name {name} is used twice.", next_step="Give each target its own name.")
        seen.add(name)
        targets.append(
            TargetSpec(
                name,
                _text(entry, "env", where),
                _text(entry, "url", where),
                _text(entry, "url_env", where),
                _text(entry, "schema", where),
            )
        )
    query = None
    if "query" in data:
        q = data["query"]
        where = f"{path.name}, [query]"
        if not isinstance(q, dict):
            raise ConfigError(f"{where} must be a table.", next_step="Write [query] with env and sql.")
        extra = sorted(set(q) - {"env", "url_env", "sql"})
        if extra:
            raise ConfigError(
                f"{where} has unknown keys: {', '.join(extra)}.",
                next_step="[query] takes sql and one of env, url_env.",
            )
        if q.get("env") is not None and q.get("url_env") is not None:
            raise ConfigError(
                f"{where} gives env and url_env: the control database has one connection.",
                next_step="Keep one of env, url_env.",
            )
        query = QuerySpec(_text(q, "env", where), _text(q, "url_env", where), _text(q, "sql", where, True) or "")
    if not targets and query is None:
        raise ConfigError(
            f"The fleet file {path} lists no targets.",
            next_step="Add [[targets]] entries or a [query] that lists them from a control database.",
        )
    production = data.get("production", False)
    if not isinstance(production, bool):
        raise ConfigError(f"{path}: 'production' must be true or false.", next_step="Fix 'production'.")
    return FleetSpec(
        path,
        _text(data, "name", path.name) or path.stem,
        tuple(targets),
        query,
        _text(data, "env", path.name),
        production,
    )
