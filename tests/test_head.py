"""Tests for :class:`dec_array.DECClusterHead`: the seed's API and what goes beyond it."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from array_api_compat import array_namespace
from array_api_compat import device as get_device

from dec_array import DECClusterHead
from dec_array import functional as F
from dec_array.head import CallOrderError


def _blobs(seed=0, n=30, k=3, d=2):
    rng = np.random.default_rng(seed)
    centers = 5.0 * rng.normal(size=(k, d))
    z = centers[np.arange(n) % k] + 0.5 * rng.normal(size=(n, d))
    return z, centers


def _head(backend, k=3, d=2, **kw):
    return DECClusterHead(k, d, xp=backend.xp, device=backend.device, random_state=0, **kw)


# --------------------------------------------------------------------------- construction


def test_defaults_numpy():
    head = DECClusterHead(4, 3)
    assert head.cluster_centers.shape == (4, 3)
    assert head.cluster_centers.dtype == np.float64
    assert head.alpha == 1.0
    assert "n_clusters=4" in repr(head)
    assert head.target is None


def test_glorot_uniform_is_reproducible_and_bounded(backend):
    a = backend.to_numpy(_head(backend, 5, 7).cluster_centers)
    b = backend.to_numpy(_head(backend, 5, 7).cluster_centers)
    np.testing.assert_array_equal(a, b)
    bound = np.sqrt(6 / 12)
    assert np.all(np.abs(a) <= bound)
    assert a.std() > bound / 4  # actually spread, not a constant
    c = DECClusterHead(5, 7, random_state=1).cluster_centers
    assert not np.allclose(a, c)


def test_head_lives_on_its_backend(backend):
    head = _head(backend)
    assert array_namespace(head.cluster_centers) is backend.xp
    assert head.dtype == backend.float_dtype
    if backend.name != "dask":
        assert get_device(head.cluster_centers) == backend.device


def test_explicit_dtype_and_names():
    assert DECClusterHead(2, 2, dtype="float32").cluster_centers.dtype == np.float32
    assert DECClusterHead(2, 2, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((0, 2), {}, ValueError, "n_clusters must be a positive int"),
        ((2.0, 2), {}, TypeError, "n_clusters must be a positive int"),
        ((True, 2), {}, TypeError, "n_clusters"),
        ((2, -1), {}, ValueError, "n_features must be a positive int"),
        ((2, "3"), {}, TypeError, "n_features"),
        ((2, 2, 0.0), {}, ValueError, "alpha must be a finite real number > 0"),
        ((2, 2, float("nan")), {}, ValueError, "alpha"),
        ((2, 2), {"dtype": "int32"}, ValueError, "dtype must be 'float32', 'float64'"),
        ((2, 2), {"dtype": np.int64}, TypeError, "dtype must be a real floating dtype"),
        ((2, 2), {"xp": "numpy"}, TypeError, "xp must be an array module"),
        ((2, 2), {"random_state": "seed"}, TypeError, "random_state"),
        ((2, 2), {"random_state": -1}, ValueError, "random_state"),
    ],
)
def test_constructor_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        DECClusterHead(*args, **kwargs)


# --------------------------------------------------------------------------- forward / backward


def test_forward_backward_match_functional(backend):
    z, centers = _blobs()
    head = _head(backend)
    head.reset_cluster_centers(backend.asarray(centers))
    zb = backend.asarray(z)
    loss = head(zb)
    assert loss.shape == ()
    grad_z = head.backward()
    ref = F.loss_and_grad(zb, head.cluster_centers, 1.0)
    for a, b in zip((loss, head.gradients()["cluster_centers"], grad_z), ref, strict=True):
        np.testing.assert_allclose(backend.to_numpy(a), backend.to_numpy(b), rtol=1e-6)


def test_backward_protocol_accumulates_like_torch():
    z, centers = _blobs()
    head = DECClusterHead(3, 2, random_state=0)
    head.reset_cluster_centers(centers)
    assert head.gradients() == {"cluster_centers": None}
    with pytest.raises(CallOrderError, match=r"backward\(\) needs a forward\(\) first"):
        head.backward()
    head(z)
    head.backward()
    g1 = head.gradients()["cluster_centers"]
    with pytest.raises(CallOrderError):
        head.backward()  # one backward per forward
    head(z)
    head.backward()
    np.testing.assert_allclose(head.gradients()["cluster_centers"], 2 * g1)
    head.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(head.gradients()["cluster_centers"], np.zeros((3, 2)))
    head.zero_grad()
    assert head.gradients()["cluster_centers"] is None
    head(z)
    head.set_parameters({"cluster_centers": centers + 1})
    with pytest.raises(CallOrderError):
        head.backward()  # the forward was for other centres
    assert issubclass(CallOrderError, ValueError)
    assert issubclass(CallOrderError, RuntimeError)


def test_loss_and_grad_leaves_gradients_alone():
    z, centers = _blobs()
    head = DECClusterHead(3, 2, random_state=0)
    head.reset_cluster_centers(centers)
    loss, g_c, g_z = head.loss_and_grad(z)
    assert head.gradients()["cluster_centers"] is None
    with pytest.raises(CallOrderError):
        head.backward()
    ref = F.loss_and_grad(z, centers)
    np.testing.assert_allclose(g_c, ref[1])
    np.testing.assert_allclose(g_z, ref[2])
    assert float(loss) == float(ref[0])


def test_target_cache_semantics():
    z, centers = _blobs(n=30)
    head = DECClusterHead(3, 2, random_state=0)
    head.reset_cluster_centers(centers)
    head(z)  # caches P for these centres
    p0 = head.target
    np.testing.assert_allclose(p0, F.target_distribution(F.soft_assignment(z, centers)))
    head.set_parameters({"cluster_centers": centers * 1.1})
    # update_target=False reuses the cached P ...
    stale = head(z, update_target=False)
    assert head.target is p0
    assert float(stale) == pytest.approx(float(F.loss_and_grad(z, centers * 1.1, target=p0)[0]))
    # ... which differs from a fresh one
    fresh = head(z, update_target=True)
    assert head.target is not p0
    assert float(fresh) != pytest.approx(float(stale))
    # a batch of another size cannot reuse it: recomputed and re-cached
    head(z[:10], update_target=False)
    assert head.target.shape == (10, 3)
    # an explicit target is used as is and leaves the cache alone
    cached = head.target
    target = np.full((30, 3), 1 / 3)
    loss = head(z, target=target)
    assert head.target is cached
    assert float(loss) == pytest.approx(
        float(F.loss_and_grad(z, head.cluster_centers, target=target)[0])
    )


def test_cluster_and_predict(backend):
    z, centers = _blobs()
    head = _head(backend)
    head.reset_cluster_centers(backend.asarray(centers))
    zb = backend.asarray(z)
    labels = backend.to_numpy(head.cluster(zb))
    np.testing.assert_array_equal(labels, np.arange(30) % 3)
    np.testing.assert_array_equal(backend.to_numpy(head.predict(zb)), labels)
    q = backend.to_numpy(head.cluster(zb, soft=True))
    np.testing.assert_array_equal(q.argmax(axis=1), labels)
    p = backend.to_numpy(head.target_distribution(head.soft_assign(zb)))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


# --------------------------------------------------------------------------- bad input


def _bad_z_cases():
    z = np.zeros((4, 2))
    return [
        (np.zeros(4), ValueError, "z must be a 2-D array"),
        (np.zeros((4, 3)), ValueError, "z must have 2 features"),
        (np.zeros((0, 2)), ValueError, "z must have at least 1 row"),
        (z.astype(np.int64), TypeError, "z must have a real floating dtype"),
        (z.astype(np.float32), TypeError, "z has dtype float32 but the head computes in float64"),
        (np.array([[0.0, np.nan]]), ValueError, "z must contain only finite values"),
        (np.array([[0.0, np.inf]]), ValueError, "z must contain only finite values"),
        (z.tolist(), TypeError, "z must be an array"),
    ]


@pytest.mark.parametrize(("z", "exc", "match"), _bad_z_cases())
@pytest.mark.parametrize("method", ["forward", "loss_and_grad", "cluster", "soft_assign"])
def test_bad_z(method, z, exc, match):
    head = DECClusterHead(3, 2, random_state=0)
    with pytest.raises(exc, match=match):
        getattr(head, method)(z)


def test_other_namespace_or_device_refused():
    strict = pytest.importorskip("array_api_strict")
    head = DECClusterHead(3, 2, random_state=0)
    with pytest.raises(TypeError, match="z must be an array of the namespace of the head"):
        head(strict.zeros((4, 2), dtype=strict.float64))
    head = DECClusterHead(3, 2, xp=strict, random_state=0)
    with pytest.raises(ValueError, match="z must be on the device of the head"):
        head(strict.zeros((4, 2), dtype=strict.float64, device=strict.Device("device1")))


@pytest.mark.parametrize(
    ("centers", "exc", "match"),
    [
        (np.zeros((2, 2)), ValueError, r"cluster_centers must have shape \(3, 2\)"),
        (np.full((3, 2), np.nan), ValueError, "cluster_centers must contain only finite"),
        (np.zeros(6), ValueError, "cluster_centers must be a 2-D array"),
        (np.zeros((3, 2), dtype=np.int64), TypeError, "cluster_centers must have a real floating"),
        ([[0.0, 0.0]] * 3, TypeError, "cluster_centers must be an array"),
    ],
)
def test_bad_centers(centers, exc, match):
    head = DECClusterHead(3, 2, random_state=0)
    before = head.cluster_centers
    with pytest.raises(exc, match=match):
        head.reset_cluster_centers(centers)
    assert head.cluster_centers is before
    with pytest.raises(exc, match=match):
        head.set_parameters({"cluster_centers": centers})


def test_reset_casts_dtype():
    head = DECClusterHead(3, 2, random_state=0)
    head.reset_cluster_centers(np.zeros((3, 2), dtype=np.float32))
    assert head.cluster_centers.dtype == np.float64


def test_bad_target_and_parameters():
    z, _ = _blobs()
    head = DECClusterHead(3, 2, random_state=0)
    with pytest.raises(ValueError, match=r"target must have shape \(30, 3\)"):
        head(z, target=np.ones((30, 2)))
    with pytest.raises(ValueError, match="target must contain only finite"):
        head(z, target=np.full((30, 3), np.nan))
    with pytest.raises(ValueError, match="exactly the key 'cluster_centers'"):
        head.set_parameters({"centers": np.zeros((3, 2))})
    with pytest.raises(ValueError, match="q must have 3 columns"):
        head.target_distribution(np.ones((4, 2)) / 2)


# --------------------------------------------------------------------------- state, moves, files


def test_state_dict_roundtrip_and_errors():
    a = DECClusterHead(3, 2, alpha=2.0, random_state=0)
    b = DECClusterHead(3, 2, random_state=1)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a.cluster_centers, b.cluster_centers)
    assert b.alpha == 2.0
    with pytest.raises(ValueError, match="state_dict must have the keys"):
        b.load_state_dict({"cluster_centers": a.cluster_centers})
    b.load_state_dict({"cluster_centers": a.cluster_centers + 1}, strict=False)
    np.testing.assert_array_equal(b.cluster_centers, a.cluster_centers + 1)
    with pytest.raises(ValueError, match="state_dict must have the keys"):
        b.load_state_dict({**a.state_dict(), "extra": 1})
    with pytest.raises(ValueError, match=r"must have shape \(3, 2\)"):
        b.load_state_dict({"cluster_centers": np.zeros((2, 2)), "alpha": 1.0})
    with pytest.raises(ValueError, match="alpha"):
        b.load_state_dict({"cluster_centers": np.zeros((3, 2)), "alpha": -1.0})
    with pytest.raises(TypeError, match="state_dict must be a mapping"):
        b.load_state_dict([1, 2])


def test_state_dict_loads_across_namespaces(backend):
    a = DECClusterHead(3, 2, random_state=0)
    b = _head(backend)
    b.load_state_dict(a.state_dict())
    np.testing.assert_allclose(backend.to_numpy(b.cluster_centers), a.cluster_centers, rtol=1e-6)
    assert array_namespace(b.cluster_centers) is backend.xp


def test_to_moves_everything(backend):
    z, centers = _blobs()
    head = DECClusterHead(3, 2, random_state=0)
    head.reset_cluster_centers(centers)
    head(z)
    head.backward()
    head(z)  # a pending backward too
    moved = head.to(xp=backend.xp, device=backend.device)
    assert moved is head
    assert array_namespace(head.cluster_centers) is backend.xp
    for arr in (head.cluster_centers, head.gradients()["cluster_centers"], head.target):
        assert array_namespace(arr) is backend.xp
    grad_z = head.backward()
    np.testing.assert_allclose(backend.to_numpy(grad_z), F.loss_and_grad(z, centers)[2], rtol=1e-5)
    head.to(xp=np)
    assert isinstance(head.cluster_centers, np.ndarray)
    np.testing.assert_allclose(head.cluster_centers, centers, rtol=1e-6)


def test_to_dtype_and_float32_only_device():
    strict = pytest.importorskip("array_api_strict")
    head = DECClusterHead(3, 2, random_state=0)
    head.to(xp=strict, device=strict.Device("no_float64"))
    assert head.dtype == strict.float32  # float64 kept where possible, else the default
    head.to(xp=np)
    assert head.dtype == np.float32
    head.to(dtype="float64")
    assert head.dtype == np.float64


def test_save_load_roundtrip(tmp_path, backend):
    head = DECClusterHead(4, 3, alpha=0.7, random_state=3)
    path = tmp_path / "head.npz"
    head.save(path)
    loaded = DECClusterHead.load(path, xp=backend.xp, device=backend.device)
    assert loaded.alpha == 0.7
    assert (loaded.n_clusters, loaded.n_features) == (4, 3)
    np.testing.assert_allclose(
        backend.to_numpy(loaded.cluster_centers), head.cluster_centers, rtol=1e-6
    )
    if backend.float64:
        assert backend.to_numpy(loaded.cluster_centers).dtype == np.float64


def test_save_is_atomic_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "head.npz"
    DECClusterHead(2, 2, random_state=0).save(path)
    DECClusterHead(2, 2, random_state=1).save(path)  # overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["head.npz"]


def _write_npz(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _valid_payload():
    return {
        "__kind__": np.asarray("DECClusterHead"),
        "__format_version__": np.asarray(1),
        "__library_version__": np.asarray("0.1.0"),
        "n_clusters": np.asarray(2),
        "n_features": np.asarray(3),
        "alpha": np.asarray(1.0),
        "dtype": np.asarray("float64"),
        "cluster_centers": np.zeros((2, 3)),
    }


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"__kind__": np.asarray("DEC")}, "holds a 'DEC', expected a 'DECClusterHead'"),
        ({"__format_version__": np.asarray(99)}, "file format version"),
        ({"cluster_centers": np.zeros((3, 3))}, r"must be a float array of shape \(2, 3\)"),
        ({"cluster_centers": np.full((2, 3), np.nan)}, "NaN or infinity"),
        ({"alpha": np.asarray(-1.0)}, "alpha"),
        ({"alpha": np.asarray("one")}, "'alpha' must be a scalar"),
        ({"dtype": np.asarray("int8")}, "'dtype' must be 'float32' or 'float64'"),
        ({"n_clusters": None}, "missing 'n_clusters'"),
        ({"__kind__": None}, "not a dec-array file"),
        ({"cluster_centers": np.array([object()], dtype=object)}, "not a readable dec-array file"),
    ],
)
def test_load_refuses_bad_files(tmp_path, change, match):
    payload = _valid_payload()
    for key, value in change.items():
        if value is None:
            del payload[key]
        else:
            payload[key] = value
    path = tmp_path / "bad.npz"
    _write_npz(path, **payload)  # an object array is stored pickled: refused on load
    with pytest.raises(ValueError, match=match):
        DECClusterHead.load(path)


def test_load_refuses_truncated_and_garbage_files(tmp_path):
    path = tmp_path / "head.npz"
    DECClusterHead(2, 3, random_state=0).save(path)
    data = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable dec-array file"):
        DECClusterHead.load(tmp_path / "cut.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="not a readable dec-array file"):
        DECClusterHead.load(tmp_path / "junk.npz")
    with pytest.raises(FileNotFoundError):
        DECClusterHead.load(tmp_path / "missing.npz")
    assert zipfile.is_zipfile(path)


@pytest.mark.parametrize("dtype", [np.float16])
def test_half_precision_refused_by_head_and_functional(dtype):
    head = DECClusterHead(2, 2, random_state=0)
    z = np.zeros((3, 2), dtype=dtype)
    with pytest.raises(TypeError, match="z must be float32 or float64, got float16"):
        head(z)
    with pytest.raises(TypeError, match="z must be float32 or float64, got float16"):
        F.soft_assignment(z, np.zeros((2, 2)))


def test_half_precision_upcast_by_estimators():
    from dec_array import DEC

    X = np.concatenate([np.zeros((5, 2)), np.ones((5, 2)) * 4]).astype(np.float16)
    dec = DEC(2, n_init=1, max_iter=5, random_state=0).fit(X)
    assert dec.cluster_centers_.dtype == np.float32
