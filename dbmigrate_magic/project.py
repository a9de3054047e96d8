"""Finding the project: its root folder, the migration tool(s) it uses, and a recommendation
when it uses none."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .adapters import RECOMMENDATION_ORDER, TOOL_IDS, Adapter, Evidence, adapter_class, all_adapter_classes
from .adapters._files import read_once
from .errors import ProjectError
from .project_markers import candidate_roots


@read_once()
def detect_in(
    root: Path, known: Evidence | None = None, absent: frozenset[str] = frozenset()
) -> tuple[list[Evidence], list[str]]:
    """Every tool whose signals match in ``root``, in detection order, and notes on decoys.
    ``known``: a match already found there (its tool is not asked again); ``absent``: tools already
    found not to match there (not asked again either: asking reads their migration files)."""
    matches: list[Evidence] = []
    notes: list[str] = []
    for cls in all_adapter_classes():
        if cls.tool in absent:
            evidence = None
        else:
            evidence = known if known is not None and known.tool == cls.tool else cls.detect(root)
        if evidence is not None:
            matches.append(evidence)
        note = cls.decoy_note(root)
        if note:
            notes.append(note)
    return prefer_specific(matches), notes


def first_match(root: Path) -> Evidence | None:
    """``detect_in(root)``'s first match, found without running (or importing) the adapters after it."""
    return _first_detection(root)[0]


@read_once()
def _first_detection(root: Path) -> tuple[Evidence | None, tuple[list[Evidence], list[str]] | None]:
    """(first match, the full detection when finding the first match needed it, else None).

    The verbs that use only the chosen tool (``status`` above all) need no more than the first match,
    and every adapter imported and every migrations folder listed is time a status listing pays. A
    specific tool's match is final (``prefer_specific`` only drops generic formats); a generic one may
    still yield its folder to a later tool, so that case runs the full detection, which is handed back
    so the project never runs it twice (each run reads every migration file)."""
    from .project_markers import may_hold_project, may_match, root_names

    names = root_names(root)
    if not may_hold_project(root, names):
        return None, None
    absent: set[str] = set()
    for tool in TOOL_IDS:
        if not may_match(tool, names):  # none of its config files or folders: not even imported
            absent.add(tool)
            continue
        cls = adapter_class(tool)
        evidence = cls.detect(root)
        if evidence is None:
            absent.add(tool)
            continue
        if not cls.generic:
            return evidence, None
        matches, notes = detect_in(root, known=evidence, absent=frozenset(absent))
        return (matches[0] if matches else None), (matches, notes)
    return None, None


def prefer_specific(matches: list[Evidence]) -> list[Evidence]:
    """A generic format (raw SQL takes any ``*.sql``) never claims a folder whose files another
    tool's own naming claims as well: golang-migrate's ``1_init.up.sql`` beside one odd name is
    golang-migrate's folder, and writing there in raw SQL would leave its tracking table behind."""
    specific = {m.migrations_dir for m in matches if not adapter_class(m.tool).generic and m.migrations_dir}
    return [m for m in matches if not (adapter_class(m.tool).generic and m.migrations_dir in specific)]


#: folders never searched for workspace projects: dependencies, environments, build output, VCS
SKIP_DIRS = frozenset(
    {"node_modules", "venv", "env", "dist", "build", "out", "target", "vendor", "__pycache__", "site-packages"}
)
MAX_DEPTH = 3
MAX_FOLDERS = 2000


def owned_paths(root: Path, evidence: Evidence | None) -> list[Path]:
    """The files and folders a root's own project uses (its evidence and migrations folders)."""
    if evidence is None:
        return []
    names = [f.split(" (")[0] for f in evidence.files]
    names += [d for d in (evidence.migrations_dir or "").split(", ") if d]
    return [(root / n).resolve() for n in names if n and not n.endswith("/")] + [
        (root / n.rstrip("/")).resolve() for n in names if n.endswith("/")
    ]


