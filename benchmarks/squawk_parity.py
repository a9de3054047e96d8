"""Precision and recall of our PostgreSQL lint against squawk's own per-rule test cases.

    python benchmarks/squawk_parity.py PATH/TO/squawk [--no-squawk] [--show-misses] [--rule RULE]

PATH is a local copy of squawk's repository (``git clone https://github.com/sbdchd/squawk`` at the
release matching the ``squawk`` binary in use; nothing of it is kept in this repository). The script
reads ``crates/squawk_linter/src/rules/*.rs``: each ``#[test]`` function holds a SQL string and a call
``lint_ok`` / ``lint_errors`` / ``lint_ok_with`` / ``lint_errors_with`` / ``fix_sql`` naming the rule
under test (with an optional PostgreSQL version and ``assume_in_transaction``). The expected number
of findings comes from the test's insta snapshot (``snapshots/*.snap``, one ``warning[rule]`` per
finding); an ``lint_ok`` case expects none. Tests whose SQL is built at run time (``format!``) are
skipped and counted.

For every case both linters run with the same settings, counting only the rule under test:
ours in-process (``lint_sql(..., include=[rule])``), squawk as a subprocess
(``squawk --reporter json``). Scores, per finding: true positives = min(expected, reported),
false positives = reported beyond expected, false negatives = expected beyond reported. A
case-level score (rule reported at all vs expected at all) is printed too.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dbmigrate_magic.errors import UsageProblem  # noqa: E402
from dbmigrate_magic.safety.lint import lint_sql  # noqa: E402

CALLS = ("lint_errors_with", "lint_ok_with", "lint_errors", "lint_ok", "fix_sql_with", "fix_sql", "fix", "lint")
AT_LEAST_ONE = -1  # a fix test: squawk asserts findings exist, its snapshot shows the fixed SQL
SQUAWK_DEFAULT_PG = "15"
DEBUG = False
OPT_IN = {"require-table-schema"}


@dataclass
class Case:
    rule: str
    name: str  # module::test
    sql: str
    expected: int  # findings of ``rule`` squawk's test expects
    pg_version: str
    in_transaction: bool
    valid: bool = True  # PostgreSQL's own parser (libpg_query) accepts the SQL


def rule_names(src: Path) -> dict[str, str]:
    """``Rule::BanDropColumn`` -> ``ban-drop-column``, from lib.rs's Display mapping."""
    text = (src / "lib.rs").read_text()
    return dict(re.findall(r'Rule::(\w+)\s*=>\s*\{?\s*"([a-z0-9-]+)"', text))


def _string_end(text: str, i: int) -> tuple[int, str] | None:
    """If a Rust string literal starts at ``i``: (index after it, its value)."""
    m = re.match(r'r(#*)"', text[i:])
    if m:
        close = '"' + m.group(1)
        j = text.index(close, i + len(m.group(0)))
        return j + len(close), text[i + len(m.group(0)) : j]
    if text[i] == '"':
        j = i + 1
        while text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        raw = text[i + 1 : j]
        return j + 1, raw.encode().decode("unicode_escape")
    return None


def _close(text: str, i: int, opening: str, closing: str) -> int:
    """Index just after the bracket closing the one before ``i``; strings, chars and comments are skipped."""
    depth = 1
    while depth:
        char = re.match(r"'(\\.|[^'\\])'", text[i : i + 4])
        if char:  # a char literal such as '"' or '{'
            i += len(char.group(0))
            continue
        if text.startswith("//", i):  # a line comment
            i = text.index("\n", i)
            continue
        lit = _string_end(text, i) if text[i] in 'r"' and (text[i] == '"' or text[i - 1] in " (=@\n") else None
        if lit:
            i = lit[0]
            continue
        depth += {opening: 1, closing: -1}.get(text[i], 0)
        i += 1
    return i


def _fn_bodies(text: str):
    """(name, body) of every ``#[test] fn`` in a Rust file."""
    for m in re.finditer(r"#\[test\]\s*(?:#\[[^\]]*\]\s*)*fn\s+(\w+)\s*\(\)\s*\{", text):
        yield m.group(1), text[m.end() : _close(text, m.end(), "{", "}") - 1]


def _snapshot_count(snapdir: Path, module: str, test: str, nth: int, rule: str) -> int | None:
    suffix = "" if nth == 0 else f"-{nth + 1}"
    snap = snapdir / f"squawk_linter__rules__{module}__test__{test}{suffix}.snap"
    if not snap.exists():
        return None
    body = snap.read_text().split("---", 2)[-1]
    return body.count(f"[{rule}]") or None


