"""Tests for the :class:`dec_array.DEC` estimator."""

from __future__ import annotations

import numpy as np
import pytest
from array_api_compat import array_namespace

from dec_array import DEC, KMeans, NotFittedError
from dec_array.metrics import adjusted_rand_score, cluster_accuracy
from dec_array.optim import Adam


def _blobs(seed=0, n_per=40, k=3, d=2, sep=6.0, scale=0.5):
    rng = np.random.default_rng(seed)
    centers = sep * np.arange(k)[:, None] * np.ones((1, d))
    X = np.concatenate([rng.normal(c, scale, size=(n_per, d)) for c in centers])
    y = np.repeat(np.arange(k), n_per)
    return X, y


def _small(**kw):
    defaults = {
        "n_clusters": 3,
        "n_init": 3,
        "batch_size": 32,
        "update_interval": 20,
        "random_state": 0,
    }
    return DEC(**{**defaults, **kw})


def test_recovers_well_separated_blobs(backend):
    X, y = _blobs()
    Xb = backend.asarray(X)
    dec = _small().fit(Xb)
    labels = backend.to_numpy(dec.labels_)
    assert adjusted_rand_score(y, labels) == 1.0
    for attr in ("labels_", "cluster_centers_"):
        assert array_namespace(getattr(dec, attr)) is backend.xp
    assert dec.cluster_centers_.dtype == Xb.dtype
    assert dec.n_features_in_ == 2
    assert dec.n_iter_ >= 20
    assert isinstance(dec.converged_, bool)
    np.testing.assert_array_equal(backend.to_numpy(dec.predict(Xb)), labels)
    q = backend.to_numpy(dec.transform(Xb))
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-5)
    assert dec.score(Xb) <= 0.0


@pytest.mark.parametrize(
    "kw",
    [
        {"target": "batch"},
        {"batch_size": None},
        {"optimizer": "adam", "learning_rate": 1e-3},
        {"optimizer": "adamw", "learning_rate": 1e-3},
        {"optimizer": Adam(lr=1e-3)},
        {"init": "random"},
        {"alpha": 3.0},
    ],
)
def test_variants_converge_to_the_blobs(kw):
    X, y = _blobs()
    dec = _small(**kw).fit(X)
    assert adjusted_rand_score(y, dec.labels_) == 1.0
    assert len(dec.loss_curve_) == len(dec.label_change_curve_) >= 1
    assert all(np.isfinite(dec.loss_curve_))


def test_optimizer_instance_is_not_modified():
    X, _ = _blobs()
    opt = Adam(lr=1e-3)
    _small(optimizer=opt).fit(X)
    assert opt.state is None


def test_init_from_array_and_fitted_kmeans():
    X, y = _blobs()
    init = np.array([[0.0, 0.0], [6.0, 6.0], [12.0, 12.0]])
    dec = _small(init=init, max_iter=1).fit(X)  # one step from the given centres
    assert np.abs(dec.cluster_centers_ - init).max() < 0.5
    km = KMeans(3, n_init=2, random_state=0).fit(X)
    dec = _small(init=km).fit(X)
    assert adjusted_rand_score(y, dec.labels_) == 1.0
    with pytest.raises(NotFittedError, match="init is not fitted"):
        _small(init=KMeans(3)).fit(X)
    with pytest.raises(ValueError, match=r"init must give centres of shape \(3, 2\)"):
        _small(init=np.zeros((2, 2))).fit(X)


def test_convergence_stops_early_and_is_reported():
    X, _ = _blobs()
    dec = _small(tol=0.5, max_iter=10_000).fit(X)
    assert dec.converged_
    assert dec.n_iter_ < 10_000
    assert dec.label_change_curve_[-1] < 0.5
    dec = _small(tol=0.0, max_iter=45).fit(X)
    assert not dec.converged_
    assert dec.n_iter_ == 45


def test_callback_sees_updates_and_can_stop():
    X, _ = _blobs()
    seen = []

    def cb(info):
        seen.append(info)
        return len(seen) == 2

    dec = _small(tol=0.0, max_iter=1000, callback=cb).fit(X)
    assert len(seen) == 2
    assert set(seen[0]) == {"iteration", "loss", "label_change", "n_updates"}
    assert dec.n_iter_ == 40
    assert not dec.converged_


def test_verbose_reports_progress(capsys):
    X, _ = _blobs()
    _small(verbose=True, max_iter=60, tol=0.0).fit(X)
    err = capsys.readouterr().err
    assert "DEC" in err


@pytest.mark.parametrize("batch_size", [16, None])
@pytest.mark.parametrize("target", ["full", "batch"])
def test_resume_is_bit_identical(tmp_path, batch_size, target):
    X, _ = _blobs(n_per=30)
    kw = {"batch_size": batch_size, "target": target, "tol": 0.0, "max_iter": 130}
    full = _small(**kw).fit(X)

    def stop_at_second_update(info):
        return info["n_updates"] == 2

    part = _small(**kw, callback=stop_at_second_update).fit(X)
    assert part.n_iter_ == 40
    part.save(tmp_path / "dec.npz")
    resumed = DEC.load(tmp_path / "dec.npz").set_params(warm_start=True).fit(X)
    np.testing.assert_array_equal(resumed.cluster_centers_, full.cluster_centers_)
    np.testing.assert_array_equal(resumed.labels_, full.labels_)
    assert resumed.n_iter_ == full.n_iter_ == 130
    assert resumed.loss_curve_ == full.loss_curve_
    # a max_iter stop resumes too
    short = _small(**{**kw, "max_iter": 57}).fit(X)
    short.save(tmp_path / "short.npz")
    again = DEC.load(tmp_path / "short.npz").set_params(max_iter=130, warm_start=True).fit(X)
    np.testing.assert_array_equal(again.cluster_centers_, full.cluster_centers_)


