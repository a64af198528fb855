"""Benchmark: DEC loss + both gradients, ours against PyTorch, JAX, naive NumPy and the GEMM floor.

Times one evaluation of the DEC objective (forward, ``dL/dcenters`` and ``dL/dz``) for
``dec_array.functional.loss_and_grad`` on NumPy and, in the same process, on the same
threads and on the same data:

* ``torch-cdist`` / ``torch-bcast``: eager PyTorch autograd of the plain formula (distances
  by ``torch.cdist(z, c) ** 2`` or by ``(n, k, d)`` broadcasting; ``q``; ``p`` detached;
  ``kl_div(q.log(), p, reduction="batchmean")``; ``.backward()``);
* ``jax-bcast`` / ``jax-gemm``: ``jax.jit(jax.value_and_grad(...))`` of the same formula
  (broadcast distances, or ``|z|² + |c|² - 2 z cᵀ``), compile time excluded, outputs
  ``block_until_ready``;
* ``numpy-naive``: NumPy ``(n, k, d)`` broadcasting with the analytic gradients;
* ``floor``: only the three matrix products any method needs (``Z Mᵀ``, ``W M``,
  ``Wᵀ Z``) with NumPy's BLAS, in the same dtype.

The ``(n, k, d)`` broadcasting methods are skipped when one ``(n, k, d)`` array would
exceed ``--max-nkd-gb`` (2 GB); the table says ``skip``. Every method is called twice to
warm up (JAX compiles then), then ``--repeats`` rounds time every method once each, in a
rotated order, and the median per method is reported: ratios compare numbers taken side by
side, so a shared machine's load moves all of them together. Results are checked against
ours once per cell (``max rel diff`` in the JSON).

Memory: ``tracemalloc`` peak during one call of each NumPy method, minus the bytes of its
outputs, reported in units of ``n*k*itemsize``. Scaling: ours (and its streaming modes) at
``n/10`` for every grid ``(k, d)``, next to the grid's ``n``.

Usage::

    python benchmarks/bench_loss_and_grad.py                 # full grid, both dtypes
    python benchmarks/bench_loss_and_grad.py --quick         # n / 20, for a smoke run
    python benchmarks/bench_loss_and_grad.py --shapes 100000x10x32 --dtypes float32
    python benchmarks/bench_loss_and_grad.py --baseline old_functional.py  # + "before"

Writes ``benchmarks/results/bench_loss_and_grad[-TAG].json`` and ``.png`` (``--tag``,
``--out``). Timings are never asserted anywhere; this is a script, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import inspect
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

GRID = [
    (100_000, 10, 32),
    (100_000, 10, 256),
    (20_000, 100, 256),
    (10_000, 256, 512),
    (1_000_000, 10, 32),
]
QUICK_DIV = 20
PEERS = ("torch-cdist", "torch-bcast", "jax-bcast", "jax-gemm")
ALPHA = 1.0
RESULTS = Path(__file__).resolve().parent / "results"


# --------------------------------------------------------------------------- machine


def machine_info(threads: int) -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "numpy": np.__version__,
        "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }
    try:
        with open("/proc/cpuinfo") as fh:
            models = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        info["cpu_model"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    with contextlib.suppress(OSError):
        info["loadavg_start"] = list(os.getloadavg())
    # NumPy asks the kernel for huge pages for large arrays; where transparent huge pages
    # fault in with direct compaction ("defrag" = madvise), large allocations can cost
    # more than the arithmetic (docs/performance.md)
    info["numpy_madvise_hugepage_env"] = os.environ.get("NUMPY_MADVISE_HUGEPAGE")
    for key in ("enabled", "defrag"):
        with contextlib.suppress(OSError), open(f"/sys/kernel/mm/transparent_hugepage/{key}") as fh:
            info[f"thp_{key}"] = fh.read().strip()
    try:
        import threadpoolctl

        info["threadpools"] = [
            {
                k: p.get(k)
                for k in ("internal_api", "version", "architecture", "num_threads", "prefix")
            }
            for p in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    for mod in ("torch", "jax", "array_api_compat", "dec_array"):
        try:
            info[mod] = __import__(mod).__version__
        except Exception:
            info[mod] = None
    return info


def blas_line(info: dict[str, Any]) -> str:
    pools = info.get("threadpools")
    if not isinstance(pools, list):
        return str(pools)
    return ", ".join(
        f"{p['internal_api']} {p.get('version') or ''} {p.get('architecture') or ''}".strip()
        + f" ({p['num_threads']} threads)"
        for p in pools
    )


# --------------------------------------------------------------------------- methods


def _sync(out: Any) -> Any:
    return out


def make_ours(F: Any, z: np.ndarray, c: np.ndarray, **kwargs: Any) -> Callable[[], Any]:
    def run() -> Any:
        return F.loss_and_grad(z, c, ALPHA, **kwargs)

    return run


def make_fixed_target(F: Any, z: np.ndarray, c: np.ndarray, **kwargs: Any) -> Callable[[], Any]:
    target = np.ascontiguousarray(F.target_distribution(F.soft_assignment(z, c, ALPHA)))

    def run() -> Any:
        return F.loss_and_grad(z, c, ALPHA, target=target, **kwargs)

    return run


def make_naive(z: np.ndarray, c: np.ndarray) -> Callable[[], Any]:
    a = ALPHA

    def run() -> Any:
        n = z.shape[0]
        diff = z[:, None, :] - c[None, :, :]
        d = (diff**2).sum(-1)
        kern = (1.0 + d / a) ** (-(a + 1.0) / 2.0)
        q = kern / kern.sum(1, keepdims=True)
        w = q**2 / q.sum(0)
        p = w / w.sum(1, keepdims=True)
        loss = (p * (np.log(p) - np.log(q))).sum() / n
        big_w = ((a + 1.0) / (a * n)) * (p - q) / (1.0 + d / a)
        wd = big_w[:, :, None] * diff
        return loss, -wd.sum(0), wd.sum(1)

    return run


def make_floor(z: np.ndarray, c: np.ndarray) -> Callable[[], Any]:
    w = np.random.default_rng(1).random((z.shape[0], c.shape[0])).astype(z.dtype)

    def run() -> Any:
        return z @ c.T, w @ c, w.T @ z

    return run


def make_torch(z: np.ndarray, c: np.ndarray, mode: str) -> Callable[[], Any]:
    import torch

    zt = torch.from_numpy(z.copy()).requires_grad_(True)
    ct = torch.from_numpy(c.copy()).requires_grad_(True)
    a = ALPHA

    def run() -> Any:
        zt.grad = None
        ct.grad = None
        if mode == "cdist":
            d = torch.cdist(zt, ct) ** 2
        else:
            d = ((zt.unsqueeze(1) - ct.unsqueeze(0)) ** 2).sum(-1)
        kern = (1.0 + d / a) ** (-(a + 1.0) / 2.0)
        q = kern / kern.sum(1, keepdim=True)
        w = q**2 / q.sum(0)
        p = (w / w.sum(1, keepdim=True)).detach()
        loss = torch.nn.functional.kl_div(q.log(), p, reduction="batchmean")
        loss.backward()
        return loss.detach(), ct.grad, zt.grad

    return run


def make_jax(z: np.ndarray, c: np.ndarray, mode: str) -> Callable[[], Any]:
    import jax
    import jax.numpy as jnp

    a = ALPHA

    def loss_fn(cc: Any, zz: Any) -> Any:
        if mode == "bcast":
            d = jnp.sum((zz[:, None, :] - cc[None, :, :]) ** 2, axis=-1)
        else:
            d = (
                jnp.sum(zz * zz, axis=1)[:, None]
                + jnp.sum(cc * cc, axis=1)[None, :]
                - 2.0 * zz @ cc.T
            )
        kern = (1.0 + d / a) ** (-(a + 1.0) / 2.0)
        q = kern / jnp.sum(kern, axis=1, keepdims=True)
        w = q**2 / jnp.sum(q, axis=0)
        p = jax.lax.stop_gradient(w / jnp.sum(w, axis=1, keepdims=True))
        return jnp.sum(p * (jnp.log(p) - jnp.log(q))) / zz.shape[0]

    f = jax.jit(jax.value_and_grad(loss_fn, argnums=(0, 1)))
    zj, cj = jnp.asarray(z), jnp.asarray(c)

    def run() -> Any:
        loss, (gc_, gz) = f(cj, zj)
        return jax.block_until_ready((loss, gc_, gz))

    return run


def to_host(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def max_rel_diff(ref: Any, got: Any) -> float:
    worst = 0.0
    for a, b in zip(ref, got, strict=True):
        if a is None or b is None:
            continue
        a, b = to_host(a).astype(np.float64), to_host(b).astype(np.float64)
        scale = max(float(np.abs(a).max()), 1e-300)
        worst = max(worst, float(np.abs(a - b).max()) / scale)
    return worst


# --------------------------------------------------------------------------- measuring


def time_methods(methods: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    names = list(methods)
    for name in names:  # warm up (JAX compiles here)
        methods[name]()
        methods[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            t0 = time.perf_counter()
            out = methods[name]()
            samples[name].append(time.perf_counter() - t0)
            del out
    return samples


def peak_extra_bytes(fn: Callable[[], Any]) -> int:
    """tracemalloc peak of one call minus the bytes of what it returns."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    kept = sum(int(getattr(a, "nbytes", 0)) for a in out if a is not None)
    del out
    return peak - kept


