"""Base learners against ensembles of them: same folds, same scorers, each member fitted once.

One run of the out-of-fold engine (:func:`ensembles.oof.cross_fit`) fits every base model
once per fold and keeps its predictions on the fold's validation rows. Every ensemble of
those base models (voting, learned voting weights, stacking, ensemble selection) is then
scored per fold from that run, without fitting a member again. The ensemble of fold ``k``:

- has as members the base models fitted on fold ``k``'s training rows (what
  ``cross_validate`` of the ensemble would fit there, seeds equal);
- has its combiner (voting weights, final estimator, selection) learned on the out-of-fold
  predictions of fold ``k``'s training rows only, which came from the other folds' models;
- is scored on fold ``k``'s validation rows, from the members' predictions there (the
  ones the engine already made) pushed through the combiner.

No validation row of fold ``k`` is an input or a label the combiner of fold ``k`` learns
from. The models that made the training rows' out-of-fold predictions did see fold ``k``'s
rows, though: the one-level shortcut of cross-validated stacking (as in
:mod:`ensembles.report`); fully nested cross-validation costs about ``cv`` times more fits.
On pure-noise labels the four default ensembles stay at chance (tested); a combiner that
memorises rows can exploit the shortcut a little (a fully grown tree on members' outputs
and passthrough features: 0.526 +- 0.005 accuracy over 30 noise sets of 300 balanced
rows, 0.495 +- 0.005 fully nested; ``docs/benchmark_api.md``).

So benchmarking ``N`` ensembles costs about one cross-validation of the base models, not
``N + 1``. Any other estimator is cross-validated on the same folds, in the same run.

:class:`BenchmarkResult` is in :mod:`ensembles._benchmark_result`; how the models and
ensembles to compare are worked out, in :mod:`ensembles._benchmark_plan`.
"""

import time
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d

from ._benchmark_plan import ENSEMBLE_NAMES as ENSEMBLE_NAMES  # public: the CLI reads it
from ._benchmark_plan import (
    _base_methods,
    _engine_shell,
    _ensemble_specs,
    _leave_out_failures,
    _resolve_task,
)
from ._benchmark_result import BenchmarkResult
from ._compat import _check_y, _num_samples, _safe_indexing
from ._cv_setup import _folds, _scorers
from ._members import draw_member_seeds
from ._probe import _PeakMemory, _Probe, _Replay
from .learners.device import set_device
from .learners.roster import make_learners
from .oof import cross_fit
from .report import fold_ensemble

# Defined apart to keep modules short; pickles and docs name the public module.
BenchmarkResult.__module__ = "ensembles.benchmark"

__all__ = ["BenchmarkResult", "benchmark"]


