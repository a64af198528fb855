r"""Reliability: numerical extremes, crash-safe persistence, determinism, bad inputs.

Numerical extremes (NumPy, float32 and float64)
================================================

Hypothesis draws clustered data with a log-uniform ``alpha`` in [1e-3, 1e3], a common
offset of up to 1e6 added to every point and centre, spreads from 1e-4 to 1e3, duplicate
points, every point on one centre, and ``k = 1``, ``n = 1``, ``d = 1``. The inputs are
rounded to the tested dtype first and the oracle (``tests/_reference.py``, naive
formulas in ``longdouble``) sees exactly those rounded values.

Why the tolerances look the way they do. The library computes
``d_ij = |z'_i|² + |μ'_j|² - 2 z'_i·μ'_j`` after shifting both by the centres' mean, so
its absolute error is ``|δd_i| <= γ · eps · S_i`` with ``S_i = |z'_i|² + max_j |μ'_j|²``
and ``γ = n_features + 4`` (a worst-case dot-product bound plus the two norms, the
subtraction and the shift). ``log q`` is a log-softmax of
``l_ij = -(α+1)/2 · log1p(d_ij/α)``, whose sensitivity to ``d`` is
``|∂l/∂d| = (α+1) / (2(α+d))``, largest at the smallest ``d`` (evaluated at
``max(d_ij - δd_i, 0)`` so that the bound is an upper bound). So the logit error is
``δl_i = max_j (α+1)/(2(α + max(d_ij - δd_i, 0))) · δd_i``, and a log-softmax at most
doubles it. Everything after the distances (log1p, exp, sums over ``k``, the division)
adds a few ``eps`` per entry.

=========================  =====================================================
Quantity                   Tolerance asserted
=========================  =====================================================
all outputs                finite (loss, both gradients, ``q``, ``p``)
row sums of ``q``, ``p``   ``|Σ_j - 1| <= 4 · k · eps``
``q`` vs oracle            ``|q - q_ref|_ij <= min(1, 2(exp(2 δl_i) - 1)) + 16 · k · eps``
loss vs oracle             ``|L - L_ref| <= (40 + 12 L_ref) · δl_max + 64 · k · eps · (1 + L_ref)``
=========================  =====================================================

The loss bound: with ``δ = max_i δl_i``, ``|δ log q| <= 2δ`` and ``|δ log p| <= 12δ``
(``log p = 2 log q - log f - log Σ q²/f``), and ``Σ_j p |log(p/q)| <= L_i + 2``; so
``|δL| <= 14δ + 12δ (L + 2) = (38 + 12 L) δ``, rounded up to 40, plus summation rounding.
``eps`` is the machine epsilon of the tested dtype (1.19e-7 for float32, 2.2e-16 for
float64). Where ``δl`` is large (float32 with a spread far below the data's scale and a
tiny ``alpha``), the ``q`` bound becomes vacuous; that is the conditioning of the problem,
not slack in the test, and finiteness and row sums are still asserted.

Safe persistence
================

A child process saves a large head (2000 × 500 float64, 8 MB) to one path in a loop,
alternating two sets of centres, and is killed with SIGKILL at random moments. After every
kill the target must load and equal one of the two sets exactly: ``atomic_savez`` writes a
temporary file in the same folder and ``os.replace``\ s it, so a kill never leaves a
partial target. A kill between ``mkstemp`` and ``os.replace`` can leave a
``.<name>.<random>.tmp`` file behind (no cleanup handler runs under SIGKILL); the test
accepts such leftovers, checks that they never have the target's name, and removes them.
Tampered ``DEC`` files must raise ``ValueError`` naming the problem.

Determinism
===========

The same ``random_state`` gives byte-identical ``DEC`` fits and ``DECClusterHead``
initialisations in two separate interpreter processes. (Save / resume equality is in
``test_estimator.py``.)

Bad-input matrix
================

Cases not covered by the other test modules; each asserts the exception type and a message
fragment that names the argument. The cases that first found bugs (missing keys and bad
generator states in saved DEC files, unvalidated ``train_perm``, non-bool flags accepted,
``save(None)`` and ``learning_rate`` messages not naming the argument) now pass.
"""

