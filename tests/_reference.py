"""Independent reference implementations used as test oracles.

These follow the seed's formulas literally (n×k×d broadcasting, no shift, no log-space
tricks) in NumPy ``longdouble``, so they share no code path with ``dec_array``.
"""

from __future__ import annotations

import numpy as np

LD = np.longdouble


def naive_q(z: np.ndarray, centers: np.ndarray, alpha: float) -> np.ndarray:
    z, c = np.asarray(z, dtype=LD), np.asarray(centers, dtype=LD)
    d = ((z[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    logits = -(LD(alpha) + 1) / 2 * np.log1p(d / LD(alpha))
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def naive_p(q: np.ndarray) -> np.ndarray:
    q = np.asarray(q, dtype=LD)
    w = q**2 / q.sum(axis=0)
    return w / w.sum(axis=1, keepdims=True)


def naive_loss(z: np.ndarray, centers: np.ndarray, alpha: float, p: np.ndarray) -> LD:
    q = naive_q(z, centers, alpha)
    p = np.asarray(p, dtype=LD)
    safe = np.where(p > 0, p, 1)
    return (np.where(p > 0, p * (np.log(safe) - np.log(q)), 0)).sum() / z.shape[0]


def central_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function ``f`` at ``x`` (float64)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        grad[idx] = (float(f(xp)) - float(f(xm))) / (2 * eps)
    return grad
