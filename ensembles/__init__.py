"""Ensembles of neural nets, boosted trees and any scikit-learn estimator."""

from ._version import __version__
from .classic.adaboost import AdaBoostClassifier, AdaBoostRegressor
from .classic.bagging import BaggingClassifier, BaggingRegressor
from .classic.gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor
from .combine.selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from .combine.stacking import StackingClassifier, StackingRegressor
from .combine.voting import VotingClassifier, VotingRegressor
from .engine.oof import CrossFit, cross_fit
from .evaluation.benchmark import BenchmarkResult, benchmark
from .evaluation.report import OverfittingReport, overfitting_report
from .learners import (
    DeviceUnavailableError,
    NetClassifier,
    NetRegressor,
    make_learners,
    resolve_device,
    set_device,
)

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
    "VotingClassifier",
    "VotingRegressor",
    "__version__",
    "benchmark",
    "cross_fit",
    "make_learners",
    "overfitting_report",
    "resolve_device",
    "set_device",
]
