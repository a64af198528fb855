r"""The pure mathematics of DEC: distances, soft assignments, target, loss and gradients.

Every function here is stateless, takes its array namespace from its inputs and works on
any array library that the Python Array API standard (through ``array-api-compat``)
covers: NumPy, CuPy, PyTorch, JAX, Dask, array-api-strict. Nothing here branches on array
values, so the functions run under ``jax.jit`` and build lazy Dask graphs.

With :math:`d_{ij} = \|z_i - \mu_j\|^2` and :math:`\alpha > 0`,

.. math::

    q_{ij} = \frac{(1 + d_{ij}/\alpha)^{-\frac{\alpha+1}{2}}}
                  {\sum_{l} (1 + d_{il}/\alpha)^{-\frac{\alpha+1}{2}}},
    \qquad
    p_{ij} = \frac{q_{ij}^2 / f_j}{\sum_l q_{il}^2 / f_l},\quad f_j = \sum_i q_{ij},

    L = \frac{1}{n} \sum_{i,j} p_{ij} \log \frac{p_{ij}}{q_{ij}}
    \quad\text{(KL divergence, "batchmean" reduction).}

Numerics: :math:`\log q` is computed directly as a log-softmax of
:math:`-\frac{\alpha+1}{2}\,\mathrm{log1p}(d/\alpha)`, so no entry of ``q`` underflows
into a ``log(0)``; squared distances use one matrix product after both ``z`` and the
centres are shifted by the centres' mean (the loss is translation invariant and the
cancellation error shrinks with the norms), and are clamped at zero.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, NamedTuple

from ._array_api import (
    Array,
    check_alpha,
    check_shape_2d,
    get_device,
    get_namespace,
    is_lazy_array,
)

__all__ = [
    "DECEvaluation",
    "evaluate",
    "hard_assignment",
    "kl_divergence",
    "log_soft_assignment",
    "loss_and_grad",
    "soft_assignment",
    "squared_distances",
    "target_distribution",
]


# --------------------------------------------------------------------------- validation


def _check_pair(z: Array, centers: Array) -> ModuleType:
    """Validate ``z`` (n, d) and ``centers`` (k, d); return their shared namespace."""
    check_shape_2d(centers, "centers")
    check_shape_2d(z, "z", n_features=int(centers.shape[1]))
    xp = get_namespace(z, centers)
    if not (is_lazy_array(z) or is_lazy_array(centers)):
        dz, dc = get_device(z), get_device(centers)
        if dz != dc:
            msg = f"z and centers must be on the same device, got {dz} and {dc}"
            raise ValueError(msg)
    return xp


def _check_nk(a: Array, name: str, shape: tuple[Any, ...] | None = None) -> None:
    """Validate a 2-D (n, k) matrix of probabilities (q or p)."""
    check_shape_2d(a, name)
    if shape is not None and tuple(a.shape) != tuple(shape):
        msg = f"{name} must have shape {tuple(shape)} (n_samples, n_clusters), got {tuple(a.shape)}"
        raise ValueError(msg)


# --------------------------------------------------------------------------- kernels


def _shifted(xp: ModuleType, z: Array, centers: Array) -> tuple[Array, Array]:
    """``z`` and ``centers`` minus the centres' mean (a translation that changes nothing)."""
    shift = xp.mean(centers, axis=0, keepdims=True)
    return z - shift, centers - shift


def _sq_dist(xp: ModuleType, zs: Array, ms: Array) -> Array:
    """Squared distances of already shifted inputs by one GEMM, clamped at 0."""
    zz = xp.sum(zs * zs, axis=1, keepdims=True)
    mm = xp.sum(ms * ms, axis=1)
    d = (zz + mm) - 2.0 * (zs @ xp.matrix_transpose(ms))
    return xp.clip(d, min=0.0)


def _log_q_and_q(xp: ModuleType, t: Array, alpha: float) -> tuple[Array, Array]:
    """From ``t = d / alpha`` return ``(log q, q)`` by a stable log-softmax."""
    logits = (-(alpha + 1.0) / 2.0) * xp.log1p(t)
    shifted = logits - xp.max(logits, axis=1, keepdims=True)
    e = xp.exp(shifted)
    s = xp.sum(e, axis=1, keepdims=True)  # >= 1: the row maximum contributes exp(0)
    return shifted - xp.log(s), e / s


