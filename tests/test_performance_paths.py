"""The fast paths of :mod:`dec_array.functional` give the results of the plain one.

``loss_and_grad`` and ``evaluate`` process samples in row blocks (``block_size``), write
blocks into preallocated outputs where arrays are writeable (with a NumPy-only variant that
writes ``grad_z`` in place) and concatenate them otherwise, can skip ``grad_z`` and can
recompute ``q`` instead of keeping it. Every such path is compared here with the
unblocked evaluation (``block_size=None``), on random problems (hypothesis: float32 and
float64, ``n`` not a multiple of the block, ``alpha == 1`` and other values, computed and
given targets) and on every backend. Memory is checked with ``tracemalloc`` (counts, not
times: no timing is asserted anywhere).
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dec_array import functional as F

from ._reference import naive_loss, naive_p, naive_q

backend_settings = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15, deadline=None
)


@st.composite
def blocked_problems(draw, max_n=40, max_k=6, max_d=5):
    """(z, centers, alpha, target, block) in float64; target None, computed or arbitrary."""
    n = draw(st.integers(1, max_n))
    k = draw(st.integers(1, max_k))
    d = draw(st.integers(1, max_d))
    alpha = draw(st.one_of(st.just(1.0), st.floats(0.05, 20.0)))
    block = draw(st.integers(1, max(1, n + 2)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    spread = draw(st.sampled_from([0.3, 1.0, 3.0]))
    centers = rng.normal(scale=spread, size=(k, d))
    z = centers[rng.integers(0, k, n)] + rng.normal(size=(n, d))
    kind = draw(st.sampled_from(["none", "computed", "arbitrary"]))
    target = None
    if kind == "computed":
        target = F.target_distribution(F.soft_assignment(z, centers, alpha))
    elif kind == "arbitrary":  # positive, rows not summing to 1, some zeros
        target = rng.random((n, k)) * (rng.random((n, k)) > 0.2)
    return z, centers, alpha, target, block


def _tol(dtype):
    return (1e-4, 1e-6) if np.dtype(dtype) == np.float32 else (1e-10, 1e-13)


def _assert_close(got, ref, dtype):
    rtol, atol = _tol(dtype)
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol * scale)


def _as(dtype, *arrays):
    return [None if a is None else np.ascontiguousarray(a, dtype=dtype) for a in arrays]


# --------------------------------------------------------------------------- NumPy


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@settings(max_examples=60, deadline=None)
@given(problem=blocked_problems())
def test_blocked_equals_unblocked(dtype, problem):
    z, centers, alpha, target, block = problem
    z, centers, target = _as(dtype, z, centers, target)
    ref = F.loss_and_grad(z, centers, alpha, target, block_size=None)
    got = F.loss_and_grad(z, centers, alpha, target, block_size=block)
    for a, b in zip(got, ref, strict=True):
        assert a.dtype == np.dtype(dtype)
        _assert_close(a, b, dtype)
    ev_ref = F.evaluate(z, centers, alpha, target, block_size=None)
    ev = F.evaluate(z, centers, alpha, target, block_size=block)
    for a, b in zip(ev, ev_ref, strict=True):
        assert a.dtype == np.dtype(dtype)
        assert a.shape == b.shape
        _assert_close(a, b, dtype)
    # loss_and_grad and evaluate agree
    for a, b in zip(got, ev[:3], strict=True):
        _assert_close(a, b, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@settings(max_examples=40, deadline=None)
@given(problem=blocked_problems())
def test_skipping_grad_z_and_recomputing_q_change_nothing(dtype, problem):
    z, centers, alpha, target, block = problem
    z, centers, target = _as(dtype, z, centers, target)
    ref = F.loss_and_grad(z, centers, alpha, target, block_size=None)
    no_gz = F.loss_and_grad(z, centers, alpha, target, grad_z=False, block_size=block)
    assert no_gz[2] is None
    _assert_close(no_gz[0], ref[0], dtype)
    _assert_close(no_gz[1], ref[1], dtype)
    again = F.loss_and_grad(z, centers, alpha, target, block_size=block, recompute=True)
    for a, b in zip(again, ref, strict=True):
        _assert_close(a, b, dtype)


@settings(max_examples=30, deadline=None)
@given(problem=blocked_problems(max_n=25))
def test_blocked_matches_longdouble_oracle(problem):
    z, centers, alpha, _, block = problem
    ev = F.evaluate(z, centers, alpha, block_size=block)
    q_ref = naive_q(z, centers, alpha)
    p_ref = naive_p(q_ref)
    np.testing.assert_allclose(ev.q, q_ref.astype(float), atol=1e-9)
    np.testing.assert_allclose(ev.p, p_ref.astype(float), atol=1e-9)
    ref_loss = float(naive_loss(z, centers, alpha, p_ref))
    assert float(ev.loss) == pytest.approx(ref_loss, rel=1e-8, abs=1e-9)


@pytest.mark.parametrize("path", ["neutral-setitem", "neutral-concat"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_in_place_path_equals_neutral_paths(monkeypatch, path, dtype):
    """The NumPy-only in-place write of grad_z against the Array API paths (setitem into a
    preallocated array, and concatenation as for JAX and Dask)."""
    rng = np.random.default_rng(3)
    centers = rng.normal(size=(5, 7)).astype(dtype)
    z = (centers[rng.integers(0, 5, 103)] + rng.normal(size=(103, 7))).astype(dtype)
    fast = [F.loss_and_grad(z, centers, a, block_size=10) for a in (1.0, 2.5)]
    fast_ev = F.evaluate(z, centers, 1.0, block_size=10)
    monkeypatch.setattr(F, "is_numpy_array", lambda x: False)
    if path == "neutral-concat":
        monkeypatch.setattr(F, "is_writeable_array", lambda x: False)
    slow = [F.loss_and_grad(z, centers, a, block_size=10) for a in (1.0, 2.5)]
    slow_ev = F.evaluate(z, centers, 1.0, block_size=10)
    for f_out, s_out in zip(fast, slow, strict=True):
        for a, b in zip(f_out, s_out, strict=True):
            np.testing.assert_array_equal(a, b)  # same operations, same order: bitwise
    for a, b in zip(fast_ev, slow_ev, strict=True):
        np.testing.assert_array_equal(a, b)


def test_block_plan_and_auto():
    z = np.zeros((100_000, 32))
    assert F._resolve_block(None, z, 10, None) is None
    rows = F._resolve_block(None, z, 10, "auto")
    assert rows is not None
    assert 512 <= rows <= 16384
    assert F._resolve_block(None, np.zeros((100, 32)), 10, "auto") is None  # one block
    assert F._resolve_block(None, z, 10, 7) == 7
    assert F._resolve_block(None, np.zeros((5, 3)), 2, 7) is None
    strict = pytest.importorskip("array_api_strict")
    assert F._resolve_block(None, strict.zeros((100_000, 32)), 10, "auto") is None
    assert F._resolve_block(None, strict.zeros((100_000, 32)), 10, 64) == 64


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"block_size": 0}, ValueError, "block_size must be a positive int"),
        ({"block_size": -3}, ValueError, "block_size"),
        ({"block_size": 2.5}, TypeError, "block_size"),
        ({"block_size": True}, TypeError, "block_size"),
        ({"block_size": "big"}, ValueError, "block_size must be a positive int, None or 'auto'"),
        ({"grad_z": 1}, TypeError, "grad_z must be True or False"),
        ({"recompute": "yes"}, TypeError, "recompute must be True or False"),
    ],
)
def test_bad_keywords(kwargs, exc, match):
    z, centers = np.zeros((4, 3)), np.ones((2, 3))
    with pytest.raises(exc, match=match):
        F.loss_and_grad(z, centers, **kwargs)
    if "block_size" in kwargs:
        with pytest.raises(exc, match=match):
            F.evaluate(z, centers, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("block", [1, 2, 3])
def test_one_cluster_is_exact_when_blocked(dtype, block):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(7, 3)).astype(dtype)
    ev = F.evaluate(z, rng.normal(size=(1, 3)).astype(dtype), block_size=block)
    assert np.all(ev.q == 1)
    assert np.all(ev.p == 1)
    assert float(ev.loss) == 0.0
    assert np.all(ev.grad_z == 0)
    assert np.all(ev.grad_centers == 0)


def test_blocked_target_round_trip():
    """A computed p (a transposed view) is a valid target for the next call."""
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(4, 3))
    z = centers[rng.integers(0, 4, 50)] + rng.normal(size=(50, 3))
    ev = F.evaluate(z, centers, block_size=8)
    again = F.evaluate(z, centers, target=ev.p, block_size=8)
    _assert_close(again.loss, ev.loss, np.float64)
    _assert_close(again.grad_z, ev.grad_z, np.float64)
    _assert_close(again.grad_centers, ev.grad_centers, np.float64)
    assert again.p is ev.p


# --------------------------------------------------------------------------- memory


def _peak_extra(fn):
    """tracemalloc peak of one call minus the bytes it returns."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak - sum(a.nbytes for a in out if a is not None)


