"""The package version, in a module of its own so code anywhere in the package can read it
without importing the package's ``__init__`` (which loads the IPython extension's entry points)."""

__version__ = "0.1.0"
