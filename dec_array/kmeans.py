"""k-means clustering written once against the Python Array API standard.

:class:`KMeans` is a small scikit-learn-style estimator whose data never leaves its
array library or device: ``X`` from NumPy, CuPy, PyTorch, JAX, Dask or array-api-strict
gives cluster centres and labels in that same namespace, on the same device, in the same
floating dtype. DEC uses it to initialise the cluster centres in the embedded space.

What crosses to the host: the random numbers (drawn by a NumPy
:class:`~numpy.random.Generator` and uploaded, a few per centre), one small vector of
three scalars per Lloyd iteration (the centre shift that drives the stopping rule, the
number of empty clusters and the largest point-to-centre distance), the inertia of each
restart, and the mean feature variance of ``X`` once per fit. With Dask arrays the
``n_clusters x n_features`` centres also come back once per iteration, so that the task
graph does not grow with the iterations.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
from array_api_compat import is_array_api_obj, is_jax_array

from ._array_api import (
    Array,
    check_positive_int,
    check_random_state,
    dtype_name,
    get_device,
    get_namespace,
    is_lazy_array,
    to_namespace,
    to_numpy,
)
from ._estimator import (
    EstimatorMixin,
    check_data,
    check_finite,
    check_fitted,
    check_nonnegative_float,
)
from .functional import hard_assignment, squared_distances

__all__ = ["KMeans"]

_INIT_METHODS = ("k-means++", "random")


def _check_init(init: Any) -> str | None:
    """Return the init method name, or None for explicit centres (checked later)."""
    if isinstance(init, str):
        if init not in _INIT_METHODS:
            msg = (
                f"init must be 'k-means++', 'random' or an array of shape "
                f"(n_clusters, n_features), got {init!r}"
            )
            raise ValueError(msg)
        return init
    if is_array_api_obj(init) or isinstance(init, (list, tuple)):
        return None
    msg = (
        "init must be 'k-means++', 'random' or an array of shape (n_clusters, n_features), "
        f"got {type(init).__name__}"
    )
    raise TypeError(msg)


def _check_init_array(
    init: Any, n_clusters: int, n_features: int, xp: ModuleType, device: Any, dtype: Any
) -> Array:
    """Explicit initial centres as an array of ``xp`` on ``device`` with ``dtype``."""
    if is_array_api_obj(init):
        host_dtype_ok = get_namespace(init).isdtype(init.dtype, ("real floating", "integral"))
        shape = tuple(init.shape)
    else:
        try:
            arr = np.asarray(init)
        except (ValueError, TypeError) as exc:
            msg = f"init must be an array of shape ({n_clusters}, {n_features}): {exc}"
            raise ValueError(msg) from None
        host_dtype_ok = arr.dtype.kind in "iuf"
        shape = arr.shape
        init = arr
    if not host_dtype_ok:
        msg = f"init must hold real numbers, got dtype {dtype_name(init.dtype)}"
        raise TypeError(msg)
    if shape != (n_clusters, n_features):
        msg = (
            f"init must have shape (n_clusters, n_features) = ({n_clusters}, {n_features}), "
            f"got {shape}"
        )
        raise ValueError(msg)
    centers = to_namespace(init, xp, device, dtype)
    check_finite(centers, "init")
    return centers


# --------------------------------------------------------------------------- kernels


def _index_dtype(xp: ModuleType, device: Any) -> Any:
    return xp.__array_namespace_info__().default_dtypes(device=device)["indexing"]


def _sq_distances(xp: ModuleType, x: Array, centers: Array, x_sq: Array) -> Array:
    """(n, k) squared distances by one GEMM, with the rows' squared norms ``x_sq`` given.

    ``x`` is centred on its mean once per fit, which keeps the cancellation in
    ``|x|² + |c|² - 2 x·c`` small (the argument of :func:`.functional.squared_distances`),
    so the ``(n, 1)`` norms are computed once and not re-derived every Lloyd iteration.
    """
    c_sq = xp.sum(centers * centers, axis=1)
    return xp.clip((x_sq + c_sq) - 2.0 * (x @ xp.matrix_transpose(centers)), min=0.0)


def _one_hot(xp: ModuleType, labels: Array, n_clusters: int, dtype: Any, device: Any) -> Array:
    ids = xp.arange(n_clusters, dtype=labels.dtype, device=device)
    return xp.astype(xp.reshape(labels, (-1, 1)) == xp.reshape(ids, (1, -1)), dtype)


def _inertia(xp: ModuleType, x: Array, centers: Array, labels: Array, device: Any) -> Array:
    """Sum of squared distances to the assigned centres, computed directly (no cancellation)."""
    onehot = _one_hot(xp, labels, int(centers.shape[0]), x.dtype, device)
    r = x - onehot @ centers
    return xp.sum(r * r)


def _materialize(xp: ModuleType, a: Array, device: Any) -> Array:
    """A small lazy array computed and wrapped again, which cuts its task graph."""
    return xp.asarray(to_numpy(a), dtype=a.dtype, device=device)


def _kmeans_plusplus(
    xp: ModuleType,
    x: Array,
    x_sq: Array,
    n_clusters: int,
    rng: np.random.Generator,
    device: Any,
) -> Array:
    """Greedy k-means++ seeding (as scikit-learn's) sampled on the device.

    Each new centre is the best, by resulting potential, of ``2 + int(log k)`` candidates
    drawn with probability proportional to the squared distance to the closest centre
    chosen so far: the uniforms come from the host generator, the draws are a
    ``searchsorted`` in the cumulative sum of the distances. No value is read back.
    """
    n = int(x.shape[0])
    n_trials = 2 + int(math.log(n_clusters))
    idx_dtype = _index_dtype(xp, device)
    first = xp.asarray([int(rng.integers(n))], dtype=idx_dtype, device=device)
    chosen = [first]
    closest = xp.reshape(_sq_distances(xp, x, xp.take(x, first, axis=0), x_sq), (-1,))
    for _ in range(1, n_clusters):
        cums = xp.cumulative_sum(closest)
        u = xp.asarray(rng.uniform(size=n_trials), dtype=x.dtype, device=device)
        cand = xp.searchsorted(cums, u * cums[-1])
        cand = xp.astype(xp.clip(cand, max=n - 1), idx_dtype)
        d = _sq_distances(xp, x, xp.take(x, cand, axis=0), x_sq)  # (n, n_trials)
        d = xp.minimum(d, xp.reshape(closest, (-1, 1)))
        best = xp.reshape(xp.argmin(xp.sum(d, axis=0)), (1,))
        closest = xp.reshape(xp.take(d, best, axis=1), (-1,))
        chosen.append(xp.take(cand, xp.astype(best, idx_dtype)))
    return xp.take(x, xp.concat(chosen), axis=0)


def _random_init(
    xp: ModuleType, x: Array, n_clusters: int, rng: np.random.Generator, device: Any
) -> Array:
    """``n_clusters`` distinct samples chosen uniformly at random."""
    idx = rng.permutation(int(x.shape[0]))[:n_clusters]
    return xp.take(x, xp.asarray(idx, dtype=_index_dtype(xp, device), device=device), axis=0)


def _reseed_empty(
    xp: ModuleType,
    x: Array,
    centers: Array,
    nonempty: Array,
    min_d: Array,
    n_empty: int,
    device: Any,
) -> Array:
    """Move the empty clusters onto the samples farthest from their centres.

    The ``r``-th empty cluster (in index order) gets the ``r``-th farthest sample (ties
    to the lowest index), so the result is deterministic. Only ``n_empty``, a host int,
    shapes the computation.
    """
    remaining = min_d
    picks = []
    ids = None
    sentinel = xp.full_like(min_d, -1.0)  # distances are >= 0
    for _ in range(n_empty):
        i = xp.argmax(remaining)
        if ids is None:
            ids = xp.arange(int(x.shape[0]), dtype=i.dtype, device=device)
        picks.append(xp.reshape(i, (1,)))
        remaining = xp.where(ids == i, sentinel, remaining)
    far = xp.concat(picks)
    empty = xp.logical_not(nonempty)
    rank = xp.cumulative_sum(xp.astype(empty, far.dtype)) - 1
    rank = xp.clip(rank, min=0, max=n_empty - 1)
    points = xp.take(x, xp.take(far, rank), axis=0)
    return xp.where(xp.reshape(empty, (-1, 1)), points, centers)


def _lloyd(
    xp: ModuleType,
    x: Array,
    centers: Array,
    *,
    x_sq: Array,
    max_iter: int,
    tol: float,
    device: Any,
    materialize: bool,
) -> tuple[Array, int]:
    """Lloyd iterations from ``centers``; return the final centres and the iteration count.

    Stops when the summed squared centre shift is ``<= tol`` (absolute) with no empty
    cluster left to re-seed, or after ``max_iter`` iterations. One host read per iteration.
    """
    k, d = (int(s) for s in centers.shape)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        dist = _sq_distances(xp, x, centers, x_sq)
        labels = xp.argmin(dist, axis=1)
        min_d = xp.min(dist, axis=1)
        onehot = _one_hot(xp, labels, k, x.dtype, device)
        counts = xp.sum(onehot, axis=0)
        sums = xp.matrix_transpose(onehot) @ x
        nonempty = counts > 0
        safe = xp.where(nonempty, counts, xp.ones_like(counts))
        new = xp.where(xp.reshape(nonempty, (-1, 1)), sums / xp.reshape(safe, (-1, 1)), centers)
        diff = new - centers
        n_empty_arr = xp.sum(xp.astype(xp.logical_not(nonempty), x.dtype))
        stats = xp.stack([xp.sum(diff * diff), n_empty_arr, xp.max(min_d)])
        if materialize:
            host = to_numpy(xp.concat([xp.reshape(new, (-1,)), stats]))
            new = xp.asarray(np.reshape(host[:-3], (k, d)), dtype=x.dtype, device=device)
            host_stats = host[-3:]
        else:
            host_stats = to_numpy(stats)
        shift, n_empty, farthest = (
            float(host_stats[0]),
            round(float(host_stats[1])),
            float(host_stats[2]),
        )
        centers = new
        if n_empty > 0 and farthest > 0.0:
            centers = _reseed_empty(xp, x, centers, nonempty, min_d, n_empty, device)
            if materialize:
                centers = _materialize(xp, centers, device)
            continue
        if shift <= tol:
            break
    return centers, n_iter


# --------------------------------------------------------------------------- estimator


class KMeans(EstimatorMixin):
    """k-means clustering (Lloyd's algorithm with greedy k-means++ seeding) on any
    Array API namespace.

    A scikit-learn-style estimator: the constructor only stores its arguments, ``fit``
    does the work and sets the fitted attributes, which live in the namespace and on the
    device of ``X`` (CuPy in, CuPy out; a PyTorch tensor on a GPU gives tensors on that
    GPU) and keep its floating dtype.

    Parameters
    ----------
    n_clusters : int, default 8
        Number of clusters, at most the number of samples.
    init : {'k-means++', 'random'} or array of shape (n_clusters, n_features), default 'k-means++'
        Seeding: greedy k-means++ (``2 + int(log(n_clusters))`` candidates per centre,
        keeping the one that lowers the potential most, as scikit-learn), ``n_clusters``
        distinct samples at random, or explicit centres (any namespace or a nested list;
        converted to the namespace, device and dtype of ``X``). With explicit centres a
        single run is made, whatever ``n_init``.
    n_init : int, default 10
        Number of runs from different seeds; the run with the lowest inertia is kept.
    max_iter : int, default 300
        Maximum number of Lloyd iterations per run.
    tol : float, default 1e-4
        Relative tolerance: a run stops when the summed squared shift of the centres in
        one iteration is ``<= tol * mean(var(X, axis=0))`` (scikit-learn's rule).
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of the host generator of the random draws. An int gives identical results on
        every ``fit``; a Generator is used (and advanced) as given.

    Attributes
    ----------
    cluster_centers_ : array of shape (n_clusters, n_features)
        The centres, in the namespace, device and dtype of ``X``.
    labels_ : array of shape (n_samples,)
        Index of the centre of every training sample (the namespace's index dtype).
    inertia_ : float
        Sum of squared distances of the training samples to their centres.
    n_iter_ : int
        Lloyd iterations of the kept run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Every Lloyd step is one GEMM for the distances (shared with
    :func:`dec_array.functional.squared_distances`: inputs shifted by the centres' mean,
    clamped at zero) and one for the new centres, ``onehotᵀ X / counts``, with no
    ``(n, k, d)`` intermediate, no in-place update and no data-dependent shape, so JAX
    and Dask arrays work as well. ``X`` is centred on its mean for the iterations, which
    keeps float32 sums accurate. A cluster that becomes empty is re-seeded at the sample
    farthest from its centre (the ``r``-th empty cluster at the ``r``-th farthest sample).

    Integer and boolean ``X`` are converted to the namespace's default real floating
    dtype on their device (float64 for NumPy, float32 for PyTorch by default); Python
    sequences become NumPy arrays first. The stopping rule reads three scalars back to
    the host per iteration (see the module docstring for everything that crosses).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.kmeans import KMeans
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0],
    ...               [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> km = KMeans(n_clusters=2, n_init=3, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    >>> km.inertia_
    16.0
    >>> labels = km.predict(np.array([[0.0, 0.0], [12.0, 3.0]]))
    >>> bool(labels[0] == km.labels_[0]), bool(labels[1] == km.labels_[3])
    (True, True)
    >>> km.transform(X).shape
    (6, 2)
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: str | Array = "k-means++",
        n_init: int = 10,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | np.random.SeedSequence | np.random.Generator | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    # ------------------------------------------------------------------ parameters

    def _check_params(self) -> tuple[int, str | None, int, int, float, np.random.Generator]:
        n_clusters = check_positive_int(self.n_clusters, "n_clusters")
        init = _check_init(self.init)
        n_init = check_positive_int(self.n_init, "n_init")
        max_iter = check_positive_int(self.max_iter, "max_iter")
        tol = check_nonnegative_float(self.tol, "tol")
        rng = check_random_state(self.random_state)
        return n_clusters, init, n_init, max_iter, tol, rng

    def _check_fitted(self) -> None:
        check_fitted(self, "cluster_centers_")

    def _centers_for(self, X: Any) -> tuple[Array, Array, ModuleType, Any]:
        """Validated ``X`` and the fitted centres in its namespace, device and dtype."""
        self._check_fitted()
        x = check_data(X, "X", estimator=self, n_features=self.n_features_in_)
        xp, device = get_namespace(x), get_device(x)
        check_finite(x, "X")
        centers = to_namespace(self.cluster_centers_, xp, device, x.dtype)
        return x, centers, xp, device

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any = None) -> KMeans:
        """Compute the k-means clustering of ``X``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Training data of any Array API namespace (or a nested sequence), finite.
        y : ignored
            Present for API consistency.

        Returns
        -------
        KMeans
            ``self``, fitted.

        Raises
        ------
        ValueError
            If ``X`` is not 2-D, has fewer samples than ``n_clusters``, holds NaN or
            infinity, or a hyperparameter or explicit ``init`` is out of range.
        TypeError
            If ``X`` is not numeric or a hyperparameter has the wrong type.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.kmeans import KMeans
        >>> km = KMeans(2, n_init=2, random_state=0).fit(np.array([[0.0, 0.0], [0.0, 2.0], [9.0, 9.0]]))
        >>> km.inertia_, km.n_features_in_
        (2.0, 2)
        """
        n_clusters, init, n_init, max_iter, tol, rng = self._check_params()
        x = check_data(X, "X", estimator=self)
        xp, device = get_namespace(x), get_device(x)
        n_samples, n_features = (int(s) for s in x.shape)
        if n_samples < n_clusters:
            msg = f"n_samples={n_samples} should be >= n_clusters={n_clusters}"
            raise ValueError(msg)
        init_centers = None
        if init is None:
            init_centers = _check_init_array(self.init, n_clusters, n_features, xp, device, x.dtype)
        check_finite(x, "X")

        materialize = is_lazy_array(x) and not is_jax_array(x)  # graph-building libraries
        x_mean = xp.mean(x, axis=0)
        if materialize:
            x_mean = _materialize(xp, x_mean, device)
        xc = x - x_mean
        xc_sq = xp.sum(xc * xc, axis=1, keepdims=True)
        tol_abs = tol * float(xp.mean(xp.var(x, axis=0)))

        best: tuple[float, Array, Array, int] | None = None
        for _ in range(1 if init_centers is not None else n_init):
            if init_centers is not None:
                centers = init_centers - x_mean
            elif init == "k-means++":
                centers = _kmeans_plusplus(xp, xc, xc_sq, n_clusters, rng, device)
            else:
                centers = _random_init(xp, xc, n_clusters, rng, device)
            if materialize:
                centers = _materialize(xp, centers, device)
            centers, n_iter = _lloyd(
                xp,
                xc,
                centers,
                x_sq=xc_sq,
                max_iter=max_iter,
                tol=tol_abs,
                device=device,
                materialize=materialize,
            )
            labels = xp.argmin(_sq_distances(xp, xc, centers, xc_sq), axis=1)
            inertia = float(_inertia(xp, xc, centers, labels, device))
            if best is None or inertia < best[0]:
                best = (inertia, centers, labels, n_iter)

        assert best is not None
        inertia, centers, labels, n_iter = best
        self.cluster_centers_ = centers + x_mean
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self.n_features_in_ = n_features
        return self

    def fit_predict(self, X: Any, y: Any = None) -> Array:
        """Fit and return ``labels_``.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.kmeans import KMeans
        >>> labels = KMeans(2, random_state=0).fit_predict(np.array([[0.0], [0.1], [5.0]]))
        >>> bool(labels[0] == labels[1] != labels[2])
        True
        """
        return self.fit(X).labels_

    def fit_transform(self, X: Any, y: Any = None) -> Array:
        """Fit and return the distances of ``X`` to the centres (see :meth:`transform`).

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.kmeans import KMeans
        >>> KMeans(1, init=np.array([[0.0]])).fit_transform(np.array([[-1.0], [1.0]]))
        array([[1.],
               [1.]])
        """
        return self.fit(X).transform(X)

    # ------------------------------------------------------------------ inference

    def predict(self, X: Any) -> Array:
        """Index of the closest centre of every sample.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Any namespace; the centres are moved to it (and cast to its dtype) if needed.

        Returns
        -------
        array of shape (n_samples,)
            Labels in the namespace and on the device of ``X``.

        Raises
        ------
        NotFittedError
            If called before :meth:`fit`.
        ValueError
            If ``X`` has the wrong number of features or non-finite values.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.kmeans import KMeans
        >>> km = KMeans(2, init=np.array([[0.0], [10.0]])).fit(np.array([[0.0], [1.0], [10.0]]))
        >>> km.predict(np.array([[2.0], [8.0]]))
        array([0, 1])
        """
        x, centers, _, _ = self._centers_for(X)
        return hard_assignment(x, centers)

    def transform(self, X: Any) -> Array:
        """Euclidean (not squared) distances of every sample to every centre.

        Returns
        -------
        array of shape (n_samples, n_clusters)
            In the namespace, device and floating dtype of ``X``.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.kmeans import KMeans
        >>> km = KMeans(1, init=np.array([[0.0, 0.0]])).fit(np.array([[-1.0, 0.0], [1.0, 0.0]]))
        >>> km.transform(np.array([[3.0, 4.0]]))
        array([[5.]])
        """
        x, centers, xp, _ = self._centers_for(X)
        return xp.sqrt(squared_distances(x, centers))

    def score(self, X: Any, y: Any = None) -> float:
        """Opposite of the k-means objective (``-inertia``) of ``X``: higher is better.

        Examples
        --------
        >>> import numpy as np
        >>> from dec_array.kmeans import KMeans
        >>> X = np.array([[0.0], [2.0]])
        >>> KMeans(1, init=np.array([[0.0]])).fit(X).score(X)
        -2.0
        """
        x, centers, xp, device = self._centers_for(X)
        labels = hard_assignment(x, centers)
        return -float(_inertia(xp, x, centers, labels, device))
