"""The verb that loads data: seed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from ..argspec import Arg
from ._params import Confirm, DryRun, Env, NoBackup, PathLike, Where, Yes, _at_most_one

if TYPE_CHECKING:
    from .._verbs.seed import SeedResult


def seed(
    path: Where = None,
    *,
    env: Env = None,
    table: Annotated[
        str | None, Arg(help="load this one table from --from or --from-csv (instead of the seed folder)", metavar="T")
    ] = None,
    from_: Annotated[
        object,
        Arg(
            help="the notebook variable holding the rows (a pandas DataFrame); Python: the DataFrame",
            flag="--from",
            metavar="VAR",
            from_namespace=True,
            group="rows",
        ),
    ] = None,
    from_csv: Annotated[str | None, Arg(help="a CSV file with a header row", metavar="FILE", group="rows")] = None,
    key: Annotated[
        str | Sequence[str] | None,
        Arg(help="key column(s) rows are matched on (default: the table's primary key)", metavar="COL[,COL]"),
    ] = None,
    seed_dir: Annotated[
        PathLike,
        Arg(help="the seed folder (default: <project>/seeds: common/ and one folder per environment)", flag="--dir"),
    ] = None,
    fixtures: Annotated[
        str | Sequence[str] | None,
        Arg(
            help="Django: the fixtures `loaddata` loads (default: pyproject [tool.dbm.seed] or settings)",
            metavar="NAME,...",
        ),
    ] = None,
    native_only: Annotated[bool, Arg(help="only the migration tool's own seeds", group="which")] = False,
    ours_only: Annotated[bool, Arg(help="only the seed folder (not the tool's own seeds)", group="which")] = False,
    production: Annotated[
        bool,
        Arg(help="this seed is meant for production (also implied by a seeds/<production env>/ folder)"),
    ] = False,
    prune: Annotated[
        bool, Arg(help="delete rows of the seeded tables the seed no longer has (never in production)")
    ] = False,
    reset: Annotated[bool, Arg(help="empty the seeded tables first (never in production)")] = False,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
    no_backup: NoBackup = False,
) -> SeedResult:
    """Preview and load seed data: the seed folder, the tool's own seeds, or one table from a DataFrame/CSV.

    Rows are upserted by key, parents before children, in one transaction: a second run changes
    nothing and reports every row unchanged. Unconfirmed (``yes``, or ``confirm=<env name>`` in
    production), nothing is written: the result shows the counts and SQL, ``result.confirm(...)`` runs it.
    """
    _at_most_one(yes=yes, confirm=confirm)
    _at_most_one(from_=from_ is not None or None, from_csv=from_csv)
    _at_most_one(native_only=native_only, ours_only=ours_only)
    from .._verbs.seed import seed as _seed

    return _seed(
        path,
        env=env,
        table=table,
        frame=from_,
        from_csv=from_csv,
        key=key,
        folder=seed_dir,
        fixtures=fixtures,
        native_only=native_only,
        ours_only=ours_only,
        production=production,
        prune=prune,
        reset=reset,
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        no_backup=no_backup,
    )