def test_same_seed_same_result_and_fresh_fit_without_warm_start():
    X, _ = _blobs()
    a = _small(max_iter=50, tol=0.0).fit(X)
    b = _small(max_iter=50, tol=0.0).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    c = a.fit(X)  # refit from scratch, not a continuation
    np.testing.assert_array_equal(c.cluster_centers_, b.cluster_centers_)


def test_save_load_fitted_model_predicts_the_same(tmp_path, backend):
    X, _ = _blobs()
    dec = _small().fit(X)
    dec.save(tmp_path / "m.npz")
    loaded = DEC.load(tmp_path / "m.npz", xp=backend.xp, device=backend.device)
    Xb = backend.asarray(X)
    np.testing.assert_array_equal(backend.to_numpy(loaded.predict(Xb)), dec.labels_)
    assert loaded.get_params()["n_clusters"] == 3
    assert loaded.converged_ == dec.converged_


def test_unfitted_model_saves_and_loads(tmp_path):
    _small(alpha=2.0).save(tmp_path / "u.npz")
    loaded = DEC.load(tmp_path / "u.npz")
    assert loaded.alpha == 2.0
    with pytest.raises(NotFittedError):
        loaded.predict(np.zeros((2, 2)))


def test_load_refuses_other_files(tmp_path):
    from dec_array import DECClusterHead

    DECClusterHead(2, 2).save(tmp_path / "head.npz")
    with pytest.raises(ValueError, match="expected a 'DEC'"):
        DEC.load(tmp_path / "head.npz")


@pytest.mark.parametrize(
    ("X", "kw", "exc", "match"),
    [
        (np.zeros((2, 2)), {}, ValueError, "n_samples=2, fewer than n_clusters=3"),
        (np.array([[0.0, np.nan]] * 5), {}, ValueError, "X must contain only finite values"),
        (np.zeros(10), {}, ValueError, "X must be a 2-D array"),
        ("abc", {}, TypeError, "X must be a 2-D array"),
        (np.zeros((10, 2), dtype=complex), {}, ValueError, "Complex data not supported"),
        (np.zeros((10, 2)), {"n_clusters": 0}, ValueError, "n_clusters must be a positive int"),
        (np.zeros((10, 2)), {"alpha": -1}, ValueError, "alpha"),
        (np.zeros((10, 2)), {"batch_size": 0}, ValueError, "batch_size"),
        (np.zeros((10, 2)), {"update_interval": 1.5}, TypeError, "update_interval"),
        (np.zeros((10, 2)), {"tol": -0.1}, ValueError, "tol must be a finite real number >= 0"),
        (np.zeros((10, 2)), {"max_iter": 0}, ValueError, "max_iter"),
        (np.zeros((10, 2)), {"target": "all"}, ValueError, "target must be 'full' or 'batch'"),
        (np.zeros((10, 2)), {"optimizer": "rmsprop"}, ValueError, "optimizer must be one of"),
        (np.zeros((10, 2)), {"learning_rate": -1.0}, ValueError, "lr"),
        (np.zeros((10, 2)), {"init": "kmeans"}, ValueError, "init must be 'k-means"),
        (np.zeros((10, 2)), {"callback": 3}, TypeError, "callback must be callable"),
    ],
)
def test_bad_fit_input(X, kw, exc, match):
    with pytest.raises(exc, match=match):
        _small(**kw).fit(X)


def test_predict_errors():
    X, _ = _blobs()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        _small().predict(X)
    dec = _small().fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but DEC is expecting 2 features"):
        dec.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="finite"):
        dec.transform(np.full((4, 2), np.inf))


def test_lists_and_integers_are_accepted():
    X, y = _blobs()
    dec = _small().fit(np.round(X).astype(int).tolist())
    assert dec.cluster_centers_.dtype == np.float64
    assert adjusted_rand_score(y, dec.labels_) > 0.9


def test_float32_stays_float32():
    X, _ = _blobs()
    dec = _small().fit(X.astype(np.float32))
    assert dec.cluster_centers_.dtype == np.float32
    assert dec.transform(X.astype(np.float32)).dtype == np.float32


def test_get_set_params_and_repr():
    dec = DEC(n_clusters=4, alpha=2.0)
    params = dec.get_params()
    assert params["n_clusters"] == 4
    assert params["alpha"] == 2.0
    assert params["n_init"] == 20
    assert dec.set_params(tol=0.1) is dec
    assert dec.tol == 0.1
    with pytest.raises(ValueError, match="Invalid parameter 'foo' for estimator DEC"):
        dec.set_params(foo=1)
    assert repr(dec) == "DEC(n_clusters=4, alpha=2.0, tol=0.1)"


def test_digits_dec_does_not_lose_accuracy_against_kmeans():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_digits(return_X_y=True)
    X = X / 16.0
    km = KMeans(10, n_init=10, random_state=0).fit(X)
    dec = DEC(10, init=km, batch_size=256, update_interval=30, random_state=0).fit(X)
    acc_km = cluster_accuracy(y, km.labels_)
    acc_dec = cluster_accuracy(y, dec.labels_)
    assert acc_dec >= acc_km - 0.01, (acc_km, acc_dec)


@pytest.mark.filterwarnings("ignore:Estimator DEC does not inherit from:UserWarning")
def test_sklearn_check_estimator():
    estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")
    estimator_checks.check_estimator(
        DEC(n_init=2, update_interval=10, max_iter=200, random_state=0), on_skip=None
    )