from __future__ import annotations

import json
import math
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dec_array.functional as F
from dec_array import DEC, DECClusterHead, KMeans, optim
from dec_array.metrics import adjusted_rand_score, cluster_accuracy, normalized_mutual_info_score

from ._reference import naive_loss, naive_p, naive_q

LD = np.longdouble

# --------------------------------------------------------------------------- problems


@st.composite
def extreme_problems(draw):
    """(z, centers, alpha, dtype), already rounded to ``dtype``."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    alpha = 10.0 ** draw(st.floats(-3.0, 3.0))
    n = draw(st.sampled_from([1, 2, 5, 12]))
    k = draw(st.sampled_from([1, 2, 3, 5]))
    d = draw(st.sampled_from([1, 2, 4]))
    offset_mag = draw(st.sampled_from([0.0, 1.0, 1e3, 1e6]))
    spread = draw(st.sampled_from([0.0, 1e-4, 1e-2, 1.0, 1e3]))
    gap = draw(st.sampled_from([1e-4, 1.0, 10.0, 1e3]))
    layout = draw(st.sampled_from(["blobs", "duplicates", "one_centre", "dup_centres"]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    offset = offset_mag * rng.choice([-1.0, 1.0], size=d)
    base = gap * rng.normal(size=(k, d))
    if layout == "dup_centres" and k > 1:
        base[1:] = base[0]
    centers = offset + base
    if layout == "one_centre":
        z = np.repeat(centers[:1], n, axis=0)
    else:
        z = centers[rng.integers(0, k, n)] + spread * rng.normal(size=(n, d))
        if layout == "duplicates":
            z = np.repeat(z[:1], n, axis=0)
    return z.astype(dtype), centers.astype(dtype), float(alpha), dtype


def _bounds(z, centers, alpha, dtype):
    """Per-row logit error bound ``δl_i`` (see the module docstring), oracle q and loss."""
    eps = float(np.finfo(dtype).eps)
    zl, cl = z.astype(LD), centers.astype(LD)
    shift = cl.mean(axis=0, keepdims=True)
    zs, cs = zl - shift, cl - shift
    s = (zs**2).sum(axis=1) + (cs**2).sum(axis=1).max()
    gamma = z.shape[1] + 4
    dd = gamma * eps * s  # (n,)
    d_ref = ((zl[:, None, :] - cl[None, :, :]) ** 2).sum(-1)
    lower = np.maximum(d_ref - dd[:, None], 0)
    slope = (LD(alpha) + 1) / (2 * (LD(alpha) + lower))
    dl = (slope * dd[:, None]).max(axis=1)
    q_ref = naive_q(z, centers, alpha)
    p_ref = naive_p(q_ref)
    loss_ref = naive_loss(z, centers, alpha, p_ref)
    return eps, np.asarray(dl, dtype=np.float64), q_ref, p_ref, float(loss_ref)


def _check_outputs(z, centers, alpha, dtype, loss, q, p, grads):
    k = centers.shape[0]
    for a in (loss, q, p, *grads):
        assert np.all(np.isfinite(np.asarray(a))), "non-finite output for finite input"
    assert q.dtype == dtype
    assert p.dtype == dtype
    eps, dl, q_ref, _, loss_ref = _bounds(z, centers, alpha, dtype)
    row_tol = 4 * k * eps
    np.testing.assert_allclose(q.astype(np.float64).sum(axis=1), 1.0, rtol=0, atol=row_tol)
    np.testing.assert_allclose(p.astype(np.float64).sum(axis=1), 1.0, rtol=0, atol=row_tol)
    q_tol = np.minimum(1.0, 2 * np.expm1(np.minimum(2 * dl, 8.0))) + 16 * k * eps
    err = np.abs(q.astype(LD) - q_ref).astype(np.float64)
    assert np.all(err <= q_tol[:, None]), f"q error {err.max():.3g} > bound {q_tol.min():.3g}"
    loss_tol = (40 + 12 * loss_ref) * float(dl.max()) + 64 * k * eps * (1 + loss_ref)
    assert abs(float(loss) - loss_ref) <= loss_tol, (float(loss), loss_ref, loss_tol)


@settings(max_examples=60, deadline=None)
@given(extreme_problems())
def test_functional_evaluate_extremes(problem):
    z, centers, alpha, dtype = problem
    ev = F.evaluate(z, centers, alpha)
    _check_outputs(z, centers, alpha, dtype, ev.loss, ev.q, ev.p, (ev.grad_z, ev.grad_centers))


@settings(max_examples=40, deadline=None)
@given(extreme_problems())
def test_head_extremes(problem):
    z, centers, alpha, dtype = problem
    head = DECClusterHead(centers.shape[0], centers.shape[1], alpha, dtype=dtype.__name__)
    head.reset_cluster_centers(centers)
    loss = head(z)
    grad_z = head.backward()
    q = head.soft_assign(z)
    p = head.target
    grads = (grad_z, head.gradients()["cluster_centers"])
    _check_outputs(z, centers, alpha, dtype, loss, q, p, grads)
    labels = head.cluster(z)
    assert labels.shape == (z.shape[0],)
    assert np.all((labels >= 0) & (labels < centers.shape[0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("n", "k", "d"), [(1, 1, 1), (1, 3, 1), (4, 1, 1), (1, 1, 5), (3, 2, 1)])
def test_degenerate_sizes(dtype, n, k, d):
    rng = np.random.default_rng(n * 100 + k * 10 + d)
    z = rng.normal(size=(n, d)).astype(dtype)
    centers = rng.normal(size=(k, d)).astype(dtype)
    ev = F.evaluate(z, centers, 1.0)
    _check_outputs(z, centers, 1.0, dtype, ev.loss, ev.q, ev.p, (ev.grad_z, ev.grad_centers))
    if k == 1:  # one cluster: q = p = 1 and nothing to learn
        assert np.all(ev.q == 1)
        assert np.all(ev.p == 1)
        assert float(ev.loss) == 0.0
        assert np.all(ev.grad_z == 0)
        assert np.all(ev.grad_centers == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [1e-3, 1.0, 1e3])
def test_all_points_on_one_centre_far_away(dtype, alpha):
    centers = (1e6 + np.array([[0.0, 0.0], [3.0, 4.0]])).astype(dtype)
    z = np.repeat(centers[:1], 7, axis=0)
    ev = F.evaluate(z, centers, alpha)
    _check_outputs(z, centers, alpha, dtype, ev.loss, ev.q, ev.p, (ev.grad_z, ev.grad_centers))
    assert np.all(np.argmax(ev.q, axis=1) == 0)


# --------------------------------------------------------------------------- persistence

_SAVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dec_array import DECClusterHead
    path, marker = sys.argv[1], Path(sys.argv[2])
    heads = [DECClusterHead(2000, 500, random_state=s) for s in (0, 1)]
    heads[0].save(path)
    marker.write_text("ready")
    i = 0
    while True:
        i += 1
        heads[i % 2].save(path)
    """
)


