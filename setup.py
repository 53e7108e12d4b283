"""Packaging for ``ensembles``.

Tool configuration (ruff, pytest) and the build-system table live in ``pyproject.toml``.
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "ensembles" / "_version.py").read_text(), re.M
).group(1)

EXTRAS = {
    "plot": ["matplotlib>=3.7"],
    "dask": ["dask[distributed]>=2024.1"],
    "optuna": ["optuna>=3.5"],
    # Saving and loading without pickle's code execution (ensembles.persistence).
    "skops": ["skops>=0.10"],
    # The documentation site (docs/conf.py); tests/test_docs.py builds it in CI.
    "docs": ["sphinx>=7", "numpydoc>=1.6", "sphinx-gallery>=0.17", "myst-parser>=3",
             "matplotlib>=3.7"],
    "dev": [
        # The default test run includes scikit-learn's own ensemble test files against
        # our classes (tests/peer), read from the installed wheel: pinned so that CI
        # tests against the release whose tests docs/peer_tests.md reports; bump it on
        # purpose, with a peer run (python tests/peer/report.py).
        "scikit-learn==1.9.1",
        "pytest>=8",
        "pytest-xdist>=3.5",
        "hypothesis>=6.100",
        "ruff>=0.6",
        "pandas>=2.0",
        "matplotlib>=3.7",
        # The paper authors' TabM (Apache-2.0): tests/test_tabm.py checks our TabM
        # (ensembles/learners/_tabm.py) against it layer for layer; not needed to run.
        "tabm>=0.0.3",
        # tests/test_persistence.py round-trips every estimator through skops.io.
        "skops>=0.10",
        # tests/test_distributed.py fits on a real dask LocalCluster (loopback).
        "dask[distributed]>=2024.1",
        # tests/test_tuning.py runs ensembles.tune's Optuna searches.
        "optuna>=3.5",
    ],
}
# tests/test_docs.py builds the site with warnings as errors and runs the gallery.
EXTRAS["dev"] += EXTRAS["docs"]

setup(
    # Not "ensembles": on the public index that name belongs to an unrelated project,
    # whose 0.1.5 would win over our 0.1.0.dev0 when pip resolves it, with an extra or
    # not. The import name stays `ensembles`; tests/test_distribution_name.py keeps every
    # message and doc to this name.
    name="ensembles-ml",
    version=VERSION,
    description=(
        "Ensembles of neural nets, boosted trees and any scikit-learn estimator: "
        "bagging, boosting, voting, stacking, with cross-validated overfitting reports."
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    python_requires=">=3.10",
    packages=find_packages(include=["ensembles", "ensembles.*"]),
    install_requires=[
        "numpy>=1.24",
        "scipy>=1.10",
        "scikit-learn>=1.6",
        "joblib>=1.3",
        # threadpoolctl caps BLAS/OpenMP pools inside parallel workers (already a
        # scikit-learn dependency; named because we import it directly).
        "threadpoolctl>=3.1",
        # With psutil, joblib's worker processes skip the gc.collect() they otherwise run
        # between tasks; in a worker that imported torch/xgboost/lightgbm each collection
        # costs ~0.2 s, i.e. 25-33% more CPU for cross_fit's many short (member, fold)
        # tasks at n_jobs=2 (measured, docs/benchmarks.md "Stacking cost").
        "psutil>=5.9",
        # Progress bars over (member, fold) fits: small, well kept, works in notebooks.
        "tqdm>=4.60",
        # The `ensembles` command: well kept, small, typer is built on it; we need no more.
        "click>=8.1",
        # CSV files and the tabular preprocessing of the command line.
        "pandas>=2.0",
        "torch>=2.1",
        "skorch>=1.0",
        "xgboost>=2.0",
        "lightgbm>=4.0",
    ],
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["ensembles = ensembles.cli.main:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
