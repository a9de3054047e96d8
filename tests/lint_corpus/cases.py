"""Read the lint corpus: each file's expected rule ids and options from its header comments."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    path: Path
    dialect: str
    expect: frozenset[str]  # rule ids
    expect_lines: frozenset[tuple[str, int]]  # (rule, line) pairs that must match exactly
    pg_version: str | None
    in_transaction: bool
    session_timeouts: bool
    include: tuple[str, ...] = ()  # options: include=RULE (an opt-in rule, checked alone)

    @property
    def id(self) -> str:
        return f"{self.dialect}/{self.path.stem}"

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _header(text: str, key: str) -> str | None:
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        if body.startswith(key + ":"):
            return body[len(key) + 1:].strip()
    return None


def load(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    expect_raw = _header(text, "expect")
    if expect_raw is None:
        raise ValueError(f"{path}: no '-- expect:' header")
    items = [] if expect_raw == "none" else [i.strip() for i in expect_raw.split(",") if i.strip()]
    rules, lines = set(), set()
    for item in items:
        rule, _, line = item.partition("@")
        rules.add(rule)
        if line:
            lines.add((rule, int(line)))
    opts = [o.strip() for o in (_header(text, "options") or "").split(",") if o.strip()]
    version = next((o.split("=", 1)[1] for o in opts if o.startswith("pg-version=")), None)
    include = tuple(o.split("=", 1)[1] for o in opts if o.startswith("include="))
    return Case(path, path.parent.name, frozenset(rules), frozenset(lines), version, "in-transaction" in opts,
                "session-timeouts" in opts, include)


def all_cases() -> list[Case]:
    return [load(p) for p in sorted(ROOT.glob("*/*.sql"))]
