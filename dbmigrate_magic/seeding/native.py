"""The migration tool's own seeds, run through the tool: what ``dbm seed`` previews and runs first.

A team that already seeds with its tool (``knex seed:run``, Prisma's ``prisma.seed``, Django
fixtures, a package.json ``seed`` script) keeps doing so; dbm finds that seed, shows it in the
preview, and runs it against the selected environment only after confirmation (the verb's job).

Found per tool the project uses:

- Prisma: ``prisma.seed`` in package.json, else ``migrations.seed`` in prisma.config.*;
- Knex: ``knex seed:run`` when the knexfile's ``seeds.directory`` (default ``./seeds``) holds seed files;
- Django: ``manage.py loaddata`` of the fixtures named for it (see ``native_django``);
- TypeORM / Drizzle: the ``seed`` (or ``db:seed``, ``seed:run``) script in package.json, run with npm.

The URL reaches each tool through its environment, never argv; everything it prints is masked, and a
failing seed comes back as a ``NativeSeedRun`` with its exit code for the caller to report.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ConfigError, ProjectError
from ..masking import mask, register_secret
from . import native_django, native_node

if TYPE_CHECKING:
    from ..context import Context

#: tools whose seed is a package.json script (they have no seed command of their own)
SCRIPT_TOOLS = ("typeorm", "drizzle")


@dataclass(frozen=True)
class NativeSeed:
    """A seed the project's migration tool runs itself."""

    tool: str  # "knex", "prisma", "django", "typeorm", "drizzle"
    label: str  # what the preview shows, e.g. "knex seed:run (seeds/)"
    command: tuple[str, ...]  # argv as shown to the user (no secrets)
    source: str  # where it was found, e.g. "package.json prisma.seed"


@dataclass(frozen=True)
class NativeSeedRun:
    """A finished native seed: its exit code and (masked) output, for the caller to show."""

    seed: NativeSeed
    exit_code: int
    output: str  # masked
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def _tools(ctx: Context) -> list[str]:
    return list(dict.fromkeys(e.tool for e in ctx.project.matches))


def find_native_seeds(ctx: Context, *, fixtures: Sequence[str] = ()) -> list[NativeSeed]:
    """The project's own seeds, in the order they would run; nothing found is an empty list.

    ``fixtures`` names Django fixtures to load (instead of the project's configured list)."""
    root = ctx.project.root
    tools = _tools(ctx)
    if fixtures and "django" not in tools:
        raise ConfigError(
            "Fixtures are Django's: this project does not use Django"
            + (f" (it uses {', '.join(tools)})." if tools else "."),
            unchanged="Nothing was run.",
            next_step="Leave out --fixtures; the project's own seeds are found without it.",
        )
    found: list[NativeSeed] = []
    for tool in tools:
        if tool == "prisma":
            cmd = native_node.prisma_seed(root)
            if cmd is not None:
                shown = native_node.shown_argv(cmd.text)
                found.append(NativeSeed(tool, f"prisma db seed ({mask(cmd.text)})", shown, cmd.source))
        elif tool == "knex":
            found.extend(_knex_seed(ctx))
        elif tool == "django":
            named = native_django.fixtures_for(root, fixtures)
            if named:
                names, where = named
                command = ("python", "manage.py", "loaddata", *names)
                found.append(NativeSeed(tool, f"manage.py loaddata {' '.join(names)}", command, where))
        elif tool in SCRIPT_TOOLS:
            script = native_node.seed_script(root)
            if script and not any(s.command == ("npm", "run", script) for s in found):
                found.append(
                    NativeSeed(tool, f"npm run {script}", ("npm", "run", script), f"package.json scripts.{script}")
                )
    return found


def _knex_seed(ctx: Context) -> list[NativeSeed]:
    from ..adapters.knex import files as kf

    root = ctx.project.root
    folder, named = kf.seeds_directory(root)
    if not kf.list_seed_files(folder):
        return []
    rel = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
    source = "knexfile seeds.directory" if named else "Knex's default seeds directory"
    return [NativeSeed("knex", f"knex seed:run ({rel}/)", ("knex", "seed:run"), source)]


def run_native_seed(seed: NativeSeed, ctx: Context) -> NativeSeedRun:
    """Run one seed against the context's environment; a seed that fails is returned, not raised.

    Raises only when the seed cannot start (tool missing, seed changed since the preview)."""
    env = ctx.require_environment()
    url = str.__str__(env.url or "")
    _register_password(url)
    started = time.perf_counter()
    if seed.tool == "knex":
        from ..adapters.knex.adapter import KnexAdapter

        run = KnexAdapter(ctx.project.root).run_seeds(ctx.database())
        code, output = run.returncode, _without_wrapper_note(run.output)
    elif seed.tool == "prisma":
        run = native_node.run_prisma_seed(ctx, seed.command)
        code, output = run.returncode, run.output
    elif seed.tool == "django":
        proc = native_django.loaddata(ctx.project.root, url, seed.command[3:])
        code = proc.returncode
        output = "\n".join(t for t in (proc.stdout.strip(), proc.stderr.strip()) if t)
    elif seed.tool in SCRIPT_TOOLS:
        run = native_node.run_script(ctx, seed.command[-1])
        code, output = run.returncode, run.output
    else:
        raise ProjectError(
            f"dbm does not run {seed.tool}'s own seeds.",
            unchanged="Nothing was run.",
            next_step="Run the tool's seed command yourself, or use dbm's seed folder.",
        )
    return NativeSeedRun(seed, code, mask(output), time.perf_counter() - started)


def _without_wrapper_note(output: str) -> str:
    """Knex's "Working directory changed to <our temporary wrapper folder>": true, but not the project's."""
    return "\n".join(ln for ln in output.splitlines() if not ln.startswith("Working directory changed to "))


def _register_password(url: str) -> None:
    """The password is masked wherever the tool echoes it (a driver's error message), not only in URLs."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        register_secret(make_url(url).password)
    except (ArgumentError, ValueError):
        pass
