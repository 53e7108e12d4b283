"""Fold-correct early stopping for every member that early-stops.

A member that early-stops watches a validation set while it trains and keeps the round
(or epoch) where that set scored best. Inside cross-validation that set must come from
the fold's *training* rows only: were it the fold's held-out rows, the member would stop
where the held-out rows score best, and its out-of-fold predictions - what the stack
learns from, what the report and the benchmark score - would flatter it.

What each kind of member gets, in every fold (:func:`fit_stopping`, called by the
engine's :func:`~ensembles.engine.oof.fit_member`):

- XGBoost (``early_stopping_rounds`` set) and LightGBM (``early_stopping_round`` or an
  alias set) need their validation set given to ``fit``, and crashed in every ensemble
  without one. They get an inner split of the rows they are given: ``VALIDATION_FRACTION``
  of them, stratified by class for a classifier (a plain split where a class has too few
  rows), seeded by the member's own integer ``random_state`` (0 when it has none), passed
  as ``eval_set`` (LightGBM >= 4.6: ``eval_X``/``eval_y``) with their sample weights.
  The member trains on the rest. A Pipeline's leading steps are fitted on the rest and
  the validation rows go through them.
- Our nets (``early_stopping=True``) and our gradient boosting (``n_iter_no_change``)
  split what they are given themselves, in the same way; nothing to add.

The fit on all rows (a stack's ``refit``) has no held-out rows to fear, but it has no
folds to stop on either: it trains for the **median of the folds' stopping points**
(rounds for boosters, epochs for nets, stages for our boosting; half-way values round
up) with early stopping turned off (:func:`stopped_refit`), so it learns from every row
rather than keeping a tenth of them aside. Without folds (no ``cv``), it early-stops on
its own inner split as a fold would. Members that early-stop on a split of their own by
other means (scikit-learn's ``HistGradientBoosting*``, ``MLP*`` or ``SGD*`` with
``early_stopping``, an XGBoost callback) are fold-correct as they are, and their refit
stops on its own split.
"""

import inspect
import sys
from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from .._compat import _check_method_params, _num_samples, _safe_indexing
from .._validation import last_step

__all__ = ["VALIDATION_FRACTION", "Stopper", "fit_stopping", "stopper", "stopped_refit",
           "validation_split"]

#: Share of a fold's training rows held out for the early stopping of XGBoost and
#: LightGBM members (our nets and boosting have their own ``validation_fraction``).
VALIDATION_FRACTION = 0.1

# LightGBM's names of early_stopping_round (its aliases); 0 or less turns it off.
_LGBM_STOPPERS = ("early_stopping_round", "early_stopping_rounds", "n_iter_no_change",
                  "early_stopping")


def validation_split(n_samples, y, fraction, seed, stratify):
    """Row indices ``(train, valid)`` of an early-stopping split of ``n_samples`` rows:
    ``fraction`` of them held out, stratified by ``stratify`` (None: not) unless a class
    has fewer than two rows or there are fewer held-out rows than classes."""
    indices = np.arange(n_samples)
    if stratify is not None:
        _, counts = np.unique(stratify, return_counts=True)
        n_valid = int(np.ceil(fraction * n_samples))
        if counts.min() < 2 or n_valid < len(counts):
            stratify = None  # too few rows per class to stratify; a plain split still works
    train, valid = train_test_split(indices, test_size=fraction, random_state=seed,
                                    stratify=stratify)
    return np.sort(train), np.sort(valid)


@dataclass(frozen=True)
class Stopper:
    """How a member early-stops: ``kind`` is "xgboost", "lightgbm", "net" or "boosting"
    (ours). ``splits``: whether the engine must give it its validation rows."""

    kind: str

    @property
    def splits(self):
        return self.kind in ("xgboost", "lightgbm")

    def stopping_point(self, estimator):
        """The number of rounds (epochs, stages) a fitted ``estimator`` kept."""
        step = last_step(estimator)
        if self.kind == "xgboost":
            return int(step.best_iteration) + 1
        if self.kind == "lightgbm":
            best = int(step.best_iteration_ or 0)
            return best if best > 0 else int(step.booster_.current_iteration())
        if self.kind == "net":
            return int(getattr(step, "best_epoch_", step.n_iter_))
        return int(step.n_estimators_)

    def without_stopping(self, rounds):
        """The parameters of the last step that train ``rounds`` rounds, not stopping."""
        if self.kind == "xgboost":
            return {"n_estimators": rounds, "early_stopping_rounds": None}
        if self.kind == "lightgbm":
            return {"n_estimators": rounds}  # the stoppers are zeroed by stopped_refit
        if self.kind == "net":
            return {"max_epochs": rounds, "early_stopping": False}
        return {"n_estimators": rounds, "n_iter_no_change": None}