def load_baseline(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("dec_array._bench_baseline", path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "dec_array"
    spec.loader.exec_module(mod)
    return mod


def data(n: int, k: int, d: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n + 7 * k + 13 * d)
    centers = rng.normal(size=(k, d))
    z = centers[rng.integers(0, k, n)] + 0.5 * rng.normal(size=(n, d))
    return z.astype(dtype), centers.astype(dtype)


# --------------------------------------------------------------------------- the run


def run_cell(
    F: Any,
    baseline: Any,
    n: int,
    k: int,
    d: int,
    dtype: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    z, c = data(n, k, d, dtype)
    itemsize = np.dtype(dtype).itemsize
    nkd_gb = n * k * d * itemsize / 1e9
    big = nkd_gb > args.max_nkd_gb
    params = inspect.signature(F.loss_and_grad).parameters
    methods: dict[str, Callable[[], Any]] = {"ours": make_ours(F, z, c)}
    if "grad_z" in params:
        methods["ours-no-grad_z"] = make_ours(F, z, c, grad_z=False)
    methods["ours-fixed-target"] = make_fixed_target(F, z, c)
    if baseline is not None:
        methods["before"] = make_ours(baseline, z, c)
    skipped: list[str] = []
    wanted = set(args.methods.split(",")) if args.methods else None
    for name, make, needs_nkd in (
        ("torch-cdist", lambda: make_torch(z, c, "cdist"), False),
        ("torch-bcast", lambda: make_torch(z, c, "bcast"), True),
        ("jax-bcast", lambda: make_jax(z, c, "bcast"), True),
        ("jax-gemm", lambda: make_jax(z, c, "gemm"), False),
        ("numpy-naive", lambda: make_naive(z, c), True),
        ("floor", lambda: make_floor(z, c), False),
    ):
        if wanted is not None and name not in wanted and name != "floor":
            continue
        if needs_nkd and big:
            skipped.append(name)
            continue
        methods[name] = make()

    ref = methods["ours"]()
    check = {
        name: max_rel_diff(ref, fn())
        for name, fn in methods.items()
        if name not in ("floor", "ours-no-grad_z", "ours-fixed-target")
    }
    samples = time_methods(methods, args.repeats)
    med = {name: statistics.median(v) for name, v in samples.items()}
    peers = {p: med[p] for p in PEERS if p in med}
    fastest = min(peers, key=peers.__getitem__) if peers else None
    mem: dict[str, float] = {}
    if not args.no_memory:
        for name in methods:
            if name.startswith(("ours", "before")) or name in ("numpy-naive", "floor"):
                mem[name] = peak_extra_bytes(methods[name]) / (n * k * itemsize)
    cell = {
        "n": n,
        "k": k,
        "d": d,
        "dtype": dtype,
        "nkd_gb": nkd_gb,
        "median_s": med,
        "samples_s": samples,
        "skipped": skipped,
        "fastest_peer": fastest,
        "ours_over_peer": med["ours"] / peers[fastest] if fastest else None,
        "ours_over_floor": med["ours"] / med["floor"],
        "peak_extra_nk": mem,
        "max_rel_diff_vs_ours": check,
    }
    if fastest:
        cell["target_s"] = max(peers[fastest] / 2, 1.25 * med["floor"])
        cell["time_target_met"] = med["ours"] <= cell["target_s"]
    if "ours" in mem:
        cell["memory_target_met"] = mem["ours"] <= 4.0
    del methods
    gc.collect()
    return cell


def run_scaling(
    F: Any, k: int, d: int, n: int, dtype: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Ours at n/10 and n (times and memory), and the streaming modes' memory."""
    params = inspect.signature(F.loss_and_grad).parameters
    out: dict[str, Any] = {"k": k, "d": d, "dtype": dtype, "n": [n // 10, n]}
    times, mems, stream = [], [], []
    for nn in (n // 10, n):
        z, c = data(nn, k, d, dtype)
        fn = make_ours(F, z, c)
        samples = time_methods({"ours": fn}, args.repeats)["ours"]
        times.append(statistics.median(samples))
        itemsize = np.dtype(dtype).itemsize
        if not args.no_memory:
            mems.append(peak_extra_bytes(fn) / (nn * k * itemsize))
            if "recompute" in params:
                s = make_ours(F, z, c, grad_z=False, recompute=True)
                stream.append(peak_extra_bytes(s))
    out["median_s"] = times
    out["time_ratio"] = times[1] / times[0]
    out["peak_extra_nk"] = mems
    out["streaming_peak_extra_bytes"] = stream
    return out


def fmt_ms(x: float | None) -> str:
    if x is None:
        return "skip"
    return f"{1e3 * x:.1f}" if x < 10 else f"{1e3 * x:.0f}"


def table(cells: list[dict[str, Any]], info: dict[str, Any]) -> str:
    cols = ["ours", "ours-no-grad_z", "ours-fixed-target", "before", *PEERS, "numpy-naive", "floor"]
    present = [
        c for c in cols if any(c in cell["median_s"] or c in cell["skipped"] for cell in cells)
    ]
    lines = [
        f"Machine: {info['cpu_model']}, {info['cpu_count']} cores, {info['threads']} threads per "
        f"library (process pinned to CPUs {info.get('cpu_affinity')}); numpy {info['numpy']}, torch {info.get('torch')}, jax {info.get('jax')}; "
        f"BLAS: {blas_line(info)}; load average at start {info.get('loadavg_start')}, "
        f"end {info.get('loadavg_end')}.",
        "",
        "Median ms of forward + both gradients (alpha = 1).",
        "",
        "| n, k, d | dtype | "
        + " | ".join(present)
        + " | ours / fastest peer | ours / floor | met | peak extra (× n·k·itemsize) |",
        "|" + "---|" * (len(present) + 6),
    ]
    for cell in cells:
        row = [f"{cell['n']:,}, {cell['k']}, {cell['d']}", cell["dtype"]]
        for name in present:
            row.append(fmt_ms(cell["median_s"].get(name)))
        ratio = cell.get("ours_over_peer")
        row.append(f"{ratio:.2f} ({cell['fastest_peer']})" if ratio else "-")
        row.append(f"{cell['ours_over_floor']:.2f}")
        met = cell.get("time_target_met")
        row.append("yes" if met else ("no" if met is not None else "-"))
        m = cell["peak_extra_nk"].get("ours")
        row.append(f"{m:.2f}" if m is not None else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def scaling_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| k, d | dtype | n → 10n | ours ms | time ratio | peak extra (× n·k·itemsize) | streaming peak extra (MiB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mem = ", ".join(f"{m:.2f}" for m in r["peak_extra_nk"]) or "-"
        st = ", ".join(f"{b / 2**20:.2f}" for b in r["streaming_peak_extra_bytes"]) or "-"
        lines.append(
            f"| {r['k']}, {r['d']} | {r['dtype']} | {r['n'][0]:,} → {r['n'][1]:,} | "
            f"{fmt_ms(r['median_s'][0])} → {fmt_ms(r['median_s'][1])} | {r['time_ratio']:.1f} | "
            f"{mem} | {st} |"
        )
    return "\n".join(lines)


def plot(cells: list[dict[str, Any]], scaling: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["ours", "ours-no-grad_z", "before", *PEERS, "numpy-naive"]
    names = [m for m in names if any(m in c["median_s"] for c in cells)]
    fig, axes = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [3, 1]})
    ax = axes[0]
    width = 0.8 / len(names)
    labels = [f"{c['n'] // 1000}k×{c['k']}×{c['d']}\n{c['dtype']}" for c in cells]
    x = np.arange(len(cells))
    for i, name in enumerate(names):
        vals = [c["median_s"].get(name, np.nan) / c["median_s"]["floor"] for c in cells]
        ax.bar(x + (i - (len(names) - 1) / 2) * width, vals, width, label=name)
    targets = [c.get("target_s", np.nan) / c["median_s"]["floor"] for c in cells]
    ax.scatter(x, targets, marker="_", s=900, color="k", zorder=3, label="target")
    ax.axhline(1.0, color="k", lw=1)
    ax.axhline(1.25, color="k", lw=1, ls="--", label="1.25 × floor")
    ax.set_yscale("log")
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("time / 3-GEMM floor (log scale; lower is better)")
    ax.set_title("DEC loss + both gradients, NumPy vs PyTorch autograd and jax.jit")
    ax.legend(fontsize=8, ncol=2)
    ax = axes[1]
    for r in scaling:
        ax.plot(
            r["n"],
            [1e3 * t for t in r["median_s"]],
            marker="o",
            label=f"k={r['k']}, d={r['d']}, {r['dtype']}",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel("ours, ms")
    ax.set_title("time as n grows 10×")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def parse_shapes(text: str | None, quick: bool) -> list[tuple[int, int, int]]:
    if text:
        shapes = [tuple(int(v) for v in s.lower().split("x")) for s in text.split(",")]
        return [(s[0], s[1], s[2]) for s in shapes]
    if quick:
        return [(n // QUICK_DIV, k, d) for n, k, d in GRID]
    return list(GRID)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"n / {QUICK_DIV}, 3 repeats")
    ap.add_argument("--shapes", help="comma-separated NxKxD, e.g. 100000x10x32,20000x100x256")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--repeats", type=int, default=None, help="timed rounds (default 7, quick 3)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--max-nkd-gb", type=float, default=2.0)
    ap.add_argument("--methods", help="restrict peers, e.g. torch-cdist,jax-gemm")
    ap.add_argument("--baseline", help="a functional.py to time as 'before' (e.g. from git show)")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-scaling", action="store_true")
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--tag", default="")
    args = ap.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 7

    cpus = None
    if hasattr(os, "sched_setaffinity") and args.threads < (os.cpu_count() or 1):
        # JAX's CPU client ignores thread flags and uses every core it may run on: confine
        # the whole process (all libraries) to ``threads`` cores, so that all peers run
        # on the same threads.
        cpus = sorted(os.sched_getaffinity(0))[: args.threads]
        os.sched_setaffinity(0, cpus)
    import threadpoolctl
    import torch

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    threadpoolctl.threadpool_limits(args.threads)
    import jax

    jax.config.update("jax_enable_x64", True)

    from dec_array import functional as F

    baseline = load_baseline(args.baseline) if args.baseline else None
    info = machine_info(args.threads)
    info["cpu_affinity"] = cpus
    shapes = parse_shapes(args.shapes, args.quick)
    dtypes = args.dtypes.split(",")
    print(f"# {info['cpu_model']}, {info['cpu_count']} cores; BLAS: {blas_line(info)}", flush=True)
    cells = []
    for n, k, d in shapes:
        for dtype in dtypes:
            cell = run_cell(F, baseline, n, k, d, dtype, args)
            cells.append(cell)
            print(
                f"{n}x{k}x{d} {dtype}: "
                + ", ".join(f"{m} {fmt_ms(t)}" for m, t in cell["median_s"].items())
                + f" | ours/peer {cell['ours_over_peer'] or float('nan'):.2f}"
                + f" ours/floor {cell['ours_over_floor']:.2f}"
                + f" mem {cell['peak_extra_nk'].get('ours', float('nan')):.2f} nk",
                flush=True,
            )
    scaling = []
    if not args.no_scaling:
        seen = set()
        for _n, k, d in shapes:
            if (k, d) in seen:
                continue
            seen.add((k, d))
            n_max = max(nn for nn, kk, dd in shapes if (kk, dd) == (k, d))
            for dtype in dtypes[:1]:
                scaling.append(run_scaling(F, k, d, n_max, dtype, args))
    with contextlib.suppress(OSError):
        info["loadavg_end"] = list(os.getloadavg())
    report = table(cells, info)
    if scaling:
        report += "\n\nScaling (ours, n grows 10×):\n\n" + scaling_table(scaling)
    print()
    print(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "bench_loss_and_grad" + (f"-{args.tag}" if args.tag else "")
    payload = {
        "machine": info,
        "alpha": ALPHA,
        "repeats": args.repeats,
        "cells": cells,
        "scaling": scaling,
        "table": report,
        "argv": sys.argv[1:],
    }
    (out / f"{stem}.json").write_text(json.dumps(payload, indent=1, default=float) + "\n")
    plot(cells, scaling, out / f"{stem}.png")
    print(f"\nwrote {out / (stem + '.json')} and {out / (stem + '.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
