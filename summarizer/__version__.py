"""The package version, in its own leaf module: `pipeline` stamps it on every result without importing
the package `__init__` (whose lazy re-exports import `api`, which imports `pipeline`: a cycle)."""

__version__ = "0.1.0"