def read_cases(repo: Path) -> tuple[list[Case], Counter]:
    src = repo / "crates" / "squawk_linter" / "src"
    names = rule_names(src)
    cases: list[Case] = []
    skipped: Counter = Counter()
    for path in sorted((src / "rules").glob("*.rs")):
        text = path.read_text()
        if "mod test" not in text:
            continue
        first = re.search(r"Rule::(\w+)", text)
        module_rule = first.group(1) if first else ""
        text = text[text.index("mod test") :]
        # local helpers such as ``fn fix(sql: &str) -> String { fix_sql(sql, Rule::X) }`` fix the rule
        helpers = {
            h.group(1): (h.group(3), h.group(2))
            for h in re.finditer(r"fn (\w+)\(sql: &str[^)]*\)[^{]*\{([^}]*?)Rule::(\w+)", text)
        }
        # helpers such as ``fn pg19() -> LinterSettings { LinterSettings { pg_version: "19"... } }``
        settings = {
            h.group(1): h.group(2)
            for h in re.finditer(r"fn (\w+)\(\)\s*->\s*LinterSettings\s*\{(.*?)\n    \}", text, re.S)
        }
        for test, body in _fn_bodies(text):
            used = body + "".join(h[1] for k, h in helpers.items() if re.search(rf"\b{k}\(", body))
            body_settings = used + "".join(v for k, v in settings.items() if re.search(rf"\b{k}\(\)", used))
            pg = re.search(r'pg_version:\s*"([\d.]+)"', body_settings)
            in_tx = bool(re.search(r"assume_in_transaction:\s*true", body_settings))
            sql_value: str | None = None
            snaps = 0
            i = 0
            found = False
            while i < len(body):
                m = re.compile(r"let\s+sql\s*=\s*|\b(" + "|".join(CALLS) + r")\(").search(body, i)
                if not m:
                    break
                if m.group(1) is None:  # let sql = ...
                    lit = _string_end(body, m.end())
                    sql_value = lit[1] if lit else None
                    if lit is None:
                        skipped["sql built at run time"] += 1
                    i = lit[0] if lit else m.end()
                    continue
                call = m.group(1)
                close = _close(body, m.end(), "(", ")") - 1
                args = body[m.end() : close + 1]
                start = m.end() + len(body[m.end() :]) - len(body[m.end() :].lstrip())
                lit = _string_end(body, start) if body[start] in 'r"' else None
                sql = lit[1] if lit else sql_value
                rm = re.search(r"Rule::(\w+)", args)
                i = close + 1
                rule = names.get(
                    rm.group(1) if rm else helpers.get(call, (module_rule, ""))[0], ""
                )  # a local helper fixes the module's rule
                if sql is None or not rule:
                    skipped["unreadable call"] += 1
                    continue
                found = True
                inline = re.match(r"\s*,\s*@", body[close + 1 :])
                if call.startswith("lint_ok"):
                    expected = 0
                elif call.startswith("fix"):
                    expected = AT_LEAST_ONE
                elif inline:  # an inline snapshot: assert_snapshot!(lint_errors(..), @"...")
                    snap = _string_end(body, close + 1 + inline.end())
                    expected = (snap[1].count(f"[{rule}]") if snap else 0) or 1
                else:
                    count = _snapshot_count(src / "rules" / "snapshots", path.stem, test, snaps, rule)
                    snaps += 1
                    expected = count or 1
                cases.append(
                    Case(rule, f"{path.stem}::{test}", sql, expected, pg.group(1) if pg else SQUAWK_DEFAULT_PG, in_tx)
                )
            if not found:
                skipped["no lint call"] += 1
                if DEBUG:
                    print("no call", path.stem, test, body[:300])
    from pglast.parser import ParseError, parse_sql_json

    for case in cases:
        try:
            parse_sql_json(case.sql)
        except ParseError:
            case.valid = False
    return cases, skipped


def ours(case: Case) -> int:
    rules = ["require-lock-timeout", "require-statement-timeout"] if case.rule == "require-timeout-settings" else []
    try:
        found = lint_sql(case.sql, "postgresql", case.pg_version, case.in_transaction, include=rules or [case.rule])
    except UsageProblem:  # a rule id we do not have
        return 0
    if rules:  # squawk's require-timeout-settings: one finding per statement missing either timeout
        return len({f.line for f in found if f.rule in rules})
    return sum(1 for f in found if f.rule == case.rule)


