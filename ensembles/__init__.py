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

__all__ = [
    "DeviceUnavailableError",
    "NetClassifier",
    "NetRegressor",
    "__version__",
    "make_learners",
    "resolve_device",
    "set_device",
]
