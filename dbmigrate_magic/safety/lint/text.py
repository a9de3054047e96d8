"""Positions and comments in the original text: offsets to line/column, leading comments to skip,
and suppression comments.

Suppression syntax (a comment before the statement, inside it, or trailing on its last line):
``-- dbm:ignore RULE[, RULE...]`` (no rule: every rule) for one statement, ``-- dbm:ignore-file
RULE...`` for the whole input. squawk's ``-- squawk-ignore RULE`` and ``-- squawk-ignore-file
RULE`` are read the same way, so files annotated for squawk keep their meaning.
"""

from __future__ import annotations

from bisect import bisect_right

from .model import Statement, canonical_rule

MARKERS = ("dbm:ignore", "squawk-ignore")


class LineIndex:
    """Turns character offsets into 1-based (line, column)."""

    def __init__(self, text: str):
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            self.starts.append(i + 1)
            i = find("\n", i + 1)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def skip_trivia(text: str, i: int, end: int) -> int:
    """First offset at or after ``i`` that is not whitespace or a comment (libpg_query's statement
    locations include the comments before a statement)."""
    while i < end:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = end if j == -1 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = end if j == -1 else j + 2
        else:
            break
    return min(i, end)


def _comments(text: str, hash_comments: bool):
    """(start, body) of every comment, skipping quoted strings and identifiers. A tiny lexer that
    only tracks quotes, enough to tell a comment from the same characters inside a literal."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == "\\" and c != '"':
                    j += 2
                    continue
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif c == "$" and not hash_comments:
            k = text.find("$", i + 1)
            tag = text[i : k + 1] if k != -1 else ""
            if tag and (tag == "$$" or tag[1:-1].replace("_", "a").isalnum()) and not tag[1].isdigit():
                j = text.find(tag, k + 1)
                i = n if j == -1 else j + len(tag)
            else:
                i += 1
        elif text.startswith("--", i) or (hash_comments and c == "#"):
            j = text.find("\n", i)
            j = n if j == -1 else j
            yield i, text[i:j]
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
            yield i, text[i:j]
            i = j
        else:
            i += 1


def _parse_marker(body: str) -> tuple[bool, frozenset[str]] | None:
    """(file-wide?, rules) for a suppression comment body, None for any other comment."""
    body = body.lstrip("-#/* \t").rstrip("*/ \t\r")
    for marker in MARKERS:
        if body.lower().startswith(marker):
            rest = body[len(marker) :]
            whole_file = rest.lower().startswith("-file")
            if whole_file:
                rest = rest[5:]
            if rest and not rest[0].isspace() and rest[0] not in ":,":
                return None
            names = [canonical_rule(r) for r in rest.replace(",", " ").replace(":", " ").split() if r]
            return whole_file, frozenset(names or ["*"])
    return None


def apply_suppressions(text: str, statements: list[Statement], hash_comments: bool = False) -> frozenset[str]:
    """Attach ``-- dbm:ignore`` comments to their statements; return the file-wide suppressions."""
    lowered = text.lower()
    if not any(m in lowered for m in MARKERS):
        return frozenset()
    file_wide: set[str] = set()
    ends = [s.start + len(s.text) for s in statements]
    for pos, body in _comments(text, hash_comments):
        parsed = _parse_marker(body)
        if parsed is None:
            continue
        whole_file, names = parsed
        if whole_file:
            file_wide |= names
            continue
        target = None
        for k, st in enumerate(statements):
            if st.start <= pos < ends[k]:
                target = k
                break
            if (
                pos >= ends[k]
                and "\n" not in text[ends[k] : pos]
                and (k + 1 == len(statements) or statements[k + 1].start > pos)
            ):
                target = k
                break
            if st.start > pos:
                target = k
                break
        if target is not None:
            st = statements[target]
            st.ignored = st.ignored | names
    return frozenset(file_wide)
