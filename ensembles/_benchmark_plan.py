"""What a benchmark compares, before anything is fitted (and after a model fails).

The task (given, or read from the models or from ``y``), the ensembles asked for, which of
them can be rebuilt per fold from the base models' fits (see :mod:`ensembles.benchmark`)
and which must be cross-validated on their own, the prediction method the shared run
computes for each base model, and what is left out or rebuilt when a model fails.
"""

import joblib
import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils.multiclass import type_of_target

from ._members import MembersMixin
from .oof import note_failures
from .selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from .stacking import StackingClassifier, StackingRegressor
from .voting import VotingClassifier, VotingRegressor

ENSEMBLE_NAMES = ("voting_soft", "voting_auto", "stacking", "selection")
_TASKS = ("classification", "regression")
#: Numeric integer targets with more distinct values than this are taken for regression.
_MAX_CLASSES = 20
_METHODS = ("predict_proba", "decision_function", "predict")


# -- what is compared ---------------------------------------------------------------------
def _task_from_y(y):
    target = type_of_target(y)
    if target == "continuous":
        return "regression"
    if target == "binary":
        return "classification"
    if target == "multiclass":
        numeric = y.dtype.kind in "iuf"
        return ("regression" if numeric and len(np.unique(y)) > _MAX_CLASSES
                else "classification")
    raise ValueError(
        "y must be one column of class labels or of numbers; got y of type "
        f"{target!r} (sklearn.utils.multiclass.type_of_target)."
    )


def _kind(estimator):
    return ("classification" if is_classifier(estimator)
            else "regression" if is_regressor(estimator) else None)


def _check_pairs(pairs, what):
    if not isinstance(pairs, list | tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and hasattr(p[1], "fit")
        for p in pairs
    ):
        raise TypeError(f"{what} must be a list of (name, estimator) pairs; got {pairs!r}.")


def _resolve_task(models, y, task, notes):
    if task is not None and task not in _TASKS:
        raise ValueError(f"task must be None, 'classification' or 'regression'; got {task!r}.")
    if isinstance(models, str):
        if models != "default":
            raise ValueError(f"models must be 'default' or a list of (name, estimator) "
                             f"pairs; got {models!r}.")
        if task is None:
            task = _task_from_y(y)
            notes.append(f"task inferred from y ({type_of_target(y)}, "
                         f"{len(np.unique(y))} distinct values): {task}; pass task= to "
                         "choose.")
        return task
    if isinstance(models, list | tuple) and len(models) == 0:
        raise ValueError("models must be 'default' or a non-empty list of (name, estimator) "
                         "pairs; got an empty list.")
    _check_pairs(models, "models")
    kinds = {_kind(e) for _, e in models}
    if None in kinds or len(kinds) != 1:
        raise ValueError(
            "models must be all classifiers or all regressors (one task); got "
            f"{[(n, type(e).__name__) for n, e in models]}."
        )
    found = kinds.pop()
    if task is not None and task != found:
        raise ValueError(f"task={task!r} but the models are for {found}.")
    if found == "classification" and type_of_target(y) == "continuous":
        raise ValueError("the models are classifiers but y is continuous; pass regressors "
                         "(or class labels).")
    return found


def _default_ensemble(name, models, classification, random_state):
    if classification:
        return {"voting_soft": lambda: VotingClassifier(models, voting="soft"),
                "voting_auto": lambda: VotingClassifier(models, voting="soft", weights="auto"),
                "stacking": lambda: StackingClassifier(models),
                "selection": lambda: EnsembleSelectionClassifier(
                    models, random_state=random_state)}[name]()
    return {"voting_soft": lambda: VotingRegressor(models),
            "voting_auto": lambda: VotingRegressor(models, weights="auto"),
            "stacking": lambda: StackingRegressor(models),
            "selection": lambda: EnsembleSelectionRegressor(
                models, random_state=random_state)}[name]()