def _target(xp: ModuleType, q: Array) -> Array:
    """The target distribution of a soft assignment, guarded against empty columns."""
    f = xp.sum(q, axis=0)
    f = xp.where(f > 0, f, xp.ones_like(f))  # q[:, j] == 0 everywhere gives p[:, j] == 0
    w = (q * q) / f
    return w / xp.sum(w, axis=1, keepdims=True)


def _kl_terms(xp: ModuleType, p: Array, log_q: Array) -> Array:
    """Summed ``p * (log p - log q)`` with ``0 * log 0 = 0``."""
    positive = p > 0
    safe_p = xp.where(positive, p, xp.ones_like(p))
    terms = xp.where(positive, p * (xp.log(safe_p) - log_q), xp.zeros_like(p))
    return xp.sum(terms)


# --------------------------------------------------------------------------- public API


def squared_distances(z: Array, centers: Array) -> Array:
    """Squared Euclidean distances between samples and cluster centres.

    Parameters
    ----------
    z : array of shape (n_samples, n_features)
        Embedded samples, real floating dtype.
    centers : array of shape (n_clusters, n_features)
        Cluster centres, same namespace and device as ``z``.

    Returns
    -------
    array of shape (n_samples, n_clusters)
        ``d[i, j] = ||z[i] - centers[j]||**2``, never negative.

    Notes
    -----
    Computed as ``||z'||² + ||μ'||² - 2 z' μ'ᵀ`` with ``z' = z - c`` and ``μ' = μ - c``,
    ``c`` the centres' mean: one matrix product, no ``(n, k, d)`` intermediate. The absolute
    rounding error is about ``eps * (||z'||² + ||μ'||²)``.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import squared_distances
    >>> squared_distances(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 0.0]]))
    array([[ 0.],
           [25.]])
    """
    xp = _check_pair(z, centers)
    return _sq_dist(xp, *_shifted(xp, z, centers))


def log_soft_assignment(z: Array, centers: Array, alpha: float = 1.0) -> Array:
    """Logarithm of the Student's t soft assignment ``q``, computed without underflow.

    Parameters
    ----------
    z : array of shape (n_samples, n_features)
    centers : array of shape (n_clusters, n_features)
    alpha : float, default 1.0
        Degrees of freedom of the Student's t kernel, finite and > 0.

    Returns
    -------
    array of shape (n_samples, n_clusters)
        ``log q``; finite for every finite input, each row's ``exp`` sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import log_soft_assignment
    >>> np.exp(log_soft_assignment(np.array([[0.0]]), np.array([[0.0], [1.0]])))
    array([[0.66666667, 0.33333333]])
    """
    alpha = check_alpha(alpha)
    xp = _check_pair(z, centers)
    d = _sq_dist(xp, *_shifted(xp, z, centers))
    return _log_q_and_q(xp, d / alpha, alpha)[0]


def soft_assignment(z: Array, centers: Array, alpha: float = 1.0) -> Array:
    r"""Student's t soft assignment of samples to cluster centres.

    .. math:: q_{ij} \propto (1 + \|z_i - \mu_j\|^2/\alpha)^{-(\alpha+1)/2},
              \quad \textstyle\sum_j q_{ij} = 1.

    Parameters
    ----------
    z : array of shape (n_samples, n_features)
        Embedded samples, real floating dtype.
    centers : array of shape (n_clusters, n_features)
        Cluster centres, same namespace and device as ``z``.
    alpha : float, default 1.0
        Degrees of freedom of the Student's t kernel, finite and > 0.

    Returns
    -------
    q : array of shape (n_samples, n_clusters)
        Rows sum to 1, entries in [0, 1]; the dtype is that of ``z`` and ``centers``
        combined by the standard's type promotion.

    Raises
    ------
    TypeError
        For non-arrays, mixed namespaces or non-floating dtypes.
    ValueError
        For wrong shapes, mismatched widths or devices, an empty batch or a bad ``alpha``.

    See Also
    --------
    log_soft_assignment : the same in log space.
    target_distribution : the sharpened target computed from ``q``.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import soft_assignment
    >>> z = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> centers = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> soft_assignment(z, centers)
    array([[0.66666667, 0.33333333],
           [0.33333333, 0.66666667]])
    """
    alpha = check_alpha(alpha)
    xp = _check_pair(z, centers)
    d = _sq_dist(xp, *_shifted(xp, z, centers))
    return _log_q_and_q(xp, d / alpha, alpha)[1]