# -- running it ---------------------------------------------------------------------------
def benchmark(models, X, y, *, cv=5, scoring=None, ensembles="default", task=None,
              groups=None, n_jobs=None, random_state=None, verbose=1, device=None,
              on_error="skip"):
    """Compare base models and ensembles of them on the same folds with the same scorers.

    Every base model is fitted once per fold; every ensemble of the base models is
    scored per fold from those fits, without fitting a member again (the scheme is in
    the module docstring and ``docs/benchmark_api.md``); any other estimator is
    cross-validated on the same folds in the same parallel run.

    Parameters
    ----------
    models : list of (str, estimator) or "default"
        The base models (all classifiers or all regressors). ``"default"``:
        :func:`ensembles.make_learners` for the task (seeded from ``random_state``).
    X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels of any type, or numbers for regression.
    cv : int, splitter or iterable of (train, test), default=5
        Stratified k-fold for classification when an int (no shuffling, as
        ``cross_validate``); every row must be in exactly one validation fold.
    scoring : str, list of str or dict of str -> scorer, default=None
        Scorer names (``sklearn.metrics.get_scorer_names()``) or name -> scorer; the
        ranking reads the first. Default: accuracy and neg_log_loss (when every model
        gives probabilities) for classification, r2 and neg_root_mean_squared_error for
        regression.
    ensembles : "default", None, or list of names and/or (str, estimator), default="default"
        Names from ``"voting_soft"`` (soft voting; for regression, the plain average),
        ``"voting_auto"`` (weights learned on out-of-fold predictions), ``"stacking"``
        and ``"selection"`` (ensemble selection), built on all the base models;
        ``"default"`` is all four (one that cannot take the models, e.g. soft voting of
        a model without ``predict_proba``, is left out with a note). A ready estimator
        whose members are base models (same names and parameters) is scored from the
        base models' fits like those; any other is cross-validated on its own.
        None or ``[]``: base models only.
    task : {None, "classification", "regression"}, default=None
        Forces the task of ``models="default"``; None infers it from ``y``
        (classification for labels and for integers with at most 20 distinct values).
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter.
    n_jobs : int, default=None
        joblib workers over the (model, fold) fits.
    random_state : int, RandomState or None, default=None
        Seeds the base models whose ``random_state`` is unset (drawn up front, so the
        result does not depend on ``n_jobs``), the default roster and the selection.
    verbose : int, default=1
        A progress bar over the fits when > 0.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        Set on every base model with :func:`ensembles.set_device`; None leaves them as
        given (the default roster then uses ``"auto"``).
    on_error : {"skip", "raise"}, default="skip"
        A model that fails in any fold: ``"skip"`` leaves it out of the leaderboard with
        a note and a ``UserWarning`` (the error, naming the model and the fold), as
        ``cross_validate`` scores a failed fit NaN and warns; an ensemble named from
        ``ensembles`` is then built on the base models that did not fail, and any other
        ensemble that needs a failed model is left out. ``"raise"``: raise that error
        once every fit has run. If every base model fails, the first error is raised
        either way.

    Returns
    -------
    BenchmarkResult

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import benchmark
    >>> X, y = load_iris(return_X_y=True)
    >>> models = [("lr", LogisticRegression(max_iter=1000)),
    ...           ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
    >>> result = benchmark(models, X, y, cv=3, ensembles=["voting_soft", "stacking"],
    ...                    verbose=0)
    >>> result.to_frame()[["rank", "model", "kind", "accuracy_mean"]].round(3)
       rank        model      kind  accuracy_mean
    0     1           lr      base          0.973
    1     2  voting_soft  ensemble          0.967
    2     2     stacking  ensemble          0.967
    3     4         tree      base          0.960
    """
    notes = []
    y_arr = column_or_1d(np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy())
    if not hasattr(X, "iloc"):
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False)
    if _num_samples(X) != len(y_arr):
        raise ValueError(f"X and y must have the same number of rows; got {_num_samples(X)} "
                         f"and {len(y_arr)}.")
    task = _resolve_task(models, y_arr, task, notes)
    classification = task == "classification"
    if classification:
        check_classification_targets(y_arr)
        encoder = LabelEncoder().fit(y_arr)
        if len(encoder.classes_) < 2:
            raise ValueError(f"benchmark needs at least 2 classes in y; got "
                             f"{encoder.classes_.tolist()}.")
        classes, y_fit = encoder.classes_, encoder.transform(y_arr)
    else:
        classes, y_arr = None, _check_y(y_arr, y_numeric=True).astype(float)
        y_fit = y_arr
    if isinstance(models, str):
        models = make_learners(task, device=device or "auto", random_state=random_state)
    base = dict(models)
    if len(base) != len(models):
        raise ValueError(f"model names must be unique; got {[n for n, _ in models]}.")

    specs = _ensemble_specs(ensembles, models, task, random_state)
    names = [n for n, _ in models] + [n for n, _, _ in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"model and ensemble names must be unique; got {names}.")
    shells, separate, kept = {}, [], []  # kept: the ensembles that will be scored
    for name, estimator, default in specs:
        shell = _engine_shell(name, estimator, base, X, y_arr, default, notes)
        if shell is False:
            continue
        kept.append((name, estimator))
        if shell is None:
            separate.append((name, estimator))
        else:
            shells[name] = shell
    methods = _base_methods(base, shells, classification)
    for name, (shell, members) in list(shells.items()):
        wants = shell._oof_methods([(n, base[n]) for n in members])
        missing = {n: m for n, m in wants.items() if m != methods[n]}
        if missing:
            notes.append(f"{name!r} needs {missing} of its members, which the shared run "
                         f"does not compute (it computes {methods}): cross-validated on "
                         "its own on the same folds.")
            del shells[name]
            separate.append((name, dict(kept)[name]))
    for name, estimator in separate:
        methods[name] = ("predict_proba" if classification and hasattr(estimator,
                                                                        "predict_proba")
                         else "predict")

    rng = check_random_state(random_state)
    fitted = []
    for name, estimator in list(models) + separate:
        estimator = draw_member_seeds(clone(estimator), rng)
        if device is not None and name in base:
            set_device(estimator, device)
        fitted.append((name, _Probe(estimator)))
    probabilistic = classification and all(hasattr(e, "predict_proba")
                                           for e in list(base.values()) + [
                                               e for _, e in kept])
    scorers = _scorers(scoring, classification, probabilistic)
    folds = _folds(cv, X, y_fit, groups, classification)
    record = cross_fit(fitted, X, y_fit, folds=folds, methods=methods,
                       n_classes=len(classes) if classification else None, n_jobs=n_jobs,
                       verbose=verbose, desc="benchmark", on_error=on_error)
    if record.errors:
        base, kept = _leave_out_failures(record.errors, base, kept, shells, task,
                                         random_state, X, y_arr, notes)

    context = (X, y_arr, y_fit, classes, scorers)
    rows = [row for name in base for row in _model_rows(record, name, "base", context)]
    view = _member_view(record, list(base), classes)
    for name, _ in kept:
        if name in shells:
            rows += _ensemble_rows(record, view, name, *shells[name], context)
        else:
            rows += _model_rows(record, name, "ensemble", context)
    columns = ["model", "kind", "fold", *scorers, "fit_time", "predict_time",
               "peak_memory_mb"]
    return BenchmarkResult(pd.DataFrame(rows, columns=columns), scoring=list(scorers),
                           task=task, notes=notes)


