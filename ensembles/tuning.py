"""Tuning an ensemble's member and meta parameters with Optuna (``pip install
ensembles-ml[optuna]``).

:func:`tune` scores each trial's ensemble the way the benchmark does: its members are
cross-validated once through the out-of-fold engine, on the ensemble's own folds, and the
ensemble of each fold is rebuilt from their out-of-fold predictions and scored on the
fold's held-out rows - no nested cross-validation, no member fitted twice. Every member
fit goes through the engine's cache (:mod:`ensembles.engine.cache`), so:

- a trial that changes only meta parameters (a stack's ``final_estimator__C``,
  ``passthrough``, voting ``weights``, ...) fits no member at all: the members' fits are
  read back (from an earlier fit of the same ensemble too, given the same ``memory``);
- a trial that changes a member parameter fits only that member, fold by fold, and
  reports the member's score on each fold as it comes to Optuna's pruner: a bad member
  trial is pruned after its first folds, before the rest are fitted.

Why not ``OptunaSearchCV`` (optuna-integration): it scores each trial by scikit-learn's
``cross_validate`` of the whole ensemble, so a stack's members are fitted again for every
trial and every outer fold (nested cross-validation: folds x inner folds fits per member),
and it can prune only estimators that train by ``partial_fit``; it is also one more
dependency.
"""

import tempfile
import time
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import accuracy_score, get_scorer, r2_score

from ._compat import _safe_indexing
from ._validation import warn_user
from .base import BaseCombiner
from .engine.oof import cross_fit
from .engine.replay import Replay

__all__ = ["TuneResult", "tune"]


@dataclass
class TuneResult:
    """What :func:`tune` returns.

    Attributes
    ----------
    study : optuna.Study
        Every trial, with its parameters, value, state (complete or pruned) and the
        fold scores it reported.
    best_params : dict
        The parameters of the best trial.
    best_score : float
        Its cross-validated score (mean over the folds; higher is better).
    best_estimator : estimator or None
        A clone of the estimator with ``best_params``, fitted on all rows (``refit=True``).
    member_fits : int
        The (member, fold) fits the search performed; fits read back from the cache are
        not counted.
    """

    study: object
    best_params: dict
    best_score: float
    best_estimator: object
    member_fits: int


def _suggest(trial, space):
    """The parameters of ``trial`` from ``space``: a callable ``space(trial) -> dict``, or
    a dict of name -> Optuna distribution, or a list of choices."""
    if callable(space):
        return dict(space(trial))
    import optuna

    dist = optuna.distributions
    params = {}
    for name, spec in space.items():
        if isinstance(spec, dist.FloatDistribution):
            params[name] = trial.suggest_float(name, spec.low, spec.high, log=spec.log,
                                               step=spec.step)
        elif isinstance(spec, dist.IntDistribution):
            params[name] = trial.suggest_int(name, spec.low, spec.high, log=spec.log,
                                             step=spec.step)
        elif isinstance(spec, dist.CategoricalDistribution):
            params[name] = trial.suggest_categorical(name, spec.choices)
        elif isinstance(spec, list | tuple) and len(spec):
            params[name] = trial.suggest_categorical(name, list(spec))
        else:
            raise ValueError(
                f"space[{name!r}] must be an Optuna distribution (e.g. "
                "optuna.distributions.FloatDistribution(0.01, 10, log=True)) or a "
                f"non-empty list of choices; got {spec!r}.")
    return params


def _member_score(predictions, y, classification):
    """A member's score on a fold from its out-of-fold predictions: accuracy for a
    classifier (the class it ranks first), R2 for a regressor."""
    predictions = np.asarray(predictions)
    if not classification:
        return r2_score(y, predictions)
    if predictions.ndim == 2:
        return accuracy_score(y, predictions.argmax(axis=1))
    return accuracy_score(y, (predictions > 0).astype(int))


def _changed_members(params, member_names):
    """The members a trial's parameters reach (``<member>__<param>`` or ``<member>``)."""
    return {key.split("__", 1)[0] for key in params} & set(member_names)


