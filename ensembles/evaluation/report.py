"""The overfitting report: train vs validation scores per member, per fold, over training.

One run of the out-of-fold engine (:func:`ensembles.engine.oof.cross_fit`) fits every member once
per fold and scores it on the fold's train and validation parts. For one of our ensembles
of named members (stacking, voting, ensemble selection) the ensemble of fold ``k`` is then
rebuilt from the same fold models, without fitting any member again:

- its members are the members fitted on fold ``k``'s training part (what scikit-learn's
  ``cross_validate`` of the ensemble would fit there, seeds equal);
- its combiner (final estimator, learned voting weights, selection) is learned on the
  out-of-fold predictions of the training rows of fold ``k``, which came from the other
  folds' models. A row of fold ``k`` is never the input *or* the label the combiner learns
  from, so fold ``k``'s validation score is honest at the level of the combiner. (The
  members that made those predictions did see fold ``k``'s rows: the usual one-level
  shortcut of cross-validated stacking; nested cross-validation would cost k times more.)

Learning curves come from what training records: each net, XGBoost and LightGBM member
watches its fold's validation part while it trains (:mod:`ensembles.evaluation.monitor`: watched,
never used to fit or stop), giving a point per epoch or round; a boosting model with
``staged_predict*`` (ours, scikit-learn's) is re-predicted after the fit at up to 50
evenly spaced stages.

The result class, :class:`OverfittingReport`, is in :mod:`ensembles.evaluation.report`; the
folds and scorers shared with :mod:`ensembles.evaluation.benchmark` in
:mod:`ensembles.evaluation.scorers`.
"""

import json
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions, _safe_indexing, validate_params
from .._validation import check_same_rows, check_target_complete
from ..base import BaseCombiner
from ..combine.guard import GUARD_COLUMNS
from ..engine.oof import DroppedModel, cross_fit, fingerprint, make_folds, note_failures
from ..engine.replay import Replay
from .curves import learning_curves
from .diversity import from_columns, of_record, plot_diversity, to_columns
from .files import read_json, write_text
from .monitor import fit_watched
from .scorers import _perfect_score, _scorers

__all__ = ["OverfittingReport", "overfitting_report"]


def _fmt(value, sign=""):
    """Four decimals, without the "-0.0000" of a tiny negative number."""
    return f"{round(float(value), 4) + 0.0:{sign}.4f}"