def target_distribution(q: Array) -> Array:
    r"""DEC's auxiliary target distribution, a sharpened and frequency-normalised ``q``.

    .. math:: p_{ij} = \frac{q_{ij}^2 / f_j}{\sum_l q_{il}^2 / f_l},
              \qquad f_j = \sum_i q_{ij}.

    Parameters
    ----------
    q : array of shape (n_samples, n_clusters)
        Soft assignments whose rows sum to 1.

    Returns
    -------
    p : array of shape (n_samples, n_clusters)
        Rows sum to 1. A column with ``f_j = 0`` gets ``p[:, j] = 0``.

    Notes
    -----
    ``P`` is treated as a constant by :func:`loss_and_grad` (the reference detaches it).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import target_distribution
    >>> target_distribution(np.array([[0.75, 0.25], [0.25, 0.75]]))
    array([[0.9, 0.1],
           [0.1, 0.9]])
    """
    _check_nk(q, "q")
    xp = get_namespace(q)
    return _target(xp, q)


def kl_divergence(p: Array, q: Array) -> Array:
    r"""``KL(P || Q)`` averaged over samples ("batchmean"), with ``0 log 0 = 0``.

    .. math:: \frac{1}{n} \sum_{i,j} p_{ij} \log\frac{p_{ij}}{q_{ij}}

    Parameters
    ----------
    p : array of shape (n_samples, n_clusters)
        Target distribution.
    q : array of shape (n_samples, n_clusters)
        Soft assignment. Where ``q == 0`` and ``p > 0`` the divergence is infinite;
        :func:`loss_and_grad` works in log space and never meets that case.

    Returns
    -------
    0-d array
        The divergence, in the dtype of the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import kl_divergence
    >>> q = np.array([[0.5, 0.5]])
    >>> float(kl_divergence(q, q))
    0.0
    >>> round(float(kl_divergence(np.array([[1.0, 0.0]]), q)), 6)  # log 2
    0.693147
    """
    _check_nk(q, "q")
    _check_nk(p, "p", q.shape)
    xp = get_namespace(p, q)
    q_pos = q > 0
    log_q = xp.where(q_pos, xp.log(xp.where(q_pos, q, xp.ones_like(q))), xp.full_like(q, -xp.inf))
    return _kl_terms(xp, p, log_q) / q.shape[0]


def hard_assignment(z: Array, centers: Array) -> Array:
    """Index of the nearest centre of every sample (= ``argmax`` of ``q`` for any ``alpha``).

    Parameters
    ----------
    z : array of shape (n_samples, n_features)
    centers : array of shape (n_clusters, n_features)

    Returns
    -------
    array of shape (n_samples,)
        Integer labels in ``[0, n_clusters)`` (the namespace's default index dtype).

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import hard_assignment
    >>> hard_assignment(np.array([[0.1], [0.9]]), np.array([[0.0], [1.0]]))
    array([0, 1])
    """
    xp = _check_pair(z, centers)
    return xp.argmin(_sq_dist(xp, *_shifted(xp, z, centers)), axis=1)


class DECEvaluation(NamedTuple):
    """Everything one evaluation of the DEC objective produces (see :func:`evaluate`)."""

    loss: Array
    """0-d array, ``KL(P || Q)`` with batchmean reduction."""
    grad_centers: Array
    """``dL/dcenters``, shape (n_clusters, n_features)."""
    grad_z: Array
    """``dL/dz``, shape (n_samples, n_features)."""
    q: Array
    """Soft assignment, shape (n_samples, n_clusters)."""
    p: Array
    """Target used (given or computed from ``q``), shape (n_samples, n_clusters)."""


