"""What gets combined: neural nets, device plumbing and the default roster of learners."""

from .device import DeviceUnavailableError, resolve_device, set_device
from .net import NetClassifier, NetRegressor

__all__ = [
    "DeviceUnavailableError",
    "NetClassifier",
    "NetRegressor",
    "resolve_device",
    "set_device",
]
