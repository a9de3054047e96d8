"""The truth about a real project, read from each tool's own rules, never from dbmigrate_magic.

Every function here reads the project's files the way the tool itself does (its config keys, its
defaults, its file-name pattern), so the acceptance script can score our verbs against it. Nothing
is imported from the package under test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {"node_modules", ".git", "dist", "build", "target", ".venv", "venv", "__pycache__"}

GOLANG_MIGRATE_RE = re.compile(r"^([0-9]+)_(.*)\.(down|up)\.(.*)$")  # golang-migrate source/parse.go
DBMATE_RE = re.compile(r"^(\d+).*\.sql$")  # dbmate: version = leading digits
SQLX_RE = re.compile(r"^(\d+)_(.+?)(\.up|\.down)?\.sql$")  # sqlx-core migrate/source.rs
GOOSE_RE = re.compile(r"^(\d+)_.+\.(sql|go)$")
KNEX_EXTS = (".co", ".coffee", ".eg", ".iced", ".js", ".cjs", ".mjs", ".litcoffee", ".ls", ".ts")
ALEMBIC_REV_RE = re.compile(r"^revision\s*(?::\s*[\w\[\], ]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
ALEMBIC_DOWN_RE = re.compile(r"^down_revision\s*(?::\s*[^=]+)?=\s*(.+)$", re.M)


@dataclass
class Truth:
    """One migration project: where the team runs its tool, the folder, and the migrations in order."""

    tool: str
    root: Path  # where the team runs the tool (a workspace package in a monorepo)
    folder: Path  # the migration folder, absolute
    migrations: list[str]  # ids in the tool's order (see key())
    dialect: str | None = None  # postgresql / sqlite / mysql, when the config says
    table: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    evidence: str = ""


def _walk(repo: Path, name_re: str) -> list[Path]:
    rx = re.compile(name_re)
    out = []
    for p in sorted(repo.rglob("*")):
        if any(part in SKIP_DIRS for part in p.relative_to(repo).parts):
            continue
        if p.is_file() and rx.fullmatch(p.name):
            out.append(p)
    return out


def _read(p: Path) -> str:
    try:
        return p.read_text(errors="replace")
    except OSError:
        return ""


def _scripts(root: Path) -> str:
    """package.json scripts + Makefile text: where teams write their migration commands."""
    text = ""
    pj = root / "package.json"
    if pj.is_file():
        try:
            text += "\n".join(json.loads(_read(pj)).get("scripts", {}).values())
        except (ValueError, AttributeError):
            pass
    for mk in ("Makefile", "makefile", "makefile.example", "justfile"):
        text += "\n" + _read(root / mk)
    return text


# --- Prisma ----------------------------------------------------------------------------------------
def prisma(repo: Path) -> list[Truth]:
    """Prisma resolves the schema from package.json `prisma.schema`, ./prisma/schema.prisma, ./schema.prisma;
    migrations live in `migrations/` beside the schema; a migration is a folder holding migration.sql."""
    out = []
    for pj in _walk(repo, r"package\.json"):
        root = pj.parent
        try:
            data = json.loads(_read(pj))
        except ValueError:
            continue
        deps = {**data.get("dependencies", {}), **data.get("devDependencies", {})}
        if "prisma" not in deps and "@prisma/client" not in deps:
            continue
        configured = (data.get("prisma") or {}).get("schema")
        candidates = [root / configured] if configured else [root / "prisma/schema.prisma", root / "schema.prisma"]
        schema = next((c for c in candidates if c.exists()), None)
        folder = (schema.parent if schema else root / "prisma") / "migrations"
        if not folder.is_dir():
            continue
        names = sorted(d.name for d in folder.iterdir() if (d / "migration.sql").is_file())
        lock = _read(folder / "migration_lock.toml")
        m = re.search(r'provider\s*=\s*"(\w+)"', lock)
        out.append(Truth("prisma", root, folder, names, m.group(1) if m else None, "_prisma_migrations"))
    return out


# --- Drizzle ---------------------------------------------------------------------------------------
def drizzle(repo: Path) -> list[Truth]:
    """drizzle.config.*: `out` (default ./drizzle), `dialect`; the journal's entries are the migrations."""
    out = []
    for cfg in _walk(repo, r"drizzle\.config\.(ts|js|mjs|cjs|json)"):
        text = _read(cfg)
        m = re.search(r"\bout\s*:\s*['\"]([^'\"]+)['\"]", text)
        folder = (cfg.parent / (m.group(1) if m else "drizzle")).resolve()
        journal = folder / "meta/_journal.json"
        if not journal.is_file():
            continue
        entries = sorted(json.loads(_read(journal)).get("entries", []), key=lambda e: e["idx"])
        d = re.search(r"\bdialect\s*:\s*['\"](\w+)['\"]", text) or re.search(r"\bdriver\s*:\s*['\"](\w+)", text)
        dialect = {"pg": "postgresql", "turso": "sqlite", "mysql2": "mysql"}.get(d.group(1), d.group(1)) if d else None
        t = Truth("drizzle", cfg.parent, folder, [e["tag"] for e in entries], dialect, "__drizzle_migrations")
        t.extra["when"] = {e["tag"]: e["when"] for e in entries}
        out.append(t)
    return out


