"""Ensembles of neural nets, boosted trees and any scikit-learn estimator."""

from ._version import __version__
from .learners import (
    DeviceUnavailableError,
    NetClassifier,
    NetRegressor,
    make_learners,
    resolve_device,
    set_device,
)
from .oof import CrossFit, cross_fit
from .stacking import StackingClassifier, StackingRegressor

__all__ = [
    "CrossFit",
    "DeviceUnavailableError",
    "NetClassifier",
    "NetRegressor",
    "StackingClassifier",
    "StackingRegressor",
    "__version__",
    "cross_fit",
    "make_learners",
    "resolve_device",
    "set_device",
]
