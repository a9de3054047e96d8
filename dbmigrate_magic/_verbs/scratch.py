"""``scratch``: list the scratch databases dbm made on a server; ``--clean`` drops stale ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import dbmigrate_magic.scratch as scratch_db

from ..results import Result
from . import context


@dataclass(frozen=True, repr=False)
class ScratchResult(Result):
    title: ClassVar[str] = "dbm scratch"

    server: str  # masked
    found: tuple[str, ...]
    stale: tuple[str, ...]
    dropped: tuple[str, ...]

    def summary_lines(self) -> list[str]:
        lines = [f"{len(self.found)} scratch databases on {self.server}; {len(self.stale)} stale"]
        if self.dropped:
            lines.append(f"Dropped: {', '.join(self.dropped)}")
        elif self.stale:
            lines.append("Run `dbm scratch --clean` to drop the stale ones.")
        return lines

    def table(self) -> list[dict[str, Any]]:
        return [{"name": n, "stale": n in self.stale, "dropped": n in self.dropped} for n in self.found]


def scratch(
    project: str | Path | None = None, env: str | None = None, clean: bool = False, everything: bool = False
) -> ScratchResult:
    ctx = context.resolve(project, env)
    environment = ctx.require_environment()
    url = environment.url or ""
    found = scratch_db.list_scratch(url)
    stale = scratch_db.stale(found)
    dropped = scratch_db.clean_scratch(url, everything) if clean else []
    return ScratchResult(environment.masked_url or "", tuple(found), tuple(stale), tuple(dropped))
