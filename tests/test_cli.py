"""Tests for the ``dec-array`` command line (:mod:`dec_array.cli`).

Most tests call :func:`dec_array.cli.main` in-process on small files; two run the real
program in a subprocess (``python -m dec_array`` and the installed console script).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from dec_array import DEC, DECClusterHead, __version__, cli
from dec_array.cli import main

N_PER, K, D = 20, 3, 2
FAST = ["--n-init", "1", "--max-iter", "40", "--update-interval", "10", "--batch-size", "16"]


def _blobs(seed: int = 0, dtype: type = np.float64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]])
    X = np.concatenate([rng.normal(c, 0.4, size=(N_PER, D)) for c in centers])
    return X.astype(dtype)


def _truth() -> np.ndarray:
    return np.repeat(np.arange(K), N_PER)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two labelings are equal up to a renaming of the clusters."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.fixture
def npy(tmp_path: Path) -> Path:
    path = tmp_path / "X.npy"
    np.save(path, _blobs())
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _fit(capsys, input_path, *extra: object) -> tuple[int, str, str]:
    return _run(capsys, "fit", input_path, "--n-clusters", K, *FAST, "--seed", 0, "--quiet", *extra)


def _assert_error(err: str, *fragments: str) -> None:
    """One line on stderr, prefixed, naming what went wrong; never a traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dec-array: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, err)


# ---------------------------------------------------------------------- fit: formats


def test_fit_npy_writes_outputs_and_summary(capsys, npy, tmp_path):
    labels, centers, model = tmp_path / "l.npy", tmp_path / "c.npy", tmp_path / "m.npz"
    code, out, err = _fit(capsys, npy, "--labels", labels, "--centers", centers, "--model", model)
    assert code == 0, err
    assert err == ""
    lab = np.load(labels)
    assert lab.dtype == np.int64
    assert lab.shape == (K * N_PER,)
    assert _same_partition(lab, _truth())
    cen = np.load(centers)
    assert cen.shape == (K, D)
    assert cen.dtype == np.float64
    dec = DEC.load(model)
    np.testing.assert_array_equal(dec.predict(_blobs()), lab)
    np.testing.assert_allclose(dec.cluster_centers_, cen)
    for fragment in (
        "60 samples x 2 features, float64 (.npy, memory-mapped)",
        "backend   numpy, float64, on cpu",
        "seed 0",
        "iterations",
        "labels changed at the last target update",
        "cluster sizes (60 samples, 3 clusters)",
        "written",
        str(labels),
        str(centers),
        str(model),
        "time",
    ):
        assert fragment in out, fragment
    assert out.count("   20   33.3%") == 3  # the sizes table
    # one screen
    assert len(out.splitlines()) < 25


def test_fit_progress_bar_goes_to_stderr(capsys, npy):
    code, out, err = _run(capsys, "fit", npy, "--n-clusters", K, *FAST, "--seed", "0")
    assert code == 0
    assert "k-means initialisation" in err
    assert "DEC:" in err  # the progress bar
    assert "DEC:" not in out


def test_fit_same_seed_same_result(capsys, npy, tmp_path):
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    assert _fit(capsys, npy, "--labels", a)[0] == 0
    assert _fit(capsys, npy, "--labels", b)[0] == 0
    np.testing.assert_array_equal(np.load(a), np.load(b))


def test_fit_without_seed_prints_the_drawn_seed(capsys, npy):
    code, out, _ = _run(capsys, "fit", npy, "--n-clusters", K, *FAST, "--quiet")
    assert code == 0
    assert "drawn at random" in out
    assert "nothing written" in out


def test_fit_npz_single_array_needs_no_key(capsys, tmp_path):
    path = tmp_path / "X.npz"
    np.savez(path, embeddings=_blobs())
    code, out, err = _fit(capsys, path, "--labels", tmp_path / "l.npy")
    assert code == 0, err
    assert "key 'embeddings'" in out
    assert _same_partition(np.load(tmp_path / "l.npy"), _truth())


