"""Tests for :mod:`dec_array.demo`: the end-to-end DEC pipeline on the bundled digits."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dec_array import demo
from dec_array.demo import (
    METHODS,
    DemoConfig,
    DemoResult,
    Scores,
    fine_tune_dec,
    format_table,
    kmeans_labels,
    pretrain_autoencoder,
    run_demo,
    run_seed,
)
from dec_array.nn import MLP

TINY = DemoConfig(
    n_clusters=3,
    hidden=(16,),
    embedding_dim=2,
    kmeans_n_init=2,
    pretrain_epochs=5,
    batch_size=32,
    update_interval=8,
    max_iter=40,
)


def _blobs(seed=0, n_per=40):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n_per)
    X = 2.0 * rng.normal(size=(3, 8))[y] + 0.3 * rng.normal(size=(3 * n_per, 8))
    return X, y


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_demo(seeds=1, quick=True, out_dir=out, plot=True, verbose=False)
    return result, out


# --------------------------------------------------------------------------- run_demo


def test_quick_demo_returns_scores_table_and_figure(quick_run):
    result, out = quick_run
    assert isinstance(result, DemoResult)
    assert result.seeds == (0,)
    assert result.config == DemoConfig.quick()
    assert list(result.scores) == list(METHODS)
    for runs in result.scores.values():
        assert len(runs) == 1
        assert all(0.0 < v <= 1.0 for v in runs[0][:2])  # ACC and NMI
        assert -1.0 <= runs[0].ari <= 1.0
    # k-means on the raw digits is a well-known number: about 0.79 accuracy
    assert 0.6 < result.mean("k-means on pixels", "acc") < 0.9
    for method in METHODS:
        assert method in result.table
    assert "mean ± std" in result.table
    assert result.std("DEC", "acc") == 0.0  # one seed
    summary = result.summary()
    assert summary["DEC"]["nmi"] == (result.mean("DEC", "nmi"), 0.0)
    assert result.seconds > 0
    if demo._matplotlib_available():
        assert result.plot_path == str(out / "dec_demo.png")
        assert (out / "dec_demo.png").stat().st_size > 10_000
    else:  # pragma: no cover - matplotlib is installed in CI
        assert result.plot_path is None


def test_verbose_prints_progress_and_table(tmp_path, capsys, monkeypatch):
    X, y = _blobs()
    monkeypatch.setattr(demo, "load_data", lambda: (X, y))
    result = run_demo(seeds=[3], out_dir=tmp_path, plot=False, config=TINY)
    printed = capsys.readouterr().out
    assert "seeds [3], custom configuration" in printed
    assert "seed 3 (" in printed
    assert result.table in printed
    assert "total time" in printed
    assert result.plot_path is None
    assert not (tmp_path / "dec_demo.png").exists()
    run_demo(seeds=1, plot=False, verbose=False, config=TINY)
    assert capsys.readouterr().out == ""


def test_seeds_are_validated():
    with pytest.raises(ValueError, match="seeds"):
        run_demo(seeds=[], plot=False, verbose=False)
    with pytest.raises(ValueError, match="seeds"):
        run_demo(seeds=0, plot=False, verbose=False)


def test_same_seed_same_numbers():
    X, y = _blobs(1)
    a, b = run_seed(X, y, 5, TINY), run_seed(X, y, 5, TINY)
    assert a.scores == b.scores
    np.testing.assert_array_equal(a.dec.centers, b.dec.centers)
    assert a.dec.loss_curve == b.dec.loss_curve
    c = run_seed(X, y, 6, TINY)
    assert not np.array_equal(a.dec.centers, c.dec.centers)


def test_load_data_is_the_scaled_digits():
    X, y = demo.load_data()
    assert X.shape == (1797, 64)
    assert X.dtype == np.float64
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert sorted(np.unique(y).tolist()) == list(range(10))


# --------------------------------------------------------------------------- pieces


def test_pretraining_lowers_reconstruction_error():
    X, _ = _blobs()
    config = dataclasses.replace(TINY, pretrain_epochs=30, pretrain_dropout=0.0)
    pre = pretrain_autoencoder(X, config, 0)
    assert len(pre.loss_curve) == 30
    assert pre.loss_curve[-1] < 0.5 * pre.loss_curve[0]
    assert pre.encoder.sizes == (8, 16, 2)
    assert pre.decoder.sizes == (2, 16, 8)


def test_joint_fine_tuning_moves_the_encoder_frozen_does_not():
    X, _ = _blobs()
    pre = pretrain_autoencoder(X, TINY, 0)
    _, centers = kmeans_labels(pre.encoder(X), 3, 2, 0)
    before = {k: np.array(v, copy=True) for k, v in pre.encoder.parameters().items()}
    calls = []
    frozen = fine_tune_dec(X, pre.encoder, centers, TINY, 0, train_encoder=False)
    for name, value in pre.encoder.parameters().items():
        np.testing.assert_array_equal(value, before[name])
    joint = fine_tune_dec(
        X,
        MLP.from_parameters(pre.encoder.parameters()),
        centers,
        TINY,
        0,
        callback=lambda *args: calls.append(args),
    )
    moved = joint.encoder.parameters()
    assert any(not np.array_equal(moved[k], before[k]) for k in before)
    for trace in (frozen, joint):
        assert trace.centers.shape == (3, 2)
        assert trace.labels.shape == (X.shape[0],)
        assert len(trace.loss_curve) == len(trace.label_change_curve) >= 1
        assert all(0.0 <= c <= 1.0 for c in trace.label_change_curve)
        assert trace.n_iter <= TINY.max_iter
    assert len(calls) == len(joint.loss_curve)
    assert calls[0][0] == TINY.update_interval


def test_convergence_stops_early():
    X, _ = _blobs()
    pre = pretrain_autoencoder(X, TINY, 0)
    _, centers = kmeans_labels(pre.encoder(X), 3, 2, 0)
    config = dataclasses.replace(TINY, max_iter=10_000, tol=0.5)  # well-separated blobs
    trace = fine_tune_dec(X, pre.encoder, centers, config, 0, train_encoder=False)
    assert trace.converged
    assert trace.n_iter == config.update_interval  # stable labels at the second update


def test_adam_and_bad_optimizer_names():
    X, _ = _blobs()
    pre = pretrain_autoencoder(X, TINY, 0)
    _, centers = kmeans_labels(pre.encoder(X), 3, 2, 0)
    trace = fine_tune_dec(
        X, pre.encoder, centers, dataclasses.replace(TINY, dec_optimizer="adam", dec_lr=1e-3), 0
    )
    assert np.all(np.isfinite(trace.centers))
    with pytest.raises(ValueError, match="dec_optimizer"):
        fine_tune_dec(X, pre.encoder, centers, dataclasses.replace(TINY, dec_optimizer="lbfgs"), 0)


def test_format_table_layout():
    runs = {"a": [Scores(0.5, 0.25, 0.125)], "longer name": [Scores(1.0, 1.0, 1.0)]}
    lines = format_table(runs, title="T").splitlines()
    assert lines[0] == "T"
    assert lines[1].split() == ["Method", "ACC", "NMI", "ARI"]
    assert lines[2].startswith("a ")
    assert "0.500 ± 0.000" in lines[2]
    assert len({len(line) for line in lines[1:]}) == 1  # aligned columns