# --- Knex ------------------------------------------------------------------------------------------
def knex(repo: Path) -> list[Truth]:
    """knexfile: `migrations.directory` (default ./migrations), `client`; files sorted by name."""
    out = []
    for kf in _walk(repo, r"knexfile\.(js|ts|cjs|mjs)"):
        text = _read(kf)
        m = re.search(r"directory\s*:\s*['\"]([^'\"]+)['\"]", text)
        if m:
            rel = m.group(1)
        else:
            j = re.search(r"directory\s*:\s*(?:path\.)?(?:join|resolve)\(\s*__dirname\s*,([^)]*)\)", text)
            rel = "/".join(re.findall(r"['\"]([^'\"]+)['\"]", j.group(1))) if j else "migrations"
        folder = (kf.parent / rel).resolve()
        if not folder.is_dir():
            continue
        files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix in KNEX_EXTS)
        c = re.search(r"client\s*:\s*['\"](\w+)['\"]", text)
        client = c.group(1) if c else None
        dialect = {"pg": "postgresql", "postgres": "postgresql", "postgresql": "postgresql", "sqlite3": "sqlite",
                   "better-sqlite3": "sqlite", "mysql": "mysql", "mysql2": "mysql"}.get(client or "")  # fmt: skip
        out.append(Truth("knex", kf.parent, folder, files, dialect, "knex_migrations", evidence=kf.name))
    return out


# --- TypeORM ---------------------------------------------------------------------------------------
def _typeorm_globs(text: str) -> list[tuple[str, str]]:
    """(base, pattern) pairs from a `migrations:` entry; base is 'dirname' for __dirname idioms."""
    m = re.search(r"migrations\s*:\s*\[([^\]]*)\]", text) or re.search(r'"migrations"\s*:\s*\[([^\]]*)\]', text)
    if not m:
        return []
    body = m.group(1)
    for ident in re.findall(r"^\s*(\w+)\s*,?\s*$", body, re.M):  # `migrations: [migration]` -> its const
        c = re.search(rf"(?:const|let|var)\s+{ident}\s*=\s*([^;\n]+)", text)
        body += "," + (c.group(1) if c else "")
    out = []
    for j in re.finditer(r"(?:path\.)?join\(\s*__dirname\s*,([^)]*)\)", body):
        out.append(("dirname", "/".join(re.findall(r"['\"]([^'\"]+)['\"]", j.group(1)))))
    for j in re.finditer(r"__dirname\s*\+\s*['\"]([^'\"]+)['\"]", body):
        out.append(("dirname", j.group(1).lstrip("/")))
    if not out:
        out = [("root", s) for s in re.findall(r"['\"]([^'\"]+)['\"]", body)]
    return out


def _typeorm_name(path: Path) -> str | None:
    """The name TypeORM records in its table and `migration:show` prints (MigrationExecutor.getMigrations:
    `migration.name ?? migration.constructor.name`): the class's `name` property, else the class name;
    it must end in a 13-digit timestamp. None for a file that exports no migration class."""
    text = _read(path)
    cls = re.search(r"\bclass\s+(\w+)[^{]*\{", text)
    if not cls:
        return None
    prop = re.search(r"^\s*(?:public\s+|readonly\s+)*name\s*(?::\s*string\s*)?=\s*['\"`]([^'\"`]+)['\"`]",
                     text[cls.end():], re.M)  # fmt: skip
    name = prop.group(1) if prop else cls.group(1)
    return name if re.search(r"\d{13}$", name) else None


