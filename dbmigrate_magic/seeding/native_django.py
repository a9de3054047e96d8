"""Django's own seeds: ``manage.py loaddata`` of the project's named fixtures.

Django has no list of fixtures to load (``loaddata`` takes names on its command line), so the list
lives where a team already keeps settings, read without running project code:

1. the ``fixtures`` the caller passes (``dbm seed --fixtures countries,plans``);
2. ``[tool.dbm.seed] fixtures = ["countries", "plans"]`` in pyproject.toml;
3. ``DBM_SEED_FIXTURES = ["countries", "plans"]`` in the Django settings module (a literal list).

The first one present wins. Fixture names are Django's own (``countries``, ``countries.json``, or
a path); Django searches each app's ``fixtures/`` folder and ``FIXTURE_DIRS`` as it always does.
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import Sequence
from pathlib import Path

from ..adapters.django.run import run_manage
from ..adapters.django.settings import Unevaluable, read_settings, settings_module
from ..config import project_variables
from ..errors import ConfigError
from ..masking import mask

SETTING = "DBM_SEED_FIXTURES"


def _names(value: object, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    names = [v.strip() for v in items if isinstance(v, str)] if isinstance(items, (list, tuple)) else []
    if not isinstance(items, (list, tuple)) or len(names) != len(items) or not all(names):
        names = []
    if not names or any(n.startswith("-") for n in names):
        raise ConfigError(
            f"{where} must be a list of fixture names (strings, not options), not {mask(repr(value))[:80]}.",
            unchanged="Nothing was run.",
            next_step='Write it as a list, e.g. ["countries", "plans"].',
        )
    return names


def from_pyproject(root: Path) -> list[str] | None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # an unreadable pyproject is reported by the tools that own it
    seed = data.get("tool", {}).get("dbm", {}).get("seed", {})
    if not isinstance(seed, dict) or seed.get("fixtures") in (None, [], ""):
        return None
    return _names(seed["fixtures"], "[tool.dbm.seed] fixtures in pyproject.toml")


def from_settings(root: Path) -> tuple[list[str], str] | None:
    module = settings_module(root)
    if module is None:
        return None
    try:
        values = read_settings(root, module, (SETTING,), project_variables(root))
    except Unevaluable as exc:
        raise ConfigError(
            f"{module}.{SETTING} could not be read without running the settings ({mask(exc)}).",
            unchanged="Nothing was run.",
            next_step=f"Assign {SETTING} a literal list of fixture names, or list them in pyproject.toml "
            "[tool.dbm.seed] fixtures.",
        ) from None
    except (SyntaxError, OSError):
        return None  # the settings' own problem; Django reports it when it runs
    if not values.get(SETTING):
        return None
    return _names(values[SETTING], f"{module}.{SETTING}"), f"{module}.{SETTING}"


def fixtures_for(root: Path, given: Sequence[str]) -> tuple[list[str], str] | None:
    """The fixtures to load and where they were named, or None when none are."""
    if given:
        return _names(list(given), "--fixtures"), "given on the command line"
    found = from_pyproject(root)
    if found:
        return found, "pyproject.toml [tool.dbm.seed] fixtures"
    return from_settings(root)


def loaddata(root: Path, url: str, fixtures: Sequence[str]) -> subprocess.CompletedProcess:
    """``manage.py loaddata FIXTURES`` against ``url`` (passed in the environment); output masked,
    a non-zero exit returned rather than raised."""
    return run_manage(root, ["loaddata", *fixtures], url, check=False)
