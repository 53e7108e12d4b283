"""Base learners against ensembles of them: same folds, same scorers, each member fitted once.

One run of the out-of-fold engine (:func:`ensembles.engine.oof.cross_fit`) fits every base model
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
:func:`ensembles.overfitting_report`); fully nested cross-validation costs about ``cv``
times more fits.
On pure-noise labels the four default ensembles stay at chance (tested); a combiner that
memorises rows can exploit the shortcut a little (a fully grown tree on members' outputs
and passthrough features: 0.526 +- 0.005 accuracy over 30 noise sets of 300 balanced
rows, 0.495 +- 0.005 fully nested; ``docs/benchmark_api.md``).

So benchmarking ``N`` ensembles costs about one cross-validation of the base models, not
``N + 1``. Any other estimator is cross-validated on the same folds, in the same run.

No fold model outlives its fit: the engine drops each one in its worker once it has
predicted its validation rows (``cross_fit(keep_models=False)``), keeping those
predictions and the other outputs the scorers will ask for on the same rows
(:class:`~ensembles.engine.oof.DroppedModel`), so the run holds one fitted model per
worker at a time, not every model of every fold.

:class:`BenchmarkResult` is in :mod:`ensembles.evaluation.benchmark`; how the models and
ensembles to compare are worked out, in :mod:`ensembles.evaluation.benchmark`.
"""

import json
import time
from dataclasses import replace
from functools import partial
from numbers import Integral, Real

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from .._compat import Interval, StrOptions, _check_y, _safe_indexing, validate_params
from .._validation import (
    check_pairs,
    check_same_rows,
    check_target_complete,
    label_encoder,
    name_failure,
    warn_user,
)
from ..base import BaseCombiner, prepare
from ..combine.selection import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from ..combine.stacking import StackingClassifier, StackingRegressor
from ..combine.voting import VotingClassifier, VotingRegressor
from ..engine.cache import MEMORY
from ..engine.oof import cross_fit, describe_fits, make_folds, note_failures
from ..engine.replay import NotKeptError, Replay
from ..learners.roster import make_learners
from .diversity import from_columns, of_record, plot_diversity, to_columns
from .files import read_json, write_text
from .memory import _PeakMemory, _Probe
from .report import fold_ensemble
from .scorers import _scorers
from .significance import check_alpha, versus_best

__all__ = ["BenchmarkResult", "benchmark"]


