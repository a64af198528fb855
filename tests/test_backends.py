"""The backend promise: the same results on every namespace, and Dask as the scale-out path."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from array_api_compat import array_namespace

from dec_array import DEC, DECClusterHead, KMeans
from dec_array import functional as F


def _blobs(seed=0, n_per=60, k=4, d=5, sep=4.0):
    rng = np.random.default_rng(seed)
    centers = sep * rng.normal(size=(k, d))
    X = np.concatenate([rng.normal(c, 1.0, size=(n_per, d)) for c in centers])
    return X, centers


def _is64(backend):
    return str(backend.float_dtype).endswith("float64")


# --------------------------------------------------------------------------- agreement


def test_same_fit_on_every_backend(backend):
    X, _ = _blobs()
    kw = {"n_clusters": 4, "n_init": 3, "batch_size": 64, "update_interval": 10}
    kw |= {"max_iter": 60, "tol": 0.0, "random_state": 0}
    ref = DEC(**kw).fit(X)
    ours = DEC(**kw).fit(backend.asarray(X))
    labels = backend.to_numpy(ours.labels_)
    assert array_namespace(ours.cluster_centers_) is backend.xp
    assert (labels != ref.labels_).sum() <= 3, "more than a handful of boundary points differ"
    tol = 1e-8 if _is64(backend) else 2e-3
    np.testing.assert_allclose(
        backend.to_numpy(ours.cluster_centers_), ref.cluster_centers_, rtol=tol, atol=tol
    )


def test_kmeans_same_on_every_backend(backend):
    X, _ = _blobs(1)
    ref = KMeans(4, n_init=2, random_state=0).fit(X)
    ours = KMeans(4, n_init=2, random_state=0).fit(backend.asarray(X))
    tol = 1e-8 if _is64(backend) else 1e-3
    np.testing.assert_allclose(
        backend.to_numpy(ours.cluster_centers_), ref.cluster_centers_, rtol=tol, atol=tol
    )


def test_head_round_trip_through_every_backend(backend):
    head = DECClusterHead(3, 4, alpha=0.5, random_state=0)
    original = np.array(head.cluster_centers)
    head.to(xp=backend.xp, device=backend.device)
    assert array_namespace(head.cluster_centers) is backend.xp
    head.to(xp=np)
    np.testing.assert_allclose(head.cluster_centers, original, rtol=1e-6)
    assert head.alpha == 0.5


# --------------------------------------------------------------------------- JAX


def test_jax_grad_of_functional_loss_matches_analytic():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    X, centers = _blobs(2, n_per=5, k=3, d=3)
    z, c = jnp.asarray(X), jnp.asarray(centers)
    p = F.target_distribution(F.soft_assignment(z, c, 1.3))
    # jax.grad straight through dec_array's own (array-API) loss, P held fixed
    g_z, g_c = jax.grad(lambda a, b: F.loss_and_grad(a, b, 1.3, target=p)[0], argnums=(0, 1))(z, c)
    _, a_c, a_z = F.loss_and_grad(z, c, 1.3, target=p)
    np.testing.assert_allclose(np.asarray(g_z), np.asarray(a_z), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(np.asarray(g_c), np.asarray(a_c), rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("x64", [True, False])
def test_jax_jit_matches_eager_in_both_precisions(x64):
    jax = pytest.importorskip("jax")
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", x64)
    try:
        X, centers = _blobs(3, n_per=10, k=3, d=4)
        z, c = jax.numpy.asarray(X), jax.numpy.asarray(centers)
        assert z.dtype == (jax.numpy.float64 if x64 else jax.numpy.float32)
        eager = F.evaluate(z, c, 2.0)
        jitted = jax.jit(lambda a, b: F.evaluate(a, b, 2.0))(z, c)
        tol = 1e-12 if x64 else 1e-5
        for e, j in zip(eager, jitted, strict=True):
            assert j.dtype == e.dtype == z.dtype
            np.testing.assert_allclose(np.asarray(j), np.asarray(e), rtol=tol, atol=tol)
    finally:
        jax.config.update("jax_enable_x64", previous)


# --------------------------------------------------------------------------- Dask


class _ChunkCounter:
    """Counts how often Dask materialises the chunks of the data (one count per chunk)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, block: np.ndarray) -> np.ndarray:
        with self._lock:
            self.count += 1
        return block


def test_dask_fit_is_a_bounded_number_of_passes():
    da = pytest.importorskip("dask.array")
    import dask

    X, centers = _blobs(4, n_per=100)
    n_chunks = 4
    counter = _ChunkCounter()
    Xd = da.from_array(X, chunks=(X.shape[0] // n_chunks, X.shape[1])).map_blocks(
        counter, dtype=X.dtype
    )
    counter.count = 0  # map_blocks may call the function once on an empty block for metadata
    steps, interval = 12, 4
    with dask.config.set(scheduler="threads"):
        dec = DEC(
            4,
            init=centers,
            batch_size=None,
            update_interval=interval,
            max_iter=steps,
            tol=0.0,
            random_state=0,
        ).fit(Xd)
        passes = counter.count / n_chunks
        # finiteness check 1 + one per full-batch step + one per target update + final labels 1
        updates = steps // interval
        assert passes <= 1 + steps + updates + 1, passes
        assert dec.n_iter_ == steps
        # the fitted model lives in Dask too, and matches the NumPy fit
        assert array_namespace(dec.cluster_centers_) is array_namespace(Xd)
        ref = DEC(
            4, init=centers, batch_size=None, update_interval=interval, max_iter=steps, tol=0.0
        ).fit(X)
        np.testing.assert_allclose(
            np.asarray(dec.cluster_centers_.compute()), ref.cluster_centers_, rtol=1e-10
        )
        np.testing.assert_array_equal(np.asarray(dec.labels_.compute()), ref.labels_)


def test_dask_kmeans_initialisation_and_minibatches():
    da = pytest.importorskip("dask.array")
    X, _ = _blobs(5)
    Xd = da.from_array(X, chunks=(60, 5))
    dec = DEC(4, n_init=2, batch_size=64, update_interval=5, max_iter=20, random_state=0).fit(Xd)
    ref = DEC(4, n_init=2, batch_size=64, update_interval=5, max_iter=20, random_state=0).fit(X)
    np.testing.assert_allclose(
        np.asarray(dec.cluster_centers_.compute()), ref.cluster_centers_, rtol=1e-8
    )


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dask_distributed_local_cluster():
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    import dask.array as da

    X, centers = _blobs(6, n_per=200)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster),
    ):
        Xd = da.from_array(X, chunks=(200, X.shape[1])).persist()
        dec = DEC(4, init=centers, batch_size=None, update_interval=5, max_iter=15, tol=0.0)
        dec.fit(Xd)
        labels = np.asarray(dec.labels_.compute())
    ref = DEC(4, init=centers, batch_size=None, update_interval=5, max_iter=15, tol=0.0).fit(X)
    np.testing.assert_array_equal(labels, ref.labels_)


def test_gpu_check_script_parses_its_arguments():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.py"
    out = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, check=True
    )
    assert "--no-tests" in out.stdout
