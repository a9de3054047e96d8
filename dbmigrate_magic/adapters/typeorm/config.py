"""TypeORM connections: ``ormconfig.json`` (``url``, or type/host/port/username/password/database;
a list of named connections uses ``default`` or the first) and a ``new DataSource({...})`` in
data-source.ts, read without running it. SQLite ``database`` files resolve against the project
root, where the typeorm CLI runs."""

from __future__ import annotations

import json
from pathlib import Path

from ...config import FoundConnection, config_connection, project_variables, register_config_secrets, url_from_fields
from .._files import read_text
from .._jsconfig import Unresolved, env_refs, exported_object, named_constant, resolve


def ormconfig(root: Path) -> dict | None:
    path = root / "ormconfig.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(read_text(path))
    except ValueError:
        return None
    if isinstance(data, list):
        data = next(
            (c for c in data if isinstance(c, dict) and c.get("name", "default") == "default"),
            data[0] if data else None,
        )
    return data if isinstance(data, dict) else None


def data_source_options(path: Path | None) -> dict | None:
    if path is None:
        return None
    source = read_text(path)
    options = exported_object(source)
    if not isinstance(options, dict) or "type" not in options:
        import re

        m = re.search(r"new\s+DataSource\s*\(\s*([A-Za-z_$][\w$]*)\s*\)", source)
        options = named_constant(source, m.group(1)) if m else None
    return options if isinstance(options, dict) else None


def preferred_variables(data_source: Path | None) -> tuple[str, ...]:
    options = data_source_options(data_source)
    return tuple(dict.fromkeys(env_refs(options.get("url")))) if options else ()


def connections(root: Path, data_source: Path | None) -> list[FoundConnection]:
    found = []
    for options, source in (
        (ormconfig(root), "ormconfig.json"),
        (data_source_options(data_source), data_source.name if data_source else ""),
    ):
        if not options:
            continue
        register_config_secrets(options)
        try:
            values = resolve(options, project_variables(root), str(data_source.parent if data_source else root))
        except Unresolved:
            continue
        if values.get("url"):
            found.append(config_connection(None, str(values["url"]), f"{source} url", root))
            continue
        url = url_from_fields(
            values.get("type"),
            host=values.get("host"),
            port=values.get("port"),
            user=values.get("username"),
            password=values.get("password"),
            database=values.get("database"),
            base_dir=root,
        )
        if url:
            found.append(config_connection(None, url, f"{source} (type, host, database ...)", root))
    return found
