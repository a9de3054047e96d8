"""Prisma's connection: ``datasource db { url = env("X") }`` names the variable to read (from
.env files or the process); a literal ``url = "..."`` is a connection itself. Prisma 7's
``prisma.config.ts`` (``datasource: { url: env("X") }``) is read the same way. Relative
``file:`` URLs resolve against the schema file's folder, as Prisma resolves them."""

from __future__ import annotations

import re
from pathlib import Path

from ...config import FoundConnection, config_connection, register_config_secrets
from .._files import read_text

DATASOURCE = re.compile(r"datasource\s+\w+\s*\{(?P<body>[^}]*)\}", re.S)
ENV_URL = re.compile(r"""\burl\s*[=:]\s*env\(\s*["']([^"']+)["']\s*\)""")
LITERAL_URL = re.compile(r"""\burl\s*=\s*"([^"]+)\"""")
#: Prisma's tracking table
TABLE = "_prisma_migrations"
CONFIG_FILES = ("prisma.config.ts", "prisma.config.js", "prisma.config.mjs", "prisma.config.mts")


def _datasource(schema: Path | None) -> str:
    if schema is None:
        return ""
    text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*', lambda m: m.group(1) or "", read_text(schema))
    m = DATASOURCE.search(text)
    return m.group("body") if m else ""


def preferred_variables(root: Path, schema: Path | None) -> tuple[str, ...]:
    names = ENV_URL.findall(_datasource(schema))
    for name in CONFIG_FILES:
        if (root / name).is_file():
            names += ENV_URL.findall(read_text(root / name))
    return tuple(dict.fromkeys(names))


def connections(schema: Path | None) -> list[FoundConnection]:
    m = LITERAL_URL.search(_datasource(schema))
    if schema is None or not m:
        return []
    register_config_secrets(m.group(1))
    return [config_connection(None, m.group(1), f"{schema.name} datasource url", schema.parent)]
