"""The version of dec-array (a single source for packaging and saved files)."""

__version__ = "0.1.0"
