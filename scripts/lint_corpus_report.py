"""Precision and recall per lint rule over tests/lint_corpus, and squawk's on the same
PostgreSQL files (when the ``squawk`` binary is on PATH or in this Python's bin folder).

    python scripts/lint_corpus_report.py [--no-squawk]

A case counts for a rule when the rule is expected (positive) or reported (predicted) in that file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dbmigrate_magic.safety.lint import all_rules, lint_sql  # noqa: E402
from tests.lint_corpus.cases import all_cases  # noqa: E402


def squawk_binary() -> str | None:
    local = Path(sys.executable).parent / "squawk"
    return str(local) if local.exists() else shutil.which("squawk")


def squawk_rules(binary: str, case) -> set[str]:
    cmd = [binary, "--reporter", "json"]
    if case.pg_version:
        cmd.append(f"--pg-version={case.pg_version if '.' in case.pg_version else case.pg_version + '.0'}")
    if case.in_transaction:
        cmd.append("--assume-in-transaction")
    out = subprocess.run(cmd + [str(case.path)], capture_output=True, text=True)
    try:
        found = {f["rule_name"] for f in json.loads(out.stdout or "[]")}
    except json.JSONDecodeError:
        return {"unparseable-statement"}
    if case.session_timeouts:
        found -= {"require-lock-timeout", "require-statement-timeout", "require-timeout-settings"}
    aliases = {"syntax-error": "unparseable-statement", "require-timeout-settings": "require-lock-timeout"}
    return {aliases.get(r, r) for r in found}


def score(cases, predict) -> dict[str, Counter]:
    stats: dict[str, Counter] = {}
    for case in cases:
        got = predict(case)
        for rule in case.expect | got:
            c = stats.setdefault(rule, Counter())
            if rule in case.expect and rule in got:
                c["tp"] += 1
            elif rule in got:
                c["fp"] += 1
            else:
                c["fn"] += 1
    return stats


def fmt(c: Counter | None) -> tuple[str, str]:
    if not c:
        return "-", "-"
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return f"{p:.2f}", f"{r:.2f}"


def main() -> int:
    cases = all_cases()
    ours = score(
        cases,
        lambda c: {
            f.rule
            for f in lint_sql(
                c.sql,
                c.dialect,
                pg_version=c.pg_version,
                in_transaction=c.in_transaction,
                session_timeouts=c.session_timeouts,
            )
        },
    )
    binary = None if "--no-squawk" in sys.argv else squawk_binary()
    rules = all_rules()
    pg_cases = [c for c in cases if c.dialect == "postgresql"]
    theirs = score(pg_cases, lambda c: squawk_rules(binary, c) & set(rules)) if binary else {}
    print(f"{len(cases)} cases ({Counter(c.dialect for c in cases)}); squawk: {binary or 'not run'}")
    print(f"{'rule':46} {'dialects':22} {'cases':>5} {'prec':>5} {'recall':>6}   {'squawk prec':>11} {'recall':>6}")
    for rid in sorted(rules, key=lambda r: (rules[r].dialects, r)):
        c = ours.get(rid)
        n = sum(c.values()) if c else 0
        p, r = fmt(c)
        sp, sr = (
            fmt(theirs.get(rid)) if binary and "postgresql" in rules[rid].dialects and rules[rid].squawk else ("", "")
        )
        print(f"{rid:46} {','.join(rules[rid].dialects)[:22]:22} {n:>5} {p:>5} {r:>6}   {sp:>11} {sr:>6}")
    total = sum((c for c in ours.values()), Counter())
    p, r = fmt(total)
    print(f"{'ALL':46} {'':22} {sum(total.values()):>5} {p:>5} {r:>6}", end="")
    if binary:
        squawk_total = sum((c for rid, c in theirs.items() if rid in rules and rules[rid].squawk), Counter())
        ours_pg = sum(
            (
                c
                for rid, c in score(
                    pg_cases,
                    lambda c: {
                        f.rule
                        for f in lint_sql(
                            c.sql,
                            c.dialect,
                            pg_version=c.pg_version,
                            in_transaction=c.in_transaction,
                            session_timeouts=c.session_timeouts,
                        )
                    },
                ).items()
                if rules[rid].squawk
            ),
            Counter(),
        )
        print(
            f"   squawk-named rules on PostgreSQL cases: ours {'/'.join(fmt(ours_pg))}, "
            f"squawk {'/'.join(fmt(squawk_total))} (precision/recall)"
        )
    else:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
