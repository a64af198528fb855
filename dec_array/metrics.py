"""External clustering metrics: cluster accuracy, NMI, ARI and the contingency table.

The labels may be 1-D arrays of any Array API namespace (NumPy, CuPy, PyTorch, JAX,
Dask, array-api-strict) or Python sequences, with any label values: integers (negative,
non-contiguous), booleans, finite floats and, for sequences and NumPy arrays, strings.
The labelings only need to have the same length; the number of clusters may differ from
the number of classes.

These metrics are small, label-level computations. Only the two label vectors and the
``n_classes x n_clusters`` contingency table visit the host: the labels are copied to
NumPy (with :func:`dec_array._array_api.to_numpy`), the table is built there and the
scores are returned as Python floats. No sample-by-feature data ever leaves its device.

The definitions and edge cases of :func:`normalized_mutual_info_score` and
:func:`adjusted_rand_score` are those of scikit-learn (which is not needed at run time).
:func:`cluster_accuracy` needs SciPy (for the Hungarian algorithm).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from array_api_compat import is_array_api_obj

from ._array_api import to_numpy

__all__ = [
    "adjusted_rand_score",
    "cluster_accuracy",
    "contingency_matrix",
    "normalized_mutual_info_score",
]

_AVERAGE_METHODS = ("min", "geometric", "arithmetic", "max")


# --------------------------------------------------------------------------- validation


def _labels_to_host(labels: Any, name: str) -> np.ndarray:
    """Validate one labeling and return it as a 1-D NumPy array on the host."""
    if is_array_api_obj(labels):
        ndim = labels.ndim
        if ndim != 1:  # checked before copying anything to the host
            msg = f"{name} must be a 1-D array of labels, got ndim={ndim}"
            raise ValueError(msg)
        host = to_numpy(labels)
    else:
        if isinstance(labels, (str, bytes)) or np.isscalar(labels):
            msg = f"{name} must be a 1-D array or sequence of labels, got {type(labels).__name__}"
            raise ValueError(msg)
        try:
            host = np.asarray(labels)
        except (ValueError, TypeError) as exc:
            msg = f"{name} must be a 1-D array or sequence of labels ({exc})"
            raise ValueError(msg) from None
    if host.ndim != 1:
        msg = f"{name} must be a 1-D array of labels, got shape {tuple(host.shape)}"
        raise ValueError(msg)
    if host.shape[0] == 0:
        msg = f"{name} must hold at least one label, got an empty array"
        raise ValueError(msg)
    kind = host.dtype.kind
    if kind == "f":
        if not bool(np.all(np.isfinite(host))):
            msg = f"{name} must hold finite labels, got NaN or infinity"
            raise ValueError(msg)
    elif kind not in "biuUSO":
        msg = (
            f"{name} must hold integer, boolean, finite float or string labels, "
            f"got dtype {host.dtype}"
        )
        raise TypeError(msg)
    return host


def _check_labelings(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both labelings on the host, validated and of the same length."""
    true = _labels_to_host(labels_true, "labels_true")
    pred = _labels_to_host(labels_pred, "labels_pred")
    if true.shape[0] != pred.shape[0]:
        msg = (
            "labels_true and labels_pred must have the same length, got "
            f"{true.shape[0]} and {pred.shape[0]}"
        )
        raise ValueError(msg)
    return true, pred


def _inverse(labels: np.ndarray, name: str) -> tuple[int, np.ndarray]:
    """Number of distinct labels and the index of each label among them."""
    try:
        uniques, inverse = np.unique(labels, return_inverse=True)
    except TypeError as exc:  # object arrays mixing incomparable types
        msg = f"{name} must hold mutually comparable labels ({exc})"
        raise TypeError(msg) from None
    return int(uniques.shape[0]), np.reshape(inverse, (-1,)).astype(np.intp, copy=False)


