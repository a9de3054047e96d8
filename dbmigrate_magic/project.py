"""Finding the project: its root folder, the migration tool(s) it uses, and a recommendation
when it uses none."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .adapters import Adapter, Evidence, all_adapter_classes
from .adapters._files import read_text
from .errors import ProjectError


def candidate_roots(start: Path) -> list[Path]:
    """``start`` and its parents up to the repository root (the first folder holding ``.git``)."""
    start = start.resolve()
    chain = [start, *start.parents]
    for i, folder in enumerate(chain):
        if (folder / ".git").exists():
            return chain[: i + 1]
    return [start]


def detect_in(root: Path) -> tuple[list[Evidence], list[str]]:
    """Every tool whose signals match in ``root``, in detection order, and notes on decoys."""
    matches: list[Evidence] = []
    notes: list[str] = []
    for cls in all_adapter_classes():
        evidence = cls.detect(root)
        if evidence is not None:
            matches.append(evidence)
        for hook in ("decoy_note", "ignored_folder_note"):
            fn = getattr(cls, hook, None)
            note = fn(root) if fn else None
            if note:
                notes.append(note)
    return matches, notes


def recommend(root: Path) -> tuple[str, str]:
    """A tool to adopt, judged from the files present, with the reason."""
    settings = list(root.glob("settings.py")) + list(root.glob("*/settings.py"))
    manage = root / "manage.py"
    if settings or (manage.is_file() and "django" in read_text(manage).lower()):
        return "django", "Django settings found: use Django's own migrations (manage.py makemigrations)."
    package = root / "package.json"
    if package.is_file():
        text = read_text(package)
        lang = "TypeScript" if ("typescript" in text or list(root.glob("tsconfig*.json"))) else "JavaScript"
        return "drizzle", f"package.json found ({lang} project): Drizzle (drizzle-kit) fits it best."
    for name in ("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "Pipfile"):
        if (root / name).is_file():
            return "alembic", f"{name} found (Python project): Alembic is the standard choice."
    return "rawsql", "No project files found: start with plain SQL files in migrations/ (dbm new NAME)."


@dataclass(frozen=True)
class Project:
    root: Path
    matches: tuple[Evidence, ...]
    notes: tuple[str, ...] = ()

    @property
    def tool(self) -> str | None:
        return self.matches[0].tool if self.matches else None

    @property
    def evidence(self) -> Evidence | None:
        return self.matches[0] if self.matches else None

    @cached_property
    def adapter(self) -> Adapter:
        if not self.matches:
            raise ProjectError(
                f"No migration tool was found in {self.root}.",
                next_step="Run `dbm detect` for a recommendation, or pass --project PATH.",
            )
        from .adapters import adapter_class

        return adapter_class(self.matches[0].tool)(self.root, self.matches[0])


def find_project(path: str | Path | None = None) -> Project:
    """The project at ``path`` (or the working folder), walking up to the repository root."""
    start = Path(path) if path else Path.cwd()
    if not start.exists():
        raise ProjectError(f"The folder {start} does not exist.", next_step="Pass an existing folder as PATH.")
    if start.is_file():
        start = start.parent
    roots = candidate_roots(start)
    for root in roots:
        matches, notes = detect_in(root)
        if matches:
            return Project(root, tuple(matches), tuple(notes))
    # nothing found: report (and recommend) from the repository root, where package.json & co. live
    _, notes = detect_in(roots[-1])
    return Project(roots[-1], (), tuple(notes))
