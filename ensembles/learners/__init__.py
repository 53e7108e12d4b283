"""What gets combined: neural nets, device plumbing and the default roster of learners."""

from .device import DeviceUnavailableError, resolve_device, set_device
from .net import NetClassifier, NetRegressor
from .roster import make_learners

__all__ = [
    "DeviceUnavailableError",
    "NetClassifier",
    "NetRegressor",
    "make_learners",
    "resolve_device",
    "set_device",
]
