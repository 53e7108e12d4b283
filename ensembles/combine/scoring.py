"""Scoring predictions that are already made: out-of-fold averages, candidate ensembles.

Ensemble selection scores thousands of candidate averages of out-of-fold predictions, so
scoring must be cheap and must not predict on ``X``. :func:`prediction_scorer` turns a
scikit-learn scorer (a name, or a ``make_scorer`` object) into a function of the
predictions alone. The scorer is called on a stand-in estimator whose ``predict_proba`` /
``predict`` return the predictions themselves, which keeps scikit-learn's own semantics
(``pos_label``, the positive column of binary problems, scorer arguments) through public
API only. The default scorers and a few other common ones have a NumPy twin
(:data:`_FAST`) that skips the metric's input validation, forty to a hundred times faster
on a few hundred rows, and equal to the scorer to rounding (tests/test_selection.py).
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import get_scorer, get_scorer_names

__all__ = ["prediction_scorer"]


class _KnownProba(ClassifierMixin, BaseEstimator):
    """A classifier whose 'prediction' on ``P`` is ``P``: the scorer sees the average."""

    def __init__(self, classes):
        self.classes = classes
        self.classes_ = classes

    def predict_proba(self, P):
        return P

    def predict(self, P):
        return self.classes_[np.argmax(P, axis=1)]


class _KnownValues(RegressorMixin, BaseEstimator):
    """A regressor whose prediction on ``p`` is ``p``."""

    def predict(self, p):
        return p


def _fast_log_loss(P, y, w):
    # As sklearn's log_loss: binary scorers pass p(class 1) and it rebuilds 1 - p for
    # class 0; probabilities are clipped to [eps, 1 - eps].
    if P.shape[1] == 2:
        p = np.where(y == 1, P[:, 1], 1 - P[:, 1])
    else:
        p = P[np.arange(len(y)), y]
    eps = np.finfo(P.dtype).eps
    return np.average(np.log(np.clip(p, eps, 1 - eps)), weights=w)


def _fast_accuracy(P, y, w):
    return np.average(np.argmax(P, axis=1) == y, weights=w)


def _fast_mse(p, y, w):
    return -np.average((y - p) ** 2, weights=w)


def _fast_rmse(p, y, w):
    return -np.sqrt(np.average((y - p) ** 2, weights=w))


def _fast_mae(p, y, w):
    return -np.average(np.abs(y - p), weights=w)


# scorer name -> (task, function of (predictions, encoded y, sample_weight)) equal to
# ``get_scorer(name)`` on those predictions, sign included.
_FAST = {
    "neg_log_loss": ("classification", _fast_log_loss),
    "accuracy": ("classification", _fast_accuracy),
    "neg_mean_squared_error": ("regression", _fast_mse),
    "neg_root_mean_squared_error": ("regression", _fast_rmse),
    "neg_mean_absolute_error": ("regression", _fast_mae),
}


def prediction_scorer(scoring, y_enc, *, classes=None, sample_weight=None, owner=""):
    """A function of predictions -> score (greater is better), for the targets ``y_enc``.

    Parameters
    ----------
    scoring : str, callable or None
        A scikit-learn scorer name or a scorer object; None: ``"neg_log_loss"`` for
        classification, ``"neg_mean_squared_error"`` for regression.
    y_enc : ndarray
        The targets, integer-encoded (0..K-1) for classification.
    classes : ndarray, default=None
        The user's labels (``classes_``); None for regression. The function then takes
        probabilities of shape (n_samples, K), else predictions of shape (n_samples,).
    sample_weight : ndarray, default=None
    owner : str
        The estimator's name, for error messages.

    Raises
    ------
    ValueError
        ``scoring`` is an unknown name, or cannot score such predictions (checked here,
        on constant predictions, before anything is fitted).
    """
    task = "regression" if classes is None else "classification"
    name = scoring if scoring is not None else (
        "neg_log_loss" if task == "classification" else "neg_mean_squared_error")
    if isinstance(name, str):
        fast = _FAST.get(name)
        if fast is not None and fast[0] == task:
            func = fast[1]
            return lambda P: float(func(P, y_enc, sample_weight))
        if name not in get_scorer_names():
            raise ValueError(
                f"scoring={name!r} is not a scikit-learn scorer name for {owner}; use one "
                "of sklearn.metrics.get_scorer_names() (e.g. 'neg_log_loss', 'accuracy', "
                "'roc_auc', 'neg_mean_squared_error') or a scorer from make_scorer."
            )
        scorer = get_scorer(name)
    else:
        scorer = scoring
    if task == "classification":
        known, y_true, what = _KnownProba(classes), classes[y_enc], "probabilities"
    else:
        known, y_true, what = _KnownValues(), y_enc, "predictions"
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}

    def score(P):
        try:
            return float(scorer(known, P, y_true, **kwargs))
        except Exception as exc:
            raise ValueError(
                f"scoring={scoring!r} cannot score the averaged out-of-fold {what} of "
                f"{owner}: {exc}"
            ) from exc

    # Fail now, not after the fits; constant predictions may make a metric warn that it
    # is ill-defined, which says nothing about the real ones.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score(np.full((len(y_enc), len(classes)), 1 / len(classes)) if classes is not None
              else np.full(len(y_enc), float(np.mean(y_enc))))
    return score