def _table(true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """The int64 contingency table of two validated host labelings."""
    n_classes, class_idx = _inverse(true, "labels_true")
    n_clusters, cluster_idx = _inverse(pred, "labels_pred")
    flat = np.bincount(class_idx * n_clusters + cluster_idx, minlength=n_classes * n_clusters)
    return flat.reshape(n_classes, n_clusters).astype(np.int64, copy=False)


# --------------------------------------------------------------------------- public API


def contingency_matrix(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """Contingency table of two labelings.

    Parameters
    ----------
    labels_true : array or sequence of shape (n_samples,)
        Ground-truth class labels (any namespace; any hashable, sortable label values).
    labels_pred : array or sequence of shape (n_samples,)
        Cluster labels to evaluate.

    Returns
    -------
    numpy.ndarray of shape (n_classes, n_clusters), dtype int64
        ``C[i, j]`` is the number of samples of the ``i``-th class (in sorted order of the
        distinct values of ``labels_true``) put in the ``j``-th cluster (sorted order of
        the distinct values of ``labels_pred``). Always a host NumPy array: the table is
        tiny and the metrics of this module read it on the host.

    Raises
    ------
    ValueError
        If a labeling is not 1-D, is empty, holds NaN or infinity, or if the lengths differ.
    TypeError
        If a labeling holds values that are neither numbers nor strings.

    Examples
    --------
    >>> from dec_array.metrics import contingency_matrix
    >>> contingency_matrix([0, 0, 1, 1], [5, 5, 5, -1])
    array([[0, 2],
           [1, 1]])
    """
    true, pred = _check_labelings(labels_true, labels_pred)
    return _table(true, pred)


def cluster_accuracy(labels_true: Any, labels_pred: Any) -> float:
    """Unsupervised clustering accuracy: the best one-to-one matching of clusters to classes.

    .. math:: \\mathrm{ACC} = \\max_{m} \\frac{1}{n} \\sum_i [y_i = m(c_i)]

    over all one-to-one maps ``m`` from clusters to classes, found by the Hungarian
    algorithm (:func:`scipy.optimize.linear_sum_assignment`) on the contingency table.
    When the numbers of clusters and classes differ, the unmatched clusters count as
    wrong.

    Parameters
    ----------
    labels_true : array or sequence of shape (n_samples,)
        Ground-truth class labels.
    labels_pred : array or sequence of shape (n_samples,)
        Cluster labels to evaluate.

    Returns
    -------
    float
        In ``(0, 1]``; ``1.0`` when the clustering equals the classes up to a renaming.

    Raises
    ------
    ImportError
        If SciPy is not installed.
    ValueError, TypeError
        On bad labelings, as :func:`contingency_matrix`.

    Examples
    --------
    >>> from dec_array.metrics import cluster_accuracy
    >>> cluster_accuracy([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 0, 2])
    0.8333333333333334
    >>> cluster_accuracy(["a", "a", "b"], [7, 7, 3])
    1.0
    """
    true, pred = _check_labelings(labels_true, labels_pred)
    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError as exc:  # pragma: no cover - scipy is a test dependency
        msg = (
            "cluster_accuracy requires scipy (for scipy.optimize.linear_sum_assignment); "
            "install it with `pip install scipy`"
        )
        raise ImportError(msg) from exc
    table = _table(true, pred)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(int(table[rows, cols].sum()) / true.shape[0])


def _entropy(counts: np.ndarray) -> float:
    """Entropy (natural log) of a labeling from its positive cluster sizes."""
    pi = counts.astype(np.float64)
    if pi.size == 1:
        return 0.0
    pi_sum = np.sum(pi)
    return float(-np.sum((pi / pi_sum) * (np.log(pi) - math.log(pi_sum))))


def _mutual_info(table: np.ndarray) -> float:
    """Mutual information (natural log) of a contingency table, as scikit-learn does."""
    pi = table.sum(axis=1)
    pj = table.sum(axis=0)
    if pi.size == 1 or pj.size == 1:
        return 0.0
    nzx, nzy = np.nonzero(table)
    nz_val = table[nzx, nzy].astype(np.float64)
    contingency_sum = float(table.sum())
    log_contingency_nm = np.log(nz_val)
    contingency_nm = nz_val / contingency_sum
    outer = pi.take(nzx).astype(np.int64) * pj.take(nzy).astype(np.int64)
    log_outer = -np.log(outer) + math.log(pi.sum()) + math.log(pj.sum())
    mi = contingency_nm * (log_contingency_nm - math.log(contingency_sum)) + (
        contingency_nm * log_outer
    )
    mi = np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi)
    return float(np.clip(mi.sum(), 0.0, None))


def normalized_mutual_info_score(
    labels_true: Any,
    labels_pred: Any,
    *,
    average_method: Literal["min", "geometric", "arithmetic", "max"] = "arithmetic",
) -> float:
    """Normalized mutual information between two labelings (scikit-learn's definition).

    .. math:: \\mathrm{NMI}(U, V) = \\frac{I(U; V)}{\\mathrm{mean}(H(U), H(V))}

    with natural logarithms and the mean chosen by ``average_method``. If both labelings
    consist of a single cluster the score is ``1.0`` (a perfect match of two trivial
    partitions); otherwise a zero mutual information gives ``0.0``.

    Parameters
    ----------
    labels_true : array or sequence of shape (n_samples,)
        Ground-truth class labels.
    labels_pred : array or sequence of shape (n_samples,)
        Cluster labels to evaluate.
    average_method : {'arithmetic', 'min', 'geometric', 'max'}, default 'arithmetic'
        How to average the two entropies in the denominator.

    Returns
    -------
    float
        In ``[0, 1]``; symmetric in its two arguments and invariant to label renaming.

    Raises
    ------
    ValueError
        On a bad ``average_method`` or bad labelings (see :func:`contingency_matrix`).
    TypeError
        If ``average_method`` is not a string or a labeling holds non-label values.

    Examples
    --------
    >>> from dec_array.metrics import normalized_mutual_info_score
    >>> round(normalized_mutual_info_score([0, 0, 1, 1], [0, 0, 1, 2]), 6)
    0.8
    >>> round(normalized_mutual_info_score([0, 0, 1, 1], [0, 0, 1, 2], average_method="max"), 6)
    0.666667
    >>> normalized_mutual_info_score([3, 3, 3], [1, 1, 1])
    1.0
    """
    if not isinstance(average_method, str):
        msg = (
            f"average_method must be one of {_AVERAGE_METHODS}, got "
            f"{average_method!r} of type {type(average_method).__name__}"
        )
        raise TypeError(msg)
    if average_method not in _AVERAGE_METHODS:
        msg = f"average_method must be one of {_AVERAGE_METHODS}, got {average_method!r}"
        raise ValueError(msg)
    true, pred = _check_labelings(labels_true, labels_pred)
    table = _table(true, pred)
    n_classes, n_clusters = table.shape
    if n_classes == n_clusters == 1:
        return 1.0
    mi = _mutual_info(table)
    if mi == 0:
        return 0.0
    h_true = _entropy(table.sum(axis=1))
    h_pred = _entropy(table.sum(axis=0))
    if average_method == "min":
        normalizer = min(h_true, h_pred)
    elif average_method == "geometric":
        normalizer = float(np.sqrt(h_true * h_pred))
    elif average_method == "arithmetic":
        normalizer = float(np.mean([h_true, h_pred]))
    else:
        normalizer = max(h_true, h_pred)
    return float(mi / normalizer)


def adjusted_rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index adjusted for chance (Hubert and Arabie), scikit-learn's definition.

    Computed from the pair confusion matrix in exact integer arithmetic. Identical
    partitions (up to renaming), including two single-cluster labelings and a single
    sample, score ``1.0``; random labelings score about ``0``; the score can be negative.

    Parameters
    ----------
    labels_true : array or sequence of shape (n_samples,)
        Ground-truth class labels.
    labels_pred : array or sequence of shape (n_samples,)
        Cluster labels to evaluate.

    Returns
    -------
    float
        In ``[-0.5, 1]``; symmetric in its two arguments.

    Raises
    ------
    ValueError, TypeError
        On bad labelings, as :func:`contingency_matrix`.

    Examples
    --------
    >>> from dec_array.metrics import adjusted_rand_score
    >>> adjusted_rand_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2])  # 4/7
    0.5714285714285714
    >>> adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1])
    -0.5
    """
    true, pred = _check_labelings(labels_true, labels_pred)
    table = _table(true, pred)
    n_samples = int(true.shape[0])
    # Sums of squared counts are at most n_samples**2 (exact in int64); the products
    # below are taken in Python ints, so nothing overflows.
    sum_squares = int(np.sum(table * table))
    sum_rows = int(np.sum(table.sum(axis=1) ** 2))
    sum_cols = int(np.sum(table.sum(axis=0) ** 2))
    tp = sum_squares - n_samples
    fp = sum_cols - sum_squares
    fn = sum_rows - sum_squares
    tn = n_samples * n_samples - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
