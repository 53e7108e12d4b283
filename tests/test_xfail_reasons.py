"""Expected failures keep the reason that ``pytest -ra`` prints to one short line; the full
explanation stands in a comment next to it.

The test collects (without running) every test file that declares expected failures
(``xfail`` marks, or scikit-learn's ``expected_failed_checks``) in a pytest of its own,
with this module loaded as a plugin that writes each collected item's xfail reason to a
JSON file.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
LONGEST = 80


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    # active only in the collecting subprocess below, which loads this module with -p
    out = os.environ.get("ENSEMBLES_XFAIL_REASONS")
    if not out:
        return
    reasons = {}
    for item in items:
        for mark in item.iter_markers("xfail"):
            reasons[item.nodeid] = mark.kwargs.get("reason", mark.args[0] if mark.args else "")
    Path(out).write_text(json.dumps(reasons))


def test_xfail_reasons_are_short(tmp_path):
    files = sorted(
        str(path) for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve()
        and ("xfail" in (text := path.read_text()) or "expected_failed_checks" in text))
    assert any(f.endswith("test_common.py") for f in files), files
    out = tmp_path / "reasons.json"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "test_xfail_reasons", *files],
        capture_output=True, text=True, timeout=300, cwd=TESTS.parent,
        env={**os.environ, "ENSEMBLES_XFAIL_REASONS": str(out),
             "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    reasons = json.loads(out.read_text())
    # the default run's expected failures: scikit-learn's checks and the skops cases
    assert sum("test_common.py" in node for node in reasons) >= 10, reasons
    assert any("test_persistence.py" in node for node in reasons), reasons
    long = {node: reason for node, reason in reasons.items()
            if len(reason) > LONGEST or "\n" in reason or not reason.strip()}
    assert long == {}, json.dumps(long, indent=1)
