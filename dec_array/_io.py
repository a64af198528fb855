"""Safe, versioned ``.npz`` files: atomic writes and validating reads, never pickle."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__

__all__ = ["FORMAT_VERSION", "atomic_savez", "read_npz", "scalar"]

FORMAT_VERSION = 1
"""Version of the file layout; files from a newer layout are refused."""


def atomic_savez(path: str | os.PathLike[str], kind: str, arrays: Mapping[str, Any]) -> Path:
    """Write ``arrays`` to ``path`` as an uncompressed ``.npz`` through a temporary file in
    the same folder and an atomic rename, so that a crash never leaves a damaged file.

    Metadata ``__kind__``, ``__format_version__`` and ``__library_version__`` are added.
    Returns the path written (exactly ``path``; no suffix is appended).
    """
    if not isinstance(path, (str, os.PathLike)):
        msg = f"path must be a str or os.PathLike, got {type(path).__name__}"
        raise TypeError(msg)
    path = Path(path)
    payload: dict[str, Any] = {
        "__kind__": np.asarray(kind),
        "__format_version__": np.asarray(FORMAT_VERSION, dtype=np.int64),
        "__library_version__": np.asarray(__version__),
    }
    for key, value in arrays.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            msg = f"cannot save {key!r}: object arrays need pickle, which dec-array never uses"
            raise TypeError(msg)
        payload[key] = arr
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def read_npz(path: str | os.PathLike[str], kind: str) -> dict[str, np.ndarray]:
    """Read a file written by :func:`atomic_savez` and check its kind and version.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a readable ``.npz``, holds pickled objects, is of another kind
        or of a newer format version.
    """
    path = Path(path)
    if not path.exists():
        msg = f"no such file: {str(path)!r}"
        raise FileNotFoundError(msg)
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            out = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as exc:
        msg = f"{str(path)!r} is not a readable dec-array file ({type(exc).__name__}: {exc})"
        raise ValueError(msg) from None
    for key in ("__kind__", "__format_version__"):
        if key not in out:
            msg = f"{str(path)!r} is not a dec-array file (missing {key!r})"
            raise ValueError(msg)
    found_kind = str(out.pop("__kind__"))
    if found_kind != kind:
        msg = f"{str(path)!r} holds a {found_kind!r}, expected a {kind!r}"
        raise ValueError(msg)
    version = out.pop("__format_version__")
    if version.shape != () or version.dtype.kind not in "iu" or int(version) > FORMAT_VERSION:
        msg = (
            f"{str(path)!r} has file format version {version!r}; this dec-array "
            f"({__version__}) reads versions up to {FORMAT_VERSION}: upgrade dec-array"
        )
        raise ValueError(msg)
    if int(version) < 1:
        msg = f"{str(path)!r} has an invalid file format version {int(version)}"
        raise ValueError(msg)
    out.pop("__library_version__", None)
    return out


def scalar(data: Mapping[str, np.ndarray], key: str, kind: str, path: Any) -> Any:
    """Fetch a 0-d entry of ``kind`` ('i' int, 'f' float, 'U' str) or raise ValueError."""
    if key not in data:
        msg = f"{str(path)!r} is missing {key!r}"
        raise ValueError(msg)
    arr = data[key]
    if arr.shape != () or arr.dtype.kind not in ({"i": "iu", "f": "fiu", "U": "U", "b": "b"}[kind]):
        msg = (
            f"{str(path)!r}: {key!r} must be a scalar of kind {kind!r}, got {arr.dtype} {arr.shape}"
        )
        raise ValueError(msg)
    return {"i": int, "f": float, "U": str, "b": bool}[kind](arr)
