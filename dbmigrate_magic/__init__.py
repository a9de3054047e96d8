"""dbmigrate_magic: database schema migrations from Jupyter notebooks and the shell.

``%load_ext dbmigrate_magic`` registers ``%dbm``/``%%dbm``. Loading imports nothing heavy:
pandas, SQLAlchemy dialects and ipywidgets are imported only when a verb needs them.
"""

from ._version import __version__ as __version__


def load_ipython_extension(ipython) -> None:
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from .magics import unload

    unload(ipython)
