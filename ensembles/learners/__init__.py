"""What gets combined: neural nets, device plumbing and the default roster of learners.

Names load on first use (PEP 562 ``__getattr__``), so that reaching
:mod:`ensembles.learners.device` does not import torch through the nets.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what IDEs and type checkers see; never run
    from .device import DeviceUnavailableError, resolve_device, set_device
    from .net import NetClassifier, NetRegressor
    from .roster import make_learners

_SOURCES = {
    "DeviceUnavailableError": ".device",
    "NetClassifier": ".net",
    "NetRegressor": ".net",
    "make_learners": ".roster",
    "resolve_device": ".device",
    "set_device": ".device",
}

__all__ = [
    "DeviceUnavailableError",
    "NetClassifier",
    "NetRegressor",
    "make_learners",
    "resolve_device",
    "set_device",
]


def __getattr__(name):
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_SOURCES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
