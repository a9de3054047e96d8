"""The connection in drizzle.config: ``dbCredentials.url`` (a literal, or ``process.env.X``
with an optional ``??``/``||`` default), ``dbCredentials`` fields (host, port, user, password,
database), read without running the config. Relative SQLite files resolve against the project
root, where drizzle-kit runs."""

from __future__ import annotations

from pathlib import Path

from ...config import FoundConnection, config_connection, project_variables, register_config_secrets, url_from_fields
from ...dialects import find_dialect, tool_words
from .._files import read_text
from .._jsconfig import EnvRef, Unresolved, env_refs, exported_object, resolve

#: drizzle-kit's `dialect` (and the older `driver`) words mapped to what url_from_fields knows
DIALECTS: dict[str, str | None] = {
    **tool_words(
        postgresql=("postgresql", "pg"), mysql=("mysql", "mysql2", "singlestore"), sqlite=("sqlite", "better-sqlite")
    ),
    "turso": "libsql",
    "libsql": "libsql",
    "gel": None,
}


def credentials(config: Path | None) -> tuple[dict, object]:
    if config is None:
        return {}, None
    exported = exported_object(read_text(config))
    if not isinstance(exported, dict):
        return {}, None
    creds = exported.get("dbCredentials")
    register_config_secrets(creds)
    return exported, creds


def preferred_variables(config: Path | None) -> tuple[str, ...]:
    _, creds = credentials(config)
    if isinstance(creds, dict):
        return tuple(dict.fromkeys(env_refs(creds.get("url")) + env_refs(creds.get("connectionString"))))
    return ()


def connections(root: Path, config: Path | None) -> list[FoundConnection]:
    exported, creds = credentials(config)
    if config is None or not isinstance(creds, dict):
        return []
    dialect = DIALECTS.get(str(exported.get("dialect") or exported.get("driver") or "").lower())
    source = f"{config.name} dbCredentials"
    raw_url = creds.get("url") or creds.get("connectionString")
    if raw_url is not None:
        if isinstance(raw_url, EnvRef) and raw_url.default is None:
            return []  # the variable itself is read from .env / the process (preferred_variables)
        try:
            url = resolve(raw_url, project_variables(root), str(config.parent))
        except Unresolved:
            return []
        url = str(url)
        file_based = dialect == "libsql" or getattr(find_dialect(dialect), "embedded", False)
        if "://" not in url and not url.startswith("file:") and file_based:
            url = "file:" + url
        return [config_connection(None, url, f"{source}.url", root)]
    try:
        fields = resolve(creds, project_variables(root), str(config.parent))
    except Unresolved:
        return []
    url = url_from_fields(
        dialect,
        host=fields.get("host"),
        port=fields.get("port"),
        user=fields.get("user"),
        password=fields.get("password"),
        database=fields.get("database"),
        base_dir=root,
    )
    return [config_connection(None, url, source, root)] if url else []