def _data(n, k=4, d=24):
    rng = np.random.default_rng(n)
    centers = rng.normal(size=(k, d))
    return centers[rng.integers(0, k, n)] + rng.normal(size=(n, d)), centers


@pytest.mark.parametrize("target", [False, True])
def test_blocked_memory_is_a_few_nk(target):
    z, centers = _data(60_000)
    p = np.ascontiguousarray(F.evaluate(z, centers).p) if target else None
    nk = z.shape[0] * centers.shape[0] * z.itemsize
    assert _peak_extra(lambda: F.loss_and_grad(z, centers, target=p)) <= 4 * nk
    # unblocked, (n, d) copies and several (n, k) temporaries are alive at once
    assert _peak_extra(lambda: F.loss_and_grad(z, centers, target=p, block_size=None)) > 4 * nk


def test_streaming_memory_does_not_grow_with_n():
    small, large = _data(20_000), _data(200_000)

    def run(zc):
        return F.loss_and_grad(*zc, grad_z=False, block_size=1024, recompute=True)

    peak_small, peak_large = _peak_extra(lambda: run(small)), _peak_extra(lambda: run(large))
    assert peak_large < 1.5 * peak_small + 65536
    assert peak_large < 4 * 1024 * (4 + 24) * 8 + 65536  # a few blocks' worth
    # keeping q (the default): O(n k) and so growing with n
    keep = _peak_extra(lambda: F.loss_and_grad(*large, grad_z=False, block_size=1024))
    assert keep > 200_000 * 4 * 8


