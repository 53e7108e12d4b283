"""The out-of-fold cache: a (member, fold) fit done once is not done again.

``cross_fit(..., memory=joblib.Memory(location))`` (and the ``memory`` parameter of the
ensembles and of :func:`~ensembles.benchmark`) keeps what each fit gave - its record:
the fitted fold model (or what is kept of it), its out-of-fold predictions, its scores,
its times - in files under ``location``, keyed by everything the record depends on:

- the data: a hash of all of ``X``, ``y`` and ``sample_weight`` (not a sample of rows);
- the member: its name and a hash of its parameters (so a member whose ``random_state``
  is unset, or seeded by an ensemble whose own is unset, is a new member each time:
  set ``random_state`` for the cache to hit);
- the fit: its fold's train and test rows (None for the fit on all rows), its
  prediction method, fit parameters, and whether it was trained in a batch of nets;
- what is kept: the scorers, ``n_classes``, ``keep_outputs``, ``keep_models``,
  ``test_outputs`` and the monitor.

So re-running a benchmark with one more model fits only that model's folds, and a grid
search over a stack's final estimator fits its members once per outer fold. A fit that
failed or did not start (``deadline``) is not kept; a record read back is the record
written (its ``fit_times`` are those of the run that fitted it). Files are written
whole, then renamed into place, so that two processes sharing a location never read
half a file. The package's version is in the key: an upgrade starts afresh.
"""

import os
import tempfile
from pathlib import Path

import joblib
from sklearn.utils.validation import check_memory

from .._compat import HasMethods
from .._version import __version__

__all__ = ["MEMORY", "FitCache", "fit_cache"]

#: The parameter constraint of ``memory`` wherever it is taken (scikit-learn's
#: ``validate_params`` form): None, a path, or a ``joblib.Memory``.
MEMORY = [None, str, os.PathLike, HasMethods(["cache"])]

# The ``memory`` entry of the combiners' "Parameters" sections (stacking, voting,
# ensemble selection), at a class docstring's indentation: one text for the three.
_MEMORY_DOC = """    memory : str, joblib.Memory or None, default=None
        Where to keep each (member, fold) fit, so that a fit done once on the same data,
        rows and parameters is read back instead of done again
        (:mod:`ensembles.engine.cache`): a grid search over the ensemble's own
        parameters (a final estimator's, the weights', not the members') then fits
        the members once per outer fold. A path or a
        ``joblib.Memory``; None keeps nothing. Set ``random_state`` for it to hit: the
        members are seeded from it.
"""


def fit_cache(memory, X, y, sample_weight):
    """The :class:`FitCache` of ``memory`` (None, a path or a ``joblib.Memory``) for
    this data; None when ``memory`` caches nothing (None, or ``Memory(None)``)."""
    memory = check_memory(os.fspath(memory) if isinstance(memory, os.PathLike) else memory)
    location = getattr(memory, "location", None)
    if location is None:
        return None
    return FitCache(Path(location) / "ensembles_cross_fit",
                    joblib.hash((joblib.hash(X), joblib.hash(y), joblib.hash(sample_weight))))


class FitCache:
    """Records of (member, fold) fits in files under ``root``, for data hashed ``data``."""

    def __init__(self, root, data):
        self.root, self.data = Path(root), data
        self.context = None
        self._members = {}

    def set_context(self, **what_is_kept):
        """What every fold's record of this run depends on besides its member and rows
        (scorers, outputs kept...; a fit on all rows is neither scored nor predicted
        here, so its record depends on none of them)."""
        self.context = joblib.hash((__version__, self.data, sorted(what_is_kept.items())))
        self.refit_context = joblib.hash((__version__, self.data))

    def key(self, name, estimator, fold, train, test, method, **fit):
        """The key of member ``name``'s fit on fold ``fold`` (None: all rows)."""
        member = self._members.get(name)
        if member is None or member[0] is not estimator:
            member = self._members[name] = (estimator, joblib.hash(estimator))
        if fold is None:
            return joblib.hash((self.refit_context, name, member[1], sorted(fit.items())))
        return joblib.hash((self.context, name, member[1], fold, train, test, method,
                            sorted(fit.items())))

    def _path(self, key):
        return self.root / key[:2] / f"{key}.pkl"

    def load(self, key):
        """The record stored under ``key``, or None."""
        path = self._path(key)
        if not path.exists():
            return None
        try:
            record = joblib.load(path)
        except Exception:  # noqa: BLE001 - a damaged file is a miss, refitted and rewritten
            return None
        record["cached"] = True  # read back, not fitted by this run
        return record

    def store(self, key, record):
        """Keep ``record`` under ``key`` (not a failed or skipped fit's)."""
        if "error" in record or record.get("skipped") or record.get("cached"):
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(handle)
        try:
            joblib.dump(record, temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
