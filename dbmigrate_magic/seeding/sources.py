"""What a seed run loads: tables of rows (a DataFrame, CSV, JSON/YAML) and scripts (.sql, .py).

The seed folder (default ``<project>/seeds``) holds ``common/`` for every environment and one folder
per environment (``production/``, ``staging/``, ``development/`` or ``dev/``): ``common`` first, then the
environment's, each in file-name order. A table named in several files is loaded once, from all of
them, a later row replacing an earlier one with the same key (an environment overrides ``common``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ProjectError, UsageProblem

if TYPE_CHECKING:
    import pandas as pd

#: a leading ``01_`` / ``010-`` orders files and is not part of the table name
_ORDER_PREFIX = re.compile(r"^\d+[_-]")
ROW_SUFFIXES = (".csv", ".json", ".yaml", ".yml")
SCRIPT_SUFFIXES = (".sql", ".py")


@dataclass(frozen=True, eq=False)
class TableSeed:
    """Rows for one table, with the key columns given by the user (None: the table's primary key)."""

    table: str
    frame: pd.DataFrame = field(repr=False)
    key: tuple[str, ...] | None
    sources: tuple[str, ...]
    #: rows per source, in order (merged files); empty: all the frame's rows come from one source
    sizes: tuple[int, ...] = ()

    @property
    def source(self) -> str:
        return ", ".join(self.sources)

    def where(self, position: int) -> str:
        """``row N of FILE`` for the frame's 0-based ``position`` (the file it came from, when merged)."""
        start = 0
        for source, size in zip(self.sources, self.sizes, strict=False):
            if position < start + size:
                return f"row {position - start + 1} of {source}"
            start += size
        return f"row {position + 1} of {self.source}"

    def fingerprint(self) -> str:
        """A short hash of the rows: the preview's signature changes when the data does."""
        import pandas as pd

        frame = self.frame
        try:
            digest = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        except TypeError:  # unhashable cells (dicts, lists, bytes): the pickled values
            import pickle

            digest = pickle.dumps(frame.to_numpy(dtype=object).tolist())
        names = ",".join(map(str, frame.columns)).encode()
        return hashlib.sha256(names + digest).hexdigest()[:12]


@dataclass(frozen=True)
class ScriptSeed:
    """A ``.sql`` file run as is, or a ``.py`` file whose ``seed(conn)`` is called, in the seed's transaction."""

    path: Path
    source: str  # relative to the project
    kind: str  # "sql" or "python"
    text: str = field(repr=False)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class SeedFolder:
    """What the seed folder holds for one environment."""

    root: Path
    folders: tuple[Path, ...]  # the ones that exist, in load order
    tables: tuple[TableSeed, ...]
    scripts: tuple[ScriptSeed, ...]
    #: the environment has a folder of its own (for production: the seed is meant for it)
    has_env_folder: bool

    @property
    def empty(self) -> bool:
        return not self.tables and not self.scripts


def table_name(path: Path) -> str:
    return _ORDER_PREFIX.sub("", path.stem)


def env_folder(root: Path, environment: str) -> Path | None:
    """``seeds/<environment>`` (or a spelling that means it, ``dev`` for ``development``)."""
    from ..config import canonical_env_name

    if not root.is_dir():
        return None
    wanted = canonical_env_name(environment)
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name != "common" and canonical_env_name(child.name) == wanted:
            return child
    return None


def read_folder(project_root: Path, folder: str | Path | None, environment: str) -> SeedFolder:
    """The seed folder's files for ``environment``; a missing folder is an empty seed."""
    root = Path(folder) if folder is not None else project_root / "seeds"
    if not root.is_absolute():
        root = project_root / root
    own = env_folder(root, environment)
    folders = tuple(p for p in (root / "common", own) if p is not None and p.is_dir())
    pieces: list[TableSeed] = []
    scripts: list[ScriptSeed] = []
    for where in folders:
        for path in sorted(p for p in where.iterdir() if p.is_file()):
            rel = _relative(path, project_root)
            suffix = path.suffix.lower()
            if suffix == ".csv":
                pieces.append(TableSeed(table_name(path), read_csv(path), None, (rel,)))
            elif suffix in (".json", ".yaml", ".yml"):
                pieces.extend(read_rows_file(path, rel))
            elif suffix in SCRIPT_SUFFIXES:
                kind = "sql" if suffix == ".sql" else "python"
                scripts.append(ScriptSeed(path, rel, kind, path.read_text(encoding="utf-8")))
    return SeedFolder(root, folders, merge(pieces), tuple(scripts), own is not None)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def read_csv(path: Path) -> pd.DataFrame:
    """Every cell as text (``01234`` stays a code, not a number); an empty cell is NULL. The
    loader converts text to each column's type from the live schema."""
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (ValueError, pd.errors.ParserError) as exc:
        raise ProjectError(
            f"{path.name} is not a readable CSV file: {exc}",
            unchanged="Nothing was written.",
            next_step="Fix the file: a header row with the column names, then one line per row.",
        ) from None


def read_rows_file(path: Path, rel: str) -> list[TableSeed]:
    """A JSON or YAML file: ``{table: [row, ...]}`` or ``{table: {key: [col, ...], rows: [row, ...]}}``."""
    import pandas as pd

    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            import json

            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:
        raise ProjectError(
            f"{rel} cannot be read: {exc}", unchanged="Nothing was written.", next_step="Fix the file's syntax."
        ) from None
    shape = "{table: [row, ...]} or {table: {key: [column, ...], rows: [row, ...]}}"
    if not isinstance(data, dict):
        raise ProjectError(
            f"{rel} holds a {type(data).__name__}, not a mapping of table names to rows.",
            unchanged="Nothing was written.",
            next_step=f"Write it as {shape}.",
        )
    out = []
    for table, body in data.items():
        key: tuple[str, ...] | None = None
        rows = body
        if isinstance(body, dict):
            key = split_key(body.get("key"))
            rows = body.get("rows")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ProjectError(
                f"{rel}: the rows of {table} are not a list of column-to-value mappings.",
                unchanged="Nothing was written.",
                next_step=f"Write it as {shape}.",
            )
        out.append(TableSeed(str(table), pd.DataFrame.from_records(rows), key, (rel,)))
    return out


def split_key(key: Any) -> tuple[str, ...] | None:
    """``"a,b"`` or ``["a", "b"]`` as a tuple of column names (None when not given)."""
    if key is None or key == "" or key == []:
        return None
    parts = key.split(",") if isinstance(key, str) else [str(k) for k in key]
    names = tuple(p.strip() for p in parts if p.strip())
    if not names:
        raise UsageProblem(f"--key {key!r} names no column.", next_step="Give column names: --key code or --key a,b.")
    return names


def merge(pieces: list[TableSeed]) -> tuple[TableSeed, ...]:
    """One ``TableSeed`` per table, in first-seen order; rows of later files after earlier ones."""
    import pandas as pd

    by_table: dict[str, list[TableSeed]] = {}
    for piece in pieces:
        by_table.setdefault(piece.table, []).append(piece)
    out = []
    for table, parts in by_table.items():
        keys = {p.key for p in parts if p.key is not None}
        if len(keys) > 1:
            raise ProjectError(
                f"The seed files of {table} give different keys: {' and '.join(','.join(k) for k in sorted(keys))}.",
                unchanged="Nothing was written.",
                next_step="Give the same key in every file of the table, or leave it out to use the primary key.",
            )
        frame = parts[0].frame if len(parts) == 1 else pd.concat([p.frame for p in parts], ignore_index=True)
        sources = tuple(s for p in parts for s in p.sources)
        sizes = tuple(n for p in parts for n in (p.sizes or (len(p.frame),)))
        out.append(
            TableSeed(table, frame, next(iter(keys), None), sources, sizes if len(parts) > 1 else parts[0].sizes)
        )
    return tuple(out)
