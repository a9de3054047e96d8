"""Parameters several verbs share: their types, help and spelling, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from ..argspec import Arg
from ..errors import UsageProblem

PathLike = str | Path | None
_FOLDER = "project folder (default: here, walking up to the repository root)"
#: the project, as ``--project`` (positional parameters too: ``new NAME --project P``)
Project = Annotated[PathLike, Arg(help=_FOLDER, flag="--project")]
#: the project, as a positional ``PATH`` or ``--project``
Where = Annotated[PathLike, Arg(help=_FOLDER, flag="--project", also_positional=True)]
Env = Annotated[str | None, Arg(help="environment name (see `env`) or a database URL")]
DryRun = Annotated[bool, Arg(help="show the preview and exit; nothing runs")]
Yes = Annotated[bool, Arg(help="confirm (non-production environments)", group="confirmation")]
Confirm = Annotated[
    str | None,
    Arg(
        help="confirm by typing the target environment's name back (required in production)",
        metavar="ENVNAME",
        group="confirmation",
    ),
]
NoBackup = Annotated[
    bool, Arg(help="in production, skip the automatic backup before running (the decline is recorded)")
]
App = Annotated[
    str | None,
    Arg(help="where a new migration goes when the project has several migration folders (a Django app label)"),
]
DIALECTS = ("postgresql", "mysql", "sqlite")
BackupDir = Annotated[
    PathLike, Arg(help="backup folder (default: $DBM_BACKUP_DIR or <project>/.dbm/backups)", flag="--dir")
]
#: the fleet file (``--fleet`` alone: ``fleet.toml`` in the project); the verb runs on every target
Fleet = Annotated[
    PathLike,
    Arg(help="run on every target of a fleet file (default: fleet.toml in the project)", metavar="FILE",
        const="fleet.toml"),
]  # fmt: skip
Parallel = Annotated[
    int | None, Arg(help="with --fleet: at most K targets at a time (default: 4 reading, 1 changing)", metavar="K")
]
Canary = Annotated[
    int | None,
    Arg(help="with --fleet: run the first N pending targets alone first, stop unless all succeed", metavar="N"),
]
KeepGoing = Annotated[bool, Arg(help="with --fleet: keep starting targets after one failed")]
Unsafe = Annotated[bool, Arg(help="include destructive statements (drops, narrowing)")]


def _at_most_one(**given: object) -> None:
    """Refuse two options that exclude each other (the CLI's parser refuses them first)."""
    named = [name for name, value in given.items() if value not in (None, False)]
    if len(named) > 1:
        raise UsageProblem(f"{' and '.join(named)} exclude each other.", next_step=f"Give one of {', '.join(given)}.")


def _fleet_only(fleet: object, **given: object) -> None:
    """Refuse fleet options without ``--fleet`` (they would be silently ignored)."""
    named = [name for name, value in given.items() if value not in (None, False, 0)]
    if named and fleet is None:
        flags = ", ".join("--" + n.replace("_", "-") for n in named)
        raise UsageProblem(f"{flags} go with --fleet.", next_step="Add --fleet [FILE], or drop them.")
    parallel, canary = given.get("parallel"), given.get("canary")
    if isinstance(parallel, int) and parallel < 1 or isinstance(canary, int) and canary < 0:
        raise UsageProblem("--parallel must be 1 or more and --canary 0 or more.", next_step="e.g. --parallel 4.")
