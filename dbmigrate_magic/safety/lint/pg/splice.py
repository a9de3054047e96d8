"""Suggested SQL made by editing the statement's own text: a few words inserted or a part cut out at
places found from the parse tree's locations and libpg_query's scanner tokens.

Everything the user wrote (quoting, case, comments, layout) stays as written, so an identifier the
database knows as ``"Account"`` cannot lose its quotes, and nothing is printed from a syntax tree:
copying a statement into pglast's node classes and printing it back cost about 1 ms per suggestion,
most of ``dbm lint``'s time on a large file. Every function returns ``None`` where the text does not
have the shape it expects; ``restate`` then falls back to printing the changed tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..context import Context
from ..model import Statement

Token = tuple[str, int, int]  # scanner name (``IDENT``, ``ADD_P``, ``ASCII_44``), start, end (exclusive)
Edit = Callable[[Statement, str, int], "str | None"]  # (statement, subcommand text, its offset) -> new text

#: the keywords between DROP and the object names, per DropStmt ``removeType`` (IF EXISTS goes after them)
DROP_WORDS: dict[str, tuple[str, ...]] = {
    "OBJECT_TABLE": ("TABLE",),
    "OBJECT_SEQUENCE": ("SEQUENCE",),
    "OBJECT_VIEW": ("VIEW",),
    "OBJECT_MATVIEW": ("MATERIALIZED", "VIEW"),
    "OBJECT_INDEX": ("INDEX",),
    "OBJECT_FOREIGN_TABLE": ("FOREIGN", "TABLE"),
    "OBJECT_COLLATION": ("COLLATION",),
    "OBJECT_CONVERSION": ("CONVERSION_P",),
    "OBJECT_STATISTIC_EXT": ("STATISTICS",),
    "OBJECT_TSPARSER": ("TEXT_P", "SEARCH", "PARSER"),
    "OBJECT_TSDICTIONARY": ("TEXT_P", "SEARCH", "DICTIONARY"),
    "OBJECT_TSTEMPLATE": ("TEXT_P", "SEARCH", "TEMPLATE"),
    "OBJECT_TSCONFIGURATION": ("TEXT_P", "SEARCH", "CONFIGURATION"),
    "OBJECT_ACCESS_METHOD": ("ACCESS", "METHOD"),
    "OBJECT_EVENT_TRIGGER": ("EVENT", "TRIGGER"),
    "OBJECT_EXTENSION": ("EXTENSION",),
    "OBJECT_FDW": ("FOREIGN", "DATA_P", "WRAPPER"),
    "OBJECT_LANGUAGE": ("LANGUAGE",),
    "OBJECT_PUBLICATION": ("PUBLICATION",),
    "OBJECT_SCHEMA": ("SCHEMA",),
    "OBJECT_FOREIGN_SERVER": ("SERVER",),
    "OBJECT_POLICY": ("POLICY",),
    "OBJECT_RULE": ("RULE",),
    "OBJECT_TRIGGER": ("TRIGGER",),
    "OBJECT_TYPE": ("TYPE_P",),
    "OBJECT_DOMAIN": ("DOMAIN_P",),
    "OBJECT_FUNCTION": ("FUNCTION",),
    "OBJECT_PROCEDURE": ("PROCEDURE",),
    "OBJECT_ROUTINE": ("ROUTINE",),
    "OBJECT_AGGREGATE": ("AGGREGATE",),
    "OBJECT_OPERATOR": ("OPERATOR",),
    "OBJECT_OPCLASS": ("OPERATOR", "CLASS"),
    "OBJECT_OPFAMILY": ("OPERATOR", "FAMILY"),
    "OBJECT_CAST": ("CAST",),
    "OBJECT_TRANSFORM": ("TRANSFORM",),
}

_OPEN = {"ASCII_40": 1, "ASCII_91": 1, "ASCII_41": -1, "ASCII_93": -1}  # ( [ ) ]
#: tokens that end a column type (what may follow it in a column definition or ALTER ... TYPE)
_TYPE_ENDS = {
    "NOT", "NULL_P", "DEFAULT", "PRIMARY", "REFERENCES", "CONSTRAINT", "UNIQUE", "CHECK", "COLLATE",
    "GENERATED", "USING", "COMPRESSION", "STORAGE", "ASCII_44", "ASCII_41", "ASCII_59",
}  # fmt: skip

# Statements without comments are edited from regular expressions over the words the grammar
# fixes (``CREATE UNIQUE INDEX``, ``ADD COLUMN``) and the table name, checked against the parse
# tree: scanning a statement into tokens costs twice as much as parsing it. Everything else
# (comments, several subcommands, names the check cannot confirm) goes through the scanner. The
# patterns are compiled on first use (re's own cache): a file with no finding never pays for them.
_IDENT = r'(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED = rf"{_IDENT}(?:\.{_IDENT})*"
_INDEX_HEAD = r"(?i)CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?"
#: a one-word column type with its modifiers and array bounds, then what may follow a column type
_TYPE = (
    rf"(?i){_IDENT}(?:\.{_IDENT})*(?:\s*\([^()]*\))?(?:\s*\[\s*\d*\s*\])*"
    r"(?=\s*(?:[,);]|$)|\s+(?:NOT|NULL|DEFAULT|PRIMARY|REFERENCES|CONSTRAINT|UNIQUE|CHECK|COLLATE|GENERATED"
    r"|USING|COMPRESSION|STORAGE)\b)"
)
_ADD_COLUMN = r"(?i)ADD(?:\s+COLUMN)?\s+"


def _plain(text: str) -> bool:
    """No comment in ``text``: between two words there is only white space."""
    return "--" not in text and "/*" not in text


def _written(part: str) -> str | None:
    """The name an identifier as written stands for (``"Ab"`` -> ``Ab``, ``Ab`` -> ``ab``)."""
    if part.startswith('"'):
        return part[1:-1].replace('""', '"')
    return part.lower()


def tokens(st: Statement) -> list[Token]:
    """The statement's tokens without comments, offsets in characters of ``st.text`` (pglast's
    scanner reports character offsets, end inclusive), scanned once per statement."""
    got = st.extra.get("tokens")
    if got is None:
        from .pglast_parser import parser as load_parser

        got = [
            (t.name, t.start, t.end + 1)
            for t in load_parser().scan(st.text)
            if t.name not in ("SQL_COMMENT", "C_COMMENT")
        ]
        st.extra["tokens"] = got
    return got


def _at(toks: list[Token], offset: int) -> int | None:
    """Index of the token starting at ``offset``."""
    for i, t in enumerate(toks):
        if t[1] == offset:
            return i
        if t[1] > offset:
            return None
    return None


def _local(ctx: Context, location: object) -> int | None:
    """A parse-tree byte ``location`` as a character offset into the current statement's text."""
    st = ctx.statement
    if st is None or not isinstance(location, int) or location < 0:
        return None
    return st.extra["loc"](location) - st.start


