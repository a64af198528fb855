"""``python -m dec_array``: the ``dec-array`` command (see :mod:`dec_array.cli`)."""

from __future__ import annotations

from .cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