def test_fit_npz_key_selects_the_array(capsys, tmp_path):
    path = tmp_path / "X.npz"
    np.savez(path, z=_blobs(), y=_truth())
    code, out, err = _fit(capsys, path, "--key", "z")
    assert code == 0, err
    assert "60 samples x 2 features" in out


def test_fit_npz_ambiguous_without_key(capsys, tmp_path):
    path = tmp_path / "X.npz"
    np.savez(path, z=_blobs(), y=_truth())
    code, _, err = _fit(capsys, path)
    assert code == 2
    _assert_error(err, "holds 2 arrays", "'z'", "'y'", "--key")


def test_fit_npz_wrong_key(capsys, tmp_path):
    path = tmp_path / "X.npz"
    np.savez(path, z=_blobs(), y=_truth())
    code, _, err = _fit(capsys, path, "--key", "emb")
    assert code == 2
    _assert_error(err, "--key 'emb'", "'z'", "'y'")


def test_fit_npz_empty(capsys, tmp_path):
    path = tmp_path / "X.npz"
    np.savez(path)
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "holds no arrays")


def test_key_on_non_npz_is_a_usage_error(capsys, npy):
    code, _, err = _fit(capsys, npy, "--key", "z")
    assert code == 2
    _assert_error(err, "--key applies to .npz input only")


@pytest.mark.parametrize(
    ("name", "delimiter", "header"),
    [
        ("X.csv", ",", "a,b"),
        ("X.csv", ",", None),
        ("X.tsv", "\t", "feature 1\tfeature 2"),
        ("X.TSV", "\t", None),
        ("X.csv.gz", ",", '"x","y"'),
    ],
)
def test_fit_text_formats(capsys, tmp_path, name, delimiter, header):
    path = tmp_path / name
    body = "\n".join(delimiter.join(repr(float(v)) for v in row) for row in _blobs())
    text = ("# written by a test\n" if header is None else f"{header}\n") + body + "\n"
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    code, out, err = _fit(capsys, path, "--labels", tmp_path / "l.npy")
    assert code == 0, err
    assert "60 samples x 2 features" in out
    assert ("header skipped" in out) == (header is not None)
    assert _same_partition(np.load(tmp_path / "l.npy"), _truth())