def squawk(binary: str, case: Case, tmp: Path) -> int:
    f = tmp / "case.sql"
    f.write_text(case.sql)
    cmd = [binary, "--reporter", "json", f"--pg-version={case.pg_version}"]
    if case.in_transaction:
        cmd.append("--assume-in-transaction")
    if case.rule in OPT_IN:
        cmd.append(f"--include={case.rule}")
    out = subprocess.run(cmd + [str(f)], capture_output=True, text=True, cwd=tmp)
    found = json.loads(out.stdout or "[]")
    if case.rule == "require-timeout-settings":
        names = {"require-lock-timeout", "require-statement-timeout", case.rule}
        return len({(v["line"], v["column"]) for v in found if v["rule_name"] in names})
    return sum(1 for v in found if v["rule_name"] == case.rule)


def score(cases: list[Case], got: list[int]) -> tuple[Counter, Counter]:
    per_finding: Counter = Counter()
    per_case: Counter = Counter()
    for case, n in zip(cases, got):
        want = case.expected
        if want == AT_LEAST_ONE:
            want = n = min(n, 1)
            want = 1
        per_finding["tp"] += min(want, n)
        per_finding["fp"] += max(0, n - want)
        per_finding["fn"] += max(0, want - n)
        key = {(True, True): "tp", (False, True): "fp", (True, False): "fn"}.get((case.expected != 0, n > 0))
        if key:
            per_case[key] += 1
    return per_finding, per_case


def pr(c: Counter) -> str:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return f"precision {p:.3f}  recall {r:.3f}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("squawk_repo", type=Path)
    ap.add_argument("--no-squawk", action="store_true", help="do not run the squawk binary")
    ap.add_argument("--show-misses", action="store_true", help="print every case where ours differs")
    ap.add_argument("--rule", help="only this rule's cases")
    args = ap.parse_args()
    cases, skipped = read_cases(args.squawk_repo)
    if args.rule:
        cases = [c for c in cases if c.rule == args.rule]
    if not cases:
        print(f"No squawk rule tests found under {args.squawk_repo}/crates/squawk_linter/src/rules.", file=sys.stderr)
        return 2
    print(f"squawk cases: {len(cases)} over {len({c.rule for c in cases})} rules; skipped: {dict(skipped) or 0}")
    got = [ours(c) for c in cases]
    if args.show_misses:
        for case, n in zip(cases, got):
            if n != case.expected and not (case.expected == AT_LEAST_ONE and n > 0):
                print(f"  {case.name} [{case.rule}] expected {case.expected}, ours {n}")
    per_rule: dict[str, Counter] = {}
    for case, n in zip(cases, got):
        per_rule.setdefault(case.rule, Counter()).update(score([case], [n])[0])
    print(f"\n{'rule':<46} {'tp':>4} {'fp':>4} {'fn':>4}")
    for rule, c in sorted(per_rule.items()):
        print(f"{rule:<46} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4}")
    invalid = [c.name for c in cases if not c.valid]
    valid = [(c, n) for c, n in zip(cases, got) if c.valid]
    finding, case_level = score([c for c, _ in valid], [n for _, n in valid])
    print(f"\ncases PostgreSQL's own parser rejects (scored only in the 'all cases' lines): {invalid or 'none'}")
    print(f"dbm, per finding: {pr(finding)}")
    print(f"dbm, per case:    {pr(case_level)}")
    finding, case_level = score(cases, got)
    print(f"dbm, all cases, per finding: {pr(finding)}")
    print(f"dbm, all cases, per case:    {pr(case_level)}")
    binary = None if args.no_squawk else _squawk_binary()
    if binary:
        with tempfile.TemporaryDirectory() as tmp:
            theirs = [squawk(binary, c, Path(tmp)) for c in cases]
        if args.show_misses:
            for case, n in zip(cases, theirs):
                if n != case.expected and not (case.expected == AT_LEAST_ONE and n > 0):
                    print(f"  squawk: {case.name} [{case.rule}] expected {case.expected}, squawk {n}")
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
        finding, case_level = score(cases, theirs)
        print(f"{version}, per finding: {pr(finding)}")
        print(f"{version}, per case:    {pr(case_level)}")
    return 0


def _squawk_binary() -> str | None:
    import shutil

    local = Path(sys.executable).parent / "squawk"
    return str(local) if local.exists() else shutil.which("squawk")


if __name__ == "__main__":
    raise SystemExit(main())
