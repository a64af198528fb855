"""GPU check in one go: the CuPy (and CUDA PyTorch) test selection, then a short speed table.

Run on a machine with an NVIDIA GPU and CuPy installed (``pip install ".[test,gpu]"``)::

    python benchmarks/gpu_check.py            # tests + timings, a few minutes
    python benchmarks/gpu_check.py --no-tests # timings only

It runs ``pytest -k "cupy or torch-cuda"`` over the whole suite (every test that takes the
backend fixture runs on the GPU backends), then times ``dec_array.functional.loss_and_grad``
on CuPy against eager PyTorch autograd of the plain formula on the same GPU, and prints a
table. Nothing here is asserted as a wall-clock time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

SHAPES = [(100_000, 10, 32), (100_000, 10, 256), (20_000, 100, 256), (10_000, 256, 512)]


def _median_time(fn, sync, repeat: int = 7) -> float:
    fn()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def run_tests() -> int:
    root = Path(__file__).resolve().parents[1]
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "cupy or torch-cuda",
    ]
    print("$", " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=root)


def run_timings() -> None:
    import cupy as cp

    from dec_array import functional as F

    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    print(f"\n{'n':>8} {'k':>4} {'d':>4} {'dtype':>8} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}")
    for n, k, d in SHAPES:
        for dtype in ("float32", "float64"):
            rng = cp.random.default_rng(0)
            z = rng.standard_normal((n, d), dtype=dtype)
            c = rng.standard_normal((k, d), dtype=dtype)
            ours = _median_time(
                lambda z=z, c=c: F.loss_and_grad(z, c), cp.cuda.Device().synchronize
            )
            peer = float("nan")
            if torch is not None and torch.cuda.is_available():
                zt = torch.as_tensor(z, device="cuda").requires_grad_()
                ct = torch.as_tensor(c, device="cuda").requires_grad_()

                def step(zt=zt, ct=ct):
                    dist = torch.cdist(zt, ct) ** 2
                    kern = 1.0 / (1.0 + dist)
                    q = kern / kern.sum(1, keepdim=True)
                    w = q**2 / q.sum(0)
                    p = (w / w.sum(1, keepdim=True)).detach()
                    loss = torch.nn.functional.kl_div(q.log(), p, reduction="batchmean")
                    zt.grad = ct.grad = None
                    loss.backward()

                peer = _median_time(step, torch.cuda.synchronize)
            print(
                f"{n:>8} {k:>4} {d:>4} {dtype:>8} {ours * 1e3:>9.3f} {peer * 1e3:>9.3f} "
                f"{ours / peer:>6.2f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-tests", action="store_true", help="only print the timings")
    args = parser.parse_args()
    rc = 0 if args.no_tests else run_tests()
    run_timings()
    return rc


if __name__ == "__main__":
    sys.exit(main())