def test_fit_single_column_csv(capsys, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("value\n" + "\n".join(str(v) for v in [0.0, 0.1, 0.2, 9.0, 9.1, 9.2]) + "\n")
    code, out, err = _run(
        capsys, "fit", path, "--n-clusters", 2, "--n-init", 1, "--max-iter", 5, "--quiet"
    )
    assert code == 0, err
    assert "6 samples x 1 features" in out


def test_fit_float32_input_stays_float32_and_ints_become_float64(capsys, tmp_path):
    f32, ints = tmp_path / "f.npy", tmp_path / "i.npy"
    np.save(f32, _blobs(dtype=np.float32))
    np.save(ints, np.round(_blobs() * 10).astype(np.int32))
    code, out, _ = _fit(capsys, f32, "--centers", tmp_path / "c32.npy")
    assert code == 0
    assert "numpy, float32" in out
    assert np.load(tmp_path / "c32.npy").dtype == np.float32
    code, out, _ = _fit(capsys, ints, "--centers", tmp_path / "ci.npy")
    assert code == 0
    assert "int32" in out
    assert np.load(tmp_path / "ci.npy").dtype == np.float64
    code, out, _ = _fit(capsys, f32, "--dtype", "float64", "--centers", tmp_path / "c.npy")
    assert code == 0
    assert np.load(tmp_path / "c.npy").dtype == np.float64


def test_fit_full_batch_and_options(capsys, npy):
    code, out, err = _fit(capsys, npy, "--batch-size", "full", "--alpha", "2", "--tol", "0")
    assert code == 0, err
    assert "batch full" in out
    assert "alpha 2" in out
    assert "stopped by --max-iter 40" in out


# ---------------------------------------------------------------------- fit: backends


@pytest.mark.parametrize("backend", ["torch", "jax", "dask"])
def test_fit_backends(capsys, npy, tmp_path, backend):
    pytest.importorskip({"dask": "dask.array"}.get(backend, backend))
    labels, centers = tmp_path / "l.npy", tmp_path / "c.npy"
    code, out, err = _fit(
        capsys, npy, "--backend", backend, "--labels", labels, "--centers", centers
    )
    assert code == 0, err
    assert f"backend   {backend}, float64" in out
    assert np.load(labels).dtype == np.int64
    assert _same_partition(np.load(labels), _truth())
    assert np.load(centers).dtype == np.float64


def test_fit_torch_float32(capsys, npy, tmp_path):
    pytest.importorskip("torch")
    code, out, err = _fit(
        capsys, npy, "--backend", "torch", "--dtype", "float32", "--centers", tmp_path / "c.npy"
    )
    assert code == 0, err
    assert "torch, float32" in out
    assert np.load(tmp_path / "c.npy").dtype == np.float32


def test_dask_input_is_chunked_by_rows(monkeypatch):
    pytest.importorskip("dask.array")
    monkeypatch.setattr(cli, "_DASK_CHUNK_BYTES", 8 * D * 25)
    X, device = cli._to_backend(_blobs(), "dask", "float64")
    assert X.chunks == ((25, 25, 10), (D,))
    assert device == "cpu"


@pytest.mark.parametrize("backend", ["cupy", "torch", "jax", "dask"])
def test_unavailable_backend(capsys, monkeypatch, npy, backend):
    module = {"dask": "dask.array"}.get(backend, backend)
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    code, _, err = _fit(capsys, npy, "--backend", backend)
    assert code == 1
    _assert_error(err, f"--backend {backend}", "is not installed", "pip install")
    if backend == "cupy":
        assert "dec-array[gpu]" in err


# ---------------------------------------------------------------------- fit: errors


def test_missing_input(capsys, tmp_path):
    code, _, err = _fit(capsys, tmp_path / "nope.npy")
    assert code == 1
    _assert_error(err, "INPUT", "nope.npy", "no such file")


def test_input_is_a_directory(capsys, tmp_path):
    folder = tmp_path / "data.npy"
    folder.mkdir()
    code, _, err = _fit(capsys, folder)
    assert code == 1
    _assert_error(err, "is a directory")


@pytest.mark.parametrize("name", ["X.txt", "X", "X.npy.gz", "X.parquet"])
def test_unknown_format(capsys, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"1,2\n3,4\n")
    code, _, err = _fit(capsys, path)
    assert code == 2
    _assert_error(err, "unknown file type", ".npy, .npz, .csv or .tsv")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("X.npy", b"hello, not numpy", "not a NumPy .npy file"),
        ("X.npy", b"", "not a NumPy .npy file"),
        ("X.npz", b"hello, not a zip", "not an .npz archive"),
        ("X.npz", b"\x93NUMPY\x01\x00", "not an .npz archive"),
        ("X.npy", b"PK\x03\x04garbage", "is an .npz archive"),
        ("X.npz", b"PK\x03\x04garbage", "not a readable .npz archive"),
        ("X.csv", b"1,2\n3,x\n", "could not read it as CSV numbers"),
        ("X.csv", b"1,2\n3\n", "could not read it as CSV numbers"),
        ("X.csv", b"\xff\xfe\x00\x01binary", "could not read it as CSV numbers"),
        ("X.csv.gz", b"not gzip at all", "could not read it as CSV numbers"),
    ],
)
def test_unreadable_input(capsys, tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, fragment)


def test_truncated_npy(capsys, tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, _blobs())
    path.write_bytes(path.read_bytes()[:200])
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "X.npy")


def test_object_npy(capsys, tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, np.array([[1, "a"], [2, "b"]], dtype=object), allow_pickle=True)
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "not a readable .npy file")


@pytest.mark.parametrize("content", ["", "a,b\n", "# only a comment\n"])
def test_empty_csv(capsys, tmp_path, content):
    path = tmp_path / "X.csv"
    path.write_text(content)
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "is empty")


def test_string_npy(capsys, tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, np.array([["a", "b"], ["c", "d"]]))
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "must hold real numbers", "<U1")


