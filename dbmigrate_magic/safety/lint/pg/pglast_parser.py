"""Import ``pglast.parser`` without paying for ``pglast.enums`` and ``pglast.ast`` up front.

The linter only calls ``parse_sql_json`` and ``scan``, which never touch pglast's Python enum and
node classes, yet importing the C parser executes both modules (hundreds of Enum/class
definitions: about two thirds of pglast's import time, a fixed cost on every ``dbm lint``). Before
pglast is first imported, the two submodules are registered as modules that execute their real
code on first attribute access (PEP 562 ``__getattr__``), so any later user of ``pglast.ast`` or
``pglast.enums`` in the same process gets the complete modules.
"""

from __future__ import annotations

import sys


def _defer(package: str, names: tuple[str, ...]) -> None:
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec(package)  # finds a top-level package without executing it
    if spec is None or not spec.submodule_search_locations:
        return
    where = list(spec.submodule_search_locations)
    for name in names:
        full = f"{package}.{name}"
        sub = importlib.machinery.PathFinder.find_spec(full, where)
        if sub is None or sub.loader is None:
            continue
        module = importlib.util.module_from_spec(sub)

        def load(attr: str, module=module, sub=sub):
            module.__dict__.pop("__getattr__", None)
            sub.loader.exec_module(module)  # the real module code, into the registered object
            return getattr(module, attr)

        module.__dict__["__getattr__"] = load  # PEP 562: the first attribute access runs the module
        sys.modules[full] = module


def parser():
    """The ``pglast.parser`` module (importing pglast with its enum and node modules deferred)."""
    if "pglast" not in sys.modules:
        _defer("pglast", ("enums", "ast"))
    from pglast import parser as p

    package = sys.modules["pglast"]
    for name in ("enums", "ast"):  # what a normal import binds on the package
        if not hasattr(package, name) and f"pglast.{name}" in sys.modules:
            setattr(package, name, sys.modules[f"pglast.{name}"])
    return p