def evaluate(
    z: Array, centers: Array, alpha: float = 1.0, target: Array | None = None
) -> DECEvaluation:
    r"""One pass of the DEC objective: loss, both gradients, ``q`` and the target used.

    :func:`loss_and_grad` returns the first three fields; this function also hands back
    ``q`` and ``p`` so that callers that cache the target (the head, the estimator) need
    no second distance evaluation.

    Parameters
    ----------
    z, centers, alpha
        As in :func:`loss_and_grad`.
    target : array of shape (n_samples, n_clusters), optional
        As in :func:`loss_and_grad`.

    Returns
    -------
    DECEvaluation
        Named tuple ``(loss, grad_centers, grad_z, q, p)``.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import evaluate
    >>> ev = evaluate(np.array([[0.0], [2.0]]), np.array([[0.0], [1.0]]))
    >>> ev.q.shape, ev.p.shape, ev.grad_z.shape
    ((2, 2), (2, 2), (2, 1))
    """
    alpha = check_alpha(alpha)
    xp = _check_pair(z, centers)
    if target is not None:
        _check_nk(target, "target", (z.shape[0], centers.shape[0]))
        get_namespace(z, target)

    zs, ms = _shifted(xp, z, centers)
    t = _sq_dist(xp, zs, ms) / alpha
    log_q, q = _log_q_and_q(xp, t, alpha)
    n = z.shape[0]
    if target is None:
        p = _target(xp, q)
        residual = p - q  # rows of p sum to 1
    else:
        p = target
        residual = p - q * xp.sum(p, axis=1, keepdims=True)  # general rows
    loss = _kl_terms(xp, p, log_q) / n
    if target is None:  # a KL of two distributions: only rounding can make it negative
        loss = xp.clip(loss, min=0.0)

    # dL/dd_ij = -(alpha+1)/(alpha n) * w_ij * residual_ij / 2 ... folded into W below.
    w = (((alpha + 1.0) / (alpha * n)) / (1.0 + t)) * residual
    grad_z = xp.sum(w, axis=1, keepdims=True) * zs - w @ ms
    grad_centers = xp.sum(w, axis=0)[:, None] * ms - xp.matrix_transpose(w) @ zs
    return DECEvaluation(loss, grad_centers, grad_z, q, p)


def loss_and_grad(
    z: Array, centers: Array, alpha: float = 1.0, target: Array | None = None
) -> tuple[Array, Array, Array]:
    r"""DEC loss ``KL(P || Q)`` and its analytic gradients for the centres and the inputs.

    Parameters
    ----------
    z : array of shape (n_samples, n_features)
        Embedded samples, real floating dtype.
    centers : array of shape (n_clusters, n_features)
        Cluster centres, same namespace and device as ``z``.
    alpha : float, default 1.0
        Degrees of freedom of the Student's t kernel, finite and > 0.
    target : array of shape (n_samples, n_clusters), optional
        Target distribution ``P``. ``None`` computes it from the current ``q`` (the
        reference's ``update_target=True``). Either way ``P`` is a constant for the
        gradient. Rows need not sum to 1: the gradient is exact for any ``P``.

    Returns
    -------
    loss : 0-d array
        ``sum(p * log(p / q)) / n_samples``, ``>= 0`` for normalised ``P``.
    grad_centers : array of shape (n_clusters, n_features)
        ``dL/dcenters``.
    grad_z : array of shape (n_samples, n_features)
        ``dL/dz``, to back-propagate into an encoder.

    Notes
    -----
    With :math:`w_{ij} = (1 + d_{ij}/\alpha)^{-1}`, :math:`s_i = \sum_j p_{ij}` and
    :math:`W = \frac{\alpha+1}{\alpha n}\, w \circ (P - Q \circ s)`,

    .. math::

        \frac{\partial L}{\partial Z} = \mathrm{rowsum}(W) \circ Z - W M, \qquad
        \frac{\partial L}{\partial M} = \mathrm{colsum}(W) \circ M - W^\top Z,

    three matrix products in all (one for the distances, two for the gradients), and
    :math:`\sum_i \partial L/\partial z_i + \sum_j \partial L/\partial \mu_j = 0`.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import loss_and_grad
    >>> z = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0]])
    >>> centers = np.array([[0.0, 0.0], [3.0, 0.0]])
    >>> loss, g_centers, g_z = loss_and_grad(z, centers)
    >>> loss.shape, g_centers.shape, g_z.shape
    ((), (2, 2), (3, 2))
    >>> bool(loss >= 0)
    True
    """
    ev = evaluate(z, centers, alpha, target)
    return ev.loss, ev.grad_centers, ev.grad_z
