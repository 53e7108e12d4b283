"""Watching a fold's validation part while a member trains, without changing the fit.

The overfitting report wants per-epoch (nets) and per-round (XGBoost, LightGBM) train and
validation curves on each cross-validation fold. All three can record them while they
train: our nets through ``fit(eval_set=...)`` (evaluated in eval mode, never used to
stop), XGBoost and LightGBM through their evaluation sets, which without early stopping
only evaluate. :func:`fit_watched` hands each its fold's validation part in that form; a
Pipeline's leading steps are fitted first and the validation rows go through them, so the
last step sees them as it sees its training rows. :func:`recorded_curves` reads back what
was recorded, in the report's long format.

A booster configured to early-stop is *not* given the validation fold (it would stop on
it and its validation score would flatter it): it stops on an inner split of its training
rows (:mod:`ensembles.engine.stopping`); its train and validation curves are re-predicted
after the fit, and the inner split's curve is read from what it recorded.
"""

import sys

import numpy as np
from sklearn.pipeline import Pipeline

from .._validation import last_step
from ..engine.stopping import stopper

__all__ = ["fit_watched", "recorded_curves", "watch_kind"]

def watch_kind(estimator):
    """"net", "xgboost", "lightgbm" if (the last step of) ``estimator`` can record curves
    on an evaluation set without it changing the fit; else None."""
    step = last_step(estimator)
    module = type(step).__module__.split(".")[0]
    nets = sys.modules.get("ensembles.learners.net")  # no net exists unless it is imported
    if nets is not None and isinstance(step, nets._BaseNet):
        return "net"
    if stopper(step) is not None:  # early-stops on its own inner split (engine.stopping)
        return None
    if module == "xgboost" and not step.get_params().get("callbacks"):
        return "xgboost"
    if module == "lightgbm":
        return "lightgbm"
    return None


def _eval_kwargs(kind, step, X_fit, y_fit, X_val, y_val):
    if kind == "net":
        return {"eval_set": (X_val, y_val)}
    from sklearn.base import is_classifier

    n_classes = len(np.unique(y_fit)) if is_classifier(step) else 0
    if kind == "xgboost":
        metrics = (["rmse"] if not n_classes else ["logloss", "error"] if n_classes <= 2
                   else ["mlogloss", "merror"])
        step.set_params(eval_metric=metrics)
        return {"eval_set": [(X_fit, y_fit), (X_val, y_val)], "verbose": False}
    metrics = (["l2"] if not n_classes else ["binary_logloss", "binary_error"]
               if n_classes <= 2 else ["multi_logloss", "multi_error"])
    return {"eval_X": (X_fit, X_val), "eval_y": (y_fit, y_val),
            "eval_names": ["train", "validation"], "eval_metric": metrics}


def fit_watched(estimator, X, y, eval_set, fit_kwargs):
    """Fit ``estimator`` on ``X, y`` (with ``fit_kwargs``) while it watches ``eval_set``."""
    kind = watch_kind(estimator)
    if kind is None:
        return estimator.fit(X, y, **fit_kwargs)
    X_val, y_val = eval_set
    if not isinstance(estimator, Pipeline):
        return estimator.fit(X, y, **fit_kwargs,
                             **_eval_kwargs(kind, estimator, X, y, X_val, y_val))
    head, (_, last) = estimator[:-1], estimator.steps[-1]  # head shares the step objects
    if len(head):
        X, X_val = head.fit_transform(X, y), head.transform(X_val)
    last.fit(X, y, **{k.split("__", 1)[1]: v for k, v in fit_kwargs.items()},
             **_eval_kwargs(kind, last, X, y, X_val, y_val))
    return estimator


def recorded_curves(model, y_train, y_valid):
    """Curves a fitted model recorded while training, as rows ``(step_name, step, split,
    metric, value)`` with metric "loss" and "accuracy" / "r2"; None if it recorded none."""
    step = last_step(model)
    history = getattr(step, "history_", None)
    if isinstance(history, dict) and "train_loss" in history:
        return _net_rows(step, history)
    module = type(step).__module__.split(".")[0]
    if module == "xgboost":
        try:
            results = step.evals_result()
        except Exception:  # noqa: BLE001 - fitted without evaluation sets
            return None
        named = dict(zip(("train", "validation"), results.values()))
    elif module == "lightgbm":
        named = getattr(step, "evals_result_", None)
    else:
        return None
    if not named or set(named) != {"train", "validation"}:
        return None
    rows = []
    for split, y in (("train", y_train), ("validation", y_valid)):
        for metric, values in named[split].items():
            rows += _booster_rows(split, metric, values, y)
    return rows


def _net_rows(step, history):
    from sklearn.base import is_classifier

    metric = "accuracy" if is_classifier(step) else "r2"
    splits = {"train": "train", "eval": "validation", "valid": "early_stopping"}
    rows = []
    for key, values in history.items():
        prefix, _, what = key.partition("_")
        if prefix in splits and what in ("loss", metric):
            rows += [("epoch", i, splits[prefix], what, float(v))
                     for i, v in enumerate(values, 1) if v is not None]
    best = getattr(step, "best_epoch_", None)
    if best is not None:  # where early stopping stopped (the weights it restored)
        rows.append(("epoch", int(best), "early_stopping", "stopped", float(best)))
    return rows


def _booster_rows(split, metric, values, y):
    values = np.asarray(values, dtype=float)
    rounds = range(1, len(values) + 1)
    if metric in ("logloss", "mlogloss", "binary_logloss", "multi_logloss"):
        pairs = [("loss", values)]
    elif metric in ("error", "merror", "binary_error", "multi_error"):
        pairs = [("accuracy", 1.0 - values)]
    elif metric in ("rmse", "l2"):
        mse = values ** 2 if metric == "rmse" else values
        var = float(np.var(np.asarray(y, dtype=float)))
        pairs = [("loss", mse)] + ([("r2", 1.0 - mse / var)] if var > 0 else [])
    else:
        return []
    return [("round", r, split, name, float(v)) for name, vals in pairs
            for r, v in zip(rounds, vals)]