def stopper(estimator):
    """The :class:`Stopper` of ``estimator`` (or of a Pipeline's last step) if it is
    configured to early-stop in a way this module handles; else None."""
    step = last_step(estimator)
    if not hasattr(step, "get_params"):
        return None
    # A library's module is loaded if the member is one of its models (or a subclass).
    xgboost, lightgbm = sys.modules.get("xgboost"), sys.modules.get("lightgbm")
    if xgboost is not None and isinstance(step, xgboost.XGBModel):
        return Stopper("xgboost") if step.get_params().get("early_stopping_rounds") \
            else None
    if lightgbm is not None and isinstance(step, lightgbm.LGBMModel):
        params = step.get_params()
        return Stopper("lightgbm") if any(
            isinstance(params.get(k), Real) and params[k] > 0 for k in _LGBM_STOPPERS
        ) else None
    nets = sys.modules.get("ensembles.learners.net")
    if nets is not None and isinstance(step, nets._BaseNet) and step.early_stopping:
        return Stopper("net")
    boosting = sys.modules.get("ensembles.classic.gradient_boosting")
    if boosting is not None and isinstance(step, boosting._BaseGradientBoosting) \
            and step.n_iter_no_change is not None:
        return Stopper("boosting")
    return None


def _seed(step):
    seed = step.get_params(deep=False).get("random_state")
    return seed if isinstance(seed, int | np.integer) else 0


def _eval_kwargs(kind, step, X_val, y_val, w_val):
    """What ``step.fit`` takes to watch ``(X_val, y_val)`` (weights ``w_val``)."""
    weights = None if w_val is None else [w_val]
    if kind == "xgboost":
        kwargs = {"eval_set": [(X_val, y_val)], "verbose": False}
        if weights is not None:
            kwargs["sample_weight_eval_set"] = weights
        return kwargs
    lightgbm = sys.modules["lightgbm"]  # (the library's fit, not a subclass's **kwargs)
    if "eval_X" in inspect.signature(lightgbm.LGBMModel.fit).parameters:  # >= 4.6
        kwargs = {"eval_X": (X_val,), "eval_y": (y_val,)}
    else:
        kwargs = {"eval_set": [(X_val, y_val)]}
    if weights is not None:
        kwargs["eval_sample_weight"] = weights
    return kwargs


def fit_stopping(stop, estimator, X, y, kwargs):
    """Fit ``estimator`` (an XGBoost or LightGBM model or a Pipeline ending in one, whose
    :class:`Stopper` ``stop`` splits) on ``X, y`` with ``kwargs`` (its fit parameters,
    ``sample_weight`` included, under a Pipeline's ``<step>__`` names), early-stopping on
    an inner split of these rows (see the module docstring); return it."""
    step = last_step(estimator)
    n = _num_samples(X)
    y = np.asarray(y)
    train, valid = validation_split(n, y, VALIDATION_FRACTION, _seed(step),
                                    y if is_classifier(step) else None)
    if isinstance(estimator, Pipeline):
        prefix = estimator.steps[-1][0] + "__"
        kwargs = {k.removeprefix(prefix): v for k, v in kwargs.items()
                  if k.startswith(prefix)}
    kwargs = dict(kwargs)
    weight = kwargs.pop("sample_weight", None)
    if kwargs:  # sample-aligned metadata: the training part's rows
        kwargs = _check_method_params(X, kwargs, indices=train)
    X_fit, X_val = _safe_indexing(X, train), _safe_indexing(X, valid)
    y_fit, y_val = y[train], y[valid]
    w_fit, w_val = (None, None) if weight is None else (np.asarray(weight)[train],
                                                        np.asarray(weight)[valid])
    if isinstance(estimator, Pipeline) and len(estimator) > 1:
        head = estimator[:-1]  # shares the step objects: the Pipeline ends fitted
        X_fit, X_val = head.fit_transform(X_fit, y_fit), head.transform(X_val)
    if w_fit is not None:
        kwargs["sample_weight"] = w_fit
    step.fit(X_fit, y_fit, **kwargs, **_eval_kwargs(stop.kind, step, X_val, y_val, w_val))
    return estimator


def stopped_refit(estimator, stop, points):
    """A clone of ``estimator`` that trains for the median of ``points`` (the folds'
    stopping points; half-way values round up) without early stopping."""
    rounds = max(1, int(np.floor(np.median(points) + 0.5)))
    params = stop.without_stopping(rounds)
    if stop.kind == "lightgbm":
        current = last_step(estimator).get_params(deep=False)
        params.update({k: 0 for k in _LGBM_STOPPERS if k in current})
    refit = clone(estimator)
    if isinstance(refit, Pipeline):
        name = refit.steps[-1][0]
        params = {f"{name}__{k}": v for k, v in params.items()}
    return refit.set_params(**params)
