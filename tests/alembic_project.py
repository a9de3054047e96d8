"""Build real Alembic projects for tests and benchmarks, with Alembic's own commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def init(root: Path, url: str) -> Path:
    """``alembic init`` (the real CLI), then point alembic.ini at ``url``."""
    root.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([sys.executable, "-m", "alembic", "init", "alembic"], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    ini = root / "alembic.ini"
    text = ini.read_text()
    text = re.sub(r"^sqlalchemy\.url = .*$", "sqlalchemy.url = " + url.replace("%", "%%"), text, flags=re.M)
    ini.write_text(text)
    return root


def config(root: Path):
    from alembic.config import Config

    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "alembic"))
    return cfg


def revision(
    root: Path,
    rev_id: str,
    message: str,
    *,
    head: str = "head",
    up: str | None = None,
    down: str | None = None,
    splice: bool = False,
    branch_label: str | None = None,
    depends_on: str | None = None,
) -> Path:
    """``alembic revision`` through Alembic's command API, then give it ``op.execute`` bodies."""
    from alembic import command

    script = command.revision(
        config(root), message, rev_id=rev_id, head=head, splice=splice, branch_label=branch_label, depends_on=depends_on
    )
    path = Path(script.path)
    if up is not None:
        set_bodies(path, up, down)
    return path


def merge(root: Path, rev_id: str, revisions: list[str], message: str = "merge") -> Path:
    from alembic import command

    script = command.merge(config(root), revisions, message=message, rev_id=rev_id)
    return Path(script.path)


def set_bodies(path: Path, up: str, down: str | None) -> None:
    """Give the template's upgrade()/downgrade() an ``op.execute`` body (replacing a previous one)."""
    import ast

    from dbmigrate_magic.adapters.alembic.run import fill_function

    text = path.read_text()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    for node in reversed(tree.body):  # back to the template's ``pass`` first
        if isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
            last = node.body[-1]
            if not isinstance(last, ast.Pass) and len(node.body) > 1:
                lines[last.lineno - 1 : last.end_lineno] = [" " * last.col_offset + "pass\n"]
    path.write_text("".join(lines))
    fill_function(path, "upgrade", up)
    fill_function(path, "downgrade", down)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The real ``alembic`` command line in ``root``."""
    out = subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr + out.stdout
    return out


def history_revisions(root: Path) -> list[str]:
    """Revision ids in ``alembic history`` output (newest first, as Alembic prints them)."""
    revs = []
    for line in cli(root, "history").stdout.splitlines():
        m = re.search(r"-> (\w+)", line)
        if m:
            revs.append(m.group(1))
    return revs


def current_heads(root: Path) -> set[str]:
    """Revision ids ``alembic current`` prints."""
    out = cli(root, "current").stdout
    return {m.group(1) for m in re.finditer(r"^(\w+)(?: \(.*\))?\s*$", out, flags=re.M)}


def alembic_applied(root: Path, heads: set[str]) -> set[str]:
    """What Alembic itself says is applied for those heads: its ancestors, via ScriptDirectory."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config(root))
    if not heads:
        return set()
    return {s.revision for s in script.iterate_revisions(tuple(heads), "base")}