def _scores(model, X_test, y_test, scorers):
    return {name: float(scorer(model, X_test, y_test)) for name, scorer in scorers.items()}


def _model_rows(record, name, kind, context):
    """Rows of a model the engine fitted: scored on each fold's validation rows."""
    X, y, _, classes, scorers = context
    rows = []
    for k, (_, test) in enumerate(record.folds):
        probe = record.fold_estimators[name][k]
        model = _Replay(probe.estimator_, {record.methods[name]: record.oof[name][test]},
                        len(test), classes=classes,
                        n_classes=None if classes is None else len(classes),
                        decode=classes is not None)
        rows.append({"model": name, "kind": kind, "fold": k,
                     **_scores(model, _safe_indexing(X, test), y[test], scorers),
                     "fit_time": float(record.fit_times[name][k]),
                     "predict_time": float(record.score_times[name][k]),
                     "peak_memory_mb": probe.peak_memory_})
    return rows


def _member_view(record, names, classes):
    """The engine's record with each fold model replaced by a replay of its outputs on
    the fold's validation rows (what the ensembles of that fold are scored from)."""
    n_classes = None if classes is None else len(classes)
    replays = {n: [_Replay(record.fold_estimators[n][k].estimator_,
                           {record.methods[n]: record.oof[n][test]}, len(test),
                           classes=None if classes is None else np.arange(n_classes),
                           n_classes=n_classes)
                   for k, (_, test) in enumerate(record.folds)] for n in names}
    return replace(record, fold_estimators=replays)


def _ensemble_rows(record, view, name, shell, members, context):
    """Rows of an ensemble of base models, rebuilt per fold from the engine's fits."""
    X, y, y_fit, classes, scorers = context
    view = replace(view, names=members)
    method = ("predict_proba" if classes is not None and hasattr(shell, "predict_proba")
              else "predict")
    rows = []
    for k, (_, test) in enumerate(view.folds):
        start = time.perf_counter()
        with _PeakMemory() as peak:
            ensemble = fold_ensemble(shell, view, k, X, y_fit)
        fit_time = time.perf_counter() - start
        X_test = _safe_indexing(X, test)
        start = time.perf_counter()
        output = getattr(ensemble, method)(X_test)
        predict_time = time.perf_counter() - start
        model = _Replay(ensemble, {method: output}, len(test),
                        classes=getattr(ensemble, "classes_", None))
        peaks = [peak.mib] + [record.fold_estimators[n][k].peak_memory_ for n in members]
        rows.append({
            "model": name, "kind": "ensemble", "fold": k,
            **_scores(model, X_test, y[test], scorers),
            "fit_time": fit_time + sum(float(view.fit_times[n][k]) for n in members),
            "predict_time": predict_time + sum(float(view.score_times[n][k])
                                               for n in members),
            "peak_memory_mb": max((p for p in peaks if not np.isnan(p)), default=np.nan),
        })
    return rows
