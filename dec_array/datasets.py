"""Small data sets bundled with dec-array, for examples, tests and benchmarks.

Only NumPy is needed to load them; the files are package data (``dec_array/data``), so
they work offline and from an installed wheel. See ``dec_array/data/README.md`` for
their origin, licence and how to cite them.
"""

from __future__ import annotations

import dataclasses
import gzip
from importlib import resources
from typing import Literal, overload

import numpy as np

__all__ = ["Dataset", "load_digits"]

_DIGITS_FILE = "digits.csv.gz"
_DIGITS_SHAPE = (1797, 64)
_DIGITS_SIDE = 8  # images are 8 x 8


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A bundled data set, as returned by ``load_*(return_X_y=False)``.

    Attributes
    ----------
    data : numpy.ndarray of shape (n_samples, n_features), float64
        The samples, one per row.
    target : numpy.ndarray of shape (n_samples,), int64
        The class of each sample.
    images : numpy.ndarray of shape (n_samples, height, width), float64
        ``data`` as images (a view of it).
    feature_names : list of str
        One name per column of ``data``.
    target_names : numpy.ndarray of shape (n_classes,), int64
        The classes.
    """

    data: np.ndarray
    target: np.ndarray
    images: np.ndarray
    feature_names: list[str]
    target_names: np.ndarray


def _read_csv_gz(name: str) -> np.ndarray:
    """Read a gzipped, comma-separated numeric file from ``dec_array/data``."""
    source = resources.files("dec_array").joinpath("data").joinpath(name)
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as text:
        return np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)


@overload
def load_digits(*, return_X_y: Literal[True] = ...) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def load_digits(*, return_X_y: Literal[False]) -> Dataset: ...
def load_digits(*, return_X_y: bool = True) -> tuple[np.ndarray, np.ndarray] | Dataset:
    """Load the UCI handwritten digits (1797 images of 8×8 pixels, ten classes).

    The test set of *Optical Recognition of Handwritten Digits* (E. Alpaydin and
    C. Kaynak, 1998, UCI Machine Learning Repository, CC BY 4.0): each image is a
    32×32 bitmap of a handwritten digit reduced to 8×8 blocks, a pixel counting the
    black pixels of its 4×4 block (0 to 16). The same data as
    ``sklearn.datasets.load_digits``, read with NumPy alone; a common first test of
    clustering methods, DEC included (scale it, e.g. ``X / 16``, before use).

    Parameters
    ----------
    return_X_y : bool, default True
        Return ``(X, y)``; with False, a :class:`Dataset` that also holds the images
        and the feature and class names.

    Returns
    -------
    X : numpy.ndarray of shape (1797, 64), float64
        The pixels, image row by image row (column ``8 * r + c`` is pixel ``(r, c)``),
        values 0 to 16.
    y : numpy.ndarray of shape (1797,), int64
        The digit of each image, 0 to 9 (174 to 183 images each).

    Notes
    -----
    Every call reads the bundled file again (about 20 ms) and returns new arrays that
    the caller may modify. Origin, licence and citation: ``dec_array/data/README.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, X.dtype.name, y.shape, y.dtype.name
    ((1797, 64), 'float64', (1797,), 'int64')
    >>> float(X.min()), float(X.max())
    (0.0, 16.0)
    >>> np.bincount(y).tolist()
    [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    >>> load_digits(return_X_y=False).images.shape
    (1797, 8, 8)
    """
    table = _read_csv_gz(_DIGITS_FILE)
    n, d = _DIGITS_SHAPE
    if table.shape != (n, d + 1):  # pragma: no cover - a damaged installation
        msg = f"bundled {_DIGITS_FILE} has shape {table.shape}, expected {(n, d + 1)}; reinstall dec-array"
        raise RuntimeError(msg)
    X = np.ascontiguousarray(table[:, :d])
    y = table[:, d].astype(np.int64)
    if return_X_y:
        return X, y
    side = _DIGITS_SIDE
    return Dataset(
        data=X,
        target=y,
        images=X.reshape(n, side, side),
        feature_names=[f"pixel_{r}_{c}" for r in range(side) for c in range(side)],
        target_names=np.arange(10, dtype=np.int64),
    )
