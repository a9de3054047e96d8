"""Django's ``DATABASES`` as connections: read by the settings reader (``settings``) without
running project code; only when that fails is the module imported, in a subprocess, and the
connection says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...config import (
    FoundConnection,
    config_connection,
    process_env_name,
    project_variables,
    register_config_secrets,
    url_from_fields,
)
from ...masking import mask
from .settings import Unevaluable, read_settings, settings_module


def read_static(root: Path, module: str, variables: dict[str, str]) -> dict:
    """``DATABASES`` as the settings reader evaluates it (``Unevaluable`` when it cannot)."""
    value = read_settings(root, module, ("DATABASES",), variables)
    if "DATABASES" not in value:
        raise Unevaluable(f"{module} assigns no DATABASES at module level")
    if not isinstance(value["DATABASES"], dict):
        raise Unevaluable("DATABASES is not a dict")
    return value["DATABASES"]


def read_by_import(root: Path, module: str, variables: dict[str, str]) -> dict:
    """Import the settings module in a subprocess (project code runs: only as a last resort)."""
    import subprocess

    script = (
        "import importlib, json, sys\n"
        f"m = importlib.import_module({module!r})\n"
        "print(json.dumps(getattr(m, 'DATABASES', None), default=str))\n"
    )
    env = {
        **variables,
        "DJANGO_SETTINGS_MODULE": module,
        "PYTHONPATH": str(root) + os.pathsep + variables.get("PYTHONPATH", ""),
    }
    from .interpreter import python_for

    found = python_for(root)
    if found is None:
        raise Unevaluable("Django is not importable here and no project environment holding it was found")
    try:
        out = subprocess.run([found[0], "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unevaluable(f"importing {module} failed: {exc}") from None
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unevaluable(f"importing {module} failed: {mask(last)}")
    value = json.loads(out.stdout.strip().splitlines()[-1])
    if not isinstance(value, dict):
        raise Unevaluable(f"{module} defines no DATABASES")
    return value


def database_url(entry: dict, root: Path) -> str | None:
    if "__url__" in entry:
        return entry["__url__"]
    return url_from_fields(
        entry.get("ENGINE"),
        host=entry.get("HOST") or None,
        port=entry.get("PORT") or None,
        user=entry.get("USER") or None,
        password=entry.get("PASSWORD") or None,
        database=entry.get("NAME"),
        base_dir=root,
    )


def connections(root: Path) -> list[FoundConnection]:
    module = settings_module(root)
    if module is None:
        return []
    variables = project_variables(root)
    note = None
    how = "read statically"
    try:
        databases = read_static(root, module, variables)
    except (Unevaluable, SyntaxError, OSError) as exc:
        reason = mask(exc)
        try:
            databases = read_by_import(root, module, variables)
        except Unevaluable as failed:
            return [
                FoundConnection(
                    process_env_name(),
                    "",
                    f"{module}.DATABASES",
                    20,
                    f"could not read DATABASES: {reason}; {mask(failed)}",
                )
            ]
        how = "read by importing the settings module"
        note = f"had to import {module} to read DATABASES (static reading failed: {reason})"
    register_config_secrets(databases)
    found = []
    for alias, entry in databases.items():
        if not isinstance(entry, dict):
            continue
        url = database_url(entry, root)
        if not url:
            continue
        source = f"{module}.DATABASES['{alias}'] ({how})"
        found.append(config_connection(None, url, source, root, note))
        if alias == "default":
            found.insert(0, found.pop())
    return found