def _body(st: Statement) -> str:
    """The statement's text up to its last token: a trailing comment (``... -- note``) is cut, so the
    semicolon a suggestion ends with is not inside it."""
    text = st.text
    if "--" in text or "/*" in text:
        toks = tokens(st)
        if toks:
            text = text[: toks[-1][2]]
    return text


def _close(text: str) -> str:
    return text.rstrip().rstrip(";").rstrip() + ";"


def _insert(st: Statement, at: int, words: str) -> str:
    """The statement with ``words`` (and a space) inserted before character ``at``."""
    text = _body(st)
    return _close(text[:at] + words + " " + text[at:])


def create_if_not_exists(ctx: Context, relation: dict | None) -> str | None:
    """CREATE TABLE IF NOT EXISTS: the words go right before the table name."""
    at = _local(ctx, (relation or {}).get("location"))
    return None if at is None else _insert(ctx.current, at, "IF NOT EXISTS")


def _after_words(toks: list[Token], words: tuple[str, ...], optional: tuple[str, ...] = ()) -> int | None:
    """Index of the first token after ``words`` (each optionally preceded by any of ``optional``)."""
    i = 0
    for word in words:
        while i < len(toks) and toks[i][0] in optional and toks[i][0] != word:
            i += 1
        if i >= len(toks) or toks[i][0] != word:
            return None
        i += 1
    return i if i < len(toks) else None


def create_index(ctx: Context, n: dict, concurrently: bool, if_not_exists: bool) -> str | None:
    """CREATE [UNIQUE] INDEX with CONCURRENTLY and/or IF NOT EXISTS added where the grammar has them."""
    st = ctx.current
    words = []
    if concurrently and not n.get("concurrent"):
        words.append("CONCURRENTLY")
    if if_not_exists and n.get("idxname") and not n.get("if_not_exists"):
        words.append("IF NOT EXISTS")
    if not words:
        return None
    if _plain(st.text):
        m = re.match(_INDEX_HEAD, st.text)
        if m and bool(m.group(1)) == bool(n.get("unique")) and bool(m.group(2)) == bool(n.get("concurrent")):
            return _insert(st, m.end(), " ".join(words))  # after CONCURRENTLY when it is there already
    toks = tokens(st)
    i = _after_words(toks, ("CREATE", "INDEX"), ("UNIQUE",))
    if i is not None and words[0] != "CONCURRENTLY" and toks[i][0] == "CONCURRENTLY":
        i += 1
    if i is None or i >= len(toks):
        return None
    return _insert(st, toks[i][1], " ".join(words))