def test_sigkill_during_save_never_damages_the_target(tmp_path):
    target = tmp_path / "head.npz"
    expected = [DECClusterHead(2000, 500, random_state=s).cluster_centers for s in (0, 1)]
    rnd = random.Random(1234)
    seen = set()
    for round_ in range(5):
        marker = tmp_path / f"ready{round_}"
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(target), str(marker)])
        try:
            deadline = time.monotonic() + 60
            while not marker.exists():
                assert proc.poll() is None, "the saver died before its first save"
                assert time.monotonic() < deadline, "the saver never finished its first save"
                time.sleep(0.01)
            time.sleep(rnd.uniform(0.02, 0.4))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        loaded = DECClusterHead.load(target).cluster_centers  # never a partial file
        matches = [i for i, e in enumerate(expected) if np.array_equal(loaded, e)]
        assert len(matches) == 1, "the target holds neither of the saved heads"
        seen.add(matches[0])
        # leftovers of a killed write: temporary names only, never the target itself
        for leftover in tmp_path.glob(".head.npz.*.tmp"):
            assert leftover.name != target.name
            leftover.unlink()
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".npz") == ["head.npz"]
    assert seen  # at least one state was observed


@pytest.fixture(scope="module")
def dec_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 0.5, (30, 2)) for c in (0.0, 5.0, 10.0)])
    est = DEC(3, n_init=2, batch_size=16, update_interval=10, max_iter=30, random_state=0)
    path = tmp_path_factory.mktemp("dec") / "dec.npz"
    est.fit(X).save(path)
    with np.load(path) as f:
        payload = {key: f[key] for key in f.files}
    return path, payload


