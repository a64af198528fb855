"""Tests for :mod:`dec_array.datasets`."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from dec_array.datasets import Dataset, load_digits


def test_digits_shapes_dtypes_and_ranges():
    X, y = load_digits()
    assert X.shape == (1797, 64)
    assert y.shape == (1797,)
    assert X.dtype == np.float64
    assert y.dtype == np.int64
    assert X.flags.c_contiguous
    assert X.min() == 0.0
    assert X.max() == 16.0
    np.testing.assert_array_equal(X, np.round(X))  # counts of black pixels
    assert set(np.unique(y).tolist()) == set(range(10))


def test_digits_class_counts():
    _, y = load_digits()
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_return_arrays_are_fresh():
    X1, y1 = load_digits()
    X1[0, 0] = -1.0
    y1[0] = -1
    X2, y2 = load_digits()
    assert X2[0, 0] == 0.0
    assert y2[0] == 0


def test_digits_dataset_object():
    ds = load_digits(return_X_y=False)
    assert isinstance(ds, Dataset)
    X, y = load_digits()
    np.testing.assert_array_equal(ds.data, X)
    np.testing.assert_array_equal(ds.target, y)
    assert ds.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(ds.images[5, 2, 3], X[5, 8 * 2 + 3])
    assert len(ds.feature_names) == 64
    assert ds.feature_names[:2] == ["pixel_0_0", "pixel_0_1"]
    assert ds.feature_names[-1] == "pixel_7_7"
    assert ds.target_names.tolist() == list(range(10))


def test_digits_are_package_data_with_attribution():
    folder = resources.files("dec_array").joinpath("data")
    assert folder.joinpath("digits.csv.gz").is_file()
    readme = folder.joinpath("README.md").read_text(encoding="utf-8")
    for fact in ("UCI Machine Learning Repository", "Alpaydin", "Kaynak", "1998", "CC BY 4.0"):
        assert fact in readme


def test_digits_equal_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    X_ref, y_ref = datasets.load_digits(return_X_y=True)
    X, y = load_digits()
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
