"""TypeORM: ``<ts>-<Name>.ts`` migration classes and the ``migrations`` table."""
from __future__ import annotations

import json
import re
from pathlib import Path

from . import typeorm_config
from ._files import read_text
from .base import Adapter, Evidence

DATA_SOURCE_NAMES = ("data-source.ts", "src/data-source.ts", "data-source.js", "src/data-source.js",
                     "src/db/data-source.ts", "src/database/data-source.ts")
TYPEORM_IMPORT = re.compile(r"""(from\s+['"]typeorm['"]|require\(\s*['"]typeorm['"]\s*\))""")


class TypeOrmAdapter(Adapter):
    tool = "typeorm"
    display_name = "TypeORM"

    @classmethod
    def data_source(cls, root: Path) -> Path | None:
        for name in DATA_SOURCE_NAMES:
            p = root / name
            if p.is_file() and TYPEORM_IMPORT.search(read_text(p)):
                return p
        return None

    @classmethod
    def migration_globs(cls, root: Path) -> list[str]:
        ormconfig = root / "ormconfig.json"
        if ormconfig.is_file():
            try:
                cfg = json.loads(read_text(ormconfig))
            except ValueError:
                cfg = {}
            cfgs = cfg if isinstance(cfg, list) else [cfg]
            globs = [g for c in cfgs for g in (c.get("migrations") or [])]
            if globs:
                return globs
        ds = cls.data_source(root)
        if ds is not None:
            m = re.search(r"migrations\s*:\s*\[([^\]]*)\]", read_text(ds))
            if m:
                globs = re.findall(r"""['"`]([^'"`]+)['"`]""", m.group(1))
                base = ds.parent.relative_to(root)
                return [g if not g.startswith("./") else (base / g[2:]).as_posix() for g in globs]
        return ["src/migration/*.ts", "src/migrations/*.ts", "migrations/*.ts"]

    @classmethod
    def files(cls, root: Path) -> list[Path]:
        found: set[Path] = set()
        for pattern in cls.migration_globs(root):
            pattern = pattern.lstrip("./") if pattern.startswith("./") else pattern
            if pattern.startswith("/"):
                continue
            found.update(p for p in root.glob(pattern) if p.is_file() and not p.name.endswith(".d.ts"))
        return sorted(found)

    @classmethod
    def detect(cls, root: Path) -> Evidence | None:
        evidence = []
        if (root / "ormconfig.json").is_file():
            evidence.append("ormconfig.json")
        ds = cls.data_source(root)
        if ds is not None:
            evidence.append(ds.relative_to(root).as_posix())
        if not evidence:
            return None
        files = cls.files(root)
        folder = None
        if files:
            folder = files[0].parent.relative_to(root).as_posix()
        return Evidence(cls.tool, tuple(evidence), folder, len(files))

    def config_connections(self):  # parsing lives in typeorm_config.py
        return typeorm_config.connections(self.root, self.data_source(self.root))

    def preferred_variables(self):
        return typeorm_config.preferred_variables(self.data_source(self.root))

    @classmethod
    def decoy_note(cls, root: Path) -> str | None:
        for name in DATA_SOURCE_NAMES:
            if (root / name).is_file() and cls.data_source(root) is None:
                return f"{name} ignored: it does not import typeorm"
        return None