def projects_below(root: Path, evidence: Evidence | None = None) -> list[tuple[Path, Evidence]]:
    """Migration projects in folders below ``root`` (a monorepo's workspace packages such as
    ``packages/db``), each with the tool that matched first; a project's own subfolders are not
    searched further, nor the folders the root's own project (``evidence``) uses. Bounded in depth
    and in the number of folders looked at."""
    owned = owned_paths(root, evidence)
    found: list[tuple[Path, Evidence]] = []
    queue = [(root, 0)]
    seen = 0
    while queue and seen < MAX_FOLDERS:
        folder, depth = queue.pop(0)
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            continue
        for child in children:
            if child.name.startswith(".") or child.name in SKIP_DIRS:
                continue
            if any(p.is_relative_to(child.resolve()) for p in owned):
                continue
            seen += 1
            matches, _ = detect_in(child)
            if matches:
                found.append((child, matches[0]))
            elif depth + 1 < MAX_DEPTH:
                queue.append((child, depth + 1))
    return found


def recommend(root: Path) -> tuple[str, str]:
    """A tool to adopt, judged from the files present, with the reason: the first tool in
    ``RECOMMENDATION_ORDER`` whose adapter finds a reason (the last, our raw SQL, always does)."""
    for tool in RECOMMENDATION_ORDER:
        reason = adapter_class(tool).recommendation(root)
        if reason:
            return tool, reason
    raise AssertionError("the last tool in RECOMMENDATION_ORDER always has a reason")


@dataclass(frozen=True)
class Project:
    """A project root and the tools detected there. Built by ``find_project`` from the first match
    alone (``found`` None): every match and the detection notes are worked out on first use, so a
    verb that needs only the chosen tool never runs the other adapters."""

    root: Path
    #: every tool that matched, in detection order; None: only ``first`` is known yet
    found: tuple[Evidence, ...] | None
    found_notes: tuple[str, ...] = ()
    #: projects found in folders below the root when the root itself has none (a monorepo)
    below: tuple[tuple[Path, Evidence], ...] = ()
    #: the first match, when ``found`` is not worked out yet
    first: Evidence | None = None

    @cached_property
    def _detected(self) -> tuple[tuple[Evidence, ...], tuple[str, ...]]:
        if self.found is not None:
            return self.found, self.found_notes
        matches, notes = detect_in(self.root)
        return tuple(matches), (*notes, *self.found_notes)

    @property
    def matches(self) -> tuple[Evidence, ...]:
        return self._detected[0]

    @property
    def notes(self) -> tuple[str, ...]:
        return self._detected[1]

    @property
    def evidence(self) -> Evidence | None:
        if self.found is None:
            return self.first
        return self.found[0] if self.found else None

    @property
    def has_tool(self) -> bool:
        """Whether a tool was detected, known from the first match alone (``matches`` runs them all)."""
        return self.evidence is not None

    @property
    def tool(self) -> str | None:
        return self.evidence.tool if self.evidence else None

    @cached_property
    def adapter(self) -> Adapter:
        evidence = self.evidence
        if evidence is None and self.below:
            listed = "; ".join(f"{p.relative_to(self.root).as_posix()} ({e.tool})" for p, e in self.below)
            raise ProjectError(
                f"{self.root} holds {len(self.below)} migration projects: {listed}.",
                unchanged="Nothing was done.",
                next_step="Choose one with --project PATH (for example "
                f"--project {self.below[0][0].relative_to(self.root).as_posix()}).",
            )
        if evidence is None:
            raise ProjectError(
                f"No migration tool was found in {self.root}.",
                next_step="Run `dbm detect` for a recommendation, or pass --project PATH.",
            )
        return adapter_class(evidence.tool)(self.root, evidence)


def find_project(path: str | Path | None = None) -> Project:
    """The project at ``path`` (or the working folder), walking up to the repository root."""
    start = Path(path) if path else Path.cwd()
    if not start.exists():
        raise ProjectError(f"The folder {start} does not exist.", next_step="Pass an existing folder as PATH.")
    if start.is_file():
        start = start.parent
    roots = candidate_roots(start)
    for root in roots:
        first, detected = _first_detection(root)
        if first is not None and detected is not None:
            return Project(root, tuple(detected[0]), tuple(detected[1]))
        if first is not None:
            return Project(root, None, first=first)
    # nothing found: a monorepo's workspace packages below, else report (and recommend) from the
    # repository root, where package.json & co. live
    below = projects_below(start.resolve())
    if len(below) == 1:
        folder, _ = below[0]
        matches, notes = detect_in(folder)
        note = f"the only migration project below {start.resolve()} is {folder}"
        return Project(folder, tuple(matches), (*notes, note))
    if below:
        return Project(start.resolve(), (), (), tuple(below))
    _, notes = detect_in(roots[-1])
    return Project(roots[-1], (), tuple(notes))
