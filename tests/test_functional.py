"""Properties, known values and oracles for :mod:`dec_array.functional`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dec_array import functional as F

from ._reference import central_difference, naive_loss, naive_p, naive_q

backend_settings = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def problems(draw, max_n=12, max_k=5, max_d=4, spread=3.0):
    """A random (z, centers, alpha) problem in float64."""
    n = draw(st.integers(1, max_n))
    k = draw(st.integers(1, max_k))
    d = draw(st.integers(1, max_d))
    alpha = draw(st.floats(0.05, 20.0))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=spread, size=(n, d))
    centers = rng.normal(scale=spread, size=(k, d))
    return z, centers, alpha


def _np(backend, x):
    return backend.to_numpy(x)


def _is64(backend):
    return str(backend.float_dtype).endswith("float64")


# --------------------------------------------------------------------------- known values


def test_known_values_alpha_1():
    z = np.array([[0.0, 0.0], [1.0, 0.0]])
    centers = np.array([[0.0, 0.0], [1.0, 0.0]])
    q = F.soft_assignment(z, centers)
    np.testing.assert_allclose(q, [[2 / 3, 1 / 3], [1 / 3, 2 / 3]], rtol=1e-14)
    p = F.target_distribution(q)
    np.testing.assert_allclose(p, [[0.8, 0.2], [0.2, 0.8]], rtol=1e-14)
    loss, g_c, g_z = F.loss_and_grad(z, centers)
    expected = 0.8 * math.log(1.2) + 0.2 * math.log(0.6)  # both rows equal, batchmean
    assert float(loss) == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(g_z, [[1 / 15, 0.0], [-1 / 15, 0.0]], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(g_c, [[1 / 15, 0.0], [-1 / 15, 0.0]], rtol=1e-13, atol=1e-16)


def test_known_values_exponent_alpha_2():
    # (1 + d/2)^(-3/2) with d = [0, 4]: catches exponent typos such as q**(alpha+1)/2.
    q = F.soft_assignment(np.array([[0.0]]), np.array([[0.0], [2.0]]), alpha=2.0)
    k = 3.0**-1.5
    np.testing.assert_allclose(q, [[1 / (1 + k), k / (1 + k)]], rtol=1e-14)


def test_zero_target_entries_follow_0_log_0():
    q = np.array([[0.5, 0.5]])
    assert float(F.kl_divergence(np.array([[1.0, 0.0]]), q)) == pytest.approx(math.log(2))
    assert float(F.kl_divergence(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))) == math.inf


def test_empty_column_gives_zero_target_not_nan():
    q = np.array([[1.0, 0.0], [1.0, 0.0]])
    p = F.target_distribution(q)
    np.testing.assert_array_equal(p, q)


# --------------------------------------------------------------------------- properties


@backend_settings
@given(problem=problems())
def test_rows_are_distributions(backend, problem):
    z, centers, alpha = problem
    q = F.soft_assignment(backend.asarray(z), backend.asarray(centers), alpha)
    p = F.target_distribution(q)
    for a in (_np(backend, q), _np(backend, p)):
        assert np.all((a >= 0) & (a <= 1))
        np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-5)


@backend_settings
@given(problem=problems())
def test_matches_longdouble_oracle(backend, problem):
    z, centers, alpha = problem
    dtype = backend.float_dtype
    tol = 1e-9 if str(dtype).endswith("float64") else 2e-4
    zb, cb = backend.asarray(z, dtype), backend.asarray(centers, dtype)
    z_, c_ = _np(backend, zb).astype(np.float64), _np(backend, cb).astype(np.float64)
    q_ref = naive_q(z_, c_, alpha)
    ev = F.evaluate(zb, cb, alpha)
    np.testing.assert_allclose(_np(backend, ev.q), q_ref.astype(float), atol=tol)
    np.testing.assert_allclose(_np(backend, ev.p), naive_p(q_ref).astype(float), atol=tol)
    ref_loss = float(naive_loss(z_, c_, alpha, naive_p(q_ref)))
    assert float(_np(backend, ev.loss)) == pytest.approx(ref_loss, rel=tol * 10, abs=tol)


@given(problem=problems())
def test_loss_nonnegative_and_zero_at_p_equal_q(problem):
    z, centers, alpha = problem
    loss, _, _ = F.loss_and_grad(z, centers, alpha)
    assert float(loss) >= 0.0
    q = F.soft_assignment(z, centers, alpha)
    loss, g_c, g_z = F.loss_and_grad(z, centers, alpha, target=q)
    assert abs(float(loss)) < 1e-12
    np.testing.assert_allclose(g_c, 0.0, atol=1e-12)
    np.testing.assert_allclose(g_z, 0.0, atol=1e-12)


@settings(max_examples=25)
@given(problem=problems(max_n=6, max_k=4, max_d=3, spread=1.5), fixed_target=st.booleans())
def test_gradients_match_central_differences(problem, fixed_target):
    z, centers, alpha = problem
    target = F.target_distribution(F.soft_assignment(z, centers, alpha))
    if not fixed_target:  # an arbitrary positive target whose rows do not sum to 1
        target = target * np.linspace(0.5, 1.5, target.shape[0])[:, None]
    _, g_c, g_z = F.loss_and_grad(z, centers, alpha, target=target)
    fd_c = central_difference(lambda c: F.loss_and_grad(z, c, alpha, target)[0], centers)
    fd_z = central_difference(lambda zz: F.loss_and_grad(zz, centers, alpha, target)[0], z)
    scale = max(1.0, np.abs(fd_c).max(), np.abs(fd_z).max())
    np.testing.assert_allclose(g_c, fd_c, atol=1e-7 * scale, rtol=1e-5)
    np.testing.assert_allclose(g_z, fd_z, atol=1e-7 * scale, rtol=1e-5)


@backend_settings
@given(problem=problems(), shift=st.floats(-1e3, 1e3))
def test_translation_invariance(backend, problem, shift):
    z, centers, alpha = problem
    base = F.evaluate(backend.asarray(z), backend.asarray(centers), alpha)
    moved = F.evaluate(backend.asarray(z + shift), backend.asarray(centers + shift), alpha)
    atol = 1e-8 if _is64(backend) else 5e-3
    for a, b in zip(base, moved, strict=True):
        np.testing.assert_allclose(_np(backend, a), _np(backend, b), atol=atol, rtol=1e-4)


@given(problem=problems(), data=st.data())
def test_permuting_clusters_permutes_columns(problem, data):
    z, centers, alpha = problem
    perm = np.asarray(data.draw(st.permutations(range(centers.shape[0]))))
    base = F.evaluate(z, centers, alpha)
    permuted = F.evaluate(z, centers[perm], alpha)
    np.testing.assert_allclose(permuted.q, base.q[:, perm], atol=1e-14)
    np.testing.assert_allclose(permuted.p, base.p[:, perm], atol=1e-14)
    np.testing.assert_allclose(permuted.grad_centers, base.grad_centers[perm], atol=1e-13)
    np.testing.assert_allclose(permuted.grad_z, base.grad_z, atol=1e-13)
    assert float(permuted.loss) == pytest.approx(float(base.loss), abs=1e-13)


@backend_settings
@given(problem=problems())
def test_gradients_sum_to_zero(backend, problem):
    z, centers, alpha = problem
    _, g_c, g_z = F.loss_and_grad(backend.asarray(z), backend.asarray(centers), alpha)
    total = _np(backend, g_c).sum(axis=0) + _np(backend, g_z).sum(axis=0)
    scale = max(1.0, np.abs(_np(backend, g_c)).max())
    np.testing.assert_allclose(total, 0.0, atol=(1e-12 if _is64(backend) else 1e-5) * scale)


@backend_settings
@given(problem=problems())
def test_hard_labels_are_argmax_q(backend, problem):
    z, centers, alpha = problem
    zb, cb = backend.asarray(z), backend.asarray(centers)
    q = _np(backend, F.soft_assignment(zb, cb, alpha))
    labels = _np(backend, F.hard_assignment(zb, cb))
    # ties (equal q) may break either way: the chosen column must hold the row maximum
    np.testing.assert_allclose(q[np.arange(len(labels)), labels], q.max(axis=1), rtol=1e-6)


# --------------------------------------------------------------------------- extremes


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("alpha", "offset", "spread", "centre_gap"),
    [
        (100.0, 0.0, 1.0, 30.0),  # large alpha: the kernel underflows outside log space
        (1000.0, 0.0, 1.0, 40.0),
        (1.0, 0.0, 1.0, 1e4),  # points far from all but one centre
        (0.5, 1e6, 1.0, 5.0),  # far from the origin: cancellation in |z|^2 - 2 z.mu + |mu|^2
        (1e-3, 0.0, 1.0, 3.0),  # tiny alpha
        (1.0, 1e4, 1e-3, 1e-2),  # tiny spread far from the origin
    ],
)
def test_extreme_inputs_stay_finite_and_accurate(backend, dtype, alpha, offset, spread, centre_gap):
    rng = np.random.default_rng(0)
    k, d = 3, 4
    centers = offset + centre_gap * rng.normal(size=(k, d))
    z = centers[rng.integers(0, k, 50)] + spread * rng.normal(size=(50, d))
    dt = backend.dtype(dtype)
    zb, cb = backend.asarray(z, dt), backend.asarray(centers, dt)
    ev = F.evaluate(zb, cb, alpha)
    host = [_np(backend, a) for a in ev]
    for a in host:
        assert np.all(np.isfinite(a)), "non-finite output"
    # the reference sees exactly the rounded inputs the backend saw
    z_, c_ = _np(backend, zb).astype(np.float64), _np(backend, cb).astype(np.float64)
    q_ref = naive_q(z_, c_, alpha).astype(float)
    rel = 1e-6 if dtype == "float64" else 1e-2
    # q is accurate in absolute terms wherever it is not negligible
    np.testing.assert_allclose(host[3], q_ref, atol=rel)
    np.testing.assert_allclose(host[3].sum(axis=1), 1.0, rtol=1e-5)
    ref_loss = float(naive_loss(z_, c_, alpha, naive_p(q_ref)))
    assert float(host[0]) == pytest.approx(ref_loss, rel=10 * rel, abs=rel)


def test_whole_row_underflow_is_not_nan():
    # alpha=100 and distances 500/800/1200: q ~ [5e-40, 0, 0] before normalisation
    z = np.zeros((1, 1))
    centers = np.sqrt(np.array([[500.0], [800.0], [1200.0]]))
    ev = F.evaluate(z, centers, alpha=100.0)
    assert all(np.all(np.isfinite(a)) for a in ev)
    np.testing.assert_allclose(ev.q.sum(), 1.0)
    ev32 = F.evaluate(z.astype(np.float32), centers.astype(np.float32), alpha=100.0)
    assert all(np.all(np.isfinite(a)) for a in ev32)
    assert ev32.q.dtype == np.float32


def test_float32_far_from_origin_distances_not_negative():
    # norm ~ 950, true squared distance 4.7e-4: naive float32 expansion gives negatives
    rng = np.random.default_rng(1)
    mu = (950 / np.sqrt(8)) * np.ones((2, 8), dtype=np.float32)
    mu[1] += 1.0
    z = (mu[:1] + 0.0077 * rng.normal(size=(5, 8))).astype(np.float32)
    d = F.squared_distances(z, mu)
    assert np.all(d >= 0)
    ref = ((z[:, None, :].astype(np.float64) - mu[None].astype(np.float64)) ** 2).sum(-1)
    np.testing.assert_allclose(d, ref, rtol=1e-3, atol=1e-5)
    q = F.soft_assignment(z, mu, alpha=1e-4)
    assert np.all(np.isfinite(q))


# --------------------------------------------------------------------------- dtypes and namespaces


def test_outputs_keep_namespace_dtype_and_device(backend):
    dt = backend.float_dtype
    z = backend.asarray(np.random.default_rng(0).normal(size=(6, 3)), dt)
    c = backend.asarray(np.random.default_rng(1).normal(size=(2, 3)), dt)
    ev = F.evaluate(z, c, 1.0)
    from array_api_compat import array_namespace
    from array_api_compat import device as dev

    shapes = [(), (2, 3), (6, 3), (6, 2), (6, 2)]
    for a, shape in zip(ev, shapes, strict=True):
        assert array_namespace(a) is array_namespace(z)
        assert a.dtype == dt
        assert tuple(a.shape) == shape
        if backend.name != "dask":
            assert dev(a) == backend.device
    labels = F.hard_assignment(z, c)
    assert backend.xp.isdtype(labels.dtype, "integral")


# --------------------------------------------------------------------------- errors


def _ok():
    return np.zeros((4, 3)), np.ones((2, 3))


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"z": np.zeros(3)}, ValueError, "z must be a 2-D array"),
        ({"z": np.zeros((4, 2))}, ValueError, "z must have 3 features"),
        ({"z": np.zeros((0, 3))}, ValueError, "z must have at least 1 row"),
        ({"z": np.zeros((4, 3), dtype=np.int64)}, TypeError, "z must have a real floating dtype"),
        ({"z": np.zeros((4, 3), dtype=np.complex128)}, TypeError, "real floating"),
        ({"z": [[0.0, 0.0, 0.0]]}, TypeError, "z must be an array"),
        ({"centers": np.zeros((0, 3))}, ValueError, "centers must have at least 1 row"),
        ({"centers": np.ones(3)}, ValueError, "centers must be a 2-D array"),
        ({"centers": np.ones((2, 3), dtype=bool)}, TypeError, "centers must have a real floating"),
        ({"alpha": 0.0}, ValueError, "alpha must be a finite real number > 0"),
        ({"alpha": -1.0}, ValueError, "alpha"),
        ({"alpha": float("nan")}, ValueError, "alpha"),
        ({"alpha": float("inf")}, ValueError, "alpha"),
        ({"alpha": "1"}, TypeError, "alpha"),
        ({"alpha": True}, TypeError, "alpha"),
        ({"target": np.ones((3, 2))}, ValueError, r"target must have shape \(4, 2\)"),
        ({"target": np.ones((4, 2), dtype=np.int64)}, TypeError, "target must have a real"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    z, centers = _ok()
    args = {"z": z, "centers": centers, "alpha": 1.0, "target": None, **kwargs}
    with pytest.raises(exc, match=match):
        F.loss_and_grad(**args)


def test_mixed_namespaces_and_devices_are_refused():
    strict = pytest.importorskip("array_api_strict")
    z, centers = _ok()
    with pytest.raises(TypeError, match="single Array API namespace"):
        F.soft_assignment(strict.asarray(z), centers)
    a = strict.asarray(z, device=strict.Device("device1"))
    b = strict.asarray(centers)
    with pytest.raises(ValueError, match="same device"):
        F.soft_assignment(a, b)


def test_probability_validators():
    with pytest.raises(ValueError, match="q must be a 2-D"):
        F.target_distribution(np.ones(3))
    with pytest.raises(ValueError, match=r"p must have shape \(1, 2\)"):
        F.kl_divergence(np.ones((2, 2)), np.ones((1, 2)))


# --------------------------------------------------------------------------- autodiff oracles


def _random_problem(seed=0, n=9, k=4, d=3, alpha=1.7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(k, d)), alpha


@pytest.mark.parametrize("seed", range(3))
def test_torch_autograd_oracle(seed):
    torch = pytest.importorskip("torch")
    z, centers, alpha = _random_problem(seed, alpha=[1.0, 0.3, 7.0][seed])
    zt = torch.tensor(z, requires_grad=True)
    ct = torch.tensor(centers, requires_grad=True)
    # the seed's formula, written plainly
    d = ((zt.unsqueeze(1) - ct.unsqueeze(0)) ** 2).sum(-1)
    kern = (1.0 + d / alpha) ** (-(alpha + 1.0) / 2.0)
    q = kern / kern.sum(1, keepdim=True)
    w = q**2 / q.sum(0)
    p = (w / w.sum(1, keepdim=True)).detach()
    loss = torch.nn.functional.kl_div(q.log(), p, reduction="batchmean")
    loss.backward()
    ours = F.loss_and_grad(z, centers, alpha)
    assert float(ours[0]) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(ours[1], ct.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ours[2], zt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_jax_grad_oracle():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    z, centers, alpha = _random_problem(3, alpha=2.5)

    def loss_fn(zz, cc, p):
        d = ((zz[:, None, :] - cc[None, :, :]) ** 2).sum(-1)
        kern = (1.0 + d / alpha) ** (-(alpha + 1.0) / 2.0)
        q = kern / kern.sum(1, keepdims=True)
        return jnp.sum(p * (jnp.log(p) - jnp.log(q))) / zz.shape[0]

    zj, cj = jnp.asarray(z), jnp.asarray(centers)
    p = F.target_distribution(F.soft_assignment(zj, cj, alpha))
    val, (gz, gc) = jax.value_and_grad(loss_fn, argnums=(0, 1))(zj, cj, p)
    ours = F.loss_and_grad(zj, cj, alpha)
    assert float(ours[0]) == pytest.approx(float(val), rel=1e-12)
    np.testing.assert_allclose(np.asarray(ours[1]), np.asarray(gc), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(np.asarray(ours[2]), np.asarray(gz), rtol=1e-10, atol=1e-14)


def test_runs_under_jax_jit():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    z, centers, alpha = _random_problem(4)
    zj, cj = jax.numpy.asarray(z), jax.numpy.asarray(centers)
    jitted = jax.jit(lambda a, b: F.loss_and_grad(a, b, alpha))
    for eager, jit in zip(F.loss_and_grad(zj, cj, alpha), jitted(zj, cj), strict=True):
        np.testing.assert_allclose(np.asarray(jit), np.asarray(eager), rtol=1e-12, atol=1e-15)


def test_backends_agree_with_numpy(backend):
    z, centers, alpha = _random_problem(5, n=20, k=5, d=4)
    dt = backend.float_dtype
    ours = F.evaluate(backend.asarray(z, dt), backend.asarray(centers, dt), alpha)
    ref = F.evaluate(z, centers, alpha)
    tol = 1e-12 if str(dt).endswith("float64") else 1e-4
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(_np(backend, a), b, rtol=tol, atol=tol)


def test_loss_positive_when_not_at_target():
    z, centers, alpha = _random_problem(6)
    loss = F.loss_and_grad(z, centers, alpha)[0]
    assert float(loss) > 0
