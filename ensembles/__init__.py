"""Ensembles of neural nets, boosted trees and any scikit-learn estimator."""

from ._version import __version__
from .bagging import BaggingClassifier, BaggingRegressor
from .benchmark import BenchmarkResult, benchmark
from .boosting import AdaBoostClassifier, AdaBoostRegressor
from .gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor
from .learners import (
    DeviceUnavailableError,
    NetClassifier,
    NetRegressor,
    make_learners,
    resolve_device,
    set_device,
)
from .oof import CrossFit, cross_fit
from .report import OverfittingReport, overfitting_report
from .selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from .stacking import StackingClassifier, StackingRegressor
from .voting import VotingClassifier, VotingRegressor

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
