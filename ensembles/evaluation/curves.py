"""Learning curves of one fitted model: train and validation loss and score by round.

What a model recorded while it trained comes first (:func:`ensembles.evaluation.monitor
.recorded_curves`: nets by epoch, XGBoost and LightGBM by round). A boosting model that
recorded nothing (ours and scikit-learn's with ``staged_predict*``, or a booster that
early-stopped and so was not given the validation part) is re-predicted after the fit at
up to ``_MAX_CURVE_POINTS`` evenly spaced rounds, and the loss and metric are computed
here; one that early-stopped on an inner split of its training rows adds that split's
curve and its stopping point (split "early_stopping"). Rows come out in the long format
of :attr:`ensembles.OverfittingReport.curves`.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline

from ..engine.stopping import stopper
from .monitor import _booster_rows, recorded_curves

__all__ = ["learning_curves"]

_MAX_CURVE_POINTS = 50


def _final_step(model):
    """(transform X for the last step, the last step) of a model or a Pipeline."""
    if isinstance(model, Pipeline):
        head = model[:-1]
        return (head.transform if len(head) else (lambda X: X)), model.steps[-1][1]
    return (lambda X: X), model


def _curve_metrics(classification, classes):
    """(loss, (metric name, metric)) on predictions, in NumPy: scikit-learn's metric
    functions validate their input at each call, which dominates over hundreds of rounds."""
    if classification:
        classes = np.asarray(classes)

        def loss(y, proba):
            proba = proba / proba.sum(axis=1, keepdims=True)  # float32 (XGBoost) sums
            picked = proba[np.arange(len(y)), np.searchsorted(classes, y)]
            return float(-np.mean(np.log(np.clip(picked, 1e-15, None))))

        def metric(y, proba):
            return float(np.mean(classes[np.argmax(proba, axis=1)] == y))

        return loss, ("accuracy", metric)

    def mse(y, pred):
        return float(np.mean((np.asarray(y, dtype=float) - pred) ** 2))

    def r2(y, pred):
        y = np.asarray(y, dtype=float)
        total = np.sum((y - y.mean()) ** 2)
        return float(1 - np.sum((y - pred) ** 2) / total) if total > 0 else float("nan")

    return mse, ("r2", r2)


def _staged(step, X, classification, rounds):
    """Predictions after each round in ``rounds`` (1-based), from whatever the model has."""
    module = type(step).__module__.split(".")[0]
    method = "predict_proba" if classification else "predict"
    if hasattr(step, f"staged_{method}"):
        wanted = set(rounds)
        return [p for i, p in enumerate(getattr(step, f"staged_{method}")(X), 1)
                if i in wanted]
    if module == "xgboost":
        return [getattr(step, method)(X, iteration_range=(0, r)) for r in rounds]
    if module == "lightgbm":
        return [getattr(step, method)(X, num_iteration=r) for r in rounds]
    return None


def _n_rounds(step):
    module = type(step).__module__.split(".")[0]
    if module == "xgboost":
        return int(step.get_booster().num_boosted_rounds())
    if module == "lightgbm":
        return int(step.booster_.current_iteration())
    if hasattr(step, "staged_predict"):
        return len(getattr(step, "estimators_", [])) or None
    return None


def learning_curves(model, X_train, y_train, X_valid, y_valid):
    """Train and validation curves of one fitted model, as rows
    ``(step_name, step, split, metric, value)``; empty when the model has none.

    What the model recorded while training comes first (:mod:`ensembles.evaluation.monitor`);
    otherwise a boosting model is re-predicted at up to 50 evenly spaced rounds.
    """
    recorded = recorded_curves(model, y_train, y_valid)
    if recorded is not None:
        return recorded
    transform, step = _final_step(model)
    if hasattr(step, "history_"):
        return []
    total = _n_rounds(step)
    if not total:
        return []
    return _repredicted(step, transform, total, X_train, y_train, X_valid, y_valid) \
        + _stopping_rows(step, y_train)


def _stopping_rows(step, y_train):
    """A model that early-stopped on an inner split of its training rows
    (:mod:`ensembles.engine.stopping`): that split's curve, as it recorded it (split
    "early_stopping"), and where it stopped (a row of metric "stopped" whose step and
    value are the rounds it kept); [] for any other model."""
    stop = stopper(step)
    if stop is None or stop.kind == "net":  # a net's are in its history (monitor)
        return []
    if stop.kind == "boosting":
        rows = [("round", i, "early_stopping", "loss", float(v))
                for i, v in enumerate(getattr(step, "validation_score_", []), 1)]
    else:
        results = step.evals_result() if stop.kind == "xgboost" else step.evals_result_
        rows = []
        for metric, values in next(iter(results.values()), {}).items():  # the inner set
            rows += _booster_rows("early_stopping", metric, values, y_train)
    point = stop.stopping_point(step)
    return rows + [("round", point, "early_stopping", "stopped", float(point))]


def _repredicted(step, transform, total, X_train, y_train, X_valid, y_valid):
    """Train and validation curves re-predicted at up to 50 rounds of ``total``."""
    classification = is_classifier(step)
    rounds = np.unique(np.linspace(1, total, num=min(total, _MAX_CURVE_POINTS)).astype(int))
    loss, (metric_name, metric) = _curve_metrics(classification,
                                                 getattr(step, "classes_", None))
    rows = []
    for split, X, y in (("train", X_train, y_train), ("validation", X_valid, y_valid)):
        staged = _staged(step, transform(X), classification, rounds.tolist())
        if staged is None:
            return []
        for r, pred in zip(rounds, staged):
            pred = np.asarray(pred, dtype=float)
            rows.append(("round", int(r), split, "loss", loss(y, pred)))
            rows.append(("round", int(r), split, metric_name, metric(y, pred)))
    return rows