def tune(estimator, X, y, space, *, n_trials=20, timeout=None, scoring=None, memory=None,
         pruner=None, sampler=None, random_state=None, refit=True, n_jobs=None, verbose=0):
    """Search an ensemble's parameters with Optuna, each trial scored from the members'
    cross-validated fits, read back whenever they were fitted before.

    Parameters
    ----------
    estimator : StackingClassifier, StackingRegressor, VotingClassifier, VotingRegressor,
        EnsembleSelectionClassifier or EnsembleSelectionRegressor
        The ensemble to tune; its ``cv`` gives the folds (each trial is scored on the
        same folds: give an int, or a splitter with a fixed ``random_state``) and its
        ``random_state`` seeds the members (set it, or the members are new each trial).
        Voting needs ``cv`` and ``weights="auto"`` to be scored from folds; other
        voting is scored from folds all the same (its members' out-of-fold predictions).
    X : array-like or DataFrame
    y : array-like
    space : dict or callable
        Name -> an Optuna distribution (``optuna.distributions.FloatDistribution(1e-3,
        1e2, log=True)``) or a list of choices, with scikit-learn's parameter names
        (``final_estimator__C``, ``xgb__max_depth``); or ``space(trial) -> dict`` that
        calls ``trial.suggest_*`` itself.
    n_trials : int or None, default=20
    timeout : float or None, default=None
        Seconds, as ``optuna.Study.optimize`` takes them.
    scoring : str or callable, default=None
        The trial's value: a scorer (higher is better), averaged over the folds. None:
        accuracy for a classifier, R2 for a regressor.
    memory : str, joblib.Memory or None, default=None
        The engine's cache (:mod:`ensembles.engine.cache`); give the one the ensemble
        was fitted with to reuse its fits. None: a temporary directory for the search.
    pruner, sampler : Optuna pruner and sampler, default=None
        None: ``MedianPruner(n_startup_trials=2)`` and ``TPESampler(seed=random_state)``.
    random_state : int or None, default=None
        Seeds the sampler (not the ensemble: that is its own ``random_state``).
    refit : bool, default=True
        Fit the best parameters on all rows (``TuneResult.best_estimator``).
    n_jobs : int or None, default=None
        Workers over the (member, fold) fits of a trial (trials run one after another).
    verbose : int, default=0
        Optuna's log of each trial when > 0.

    Returns
    -------
    TuneResult

    Notes
    -----
    Pruning: a trial that changes member parameters reports, after each fold of the
    changed members, the mean score of those members' folds so far (accuracy or R2 of
    their out-of-fold predictions) to the pruner; a pruned trial stops there (its finished
    fits stay in the cache) and is marked pruned in the study. Trials that change only
    meta parameters fit nothing and are never pruned.
    """
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ImportError("tune needs Optuna: pip install ensembles-ml[optuna]") from exc
    if not isinstance(estimator, BaseCombiner) or not hasattr(estimator, "cv"):
        raise TypeError(
            "tune: estimator must be one of the package's cross-validated ensembles "
            "(StackingClassifier/Regressor, VotingClassifier/Regressor, "
            f"EnsembleSelectionClassifier/Regressor); got {type(estimator).__name__}.")
    if getattr(estimator, "cv", None) == "prefit":
        raise ValueError("tune: estimator has cv='prefit', so no folds to score a trial "
                         "on; give it cv=5 (or a splitter).")
    if not (callable(space) or (isinstance(space, dict) and space)):
        raise ValueError("tune: space must be a non-empty dict of parameter name -> "
                         f"distribution or choices, or a callable; got {space!r}.")
    classification = is_classifier(estimator)
    scorer = get_scorer(scoring if scoring is not None
                        else "accuracy" if classification else "r2")
    if not verbose:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    counter = {"fits": 0}
    owned = tempfile.TemporaryDirectory() if memory is None else None
    cache = owned.name if owned is not None else memory
    try:
        def objective(trial):
            params = _suggest(trial, space)
            shell = clone(estimator).set_params(**params)
            return _cross_validated_score(shell, X, y, scorer, cache, trial,
                                          _changed_members(params, [
                                              n for n, _ in estimator.estimators]),
                                          classification, counter, n_jobs)

        study = optuna.create_study(
            direction="maximize",
            sampler=sampler or optuna.samplers.TPESampler(seed=random_state),
            pruner=pruner or optuna.pruners.MedianPruner(n_startup_trials=2))
        study.optimize(objective, n_trials=n_trials, timeout=timeout)
        completed = [t for t in study.trials
                     if t.state == optuna.trial.TrialState.COMPLETE]
        if not completed:
            raise ValueError("tune: no trial completed (all pruned or failed); give more "
                             "trials or a gentler pruner.")
        best = None
        if refit:
            best = clone(estimator).set_params(**study.best_params)
            if memory is not None and "memory" in best.get_params(deep=False):
                best.set_params(memory=memory)
            best.fit(X, y)
    finally:
        if owned is not None:
            owned.cleanup()
    return TuneResult(study, dict(study.best_params), float(study.best_value), best,
                      counter["fits"])


