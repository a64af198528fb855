"""Where the time of ``loss_and_grad`` goes, next to what the performance target leaves.

For each grid cell this times, side by side on one thread (same protocol as
``bench_loss_and_grad.py``: warm-up, rotated rounds, medians):

* ``ours``: ``dec_array.functional.loss_and_grad(z, centers)`` (``alpha = 1``);
* ``floor`` and its three products ``Z Mᵀ``, ``W M``, ``Wᵀ Z`` one by one;
* ``pass (n,d)``: one elementwise operation over the samples (``z - shift``), by row blocks
  of the kernel's ``"auto"`` size, each block written to a new block-sized array: what one
  more pass over the samples costs the kernel;
* ``pass (k,n)``: one elementwise operation over two ``(k, n)`` arrays (``w * q``), by the
  same row blocks.

and the two peers that can be fastest (``jax-gemm``, ``torch-cdist``: see
``bench_loss_and_grad.py``). It prints, per cell, the time target
``max(fastest peer / 2, 1.25 × floor)`` of that run, the slack ``target - floor``, and how many
``(n, d)`` or ``(k, n)`` passes that slack pays for. Besides the three products, a NumPy
kernel that does not fuse elementwise work makes at least two ``(n, d)`` passes (shifting
``z`` before the distance product, kept for accuracy, and ``rowsum(W) ∘ z - W M`` for
``dL/dz``) and about 18 ``(k, n)`` passes (``docs/performance.md``). Timings are never
asserted anywhere; this is a script, not a test.

Usage::

    python benchmarks/breakdown.py                      # the grid, both dtypes
    python benchmarks/breakdown.py --shapes 100000x10x256 --dtypes float32

Writes ``benchmarks/results/breakdown.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_loss_and_grad import (  # the sibling script, found by path
    GRID,
    RESULTS,
    data,
    machine_info,
    make_floor,
    make_jax,
    make_ours,
    make_torch,
    time_methods,
)

N_PASSES_ND = 2
N_PASSES_NK = 18


def blockwise(op: Any, spans: list[tuple[int, int]]) -> None:
    """Run ``op`` on every block, dropping each result before the next (as the kernel)."""
    for i, j in spans:
        op(i, j)


def run_cell(F: Any, n: int, k: int, d: int, dtype: str, repeats: int) -> dict[str, float]:
    z, c = data(n, k, d, dtype)
    rng = np.random.default_rng(1)
    w = rng.random((n, k)).astype(dtype)
    w_t = np.ascontiguousarray(w.T)
    q_t = rng.random((k, n)).astype(dtype)
    shift = c.mean(axis=0)
    # the passes are timed as the kernel makes them: by row blocks of the "auto" size
    block = F._resolve_block(np, z, k, "auto") or n
    spans = [(i, min(i + block, n)) for i in range(0, n, block)]
    methods = {
        "ours": make_ours(F, z, c),
        "floor": make_floor(z, c),  # the main benchmark's floor (same W, drawn from seed 1)
        "Z Mt": lambda: z @ c.T,
        "W M": lambda: w @ c,
        "Wt Z": lambda: w.T @ z,
        "pass (n,d)": lambda: blockwise(lambda i, j: z[i:j] - shift, spans),
        "pass (k,n)": lambda: blockwise(lambda i, j: w_t[:, i:j] * q_t[:, i:j], spans),
        "jax-gemm": make_jax(z, c, "gemm"),
        "torch-cdist": make_torch(z, c, "cdist"),
    }
    samples = time_methods(methods, repeats)
    return {name: statistics.median(v) for name, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shapes", help="comma-separated NxKxD (default: the benchmark grid)")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(RESULTS / "breakdown.json"))
    args = ap.parse_args(argv)

    if hasattr(os, "sched_setaffinity") and args.threads < (os.cpu_count() or 1):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    import threadpoolctl
    import torch

    torch.set_num_threads(args.threads)
    threadpoolctl.threadpool_limits(args.threads)
    import jax

    jax.config.update("jax_enable_x64", True)
    from dec_array import functional as F

    shapes = (
        [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
        if args.shapes
        else list(GRID)
    )
    rows, cells = [], []
    header = (
        "| n, k, d | dtype | ours | fastest peer | floor | Z Mᵀ | W M | Wᵀ Z | pass (n,d) | pass (k,n) "
        "| target | slack | slack in (n,d) passes | slack in (k,n) passes | ours - floor |"
    )
    rows.append(header)
    rows.append("|" + "---|" * 15)
    for n, k, d in shapes:
        for dtype in args.dtypes.split(","):
            m = run_cell(F, n, k, d, dtype, args.repeats)
            peer = min(m["jax-gemm"], m["torch-cdist"])
            target = max(peer / 2, 1.25 * m["floor"])
            slack = target - m["floor"]
            cell = {"n": n, "k": k, "d": d, "dtype": dtype, "median_s": m}
            cell.update(target_s=target, fastest_peer_s=peer)
            cells.append(cell)

            def ms(x: float) -> str:
                return f"{1e3 * x:.1f}"

            rows.append(
                f"| {n:,}, {k}, {d} | {dtype} | {ms(m['ours'])} | {ms(peer)} | {ms(m['floor'])} "
                f"| {ms(m['Z Mt'])} | {ms(m['W M'])} | {ms(m['Wt Z'])} | {ms(m['pass (n,d)'])} "
                f"| {ms(m['pass (k,n)'])} | {ms(target)} | {ms(slack)} "
                f"| {slack / m['pass (n,d)']:.1f} | {slack / m['pass (k,n)']:.0f} "
                f"| {ms(m['ours'] - m['floor'])} |"
            )
            print(rows[-1], flush=True)
    print()
    print("\n".join(rows))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": machine_info(args.threads),
        "passes": {"n_d": N_PASSES_ND, "k_n": N_PASSES_NK},
        "cells": cells,
        "table": "\n".join(rows),
    }
    out.write_text(json.dumps(payload, indent=1, default=float) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
