"""Our distribution is ``ensembles-ml``; the package it installs is imported as ``ensembles``.

On the public package index the name ``ensembles`` belongs to an unrelated, Python-2-era
project whose 0.1.5 outranks our 0.1.0.dev0: advice to install that name, with or without
an extra, would replace this install with it. No message or doc may give such advice.
"""

import importlib.metadata
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAME = "ensembles-ml"
EXTRAS = ("plot", "dask", "optuna", "skops", "docs", "dev")

# The other project's package: the bare name after `pip install` (options and a quote may
# come between), or the bare name with an extra, anywhere. `ensembles-ml`, `-e .`,
# `ensembles.X` and the command `ensembles benchmark` do not match.
OTHER = re.compile(
    r"pip3?\s+install\s+(?:-[-\w]+\s+)*[\"']?ensembles(?![\w.-])"
    r"|(?<![\w.-])ensembles\[\w+")
TEXT = {".py", ".md", ".rst", ".txt", ".cfg", ".toml", ".ini", ".yml", ".yaml", ".html",
        ".sh", ".in"}
SKIP_DIRS = {".git", "build", "dist", "__pycache__", "node_modules", "_build", "generated",
             "auto_examples", ".whl", "out", ".pytest_cache", ".ruff_cache"}


def _texts():
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIP_DIRS or p.startswith(".venv") or p.endswith(".egg-info")
               for p in parts[:-1]):
            continue
        if path.is_file() and (path.suffix in TEXT or path.name in ("run", "Makefile")):
            yield path


def test_the_pattern_finds_the_other_projects_name():
    # what the pattern must catch, and what it must leave alone (so the scan below can fail)
    # (spelled in pieces, or the scan below would find them here)
    other = "ensembles"
    for bad in (f"pip install {other}[plot]", f"pip install {other}",
                f"`pip install {other}`", f'pip install -U "{other}[dask]"',
                f"({other}[optuna])", f"python -m pip install --upgrade {other}\n"):
        assert OTHER.search(bad), bad
    for fine in ("pip install ensembles-ml[plot]", 'pip install -e ".[dev]"',
                 "import ensembles", "ensembles benchmark --csv a.csv",
                 "ensembles.evaluation[0]", "pip install -e . && python -m ensembles"):
        assert not OTHER.search(fine), fine


def test_no_message_or_doc_names_the_other_project():
    texts = list(_texts())
    # the scan sees the package, the docs, the README, the examples, the tests and CI
    seen = {p.relative_to(ROOT).as_posix() for p in texts}
    for expected in ("README.md", "setup.py", "ensembles/evaluation/plots.py",
                     "docs/user_guide.md", "examples/quickstart.py", ".ci/run"):
        assert expected in seen, expected
    found = []
    for path in texts:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OTHER.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "advice that installs the unrelated 'ensembles' project:\n" + \
        "\n".join(found)


def test_setup_names_our_distribution():
    setup = (ROOT / "setup.py").read_text()
    assert re.findall(r'^\s*name="([^"]+)"', setup, re.M) == [NAME]
    # the package and the command keep the name `ensembles`
    assert 'find_packages(include=["ensembles", "ensembles.*"])' in setup
    assert '"ensembles = ensembles.cli.main:main"' in setup
    for extra in EXTRAS:
        assert f'"{extra}":' in setup, extra


def test_messages_name_our_extras():
    # every ImportError and doc that names an extra names it on our distribution
    said = {extra: [] for extra in EXTRAS}
    for path in _texts():
        for extra in re.findall(rf"{re.escape(NAME)}\[(\w+)\]", path.read_text()):
            said.setdefault(extra, []).append(path.name)
    assert set(said) == set(EXTRAS), f"an extra that setup.py does not define: {said}"
    for extra in ("plot", "dask", "optuna", "skops"):
        assert said[extra], f"nothing says how to install the {extra!r} extra"


def test_installed_under_our_name():
    dist = importlib.metadata.distribution(NAME)
    assert dist.metadata["Name"] == NAME
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        # an install of the other project, or this one under its old name (before
        # issue 17); `pip uninstall ensembles`, then `pip install -e ".[dev]"` again
        importlib.metadata.distribution("ensembles")
