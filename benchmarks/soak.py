"""Soak test: fit DEC many times in one process and watch memory for leaks.

Fits ``DEC`` repeatedly on one blob dataset (2000 x 16 by default) with a small
``max_iter`` and prints, every ``--every`` fits, the resident set size (current, from
``/proc/self/statm`` where available, and the peak from ``resource.getrusage``) and the
Python heap as ``tracemalloc`` sees it (current and peak). It ends with the verdict
``growth over the last half: X MiB`` (the change of the current RSS and of the traced
heap between the middle and the end of the run). It is a script, not a test: it always
exits 0 unless fitting itself fails.

Usage::

    python benchmarks/soak.py               # 200 fits
    python benchmarks/soak.py --fits 1000
    python benchmarks/soak.py --quick       # 30 fits on 500 x 16, for a smoke run
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc

import numpy as np

from dec_array import DEC

MiB = 1024.0 * 1024.0


def rss_now_mib() -> float:
    """Current resident set size in MiB (Linux ``/proc``; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / MiB
    except (OSError, ValueError, IndexError):
        return rss_peak_mib()


def rss_peak_mib() -> float:
    """Peak resident set size in MiB (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MiB if sys.platform == "darwin" else peak / 1024.0


def blobs(n: int, d: int, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(k, d))
    return centres[rng.integers(0, k, n)] + rng.normal(size=(n, d))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=None, help="number of fits (default 200)")
    parser.add_argument("--every", type=int, default=None, help="report every N fits")
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--n-features", type=int, default=16)
    parser.add_argument("--n-clusters", type=int, default=5)
    parser.add_argument("--max-iter", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="30 fits on 500 samples")
    args = parser.parse_args(argv)
    fits = args.fits if args.fits is not None else (30 if args.quick else 200)
    n = args.n_samples if args.n_samples is not None else (500 if args.quick else 2000)
    every = args.every if args.every is not None else max(1, fits // 10)
    if fits < 2 or every < 1:
        parser.error("--fits must be >= 2 and --every >= 1")

    X = blobs(n, args.n_features, args.n_clusters)
    print(
        f"soak: {fits} DEC fits on {n}x{args.n_features}, k={args.n_clusters}, "
        f"max_iter={args.max_iter}, numpy {np.__version__}, python {sys.version.split()[0]}"
    )
    tracemalloc.start()
    header = f"{'fit':>6} {'rss MiB':>9} {'rss peak':>9} {'traced MiB':>11} {'traced peak':>12} {'s/fit':>7}"
    print(header)
    print("-" * len(header))
    rows: list[tuple[int, float, float]] = []  # (fit, rss, traced)
    t0 = time.perf_counter()
    last, last_i = t0, 0
    for i in range(1, fits + 1):
        dec = DEC(
            args.n_clusters,
            n_init=2,
            batch_size=256,
            update_interval=20,
            max_iter=args.max_iter,
            random_state=i,
        )
        dec.fit(X)
        del dec
        if i % every == 0 or i == fits or i == 1:
            gc.collect()
            cur, peak = tracemalloc.get_traced_memory()
            rss = rss_now_mib()
            now = time.perf_counter()
            per_fit = (now - last) / (i - last_i)
            last, last_i = now, i
            rows.append((i, rss, cur / MiB))
            print(
                f"{i:>6} {rss:>9.1f} {rss_peak_mib():>9.1f} {cur / MiB:>11.3f} "
                f"{peak / MiB:>12.3f} {per_fit:>7.3f}"
            )
    tracemalloc.stop()

    mid = fits // 2
    first = min((r for r in rows if r[0] >= mid), key=lambda r: r[0])
    end = rows[-1]
    rss_growth = end[1] - first[1]
    traced_growth = end[2] - first[2]
    print("-" * len(header))
    print(f"total {time.perf_counter() - t0:.1f} s")
    print(
        f"growth over the last half: {rss_growth:+.2f} MiB RSS "
        f"(fit {first[0]} -> {end[0]}), {traced_growth:+.3f} MiB traced Python heap"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