def _json(payload, key, **change):
    value = json.loads(str(payload[key]))
    for k, v in change.items():
        if v is None:
            value.pop(k)
        else:
            value[k] = v
    return np.asarray(json.dumps(value))


def _tampered():
    return [
        ("wrong-kind", lambda p: {"__kind__": np.asarray("DECClusterHead")}, "expected a 'DEC'"),
        ("newer-version", lambda p: {"__format_version__": np.asarray(2)}, "upgrade dec-array"),
        ("version-zero", lambda p: {"__format_version__": np.asarray(0)}, "invalid file format"),
        ("params-not-json", lambda p: {"params": np.asarray("{not json")}, "'params' is not valid JSON"),
        ("optimizer-not-json", lambda p: {"optimizer": np.asarray("[")}, "'optimizer' is not valid JSON"),
        ("params-not-str", lambda p: {"params": np.asarray(3)}, "'params' must be a scalar"),
        ("params-list", lambda p: {"params": np.asarray("[1, 2]")}, "invalid estimator parameters"),
        ("params-bad-value", lambda p: {"params": _json(p, "params", n_clusters=-1)}, "n_clusters"),
        ("optimizer-unknown", lambda p: {"optimizer": np.asarray(json.dumps({"class": "RMSprop", "hyperparameters": {}}))}, "invalid estimator parameters"),
        ("object-array", lambda p: {"labels_": np.array([1, "a", None], dtype=object)}, "not a readable dec-array file"),
        ("centres-nan", lambda p: {"cluster_centers_": np.full((3, 2), np.nan)}, "'cluster_centers_' holds NaN"),
        ("centres-shape", lambda p: {"cluster_centers_": np.zeros((2, 2))}, "'cluster_centers_' must be a float array"),
        ("labels-float", lambda p: {"labels_": p["labels_"].astype(float)}, "'labels_' must be a 1-D integer"),
        ("train-centres-shape", lambda p: {"train_centers": np.zeros((5, 2))}, "'train_centers'"),
        ("missing-kind", lambda p: {"__kind__": None}, "missing '__kind__'"),
        pytest.param("fitted-missing-key", lambda p: {"fitted": _json(p, "fitted", n_iter_=None)}, "n_iter_"),
        pytest.param("train-meta-missing-key", lambda p: {"train_meta": _json(p, "train_meta", iteration=None)}, "iteration"),
        pytest.param("train-meta-bad-rng", lambda p: {"train_meta": _json(p, "train_meta", rng={"x": 1})}, "train_meta"),
        pytest.param("train-perm-float", lambda p: {"train_perm": np.zeros(5)}, "train_perm"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "change", "match"), _tampered(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_dec_load_refuses_tampered_files(tmp_path, dec_file, name, change, match):
    _, payload = dec_file
    data = dict(payload)
    for key, value in change(payload).items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path = tmp_path / f"{name}.npz"
    np.savez(path, **data)
    with pytest.raises(ValueError, match=match):
        DEC.load(path)


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.5, 0.99])
def test_dec_load_refuses_truncated_files(tmp_path, dec_file, fraction):
    path, _ = dec_file
    raw = path.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(raw[: int(len(raw) * fraction)])
    with pytest.raises(ValueError, match="not a readable dec-array file"):
        DEC.load(bad)