# -- the result ---------------------------------------------------------------------------
class BenchmarkResult:
    """Validation scores, times and memory of base models and ensembles on the same folds.

    Made by :func:`~ensembles.benchmark`. Scores follow scikit-learn's convention: greater
    is better (log-loss appears as ``neg_log_loss``).

    Attributes
    ----------
    fold_scores : DataFrame
        One row per (model, fold): ``model``, ``kind`` ("base" or "ensemble"), ``fold``,
        one column per scorer (the validation score), ``fit_time`` and ``predict_time``
        (seconds), ``peak_memory_mb`` (MiB), ``n_train`` and ``n_test`` (the fold's
        training and validation rows). See :meth:`to_frame` for what they measure.
    scoring : list of str
        The scorers; the ranking reads the first.
    task : {"classification", "regression"}
    alpha : float
        The level at which :meth:`to_frame`'s ``differs_from_best`` calls a model's
        difference from the best more than noise (``p_value < alpha``); default 0.05.
    notes : list of str
        What a reader should know (models cross-validated on their own, ensembles left
        out, the task inferred...); shown by :meth:`summary`, :meth:`to_markdown`,
        :meth:`to_html`. Append your own (e.g. the preprocessing applied).
    diversity : DataFrame
        Pairwise diversity of the base models from their out-of-fold predictions, one row
        per pair (:func:`ensembles.diversity`): disagreement, Q-statistic, correlation of
        errors and double fault for classification, correlation of residuals for
        regression. No rows for a single base model.
    skipped : dict
        Model name -> the folds whose fit did not start within ``time_limit`` (see
        :func:`~ensembles.benchmark`), for the models left out for it; empty when every
        fit ran.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import benchmark
    >>> X, y = load_wine(return_X_y=True)
    >>> result = benchmark([("nb", GaussianNB()),
    ...                     ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))],
    ...                    X, y, cv=3, ensembles=["voting_soft"], verbose=0)
    >>> result.best_
    'nb'
    >>> board = result.to_frame()
    >>> print(board[["rank", "model", "accuracy_mean"]].round(3).to_string(index=False))
     rank       model  accuracy_mean
        1          nb          0.972
        2 voting_soft          0.910
        3        tree          0.905
    """

    def __init__(self, fold_scores, *, scoring, task, alpha=0.05, notes=(), diversity=None,
                 skipped=None):
        self.fold_scores = fold_scores
        self.scoring = list(scoring)
        self.task = task
        self.notes = list(notes)
        self.alpha = alpha
        self.diversity = from_columns(None, task) if diversity is None else diversity
        self.skipped = dict(skipped or {})

    def to_frame(self):
        """The leaderboard: one row per model, best first.

        Columns: ``rank`` (by the mean of the first scorer; ties share a rank),
        ``model``, ``kind``, ``<scorer>_mean`` and ``<scorer>_std`` (over folds,
        ``ddof=0`` as in scikit-learn's ``cv_results_``), and the means over folds of
        ``fit_time`` (seconds to fit on the fold's training rows; for an ensemble of the
        base models, its members' fit times plus its combiner's), ``predict_time``
        (seconds to predict the fold's validation rows with the method the ensembles use,
        ``predict_proba`` for classifiers that have it; for an ensemble, its members'
        plus its combiner's) and ``peak_memory_mb`` (the most resident memory, in MiB,
        that the fit added to the process running it: the peak RSS during the fit less the
        RSS before it, read from the kernel, native allocations included. Free memory
        that malloc holds is handed back first (glibc), so a fit cannot hide its use in
        pages freed by earlier work; pages other pools keep (Python's small objects) can
        still be reused, so read it as a slight lower bound. For an ensemble of the base
        models, the largest of its members' and its combiner's, as when members are fitted
        one after another. NaN off Linux).

        After the scores, ``p_value`` and ``differs_from_best``: the two-sided p-value
        of the corrected resampled t-test (Nadeau and Bengio 2003;
        :func:`ensembles.evaluation.significance.corrected_ttest`) of the model's fold
        scores on the first scorer against the top-ranked model's, paired by fold, and
        whether it is below :attr:`alpha`. The plain paired t-test would be
        overconfident: the folds' training sets overlap, so their score differences are
        correlated. The top-ranked model gets 1.0 (its scores are identical to its
        own), as does any model with the same score in every fold; NaN (and False) where
        the test cannot run: fewer than 2 folds, a NaN score, or fold scores without
        ``n_train`` and ``n_test``.
        """
        rows = []
        for model, group in self.fold_scores.groupby("model", sort=False):
            row = {"model": model, "kind": group["kind"].iloc[0]}
            for name in self.scoring:
                row[f"{name}_mean"] = group[name].mean()
                row[f"{name}_std"] = group[name].std(ddof=0)
            for column in ("fit_time", "predict_time", "peak_memory_mb"):
                row[column] = group[column].mean()
            rows.append(row)
        board = pd.DataFrame(rows)
        # means equal but for summation order (0.96 vs 0.9600000000000002) tie
        key = board[f"{self.scoring[0]}_mean"].round(12)
        board.insert(0, "rank", key.rank(method="min", ascending=False).astype(int))
        board = board.sort_values("rank", kind="stable").reset_index(drop=True)
        p_values = versus_best(self.fold_scores, self.scoring[0], board["model"].iloc[0])
        at = board.columns.get_loc("fit_time")
        board.insert(at, "p_value", board["model"].map(p_values).astype(float))
        board.insert(at + 1, "differs_from_best", board["p_value"] < check_alpha(self.alpha))
        return board

    @property
    def best_(self):
        """Name of the top-ranked model (the first in model order on a tie)."""
        return self.to_frame()["model"].iloc[0]

    # -- text -------------------------------------------------------------------------
    def _table(self):
        board = self.to_frame()
        header = (["rank", "model", "kind"] + self.scoring
                  + ["p vs best", "fit s", "predict s", "peak MiB"])
        rows = [[str(r["rank"]), r["model"], r["kind"]]
                + [f"{r[f'{s}_mean']:.4f} ± {r[f'{s}_std']:.4f}" for s in self.scoring]
                + [_p_text(r["p_value"], r["differs_from_best"], i == 0)]
                + [f"{r['fit_time']:.3f}", f"{r['predict_time']:.4f}",
                   f"{r['peak_memory_mb']:.1f}"] for i, (_, r) in enumerate(board.iterrows())]
        return header, rows

    def _legend(self):
        folds = self.fold_scores["fold"].nunique()
        return (f"{folds} folds; validation score mean ± std over folds (greater is better); "
                f"ranked by {self.scoring[0]}. Times: mean seconds per fold; an ensemble of "
                "the base models counts its members' and its combiner's. Peak MiB: resident "
                "memory a fit added to its process. p vs best: two-sided p-value of the "
                f"corrected resampled t-test (Nadeau & Bengio 2003) of the {self.scoring[0]} "
                "fold scores against the best model's; * marks p < "
                f"{check_alpha(self.alpha):g}, a difference larger than fold-to-fold noise.")

    def summary(self):
        """The leaderboard as a plain-text table, with the notes under it."""
        header, rows = self._table()
        widths = [max(len(c) for c in column) for column in zip(header, *rows)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip()
                 for line in [header, ["-" * w for w in widths], *rows]]
        lines += ["", self._legend()] + [f"note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    def __repr__(self):
        return (f"<BenchmarkResult: {self.fold_scores['model'].nunique()} models, "
                f"{self.fold_scores['fold'].nunique()} folds, best {self.best_!r}>")

    def to_markdown(self):
        """The leaderboard as a GitHub-flavoured markdown table, with the notes."""
        header, rows = self._table()
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        out += ["", self._legend()] + [f"- {note}" for note in self.notes]
        return "\n".join(out) + "\n"

    def to_csv(self, path, per="model"):
        """Write the leaderboard (``per="model"``) or :attr:`fold_scores` (``"fold"``)."""
        frame = {"model": self.to_frame, "fold": lambda: self.fold_scores}.get(per)
        if frame is None:
            raise ValueError(f"per must be 'model' or 'fold'; got {per!r}.")
        frame().to_csv(path, index=False)
        return path

    # -- json -------------------------------------------------------------------------
    def to_json(self, path=None):
        """Everything as JSON (a string, or written to ``path``); see :meth:`from_json`."""
        columns = {c: [None if isinstance(v, float) and np.isnan(v) else v
                       for v in self.fold_scores[c].tolist()] for c in self.fold_scores}
        text = json.dumps({"format": "ensembles.BenchmarkResult/1", "task": self.task,
                           "scoring": self.scoring, "notes": self.notes,
                           "alpha": self.alpha, "leaderboard": _records(self.to_frame()),
                           "fold_scores": columns,
                           "diversity": to_columns(self.diversity),
                           "skipped": self.skipped})
        return write_text(text, path)

    @classmethod
    def from_json(cls, text_or_path):
        """Rebuild a result written by :meth:`to_json` (a JSON string or a file path)."""
        doc = read_json(text_or_path, "ensembles.BenchmarkResult/1",
                        "BenchmarkResult.to_json")
        frame = pd.DataFrame(doc["fold_scores"])
        counts = ["n_train", "n_test"]  # stay integers
        for column in frame.columns.drop(["model", "kind", "fold", *counts], errors="ignore"):
            frame[column] = frame[column].astype(float)
        return cls(frame, scoring=doc["scoring"], task=doc["task"],
                   alpha=doc.get("alpha", 0.05), notes=doc["notes"],
                   diversity=from_columns(doc.get("diversity"), doc["task"]),
                   skipped=doc.get("skipped"))

    # -- pictures ---------------------------------------------------------------------
    def plot(self, kind="scores", *, scorer=None, path=None):
        """A matplotlib ``Figure`` (made without pyplot: safe on a headless machine).

        ``kind="scores"``: the validation score of every fold, per model, as a box with
        the folds as points, best model first. ``kind="time"``: mean score (error bar:
        std over folds) against mean fit time per fold. ``scorer`` defaults to the first.
        Saved to ``path`` when given. Needs ``pip install ensembles-ml[plot]``.
        """
        from .plots import plot_scores, plot_time

        scorer = self.scoring[0] if scorer is None else scorer
        if scorer not in self.scoring:
            raise ValueError(f"scorer must be one of {self.scoring}; got {scorer!r}.")
        draw = {"scores": plot_scores, "time": plot_time}.get(kind)
        if draw is None:
            raise ValueError(f"kind must be 'scores' or 'time'; got {kind!r}.")
        figure = draw(self, scorer)
        if path is not None:
            figure.savefig(path, dpi=100)
        return figure

    def plot_diversity(self, measure="error_correlation", *, path=None):
        """A heat-map of one measure of :attr:`diversity`, base model against base model
        (``"disagreement"``, ``"q_statistic"``, ``"error_correlation"``,
        ``"double_fault"``; regression: ``"error_correlation"``), saved to ``path`` when
        given: :func:`ensembles.evaluation.diversity.plot_diversity`. Needs ``pip install
        ensembles-ml[plot]``."""
        return plot_diversity(self.diversity, measure, path=path)

    def to_html(self, path=None):
        """One self-contained HTML page: the leaderboard, the notes and both plots
        (embedded PNG; left out, with a line saying so, without matplotlib). Returns the
        text, or writes it to ``path``."""
        from .plots import benchmark_html

        return write_text(benchmark_html(self), path)


def _p_text(p_value, differs, best):
    if best:
        return "best"
    if np.isnan(p_value):
        return "n/a"
    return ("<0.001" if p_value < 0.001 else f"{p_value:.3f}") + (" *" if differs else "")


def _records(frame):
    """A DataFrame as JSON-ready rows: NumPy scalars as Python ones, NaN as None."""
    return [{k: None if isinstance(v, float) and np.isnan(v) else v
             for k, v in row.items()}
            for row in frame.astype(object).to_dict(orient="records")]


ENSEMBLE_NAMES = ("voting_soft", "voting_auto", "stacking", "selection")
_TASKS = ("classification", "regression")
#: Numeric integer targets with more distinct values than this are taken for regression.
_MAX_CLASSES = 20
_METHODS = ("predict_proba", "decision_function", "predict")
_ALL_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


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
    check_pairs(models, "models", "benchmark")
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
    if ensembles is None or (isinstance(ensembles, str) and ensembles == "none"):
        return []
    default = isinstance(ensembles, str) and ensembles == "default"
    if isinstance(ensembles, str) and not default:
        # the command line's spelling: names separated by commas
        names = [part.strip() for part in ensembles.split(",") if part.strip()]
        if not names or any(n not in ENSEMBLE_NAMES for n in names):
            raise ValueError(
                "ensembles must be 'default', 'none', None, names from "
                f"{list(ENSEMBLE_NAMES)} (a list, or one str separated by commas) or "
                f"(name, estimator) pairs; got {ensembles!r}.")
        ensembles = names
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
            check_pairs([item], "ensembles", "benchmark")
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
    if not isinstance(estimator, BaseCombiner) or getattr(estimator, "cv", None) == "prefit":
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


def _leave_out_failures(errors, base, kept, shells, task, random_state, X, y, notes,
                        skipped=None, time_limit=None):
    """Drop the models that failed (``on_error="skip"``) or whose fits did not all start
    within ``time_limit`` (``skipped``: ``CrossFit.skipped``), and the ensembles that
    needed them; one of ``ENSEMBLE_NAMES`` built on all the base models is rebuilt on
    those left. Returns the base models and the ensembles left; updates ``shells`` in
    place."""
    skipped = skipped or {}
    classification = task == "classification"
    given = list(base.items())
    base = {n: e for n, e in base.items() if n not in errors and n not in skipped}
    note_failures(errors, notes, left=base or skipped)
    for name, fits in skipped.items():
        notes.append(f"{name!r} left out: not started within time_limit={time_limit:g} "
                     f"s: {describe_fits(fits)}.")
    if not base:
        failed = "".join(f"; {n!r} failed" for n, _ in given if n in errors)
        raise ValueError(
            f"time_limit={time_limit:g} s: no base model finished all its fits; not "
            "started: "
            + "; ".join(f"{n!r} {describe_fits(f)}" for n, f in skipped.items() if n in
                        dict(given))
            + f"{failed}. Raise time_limit (None: no limit).")
    still, rebuilt = [], []
    for name, estimator in kept:
        if name in errors or name in skipped:
            continue
        members = shells[name][1] if name in shells else []
        lost = [m for m in members if m in errors or m in skipped]
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
        notes.append(f"{name!r} left out: its member(s) {lost} "
                     + ("failed." if all(m in errors for m in lost) else
                        "did not finish within time_limit." if not any(
                            m in errors for m in lost) else
                        "failed or did not finish within time_limit."))
    if rebuilt:
        why = ("did not fail" if not skipped else "finished within time_limit"
               if not errors else "did not fail and finished within time_limit")
        notes.append(f"{', '.join(map(repr, rebuilt))}: built on the base models that "
                     f"{why}.")
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




# -- running it ---------------------------------------------------------------------------
@validate_params(
    {
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "shuffle": ["boolean"],
        "on_error": [StrOptions({"raise", "skip"})],
        "time_limit": [Interval(Real, 0, None, closed="neither"), None],
        "memory": MEMORY,
    },
    # the models' own parameters are still checked when they are fitted
    prefer_skip_nested_validation=False,
)
def benchmark(models, X, y, *, cv=5, shuffle=True, scoring=None, ensembles="default",
              task=None, groups=None, n_jobs=None, random_state=None, verbose=1, device=None,
              on_error="skip", alpha=0.05, time_limit=None, memory=None):
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
        Stratified k-fold for classification when an int (k-fold for regression), its
        rows shuffled (``shuffle``); every row must be in exactly one validation fold.
        A splitter or an iterable of splits is used as it is.
    shuffle : bool, default=True
        With an int ``cv``: shuffle the rows before they are split into folds, seeded by
        ``random_state`` (None: seed 0, so the same call gives the same folds; a
        ``RandomState``: a seed drawn from it after the models' seeds). False keeps the
        rows' order, as scikit-learn's ``cross_validate(cv=5)`` does: then a file sorted
        by a column that drives the target gives each fold a different slice of it,
        and the scores measure that shift, not the models (``docs/benchmark_api.md``).
    scoring : str, list of str or dict of str -> scorer, default=None
        Scorer names (``sklearn.metrics.get_scorer_names()``; a str may hold several
        separated by commas, as the command line's ``--scoring``) or name -> scorer; the
        ranking reads the first. Default: accuracy and neg_log_loss (when every model
        gives probabilities) for classification, r2 and neg_root_mean_squared_error for
        regression. A scorer that cannot score the task (``r2`` for classification,
        ``f1`` or ``roc_auc`` on three classes: ``f1_macro``, ``roc_auc_ovr``) is a
        ``ValueError`` before anything is fitted. A scorer is a name, a scikit-learn
        scorer or a callable ``(estimator, X, y) -> float``; each model is scored from
        its outputs on the fold's validation rows, so a callable may ask for any of
        ``predict``, ``predict_proba``, ``predict_log_proba`` and
        ``decision_function`` on those rows (a ``ValueError`` if it asks about others).
    ensembles : "default", "none", None, a str or list of names and/or (str, estimator), \
default="default"
        Names from ``"voting_soft"`` (soft voting; for regression, the plain average),
        ``"voting_auto"`` (weights learned on out-of-fold predictions), ``"stacking"``
        and ``"selection"`` (ensemble selection), built on all the base models;
        ``"default"`` is all four (one that cannot take the models, e.g. soft voting of
        a model without ``predict_proba``, is left out with a note). A ready estimator
        whose members are base models (same names and parameters) is scored from the
        base models' fits like those; any other is cross-validated on its own.
        None, ``"none"`` or ``[]``: base models only. A str may name several ensembles,
        separated by commas, as the command line's ``--ensembles`` does
        (``"voting_soft,stacking"``).
    task : {None, "classification", "regression"}, default=None
        Forces the task of ``models="default"``; None infers it from ``y``
        (classification for labels and for integers with at most 20 distinct values).
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter.
    n_jobs : int, default=None
        joblib workers over the (model, fold) fits.
    random_state : int, RandomState or None, default=None
        Seeds the base models whose ``random_state`` is unset (drawn up front, so the
        result does not depend on ``n_jobs``), the default roster, the selection and the
        shuffled folds (``shuffle``).
    verbose : int, default=1
        A progress bar over the fits when > 0.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        Set on every base model with :func:`ensembles.set_device`; None leaves them as
        given (the default roster then uses ``"auto"``).
    alpha : float, default=0.05
        Level of the leaderboard's ``differs_from_best`` (corrected resampled t-test
        against the best model; :meth:`BenchmarkResult.to_frame`); kept as the
        result's ``alpha``, which can be changed afterwards.
    on_error : {"skip", "raise"}, default="skip"
        A model that fails in any fold: ``"skip"`` leaves it out of the leaderboard with
        a note and a ``UserWarning`` (the error, naming the model and the fold), as
        ``cross_validate`` scores a failed fit NaN and warns; an ensemble named from
        ``ensembles`` is then built on the base models that did not fail, and any other
        ensemble that needs a failed model is left out. ``"raise"``: raise that error
        once every fit has run. If every base model fails, the first error is raised
        either way. A model that cannot be scored (a scorer that fails on it) is handled
        the same way, once every fit has run, its name in front of the error.
    time_limit : float, default=None
        A budget in seconds for the whole call, counted from its start: no (model,
        fold) fit starts once it is spent, nor one that the mean duration of the
        model's finished fits says would end after it (the rule of
        :func:`~ensembles.engine.oof.cross_fit`'s ``deadline``). Fits that started run
        to their end, so the call returns at most about one fit's time after the
        budget, plus the few moments it takes to score the ensembles from the fits.
        A model with a fold that did not start has no complete out-of-fold predictions:
        it is left out like a failed model (a note names it and its folds;
        :attr:`BenchmarkResult.skipped`), and so is an ensemble that needs it, a
        default ensemble being rebuilt on the base models that finished. Models come
        in the order given, each with all its folds, so the first finish and the last
        are the ones left out. A ``ValueError`` if no base model finished. None: no
        limit.
    memory : str, joblib.Memory or None, default=None
        Where to keep each (model, fold) fit (:mod:`ensembles.engine.cache`): run the
        benchmark again with one more model, on the same data and folds, and only that
        model's folds are fitted; the others are read back. Give ``random_state`` (or
        seeded models) for it to hit. A path or a ``joblib.Memory``; None keeps nothing.

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
    0     1           lr      base          0.960
    1     2         tree      base          0.953
    2     2  voting_soft  ensemble          0.953
    3     2     stacking  ensemble          0.953
    """
    deadline = None if time_limit is None else time.time() + time_limit
    check_alpha(alpha)  # before the fits, not when the leaderboard is first read
    notes = []
    y_arr = column_or_1d(np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy())
    check_target_complete(y_arr, "benchmark")
    if not hasattr(X, "iloc"):
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False)
    check_same_rows(X, y_arr)
    task = _resolve_task(models, y_arr, task, notes)
    classification = task == "classification"
    if classification:
        encoder, y_fit = label_encoder(y_arr, "benchmark")
        classes = encoder.classes_
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
        estimator = prepare(estimator, rng, device if name in base else None)
        fitted.append((name, _Probe(estimator)))
    probabilistic = classification and all(hasattr(e, "predict_proba")
                                           for e in list(base.values()) + [
                                               e for _, e in kept])
    scorers = _scorers(scoring, classification, probabilistic, classes)
    folds = make_folds(cv, X, y_fit, classifier=classification, groups=groups,
                       every_class=True, shuffle=shuffle, random_state=random_state)
    record = cross_fit(fitted, X, y_fit, folds=folds, methods=methods,
                       n_classes=len(classes) if classification else None, n_jobs=n_jobs,
                       verbose=verbose, desc="benchmark", on_error=on_error,
                       keep_models=False, test_outputs=_scorer_methods(scorers),
                       deadline=deadline, memory=memory)
    if record.errors or record.skipped:
        base, kept = _leave_out_failures(record.errors, base, kept, shells, task,
                                         random_state, X, y_arr, notes, record.skipped,
                                         time_limit)

    context = (X, y_arr, y_fit, classes, scorers)
    view = _member_view(record, list(base), classes)
    jobs = [(name, partial(_model_rows, record, name, "base", context)) for name in base]
    for name, _ in kept:
        jobs.append((name, partial(_ensemble_rows, record, view, name, *shells[name], context)
                     if name in shells else
                     partial(_model_rows, record, name, "ensemble", context)))
    rows = _score_all(jobs, on_error, notes)
    columns = ["model", "kind", "fold", *scorers, "fit_time", "predict_time",
               "peak_memory_mb"]
    frame = pd.DataFrame(rows, columns=columns)
    for column, part in (("n_train", 0), ("n_test", 1)):
        frame[column] = frame["fold"].map({k: len(f[part]) for k, f in enumerate(record.folds)})
    return BenchmarkResult(frame, scoring=list(scorers), alpha=alpha,
                           task=task, notes=notes,
                           diversity=of_record(record, y_fit, task, names=list(base)),
                           skipped=record.skipped)


def _score_all(jobs, on_error, notes):
    """The rows of every (name, rows) job; a model that cannot be scored (a scorer that
    fails on it, an ensemble rebuilt from its fits that cannot predict) is named in the
    error, and with ``on_error="skip"`` left out with a warning and a note instead, so
    that the fits of the others are not lost."""
    rows, failed = [], []
    for name, job in jobs:
        try:
            rows += job()
        except Exception as exc:  # noqa: BLE001 - a user's scorer may raise anything
            name_failure(exc, f"{name!r} could not be scored")
            if on_error == "raise":
                raise
            warn_user(f"{exc} ({type(exc).__name__}); it is left out of the leaderboard "
                      "(on_error='skip').")
            notes.append(f"{exc} ({type(exc).__name__}); left out.")
            failed.append(exc)
    if not rows:
        raise failed[0]
    return rows


def _scorer_methods(scorers):
    """The prediction methods ``scorers`` may ask of a model, for the engine to keep their
    outputs on each fold's validation rows when it drops the fold model. A scikit-learn
    scorer names them (``_response_method``: one, or candidates of which it takes the
    first the model has); any other callable may ask for any of them, so all that the
    model has are kept (``predict_log_proba`` too: no scikit-learn scorer uses it, but a
    callable may)."""
    asked = set()
    for scorer in scorers.values():
        methods = getattr(scorer, "_response_method", _ALL_METHODS)
        asked.update([methods] if isinstance(methods, str) else methods)
    return tuple(m for m in _ALL_METHODS if m in asked)


def _scores(model, X_test, y_test, scorers):
    scores = {}
    for name, scorer in scorers.items():
        try:
            scores[name] = float(scorer(model, X_test, y_test))
        except NotKeptError as error:
            # the engine's advice (keep_fold_models) is not the benchmark's
            raise ValueError(
                f"scoring {name!r}: the benchmark scores each model from its outputs on "
                "the fold's validation rows (predict, predict_proba, predict_log_proba, "
                "decision_function, those the model has), kept when the fold model is "
                "dropped; a scorer can ask for those only, and this one asked for more: "
                f"{error}."
            ) from error
    return scores


def _model_rows(record, name, kind, context):
    """Rows of a model the engine fitted: scored on each fold's validation rows, from
    the outputs kept of its (dropped) fold model."""
    X, y, _, classes, scorers = context
    rows = []
    for k, (_, test) in enumerate(record.folds):
        probe = record.fold_estimators[name][k]
        model = Replay(probe, len(test),
                       {record.methods[name]: record.oof[name][test]}, classes=classes,
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
    replays = {n: [Replay(record.fold_estimators[n][k], len(test),
                          {record.methods[n]: record.oof[n][test]},
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
        model = Replay(ensemble, len(test), {method: output},
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