def drop_if_exists(ctx: Context, n: dict) -> str | None:
    """DROP <object type> [CONCURRENTLY] IF EXISTS <names>."""
    words = DROP_WORDS.get(n.get("removeType") or "")
    if words is None:
        return None
    st = ctx.current
    if _plain(st.text):
        spelt = r"\s+".join(w.removesuffix("_P") for w in words)
        concurrently = r"CONCURRENTLY\s+" if n.get("concurrent") else ""
        m = re.match(rf"DROP\s+(?:PROCEDURAL\s+)?{spelt}\s+{concurrently}", st.text, re.IGNORECASE)
        if m:
            return _insert(st, m.end(), "IF EXISTS")
    toks = tokens(st)
    i = _after_words(toks, ("DROP", *words), ("PROCEDURAL",))
    if i is not None and n.get("concurrent") and toks[i][0] == "CONCURRENTLY":
        i += 1
    if i is None or i >= len(toks) or toks[i][0] == "IF_P":
        return None
    return _insert(st, toks[i][1], "IF EXISTS")


def _alter_one(ctx: Context, n: dict) -> tuple[str, list[tuple[int, int]]] | None:
    """``_alter_parts`` for a statement of one subcommand and no comment, without the scanner: the
    table name as written is matched where the parse tree puts it and must name the same table."""
    st = ctx.current
    rel = n.get("relation") or {}
    at = _local(ctx, rel.get("location"))
    text = st.text
    m = None if at is None else re.compile(_QUALIFIED).match(text, at)
    if m is None:
        return None
    parts = [_written(p) for p in re.findall(_IDENT, m.group())]
    if parts != [v for v in (rel.get("catalogname"), rel.get("schemaname"), rel.get("relname")) if v]:
        return None
    rest = text[m.end() :]
    cmd = rest.strip().rstrip(";").rstrip()
    if not cmd or not rest[:1].isspace() or cmd.startswith("*"):
        return None
    start = m.end() + (len(rest) - len(rest.lstrip()))
    return text[: m.end()], [(start, start + len(cmd))]


def _alter_parts(ctx: Context, n: dict) -> tuple[str, list[tuple[int, int]]] | None:
    """(``ALTER TABLE ... name`` as written, [(start, end) of each subcommand's text])."""
    st = ctx.current
    at = _local(ctx, (n.get("relation") or {}).get("location"))
    toks = tokens(st)
    i = None if at is None else _at(toks, at)
    if i is None:
        return None
    i += 1  # the name, then .name parts, then an optional * (inheritance)
    while i + 1 < len(toks) and toks[i][0] == "ASCII_46":
        i += 2
    if i < len(toks) and toks[i][0] == "ASCII_42":
        i += 1
    if i >= len(toks):
        return None
    head = st.text[: toks[i - 1][2]]
    spans: list[tuple[int, int]] = []
    depth, last = 0, toks[i][2]
    start: int | None = toks[i][1]
    for name, s, e in toks[i:]:
        if depth:
            depth = max(0, depth + _OPEN.get(name, 0))
        elif name in ("ASCII_44", "ASCII_59"):
            if start is None:  # an empty subcommand: not a statement the parser accepted
                return None
            spans.append((start, last))
            if name == "ASCII_59":
                break
            start = None
            continue
        else:
            depth = max(0, _OPEN.get(name, 0))
        if start is None:
            start = s
        last = e
    else:
        if start is not None:
            spans.append((start, last))
    if len(spans) != len(n.get("cmds") or ()):
        return None
    return head, spans


def alter_cmd(ctx: Context, n: dict, index: int, edit: Edit | None = None) -> str | None:
    """``ALTER TABLE <name as written> <subcommand number index, as written>;``, after ``edit(text,
    tokens, offset)`` (the subcommand's text, its tokens relative to it, its offset in the statement;
    returns the new text, or None when it cannot)."""
    single = len(n.get("cmds") or ()) == 1 and _plain(ctx.current.text)
    parts = (single and _alter_one(ctx, n)) or _alter_parts(ctx, n)
    if parts is None or index >= len(parts[1]):
        return None
    head, spans = parts
    s, e = spans[index]
    cmd: str | None = ctx.current.text[s:e]
    if edit is not None:
        cmd = edit(ctx.current, ctx.current.text[s:e], s)
        if cmd is None:
            return None
    return f"{head} {cmd};"