# --------------------------------------------------------------------------- backends


@backend_settings
@given(problem=blocked_problems(max_n=24, max_k=4, max_d=3))
def test_blocked_equals_unblocked_on_backends(backend, problem):
    z, centers, alpha, target, block = problem
    dt = backend.float_dtype
    zb, cb = backend.asarray(z, dt), backend.asarray(centers, dt)
    tb = None if target is None else backend.asarray(target, dt)
    name = "float64" if str(dt).endswith("float64") else "float32"
    ref = F.evaluate(zb, cb, alpha, tb, block_size=None)
    got = F.evaluate(zb, cb, alpha, tb, block_size=block)
    for a, b in zip(got, ref, strict=True):
        assert a.dtype == dt
        _assert_close(backend.to_numpy(a), backend.to_numpy(b), name)
    lg = F.loss_and_grad(zb, cb, alpha, tb, block_size=block, grad_z=False)
    assert lg[2] is None
    _assert_close(backend.to_numpy(lg[1]), backend.to_numpy(ref.grad_centers), name)
    lg = F.loss_and_grad(zb, cb, alpha, tb, block_size=block, recompute=True)
    _assert_close(backend.to_numpy(lg[2]), backend.to_numpy(ref.grad_z), name)


def test_blocked_runs_under_jax_jit():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    z, centers = _data(37, k=3, d=2)
    zj, cj = jax.numpy.asarray(z), jax.numpy.asarray(centers)
    jitted = jax.jit(lambda a, b: F.loss_and_grad(a, b, 1.5, block_size=8))
    for jit_out, ref in zip(jitted(zj, cj), F.loss_and_grad(z, centers, 1.5), strict=True):
        np.testing.assert_allclose(np.asarray(jit_out), ref, rtol=1e-10, atol=1e-13)
