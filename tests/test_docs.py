"""The documentation site: it builds with no warning, every public name has a page, the
gallery's examples run (on the small budget of ``--quick``), and a headless browser opens
the built index and a gallery page where one is installed.

The build works on a copy of ``docs/``, ``examples/`` and ``README.md`` in a temporary
folder: what Sphinx and sphinx-gallery write next to their sources (API stubs, executed
examples) never lands in the repository. One build serves every test of a run, also
across pytest-xdist workers (a file lock in the run's shared temporary folder).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ensembles
from ensembles import datasets, persistence

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("quickstart", "overfitting_report", "benchmark", "classic_results", "gpu")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _build(folder):
    source = folder / "source"
    for name in ("docs", "examples"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("_build", "generated", "auto_examples",
                                                      "__pycache__"))
    shutil.copy(ROOT / "README.md", source / "README.md")
    html = folder / "html"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         str(source / "docs"), str(html)],
        capture_output=True, text=True, timeout=900, cwd=source,
    )
    result = {"returncode": run.returncode, "output": run.stdout + run.stderr,
              "html": str(html), "gallery": str(source / "docs" / "auto_examples")}
    (folder / "result.json").write_text(json.dumps(result))
    return result


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _build(tmp_path_factory.mktemp("docs"))
    from filelock import FileLock  # a torch dependency; only xdist runs need it

    shared = tmp_path_factory.getbasetemp().parent  # one per run, shared by its workers
    folder = shared / "docs_site"
    with FileLock(str(shared / "docs_site.lock")):
        if (folder / "result.json").exists():
            return json.loads((folder / "result.json").read_text())
        folder.mkdir(exist_ok=True)
        return _build(folder)


def _public_names():
    names = [f"ensembles.{name}" for name in ensembles.__all__ if name != "__version__"]
    names += [f"ensembles.datasets.{name}" for name in datasets.__all__]
    names += [f"ensembles.persistence.{name}" for name in persistence.__all__]
    return names + ["ensembles.evaluation.diversity.plot_diversity"]


def test_site_builds_without_warnings(site):
    output = site["output"]
    assert site["returncode"] == 0, output[-5000:]
    # Sphinx's warnings (errors under -W) and Python warnings printed by an extension,
    # such as numpydoc's "Unknown section", which drops the section from the page.
    # myst prints its settings, among them "suppress_warnings=[]".
    warned = [line for line in output.splitlines()
              if re.search("warn", line, re.I) and "MdParserConfig" not in line]
    assert warned == [], "\n".join(warned)


def test_every_public_name_has_a_page(site):
    html = Path(site["html"])
    api = (html / "api.html").read_text()
    for name in _public_names():
        page = html / "generated" / f"{name}.html"
        assert page.exists(), f"no API page for {name}"
        text = page.read_text()
        # autodoc found the object: its signature is on the page, not just a title
        assert f'id="{name}"' in text, f"{name}: the page documents nothing"
        assert f"generated/{name}.html" in api, f"{name} is not listed in the API reference"
    # numpydoc rendered the sections of a class with its own (the nets' docstrings once
    # had sections numpydoc does not know, and lost them)
    net = (html / "generated" / "ensembles.NetClassifier.html").read_text()
    assert "class_weight" in net and "hidden_layer_sizes" in net and "classes_" in net


def test_gallery_runs_every_example(site):
    html = Path(site["html"])
    gallery = Path(site["gallery"])
    times = (gallery / "sg_execution_times.rst").read_text()
    for name in EXAMPLES:
        assert f"({name}.py)" in times.replace("``", ""), f"{name} was not in the gallery"
    pages = {name: (html / "auto_examples" / f"{name}.html").read_text() for name in EXAMPLES}
    # each page shows the output of the run, made with --quick
    assert "stacked accuracy:" in pages["quickstart"]
    assert "report made in" in pages["overfitting_report"]
    # the overfitting net: from its best epoch on, train loss falls, validation loss rises
    assert "(falls)" in pages["overfitting_report"]
    assert "(rises)" in pages["overfitting_report"]
    assert "best:" in pages["benchmark"]
    assert "100 rounds" in pages["classic_results"]  # the --quick budget (400 without)
    assert "predict the same: True" in pages["classic_results"]
    assert "predicts the same probabilities: True" in pages["gpu"]
    # the Figures the examples draw without pyplot are on their pages
    for name, count in (("benchmark", 2), ("classic_results", 1), ("overfitting_report", 2)):
        images = sorted((html / "_images").glob(f"sphx_glr_{name}_0*.png"))
        assert len(images) == count, (name, images)
        for image in images:
            assert image.name in pages[name]
            assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    index = (html / "auto_examples" / "index.html").read_text()
    for name in EXAMPLES:
        assert f'href="{name}.html' in index


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def test_pages_open_in_a_headless_browser(request, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip(f"no headless Chromium here (looked for {', '.join(BROWSERS)} on PATH)")
    site = request.getfixturevalue("site")
    assert site["returncode"] == 0, site["output"][-3000:]
    html = Path(site["html"])

    def dom(page):
        run = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        return run.stdout

    index = dom(html / "index.html")
    assert "<title>" in index and "ensembles" in index
    assert 'href="api.html"' in index and 'href="auto_examples/index.html"' in index
    page = dom(html / "auto_examples" / "benchmark.html")
    assert "best:" in page
    assert "sphx_glr_benchmark_001.png" in page
    # the page's scripts ran in the browser: an inline script of Sphinx's shows the
    # search box, hidden in the HTML as served
    assert re.search(r'id="searchbox" style="display: none', page) is None
    assert re.search(r'id="searchbox" style="display: block', page), page[:3000]
