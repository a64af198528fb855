"""Tests of dec_array.metrics: known values, properties, scikit-learn parity, bad inputs."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dec_array.metrics import (
    adjusted_rand_score,
    cluster_accuracy,
    contingency_matrix,
    normalized_mutual_info_score,
)

AVERAGES = ("min", "geometric", "arithmetic", "max")
HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


# --------------------------------------------------------------------------- strategies


@st.composite
def labelings(draw: st.DrawFn, max_n: int = 40) -> tuple[list[int], list[int]]:
    """Two equal-length labelings with arbitrary (negative, sparse) integer values."""
    n = draw(st.integers(1, max_n))
    values_true = draw(st.lists(st.integers(-50, 50), min_size=1, max_size=6, unique=True))
    values_pred = draw(st.lists(st.integers(-1000, 1000), min_size=1, max_size=8, unique=True))
    true = draw(st.lists(st.sampled_from(values_true), min_size=n, max_size=n))
    pred = draw(st.lists(st.sampled_from(values_pred), min_size=n, max_size=n))
    return true, pred


# --------------------------------------------------------------------------- known values


def test_contingency_matrix_known() -> None:
    table = contingency_matrix([0, 0, 1, 1, 2], [5, 5, 5, -1, -1])
    np.testing.assert_array_equal(table, [[0, 2], [1, 1], [1, 0]])
    assert table.dtype == np.int64
    assert isinstance(table, np.ndarray)


def test_contingency_matrix_strings_and_sorting() -> None:
    table = contingency_matrix(["b", "a", "a"], ["x", "y", "y"])
    np.testing.assert_array_equal(table, [[0, 2], [1, 0]])  # rows a, b; columns x, y


@pytest.mark.parametrize(
    ("true", "pred", "expected"),
    [
        ([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 0, 2], 5 / 6),
        ([0, 0, 0, 1, 1, 1], [0, 0, 1, 2, 2, 3], 4 / 6),  # more clusters than classes
        ([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1], 4 / 6),  # fewer clusters than classes
        ([3, 3, 7, 7], [-1, -1, 9, 9], 1.0),
        ([0, 1, 2], [0, 0, 0], 1 / 3),
        ([5], [8], 1.0),
    ],
)
def test_cluster_accuracy_known(true: list[int], pred: list[int], expected: float) -> None:
    assert cluster_accuracy(true, pred) == pytest.approx(expected, abs=1e-15)


def test_cluster_accuracy_strings() -> None:
    assert cluster_accuracy(np.array(["cat", "cat", "dog"]), ["b", "b", "a"]) == 1.0


@pytest.mark.parametrize(
    ("average", "expected"),
    [
        ("arithmetic", 0.8),  # MI = ln 2, H(true) = ln 2, H(pred) = 1.5 ln 2
        ("min", 1.0),
        ("max", 2 / 3),
        ("geometric", 1 / math.sqrt(1.5)),
    ],
)
def test_nmi_known(average: str, expected: float) -> None:
    got = normalized_mutual_info_score([0, 0, 1, 1], [0, 0, 1, 2], average_method=average)
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("true", "pred", "expected"),
    [
        ([1, 1, 1], [0, 0, 0], 1.0),  # both a single cluster: perfect match
        ([0], [0], 1.0),
        ([0, 0, 1, 1], [0, 0, 0, 0], 0.0),  # one trivial labeling: MI = 0
        ([0, 0, 1, 1], [0, 1, 0, 1], 0.0),  # independent
        ([0, 0, 1, 1], [5, 5, -3, -3], 1.0),
    ],
)
def test_nmi_edge_cases(true: list[int], pred: list[int], expected: float) -> None:
    for average in AVERAGES:
        assert normalized_mutual_info_score(true, pred, average_method=average) == expected


@pytest.mark.parametrize(
    ("true", "pred", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 2], 4 / 7),
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),
        ([0, 0, 0], [0, 1, 2], 0.0),
        ([0, 0, 0], [4, 4, 4], 1.0),
        ([7], [3], 1.0),
        ([0, 1, 2, 3], [0, 1, 2, 3], 1.0),
    ],
)
def test_ari_known(true: list[int], pred: list[int], expected: float) -> None:
    assert adjusted_rand_score(true, pred) == pytest.approx(expected, abs=1e-15)


def test_return_python_floats() -> None:
    true, pred = np.array([0, 0, 1]), np.array([1, 1, 0])
    for value in (
        cluster_accuracy(true, pred),
        normalized_mutual_info_score(true, pred),
        adjusted_rand_score(true, pred),
    ):
        assert type(value) is float


def test_float_and_bool_labels() -> None:
    assert adjusted_rand_score([0.5, 0.5, 2.0], [True, True, False]) == 1.0
    assert cluster_accuracy(np.array([1.0, 2.0, 2.0]), [0, 1, 1]) == 1.0


# --------------------------------------------------------------------------- backends


def test_every_backend(backend) -> None:  # type: ignore[no-untyped-def]
    true_host = np.array([0, 0, 1, 1, 2, 2, 2])
    pred_host = np.array([4, 4, 4, -1, 2, 2, 2])
    true = backend.asarray(true_host, "int64" if backend.float64 else "int32")
    pred = backend.asarray(pred_host, "int32")
    assert cluster_accuracy(true, pred) == cluster_accuracy(true_host, pred_host)
    assert normalized_mutual_info_score(true, pred) == normalized_mutual_info_score(
        true_host, pred_host
    )
    assert adjusted_rand_score(true, pred) == adjusted_rand_score(true_host, pred_host)
    np.testing.assert_array_equal(
        contingency_matrix(true, pred), contingency_matrix(true_host, pred_host)
    )
    # mixing a backend array with a list is fine too
    assert adjusted_rand_score(true, pred_host.tolist()) == adjusted_rand_score(
        true_host, pred_host
    )


# --------------------------------------------------------------------------- properties


@given(labelings())
def test_properties(pair: tuple[list[int], list[int]]) -> None:
    true, pred = pair
    n = len(true)
    acc = cluster_accuracy(true, pred)
    nmi = normalized_mutual_info_score(true, pred)
    ari = adjusted_rand_score(true, pred)
    assert 1.0 / n - 1e-12 <= acc <= 1.0
    assert 0.0 <= nmi <= 1.0 + 1e-12
    assert -0.5 - 1e-12 <= ari <= 1.0 + 1e-12
    # symmetry (accuracy is symmetric too: the assignment problem is transposed)
    assert normalized_mutual_info_score(pred, true) == pytest.approx(nmi, abs=1e-12)
    assert adjusted_rand_score(pred, true) == pytest.approx(ari, abs=1e-12)
    assert cluster_accuracy(pred, true) == pytest.approx(acc, abs=1e-12)
    # invariance to renaming of the cluster labels (an injective map)
    renamed = [3 * v + 1000 for v in pred]
    assert cluster_accuracy(true, renamed) == pytest.approx(acc, abs=1e-12)
    assert normalized_mutual_info_score(true, renamed) == pytest.approx(nmi, abs=1e-12)
    assert adjusted_rand_score(true, renamed) == pytest.approx(ari, abs=1e-12)
    # a labeling against itself is perfect
    assert cluster_accuracy(true, true) == 1.0
    assert adjusted_rand_score(true, true) == 1.0
    assert normalized_mutual_info_score(true, true) == pytest.approx(1.0, abs=1e-12)
    # the contingency table accounts for every sample
    table = contingency_matrix(true, pred)
    assert table.sum() == n
    assert table.shape == (len(set(true)), len(set(pred)))


@given(labelings())
def test_nmi_average_ordering(pair: tuple[list[int], list[int]]) -> None:
    true, pred = pair
    values = [normalized_mutual_info_score(true, pred, average_method=m) for m in AVERAGES]
    nmi_min, nmi_geo, nmi_ari, nmi_max = values
    # a larger mean of the entropies gives a smaller score: max >= arithmetic >= geometric >= min
    assert nmi_max <= nmi_ari + 1e-12
    assert nmi_ari <= nmi_geo + 1e-12
    assert nmi_geo <= nmi_min + 1e-12


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
@given(labelings(max_n=60))
def test_matches_sklearn(pair: tuple[list[int], list[int]]) -> None:
    from sklearn import metrics as skm

    true, pred = pair
    assert adjusted_rand_score(true, pred) == pytest.approx(
        skm.adjusted_rand_score(true, pred), abs=1e-10
    )
    for average in AVERAGES:
        ours = normalized_mutual_info_score(true, pred, average_method=average)
        theirs = skm.normalized_mutual_info_score(true, pred, average_method=average)
        assert ours == pytest.approx(theirs, abs=1e-10)
    np.testing.assert_array_equal(
        contingency_matrix(true, pred), skm.cluster.contingency_matrix(true, pred)
    )


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
def test_matches_sklearn_large() -> None:
    from sklearn import metrics as skm

    rng = np.random.default_rng(0)
    true = rng.integers(0, 10, size=5000)
    pred = np.where(rng.random(5000) < 0.7, true, rng.integers(0, 12, size=5000))
    assert adjusted_rand_score(true, pred) == pytest.approx(
        skm.adjusted_rand_score(true, pred), abs=1e-10
    )
    for average in AVERAGES:
        assert normalized_mutual_info_score(true, pred, average_method=average) == pytest.approx(
            skm.normalized_mutual_info_score(true, pred, average_method=average), abs=1e-10
        )


# --------------------------------------------------------------------------- bad inputs

METRICS = [cluster_accuracy, normalized_mutual_info_score, adjusted_rand_score, contingency_matrix]


@pytest.mark.parametrize("metric", METRICS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("true", "pred", "error", "match"),
    [
        (np.zeros((2, 2), dtype=int), [0, 1], ValueError, "labels_true must be a 1-D"),
        ([0, 1], np.zeros((2, 1), dtype=int), ValueError, "labels_pred must be a 1-D"),
        ([0, 1, 1], [0, 1], ValueError, "same length"),
        ([], [], ValueError, "labels_true must hold at least one label"),
        ([0.0, np.nan], [0, 1], ValueError, "labels_true must hold finite labels"),
        ([0, 1], [np.inf, 1.0], ValueError, "labels_pred must hold finite labels"),
        (3, [0], ValueError, "labels_true must be a 1-D"),
        ("abc", [0, 1, 2], ValueError, "labels_true must be a 1-D"),
        ([[0, 1], [2]], [0, 1], ValueError, "labels_true"),
        ([1 + 1j, 2], [0, 1], TypeError, "labels_true must hold integer"),
        (np.array([1, "a", None], dtype=object), [0, 1, 2], TypeError, "labels_true"),
    ],
)
def test_bad_inputs(metric, true, pred, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        metric(true, pred)


def test_bad_inputs_backend(backend) -> None:  # type: ignore[no-untyped-def]
    two_d = backend.asarray(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="labels_pred must be a 1-D array of labels, got ndim=2"):
        adjusted_rand_score([0, 1, 2], two_d)
    nan = backend.asarray(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="labels_true must hold finite labels"):
        cluster_accuracy(nan, [0, 1, 2])


@pytest.mark.parametrize(
    ("average", "error"),
    [("mean", ValueError), ("", ValueError), (None, TypeError), (1, TypeError)],
)
def test_bad_average_method(average, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match="average_method must be one of"):
        normalized_mutual_info_score([0, 1], [0, 1], average_method=average)