@pytest.mark.parametrize(
    ("shape", "fragment"),
    [((60,), "reshape(-1, 1)"), ((5, 4, 3), "flatten"), ((), "got shape ()")],
)
def test_not_2d(capsys, tmp_path, shape, fragment):
    path = tmp_path / "X.npy"
    np.save(path, np.zeros(shape))
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "must be a 2-D array (n_samples, n_features)", fragment)


def test_nonfinite_rows_are_counted(capsys, tmp_path):
    X = _blobs()
    X[7, 1] = np.nan
    X[12, 0] = np.inf
    X[12, 1] = -np.inf
    X[40, 0] = -np.inf
    path = tmp_path / "X.npy"
    np.save(path, X)
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "3 row(s) with NaN or infinity", "first: row 7")


def test_nonfinite_rows_in_csv(capsys, tmp_path):
    path = tmp_path / "X.csv"
    path.write_text("a,b\n1,2\n3,4\n5,nan\n")
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "1 row(s) with NaN or infinity", "first: row 2")


def test_nonfinite_rows_found_across_blocks(monkeypatch):
    monkeypatch.setattr(cli, "_FINITE_BLOCK_BYTES", 8 * D * 7)  # blocks of 7 rows
    X = _blobs()
    X[[15, 16, 50], 0] = np.nan
    assert cli._nonfinite_rows(X) == (3, 15)
    assert cli._nonfinite_rows(_blobs()) == (0, None)


def test_fewer_samples_than_clusters(capsys, tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, _blobs()[:2])
    code, _, err = _fit(capsys, path)
    assert code == 1
    _assert_error(err, "--n-clusters 3 needs at least 3 samples", "has 2 row(s)")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["fit", "X.npy"], "--n-clusters"),
        (["fit", "X.npy", "--n-clusters", "0"], "argument --n-clusters: expected a positive"),
        (["fit", "X.npy", "--n-clusters", "two"], "argument --n-clusters"),
        (["fit", "X.npy", "--n-clusters", "2", "--alpha", "-1"], "argument --alpha"),
        (["fit", "X.npy", "--n-clusters", "2", "--alpha", "nan"], "argument --alpha"),
        (["fit", "X.npy", "--n-clusters", "2", "--tol", "-0.1"], "argument --tol"),
        (["fit", "X.npy", "--n-clusters", "2", "--batch-size", "0"], "'full'"),
        (["fit", "X.npy", "--n-clusters", "2", "--seed", "-3"], "argument --seed"),
        (["fit", "X.npy", "--n-clusters", "2", "--backend", "mxnet"], "argument --backend"),
        (["fit", "X.npy", "--n-clusters", "2", "--dtype", "float16"], "argument --dtype"),
        (["fit", "X.npy", "--n-clusters", "2", "--bogus"], "unrecognized arguments"),
        (["predict", "X.npy"], "--model"),
        (["cluster", "X.npy"], "invalid choice"),
        ([], "COMMAND"),
    ],
)
def test_bad_arguments(capsys, args, fragment):
    code, _, err = _run(capsys, *args)
    assert code == 2
    _assert_error(err, fragment, "--help")


def test_output_folder_missing(capsys, npy, tmp_path):
    code, _, err = _fit(capsys, npy, "--labels", tmp_path / "no" / "l.npy")
    assert code == 1
    _assert_error(err, "--labels", "does not exist")


def test_output_checks_are_usage_errors(capsys, npy, tmp_path):
    code, _, err = _fit(capsys, npy, "--labels", npy)
    assert code == 2
    _assert_error(err, "--labels", "would overwrite INPUT")
    code, _, err = _fit(
        capsys, npy, "--labels", tmp_path / "a.npy", "--centers", tmp_path / "a.npy"
    )
    assert code == 2
    _assert_error(err, "--labels and --centers both name")
    code, _, err = _fit(capsys, npy, "--model", tmp_path)
    assert code == 2
    _assert_error(err, "--model", "is a directory")


