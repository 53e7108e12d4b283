"""What a fit costs in memory, for the benchmark's table.

:class:`_PeakMemory` reads the peak resident memory a block adds to its process;
:class:`_Probe` wraps a model so that the out-of-fold engine's fit of it records that peak.
"""

import ctypes
import functools

from sklearn.base import BaseEstimator
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if


# -- memory -------------------------------------------------------------------------------
def _status_bytes(key):
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no {key} in /proc/self/status")


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def _release_free_memory():
    """Hand the memory that malloc holds free back to the system (glibc), so that what a
    fit allocates next shows in its resident memory instead of reusing those pages."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class _PeakMemory:
    """Peak resident memory (MiB) that a block adds to its process, NaN where unknown.

    Linux only: the kernel's high-water mark of resident memory (``VmHWM``) is reset to
    the current RSS through ``/proc/self/clear_refs`` and read after the block, so native
    allocations (torch, XGBoost, LightGBM) count as well as NumPy's and Python's. The
    reset also lowers what ``getrusage`` reports later as this process's peak RSS.
    """

    def __enter__(self):
        _release_free_memory()
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
            self._before = _status_bytes("VmRSS")
        except OSError:
            self._before = None
        return self

    def __exit__(self, *exc):
        self.mib = float("nan")
        if self._before is not None:
            try:
                self.mib = max(0, _status_bytes("VmHWM") - self._before) / 2**20
            except OSError:
                pass
        return False


# -- fitting ------------------------------------------------------------------------------
def _inner_has(method):
    return lambda self: hasattr(self.estimator, method)


class _Probe(BaseEstimator):
    """A model as the engine fits it, with the peak memory of its fit recorded."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        from ..engine.oof import fit_member  # (early stopping on an inner split)

        with _PeakMemory() as peak:
            fit_member(self.estimator, X, y)  # the engine's own clone: nobody else holds it
        self.estimator_ = self.estimator
        self.peak_memory_ = peak.mib
        return self

    def predict(self, X):
        return self.estimator_.predict(X)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    @available_if(_inner_has("predict_log_proba"))
    def predict_log_proba(self, X):
        return self.estimator_.predict_log_proba(X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        return self.estimator_.decision_function(X)

    @property
    def classes_(self):
        return self.estimator_.classes_

    @property
    def n_features_in_(self):
        return self.estimator_.n_features_in_

    @property
    def _model_name(self):  # what a DroppedModel of this probe calls it
        return type(self.estimator).__name__

    def __sklearn_tags__(self):
        # the model's: scorers read them (a classifier's probabilities), also once the
        # engine has dropped the fitted probe and kept only its tags
        return get_tags(self.estimator)
