"""The ``dec-array`` command: cluster the rows of a data file with DEC from the shell.

Three subcommands (``dec-array COMMAND --help`` for all options)::

    dec-array fit INPUT --n-clusters K [--labels L.npy] [--centers C.npy] [--model M.npz]
    dec-array predict --model M.npz INPUT [--labels L.npy] [--soft Q.npy]
    dec-array demo [--seeds N] [--quick] [--out DIR] [--no-plot]

``INPUT`` is a ``.npy`` file (memory-mapped), an ``.npz`` archive (``--key`` picks the
array when it holds several) or a ``.csv`` / ``.tsv`` text file (a non-numeric first
line is taken as a header and skipped; ``.csv.gz`` / ``.tsv.gz`` work too), with one
sample per row. ``--backend`` runs DEC on NumPy, CuPy, PyTorch (on CUDA when
available), JAX or Dask; the results are written as NumPy files.

Errors are reported as one line on stderr, ``dec-array: error: ...``, never as a
traceback (set ``DEC_ARRAY_DEBUG=1`` to see one for an unexpected error). Exit status:
0 on success, 1 for a problem with the data, the files or the environment (unreadable
or invalid input, NaN rows, a missing backend, a file that is not a DEC model), 2 for a
command line that cannot work (bad option values, an ``.npz`` that needs ``--key``, an
unknown file type).

The same program runs as ``python -m dec_array``; :func:`main` is its entry point.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import importlib
import inspect
import math
import os
import sys
import tempfile
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ._version import __version__

__all__ = ["CLIError", "build_parser", "main"]

PROG = "dec-array"
BACKENDS = ("numpy", "cupy", "torch", "jax", "dask")
DTYPES = ("float32", "float64")

_BACKEND_LIBRARY = {"cupy": "CuPy", "torch": "PyTorch", "jax": "JAX", "dask": "Dask"}
_BACKEND_MODULE = {"cupy": "cupy", "torch": "torch", "jax": "jax", "dask": "dask.array"}
_INSTALL_HINT = {
    "cupy": "pip install 'dec-array[gpu]' (CuPy for CUDA 12; needs an NVIDIA GPU)",
    "torch": "pip install torch",
    "jax": "pip install jax",
    "dask": "pip install 'dec-array[dask]'",
}
_FORMATS = ".npy, .npz, .csv or .tsv (.csv.gz and .tsv.gz too)"
_TEXT_DELIMITER = {"csv": ",", "tsv": "\t"}
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_DASK_CHUNK_BYTES = 64 * 2**20  # rows per Dask chunk: about this many bytes
_FINITE_BLOCK_BYTES = 16 * 2**20  # NaN/inf rows are looked for in blocks of this size
_MAX_NAMES_SHOWN = 8
_DEBUG_ENV = "DEC_ARRAY_DEBUG"


class CLIError(Exception):
    """An error that ``dec-array`` reports as one line on stderr.

    Parameters
    ----------
    message : str
        What went wrong and what is expected, naming the option or file concerned.
    exit_code : int, default 1
        1 for data, file and environment problems, 2 for usage errors.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ---------------------------------------------------------------------- argument parsing


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``dec-array: error: ... (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a positive integer, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"expected an integer >= 0, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _real(text: str, *, strict: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (strict and value == 0):
        what = "a finite number > 0" if strict else "a finite number >= 0"
        msg = f"expected {what}, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _positive_float(text: str) -> float:
    return _real(text, strict=True)


def _nonnegative_float(text: str) -> float:
    return _real(text, strict=False)


def _batch_size(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        msg = f"expected a positive integer or 'full', got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _dec_defaults() -> dict[str, Any]:
    """The defaults of :class:`~dec_array.DEC`, so that the command line cannot drift."""
    from .estimator import DEC

    params = inspect.signature(DEC.__init__).parameters
    return {name: p.default for name, p in params.items() if name != "self"}


def build_parser() -> argparse.ArgumentParser:
    """The ``dec-array`` argument parser, with its ``fit``, ``predict`` and ``demo`` commands.

    Returns
    -------
    argparse.ArgumentParser
        Parsing sets ``args.handler``, the function that runs the chosen command.
    """
    parser = _Parser(
        prog=PROG,
        description="Deep Embedded Clustering (DEC) of the rows of a data file.",
        epilog=f"Run '{PROG} COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    _add_fit_parser(commands)
    _add_predict_parser(commands)
    _add_demo_parser(commands)
    return parser


def _add_input_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "input",
        metavar="INPUT",
        type=Path,
        help=f"data file, one sample per row: {_FORMATS}",
    )


def _add_data_options(p: argparse.ArgumentParser, dtype_default: str) -> None:
    p.add_argument("--key", metavar="KEY", help="array to use from an .npz INPUT holding several")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="numpy",
        help="array library to compute with (default: numpy); torch uses CUDA when available",
    )
    p.add_argument(
        "--dtype",
        choices=DTYPES,
        help=f"floating dtype to compute in (default: {dtype_default})",
    )


def _add_fit_parser(commands: Any) -> None:
    d = _dec_defaults()
    p = commands.add_parser(
        "fit",
        help="fit DEC cluster centres to the rows of INPUT",
        description=(
            "Fit DEC (k-means initialisation, then the paper's self-training) to the rows "
            "of INPUT, write the labels, centres and model, and print a summary."
        ),
    )
    _add_input_argument(p)
    p.add_argument(
        "--n-clusters", metavar="K", type=_positive_int, required=True, help="number of clusters"
    )
    p.add_argument(
        "--alpha",
        metavar="A",
        type=_positive_float,
        default=d["alpha"],
        help="degrees of freedom of the Student's t kernel (default: %(default)s)",
    )
    p.add_argument(
        "--batch-size",
        metavar="B|full",
        type=_batch_size,
        default=d["batch_size"],
        help="mini-batch size, or 'full' for full-batch training (default: %(default)s)",
    )
    p.add_argument(
        "--max-iter",
        metavar="N",
        type=_positive_int,
        default=d["max_iter"],
        help="maximum number of optimizer steps (default: %(default)s)",
    )
    p.add_argument(
        "--update-interval",
        metavar="N",
        type=_positive_int,
        default=d["update_interval"],
        help="steps between two target updates and convergence checks (default: %(default)s)",
    )
    p.add_argument(
        "--tol",
        metavar="T",
        type=_nonnegative_float,
        default=d["tol"],
        help="stop when fewer than this fraction of labels change (default: %(default)s)",
    )
    p.add_argument(
        "--n-init",
        metavar="N",
        type=_positive_int,
        default=d["n_init"],
        help="k-means restarts for the initial centres (default: %(default)s)",
    )
    p.add_argument(
        "--seed",
        metavar="S",
        type=_nonnegative_int,
        help="random seed (default: drawn at random and printed, so the run can be repeated)",
    )
    _add_data_options(p, "float32 for float32 input, else float64")
    p.add_argument("--labels", metavar="OUT.npy", type=Path, help="write the labels (int64)")
    p.add_argument("--centers", metavar="OUT.npy", type=Path, help="write the cluster centres")
    p.add_argument(
        "--model",
        metavar="OUT.npz",
        type=Path,
        help=f"save the fitted model (for '{PROG} predict' and DEC.load)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=_cmd_fit)


def _add_predict_parser(commands: Any) -> None:
    p = commands.add_parser(
        "predict",
        help="assign the rows of INPUT to the clusters of a saved model",
        description="Assign the rows of INPUT to the clusters of a model saved by 'fit --model'.",
    )
    p.add_argument(
        "--model",
        metavar="M.npz",
        type=Path,
        required=True,
        help="a model saved by 'fit --model' or DEC.save",
    )
    _add_input_argument(p)
    _add_data_options(p, "the model's")
    p.add_argument("--labels", metavar="OUT.npy", type=Path, help="write the labels (int64)")
    p.add_argument(
        "--soft",
        metavar="OUT.npy",
        type=Path,
        help="write the soft assignments q, shape (n_samples, n_clusters)",
    )
    p.set_defaults(handler=_cmd_predict)


def _add_demo_parser(commands: Any) -> None:
    p = commands.add_parser(
        "demo",
        help="run the end-to-end demo (autoencoder + DEC on the bundled digits)",
        description="Run the end-to-end demo of dec_array.demo and print its results table.",
    )
    p.add_argument(
        "--seeds", metavar="N", type=_positive_int, help="run seeds 0..N-1 (default: the demo's)"
    )
    p.add_argument("--quick", action="store_true", help="a shorter run, for a first look")
    p.add_argument(
        "--out", metavar="DIR", type=Path, help="folder for the figure (default: the demo's)"
    )
    p.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    p.set_defaults(handler=_cmd_demo)


# ---------------------------------------------------------------------- reading input


@dataclasses.dataclass
class _Input:
    """A data matrix read from a file, still on the host (maybe memory-mapped)."""

    data: np.ndarray
    path: Path
    detail: str  # how it was read, for the summary


def _input_format(path: Path) -> tuple[str, bool]:
    """``("npy" | "npz" | "csv" | "tsv", gzipped)`` from the file name."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    kind = suffixes[-1].lstrip(".") if suffixes else ""
    if kind in ("npy", "npz") and not gz:
        return kind, False
    if kind in _TEXT_DELIMITER:
        return kind, gz
    shown = "".join(path.suffixes) or "no suffix"
    msg = f"INPUT {str(path)!r}: unknown file type ({shown}); expected {_FORMATS}"
    raise CLIError(msg, 2)


def _check_readable(path: Path, what: str) -> None:
    if not path.exists():
        msg = f"{what} {str(path)!r}: no such file"
        raise CLIError(msg)
    if path.is_dir():
        msg = f"{what} {str(path)!r} is a directory, expected a file"
        raise CLIError(msg)
    if not os.access(path, os.R_OK):
        msg = f"{what} {str(path)!r}: permission denied"
        raise CLIError(msg)


def _magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(6)


def _read_input(path: Path, key: str | None = None) -> _Input:
    """Read the data matrix of ``path`` (see the module docstring for the formats)."""
    _check_readable(path, "INPUT")
    kind, gz = _input_format(path)
    if key is not None and kind != "npz":
        msg = f"--key applies to .npz input only, but INPUT {str(path)!r} is a .{kind} file"
        raise CLIError(msg, 2)
    try:
        if kind == "npy":
            return _read_npy(path)
        if kind == "npz":
            return _read_npz(path, key)
        return _read_text(path, _TEXT_DELIMITER[kind], gz)
    except OSError as exc:
        msg = f"INPUT {str(path)!r}: could not read it ({exc.strerror or exc})"
        raise CLIError(msg) from None


def _read_npy(path: Path) -> _Input:
    magic = _magic(path)
    if magic != _NPY_MAGIC:
        what = "an .npz archive" if magic[:4] in _ZIP_MAGIC else "not a NumPy .npy file"
        msg = f"INPUT {str(path)!r} is {what} (the file does not start with the .npy header)"
        raise CLIError(msg)
    try:
        data = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError) as exc:
        msg = f"INPUT {str(path)!r}: not a readable .npy file ({exc})"
        raise CLIError(msg) from None
    return _Input(np.asarray(data), path, ".npy, memory-mapped")


def _read_npz(path: Path, key: str | None) -> _Input:
    if _magic(path)[:4] not in _ZIP_MAGIC:
        msg = f"INPUT {str(path)!r} is not an .npz archive (not a zip file)"
        raise CLIError(msg)
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as archive:
            names = list(archive.files)
            name = _choose_npz_key(path, names, key)
            data = archive[name]
    except (ValueError, EOFError, zipfile.BadZipFile) as exc:
        msg = f"INPUT {str(path)!r}: not a readable .npz archive ({exc})"
        raise CLIError(msg) from None
    return _Input(data, path, f".npz, key {name!r}")


def _choose_npz_key(path: Path, names: list[str], key: str | None) -> str:
    shown = ", ".join(repr(n) for n in names[:_MAX_NAMES_SHOWN])
    if len(names) > _MAX_NAMES_SHOWN:
        shown += f", ... ({len(names) - _MAX_NAMES_SHOWN} more)"
    if not names:
        msg = f"INPUT {str(path)!r} is an empty .npz archive (it holds no arrays)"
        raise CLIError(msg)
    if key is not None:
        if key not in names:
            msg = f"--key {key!r} is not in INPUT {str(path)!r}; it holds {shown}"
            raise CLIError(msg, 2)
        return key
    if len(names) > 1:
        msg = f"INPUT {str(path)!r} holds {len(names)} arrays ({shown}); choose one with --key"
        raise CLIError(msg, 2)
    return names[0]


def _open_text(path: Path, gz: bool) -> Any:
    if gz:
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig")


def _header_rows(path: Path, delimiter: str, gz: bool) -> int:
    """Lines to skip: up to and including the first data line when it is not numeric."""
    with _open_text(path, gz) as fh:
        for number, line in enumerate(fh):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                [float(field) for field in text.split(delimiter)]
            except ValueError:
                return number + 1
            return 0
    return 0


def _read_text(path: Path, delimiter: str, gz: bool) -> _Input:
    name = "CSV" if delimiter == "," else "TSV"
    try:
        skip = _header_rows(path, delimiter, gz)
        with _open_text(path, gz) as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": _check_matrix reports it
            data = np.loadtxt(fh, delimiter=delimiter, skiprows=skip, dtype=np.float64, ndmin=2)
    except (ValueError, EOFError, gzip.BadGzipFile, zlib.error) as exc:  # bad text or gzip
        msg = f"INPUT {str(path)!r}: could not read it as {name} numbers ({exc})"
        raise CLIError(msg) from None
    detail = f".{name.lower()}{'.gz' if gz else ''}" + (", header skipped" if skip else "")
    return _Input(data, path, detail)


# ---------------------------------------------------------------------- checking data


def _check_matrix(data: np.ndarray, what: str) -> None:
    """Check that ``data`` is a non-empty 2-D real matrix without NaN or infinity.

    Raises
    ------
    CLIError
        Naming ``what``, the problem, and for NaN/inf the number of bad rows and the
        first one.
    """
    if data.ndim != 2:
        hint = (
            "; save one feature as a column, data.reshape(-1, 1)"
            if data.ndim == 1
            else "; flatten each sample first, data.reshape(len(data), -1)"
            if data.ndim > 2
            else ""
        )
        msg = f"{what} must be a 2-D array (n_samples, n_features), got shape {data.shape}{hint}"
        raise CLIError(msg)
    if data.dtype.kind not in "biuf":
        msg = f"{what} must hold real numbers, got dtype {data.dtype}"
        raise CLIError(msg)
    if data.shape[0] == 0 or data.shape[1] == 0:
        msg = f"{what} is empty (shape {data.shape}); it needs at least one row and one column"
        raise CLIError(msg)
    bad, first = _nonfinite_rows(data)
    if bad:
        msg = (
            f"{what} has {bad} row(s) with NaN or infinity (first: row {first}, counting "
            "from 0); remove or impute them first"
        )
        raise CLIError(msg)


def _nonfinite_rows(data: np.ndarray) -> tuple[int, int | None]:
    """Number of rows holding NaN or infinity and the index of the first, block by block
    (memory-mapped data is read once, never loaded whole)."""
    if data.dtype.kind != "f":
        return 0, None
    n, d = data.shape
    block = max(1, _FINITE_BLOCK_BYTES // max(1, d * data.itemsize))
    bad, first = 0, None
    for start in range(0, n, block):
        ok = np.isfinite(data[start : start + block]).all(axis=1)
        n_bad = int(ok.size - np.count_nonzero(ok))
        if n_bad:
            bad += n_bad
            if first is None:
                first = start + int(np.argmin(ok))
    return bad, first


def _compute_dtype(data: np.ndarray, requested: str | None) -> str:
    if requested is not None:
        return requested
    return "float32" if data.dtype == np.float32 else "float64"


# ---------------------------------------------------------------------- backends


def _import_backend(name: str) -> Any:
    module = _BACKEND_MODULE[name]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        library = _BACKEND_LIBRARY[name]
        missing = (
            isinstance(exc, ModuleNotFoundError)
            and (exc.name or "").split(".")[0] == (module.split(".")[0])
        )
        problem = "is not installed" if missing else f"could not be imported ({exc})"
        msg = f"--backend {name} needs {library}, which {problem}; install it with: {_INSTALL_HINT[name]}"
        raise CLIError(msg) from None


def _to_backend(data: np.ndarray, backend: str, dtype: str) -> tuple[Any, str]:
    """Put host ``data`` on ``backend`` as ``dtype``; return the array and its device.

    NumPy keeps a memory-mapped float matrix as it is; PyTorch goes to CUDA when it is
    available; JAX gets 64-bit mode switched on for float64; Dask gets row chunks of
    about 64 MiB over the host data (read lazily).
    """
    np_dtype = np.dtype(dtype)
    if backend == "numpy":
        return (data if data.dtype == np_dtype else data.astype(np_dtype)), "cpu"
    module = _import_backend(backend)
    if backend == "dask":
        rows = max(
            1, min(data.shape[0], _DASK_CHUNK_BYTES // max(1, data.shape[1] * np_dtype.itemsize))
        )
        arr = module.from_array(data, chunks=(rows, data.shape[1]))
        return (arr if arr.dtype == np_dtype else arr.astype(np_dtype)), "cpu"
    if backend == "torch":
        device = "cuda" if module.cuda.is_available() else "cpu"
        if data.dtype != np_dtype or not data.flags.writeable:
            data = np.array(data, dtype=np_dtype)  # torch refuses read-only (mmap) memory
        return module.asarray(data, dtype=getattr(module, dtype), device=device), device
    host = np.asarray(data, dtype=np_dtype)
    if backend == "jax":
        if dtype == "float64":
            module.config.update("jax_enable_x64", True)
        arr = importlib.import_module("jax.numpy").asarray(host)
        return arr, ", ".join(str(dev) for dev in arr.devices())
    try:  # cupy
        arr = module.asarray(host)
    except Exception as exc:  # CUDA errors come in many types
        msg = (
            f"--backend cupy: CuPy is installed but cannot use a GPU ({type(exc).__name__}: {exc})"
        )
        raise CLIError(msg) from None
    return arr, f"cuda:{arr.device.id}"


# ---------------------------------------------------------------------- writing output


def _check_outputs(outputs: dict[str, Path | None], inputs: dict[str, Path]) -> None:
    """Fail before any work when an output cannot be written where asked, or would
    overwrite one of the ``inputs`` or another output."""
    protected = {path.resolve(): name for name, path in inputs.items()}
    seen: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        if path.is_dir():
            msg = f"{option} {str(path)!r} is a directory, expected a file name"
            raise CLIError(msg, 2)
        folder = path.parent
        if not folder.is_dir():
            msg = f"{option} {str(path)!r}: folder {str(folder)!r} does not exist"
            raise CLIError(msg)
        if not os.access(folder, os.W_OK):
            msg = f"{option} {str(path)!r}: folder {str(folder)!r} is not writable"
            raise CLIError(msg)
        resolved = path.resolve()
        if resolved in protected:
            msg = f"{option} {str(path)!r} would overwrite {protected[resolved]}; choose another file name"
            raise CLIError(msg, 2)
        if resolved in seen:
            msg = f"{seen[resolved]} and {option} both name {str(path)!r}; choose two files"
            raise CLIError(msg, 2)
        seen[resolved] = option


def _write_atomic(path: Path, option: str, write: Callable[[Any], None]) -> None:
    """Write through a temporary file in the same folder and a rename (no partial files)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        msg = f"{option} {str(path)!r}: could not write it ({exc.strerror or exc})"
        raise CLIError(msg) from None


def _save_npy(path: Path, option: str, array: np.ndarray) -> str:
    _write_atomic(path, option, lambda fh: np.save(fh, array, allow_pickle=False))
    return f"{tuple(array.shape)} {array.dtype}"


# ---------------------------------------------------------------------- summaries


def _sizes_table(labels: np.ndarray, k: int) -> list[str]:
    """Cluster sizes as lines of text that fit on one screen, whatever ``k``."""
    sizes = np.bincount(labels, minlength=k)
    n = max(1, int(sizes.sum()))
    wc, ws = max(7, len(str(k - 1))), max(4, len(str(int(sizes.max()))))
    entry = [f"{c:>{wc}}  {int(s):>{ws}}  {100 * s / n:5.1f}%" for c, s in enumerate(sizes)]
    head = f"{'cluster':>{wc}}  {'size':>{ws}}  {'share':>6}"
    n_cols = 1 if k <= 12 else max(1, 88 // (len(head) + 4))
    n_rows = math.ceil(k / n_cols)
    if n_rows <= 16:
        lines = ["    ".join([head] * min(n_cols, k))]
        for r in range(n_rows):
            lines.append(
                "    ".join(entry[c * n_rows + r] for c in range(n_cols) if c * n_rows + r < k)
            )
        return ["  " + line for line in lines]
    order = np.argsort(-sizes, kind="stable")
    largest = ", ".join(f"{c} ({int(sizes[c])})" for c in order[:5])
    smallest = ", ".join(f"{c} ({int(sizes[c])})" for c in order[::-1][:5])
    return [
        f"  sizes: min {int(sizes.min())}, median {float(np.median(sizes)):g}, max {int(sizes.max())}",
        f"  largest: {largest}",
        f"  smallest: {smallest}",
    ]


def _cluster_lines(labels: np.ndarray, k: int) -> list[str]:
    empty = int(np.count_nonzero(np.bincount(labels, minlength=k) == 0))
    note = f", {empty} empty" if empty else ""
    return [f"cluster sizes ({len(labels)} samples, {k} clusters{note})", *_sizes_table(labels, k)]


def _written_lines(written: list[tuple[str, Path, str]], hint: str) -> list[str]:
    if not written:
        return [f"nothing written ({hint})"]
    width = max(len(what) for what, _, _ in written)
    pwidth = max(len(str(path)) for _, path, _ in written)
    return [
        "written",
        *(f"  {w:<{width}}  {p!s:<{pwidth}}  {info}".rstrip() for w, p, info in written),
    ]


def _print(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)


# ---------------------------------------------------------------------- commands


def _load_matrix(args: argparse.Namespace) -> _Input:
    """Read and check INPUT (shared by ``fit`` and ``predict``)."""
    inp = _read_input(args.input, args.key)
    _check_matrix(inp.data, f"INPUT {str(args.input)!r}")
    return inp


def _fit_dec(args: argparse.Namespace, X: Any, seed: int) -> tuple[Any, float]:
    """Fit :class:`~dec_array.DEC` with the command-line settings; return it and the time."""
    from .estimator import DEC

    dec = DEC(
        n_clusters=args.n_clusters,
        alpha=args.alpha,
        n_init=args.n_init,
        batch_size=args.batch_size,
        update_interval=args.update_interval,
        tol=args.tol,
        max_iter=args.max_iter,
        random_state=seed,
        verbose=not args.quiet,
    )
    if not args.quiet:  # k-means runs before the progress bar appears
        print(
            f"{PROG}: k-means initialisation ({args.n_init} restart(s)), then DEC training",
            file=sys.stderr,
            flush=True,
        )
    start = time.perf_counter()
    try:
        dec.fit(X)
    except (ValueError, TypeError) as exc:
        msg = f"fitting DEC failed: {exc}"
        raise CLIError(msg) from None
    return dec, time.perf_counter() - start


def _write_fit_outputs(
    args: argparse.Namespace, dec: Any, labels: np.ndarray
) -> list[tuple[str, Path, str]]:
    from ._array_api import to_numpy

    written: list[tuple[str, Path, str]] = []
    if args.labels is not None:
        written.append(("labels", args.labels, _save_npy(args.labels, "--labels", labels)))
    if args.centers is not None:
        centers = to_numpy(dec.cluster_centers_)
        written.append(("centers", args.centers, _save_npy(args.centers, "--centers", centers)))
    if args.model is not None:
        try:
            dec.save(args.model)
        except OSError as exc:
            msg = f"--model {str(args.model)!r}: could not write it ({exc.strerror or exc})"
            raise CLIError(msg) from None
        written.append(("model", args.model, f"(for '{PROG} predict --model' or DEC.load)"))
    return written


def _training_lines(args: argparse.Namespace, dec: Any, n: int, seed: int) -> list[str]:
    """The settings and the outcome of a fit, for the summary."""
    batch = "full" if args.batch_size is None or args.batch_size >= n else args.batch_size
    seed_note = "" if args.seed is not None else " (drawn at random; --seed repeats the run)"
    status = (
        "converged"
        if dec.converged_
        else f"stopped by --max-iter {args.max_iter} before converging"
    )
    changes = dec.label_change_curve_
    change = (
        f"{changes[-1]:.3%} of labels changed at the last target update (tol {args.tol:.3%})"
        if changes
        else "no two target updates to compare (--max-iter <= --update-interval)"
    )
    return [
        f"  settings  alpha {args.alpha:g}, batch {batch}, update interval "
        f"{args.update_interval}, n_init {args.n_init}, seed {seed}{seed_note}",
        f"  result    {dec.n_iter_} iterations, {status}",
        f"            {change}",
    ]


def _cmd_fit(args: argparse.Namespace) -> int:
    from ._array_api import to_numpy

    start = time.perf_counter()
    outputs = {"--labels": args.labels, "--centers": args.centers, "--model": args.model}
    _check_outputs(outputs, {"INPUT": args.input})
    inp = _load_matrix(args)
    n, d = inp.data.shape
    k = args.n_clusters
    if n < k:
        msg = f"--n-clusters {k} needs at least {k} samples, but INPUT {str(args.input)!r} has {n} row(s)"
        raise CLIError(msg)
    dtype = _compute_dtype(inp.data, args.dtype)
    X, device = _to_backend(inp.data, args.backend, dtype)
    seed = args.seed
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    dec, fit_time = _fit_dec(args, X, seed)
    labels = to_numpy(dec.labels_).astype(np.int64, copy=False)
    written = _write_fit_outputs(args, dec, labels)
    _print(
        [
            f"{PROG} fit: {k} clusters in {str(args.input)!r}",
            f"  input     {n} samples x {d} features, {inp.data.dtype} ({inp.detail})",
            f"  backend   {args.backend}, {dtype}, on {device}",
            *_training_lines(args, dec, n, seed),
            f"  time      {time.perf_counter() - start:.2f} s (DEC fit {fit_time:.2f} s)",
            "",
            *_cluster_lines(labels, k),
            "",
            *_written_lines(written, "pass --labels, --centers or --model to keep the results"),
        ]
    )
    return 0


def _load_model(path: Path) -> Any:
    from .estimator import DEC

    _check_readable(path, "--model")
    try:
        dec = DEC.load(path)
    except (ValueError, KeyError, TypeError) as exc:
        msg = f"--model {str(path)!r} is not a usable DEC model file: {exc}"
        raise CLIError(msg) from None
    except OSError as exc:
        msg = f"--model {str(path)!r}: could not read it ({exc.strerror or exc})"
        raise CLIError(msg) from None
    if not hasattr(dec, "cluster_centers_"):
        msg = f"--model {str(path)!r} holds a DEC model that was never fitted; fit one with '{PROG} fit ... --model {path}'"
        raise CLIError(msg)
    return dec


def _cmd_predict(args: argparse.Namespace) -> int:
    from ._array_api import dtype_name, to_numpy

    start = time.perf_counter()
    outputs = {"--labels": args.labels, "--soft": args.soft}
    _check_outputs(outputs, {"INPUT": args.input, "--model": args.model})
    dec = _load_model(args.model)
    inp = _load_matrix(args)
    n, d = inp.data.shape
    if d != dec.n_features_in_:
        msg = (
            f"INPUT {str(args.input)!r} has {d} features (columns), but --model "
            f"{str(args.model)!r} was fitted on {dec.n_features_in_}"
        )
        raise CLIError(msg)
    dtype = args.dtype or dtype_name(dec.cluster_centers_.dtype)
    X, device = _to_backend(inp.data, args.backend, dtype)
    labels = to_numpy(dec.predict(X)).astype(np.int64, copy=False)
    written: list[tuple[str, Path, str]] = []
    if args.labels is not None:
        written.append(("labels", args.labels, _save_npy(args.labels, "--labels", labels)))
    if args.soft is not None:
        soft = to_numpy(dec.transform(X))
        written.append(("soft", args.soft, _save_npy(args.soft, "--soft", soft)))
    k = int(dec.n_clusters)
    lines = [
        f"{PROG} predict: {k} clusters of {str(args.model)!r} on {str(args.input)!r}",
        f"  input     {n} samples x {d} features, {inp.data.dtype} ({inp.detail})",
        f"  backend   {args.backend}, {dtype}, on {device}",
        f"  time      {time.perf_counter() - start:.2f} s",
        "",
        *_cluster_lines(labels, k),
        "",
        *_written_lines(written, "pass --labels or --soft to keep the results"),
    ]
    _print(lines)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    try:
        demo = importlib.import_module("dec_array.demo")
    except ModuleNotFoundError as exc:
        if exc.name == "dec_array.demo":
            msg = (
                "the demo is not part of this installation of dec-array (no module dec_array.demo)"
            )
            raise CLIError(msg) from None
        top = (exc.name or "").split(".")[0] or str(exc)
        msg = f"the demo needs {top}, which is not installed; install it with: pip install {top}"
        raise CLIError(msg) from None
    except ImportError as exc:
        msg = f"the demo could not be imported: {exc}"
        raise CLIError(msg) from None
    kwargs: dict[str, Any] = {"quick": args.quick, "plot": not args.no_plot}
    if args.seeds is not None:
        kwargs["seeds"] = args.seeds
    if args.out is not None:
        kwargs["out_dir"] = args.out
    try:
        demo.run_demo(**kwargs)
    except (ValueError, OSError) as exc:
        msg = f"the demo failed: {exc}"
        raise CLIError(msg) from None
    return 0


# ---------------------------------------------------------------------- entry point


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _exit_status(code: Any) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dec-array`` with the arguments ``argv`` (default: ``sys.argv[1:]``).

    Parameters
    ----------
    argv : sequence of str, optional
        The command line after the program name.

    Returns
    -------
    int
        The exit status: 0 success, 1 data or runtime error, 2 usage error. Errors are
        printed to stderr as one line; nothing is raised (``--help`` and ``--version``
        print and return 0).

    Examples
    --------
    >>> from dec_array.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    dec-array ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return _exit_status(exc.code)
    try:
        return int(args.handler(args))
    except CLIError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # stdout was closed early (e.g. piped into head): silence the flush at exit
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except MemoryError:
        _error("out of memory; try a smaller --batch-size, --dtype float32 or --backend dask")
        return 1
    except Exception as exc:
        if os.environ.get(_DEBUG_ENV):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc} (set {_DEBUG_ENV}=1 to see the traceback)")
        return 1
