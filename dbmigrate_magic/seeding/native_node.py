"""The Node projects' own seed commands, read from package.json (and Prisma's prisma.config), and run.

Prisma's ``prisma db seed`` runs the ``prisma.seed`` command through a shell with the datasource's
variable set; we do the same without needing the Prisma CLI, so a project that pinned only
``@prisma/client`` seeds too. TypeORM and Drizzle have no seed command of their own: teams name one
in package.json ``scripts`` and run it with npm, which is what we run. In every case the selected
environment's URL reaches the command only through the variable its config reads (never argv).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..adapters._files import read_text
from ..adapters._jsconfig import exported_object
from ..adapters._node import ToolRun, node_url, run_tool
from ..errors import ProjectError, ToolMissing
from ..masking import mask

if TYPE_CHECKING:
    from ..context import Context

#: package.json script names teams give a seed, in the order we take the first present
SEED_SCRIPTS = ("seed", "db:seed", "seed:run")
PRISMA_CONFIGS = ("prisma.config.ts", "prisma.config.js", "prisma.config.mjs", "prisma.config.mts")
#: where the URL goes when the project's config names no variable of its own
DEFAULT_VARIABLE = "DATABASE_URL"


@dataclass(frozen=True)
class FoundCommand:
    """A seed command as written in the project (``text`` may hold anything; shown only masked)."""

    text: str
    source: str


def package_json(root: Path) -> dict:
    path = root / "package.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(read_text(path))
    except ValueError as exc:
        raise ProjectError(
            f"{path} is not valid JSON ({mask(exc)}), so its seed command cannot be read.",
            unchanged="Nothing was run.",
            next_step="Fix package.json (npm would refuse it too), then retry.",
        ) from None
    return data if isinstance(data, dict) else {}


def prisma_seed(root: Path) -> FoundCommand | None:
    """``prisma.seed`` in package.json, else ``migrations.seed`` of prisma.config (a string literal)."""
    prisma = package_json(root).get("prisma")
    if isinstance(prisma, dict) and isinstance(prisma.get("seed"), str) and prisma["seed"].strip():
        return FoundCommand(prisma["seed"].strip(), "package.json prisma.seed")
    for name in PRISMA_CONFIGS:
        path = root / name
        if not path.is_file():
            continue
        exported = exported_object(read_text(path))
        migrations = exported.get("migrations") if isinstance(exported, dict) else None
        seed = migrations.get("seed") if isinstance(migrations, dict) else None
        if isinstance(seed, str) and seed.strip():
            return FoundCommand(seed.strip(), f"{name} migrations.seed")
    return None


def seed_script(root: Path) -> str | None:
    """The first of ``seed``, ``db:seed``, ``seed:run`` in package.json ``scripts``."""
    scripts = package_json(root).get("scripts")
    if not isinstance(scripts, dict):
        return None
    return next((n for n in SEED_SCRIPTS if isinstance(scripts.get(n), str) and scripts[n].strip()), None)


def shown_argv(command: str) -> tuple[str, ...]:
    """The command as argv for display, masked (a literal URL in a script stays hidden)."""
    text = mask(command)
    try:
        return tuple(shlex.split(text))
    except ValueError:  # unbalanced quotes: the shell would say so when it runs
        return (text,)


def url_variables(ctx: Context) -> dict[str, str]:
    """The selected environment's URL, in the form Node drivers take, under each variable the
    project's config reads (Prisma's ``env("X")``, ``process.env.X``), else ``DATABASE_URL``."""
    env = ctx.require_environment()
    conn = node_url(str.__str__(env.url or ""), env.dialect or "")
    value = conn.url or f"file:{conn.database}"
    if env.schema and conn.url:  # Prisma's ?schema=, kept aside from our own URL
        value += ("&" if "?" in value else "?") + f"schema={env.schema}"
    names = ctx.project.adapter.preferred_variables() if ctx.project.has_tool else ()
    return {name: value for name in (names or (DEFAULT_VARIABLE,))}


def bin_path(root: Path) -> str:
    """PATH with every ``node_modules/.bin`` from ``root`` upwards first, as npm scripts and npx have it."""
    bins = [str(d / "node_modules" / ".bin") for d in (root.resolve(), *root.resolve().parents)]
    return os.pathsep.join([*(b for b in bins if os.path.isdir(b)), os.environ.get("PATH", "")])


def run_prisma_seed(ctx: Context, shown: tuple[str, ...]) -> ToolRun:
    """The ``prisma.seed`` command through a shell, as ``prisma db seed`` runs it."""
    root = ctx.project.root
    found = prisma_seed(root)
    if found is None or shown_argv(found.text) != shown:
        raise ProjectError(
            "The Prisma seed command changed since the preview.",
            unchanged="Nothing was run.",
            next_step="Preview the seed again (`dbm seed`) and confirm what it shows.",
        )
    shell = shutil.which("sh")
    if shell is None:
        raise ToolMissing("No shell (sh) was found to run the Prisma seed command.", next_step="Install a POSIX sh.")
    env = {**url_variables(ctx), "PATH": bin_path(root)}
    return run_tool(Path(shell), ["-c", found.text], cwd=root, env=env, what="The Prisma seed command", check=False)


def run_script(ctx: Context, script: str) -> ToolRun:
    """``npm run SCRIPT`` in the project, with the URL in the variable its config reads."""
    npm = shutil.which("npm")
    if npm is None:
        raise ToolMissing(
            f"npm was not found on PATH, so the `{script}` script cannot run.",
            unchanged="Nothing was run and the database was not touched.",
            next_step="Install Node.js (it brings npm), then retry.",
        )
    env = url_variables(ctx)
    return run_tool(Path(npm), ["run", script], cwd=ctx.project.root, env=env, what=f"npm run {script}", check=False)
