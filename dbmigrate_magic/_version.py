"""The package version, in a module of its own so the front ends read it without importing the package's
``__init__`` (which imports the magic)."""

__version__ = "0.1.0"