def typeorm(repo: Path) -> list[Truth]:
    """ormconfig.* / DataSource / Nest TypeOrmModule: the `migrations` globs, resolved as TypeORM does
    (relative to the process cwd, or __dirname of the file). A `dist/` glob of compiled files points at
    the `src/` twin when dist is not built."""
    out: dict[Path, Truth] = {}
    for pj in _walk(repo, r"package\.json"):
        root = pj.parent
        if "typeorm" not in _read(pj):
            continue
        configs = [p for p in _walk(root, r".*\.(ts|js|json|yml)") if "migrations" in _read(p) and p.suffix != ".md"]
        for cfg in configs:
            if any("migration" in part for part in cfg.relative_to(root).parts[:-1]):
                continue
            text = _read(cfg)
            for base, pat in _typeorm_globs(text):
                start = cfg.parent if base == "dirname" else root
                folder_rel = re.split(r"[*{]", pat)[0].rstrip("/")
                folder = (start / folder_rel).resolve()
                for alt in (Path(str(folder).replace("/dist", "/src", 1)), root / "src" / folder_rel.lstrip("./")):
                    if not folder.is_dir() and alt.is_dir():
                        folder = alt
                if "**/" in pat and folder.is_dir():  # `dist/**/migrations/*.js`: the named folder below
                    leaf = pat.split("**/", 1)[1].split("/")[0]
                    hits = sorted(d for d in folder.rglob(leaf) if d.is_dir())
                    folder = hits[0] if hits else folder
                if not folder.is_dir() or folder in out:
                    continue
                files = sorted(
                    n
                    for p in folder.iterdir()
                    if p.suffix in (".ts", ".js") and not p.name.endswith(".d.ts") and (n := _typeorm_name(p))
                )
                t = re.search(r"type\s*:\s*['\"](\w+)['\"]", text)
                dialect = {"postgres": "postgresql", "sqlite": "sqlite", "better-sqlite3": "sqlite", "mysql": "mysql",
                           "mariadb": "mysql"}.get(t.group(1) if t else "")  # fmt: skip
                tn = re.search(r"migrationsTableName\s*:\s*['\"](\w+)['\"]", text)
                out[folder] = Truth("typeorm", root, folder, files, dialect, tn.group(1) if tn else "migrations",
                                    evidence=str(cfg.relative_to(repo)))  # fmt: skip
    return list(out.values())


# --- Alembic (plain and Flask-Migrate) ---------------------------------------------------------------
def _alembic_order(versions: list[Path]) -> tuple[list[str], bool]:
    """Revisions from oldest to newest following down_revision; linear=False when the graph branches."""
    down: dict[str, tuple[str, ...]] = {}
    for f in versions:
        text = _read(f)
        r = ALEMBIC_REV_RE.search(text)
        if not r:
            continue
        d = ALEMBIC_DOWN_RE.search(text)
        down[r.group(1)] = tuple(re.findall(r"['\"]([^'\"]+)['\"]", d.group(1))) if d else ()
    order: list[str] = []
    seen: set[str] = set()

    def visit(rev: str) -> None:
        if rev in seen or rev not in down:
            return
        seen.add(rev)
        for parent in down[rev]:
            visit(parent)
        order.append(rev)

    for rev in sorted(down):
        visit(rev)
    children = [p for ps in down.values() for p in ps]
    linear = all(len(ps) <= 1 for ps in down.values()) and len(children) == len(set(children))
    return order, linear


def alembic(repo: Path) -> list[Truth]:
    """alembic.ini `script_location` (with %(here)s), or Flask-Migrate's migrations/alembic.ini beside env.py
    (no script_location: the folder itself); revisions are versions/*.py holding `revision =`."""
    out = []
    seen: set[Path] = set()
    for ini in _walk(repo, r"alembic\.ini"):
        text = _read(ini)
        m = re.search(r"^script_location\s*=\s*(.+)$", text, re.M)
        if m:
            loc = m.group(1).strip().replace("%(here)s", str(ini.parent))
            script = (ini.parent / loc).resolve()
            root, flask = ini.parent, False
        elif (ini.parent / "env.py").is_file():
            script, root, flask = ini.parent, ini.parent.parent, True
        else:
            continue
        if script in seen or not (script / "versions").is_dir():
            continue
        seen.add(script)
        order, linear = _alembic_order(sorted((script / "versions").glob("*.py")))
        t = Truth("alembic", root, script, order, None, "alembic_version", evidence=str(ini.relative_to(repo)))
        t.extra.update(linear=linear, flask_migrate=flask)
        out.append(t)
    return out


