"""Can a folder hold a migration project at all? A cheap test before tool detection.

Detecting a project imports every adapter (about a sixth of a second of CPU), which ``dbm lint FILE``
paid on every run for a file in an ordinary folder. Every tool's detection needs one of these names
at the project root (a config file, a migrations folder, or goose's ``<version>_<name>.sql`` at the
root), so one directory listing tells when no adapter can match. tests/test_project_markers.py keeps
this list in step with the adapters' own constants.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the root-level names any adapter's ``detect`` or ``decoy_note`` reads (see each adapter)
MARKERS = frozenset(
    {
        # prisma
        "prisma", "schema.prisma",
        # drizzle (config files, default out folder)
        "drizzle", "drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs", "drizzle.config.mts",
        "drizzle.config.cjs", "drizzle.config.json",
        # knex
        "knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs",
        # typeorm (ormconfig, data sources, package.json scripts, a Nest src/)
        "ormconfig.json", "ormconfig.js", "ormconfig.ts", "ormconfig.yml", "ormconfig.yaml", "ormconfig.env",
        "data-source.ts", "data-source.js", "src", "package.json",
        # alembic (and Flask-Migrate's migrations/), django
        "alembic.ini", "pyproject.toml", "alembic", "migrations", "manage.py",
        # sqlx
        "sqlx.toml", "Cargo.toml",
        # goose, dbmate, golang-migrate, flyway, raw SQL: settings and migrations folders
        "Makefile", ".env", "db", "sql", "database", "flyway.conf", "flyway.toml", "conf",
    }
)  # fmt: skip


#: the root-level names without which a tool's ``detect`` cannot match (one of them must be there),
#: for the tools detected before the common ones: ``project.first_match`` imports and runs no
#: adapter whose names are all absent. Tools not listed are always asked.
TOOL_MARKERS: dict[str, frozenset[str]] = {
    "prisma": frozenset({"prisma", "schema.prisma"}),
    "drizzle": frozenset(
        {"drizzle", "drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs", "drizzle.config.mts",
         "drizzle.config.cjs", "drizzle.config.json"}
    ),
    "knex": frozenset({"knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs"}),
    # ormconfig, the usual data-source places, and package.json scripts naming one with -d anywhere
    "typeorm": frozenset(
        {"ormconfig.json", "ormconfig.js", "ormconfig.ts", "ormconfig.yml", "ormconfig.yaml", "ormconfig.env",
         "data-source.ts", "data-source.js", "src", "package.json"}
    ),
    "alembic": frozenset({"alembic.ini", "pyproject.toml", "alembic", "migrations"}),
    "django": frozenset({"manage.py"}),
}  # fmt: skip


def root_names(root: Path) -> frozenset[str] | None:
    """The names in ``root`` (None when it cannot be listed: then every tool is asked)."""
    try:
        return frozenset(os.listdir(root))
    except OSError:
        return None


def may_match(tool: str, names: frozenset[str] | None) -> bool:
    """False only when ``tool``'s detection cannot match in a folder holding ``names``."""
    markers = TOOL_MARKERS.get(tool)
    return names is None or markers is None or not markers.isdisjoint(names)


def candidate_roots(start: Path) -> list[Path]:
    """``start`` and its parents up to the repository root (the first folder holding ``.git``)."""
    start = start.resolve()
    chain = [start, *start.parents]
    for i, folder in enumerate(chain):
        if (folder / ".git").exists():
            return chain[: i + 1]
    return [start]


def may_hold_project(root: Path, names: frozenset[str] | None = None) -> bool:
    """False only when no migration tool's detection can match in ``root`` (one listing, no walk)."""
    names = root_names(root) if names is None else names
    if names is None:
        return True  # let detection say what it finds (or not)
    for name in names:
        if name in MARKERS:
            return True
        version, sep, _ = name.partition("_")
        if sep and version.isdigit() and name.endswith(".sql"):  # goose files at the root (``-dir .``)
            return True
    return False
