"""Ensembles of neural nets, boosted trees and any scikit-learn estimator.

Public names load on first use (PEP 562 ``__getattr__``): ``import ensembles`` costs
scikit-learn's import at most, and torch, XGBoost and LightGBM load only when a net or the
roster of learners is first used. ``from ensembles import X`` and ``ensembles.X`` work as
for any eager import.
"""

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:  # what IDEs and type checkers see; never run
    from . import datasets as datasets
    from . import persistence as persistence
    from .classic.adaboost import AdaBoostClassifier, AdaBoostRegressor
    from .classic.bagging import BaggingClassifier, BaggingRegressor
    from .classic.gradient_boosting import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
    )
    from .combine.selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
    from .combine.stacking import StackingClassifier, StackingRegressor
    from .combine.voting import VotingClassifier, VotingRegressor
    from .engine.oof import CrossFit, cross_fit
    from .evaluation.benchmark import BenchmarkResult, benchmark
    from .evaluation.diversity import diversity
    from .evaluation.report import OverfittingReport, overfitting_report
    from .learners.device import DeviceUnavailableError, resolve_device, set_device
    from .learners.net import NetClassifier, NetRegressor
    from .learners.roster import make_learners
    from .tuning import TuneResult, tune

# Where each name is defined. The learners are reached through their defining modules,
# not through ``ensembles.learners``, so that one name loads no more than its own module.
_SOURCES = {
    "AdaBoostClassifier": ".classic.adaboost",
    "AdaBoostRegressor": ".classic.adaboost",
    "BaggingClassifier": ".classic.bagging",
    "BaggingRegressor": ".classic.bagging",
    "BenchmarkResult": ".evaluation.benchmark",
    "CrossFit": ".engine.oof",
    "DeviceUnavailableError": ".learners.device",
    "EnsembleSelectionClassifier": ".combine.selection",
    "EnsembleSelectionRegressor": ".combine.selection",
    "GradientBoostingClassifier": ".classic.gradient_boosting",
    "GradientBoostingRegressor": ".classic.gradient_boosting",
    "NetClassifier": ".learners.net",
    "NetRegressor": ".learners.net",
    "OverfittingReport": ".evaluation.report",
    "StackingClassifier": ".combine.stacking",
    "TuneResult": ".tuning",
    "StackingRegressor": ".combine.stacking",
    "VotingClassifier": ".combine.voting",
    "VotingRegressor": ".combine.voting",
    "benchmark": ".evaluation.benchmark",
    "cross_fit": ".engine.oof",
    "diversity": ".evaluation.diversity",
    "make_learners": ".learners.roster",
    "overfitting_report": ".evaluation.report",
    "resolve_device": ".learners.device",
    "set_device": ".learners.device",
    "tune": ".tuning",
}
# Submodules reachable as attributes without their own import statement.
_SUBMODULES = ("datasets", "persistence")

__all__ = [
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "BenchmarkResult",
    "CrossFit",
    "DeviceUnavailableError",
    "EnsembleSelectionClassifier",
    "EnsembleSelectionRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "NetClassifier",
    "NetRegressor",
    "OverfittingReport",
    "StackingClassifier",
    "StackingRegressor",
    "TuneResult",
    "VotingClassifier",
    "VotingRegressor",
    "__version__",
    "benchmark",
    "cross_fit",
    "diversity",
    "make_learners",
    "overfitting_report",
    "resolve_device",
    "set_device",
    "tune",
]


def __getattr__(name):
    if name in _SOURCES:
        value = getattr(importlib.import_module(_SOURCES[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Later look-ups find the name in the module's namespace and skip this function.
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
