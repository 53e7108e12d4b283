"""The examples run as a user runs them, and show what they claim."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_overfitting_report_example(tmp_path):
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "overfitting_report.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # the overfitting net: from its best epoch on, train loss falls, validation loss rises
    assert "train log-loss" in run.stdout
    assert "(falls)" in run.stdout and "(rises)" in run.stdout, run.stdout[-1500:]
    verdicts = {line.split()[0]: line.split()[-1] for line in run.stdout.splitlines()
                if line.split() and line.split()[0] in ("net", "xgb")}
    assert verdicts["net"] == "overfit"
    for name in ("gap.png", "curves.png", "overfitting_report.html"):
        path = tmp_path / name
        assert path.stat().st_size > 1000
    assert (tmp_path / "gap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
