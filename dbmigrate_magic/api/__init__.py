"""The verbs, one function each, and the only place they are declared.

The ``dbm`` CLI and the ``%dbm`` magic generate their parsers from these signatures
(``arguments.py``): a positional parameter is a positional argument, a keyword-only one an
``--option``, help and spelling come from the ``Arg`` in its annotation, and the first docstring
line is the verb's summary. Argument checks live here or in the implementation, so Python, the
CLI and the magic accept and refuse the same things.

Implementations live in private modules (``dbmigrate_magic._verbs``), imported when a verb is
first called, so ``dbm status`` does not pay for diff, backup or lint.
"""

from __future__ import annotations

from importlib import import_module

from .backups import backup, backups, restore
from .changing import baseline, down_for, generate, migrate, new, resolve, rollback, scratch
from .data import seed
from .online import backfill, plan
from .reading import detect, diff, drift, env, lint, status

#: each result class, by the module that defines it (imported on first access)
_RESULT_MODULES = {
    "BackupResult": ".._verbs.backup",
    "BackupsResult": ".._verbs.backup",
    "RestoreResult": ".._verbs.backup",
    "DetectResult": ".._verbs.detect",
    "DiffResult": ".._verbs.diff",
    "DriftResult": ".._verbs.drift",
    "EnvResult": ".._verbs.environments",
    "FleetChangeResult": ".._verbs.fleet_result",
    "FleetSchemaResult": ".._verbs.fleet_schema",
    "FleetStatusResult": ".._verbs.fleet_status",
    "DownResult": ".._verbs.generate",
    "GenerateResult": ".._verbs.generate",
    "LintResult": ".._verbs.lint",
    "RulesResult": ".._verbs.lint_rules",
    "NewResult": ".._verbs.migrate",
    "PlanResult": ".._verbs.plan",
    "ChangeResult": ".._verbs.preview",
    "Preview": "..change",
    "ScratchResult": ".._verbs.scratch",
    "SeedResult": ".._verbs.seed",
    "StatusResult": ".._verbs.status",
    "StatusMatrix": ".._verbs.status_matrix",
}


def __getattr__(name: str) -> type:
    """Result classes, imported on first access (``api.StatusResult``)."""
    module_name = _RESULT_MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module_name, __package__), name)
    globals()[name] = value
    return value


#: the verbs of ``dbm`` and ``%dbm``, in the order their help lists them
VERBS = (
    detect,
    env,
    status,
    lint,
    migrate,
    new,
    rollback,
    resolve,
    baseline,
    diff,
    drift,
    generate,
    plan,
    backfill,
    scratch,
    seed,
    backup,
    backups,
    restore,
)

__all__ = [
    *(v.__name__ for v in VERBS),
    "down_for",
    "BackupResult",
    "BackupsResult",
    "RestoreResult",
    "DetectResult",
    "DiffResult",
    "DriftResult",
    "EnvResult",
    "FleetChangeResult",
    "FleetSchemaResult",
    "FleetStatusResult",
    "DownResult",
    "GenerateResult",
    "LintResult",
    "RulesResult",
    "NewResult",
    "PlanResult",
    "ChangeResult",
    "Preview",
    "ScratchResult",
    "SeedResult",
    "StatusMatrix",
    "StatusResult",
]