def test_dec_file_roundtrip_is_intact(dec_file):
    path, payload = dec_file
    est = DEC.load(path)
    np.testing.assert_array_equal(est.cluster_centers_, payload["cluster_centers_"])


# --------------------------------------------------------------------------- determinism

_DETERMINISM = textwrap.dedent(
    """
    import sys
    import numpy as np
    from dec_array import DEC, DECClusterHead
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.normal(c, 0.7, (60, 3)) for c in (0.0, 4.0, 8.0)])
    dec = DEC(3, n_init=3, batch_size=32, update_interval=15, max_iter=90, random_state=11)
    dec.fit(X)
    head64 = DECClusterHead(7, 5, random_state=3).cluster_centers
    head32 = DECClusterHead(7, 5, dtype="float32", random_state=3).cluster_centers
    np.savez(sys.argv[1], centers=dec.cluster_centers_, labels=dec.labels_,
             loss=np.asarray(dec.loss_curve_), n_iter=np.asarray(dec.n_iter_),
             head64=head64, head32=head32)
    """
)


def test_same_seed_is_bit_identical_across_processes(tmp_path):
    outs = [tmp_path / f"run{i}.npz" for i in range(2)]
    for out in outs:
        subprocess.run([sys.executable, "-c", _DETERMINISM, str(out)], check=True, timeout=120)
    with np.load(outs[0]) as a, np.load(outs[1]) as b:
        assert a.files == b.files
        for key in a.files:
            assert a[key].dtype == b[key].dtype, key
            assert a[key].shape == b[key].shape, key
            assert a[key].tobytes() == b[key].tobytes(), f"{key} differs between processes"


# --------------------------------------------------------------------------- bad inputs

_Z, _C = np.zeros((4, 3)), np.ones((2, 3))
_X = np.random.default_rng(0).normal(size=(10, 2))


def _head():
    return DECClusterHead(2, 3, random_state=0)


