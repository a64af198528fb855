"""The benchmark scripts run end to end on a tiny cell and write what the docs read.

No timing is asserted: only that the scripts run, that their JSON has the documented
fields and that the derived columns follow from the measured ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
TINY = ["--shapes", "300x3x4", "--dtypes", "float64", "--repeats", "1", "--threads", "1"]


def _run(script: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_breakdown_script_on_a_tiny_cell(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    pytest.importorskip("threadpoolctl")
    dest = tmp_path / "breakdown.json"
    stdout = _run("breakdown.py", *TINY, "--out", str(dest))
    payload = json.loads(dest.read_text())
    (cell,) = payload["cells"]
    assert (cell["n"], cell["k"], cell["d"], cell["dtype"]) == (300, 3, 4, "float64")
    med = cell["median_s"]
    for name in ("ours", "floor", "Z Mt", "W M", "Wt Z", "pass (n,d)", "pass (k,n)"):
        assert med[name] > 0
    assert cell["fastest_peer_s"] == min(med["jax-gemm"], med["torch-cdist"])
    assert cell["target_s"] == max(cell["fastest_peer_s"] / 2, 1.25 * med["floor"])
    rows = [ln for ln in payload["table"].splitlines() if ln.startswith("| 300,")]
    assert len(rows) == 1
    assert rows[0].count("|") == 16  # 15 columns
    assert rows[0] in stdout
    assert payload["machine"]["threads"] == 1


def test_loss_and_grad_benchmark_on_a_tiny_cell(tmp_path):
    for mod in ("torch", "jax", "threadpoolctl", "matplotlib"):
        pytest.importorskip(mod)
    _run("bench_loss_and_grad.py", *TINY, "--no-scaling", "--out", str(tmp_path), "--tag", "t")
    payload = json.loads((tmp_path / "bench_loss_and_grad-t.json").read_text())
    (cell,) = payload["cells"]
    assert cell["ours_over_floor"] == cell["median_s"]["ours"] / cell["median_s"]["floor"]
    thp = Path("/sys/kernel/mm/transparent_hugepage/defrag")
    assert ("thp_defrag" in payload["machine"]) == thp.is_file()
    assert (tmp_path / "bench_loss_and_grad-t.png").stat().st_size > 0
