"""Tests of dec_array.kmeans.KMeans: every backend, known values, properties, sklearn parity."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
from array_api_compat import array_namespace
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dec_array import KMeans, NotFittedError
from dec_array._array_api import get_device, to_numpy
from dec_array.metrics import adjusted_rand_score

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None

MEANS = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 10.0]])


def blobs(n_per: int = 20, seed: int = 0, scale: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Four well-separated Gaussian blobs and their true labels, the labels shuffled."""
    rng = np.random.default_rng(seed)
    truth = rng.permutation(np.repeat(np.arange(MEANS.shape[0]), n_per))
    x = MEANS[truth] + rng.normal(scale=scale, size=(truth.shape[0], MEANS.shape[1]))
    return x, truth


def brute_sq_dist(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    return ((x[:, None, :] - centers[None, :, :]) ** 2).sum(axis=-1)


def matched_centers(centers: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``centers`` reordered to match the rows of ``reference`` (nearest first)."""
    order = np.argmin(brute_sq_dist(reference, centers), axis=1)
    assert len(set(order.tolist())) == reference.shape[0]
    return centers[order]


# --------------------------------------------------------------------------- backends


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_blobs_every_backend(backend, init: str) -> None:  # type: ignore[no-untyped-def]
    x_host, truth = blobs()
    X = backend.asarray(x_host)
    km = KMeans(4, init=init, n_init=2, random_state=0)
    assert km.fit(X) is km
    xp = array_namespace(X)
    for attr in (km.cluster_centers_, km.labels_):
        assert array_namespace(attr) is xp
        assert get_device(attr) == get_device(X)
    assert km.cluster_centers_.dtype == X.dtype
    assert km.cluster_centers_.shape == (4, 3)
    assert km.labels_.shape == (80,)
    assert xp.isdtype(km.labels_.dtype, "integral")
    assert type(km.inertia_) is float
    assert type(km.n_iter_) is int
    assert 1 <= km.n_iter_ <= km.max_iter
    assert km.n_features_in_ == 3

    centers = to_numpy(km.cluster_centers_)
    labels = to_numpy(km.labels_)
    assert adjusted_rand_score(truth, labels) == 1.0
    expected = np.stack([x_host[truth == j].mean(axis=0) for j in range(4)])
    np.testing.assert_allclose(matched_centers(centers, expected), expected, atol=1e-4)
    d2 = brute_sq_dist(x_host, centers.astype(np.float64))
    assert km.inertia_ == pytest.approx(d2.min(axis=1).sum(), rel=1e-5)

    pred = km.predict(X)
    assert array_namespace(pred) is xp
    np.testing.assert_array_equal(to_numpy(pred), labels)
    dist = km.transform(X)
    assert array_namespace(dist) is xp
    assert dist.dtype == X.dtype
    assert dist.shape == (80, 4)
    np.testing.assert_allclose(to_numpy(dist), np.sqrt(d2), rtol=1e-4, atol=1e-3)
    assert km.score(X) == pytest.approx(-km.inertia_, rel=1e-5)


def test_float32_every_backend(backend) -> None:  # type: ignore[no-untyped-def]
    x_host, truth = blobs(n_per=10, seed=1)
    X = backend.asarray(x_host, "float32")
    km = KMeans(4, n_init=1, random_state=3).fit(X)
    assert km.cluster_centers_.dtype == backend.xp.float32
    assert km.transform(X).dtype == backend.xp.float32
    assert adjusted_rand_score(truth, km.labels_) == 1.0


def test_empty_cluster_reseeded_every_backend(backend) -> None:  # type: ignore[no-untyped-def]
    # The third initial centre is far from every sample: its cluster starts empty and must
    # be moved onto the farthest sample, after which the three blobs are found.
    x_host, truth = blobs(n_per=10, seed=2)
    x_host, truth = x_host[truth < 3], truth[truth < 3]
    init = backend.asarray(np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [500.0, 500.0, 500.0]]))
    km = KMeans(3, init=init, random_state=0).fit(backend.asarray(x_host))
    assert adjusted_rand_score(truth, km.labels_) == 1.0
    assert len(np.unique(to_numpy(km.labels_))) == 3


def test_integer_X_every_backend(backend) -> None:  # type: ignore[no-untyped-def]
    X = backend.asarray(np.array([[0, 0], [0, 1], [10, 10], [10, 11]]), "int32")
    km = KMeans(2, n_init=2, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == backend.float_dtype
    assert km.inertia_ == pytest.approx(1.0)
    assert km.predict(X).shape == (4,)


def test_nan_rejected_every_backend(backend) -> None:  # type: ignore[no-untyped-def]
    x_host, _ = blobs(n_per=3)
    x_host[5, 1] = np.nan
    with pytest.raises(ValueError, match="X must contain only finite values"):
        KMeans(2).fit(backend.asarray(x_host))


# --------------------------------------------------------------------------- known values


def test_known_1d() -> None:
    km = KMeans(2, n_init=3, random_state=0).fit([[0.0], [1.0], [10.0], [11.0]])
    assert isinstance(km.cluster_centers_, np.ndarray)
    assert sorted(km.cluster_centers_[:, 0].tolist()) == [0.5, 10.5]
    assert km.inertia_ == pytest.approx(1.0, abs=1e-12)
    assert km.labels_[0] == km.labels_[1] != km.labels_[2] == km.labels_[3]
    assert km.predict([[-5.0], [20.0]]).tolist() == [km.labels_[0], km.labels_[2]]


def test_single_cluster_is_the_mean() -> None:
    x, _ = blobs(n_per=5)
    km = KMeans(1, random_state=0).fit(x)
    np.testing.assert_allclose(km.cluster_centers_[0], x.mean(axis=0), atol=1e-12)
    assert km.inertia_ == pytest.approx(((x - x.mean(axis=0)) ** 2).sum(), rel=1e-12)
    assert np.all(km.labels_ == 0)


def test_as_many_clusters_as_samples() -> None:
    x = np.array([[0.0, 1.0], [3.0, 1.0], [7.0, -2.0]])
    km = KMeans(3, random_state=0).fit(x)
    assert km.inertia_ == pytest.approx(0.0, abs=1e-12)
    assert sorted(km.labels_.tolist()) == [0, 1, 2]
    np.testing.assert_allclose(km.cluster_centers_[km.labels_], x, atol=1e-12)


def test_fewer_distinct_points_than_clusters_terminates() -> None:
    x = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), 4, axis=0)
    km = KMeans(5, n_init=2, max_iter=50, random_state=0).fit(x)
    assert km.inertia_ == pytest.approx(0.0, abs=1e-12)
    assert km.n_iter_ < 50


def test_explicit_init_single_run() -> None:
    x, truth = blobs()
    km = KMeans(4, init=MEANS.tolist(), n_init=10, tol=0.0).fit(x)
    # started at the true means: the first assignment is already right
    np.testing.assert_array_equal(km.labels_, truth)
    assert km.n_iter_ <= 2
    expected = np.stack([x[truth == j].mean(axis=0) for j in range(4)])
    np.testing.assert_allclose(km.cluster_centers_, expected, atol=1e-12)


def test_translation_invariance() -> None:
    x, _ = blobs(seed=4)
    a = KMeans(4, n_init=2, random_state=0).fit(x)
    b = KMeans(4, n_init=2, random_state=0).fit(x + 1e4)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_allclose(b.cluster_centers_ - 1e4, a.cluster_centers_, atol=1e-8)
    assert b.inertia_ == pytest.approx(a.inertia_, rel=1e-8)


def test_float32_far_from_origin_accurate() -> None:
    x, truth = blobs(seed=5)
    x32 = (x + 1000.0).astype(np.float32)
    km = KMeans(4, n_init=2, random_state=0).fit(x32)
    assert km.cluster_centers_.dtype == np.float32
    assert adjusted_rand_score(truth, km.labels_) == 1.0
    exact = brute_sq_dist(x32.astype(np.float64), km.cluster_centers_.astype(np.float64))
    assert km.inertia_ == pytest.approx(exact.min(axis=1).sum(), rel=1e-4)


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_same_random_state_identical(init: str) -> None:
    x, _ = blobs(n_per=15, seed=6, scale=3.0)  # overlapping: the seeding matters
    a = KMeans(6, init=init, n_init=3, random_state=42).fit(x)
    b = KMeans(6, init=init, n_init=3, random_state=42).fit(x)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == b.inertia_
    assert a.n_iter_ == b.n_iter_
    c = KMeans(6, init=init, n_init=3, random_state=np.random.default_rng(42)).fit(x)
    np.testing.assert_array_equal(a.cluster_centers_, c.cluster_centers_)


def test_more_restarts_never_worse() -> None:
    x, _ = blobs(n_per=15, seed=7, scale=4.0)
    one = KMeans(6, n_init=1, random_state=0).fit(x)
    five = KMeans(6, n_init=5, random_state=0).fit(x)  # the first run is the same
    assert five.inertia_ <= one.inertia_ + 1e-12


# --------------------------------------------------------------------------- properties


@st.composite
def datasets(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    n = draw(st.integers(2, 30))
    d = draw(st.integers(1, 4))
    k = draw(st.integers(1, min(n, 5)))
    elements = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64)
    x = draw(hnp.arrays(np.float64, (n, d), elements=elements))
    return x, k


@given(datasets(), st.integers(0, 2**16), st.sampled_from(["k-means++", "random"]))
def test_fit_properties(data: tuple[np.ndarray, int], seed: int, init: str) -> None:
    x, k = data
    max_iter = 100
    km = KMeans(k, init=init, n_init=2, max_iter=max_iter, tol=0.0, random_state=seed).fit(x)
    centers, labels = km.cluster_centers_, km.labels_
    assert centers.shape == (k, x.shape[1])
    assert labels.shape == (x.shape[0],)
    assert np.all((labels >= 0) & (labels < k))
    d2 = brute_sq_dist(x, centers)
    scale = 1.0 + float(np.max(x * x)) * x.shape[1]
    # every sample is (up to rounding) at its nearest centre
    assert np.all(d2[np.arange(x.shape[0]), labels] <= d2.min(axis=1) + 1e-9 * scale)
    # inertia is the objective of the returned solution
    assert km.inertia_ == pytest.approx(d2[np.arange(x.shape[0]), labels].sum(), abs=1e-9 * scale)
    assert km.score(x) == pytest.approx(-km.inertia_, abs=1e-9 * scale)
    # predict agrees with labels_ up to ties (duplicate centres when points repeat)
    pred = km.predict(x)
    rows = np.arange(x.shape[0])
    np.testing.assert_allclose(d2[rows, pred], d2[rows, labels], atol=1e-9 * scale)
    # the inertia never exceeds that of the best single centre... k centres do no worse
    assert km.inertia_ <= ((x - x.mean(axis=0)) ** 2).sum() + 1e-9 * scale
    if km.n_iter_ < max_iter:  # converged with tol=0: a fixed point of Lloyd's step
        for j in np.unique(labels):
            np.testing.assert_allclose(
                centers[j], x[labels == j].mean(axis=0), atol=1e-9 * np.sqrt(scale)
            )


# --------------------------------------------------------------------------- scikit-learn


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
def test_digits_inertia_matches_sklearn() -> None:
    from sklearn.cluster import KMeans as SKKMeans
    from sklearn.datasets import load_digits

    x = load_digits().data
    ours = KMeans(10, n_init=10, random_state=0).fit(x)
    theirs = SKKMeans(10, n_init=10, random_state=0).fit(x)
    assert ours.inertia_ <= 1.01 * theirs.inertia_
    ours32 = KMeans(10, n_init=10, random_state=0).fit(x.astype(np.float32))
    assert ours32.inertia_ <= 1.01 * theirs.inertia_
    truth = load_digits().target
    assert adjusted_rand_score(truth, ours.labels_) > 0.5


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
def test_sklearn_clone_and_params() -> None:
    from sklearn.base import clone

    km = KMeans(3, n_init=2, random_state=5)
    copy = clone(km)
    assert copy.get_params() == km.get_params()


# --------------------------------------------------------------------------- API


def test_get_set_params_and_repr() -> None:
    km = KMeans(3, random_state=0)
    params = km.get_params()
    assert params == {
        "n_clusters": 3,
        "init": "k-means++",
        "n_init": 10,
        "max_iter": 300,
        "tol": 1e-4,
        "random_state": 0,
    }
    assert KMeans(**params).get_params() == params
    assert km.set_params(n_init=2, tol=0.0) is km
    assert km.n_init == 2
    assert km.tol == 0.0
    assert repr(km) == "KMeans(n_clusters=3, n_init=2, tol=0.0, random_state=0)"
    assert repr(KMeans()) == "KMeans()"
    assert "init=<array of shape (2, 1)>" in repr(KMeans(2, init=np.zeros((2, 1))))
    with pytest.raises(ValueError, match="Invalid parameter 'n_cluster' for estimator KMeans"):
        km.set_params(n_cluster=2)


def test_constructor_does_no_validation() -> None:
    km = KMeans(n_clusters=-1, init="bogus")
    assert km.n_clusters == -1
    assert not hasattr(km, "cluster_centers_")


def test_fit_predict_and_fit_transform() -> None:
    x, truth = blobs(n_per=5)
    labels = KMeans(4, n_init=2, random_state=0).fit_predict(x)
    assert adjusted_rand_score(truth, labels) == 1.0
    km = KMeans(4, n_init=2, random_state=0)
    dist = km.fit_transform(x)
    assert dist.shape == (20, 4)
    np.testing.assert_allclose(dist, np.sqrt(brute_sq_dist(x, km.cluster_centers_)), atol=1e-10)
    assert (dist.min(axis=1) ** 2).sum() == pytest.approx(km.inertia_, rel=1e-10)


def test_predict_other_namespace() -> None:
    torch_xp = pytest.importorskip("array_api_compat.torch")
    x, _ = blobs(n_per=5)
    km = KMeans(4, n_init=2, random_state=0).fit(x)
    xt = torch_xp.asarray(x, dtype=torch_xp.float32)
    pred = km.predict(xt)
    assert array_namespace(pred) is torch_xp
    np.testing.assert_array_equal(to_numpy(pred), km.labels_)
    assert km.transform(xt).dtype == torch_xp.float32
    assert isinstance(km.cluster_centers_, np.ndarray)  # the fitted state is unchanged


# --------------------------------------------------------------------------- bad inputs

X_OK = np.arange(12.0).reshape(6, 2)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_clusters": 0}, ValueError, "n_clusters must be a positive int"),
        ({"n_clusters": 2.5}, TypeError, "n_clusters must be a positive int"),
        ({"n_clusters": True}, TypeError, "n_clusters must be a positive int"),
        ({"n_init": 0}, ValueError, "n_init must be a positive int"),
        ({"n_init": "auto"}, TypeError, "n_init must be a positive int"),
        ({"max_iter": -1}, ValueError, "max_iter must be a positive int"),
        ({"tol": -1e-3}, ValueError, "tol must be a finite real number >= 0"),
        ({"tol": float("nan")}, ValueError, "tol must be a finite real number >= 0"),
        ({"tol": "small"}, TypeError, "tol must be a finite real number >= 0"),
        ({"init": "kmeans"}, ValueError, "init must be 'k-means\\+\\+', 'random' or an array"),
        ({"init": 3}, TypeError, "init must be 'k-means\\+\\+', 'random' or an array"),
        ({"init": np.zeros((3, 2))}, ValueError, r"init must have shape .* = \(2, 2\)"),
        ({"init": np.zeros((2, 3))}, ValueError, r"init must have shape .* = \(2, 2\)"),
        ({"init": [[0.0, np.nan], [1.0, 1.0]]}, ValueError, "init must contain only finite"),
        ({"init": [["a", "b"], ["c", "d"]]}, TypeError, "init must hold real numbers"),
        ({"random_state": -1}, ValueError, "random_state must be a non-negative int"),
        ({"random_state": "seed"}, TypeError, "random_state must be None"),
        ({"n_clusters": 7}, ValueError, "n_samples=6 should be >= n_clusters=7"),
    ],
)
def test_bad_hyperparameters(params: dict[str, Any], error: type, match: str) -> None:
    km = KMeans(**{"n_clusters": 2, **params})
    with pytest.raises(error, match=match):
        km.fit(X_OK)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.arange(6.0), ValueError, "X must be a 2-D array .* got ndim=1; Reshape"),
        (np.zeros((2, 3, 2)), ValueError, "X must be a 2-D array .* got ndim=3"),
        (np.zeros((0, 2)), ValueError, "X must have at least 1 row"),
        (np.zeros((4, 0)), ValueError, r"X has 0 feature\(s\) \(shape=\(4, 0\)\)"),
        (
            np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]),
            ValueError,
            "X must contain only finite",
        ),
        (
            np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]),
            ValueError,
            "X must contain only finite",
        ),
        ([["a", "b"], ["c", "d"]], TypeError, "X must hold real numbers"),
        (np.ones((3, 2), dtype=complex), ValueError, "Complex data not supported"),
        (None, TypeError, "X must be a 2-D array or nested sequence"),
        ("abc", TypeError, "X must be a 2-D array or nested sequence"),
        ([[1.0, 2.0], [3.0]], ValueError, "X must be a 2-D array-like of numbers"),
    ],
)
def test_bad_X(X: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        KMeans(2).fit(X)


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_not_fitted(method: str) -> None:
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(KMeans(2), method)(X_OK)
    assert issubclass(NotFittedError, ValueError)
    assert issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.zeros((3, 3)), ValueError, "X has 3 features, but KMeans is expecting 2 features"),
        (np.zeros(2), ValueError, "X must be a 2-D array"),
        (np.array([[np.nan, 0.0]]), ValueError, "X must contain only finite"),
    ],
)
def test_bad_X_after_fit(method: str, X: Any, error: type, match: str) -> None:
    km = KMeans(2, n_init=1, random_state=0).fit(X_OK)
    with pytest.raises(error, match=match):
        getattr(km, method)(X)