BAD_INPUTS = [
    # functional: Python objects instead of arrays, on every function
    ("sq-z-none", lambda: F.squared_distances(None, _C), TypeError, "z must be an array"),
    ("sq-z-scalar", lambda: F.squared_distances(1.0, _C), TypeError, "z must be an array"),
    ("sq-centers-list", lambda: F.squared_distances(_Z, [[1.0] * 3]), TypeError, "centers must be an array"),
    ("hard-centers-none", lambda: F.hard_assignment(_Z, None), TypeError, "centers must be an array"),
    ("soft-alpha-none", lambda: F.soft_assignment(_Z, _C, None), TypeError, "alpha"),
    ("soft-alpha-array", lambda: F.soft_assignment(_Z, _C, np.array([1.0, 2.0])), TypeError, "alpha"),
    ("logsoft-alpha-str", lambda: F.log_soft_assignment(_Z, _C, "x"), TypeError, "alpha"),
    ("target-list", lambda: F.target_distribution([[0.5, 0.5]]), TypeError, "q must be an array"),
    ("target-none", lambda: F.target_distribution(None), TypeError, "q must be an array"),
    ("target-1d", lambda: F.target_distribution(np.ones(3)), ValueError, "q must be a 2-D"),
    ("target-int", lambda: F.target_distribution(np.ones((2, 2), dtype=int)), TypeError, "q must have a real floating"),
    ("kl-p-list", lambda: F.kl_divergence([[0.5, 0.5]], np.full((1, 2), 0.5)), TypeError, "p must be an array"),
    ("kl-q-none", lambda: F.kl_divergence(np.full((1, 2), 0.5), None), TypeError, "q must be an array"),
    ("evaluate-target-list", lambda: F.evaluate(_Z, _C, 1.0, [[0.5, 0.5]] * 4), TypeError, "target must be an array"),
    # DECClusterHead methods with wrong types
    ("head-target-dist-list", lambda: _head().target_distribution([[0.5, 0.5]]), TypeError, "q must be an array"),
    ("head-set-parameters-none", lambda: _head().set_parameters(None), ValueError, "parameters must be a mapping"),
    ("head-load-state-dict-list", lambda: _head().load_state_dict([1]), TypeError, "state_dict must be a mapping"),
    ("head-state-dict-centres-list", lambda: _head().load_state_dict({"cluster_centers": [[0.0] * 3] * 2, "alpha": 1.0}), ValueError, r"state_dict\['cluster_centers'\] must be a 2-D array"),
    ("head-to-xp-str", lambda: _head().to(xp="numpy"), TypeError, "xp must be an array module"),
    ("head-to-dtype-int", lambda: _head().to(dtype="int32"), ValueError, "dtype must be 'float32'"),
    ("head-n-clusters-none", lambda: DECClusterHead(None, 3), TypeError, "n_clusters"),
    ("head-alpha-str", lambda: DECClusterHead(2, 3, "1"), TypeError, "alpha"),
    ("head-alpha-overflow", lambda: DECClusterHead(2, 3, 1e400), ValueError, "alpha"),
    ("head-load-missing", lambda: DECClusterHead.load("/nonexistent/dir/head.npz"), FileNotFoundError, "no such file"),
    pytest.param("head-save-none", lambda: _head().save(None), TypeError, "path"),
    pytest.param("head-forward-update-target-str", lambda: _head().forward(_Z, update_target="no"), TypeError, "update_target"),
    pytest.param("head-cluster-soft-str", lambda: _head().cluster(_Z, soft="no"), TypeError, "soft"),
    # optimizers (cases not in test_optim.py)
    ("sgd-lr-none", lambda: optim.SGD(lr=None), TypeError, r"\blr\b"),
    ("adamw-weight-decay-str", lambda: optim.AdamW(weight_decay="x"), TypeError, "weight_decay"),
    ("adam-betas-none", lambda: optim.Adam(betas=None), TypeError, "betas"),
    ("adamw-eps-negative", lambda: optim.AdamW(eps=-1.0), ValueError, "eps"),
    # DEC hyperparameters (cases not in test_estimator.py)
    ("dec-n-init-0", lambda: DEC(2, n_init=0).fit(_X), ValueError, "n_init"),
    ("dec-momentum-negative", lambda: DEC(2, momentum=-1).fit(_X), ValueError, "momentum"),
    ("dec-momentum-str", lambda: DEC(2, momentum="x").fit(_X), TypeError, "momentum"),
    ("dec-alpha-str", lambda: DEC(2, alpha="x").fit(_X), TypeError, "alpha"),
    ("dec-n-clusters-float", lambda: DEC(2.0).fit(_X), TypeError, "n_clusters"),
    ("dec-n-clusters-none", lambda: DEC(None).fit(_X), TypeError, "n_clusters"),
    ("dec-batch-size-float", lambda: DEC(2, batch_size=2.5).fit(_X), TypeError, "batch_size"),
    ("dec-batch-size-bool", lambda: DEC(2, batch_size=True).fit(_X), TypeError, "batch_size"),
    ("dec-tol-str", lambda: DEC(2, tol="x").fit(_X), TypeError, "tol"),
    ("dec-tol-inf", lambda: DEC(2, tol=math.inf).fit(_X), ValueError, "tol"),
    ("dec-random-state-str", lambda: DEC(2, random_state="x").fit(_X), TypeError, "random_state"),
    ("dec-optimizer-int", lambda: DEC(2, optimizer=3).fit(_X), ValueError, "optimizer"),
    ("dec-target-none", lambda: DEC(2, target=None).fit(_X), ValueError, "target"),
    ("dec-init-none", lambda: DEC(2, init=None).fit(_X), TypeError, "init"),
    ("dec-init-nan", lambda: DEC(2, init=np.full((2, 2), np.nan)).fit(_X), ValueError, "init"),
    ("dec-max-iter-float", lambda: DEC(2, max_iter=10.0).fit(_X), TypeError, "max_iter"),
    ("dec-update-interval-0", lambda: DEC(2, update_interval=0).fit(_X), ValueError, "update_interval"),
    ("dec-fit-empty", lambda: DEC(2).fit(np.zeros((0, 2))), ValueError, "X must have at least 1 row"),
    ("dec-fit-none", lambda: DEC(2).fit(None), TypeError, "X must be a 2-D array"),
    ("dec-fit-no-features", lambda: DEC(2).fit(np.zeros((10, 0))), ValueError, "X has 0 feature"),
    ("dec-transform-unfitted", lambda: DEC(2).transform(_X), ValueError, "not fitted yet"),
    ("dec-score-unfitted", lambda: DEC(2).score(_X), ValueError, "not fitted yet"),
    ("dec-save-callable-lr", lambda: DEC(2, optimizer=optim.SGD(lr=lambda s: 0.1)).save("/nonexistent/x.npz"), ValueError, "callable learning rate"),
    ("dec-load-missing", lambda: DEC.load("/nonexistent/dir/dec.npz"), FileNotFoundError, "no such file"),
    pytest.param("dec-learning-rate-str", lambda: DEC(2, learning_rate="x").fit(_X), TypeError, "learning_rate"),
    # KMeans hyperparameters and data
    ("kmeans-n-clusters-0", lambda: KMeans(0).fit(_X), ValueError, "n_clusters"),
    ("kmeans-n-clusters-str", lambda: KMeans("2").fit(_X), TypeError, "n_clusters"),
    ("kmeans-random-state-negative", lambda: KMeans(2, random_state=-1).fit(_X), ValueError, "random_state"),
    ("kmeans-max-iter-float", lambda: KMeans(2, max_iter=1.5).fit(_X), TypeError, "max_iter"),
    ("kmeans-too-few-samples", lambda: KMeans(5).fit(np.zeros((3, 2))), ValueError, "n_clusters"),
    ("kmeans-fit-empty", lambda: KMeans(2).fit(np.zeros((0, 2))), ValueError, "X must have at least 1 row"),
    ("kmeans-fit-none", lambda: KMeans(2).fit(None), TypeError, "X must be a 2-D array"),
    ("kmeans-init-shape", lambda: KMeans(2, init=np.zeros((3, 2))).fit(_X), ValueError, "init must have shape"),
    ("kmeans-predict-features", lambda: KMeans(2, n_init=1, random_state=0).fit(_X).predict(np.zeros((3, 3))), ValueError, "X has 3 features, but KMeans is expecting 2|X must have 2 features"),
    # metrics (cases not in test_metrics.py)
    ("acc-both-2d", lambda: cluster_accuracy(np.zeros((2, 2), int), np.zeros((2, 2), int)), ValueError, "labels_true must be a 1-D"),
    ("acc-none", lambda: cluster_accuracy(None, [0]), ValueError, "labels_true must be a 1-D"),
    ("acc-0d-array", lambda: cluster_accuracy(np.array(3), [0]), ValueError, "labels_true must be a 1-D"),
    ("nmi-pred-none", lambda: normalized_mutual_info_score([0, 1], None), ValueError, "labels_pred must be a 1-D"),
    ("nmi-dict", lambda: normalized_mutual_info_score({0: 1}, [0]), ValueError, "labels_true must be a 1-D"),
    ("nmi-empty-pred", lambda: normalized_mutual_info_score([0], []), ValueError, "labels_pred must hold at least one|same length"),
    ("ari-set", lambda: adjusted_rand_score({0, 1}, [0, 1]), ValueError, "labels_true must be a 1-D"),
    ("ari-lengths", lambda: adjusted_rand_score([0], [0, 1]), ValueError, "same length"),
    ("ari-empty-np", lambda: adjusted_rand_score(np.array([], int), np.array([], int)), ValueError, "labels_true must hold at least one"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "call", "exc", "match"), BAD_INPUTS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bad_input_matrix(name, call, exc, match):
    with pytest.raises(exc, match=match):
        call()
