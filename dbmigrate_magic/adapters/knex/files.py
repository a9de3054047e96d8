"""Knex facts that need no database: the knexfile's migration settings and the files we write.

Reading the knexfile is textual (it is JavaScript; running node for ``status`` would cost a
second). Only literal settings inside the ``migrations: { ... }`` block are read (folders also as
``path.join(__dirname, 'a', 'b')``); anything else computed falls back to Knex's own defaults.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .._files import first_existing, read_text

KNEXFILES = ("knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs")
#: Knex's default ``loadExtensions``
LOAD_EXTENSIONS = (".co", ".coffee", ".eg", ".iced", ".js", ".cjs", ".litcoffee", ".ls", ".ts")
DEFAULT_TABLE = "knex_migrations"
MARKER = "// dbmigrate_magic: written from SQL"
TS_FORMAT = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class KnexSettings:
    knexfile: Path | None
    directory: Path
    table: str
    schema: str | None
    extensions: tuple[str, ...]

    @property
    def lock_table(self) -> str:
        return f"{self.table}_lock"


def _migrations_block(source: str, key: str = "migrations") -> str:
    """The text of every ``migrations: { ... }`` (or ``key: { ... }``) object in the knexfile (nested braces allowed)."""
    blocks = []
    for m in re.finditer(rf"\b{key}\s*:\s*\{{", source):
        depth, i = 1, m.end()
        while i < len(source) and depth:
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            i += 1
        blocks.append(source[m.end() : i - 1])
    return "\n".join(blocks)


def _literal(block: str, key: str) -> str | None:
    m = re.search(rf"""\b{key}\s*:\s*(['"`])([^'"`]+)\1""", block)
    return m.group(2) if m else None


_STRING = r"""(?:'[^']+'|"[^"]+"|`[^`$]+`)"""


def _path_literal(block: str, key: str) -> str | None:
    """``key: path.join(__dirname, 'src', 'db', 'migrations')`` (or ``path.resolve``, with or without
    ``__dirname``: the knex CLI runs in the knexfile's folder) as a "/"-joined relative path: the way
    real knexfiles spell their folders, which a literal-only reading took for Knex's default."""
    m = re.search(
        rf"""\b{key}\s*:\s*path\.(?:join|resolve)\(\s*(?:__dirname\s*,\s*)?((?:{_STRING}\s*,\s*)*{_STRING})\s*,?\s*\)""",
        block,
    )
    if not m:
        return None
    return "/".join(part.strip("'\"`") for part in re.findall(_STRING, m.group(1)))


def _folder(block: str, key: str) -> str | None:
    """A folder setting written as a string or as ``path.join``/``path.resolve`` of strings."""
    return _literal(block, key) or _path_literal(block, key)


def read_settings(root: Path) -> KnexSettings:
    knexfile = first_existing(root, KNEXFILES)
    block = _migrations_block(read_text(knexfile)) if knexfile else ""
    directory = _folder(block, "directory") or "migrations"
    exts = LOAD_EXTENSIONS
    m = re.search(r"\bloadExtensions\s*:\s*\[([^\]]*)\]", block)
    if m:
        found = tuple(re.findall(r"""['"`](\.[A-Za-z0-9]+)['"`]""", m.group(1)))
        exts = found or exts
    return KnexSettings(
        knexfile,
        (root / directory).resolve(),
        _literal(block, "tableName") or DEFAULT_TABLE,
        _literal(block, "schemaName"),
        exts,
    )


def seeds_directory(root: Path) -> tuple[Path, bool]:
    """Where ``knex seed:run`` looks (the knexfile's literal ``seeds.directory``, else Knex's default
    ``./seeds``), and whether the knexfile named it."""
    knexfile = first_existing(root, KNEXFILES)
    named = _folder(_migrations_block(read_text(knexfile), "seeds"), "directory") if knexfile else None
    return (root / (named or "seeds")).resolve(), named is not None


def list_seed_files(folder: Path) -> list[Path]:
    """The seed files ``knex seed:run`` runs: loadable extensions, by name (declarations excluded)."""
    return list_files(KnexSettings(None, folder, DEFAULT_TABLE, None, LOAD_EXTENSIONS))


def list_files(settings: KnexSettings) -> list[Path]:
    """Migration files as Knex loads them: the directory's files with a loadable extension, by name."""
    folder = settings.directory
    return [folder / n for n in list_names(settings)]


def list_names(settings: KnexSettings) -> list[str]:
    """The names of ``list_files`` (status needs no ``Path`` for each of 2,000 files)."""
    try:
        entries = os.scandir(settings.directory)  # scandir: no extra stat per file
    except OSError:  # no folder (or not one): no migrations, as Knex says
        return []
    exts = settings.extensions
    with entries:
        return sorted(
            e.name
            for e in entries
            if e.is_file() and os.path.splitext(e.name)[1] in exts and not e.name.endswith(".d.ts")
        )


def slug(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", name.strip()).strip("_")
    return cleaned or "migration"


def next_timestamp(existing: list[Path], now: dt.datetime | None = None) -> str:
    """UTC ``YYYYMMDDHHMMSS``, strictly after the newest existing file (Knex sorts by name)."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    newest = None
    for p in existing:
        m = re.match(r"^(\d{14})", p.name)
        if m:
            try:
                stamp = dt.datetime.strptime(m.group(1), TS_FORMAT).replace(tzinfo=dt.UTC)
            except ValueError:
                continue
            newest = stamp if newest is None or stamp > newest else newest
    if newest is not None and now <= newest:
        now = newest + dt.timedelta(seconds=1)
    return now.strftime(TS_FORMAT)


def render(up: list[str], down: list[str] | None) -> str:
    """A Knex migration running each statement through ``knex.raw``, SQL kept as JSON literals."""
    down_body = (
        "  for (const sql of down) await knex.raw(sql);"
        if down is not None
        else '  throw new Error("This migration has no down SQL: write a reverse migration or restore a backup.");'
    )
    import json  # here, as in parse_ours: a status listing has no use for it

    return (
        f"{MARKER}. Each statement runs through knex.raw, in order.\n"
        f"const up = {json.dumps(up, indent=2)};\n"
        f"const down = {json.dumps(down, indent=2) if down is not None else 'null'};\n\n"
        "exports.up = async function (knex) {\n"
        "  for (const sql of up) await knex.raw(sql);\n"
        "};\n\n"
        "exports.down = async function (knex) {\n"
        f"{down_body}\n"
        "};\n"
    )


def parse_ours(text: str) -> tuple[list[str], list[str] | None] | None:
    """The up and down statements of a file we wrote, or None for a hand-written migration."""
    if not text.startswith(MARKER):
        return None
    up = re.search(r"^const up = (.*?);\n(?=const down)", text, re.S | re.M)
    down = re.search(r"^const down = (.*?);\n\n", text, re.S | re.M)
    if not up or not down:
        return None
    import json

    try:
        return json.loads(up.group(1)), json.loads(down.group(1))
    except ValueError:
        return None
