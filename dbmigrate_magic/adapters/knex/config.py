"""Connections in a knexfile, read without running it: ``connection`` as a URL string, as an
object (host/port/user/password/database, ``connectionString``, SQLite ``filename``), or from
``process.env``; a knexfile keyed by environment (development, staging, production ...) gives one
connection per environment. Relative SQLite files resolve against the knexfile's folder, because
the knex CLI runs from there."""

from __future__ import annotations

from pathlib import Path

from ...config import FoundConnection, config_connection, process_env_name, project_variables, url_from_fields
from ...masking import register_secret
from .._files import read_text
from .._jsconfig import EnvRef, Unresolved, env_refs, exported_object, resolve

CONFIG_KEYS = {"client", "connection", "migrations", "seeds", "pool", "useNullAsDefault", "dialect"}


def environments_in(knexfile: Path) -> dict[str | None, dict]:
    """``{environment: config}``; a single flat config is keyed by None."""
    exported = exported_object(read_text(knexfile))
    if not isinstance(exported, dict):
        return {}
    if CONFIG_KEYS & set(exported):
        return {None: exported}
    return {name: cfg for name, cfg in exported.items() if isinstance(cfg, dict)}


def preferred_variables(knexfile: Path | None) -> tuple[str, ...]:
    if knexfile is None:
        return ()
    names = [n for cfg in environments_in(knexfile).values() for n in env_refs(cfg.get("connection"))]
    return tuple(dict.fromkeys(names))


def connections(root: Path, knexfile: Path | None) -> list[FoundConnection]:
    if knexfile is None:
        return []
    found = []
    for env, cfg in environments_in(knexfile).items():
        env_name = env or process_env_name()
        label = f"{knexfile.name}" + (f" {env}.connection" if env else " connection")
        raw = _connection_url(cfg, project_variables(root, env_name), knexfile.parent)
        if raw is None:
            continue
        found.append(config_connection(env_name, raw, label, knexfile.parent))
    return found


def _connection_url(cfg: dict, variables: dict[str, str], folder: Path) -> str | None:
    client = cfg.get("client") or cfg.get("dialect")
    client = client if isinstance(client, str) else None
    try:
        conn = resolve(cfg.get("connection"), variables, str(folder))
    except Unresolved:
        return None
    if isinstance(conn, str):
        if "://" in conn or conn.startswith("file:"):
            return conn
        return url_from_fields(client, database=conn, base_dir=folder)
    if not isinstance(conn, dict):
        return None
    if conn.get("connectionString"):
        return str(conn["connectionString"])
    if conn.get("password"):
        register_secret(str(conn["password"]))
    return url_from_fields(
        client,
        host=conn.get("host"),
        port=conn.get("port"),
        user=conn.get("user"),
        password=conn.get("password"),
        database=conn.get("database") or conn.get("filename"),
        base_dir=folder,
    )


__all__ = ["connections", "preferred_variables", "environments_in", "EnvRef"]