# -- the report ---------------------------------------------------------------------------
class OverfittingReport:
    """Train vs validation scores of models over cross-validation folds, and their curves.

    Made by :func:`~ensembles.overfitting_report`. Scores follow scikit-learn's scorer
    convention (greater is better: log-loss appears as ``neg_log_loss``), so ``gap =
    train - validation`` is positive when a model does better on the rows it learned from.

    Attributes
    ----------
    scores : DataFrame
        One row per (model, fold): ``model``, ``kind`` ("member", "ensemble", "model" or
        "baseline"), ``fold``, ``train_<scorer>``, ``valid_<scorer>``, ``fit_time``.
    curves : DataFrame
        Long format, one row per point: ``model``, ``fold``, ``step_name`` ("epoch" or
        "round"), ``step``, ``split`` ("train", "validation", "early_stopping"),
        ``metric`` ("loss", "accuracy" or "r2"), ``value``.
    scoring : list of str
        The scorers; verdicts read the first.
    task : {"classification", "regression"}
    overfit_gap, underfit_skill : float
        The verdict thresholds (see :meth:`to_frame`).
    notes : list of str
        What a reader should know (models left out, a record reused...).
    diversity : DataFrame
        Pairwise diversity of the members (or models) from their out-of-fold
        predictions, one row per pair (:func:`ensembles.diversity`): disagreement,
        Q-statistic, correlation of errors and double fault for classifiers, correlation
        of residuals for regressors. No rows for a single model.
    guard : DataFrame
        One row for a stack fitted with a guard (``StackingClassifier(guard=...)``,
        reported with ``cv="prefit"``): its decision ("stack", "voting", "member"), the
        best member, and the out-of-fold and holdout scores of the stack, the vote and
        that member (:meth:`~ensembles.combine.guard.GuardDecision.as_row`); no rows
        otherwise. ``notes`` gives the decision in a sentence.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import overfitting_report
    >>> X, y = load_wine(return_X_y=True)
    >>> report = overfitting_report(DecisionTreeClassifier(random_state=0), X, y, cv=3)
    >>> summary = report.to_frame()
    >>> print(summary[["model", "train_accuracy", "valid_accuracy", "verdict"]].round(3)
    ...       .to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
                     model  train_accuracy  valid_accuracy verdict
    DecisionTreeClassifier           1.000           0.922      ok
                  baseline           0.399           0.399

    The rows of ``load_wine`` are sorted by class; folds in that order
    (``shuffle=False``) give the tree 0.849 and the verdict ``"overfit"``.
    """

    def __init__(self, scores, curves, *, scoring, task, overfit_gap=0.15, underfit_skill=0.3,
                 notes=(), diversity=None, guard=None):
        self.scores = scores
        self.curves = curves
        self.scoring = list(scoring)
        self.task = task
        self.overfit_gap = overfit_gap
        self.underfit_skill = underfit_skill
        self.notes = list(notes)
        self.diversity = from_columns(None, task) if diversity is None else diversity
        self.guard = (pd.DataFrame(columns=GUARD_COLUMNS) if guard is None
                      else pd.DataFrame(guard, columns=GUARD_COLUMNS))

    @property
    def models(self):
        """Model names in report order (baseline excluded)."""
        frame = self.scores[self.scores["kind"] != "baseline"]
        return list(dict.fromkeys(frame["model"]))

    def to_frame(self, per="model"):
        """The report as a DataFrame.

        Parameters
        ----------
        per : {"model", "fold"}, default="model"
            ``"fold"``: :attr:`scores` with a ``gap_<scorer>`` column per scorer.
            ``"model"``: one row per model: the mean train and validation score of each
            scorer over folds, the mean gap and its standard deviation over folds, and a
            ``verdict`` read from the first scorer, in *skill* units, where 0 is the
            baseline (a ``DummyClassifier``/``DummyRegressor`` cross-validated on the same
            folds) and 1 a perfect score: ``"overfit"`` when train skill exceeds
            validation skill by more than ``overfit_gap``; otherwise ``"underfit"`` when
            train skill is below ``underfit_skill``; otherwise ``"ok"``. Scorers whose
            best value is unknown give a verdict from the gap in score units.
        """
        frame = self.scores.copy()
        for name in self.scoring:
            frame[f"gap_{name}"] = frame[f"train_{name}"] - frame[f"valid_{name}"]
        if per == "fold":
            return frame
        if per != "model":
            raise ValueError(f"per must be 'model' or 'fold'; got {per!r}.")
        rows = []
        for model, group in frame.groupby("model", sort=False):
            row = {"model": model, "kind": group["kind"].iloc[0]}
            for name in self.scoring:
                row[f"train_{name}"] = group[f"train_{name}"].mean()
                row[f"valid_{name}"] = group[f"valid_{name}"].mean()
                row[f"gap_{name}"] = group[f"gap_{name}"].mean()
                row[f"gap_{name}_std"] = group[f"gap_{name}"].std(ddof=0)
            row["fit_time"] = group["fit_time"].sum()
            rows.append(row)
        summary = pd.DataFrame(rows)
        summary["verdict"] = [self._verdict(row) if row["kind"] != "baseline" else ""
                              for _, row in summary.iterrows()]
        return summary

    def _skill(self, value):
        """Score in units where the baseline is 0 and a perfect score 1 (None: unknown)."""
        name = self.scoring[0]
        perfect = _perfect_score(name)
        base = self.scores.loc[self.scores["kind"] == "baseline", f"valid_{name}"]
        if perfect is None or base.empty or perfect == base.mean():
            return None
        return (value - base.mean()) / (perfect - base.mean())

    def _verdict(self, row):
        name = self.scoring[0]
        train, valid = row[f"train_{name}"], row[f"valid_{name}"]
        s_train, s_valid = self._skill(train), self._skill(valid)
        if s_train is None:
            return "overfit" if train - valid > self.overfit_gap else "ok"
        if s_train - s_valid > self.overfit_gap:
            return "overfit"
        if s_train < self.underfit_skill:
            return "underfit"
        return "ok"

    # -- text -------------------------------------------------------------------------
    def _table(self):
        """(header, rows of cells, kind of each row) of the per-model summary."""
        summary = self.to_frame()
        header = ["model"]
        for name in self.scoring:
            header += [f"train {name}", f"valid {name}", "gap ± std"]
        header.append("verdict")
        rows = []
        for _, row in summary.iterrows():
            cells = [row["model"] + (" (dummy)" if row["kind"] == "baseline" else "")]
            for name in self.scoring:
                cells += [_fmt(row[f"train_{name}"]), _fmt(row[f"valid_{name}"]),
                          f"{_fmt(row[f'gap_{name}'], '+')} ± {_fmt(row[f'gap_{name}_std'])}"]
            cells.append(row["verdict"])
            rows.append(cells)
        return header, rows, summary["kind"].tolist()

    def summary(self):
        """A plain-text table (one row per model) that a terminal shows well."""
        header, rows, _ = self._table()
        widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
        line = "  ".join
        out = [line(h.ljust(w) for h, w in zip(header, widths)),
               line("-" * w for w in widths)]
        out += [line(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        folds = self.scores["fold"].nunique()
        out.append(f"\n{folds} folds; scores greater-is-better (scikit-learn's convention); "
                   f"gap = train - validation; verdict from {self.scoring[0]} "
                   f"(overfit_gap={self.overfit_gap}, underfit_skill={self.underfit_skill}).")
        out += [f"note: {note}" for note in self.notes]
        return "\n".join(out)

    def __str__(self):
        return self.summary()

    def __repr__(self):
        return (f"<OverfittingReport: {len(self.models)} models, "
                f"{self.scores['fold'].nunique()} folds, scoring={self.scoring}>")

    def to_markdown(self):
        """The summary as a GitHub-flavoured markdown table."""
        header, rows, _ = self._table()
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
        out += ["", f"Verdict from `{self.scoring[0]}` (overfit_gap={self.overfit_gap}, "
                f"underfit_skill={self.underfit_skill}); gap = train - validation."]
        out += [f"- {note}" for note in self.notes]
        return "\n".join(out) + "\n"

    # -- json -------------------------------------------------------------------------
    def to_json(self, path=None):
        """The whole report as JSON (a string, or written to ``path``); see
        :meth:`from_json`."""
        doc = {
            "format": "ensembles.OverfittingReport/1",
            "task": self.task, "scoring": self.scoring,
            "overfit_gap": self.overfit_gap, "underfit_skill": self.underfit_skill,
            "notes": self.notes,
            "scores": {c: self.scores[c].tolist() for c in self.scores.columns},
            "curves": {c: self.curves[c].tolist() for c in self.curves.columns},
            "diversity": to_columns(self.diversity),
            "guard": {c: self.guard[c].tolist() for c in self.guard.columns},
        }
        return write_text(json.dumps(doc), path)

    @classmethod
    def from_json(cls, text_or_path):
        """Rebuild a report written by :meth:`to_json` (a JSON string or a file path)."""
        doc = read_json(text_or_path, "ensembles.OverfittingReport/1",
                        "OverfittingReport.to_json")
        return cls(pd.DataFrame(doc["scores"]), pd.DataFrame(doc["curves"]),
                   scoring=doc["scoring"], task=doc["task"], overfit_gap=doc["overfit_gap"],
                   underfit_skill=doc["underfit_skill"], notes=doc["notes"],
                   diversity=from_columns(doc.get("diversity"), doc["task"]),
                   guard=pd.DataFrame(doc["guard"]) if doc.get("guard") else None)

    # -- pictures ---------------------------------------------------------------------
    def plot(self, kind="gap", *, path=None):
        """A matplotlib Figure: ``kind="gap"`` bars of train vs validation score per model
        (error bars: std over folds); ``kind="curves"`` train vs validation learning
        curves per model. Saved to ``path`` when given. Needs ``pip install
        ensembles-ml[plot]``."""
        from .plots import plot_curves, plot_gap

        if kind == "gap":
            figure = plot_gap(self)
        elif kind == "curves":
            figure = plot_curves(self)
        else:
            raise ValueError(f"kind must be 'gap' or 'curves'; got {kind!r}.")
        if path is not None:
            figure.savefig(path, dpi=100, bbox_inches="tight")
        return figure

    def plot_diversity(self, measure="error_correlation", *, path=None):
        """A heat-map of one measure of :attr:`diversity`, member against member
        (``"disagreement"``, ``"q_statistic"``, ``"error_correlation"``,
        ``"double_fault"``; regression: ``"error_correlation"``), saved to ``path`` when
        given: :func:`ensembles.evaluation.diversity.plot_diversity`. Needs ``pip install
        ensembles-ml[plot]``."""
        return plot_diversity(self.diversity, measure, path=path)

    def to_html(self, path=None):
        """One self-contained HTML page: the summary table and both plots, embedded as
        PNG. Returns the text, or writes it to ``path``."""
        from .plots import report_html

        return write_text(report_html(self), path)




# -- building it --------------------------------------------------------------------------
def _named_models(estimator):
    """(kind, list of (name, estimator)) of what is reported."""
    if isinstance(estimator, list | tuple):
        if not estimator or not all(
            isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
            and hasattr(p[1], "fit") for p in estimator
        ):
            raise TypeError(
                "estimator must be an estimator or a non-empty list of (name, estimator) "
                f"pairs; got {estimator!r}."
            )
        names = [name for name, _ in estimator]
        if len(set(names)) != len(names):
            raise ValueError(f"estimator: model names must be unique; got {names}.")
        return "list", list(estimator)
    if not hasattr(estimator, "fit"):
        raise TypeError(f"estimator must have a fit method; got {estimator!r}.")
    if isinstance(estimator, BaseCombiner):
        return "ensemble", [(type(estimator).__name__, estimator)]
    return "list", [(type(estimator).__name__, estimator)]


def _task(models):
    kinds = {"classification" if is_classifier(e) else
             "regression" if is_regressor(e) else None for _, e in models}
    if None in kinds or len(kinds) != 1:
        raise ValueError(
            "estimator: the models must be all classifiers or all regressors; got "
            f"{[(n, type(e).__name__) for n, e in models]}."
        )
    return kinds.pop()


def _score_rows(model, kind, fits, scorers, fit_times, folds, X, y):
    """Rows of train/validation scores of fitted fold models, scored here."""
    rows = []
    for k, ((train, test), est) in enumerate(zip(folds, fits)):
        row = {"model": model, "kind": kind, "fold": k, "fit_time": fit_times[k]}
        X_tr, X_te = _safe_indexing(X, train), _safe_indexing(X, test)
        for name, scorer in scorers.items():
            row[f"train_{name}"] = float(scorer(est, X_tr, y[train]))
            row[f"valid_{name}"] = float(scorer(est, X_te, y[test]))
        rows.append(row)
    return rows


def _engine_rows(result, kinds, scorers):
    rows = []
    for name in result.names:
        for k in range(len(result.folds)):
            row = {"model": name, "kind": kinds[name], "fold": k,
                   "fit_time": float(result.fit_times[name][k])}
            for s in scorers:
                row[f"train_{s}"] = float(result.scores[name][f"train_{s}"][k])
                row[f"valid_{s}"] = float(result.scores[name][f"test_{s}"][k])
            rows.append(row)
    return rows


def _curve_rows(result, X, y):
    rows = []
    for name in result.names:
        for k, ((train, test), est) in enumerate(zip(result.folds,
                                                      result.fold_estimators[name])):
            points = learning_curves(est, _safe_indexing(X, train), y[train],
                                     _safe_indexing(X, test), y[test])
            rows += [(name, k) + p for p in points]
    return rows


def fold_ensemble(shell, result, fold, X, y_enc, sample_weight=None, members=None):
    """The ensemble ``shell`` as if fitted on fold ``fold``'s training rows, rebuilt from
    the engine's ``result`` without fitting a member (see the module docstring).

    ``members`` (default: the fold models) are the objects the rebuilt ensemble predicts
    through, e.g. the fold models behind a :class:`~ensembles.engine.replay.Replay`.
    """
    import copy

    train, _ = result.folds[fold]
    est = copy.copy(shell)
    if members is None:
        members = [result.fold_estimators[n][fold] for n in result.names]
    predictions = [result.oof[n][train] for n in result.names]
    weights = None if sample_weight is None else sample_weight[train]
    return est._combine(list(members), predictions, _safe_indexing(X, train), y_enc[train],
                        weights)


@validate_params(
    {
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "curves": ["boolean"],
        "overfit_gap": [Interval(Real, 0, None, closed="left")],
        "underfit_skill": [Real],
        "on_error": [StrOptions({"raise", "skip"})],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    },
    # the estimator's own parameters are still checked when it is fitted
    prefer_skip_nested_validation=False,
)
def overfitting_report(estimator, X, y, *, cv=5, shuffle=True, random_state=None,
                       scoring=None, groups=None, n_jobs=None, verbose=0, curves=True,
                       overfit_gap=0.15, underfit_skill=0.3, on_error="skip"):
    """Cross-validate models and report how much each overfits: train vs validation.

    Parameters
    ----------
    estimator : estimator, ensemble, or list of (str, estimator)
        A plain estimator is reported alone. One of our stacking, voting or ensemble
        selection estimators is reported member by member and as the ensemble, from one
        run of cross-validated training: each member is fitted once per fold, and the
        ensemble of each fold is rebuilt from those fits (module docstring). A list of
        (name, estimator) reports each on the same folds.
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    cv : int, splitter, iterable of (train, test), or "prefit", default=5
        The folds (stratified for classifiers when an int, its rows shuffled:
        ``shuffle``; a splitter or an iterable of splits is used as it is).
        ``"prefit"``: ``estimator`` is
        an ensemble already fitted with cross-validation on this ``X, y``; its record
        (``cross_fit_``) is reused and nothing is fitted; its fold models are rescored,
        so it must have kept them (``keep_fold_models=True``, or ``refit=False``). An
        ensemble fitted without folds (``cv="prefit"`` stacking, voting with given
        weights) has no such record: report on an unfitted clone instead.
    shuffle : bool, default=True
        With an int ``cv``: shuffle the rows before they are split into folds, seeded by
        ``random_state``. False keeps the rows' order, as scikit-learn's
        ``cross_validate(cv=5)`` does: on rows sorted by a column that drives the target,
        each fold is then a different slice of it, and every model looks overfit when
        the cause is that shift between folds (``docs/overfitting_report.md``).
    random_state : int, RandomState or None, default=None
        Seeds the shuffled folds, and only them (the models keep their own
        ``random_state``). None: seed 0, so the same call gives the same folds; a
        ``RandomState``: a seed drawn from it.
    scoring : str, list of str or dict, default=None
        Scorer names (``sklearn.metrics.get_scorer_names()``; a str may hold several
        separated by commas) or name -> scorer. Default:
        accuracy and neg_log_loss (when the models give probabilities) for classifiers,
        r2 and neg_root_mean_squared_error for regressors. Verdicts read the first. A
        scorer that cannot score the task (``r2`` for classifiers, ``f1`` on three
        classes) is a ``ValueError`` before anything is fitted.
    groups : array-like, default=None
        Group labels for a group splitter.
    n_jobs : int, default=None
        joblib workers over the (model, fold) fits.
    verbose : int, default=0
        A progress bar over the fits when > 0.
    curves : bool, default=True
        Collect learning curves (nets watch each fold's validation part; boosting models
        are re-predicted by round).
    overfit_gap, underfit_skill : float, default=0.15, 0.3
        Verdict thresholds; see :meth:`OverfittingReport.to_frame`.
    on_error : {"skip", "raise"}, default="skip"
        A model (or member) that fails in any fold: ``"skip"`` reports the others and
        says so in ``notes`` and a ``UserWarning`` (the error names the model and the
        fold); an ensemble with a failed member is then reported member by member only.
        ``"raise"``: raise that error once every fit has run. If every model fails, the
        first error is raised either way.

    Returns
    -------
    OverfittingReport

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import overfitting_report
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> report = overfitting_report(DecisionTreeClassifier(random_state=0), X, y, cv=3)
    >>> summary = report.to_frame().set_index("model")
    >>> print(summary.loc["DecisionTreeClassifier", "verdict"])
    overfit
    """
    layout, models = _named_models(estimator)
    check_target_complete(y, "overfitting_report")
    task = _task(models)
    classification = task == "classification"
    if cv == "prefit":
        if layout != "ensemble":
            raise ValueError(
                "cv='prefit' reuses the cross-validation record of one of our ensembles "
                "fitted with folds (stacking, voting with weights='auto', ensemble "
                f"selection); got {type(estimator).__name__}. Pass cv=5 (or a splitter) to "
                "cross-validate it here."
            )
        return _from_fitted(estimator, X, y, scoring, overfit_gap, underfit_skill, curves)

    probabilistic = all(hasattr(e, "predict_proba") for _, e in models)
    scorers = _scorers(scoring, classification, probabilistic, _labels(y, classification))
    watch = fit_watched if curves else None  # the engine fits; the report watches
    notes = []
    if layout == "ensemble":
        shell = clone(estimator)
        members, X, y_enc, _ = shell._validate_fit(X, y, None)
        if not all(hasattr(e, "predict_proba") for _, e in members):
            scorers = _scorers(scoring, classification, False)
        folds = make_folds(cv, X, y_enc, classifier=classification, groups=groups,
                           every_class=True, shuffle=shuffle, random_state=random_state)
        result = cross_fit(
            shell._prepared_members(members), X, y_enc, folds=folds,
            methods=shell._oof_methods(members), scoring=scorers,
            n_classes=len(shell.classes_) if classification else None, n_jobs=n_jobs,
            verbose=verbose, desc="overfitting report", monitor=watch, keep_outputs=True,
            on_error=on_error,
        )
        note_failures(result.errors, notes, left=result.names)
        if getattr(shell, "guard", None) is not None:
            notes.append(
                f"{models[0][0]!r} has a guard, which decides when the stack is fitted, on "
                "a holdout of its own: the rows here are the stack's. Fit it with "
                "keep_fold_models=True and report it with cv='prefit' to see the guard's "
                "row (report.guard).")
        rows = _engine_rows(result, dict.fromkeys(result.names, "member"), scorers)
        if result.errors:
            notes.append(f"{models[0][0]!r} (the ensemble) is not reported: its member(s) "
                         f"{list(result.errors)} failed.")
        else:
            rows += _ensemble_rows(shell, result, X, y, y_enc, scorers, models[0][0])
        y_fit = y_enc
    else:
        y_fit = np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy()
        check_same_rows(X, y_fit)
        folds = make_folds(cv, X, y_fit, classifier=classification, groups=groups,
                           every_class=True, shuffle=shuffle, random_state=random_state)
        # out-of-fold predictions for the diversity table: "predict" is what accuracy
        # and r2 ask for anyway, so a replayed output, not a second prediction
        result = cross_fit([(n, clone(e)) for n, e in models], X, y_fit, folds=folds,
                           methods={n: "predict" for n, _ in models},
                           scoring=scorers, n_jobs=n_jobs, verbose=verbose,
                           desc="overfitting report", monitor=watch, on_error=on_error)
        note_failures(result.errors, notes, left=result.names)
        rows = _engine_rows(result, dict.fromkeys(result.names, "model"), scorers)
    rows += _baseline_rows(classification, folds, scorers, X, y_fit)
    curve_rows = _curve_rows(result, X, y_fit) if curves else []
    return _report(rows, curve_rows, scorers, task, overfit_gap, underfit_skill, notes,
                   of_record(result, y_fit, task))


def _labels(y, classification):
    """The class labels of ``y``, for the scorers' check; None where they cannot be read
    (the fit then says what is wrong with ``y``)."""
    if not classification:
        return None
    try:
        y = np.asarray(y)
        return np.unique(y) if y.ndim == 1 else None
    except TypeError:  # labels of mixed types
        return None


def _ensemble_rows(shell, result, X, y, y_enc, scorers, name):
    """Train and validation scores of the ensemble of each fold, from the fold models'
    outputs the engine kept (``Replay``): the combiner runs, the members do not predict
    again."""
    import copy

    y_user = shell.classes_[y_enc] if hasattr(shell, "classes_") else y_enc
    rows = []
    for k, (train, test) in enumerate(result.folds):
        ensemble = fold_ensemble(shell, result, k, X, y_enc)
        row = {"model": name, "kind": "ensemble", "fold": k,
               "fit_time": float(sum(result.fit_times[n][k] for n in result.names))}
        for part, rows_k in (("train", train), ("valid", test)):
            X_part = _safe_indexing(X, rows_k)
            kept = "train" if part == "train" else "test"
            scored = copy.copy(ensemble)
            scored.estimators_ = [
                Replay(result.fold_estimators[n][k], X_part,
                       result.outputs[n][k][kept] if n in result.outputs else None)
                for n in result.names]
            for s_name, scorer in scorers.items():
                row[f"{part}_{s_name}"] = float(scorer(scored, X_part, y_user[rows_k]))
        rows.append(row)
    return rows


def _baseline_rows(classification, folds, scorers, X, y):
    dummy = DummyClassifier(strategy="prior") if classification else DummyRegressor()
    fits = [clone(dummy).fit(_safe_indexing(X, train), y[train]) for train, _ in folds]
    return _score_rows("baseline", "baseline", fits, scorers, [0.0] * len(folds), folds,
                       X, y)


def _report(rows, curve_rows, scorers, task, overfit_gap, underfit_skill, notes=(),
            diversity=None, guard=None):
    columns = ["model", "kind", "fold"] + [f"{p}_{s}" for s in scorers
                                           for p in ("train", "valid")] + ["fit_time"]
    scores = pd.DataFrame(rows)[columns]
    curves = pd.DataFrame(curve_rows, columns=["model", "fold", "step_name", "step", "split",
                                               "metric", "value"])
    return OverfittingReport(scores, curves, scoring=list(scorers), task=task,
                             overfit_gap=overfit_gap, underfit_skill=underfit_skill,
                             notes=notes, diversity=diversity, guard=guard)


def _from_fitted(estimator, X, y, scoring, overfit_gap, underfit_skill, curves):
    """The report of an ensemble fitted with folds, from its ``cross_fit_``: no fit."""
    try:
        check_is_fitted(estimator)
    except NotFittedError as exc:
        raise NotFittedError(
            f"cv='prefit' needs a fitted ensemble; this {type(estimator).__name__} is not "
            "fitted. Fit it first, or pass cv=5 to cross-validate it here."
        ) from exc
    result = getattr(estimator, "cross_fit_", None)
    if result is None:
        raise ValueError(
            f"cv='prefit': this {type(estimator).__name__} was fitted without "
            "cross-validation (cv='prefit' members, or voting with given weights), so it "
            "keeps no fold models to report on. Call overfitting_report(clone(estimator), "
            "X, y, cv=5) to cross-validate it."
        )
    if any(isinstance(model, DroppedModel) for models in result.fold_estimators.values()
           for model in models):
        raise ValueError(
            f"cv='prefit': this {type(estimator).__name__} dropped its fold models once "
            "its members were refitted on all rows (keep_fold_models=False, the "
            "default), and the report scores them. Fit it with keep_fold_models=True to "
            "report on it with cv='prefit', or call overfitting_report(clone(estimator), "
            "X, y, cv=5) to cross-validate it."
        )
    X_checked = estimator._check_X(X, reset=False)
    y_enc = (estimator._label_encoder.transform(np.asarray(y)) if is_classifier(estimator)
             else np.asarray(y, dtype=float))
    if fingerprint(X_checked, y_enc) != result.fingerprint:
        raise ValueError(
            "cv='prefit': X, y are not the data this ensemble was fitted on (their "
            "fingerprint differs from the one kept in cross_fit_); pass the same X, y, or "
            "cv=5 to cross-validate on these."
        )
    classification = is_classifier(estimator)
    members = [(n, result.fold_estimators[n][0]) for n in result.names]
    probabilistic = all(hasattr(e, "predict_proba") for _, e in members)
    scorers = _scorers(scoring, classification, probabilistic)
    rows = []
    for name in result.names:
        rows += _score_rows(name, "member", result.fold_estimators[name], scorers,
                            result.fit_times[name], result.folds, X_checked, y_enc)
    rows += _ensemble_rows(estimator, result, X_checked, y, y_enc, scorers,
                           type(estimator).__name__)
    rows += _baseline_rows(classification, result.folds, scorers, X_checked, y_enc)
    curve_rows = _curve_rows(result, X_checked, y_enc) if curves else []
    notes = ["reused the fitted ensemble's cross-validation record (cv='prefit'); nets "
             "were not given the folds' validation parts then, so their curves show "
             "training (and early-stopping) only."]
    task = "classification" if classification else "regression"
    decision = getattr(estimator, "guard_", None)
    guard = None
    if decision is not None:
        name = type(estimator).__name__
        guard = [decision.as_row(name)]
        notes.append(f"{name}'s guard {decision.reason} Its rows above are the stack's "
                     "(report.guard has the guard's numbers).")
    return _report(rows, curve_rows, scorers, task, overfit_gap, underfit_skill, notes,
                   of_record(result, y_enc, task), guard)
