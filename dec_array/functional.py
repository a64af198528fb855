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

Numerics: squared distances use one matrix product after both ``z`` and the centres are
shifted by the centres' mean (the loss is translation invariant and the cancellation error
shrinks with the norms), and are clamped at zero. :func:`log_soft_assignment` is a
log-softmax of :math:`-\frac{\alpha+1}{2}\,\mathrm{log1p}(d/\alpha)`. :func:`evaluate`
and :func:`loss_and_grad` run a fused, row-blocked kernel: for :math:`\alpha = 1` the
kernel is :math:`w = 1/(1 + d)` itself (no exponent, no transcendental function), for
other :math:`\alpha` it is exponentiated in log space relative to each sample's nearest
centre (nothing underflows that matters), and the loss is
:math:`\frac1n \sum_{ij} p_{ij}\log q_{ij} + p_{ij}\log(1/f_j) - \log\sum_l q_{il}^2/f_l`,
one logarithm per entry. ``docs/performance.md`` describes the kernel and its
measurements.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import is_numpy_array, is_writeable_array

from ._array_api import (
    Array,
    check_alpha,
    check_bool,
    check_positive_int,
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


# --------------------------------------------------------------------------- fused kernel
#
# ``evaluate`` and ``loss_and_grad`` run one fused kernel that keeps every (n, k)
# intermediate in a (k, n) layout: the reductions over the clusters of one sample (row
# sums, row minima) then run along the leading axis, which NumPy vectorises, instead of
# along a short contiguous axis of length k, which it does not (10-40x slower for k = 10).
# Samples are processed in row blocks so that the block's intermediates stay in cache and
# ``z`` is read from memory once per pass. Nothing branches on array values: the block
# plan depends on shapes and on ``alpha`` (a Python float) only.

_AUTO_BLOCK_BYTES = 1 << 21  # rows * (n_features + n_clusters) * itemsize (measured)
_MIN_AUTO_ROWS = 512
_MAX_AUTO_ROWS = 1 << 14


class _Consts(NamedTuple):
    """Per-call constants of the kernel (all small: (d,), (k, d), (k, 1))."""

    shift: Array  # (d,) the centres' mean
    ms: Array  # (k, d) centres minus the shift
    a: Array  # (k, d) ms * (-2 / alpha): the distance GEMM's left factor
    col: Array  # (k, 1) |ms|^2 / alpha (+ 1 when alpha == 1)
    alpha: float
    unit: bool  # alpha == 1: the kernel is w itself, no transcendental in the forward
    kappa: float  # (alpha + 1) / (alpha n)
    beta: float  # (alpha + 1) / 2
    big: float  # the dtype's largest finite value (clamps an overflowed distance)
    tiny: float  # the dtype's smallest normal value (guards log q)


def _consts(xp: ModuleType, centers: Array, alpha: float, n: Any, dtype: Any) -> _Consts:
    shift = xp.mean(centers, axis=0)
    ms = centers - shift
    unit = alpha == 1.0
    col = xp.sum(ms * ms, axis=1, keepdims=True) / alpha
    if unit:
        col = col + 1.0
    fi = xp.finfo(dtype)
    return _Consts(
        shift=shift,
        ms=ms,
        a=ms * (-2.0 / alpha),
        col=col,
        alpha=alpha,
        unit=unit,
        kappa=(alpha + 1.0) / (alpha * n),
        beta=(alpha + 1.0) / 2.0,
        big=float(fi.max),
        tiny=float(fi.smallest_normal),
    )


def _assign_t(xp: ModuleType, zb: Array, c: _Consts) -> tuple[Array, Array, Array]:
    """Pass one on a row block: ``(zs, qT, wT)``, the last two of shape (k, b).

    ``zs`` is the block shifted by the centres' mean and ``w = 1 / (1 + d / alpha)``,
    the factor that the gradient needs besides ``q``.
    """
    zs = zb - c.shift
    zz = xp.vecdot(zs, zs)
    g = c.a @ xp.matrix_transpose(zs)  # (k, b): -2/alpha * <z'_i, mu'_j>
    if c.unit:
        # u = 1 + d, clamped to [1, max]: no exponent, q = w / sum(w) with w = 1 / u <= 1
        w = 1.0 / xp.clip((g + zz) + c.col, min=1.0, max=c.big)
        return zs, w / xp.sum(w, axis=0), w
    # general alpha: log-space with the row's nearest centre as the shift (no underflow)
    t = xp.clip((g + zz / c.alpha) + c.col, min=0.0, max=c.big)
    lg = xp.log1p(t)
    e = xp.exp((xp.min(lg, axis=0) - lg) * c.beta)
    return zs, e / xp.sum(e, axis=0), 1.0 / (1.0 + t)


def _log_q(xp: ModuleType, q: Array, c: _Consts) -> Array:
    """``log q`` for the loss; ``q > 0`` always when ``alpha == 1`` (``w >= 1 / max``)."""
    if c.unit:
        return xp.log(q)
    # an underflowed q (far beyond the nearest centre) has p ~ q^2 = 0: any finite value
    return xp.log(xp.clip(q, min=c.tiny))


def _resolve_block(xp: ModuleType, z: Array, k: int, block_size: Any) -> int | None:
    """Rows per block, or None for one block. ``"auto"`` blocks NumPy arrays only."""
    if block_size is None:
        return None
    n = z.shape[0]
    if isinstance(n, float) or n is None:  # unknown (lazy) length: one block
        return None
    n = int(n)
    if isinstance(block_size, str):
        if block_size != "auto":
            msg = f"block_size must be a positive int, None or 'auto', got {block_size!r}"
            raise ValueError(msg)
        if not is_numpy_array(z):
            return None
        itemsize = int(z.dtype.itemsize)
        rows = _AUTO_BLOCK_BYTES // ((int(z.shape[1]) + k) * itemsize)
        rows = max(_MIN_AUTO_ROWS, min(_MAX_AUTO_ROWS, rows))
        return None if rows >= n else rows
    rows = check_positive_int(block_size, "block_size")
    return None if rows >= n else rows


class _Fused(NamedTuple):
    loss: Array
    grad_centers: Array
    grad_z: Array | None
    q_t: Array | None  # (k, n)
    p_t: Array | None  # (k, n); None when a target was given


class _Blocks:
    """Assembles per-block results along one axis: written into a preallocated array
    where arrays are writeable (NumPy, PyTorch, CuPy...), concatenated otherwise (JAX,
    Dask). With a single block the block itself is the result."""

    def __init__(
        self, xp: ModuleType, shape: tuple[int, int], axis: int, like: Array, spans: list[Any]
    ) -> None:
        self.xp, self.axis, self.many = xp, axis, len(spans) > 1
        self.inplace = self.many and is_writeable_array(like) and not is_lazy_array(like)
        self.parts: list[Array] = []
        self.out: Any = (
            xp.empty(shape, dtype=like.dtype, device=get_device(like)) if self.inplace else None
        )

    def put(self, value: Array, start: int, stop: int | None) -> Array:
        """Store ``value`` for rows/columns ``start:stop``; return it (or its stored view)."""
        if self.inplace:
            if self.axis == 0:
                self.out[start:stop, ...] = value
                return self.out[start:stop, ...]
            self.out[:, start:stop] = value
            return self.out[:, start:stop]
        self.parts.append(value)
        return value

    def put_scaled_minus(
        self, scale: Array, x: Array, minus: Array, start: int, stop: int | None
    ) -> None:
        """Store ``scale[:, None] * x - minus`` for rows ``start:stop`` (axis 0)."""
        if self.inplace and is_numpy_array(x):
            # NumPy: write into the output block itself, no temporary and no copy
            view = self.out[start:stop, ...]
            np.multiply(x, scale[:, None], out=view)
            view -= minus
            return
        value = scale[:, None] * x
        value -= minus  # a fresh temporary: no alias is updated
        self.put(value, start, stop)

    def result(self) -> Array:
        if self.inplace:
            return self.out
        if len(self.parts) == 1:
            return self.parts[0]
        return self.xp.concat(self.parts, axis=self.axis)


def _fused(
    xp: ModuleType,
    z: Array,
    centers: Array,
    alpha: float,
    target: Array | None,
    *,
    block: int | None,
    want_grad_z: bool = True,
    want_qp: bool = False,
    recompute: bool = False,
) -> _Fused:
    """Loss, gradients and (optionally) ``q``/``p`` by row blocks of ``block`` samples.

    Without a target, ``p`` needs the column sums ``f`` of ``q`` over all rows: pass one
    computes ``q`` block by block and accumulates ``f``; pass two forms ``p``, the loss
    and the gradients. Pass one's ``q`` is kept, (k, n) in all, unless ``recompute``,
    which computes it again in pass two (one more distance GEMM per block, and extra
    memory independent of ``n``). With a target there is a single pass.
    """
    n = z.shape[0]
    k, d = int(centers.shape[0]), int(z.shape[1])
    c = _consts(xp, centers, alpha, n, z.dtype)
    spans: list[tuple[int, int | None]]
    if block is None:
        spans = [(0, None)]
    else:
        spans = [(i, min(i + block, int(n))) for i in range(0, int(n), block)]
    many = len(spans) > 1
    recompute = recompute and many and target is None  # one block: q is at hand anyway

    def rows(a: Array, start: int, stop: int | None) -> Array:
        return a[start:stop, ...] if many else a

    n_int = 0 if not many else int(n)
    gz_out = _Blocks(xp, (n_int, d), 0, z, spans) if want_grad_z else None
    q_out = _Blocks(xp, (k, n_int), 1, z, spans) if want_qp else None
    p_out = _Blocks(xp, (k, n_int), 1, z, spans) if want_qp and target is None else None
    loss: Array | None = None
    col_w: Array | None = None  # (k,) column sums of W
    w_z: Array | None = None  # (k, d) W^T z'

    # The gradient pass of a computed target uses z and the centres as given: the
    # distances (and so W) come from the shifted inputs, but shifting z again would cost
    # one more pass over every block. rowsum(W) z_i - (W M)_i cancels to an error of
    # about eps |W| |z_i|, what rounding z itself to the dtype already does to the exact
    # gradient. With a target, pass one's shifted block is at hand and is used.
    mu = centers if target is None else c.ms
    kappa_mu = mu * c.kappa

    def gradients(big_w: Array, zb: Array, start: int, stop: int | None) -> None:
        """Add one block's share to both gradients. ``big_w`` is ``W / kappa`` transposed,
        (k, b) (``kappa`` is applied to the small factors instead); ``zb`` is the block
        of samples that goes with ``mu``."""
        nonlocal col_w, w_z
        part_c, part_z = xp.sum(big_w, axis=1), big_w @ zb
        col_w = part_c if col_w is None else col_w + part_c
        w_z = part_z if w_z is None else w_z + part_z
        if gz_out is not None:
            rs = xp.sum(big_w, axis=0) * c.kappa
            gz_out.put_scaled_minus(rs, zb, xp.matrix_transpose(big_w) @ kappa_mu, start, stop)

    if target is None:
        if recompute and want_qp:  # pragma: no cover - internal misuse
            raise ValueError("recompute and want_qp exclude each other")
        kept: list[tuple[Array, Array] | None] = []
        f: Array | None = None
        for start, stop in spans:  # pass one: q and its column sums f
            _, q, w = _assign_t(xp, rows(z, start, stop), c)
            part = xp.sum(q, axis=1)
            f = part if f is None else f + part
            if not recompute:
                kept.append((q if q_out is None else q_out.put(q, start, stop), w))
        assert f is not None
        f = xp.where(f > 0, f, 1.0)  # q[:, j] == 0 everywhere gives p[:, j] == 0
        inv_f = 1.0 / f
        log_inv_f = xp.log(inv_f)  # of the rounded 1/f used below: k = 1 gives exactly 0
        for i, (start, stop) in enumerate(spans):  # pass two: p, loss, W
            zb = rows(z, start, stop)
            if recompute:
                _, q, w = _assign_t(xp, zb, c)
            else:
                q, w = kept[i]  # type: ignore[misc]
                kept[i] = None  # free this block's share as soon as it is used
            g = q * (q * inv_f[:, None])
            den = xp.sum(g, axis=0)
            p = g / den
            # sum_j p log(p/q) = sum_j p log q + sum_j p log(1/f_j) - log den  (rows of p sum to 1)
            part = xp.tensordot(p, _log_q(xp, q, c), axes=2) + xp.sum(log_inv_f @ p - xp.log(den))
            loss = part if loss is None else loss + part
            if p_out is not None:
                p_out.put(p, start, stop)
            gradients((p - q) * w, zb, start, stop)
        loss = xp.clip(loss / n, min=0.0)  # a KL of two distributions: only rounding < 0
    else:
        for start, stop in spans:
            zs, q, w = _assign_t(xp, rows(z, start, stop), c)
            p = xp.matrix_transpose(rows(target, start, stop))
            positive = p > 0
            log_p = xp.log(xp.where(positive, p, 1.0))
            part = xp.tensordot(xp.where(positive, p, 0.0), log_p - _log_q(xp, q, c), axes=2)
            loss = part if loss is None else loss + part
            if q_out is not None:
                q_out.put(q, start, stop)
            gradients((p - q * xp.sum(p, axis=0)) * w, zs, start, stop)
        loss = loss / n
    assert col_w is not None
    assert w_z is not None
    return _Fused(
        loss=loss,
        grad_centers=(col_w[:, None] * mu - w_z) * c.kappa,
        grad_z=None if gz_out is None else gz_out.result(),
        q_t=None if q_out is None else q_out.result(),
        p_t=None if p_out is None else p_out.result(),
    )


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


def _validated(
    z: Array, centers: Array, alpha: Any, target: Array | None
) -> tuple[ModuleType, float]:
    alpha = check_alpha(alpha)
    xp = _check_pair(z, centers)
    if target is not None:
        _check_nk(target, "target", (z.shape[0], centers.shape[0]))
        get_namespace(z, target)
    return xp, alpha


def evaluate(
    z: Array,
    centers: Array,
    alpha: float = 1.0,
    target: Array | None = None,
    *,
    block_size: int | str | None = "auto",
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
    block_size : int, None or "auto", keyword-only
        As in :func:`loss_and_grad`.

    Returns
    -------
    DECEvaluation
        Named tuple ``(loss, grad_centers, grad_z, q, p)``. ``q`` and a computed ``p``
        may be transposed views of (n_clusters, n_samples) arrays (Fortran order in
        NumPy); a given target is returned as is.

    Examples
    --------
    >>> import numpy as np
    >>> from dec_array.functional import evaluate
    >>> ev = evaluate(np.array([[0.0], [2.0]]), np.array([[0.0], [1.0]]))
    >>> ev.q.shape, ev.p.shape, ev.grad_z.shape
    ((2, 2), (2, 2), (2, 1))
    """
    xp, alpha = _validated(z, centers, alpha, target)
    block = _resolve_block(xp, z, int(centers.shape[0]), block_size)
    r = _fused(xp, z, centers, alpha, target, block=block, want_qp=True)
    assert r.grad_z is not None
    assert r.q_t is not None
    q = xp.matrix_transpose(r.q_t)
    p = target if r.p_t is None else xp.matrix_transpose(r.p_t)
    return DECEvaluation(r.loss, r.grad_centers, r.grad_z, q, p)


def loss_and_grad(
    z: Array,
    centers: Array,
    alpha: float = 1.0,
    target: Array | None = None,
    *,
    grad_z: bool = True,
    block_size: int | str | None = "auto",
    recompute: bool = False,
) -> tuple[Array, Array, Array | None]:
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
    grad_z : bool, default True, keyword-only
        ``False`` skips ``dL/dz`` (one matrix product and the (n, d) output) and returns
        ``None`` in its place: for training the centres alone.
    block_size : int, None or "auto", keyword-only
        Samples per row block. The samples are processed in blocks so that every
        (block, n_clusters) intermediate stays in cache and ``z`` is read from memory once
        per pass; results equal the unblocked ones to rounding. ``None`` processes all
        rows at once. ``"auto"`` (default) picks about 2 MiB of working set per block
        (256 to 16384 rows) for NumPy arrays and does not block other namespaces (JAX
        fuses the whole computation under ``jit``; a GPU wants large arrays).
    recompute : bool, default False, keyword-only
        With ``target=None`` and blocking, compute ``q`` again in the second pass instead
        of keeping it (``P`` needs the column sums of ``q`` over all rows, so two passes
        are unavoidable). Extra memory then no longer grows with ``n`` (about
        ``block_size * (n_clusters + n_features)`` values, plus ``grad_z`` when asked
        for), for one more distance product per block.

    Returns
    -------
    loss : 0-d array
        ``sum(p * log(p / q)) / n_samples``, ``>= 0`` for normalised ``P``.
    grad_centers : array of shape (n_clusters, n_features)
        ``dL/dcenters``.
    grad_z : array of shape (n_samples, n_features), or None
        ``dL/dz``, to back-propagate into an encoder; ``None`` with ``grad_z=False``.

    Notes
    -----
    With :math:`w_{ij} = (1 + d_{ij}/\alpha)^{-1}`, :math:`s_i = \sum_j p_{ij}` and
    :math:`W = \frac{\alpha+1}{\alpha n}\, w \circ (P - Q \circ s)`,

    .. math::

        \frac{\partial L}{\partial Z} = \mathrm{rowsum}(W) \circ Z - W M, \qquad
        \frac{\partial L}{\partial M} = \mathrm{colsum}(W) \circ M - W^\top Z,

    three matrix products in all (one for the distances, two for the gradients), and
    :math:`\sum_i \partial L/\partial z_i + \sum_j \partial L/\partial \mu_j = 0`.
    ``docs/performance.md`` describes the fused, blocked evaluation and its measurements.

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
    >>> loss_and_grad(z, centers, grad_z=False)[2] is None
    True
    """
    xp, alpha = _validated(z, centers, alpha, target)
    want_grad_z = check_bool(grad_z, "grad_z")
    recompute = check_bool(recompute, "recompute")
    block = _resolve_block(xp, z, int(centers.shape[0]), block_size)
    r = _fused(
        xp, z, centers, alpha, target, block=block, want_grad_z=want_grad_z, recompute=recompute
    )
    return r.loss, r.grad_centers, r.grad_z
