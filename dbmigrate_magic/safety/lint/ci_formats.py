"""Findings as CI systems read them: GitHub workflow commands (annotations on the pull request's
diff) and SARIF 2.1.0 (code scanning). Plain JSON is built here with the standard library: both
formats are small, documented shapes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .model import ERROR, RULES, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _escape_data(text: str) -> str:
    """GitHub's escaping for a workflow command's message (%, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(findings: Iterable[Finding]) -> str:
    """One ``::error file=F,line=L,col=C,title=RULE::message`` line per finding."""
    lines = []
    for f in findings:
        level = "error" if f.severity == ERROR else "warning"
        props = [f"file={_escape_property(f.file)}"] if f.file else []
        props += [f"line={f.line}", f"col={f.column}", f"title={_escape_property(f.rule)}"]
        message = f"{f.message}\nSafe alternative:\n{f.help}"
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)


def sarif(findings: Iterable[Finding]) -> str:
    """A SARIF 2.1.0 log with one run of the ``dbm lint`` tool."""
    from ..._version import __version__

    findings = list(findings)
    used = sorted({f.rule for f in findings})
    rules = [
        {
            "id": r,
            "shortDescription": {"text": RULES[r].summary if r in RULES else r},
            "defaultConfiguration": {"level": "error" if RULES.get(r) and RULES[r].severity == ERROR else "warning"},
        }
        for r in used
    ]
    results = []
    for f in findings:
        location: dict = {"region": {"startLine": f.line, "startColumn": f.column}}
        if f.file:
            location["artifactLocation"] = {"uri": f.file}
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": used.index(f.rule),
                "level": "error" if f.severity == ERROR else "warning",
                "message": {"text": f"{f.message}\nSafe alternative:\n{f.help}"},
                "locations": [{"physicalLocation": location}],
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "dbm lint", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
