"""A project's lint defaults, as squawk's ``.squawk.toml``: ``.dbm/lint.toml`` (top-level keys) or
``[tool.dbm.lint]`` in ``pyproject.toml``, found in the project folder or its parents up to the
repository root. Command-line options win over the file.

    pg-version = 15
    disable = ["prefer-robust-stmts"]        # rules off
    enable = ["require-table-schema"]        # opt-in rules on
    fail-on = "warning"                      # error | warning | never
    [severity]                               # ([tool.dbm.lint.severity] in pyproject.toml)
    prefer-bigint-over-int = "error"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import ERROR, WARNING, canonical_rule

KEYS = {"pg-version", "disable", "enable", "fail-on", "severity"}
FAIL_ON = ("error", "warning", "never")


@dataclass(frozen=True)
class LintConfig:
    source: str | None = None  # the file (and table) it came from; None: no file
    pg_version: str | None = None
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    fail_on: str | None = None
    severity: dict[str, str] = field(default_factory=dict)


def _problem(where: str, what: str) -> Exception:
    from ...errors import ConfigError

    return ConfigError(f"{where}: {what}", next_step=f"Fix {where} (see docs/lint.md, 'Project defaults').")


def _rules(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem(where, f"'{key}' must be a list of rule ids.")
    from . import all_rules

    ids = tuple(canonical_rule(v) for v in value)
    unknown = sorted(set(ids) - set(all_rules()))
    if unknown:
        raise _problem(where, f"'{key}' names unknown rule(s): {', '.join(unknown)} (dbm lint --rules lists them).")
    return ids


def parse(table: dict[str, Any], where: str) -> LintConfig:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise _problem(where, f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(KEYS))}.")
    version = table.get("pg-version")
    if version is not None and not isinstance(version, (int, float, str)):
        raise _problem(where, "'pg-version' must be a version such as 15.")
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise _problem(where, f"'fail-on' must be one of {', '.join(FAIL_ON)}.")
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise _problem(where, '\'severity\' must be a table of rule = "error" | "warning".')
    sev = {}
    for r, level in severity.items():
        rid = _rules(where, "severity", [r])[0]
        if level not in (ERROR, WARNING):
            raise _problem(where, f'severity of {r} must be "error" or "warning", not {level!r}.')
        sev[rid] = level
    return LintConfig(
        where,
        None if version is None else str(version),
        _rules(where, "disable", table.get("disable", [])),
        _rules(where, "enable", table.get("enable", [])),
        fail_on,
        sev,
    )


def _load(path: Path) -> dict[str, Any]:
    import tomllib  # only when a config file exists: a fixed cost of every `dbm lint` otherwise

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise _problem(str(path), f"not valid TOML ({exc}).") from None


def find_config(start: str | Path | None) -> LintConfig:
    """The first ``.dbm/lint.toml`` or ``pyproject.toml`` with ``[tool.dbm.lint]`` from ``start`` up."""
    from ...project_markers import candidate_roots

    folder = Path(start) if start else Path.cwd()
    if folder.is_file():
        folder = folder.parent
    for root in candidate_roots(folder):
        own = root / ".dbm" / "lint.toml"
        if own.is_file():
            return parse(_load(own), str(own))
        py = root / "pyproject.toml"
        if py.is_file():
            table = _load(py).get("tool", {}).get("dbm", {}).get("lint")
            if table is not None:
                return parse(table, f"{py} [tool.dbm.lint]")
    return LintConfig()