def _cross_validated_score(shell, X, y, scorer, cache, trial, changed, classification,
                           counter, n_jobs):
    """The mean score over the folds of ``shell`` rebuilt from its members' fits (see the
    module docstring), reporting the ``changed`` members' fold scores to ``trial``."""
    import optuna

    from .evaluation.benchmark import _member_view
    from .evaluation.report import fold_ensemble

    members, X_checked, y_enc, _ = shell._validate_fit(X, y, None)
    folds = shell._folds(X_checked, y_enc)
    seen = {}

    def watch(record):
        if "fit_time" in record and not record.get("cached"):
            counter["fits"] += 1
        if record["name"] not in changed or record["fold"] is None or "error" in record:
            return
        test = folds[record["fold"]][1]
        seen[(record["name"], record["fold"])] = _member_score(
            record["predictions"], y_enc[test], classification)
        trial.report(float(np.mean(list(seen.values()))), step=len(seen))
        if trial.should_prune():
            raise optuna.TrialPruned(
                f"pruned after {len(seen)} fold fit(s) of {sorted(changed)}")

    start = time.perf_counter()
    # the very call the ensemble's own fit makes (base._run_engine), but for refit:
    # the same keys, so its fits are read back and ours are read back by its fit
    record = cross_fit(
        shell._prepared_members(members), X_checked, y_enc, folds=folds,
        methods=shell._oof_methods(members), n_classes=shell._n_classes_out(),
        n_jobs=n_jobs, desc=type(shell).__name__, keep_models=False,
        batch_nets=getattr(shell, "batch_nets", "auto"), memory=cache, on_record=watch)
    trial.set_user_attr("seconds", time.perf_counter() - start)
    classes = getattr(shell, "classes_", None)
    view = _member_view(record, record.names, classes)
    y_user = np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy()
    scores = []
    for k, (_, test) in enumerate(folds):
        ensemble = fold_ensemble(shell, view, k, X_checked, y_enc)
        X_test = _safe_indexing(X_checked, test)
        method = "predict_proba" if classification and hasattr(ensemble, "predict_proba") \
            else "predict"
        output = getattr(ensemble, method)(X_test)
        model = Replay(ensemble, len(test), {method: output},
                       classes=getattr(ensemble, "classes_", None))
        try:
            scores.append(float(scorer(model, X_test, y_user[test])))
        except AttributeError:  # a scorer asking another method: predict for real
            scores.append(float(scorer(ensemble, X_test, y_user[test])))
    trial.set_user_attr("fold_scores", scores)
    if not np.all(np.isfinite(scores)):
        warn_user(f"tune: trial {trial.number} scored {scores}; counted as failed.")
        raise optuna.TrialPruned("non-finite fold scores")
    return float(np.mean(scores))
