"""Where a TypeORM project's DataSource is, and which migration files it loads, read statically.

The DataSource is the file the team's scripts pass with ``-d``/``--dataSource`` (``typeorm -d
server/datasource.ts migration:run`` in package.json), else a ``data-source.ts`` in the usual places,
else (TypeORM 0.2) an ``ormconfig.{json,js,ts,yml,yaml,env}``.

Its ``migrations`` entries are read in the forms real projects write them. TypeORM globs every
string against the folder the CLI runs in (the project root); ``__dirname`` is the DataSource's
folder:

- ``"src/migrations/*.ts"``, ``"./migrations/*.{ts,js}"`` (root-relative globs);
- ``__dirname + "/migrations/*.ts"``, `` `${__dirname}/migrations/*.ts` ``,
  ``path.join(__dirname, "migrations", "*.{ts,js}")``, ``path.resolve(...)``, ``process.cwd()``;
- ``"dist/migrations/*.js"``: compiled output beside a ``src/`` tree;
- imported classes (``migrations: [CreateUsers1700000000000]``), found through their imports.

Anything else (a variable, a function call) cannot be known without running the file: reading
says so, and writing a new migration is refused rather than put where TypeORM might not look.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .._files import read_text

DATA_SOURCE_NAMES = (
    "data-source.ts",
    "src/data-source.ts",
    "data-source.js",
    "src/data-source.js",
    "src/db/data-source.ts",
    "src/database/data-source.ts",
)
ORMCONFIG_NAMES = ("ormconfig.json", "ormconfig.js", "ormconfig.ts", "ormconfig.yml", "ormconfig.yaml", "ormconfig.env")
TYPEORM_IMPORT = re.compile(r"""(from\s+['"]typeorm['"]|require\(\s*['"]typeorm['"]\s*\))""")
#: ``typeorm ... -d path`` / ``--dataSource path`` / ``--dataSource=path`` in a package.json script
SCRIPT_DS = re.compile(r"""\btypeorm[\w:-]*\b[^&|;]*?(?:-d|--dataSource|--data-source)[=\s]+['"]?([^\s'"&|;]+)""")
BUILD_DIRS = ("dist", "build", "out", "lib")
DEFAULT_GLOBS = ("src/migration/*.ts", "src/migrations/*.ts", "migrations/*.ts")
STRING = re.compile(r"""^(['"])(.*)\1$""", re.S)


def script_data_sources(root: Path) -> list[Path]:
    """DataSource files named by ``-d`` in package.json scripts, in script order."""
    pkg = root / "package.json"
    if not pkg.is_file():
        return []
    try:
        scripts = json.loads(read_text(pkg)).get("scripts") or {}
    except (ValueError, AttributeError):
        return []
    found: list[Path] = []
    for command in scripts.values():
        if not isinstance(command, str):
            continue
        for m in SCRIPT_DS.finditer(command):
            path = (root / m.group(1)).resolve()
            if path.is_file() and path not in found:
                found.append(path)
    return found


def find_data_source(root: Path) -> Path | None:
    for path in script_data_sources(root):
        return path
    for name in DATA_SOURCE_NAMES:
        p = root / name
        if p.is_file() and TYPEORM_IMPORT.search(read_text(p)):
            return p
    return nest_module(root)


def nest_module(root: Path) -> Path | None:
    """A NestJS module whose ``TypeOrmModule.forRoot(...)`` / ``forRootAsync`` options list
    ``migrations`` (apps that run them at start, ``migrationsRun: true``); the first whose globs find files."""
    src = root / "src"
    candidates = sorted(src.rglob("*.module.ts"))[:200] if src.is_dir() else []
    listing = [p for p in candidates if "node_modules" not in p.parts]
    found = [p for p in listing if re.search(r"TypeOrmModule\.forRoot", t := read_text(p)) and migrations_array(t)]
    for path in found:
        if glob_files(root, sources(root, path, None).globs):
            return path
    return found[0] if found else None


def ormconfig_file(root: Path) -> Path | None:
    return next((root / n for n in ORMCONFIG_NAMES if (root / n).is_file()), None)


# --- JavaScript text: the ``migrations: [...]`` array and its elements -----------------------------
def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (strings and comments skipped), or -1."""
    pairs = {"[": "]", "(": ")", "{": "}"}
    stack: list[str] = []
    i = start
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            j = i + 1
            while j < len(text) and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        if ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    return -1


def _split_top(text: str) -> list[str]:
    """Top-level comma-separated parts of an array body."""
    parts, depth, current, quote = [], 0, [], ""
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def migrations_array(text: str) -> list[str] | None:
    """Elements of the first ``migrations: [...]`` (None when there is none or it is not an array literal)."""
    m = re.search(r"\bmigrations\s*:\s*", text)
    if not m:
        return None
    if text[m.end() : m.end() + 1] != "[":
        return None
    end = _closing(text, m.end())
    if end < 0:
        return None
    return _split_top(_without_comments(text[m.end() + 1 : end]))


#: a string literal (kept as written) or a comment (dropped): ``'dist/**/migrations/*.js'`` holds
#: ``/**/``, which is part of the glob, not a comment
_STRING_OR_COMMENT = re.compile(r"""('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`)|//[^\n]*|/\*.*?\*/""", re.S)


def _without_comments(body: str) -> str:
    return _STRING_OR_COMMENT.sub(lambda m: m.group(1) or "", body)


def _path_element(element: str, ds_dir: str) -> str | None:
    """A path element as a root-relative or absolute POSIX glob, or None when it is not static."""
    e = element.strip()
    m = STRING.match(e)
    if m:
        return m.group(2)
    if e.startswith("`") and e.endswith("`"):
        inner = e[1:-1]
        inner = re.sub(r"\$\{\s*__dirname\s*\}", ds_dir, inner)
        inner = re.sub(r"\$\{\s*process\.cwd\(\)\s*\}", ".", inner)
        return None if "${" in inner else inner
    call = re.match(r"^(?:path\.)?(join|resolve)\s*\((.*)\)$", e, re.S)
    if call:
        parts = []
        for arg in _split_top(call.group(2)):
            value = _path_element(arg, ds_dir)
            if value is None:
                return None
            parts.append(value)
        joined = posixpath.join(*parts) if parts else ""
        return posixpath.normpath(joined) if "*" not in joined and "{" not in joined else joined
    if "+" in e:
        pieces = [p.strip() for p in e.split("+")]
        values = [_path_element(p, ds_dir) for p in pieces]
        if any(v is None for v in values):
            return None
        return "".join(v for v in values if v is not None)
    if e == "__dirname":
        return ds_dir
    if e == "process.cwd()":
        return "."
    return None


def _import_of(text: str, name: str) -> str | None:
    """The module a class name is imported from (ES import or require)."""
    for named in re.finditer(r"""import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]""", text):
        names = [n.split(" as ")[-1].strip() for n in named.group(1).split(",")]
        if name in names:
            return named.group(2)
    m = re.search(rf"""import\s+{re.escape(name)}\s+from\s*['"]([^'"]+)['"]""", text)
    if m:
        return m.group(1)
    m = re.search(
        rf"""(?:const|let|var)\s*\{{[^}}]*\b{re.escape(name)}\b[^}}]*\}}\s*=\s*require\(\s*['"]([^'"]+)['"]""", text
    )
    return m.group(1) if m else None


def _module_file(base: Path, spec: str) -> Path | None:
    if not spec.startswith("."):
        return None
    target = (base / spec).resolve()
    for candidate in (target, *(target.with_name(target.name + ext) for ext in (".ts", ".js", ".mts", ".cts"))):
        if candidate.is_file():
            return candidate
    for index in ("index.ts", "index.js"):
        if (target / index).is_file():
            return target / index
    return None


# --- the result ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sources:
    """The migration files a DataSource loads, and where a new one must go."""

    globs: tuple[str, ...]  # root-relative (or absolute) POSIX globs, braces unexpanded
    class_files: tuple[Path, ...] = ()  # files of migration classes listed by import
    unknown: tuple[str, ...] = ()  # entries that cannot be read without running the file
    origin: str = "TypeORM's defaults"
    notes: tuple[str, ...] = field(default=())

    @property
    def static(self) -> bool:
        return not self.unknown


def sources(root: Path, data_source: Path | None, ormconfig: Path | None) -> Sources:
    if data_source is not None:
        text = read_text(data_source)
        rel = data_source.relative_to(root).as_posix() if data_source.is_relative_to(root) else str(data_source)
        elements = migrations_array(text)
        if elements is not None:
            return _from_elements(root, data_source, elements, rel)
        if re.search(r"\bmigrations\s*:", text):
            return Sources((), unknown=("migrations (not an array literal)",), origin=rel)
    if ormconfig is not None:
        found = _ormconfig_globs(ormconfig)
        if found is not None:
            return Sources(tuple(found), origin=ormconfig.name)
    origin = "TypeORM's defaults"
    return Sources(DEFAULT_GLOBS, origin=origin)


def _from_elements(root: Path, ds: Path, elements: list[str], origin: str) -> Sources:
    ds_dir = ds.parent.resolve().as_posix()
    globs: list[str] = []
    classes: list[Path] = []
    unknown: list[str] = []
    text = read_text(ds)
    for element in elements:
        path = _path_element(element, ds_dir)
        if path is not None:
            globs.append(path)
            continue
        name = element.strip()
        if re.fullmatch(r"[A-Za-z_$][\w$]*", name):
            spec = _import_of(text, name)
            file = _module_file(ds.parent, spec) if spec else None
            if file is not None:
                classes.append(file)
                continue
        unknown.append(name)
    return Sources(tuple(globs), tuple(classes), tuple(unknown), origin)


def _ormconfig_globs(path: Path) -> list[str] | None:
    text = read_text(path)
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        configs = data if isinstance(data, list) else [data]
        chosen = next((c for c in configs if isinstance(c, dict) and c.get("name", "default") == "default"), None)
        chosen = chosen or next((c for c in configs if isinstance(c, dict)), {})
        return [str(g) for g in chosen.get("migrations") or []] or None
    if path.name == "ormconfig.env":
        m = re.search(r"^\s*TYPEORM_MIGRATIONS\s*=\s*(.+)$", text, re.M)
        return [g.strip().strip("'\"") for g in m.group(1).split(",")] if m else None
    if path.suffix in (".yml", ".yaml"):
        m = re.search(r"^(\s*)migrations\s*:\s*\n((?:\1\s+-\s*.+\n?)+)", text, re.M)
        if m:
            return [g.strip().strip("'\"") for g in re.findall(r"-\s*(.+)", m.group(2))]
        m = re.search(r"^\s*migrations\s*:\s*\[(.*)\]", text, re.M)
        return [g.strip().strip("'\"") for g in m.group(1).split(",") if g.strip()] if m else None
    elements = migrations_array(text)  # ormconfig.js / .ts
    if elements is None:
        return None
    values = [_path_element(e, path.parent.resolve().as_posix()) for e in elements]
    return [v for v in values if v is not None] or None


# --- globs -----------------------------------------------------------------------------------------
def expand_braces(pattern: str) -> list[str]:
    """``*.{ts,js}`` -> ``*.ts``, ``*.js`` (pathlib's glob has no braces)."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out = []
    for choice in m.group(1).split(","):
        out.extend(expand_braces(pattern[: m.start()] + choice + pattern[m.end() :]))
    return out


def relative_glob(root: Path, glob: str) -> str | None:
    """A glob relative to the root (None when it points outside it)."""
    glob = glob.removeprefix("./")
    if glob.startswith("/"):
        try:  # ``__dirname + '/../migrations/*.ts'``: the ``..`` resolved first
            return Path(posixpath.normpath(glob)).relative_to(root.resolve()).as_posix()
        except ValueError:
            return None
    return posixpath.normpath(glob) if "*" not in glob and "{" not in glob else glob


def glob_files(root: Path, globs: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    for glob in globs:
        rel = relative_glob(root, glob)
        if rel is None:
            continue
        for pattern in expand_braces(rel):
            found.update(p for p in root.glob(pattern) if p.is_file() and not p.name.endswith(".d.ts"))
    return sorted(found)


def _regex(pattern: str) -> re.Pattern:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def matches(root: Path, globs: tuple[str, ...], path: Path) -> bool:
    """Whether TypeORM, globbing ``globs`` in the root, would load ``path``."""
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return False
    for glob in globs:
        g = relative_glob(root, glob)
        if g is not None and any(_regex(p).match(rel) for p in expand_braces(g)):
            return True
    return False


def build_counterpart(root: Path, glob: str) -> str | None:
    """``dist/migrations/*.js`` -> ``src/migrations/*.ts`` when the glob is compiled output beside a src/ tree."""
    rel = relative_glob(root, glob)
    if rel is None:
        return None
    first, _, rest = rel.partition("/")
    if first not in BUILD_DIRS or not (root / "src").is_dir():
        return None
    return "src/" + re.sub(r"\.js\b", ".ts", rest)


def source_twin(root: Path, glob: str) -> str | None:
    """``src/migrations/*.js`` -> ``src/migrations/*.ts`` when that glob finds nothing and the .ts one
    does: ``join(__dirname, 'src', 'migrations', '*.js')`` in a config run compiled (``dist/ormconfig.js``)
    loads the build of the TypeScript files beside the glob."""
    rel = relative_glob(root, glob)
    if rel is None or not re.search(r"\.js\b", rel) or re.search(r"\.ts\b", rel) or glob_files(root, (rel,)):
        return None
    twin = re.sub(r"\.js\b", ".ts", rel)
    return twin if glob_files(root, (twin,)) else None
