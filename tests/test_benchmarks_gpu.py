"""benchmarks/gpu.py runs end to end in its smoke mode (CPU stand-in, tiny sizes).

Only the script's plumbing is checked here: the smoke figures are CPU figures, and the GPU
side of the script (CUDA timings, synchronisation, loading a CUDA-fitted model on a
CPU-only process) runs only on a GPU machine (DEVELOPERS.md, "Running the GPU benchmark").
"""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu.py"


def test_gpu_benchmark_smoke_prints_its_tables():
    run = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--parts", "a,c"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    assert out.startswith("command: ")
    assert "torch " in out and "NOT GPU figures" in out
    assert "(a) NetClassifier fit seconds" in out
    assert "ours cpu/plain" in out and "auto/cpu" in out
    assert "\nsmall " in out and "\nlarge " in out  # one row per net size
    assert "(c) fitted on cpu, pickled, loaded with CUDA_VISIBLE_DEVICES=''" in out
    assert "loaded 2, failed 0" in out
    assert "(b)" not in out  # --parts is honoured


def test_gpu_benchmark_refuses_an_unknown_part():
    run = subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--parts", "z"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "unknown parts" in run.stderr