def _ensemble_specs(ensembles, models, task, random_state):
    """[(name, estimator, is_a_default)] of the ensembles asked for."""
    if ensembles is None:
        return []
    default = isinstance(ensembles, str) and ensembles == "default"
    if isinstance(ensembles, str) and not default:
        raise ValueError(f"ensembles must be 'default', None, or a list of names from "
                         f"{list(ENSEMBLE_NAMES)} or (name, estimator) pairs; got "
                         f"{ensembles!r}.")
    items = list(ENSEMBLE_NAMES) if default else ensembles
    if not isinstance(items, list | tuple):
        raise TypeError(f"ensembles must be 'default', None or a list; got {ensembles!r}.")
    unknown = [i for i in items if isinstance(i, str) and i not in ENSEMBLE_NAMES]
    if unknown:
        raise ValueError(f"unknown ensemble name(s) {unknown}; expected names from "
                         f"{list(ENSEMBLE_NAMES)} or (name, estimator) pairs.")
    specs = []
    for item in items:
        if isinstance(item, str):
            specs.append((item, _default_ensemble(item, list(models), task == "classification",
                                                  random_state), default))
        else:
            _check_pairs([item], "ensembles")
            if _kind(item[1]) != task:
                raise ValueError(f"ensemble {item[0]!r} ({type(item[1]).__name__}) is not "
                                 f"for {task} like the models; one task per benchmark.")
            specs.append((item[0], item[1], False))
    return specs


def _same(a, b):
    return a is b or (type(a) is type(b) and joblib.hash(clone(a)) == joblib.hash(clone(b)))


def _engine_shell(name, estimator, base, X, y, default, notes):
    """(shell, member names) if ``estimator`` can be rebuilt from the base models' fits,
    None if it must be cross-validated on its own; raises (or, for a default ensemble,
    leaves it out: returns False) when it cannot take these models."""
    if not isinstance(estimator, MembersMixin) or getattr(estimator, "cv", None) == "prefit":
        notes.append(f"{name!r} ({type(estimator).__name__}) is not one of our ensembles of "
                     "the base models: cross-validated on its own on the same folds; its "
                     "fit time is that of its whole fit.")
        return None
    shell = clone(estimator)
    try:
        members = shell._validate_fit(X, y, None)[0]
    except (ValueError, TypeError) as exc:
        if not default:
            raise
        notes.append(f"{name!r} left out: {exc}")
        return False
    given = dict(estimator.estimators)  # the shell's are clones: compare what was given
    if not all(n in base and _same(given[n], base[n]) for n, _ in members):
        notes.append(f"{name!r}: its members are not the base models (same names, same "
                     "parameters): cross-validated on its own on the same folds; its fit "
                     "time is that of its whole fit.")
        return None
    return shell, [n for n, _ in members]


def _leave_out_failures(errors, base, kept, shells, task, random_state, X, y, notes):
    """Drop the models that failed (``on_error="skip"``) and the ensembles that needed
    them; one of ``ENSEMBLE_NAMES`` built on all the base models is rebuilt on those
    that did not fail. Returns the base models and the ensembles left; updates
    ``shells`` in place."""
    classification = task == "classification"
    given = list(base.items())
    base = {n: e for n, e in base.items() if n not in errors}
    note_failures(errors, notes, left=base)
    still, rebuilt = [], []
    for name, estimator in kept:
        if name in errors:
            continue
        members = shells[name][1] if name in shells else []
        lost = [m for m in members if m in errors]
        if not lost:
            still.append((name, estimator))
            continue
        del shells[name]
        if name in ENSEMBLE_NAMES and _same(estimator, _default_ensemble(
                name, given, classification, random_state)):
            estimator = _default_ensemble(name, list(base.items()), classification,
                                          random_state)
            shell = _engine_shell(name, estimator, base, X, y, True, notes)
            if shell:
                shells[name] = shell
                still.append((name, estimator))
                rebuilt.append(name)
                continue
        notes.append(f"{name!r} left out: its member(s) {lost} failed.")
    if rebuilt:
        notes.append(f"{', '.join(map(repr, rebuilt))}: built on the base models that did "
                     "not fail.")
    return base, still


def _base_methods(base, shells, classification):
    """One prediction method per base model, the one the most ensembles need."""
    methods = {}
    for name, estimator in base.items():
        if not classification:
            methods[name] = "predict"
        elif hasattr(estimator, "predict_proba"):
            methods[name] = "predict_proba"
        else:
            wanted = [shell._oof_methods(
                [(n, base[n]) for n in names])[name] for shell, names in shells.values()
                      if name in names]
            methods[name] = max(_METHODS, key=wanted.count) if wanted else "predict"
    return methods
