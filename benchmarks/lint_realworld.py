"""Lint findings per rule on real public projects' PostgreSQL migration folders (issue 17).

    PYTHONPATH=$PWD python benchmarks/lint_realworld.py PROJECTS [--baseline OTHER_CHECKOUT]
        [--show RULE] [--project NAME]

PROJECTS holds one folder per project (a local copy of its repository's migration folder and
tool config, e.g. extracted with ``benchmarks/realworld.py --extract``); nothing of theirs is kept
in this repository. Every ``*.sql`` file under a folder named ``*migrations*`` is linted the way a
user lints it in CI: ``dbm lint FILES --format json --dialect postgresql`` run from the project's
folder, so a file the detected tool runs in a transaction, or with a down part, is linted as the
tool runs it. The table counts findings per rule and project; ``--baseline`` adds the counts of
another checkout of this repository (before/after a change), ``--show RULE`` lists that rule's
findings (file:line and the statement's first line) for checking them by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def migration_files(project: Path) -> list[Path]:
    """The project's migration SQL: ``*.sql`` under a folder whose name contains "migrations"."""
    return sorted(
        p for p in project.rglob("*.sql") if any("migrations" in part for part in p.relative_to(project).parts[:-1])
    )


def lint(checkout: Path, project: Path, files: list[Path]) -> list[dict]:
    """``dbm lint`` of ``files`` from ``project``'s folder, with the code of ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    cmd = [sys.executable, "-m", "dbmigrate_magic", "lint", "--format", "json", "--dialect", "postgresql"]
    proc = subprocess.run(
        cmd + [str(f.relative_to(project)) for f in files], cwd=project, env=env, capture_output=True, text=True
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"dbm lint failed in {project} ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return json.loads(proc.stdout or "[]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", type=Path)
    ap.add_argument("--baseline", type=Path, help="another checkout of this repository, counted alongside")
    ap.add_argument("--show", metavar="RULE", help="list this rule's findings")
    ap.add_argument("--project", default="", help="only projects whose folder name contains this")
    a = ap.parse_args()
    projects = [p for p in sorted(a.projects.iterdir()) if p.is_dir() and a.project in p.name]
    per_rule: dict[str, Counter] = {}
    before: Counter = Counter()
    totals: Counter = Counter()
    for project in projects:
        files = migration_files(project)
        if not files:
            continue
        found = lint(REPO, project, files)
        print(f"{project.name}: {len(files)} files, {len(found)} findings", file=sys.stderr)
        for f in found:
            per_rule.setdefault(f["rule"], Counter())[project.name] += 1
            totals[f["rule"]] += 1
            if f["rule"] == a.show:
                first = f["statement"].splitlines()[0][:110]
                print(f"  {project.name}/{f['file']}:{f['line']}  {first}")
        if a.baseline:
            before.update(f["rule"] for f in lint(a.baseline, project, files))
    names = [p.name for p in projects]
    short = {n: n.split("__")[-1][:12] for n in names}
    head = f"{'rule':42} {'total':>6}" + (f" {'before':>6}" if a.baseline else "")
    print(head + "".join(f" {short[n]:>12}" for n in names))
    for rule in sorted(set(totals) | set(before), key=lambda r: (-totals[r], r)):
        line = f"{rule:42} {totals[rule]:>6}" + (f" {before[rule]:>6}" if a.baseline else "")
        print(line + "".join(f" {per_rule.get(rule, Counter())[n]:>12}" for n in names))
    print(f"{'all':42} {sum(totals.values()):>6}" + (f" {sum(before.values()):>6}" if a.baseline else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