def test_outputs_are_written_atomically_with_normal_permissions(capsys, npy, tmp_path):
    labels = tmp_path / "l.npy"
    labels.write_bytes(b"old")
    assert _fit(capsys, npy, "--labels", labels)[0] == 0
    assert np.load(labels).shape == (K * N_PER,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X.npy", "l.npy"]  # no temp files
    umask = os.umask(0)
    os.umask(umask)
    assert labels.stat().st_mode & 0o777 == 0o666 & ~umask


def test_unexpected_errors_are_one_line(capsys, monkeypatch, npy):
    def boom(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(DEC, "fit", boom)
    monkeypatch.delenv("DEC_ARRAY_DEBUG", raising=False)
    code, _, err = _fit(capsys, npy)
    assert code == 1
    _assert_error(err, "unexpected RuntimeError: something broke", "DEC_ARRAY_DEBUG=1")
    monkeypatch.setenv("DEC_ARRAY_DEBUG", "1")
    with pytest.raises(RuntimeError, match="something broke"):
        main(["fit", str(npy), "--n-clusters", "2", "--quiet"])


def test_fit_value_errors_are_reported(capsys, monkeypatch, npy):
    def bad(*args, **kwargs):
        raise ValueError("centres collapsed")

    monkeypatch.setattr(DEC, "fit", bad)
    code, _, err = _fit(capsys, npy)
    assert code == 1
    _assert_error(err, "fitting DEC failed: centres collapsed")


# ---------------------------------------------------------------------- predict


@pytest.fixture
def model(capsys, npy, tmp_path) -> tuple[Path, Path]:
    """A fitted model file and the labels its fit wrote."""
    model, labels = tmp_path / "m.npz", tmp_path / "fit_labels.npy"
    assert _fit(capsys, npy, "--model", model, "--labels", labels)[0] == 0
    return model, labels


def test_predict_round_trip(capsys, model, npy, tmp_path):
    model_path, fit_labels = model
    labels, soft = tmp_path / "p.npy", tmp_path / "q.npy"
    code, out, err = _run(
        capsys, "predict", "--model", model_path, npy, "--labels", labels, "--soft", soft
    )
    assert code == 0, err
    np.testing.assert_array_equal(np.load(labels), np.load(fit_labels))
    q = np.load(soft)
    assert q.shape == (K * N_PER, K)
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    np.testing.assert_array_equal(q.argmax(axis=1), np.load(labels))
    assert "cluster sizes (60 samples, 3 clusters)" in out
    assert "written" in out


def test_predict_other_format_and_backend(capsys, model, tmp_path):
    pytest.importorskip("torch")
    model_path, fit_labels = model
    path = tmp_path / "X.csv"
    np.savetxt(path, _blobs(), delimiter=",")
    labels = tmp_path / "p.npy"
    code, out, err = _run(
        capsys, "predict", "--model", model_path, path, "--backend", "torch", "--labels", labels
    )
    assert code == 0, err
    assert "torch, float64" in out
    np.testing.assert_array_equal(np.load(labels), np.load(fit_labels))


def test_predict_without_outputs_prints_sizes(capsys, model, npy):
    code, out, _ = _run(capsys, "predict", "--model", model[0], npy)
    assert code == 0
    assert "nothing written" in out
    assert out.count("   20   33.3%") == 3


def test_predict_refuses_to_overwrite_the_model(capsys, model, npy):
    code, _, err = _run(capsys, "predict", "--model", model[0], npy, "--soft", model[0])
    assert code == 2
    _assert_error(err, "--soft", "would overwrite --model")
    assert DEC.load(model[0]).n_features_in_ == D


def test_predict_feature_mismatch(capsys, model, tmp_path):
    path = tmp_path / "X3.npy"
    np.save(path, np.zeros((5, 3)))
    code, _, err = _run(capsys, "predict", "--model", model[0], path)
    assert code == 1
    _assert_error(err, "has 3 features", "fitted on 2")


def test_predict_missing_model(capsys, npy, tmp_path):
    code, _, err = _run(capsys, "predict", "--model", tmp_path / "none.npz", npy)
    assert code == 1
    _assert_error(err, "--model", "no such file")


@pytest.mark.parametrize("kind", ["plain_npz", "head", "text", "unfitted"])
def test_predict_model_is_not_a_dec_file(capsys, npy, tmp_path, kind):
    path = tmp_path / "m.npz"
    if kind == "plain_npz":
        np.savez(path, centers=np.zeros((3, 2)))
    elif kind == "head":
        DECClusterHead(3, 2, random_state=0).save(path)
    elif kind == "text":
        path.write_text("not a model")
    else:
        DEC(3).save(path)
    code, _, err = _run(capsys, "predict", "--model", path, npy)
    assert code == 1
    if kind == "unfitted":
        _assert_error(err, "never fitted")
    else:
        _assert_error(err, "--model", "is not a usable DEC model file")
    if kind == "head":
        assert "DECClusterHead" in err


# ---------------------------------------------------------------------- demo


@pytest.fixture
def fake_demo(monkeypatch):
    calls: list[dict[str, object]] = []
    module = types.ModuleType("dec_array.demo")

    def run_demo(**kwargs):
        calls.append(kwargs)
        print("fake demo table")
        return object()

    module.run_demo = run_demo  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dec_array.demo", module)
    return calls


def test_demo_passes_arguments_through(capsys, fake_demo, tmp_path):
    code, out, _ = _run(capsys, "demo", "--seeds", 3, "--quick", "--out", tmp_path, "--no-plot")
    assert code == 0
    assert "fake demo table" in out
    assert fake_demo == [{"seeds": 3, "quick": True, "out_dir": tmp_path, "plot": False}]


def test_demo_defaults_are_left_to_run_demo(capsys, fake_demo):
    assert _run(capsys, "demo")[0] == 0
    assert fake_demo == [{"quick": False, "plot": True}]


def test_demo_missing_module(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dec_array.demo", None)
    code, _, err = _run(capsys, "demo", "--quick")
    assert code == 1
    _assert_error(err, "the demo is not part of this installation")


def test_demo_bad_seeds(capsys, fake_demo):
    code, _, err = _run(capsys, "demo", "--seeds", "0")
    assert code == 2
    _assert_error(err, "argument --seeds")
    assert fake_demo == []


# ---------------------------------------------------------------------- the program itself


def test_version_and_help(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"dec-array {__version__}"
    code, out, _ = _run(capsys, "fit", "--help")
    assert code == 0
    for option in ("--n-clusters", "--backend", "--batch-size", "--labels", "--model", "--key"):
        assert option in out
    assert "(default: 256)" in out  # DEC's own defaults


def test_sizes_table_stays_on_one_screen():
    small = cli._sizes_table(np.array([0, 0, 1, 3]), 4)
    assert len(small) == 5
    assert small[-1].split() == ["3", "1", "25.0%"]
    grid = cli._sizes_table(np.arange(40) % 40, 40)
    assert len(grid) <= 17
    assert all(len(line) <= 100 for line in grid)
    assert sum(line.count("2.5%") for line in grid) == 40
    many = cli._sizes_table(np.arange(1000) % 500, 1000)
    assert len(many) == 3
    assert "min 0" in many[0]
    assert "max 2" in many[0]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(cli.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def _check_subprocess(cmd: list[str], tmp_path: Path) -> None:
    path, labels = tmp_path / "X.npy", tmp_path / "l.npy"
    np.save(path, _blobs())
    fit = [*cmd, "fit", str(path), "--n-clusters", "3", *FAST, "--seed", "0"]
    result = subprocess.run(
        [*fit, "--labels", str(labels)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "cluster sizes (60 samples, 3 clusters)" in result.stdout
    assert "k-means initialisation" in result.stderr
    assert _same_partition(np.load(labels), _truth())
    bad = subprocess.run(
        [*cmd, "fit", str(tmp_path / "missing.npy"), "--n-clusters", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stdout == ""
    _assert_error(bad.stderr, "no such file")


def test_python_dash_m(tmp_path):
    _check_subprocess([sys.executable, "-m", "dec_array"], tmp_path)


def test_console_script(tmp_path):
    beside = Path(sys.executable).with_name("dec-array")
    script = str(beside) if beside.exists() else shutil.which("dec-array")
    if script is None:
        pytest.skip("the dec-array console script is not installed")
    _check_subprocess([script], tmp_path)
