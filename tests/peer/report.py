"""Run scikit-learn's ensemble test files against our classes and print the pass table.

    python tests/peer/report.py                    # our classes
    python tests/peer/report.py --against sklearn  # control: scikit-learn's own classes
    python tests/peer/report.py --failures         # also each failing test, one line
    python tests/peer/report.py -- -k stacking     # anything after -- goes to pytest

It runs ``python -m pytest tests/peer -m peer`` (one process, no xdist) and reads the
outcome of every test from pytest's JUnit XML. The failures are classified in
docs/peer_tests.md; tests/peer/conftest.py says how the files are collected.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUB_PREFIX = "test_sklearn_"
OUTCOMES = ("passed", "failed", "errors", "skipped")


def run(against="ensembles", pytest_args=(), junitxml=None):
    """Run the peer tests; return ``[(file, test, outcome, message)]`` and pytest's code."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(junitxml) if junitxml else Path(tmp) / "peer.xml"
        command = [
            sys.executable, "-m", "pytest", "tests/peer", "-m", "peer", "-q",
            "-p", "no:cacheprovider", "-o", "junit_family=xunit2", f"--junitxml={xml}",
            *pytest_args,
        ]  # fmt: skip
        env = {**os.environ, "ENSEMBLES_PEER_CLASSES": against}
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL).returncode
        if not xml.exists():
            raise SystemExit(f"pytest wrote no report (exit code {code}): {' '.join(command)}")
        return parse(xml), code


def parse(xml):
    """``[(file, test, outcome, message)]`` from pytest's JUnit XML."""
    results = []
    for case in ET.parse(xml).getroot().iter("testcase"):
        classname = case.get("classname") or case.get("name")  # "" for a collection error
        stub = classname.rsplit(".", 1)[-1]
        file = "test_" + stub[len(STUB_PREFIX) :] + ".py" if stub.startswith(STUB_PREFIX) else stub
        outcome, message = "passed", ""
        for tag in ("skipped", "error", "failure"):  # the worst one wins
            if (node := case.find(tag)) is not None:
                outcome = {"error": "errors", "failure": "failed"}.get(tag, tag)
                message = (node.get("message") or "").splitlines()[0:1]
                message = message[0] if message else ""
        results.append((file, case.get("name"), outcome, message))
    return results


def table(results):
    """The pass table in markdown: per file and overall."""
    counts = defaultdict(Counter)
    for file, _, outcome, _ in results:
        counts[file][outcome] += 1
        counts["all"][outcome] += 1
    lines = [
        "| file | passed | failed | errors | skipped | total | pass rate |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for file in [*sorted(f for f in counts if f != "all"), "all"]:
        c = counts[file]
        total = sum(c.values())
        rate = 100 * c["passed"] / total if total else 0.0
        name = f"**{file}**" if file == "all" else file
        cells = " | ".join(str(c[o]) for o in OUTCOMES)
        lines.append(f"| {name} | {cells} | {total} | {rate:.1f}% |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--against",
        choices=("ensembles", "sklearn"),
        default="ensembles",
        help="whose classes the tests run against (sklearn: the control run)",
    )
    parser.add_argument("--failures", action="store_true", help="list each failing test")
    parser.add_argument("--junitxml", help="keep pytest's JUnit XML at this path")
    args, pytest_args = parser.parse_known_args(argv)
    pytest_args = [a for a in pytest_args if a != "--"]
    results, code = run(args.against, pytest_args, args.junitxml)
    if code not in (0, 1):  # 0: all passed, 1: some failed; else the run itself broke
        print(f"pytest stopped with exit code {code}: the table may be partial", file=sys.stderr)
    whose = "our" if args.against == "ensembles" else "scikit-learn's"
    print(f"scikit-learn's ensemble tests against {whose} classes\n")
    print(table(results))
    if args.failures:
        print()
        for file, test, outcome, message in results:
            if outcome in ("failed", "errors"):
                label = "FAIL" if outcome == "failed" else "ERROR"
                print(f"{label:5}  {file}::{test}  {message[:200]}")


if __name__ == "__main__":
    main()