# --- Django ----------------------------------------------------------------------------------------
def django(repo: Path) -> list[Truth]:
    """manage.py names the settings; each installed app's migrations/ holds modules not starting with _ or ~."""
    out = []
    for mp in _walk(repo, r"manage\.py"):
        m = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", _read(mp))
        if not m:
            continue
        mod = m.group(1).split(".")
        settings = mp.parent.joinpath(*mod).with_suffix(".py")
        if not settings.exists():
            settings = mp.parent.joinpath(*mod) / "__init__.py"
        stext = "\n".join(_read(p) for p in settings.parent.glob("*.py")) if settings.exists() else ""
        ids: list[str] = []
        for mig in sorted(mp.parent.rglob("migrations")):
            if not mig.is_dir() or any(part in SKIP_DIRS for part in mig.parts):
                continue
            app_dir = mig.parent
            dotted = ".".join(app_dir.relative_to(mp.parent).parts)
            if not re.search(rf"['\"]{re.escape(dotted)}(\.apps\.\w+)?['\"]", stext):
                continue
            ids += [f"{app_dir.name}.{p.stem}" for p in sorted(mig.glob("*.py")) if p.name[0] not in "_~"]
        dialect = "sqlite" if "sqlite3" in stext else "postgresql" if "postgresql" in stext else None
        out.append(Truth("django", mp.parent, mp.parent, ids, dialect, "django_migrations", evidence="manage.py"))
    return out


# --- golang-migrate, dbmate, sqlx, goose ----------------------------------------------------------------
def _sql_dirs(repo: Path) -> dict[Path, list[str]]:
    dirs: dict[Path, list[str]] = {}
    for p in _walk(repo, r".*\.sql"):
        dirs.setdefault(p.parent, []).append(p.name)
    return dirs


def _is_goose(folder: Path) -> bool:
    return any("+goose Up" in _read(p) for p in folder.glob("*.sql"))


def sql_tools(repo: Path) -> list[Truth]:
    """Folders of .sql files claimed by golang-migrate, dbmate, sqlx or goose, by each tool's own marker."""
    out = []
    scripts = _scripts(repo)
    gomod = _read(repo / "go.mod")
    for folder, names in sorted(_sql_dirs(repo).items()):
        if folder.name in ("queries", "query") or folder.name == "db_init":
            continue
        gm = [n for n in names if GOLANG_MIGRATE_RE.match(n)]
        if _is_goose(folder):
            versions = sorted({int(GOOSE_RE.match(n).group(1)) for n in names if GOOSE_RE.match(n)})  # type: ignore[union-attr]
            out.append(Truth("goose", repo, folder, [str(v) for v in versions], None, "goose_db_version"))
            continue
        if any("-- migrate:up" in _read(folder / n) for n in names):
            m = re.search(r"--migrations-table[= ]\"?(\w+)", scripts)
            versions = sorted({DBMATE_RE.match(n).group(1) for n in names if DBMATE_RE.match(n)})  # type: ignore[union-attr]
            out.append(Truth("dbmate", repo, folder, versions, None, m.group(1) if m else "schema_migrations"))
            continue
        cargo = folder.parent / "Cargo.toml"
        if cargo.is_file() and "sqlx" in _read(cargo) + _read(repo / "Cargo.toml"):
            versions = sorted({int(SQLX_RE.match(n).group(1)) for n in names if SQLX_RE.match(n)})  # type: ignore[union-attr]
            t = Truth("sqlx", folder.parent, folder, [str(v) for v in versions], None, "_sqlx_migrations")
            out.append(t)
            continue
        if gm and ("migrate" in scripts or "golang-migrate" in gomod or folder.name == "migrations"):
            versions = sorted({int(GOLANG_MIGRATE_RE.match(n).group(1)) for n in gm})  # type: ignore[union-attr]
            out.append(Truth("golang-migrate", repo, folder, [str(v) for v in versions], None, "schema_migrations"))
    return out


def find(repo: Path) -> list[Truth]:
    """Every migration project in a repository, by each tool's own rules."""
    found: list[Truth] = []
    for reader in (prisma, drizzle, knex, typeorm, alembic, django):
        found += reader(repo)
    claimed = {t.folder for t in found}
    found += [t for t in sql_tools(repo) if t.folder not in claimed]
    return found