def _cmd_tokens(st: Statement, cmd: str, offset: int) -> list[Token]:
    """The tokens of one subcommand, offsets relative to its text."""
    return [(name, a - offset, b - offset) for name, a, b in tokens(st) if offset <= a < offset + len(cmd)]


def add_column_if_not_exists(st: Statement, cmd: str, offset: int) -> str | None:
    """``ADD [COLUMN] IF NOT EXISTS ...``."""
    if _plain(cmd):
        m = re.match(_ADD_COLUMN, cmd)
        return None if m is None else cmd[: m.end()] + "IF NOT EXISTS " + cmd[m.end() :]
    toks = _cmd_tokens(st, cmd, offset)
    i = _after_words(toks, ("ADD_P",))
    if i is not None and toks[i][0] == "COLUMN":
        i += 1
    if i is None or i >= len(toks) or toks[i][0] == "IF_P":
        return None
    return cmd[: toks[i][1]] + "IF NOT EXISTS " + cmd[toks[i][1] :]


def not_valid(st: Statement, cmd: str, offset: int) -> str | None:
    """``ADD CONSTRAINT ... NOT VALID`` (the grammar takes it after the constraint's other attributes;
    the rule asks only for a constraint that is not NOT VALID already)."""
    return cmd + " NOT VALID" if cmd[:3].upper() == "ADD" else None


def _type_end(toks: list[Token], i: int) -> int | None:
    """Index just past the column type whose first token is ``toks[i]``."""
    end, depth, last_word = None, 0, False
    for j in range(i, len(toks)):
        name = toks[j][0]
        if depth:
            depth += _OPEN.get(name, 0)
        elif name in ("ASCII_40", "ASCII_91") and (last_word or name == "ASCII_91"):
            depth = 1
        elif name in _TYPE_ENDS or (name.startswith("ASCII_") and name != "ASCII_46"):
            break
        last_word = not name.startswith("ASCII_")
        end = j + 1
    return end


def type_span(ctx: Context, type_node: dict | None) -> tuple[int, int] | None:
    """(start, end) in the current statement's text of a column type (``TIMESTAMP(3)``, ``"Status"[]``)."""
    at = _local(ctx, (type_node or {}).get("location"))
    if at is None:
        return None
    st = ctx.current
    if _plain(st.text):  # a type of several words (double precision, ... with time zone) is scanned
        m = re.compile(_TYPE).match(st.text, at)
        if m:
            return at, m.end()
    toks = tokens(st)
    i = _at(toks, at)
    end = None if i is None else _type_end(toks, i)
    return None if i is None or end is None else (toks[i][1], toks[end - 1][2])


def type_text(ctx: Context, type_node: dict | None) -> str | None:
    span = type_span(ctx, type_node)
    return None if span is None else ctx.current.text[span[0] : span[1]]


def splice_type(ctx: Context, type_node: dict | None, new_type: str) -> str | None:
    """The current statement with one column type's text replaced by ``new_type``."""
    span = type_span(ctx, type_node)
    if span is None:
        return None
    text = _body(ctx.current)
    return _close(text[: span[0]] + new_type + text[span[1] :])


def add_column_bare(ctx: Context, n: dict, index: int) -> str | None:
    """The ADD COLUMN of cmd ``index`` with its type (and collation) only: no default, constraint or
    NOT NULL."""
    cd = ((n.get("cmds") or [{}])[index].get("AlterTableCmd", {}).get("def") or {}).get("ColumnDef") or {}
    span = type_span(ctx, cd.get("typeName"))
    if span is None:
        return None
    text = ctx.current.text
    collate = ""
    coll = cd.get("collClause")
    if coll:
        at = _local(ctx, coll.get("location"))
        toks = tokens(ctx.current)
        i = None if at is None else _at(toks, at)
        if i is None or i + 1 >= len(toks):
            return None
        j = i + 2  # COLLATE name, then .name parts
        while j + 1 < len(toks) and toks[j][0] == "ASCII_46":
            j += 2
        collate = " " + text[toks[i][1] : toks[j - 1][2]]

    def bare(st: Statement, cmd: str, offset: int) -> str | None:
        return cmd[: span[1] - offset] + collate if offset <= span[0] < span[1] <= offset + len(cmd) else None

    return alter_cmd(ctx, n, index, bare)
