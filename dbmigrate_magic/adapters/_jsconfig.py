"""Reading object literals out of JS/TS config files (knexfile, drizzle.config, data-source.ts)
without running them: a small tokenizer and a parser for the literal subset configs use.

What cannot be evaluated statically stays visible as a marker: ``EnvRef`` for
``process.env.X`` (with its ``||``/``??`` default), ``PathJoin`` for ``path.join(__dirname, ...)``
and ``Expr`` for anything else, so callers can say what they could not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EnvRef:
    """``process.env.NAME`` (or ``process.env["NAME"]``), with the literal default after ``||``/``??``."""

    name: str
    default: Any = None


@dataclass(frozen=True)
class PathJoin:
    """``path.join(...)``/``path.resolve(...)``/``__dirname``: parts, ``__dirname`` kept as a marker."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Expr:
    """An expression this reader does not evaluate (a function call, a variable ...)."""

    text: str


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<tpl>`(?:\\.|[^`\\])*`)
  | (?P<num>-?(?:\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+))
  | (?P<ident>[A-Za-z_$][\w$]*)
  | (?P<op>\.\.\.|\?\?|\|\||&&|=>|===?|!==?|[{}\[\]():,;.?!=<>+\-*/|&@#%^~])
    """,
    re.S | re.X,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def tokenize(source: str) -> list[tuple[str, str]]:
    tokens = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m:
            tokens.append(("op", source[pos]))
            pos += 1
            continue
        pos = m.end()
        kind = m.lastgroup or "op"
        if kind != "ws":
            tokens.append((kind, m.group(0)))
    return tokens


#: JS escapes: ``\u00fc``, ``\u{1F600}``, ``\xfc`` (JSON.stringify and editors write non-ASCII
#: passwords this way), then one character; a surrogate pair ``\ud83d\ude00`` is joined after
_JS_ESCAPE = re.compile(r"\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|(.))", re.DOTALL)


def _unquote(text: str) -> str:
    body = text[1:-1]

    def one(m: re.Match) -> str:
        code = m.group(1) or m.group(2) or m.group(3)
        return chr(int(code, 16)) if code else _ESCAPES.get(m.group(4), m.group(4))

    decoded = _JS_ESCAPE.sub(one, body)
    return (
        decoded.encode("utf-16", "surrogatepass").decode("utf-16") if re.search("[\ud800-\udfff]", decoded) else decoded
    )


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.t = tokens
        self.i = 0

    def peek(self, k: int = 0) -> tuple[str, str]:
        j = self.i + k
        return self.t[j] if j < len(self.t) else ("eof", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def skip_expression(self, start: int) -> Expr:
        """Consume tokens up to the next ``,``/closer at depth 0; return their text."""
        depth = 0
        while True:
            kind, val = self.peek()
            if kind == "eof":
                break
            if val in ("{", "[", "("):
                depth += 1
            elif val in ("}", "]", ")"):
                if depth == 0:
                    break
                depth -= 1
            elif val in (",", ";") and depth == 0:
                break
            self.i += 1
        return Expr(" ".join(v for _, v in self.t[start : self.i]))

    def value(self) -> Any:
        start = self.i
        val = self.primary()
        # TypeScript noise after a value: `x!`, `x as string`, `x satisfies T`
        while True:
            kind, tok = self.peek()
            if tok == "!" and self.peek(1)[1] != "=":
                self.i += 1
            elif kind == "ident" and tok in ("as", "satisfies"):
                self.i += 1
                self.type_expression()
            else:
                break
        kind, tok = self.peek()
        if tok in ("||", "??"):
            self.i += 1
            fallback = self.value()
            if isinstance(val, EnvRef):
                return EnvRef(val.name, fallback)
            return fallback if val is None or val == "" or isinstance(val, Expr) else val
        if kind not in ("eof",) and tok not in (",", "}", "]", ")", ";"):
            self.i = start
            return self.skip_expression(start)
        return val

    def type_expression(self) -> None:
        depth = 0
        while True:
            kind, tok = self.peek()
            if kind == "eof":
                return
            if tok in ("<", "(", "[", "{"):
                depth += 1
            elif tok in (">", ")", "]", "}"):
                if depth == 0:
                    return
                depth -= 1
            elif tok in (",", ";", "||", "??") and depth == 0:
                return
            self.i += 1

    def primary(self) -> Any:
        start = self.i
        kind, tok = self.take()
        if tok == "{":
            return self.obj()
        if tok == "[":
            return self.arr()
        if kind == "str":
            return _unquote(tok)
        if kind == "tpl":
            body = tok[1:-1]
            if "${" not in body:
                return body
            m = re.fullmatch(r"\$\{\s*process\.env\.([A-Za-z_]\w*)\s*\}", body)
            return EnvRef(m.group(1)) if m else Expr(tok)
        if kind == "num":
            text = tok.replace("_", "")
            try:
                return int(text)
            except ValueError:
                return float(text)
        if kind == "ident":
            if tok in ("true", "false"):
                return tok == "true"
            if tok in ("null", "undefined"):
                return None
            if tok == "process" and self.peek()[1] == "." and self.peek(1)[1] == "env":
                self.i += 2
                if self.peek()[1] == "." and self.peek(1)[0] == "ident":
                    self.i += 1
                    return EnvRef(self.take()[1])
                if self.peek()[1] == "[" and self.peek(1)[0] == "str" and self.peek(2)[1] == "]":
                    self.i += 1
                    name = _unquote(self.take()[1])
                    self.i += 1
                    return EnvRef(name)
            if tok == "__dirname":
                return PathJoin(("__dirname",))
            if (
                tok == "path"
                and self.peek()[1] == "."
                and self.peek(1)[1] in ("join", "resolve")
                and self.peek(2)[1] == "("
            ):
                self.i += 3
                parts = []
                while self.peek()[1] != ")" and self.peek()[0] != "eof":
                    part = self.value()
                    parts.append(part.parts[0] if isinstance(part, PathJoin) and len(part.parts) == 1 else part)
                    if self.peek()[1] == ",":
                        self.i += 1
                self.i += 1
                return PathJoin(tuple(parts))
        self.i = start
        return self.skip_expression(start)

    def obj(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while True:
            kind, tok = self.peek()
            if kind == "eof":
                return out
            if tok == "}":
                self.i += 1
                return out
            if tok == ",":
                self.i += 1
                continue
            if tok == "...":
                self.i += 1
                self.skip_expression(self.i)
                continue
            if kind in ("ident", "str", "num") and self.peek(1)[1] == ":":
                key = _unquote(tok) if kind == "str" else tok
                self.i += 2
                out[key] = self.value()
                continue
            if tok == "[":  # computed key
                self.skip_expression(self.i)
                continue
            if kind == "ident" and self.peek(1)[1] in (",", "}"):  # shorthand `{ connection }`
                self.i += 1
                out[tok] = Expr(tok)
                continue
            self.skip_expression(self.i)  # methods, getters ...
            if self.peek()[1] not in (",", "}"):
                self.i += 1

    def arr(self) -> list[Any]:
        out: list[Any] = []
        while True:
            kind, tok = self.peek()
            if kind == "eof":
                return out
            if tok == "]":
                self.i += 1
                return out
            if tok == ",":
                self.i += 1
                continue
            out.append(self.value())


def parse_value_at(source: str, index: int) -> Any:
    """Parse the JS value starting at character ``index`` of ``source``."""
    parser = _Parser(tokenize(source[index:]))
    return parser.value()


_EXPORT = re.compile(
    r"module\.exports\s*=\s*|export\s+default\s+|exports\.default\s*=\s*|"
    r"(?:defineConfig|new\s+DataSource)\s*\(\s*",
)


def exported_object(source: str) -> Any:
    """The object a config file exports: ``module.exports = {...}``, ``export default {...}``,
    ``defineConfig({...})``, ``new DataSource({...})``, or a named constant one of them refers to."""
    for m in _EXPORT.finditer(source):
        rest = source[m.end() :]
        stripped = rest.lstrip()
        offset = m.end() + (len(rest) - len(stripped))
        if stripped.startswith(("{", "[")):
            return parse_value_at(source, offset)
        if stripped.startswith(("defineConfig", "new ")):
            continue
        ident = re.match(r"[A-Za-z_$][\w$]*", stripped)
        if ident:
            value = named_constant(source, ident.group(0))
            if value is not None:
                return value
    return None


def named_constant(source: str, name: str) -> Any:
    """The object literal assigned to ``const/let/var NAME`` (type annotations allowed)."""
    m = re.search(rf"\b(?:const|let|var)\s+{re.escape(name)}\b[^=;]*=\s*", source)
    if not m:
        return None
    rest = source[m.end() :]
    stripped = rest.lstrip()
    offset = m.end() + (len(rest) - len(stripped))
    for prefix in ("defineConfig(", "new DataSource("):
        if stripped.startswith(prefix):
            offset += len(prefix)
            stripped = stripped[len(prefix) :].lstrip()
    if not stripped.startswith("{"):
        return None
    return parse_value_at(source, source.index("{", offset))


class Unresolved(Exception):
    """A value depends on something not available statically (an unset variable, a function call)."""


def resolve(value: Any, variables: dict[str, str], dirname: str) -> Any:
    """Evaluate markers: ``EnvRef`` from ``variables`` (else its default), ``PathJoin`` with
    ``__dirname`` = ``dirname``. Raises ``Unresolved`` naming what was missing."""
    import os.path

    if isinstance(value, EnvRef):
        if variables.get(value.name):
            return variables[value.name]
        if value.default is not None:
            return resolve(value.default, variables, dirname)
        raise Unresolved(f"process.env.{value.name} is not set")
    if isinstance(value, PathJoin):
        parts = [dirname if p == "__dirname" else resolve(p, variables, dirname) for p in value.parts]
        return os.path.normpath(os.path.join(*[str(p) for p in parts]))
    if isinstance(value, Expr):
        raise Unresolved(f"'{value.text[:60]}' is computed when the config runs")
    if isinstance(value, dict):
        return {k: resolve(v, variables, dirname) for k, v in value.items() if not isinstance(v, Expr)}
    return value


def env_refs(value: Any) -> list[str]:
    """Names of the variables a config value reads (``process.env.X``)."""
    if isinstance(value, EnvRef):
        return [value.name] + env_refs(value.default)
    if isinstance(value, dict):
        return [n for v in value.values() for n in env_refs(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in env_refs(v)]
    if isinstance(value, PathJoin):
        return env_refs(value.parts)
    return []
