"""The result of :func:`ensembles.overfitting_report`: :class:`OverfittingReport`.

Its scores per model and fold, the verdicts read from them, and the ways to show them
(text, markdown, JSON, plots, HTML). How the scores are made is in :mod:`ensembles.report`.
"""

import json

import pandas as pd

from ._io import read_json, write_text

__all__ = ["OverfittingReport"]

#: Scores whose best possible value is known: the verdict's "skill" needs it.
_PERFECT = {"accuracy": 1.0, "balanced_accuracy": 1.0, "r2": 1.0, "roc_auc": 1.0,
            "average_precision": 1.0, "f1": 1.0, "precision": 1.0, "recall": 1.0,
            "jaccard": 1.0, "explained_variance": 1.0, "top_k_accuracy": 1.0, "d2": 1.0}


def _perfect_score(name):
    if name.startswith("neg_"):
        return 0.0
    for prefix, value in _PERFECT.items():
        if name == prefix or name.startswith(prefix + "_"):
            return value
    return None


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

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import overfitting_report
    >>> X, y = load_wine(return_X_y=True)
    >>> report = overfitting_report(DecisionTreeClassifier(random_state=0), X, y, cv=3)
    >>> summary = report.to_frame()
    >>> print(summary[["model", "train_accuracy", "verdict"]].round(3).to_string(
    ...     index=False))  # doctest: +NORMALIZE_WHITESPACE
                     model  train_accuracy verdict
    DecisionTreeClassifier           1.000 overfit
                  baseline           0.399
    """

    def __init__(self, scores, curves, *, scoring, task, overfit_gap=0.15, underfit_skill=0.3,
                 notes=()):
        self.scores = scores
        self.curves = curves
        self.scoring = list(scoring)
        self.task = task
        self.overfit_gap = overfit_gap
        self.underfit_skill = underfit_skill
        self.notes = list(notes)

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
        }
        return write_text(json.dumps(doc), path)

    @classmethod
    def from_json(cls, text_or_path):
        """Rebuild a report written by :meth:`to_json` (a JSON string or a file path)."""
        doc = read_json(text_or_path, "ensembles.OverfittingReport/1",
                        "OverfittingReport.to_json")
        return cls(pd.DataFrame(doc["scores"]), pd.DataFrame(doc["curves"]),
                   scoring=doc["scoring"], task=doc["task"], overfit_gap=doc["overfit_gap"],
                   underfit_skill=doc["underfit_skill"], notes=doc["notes"])

    # -- pictures ---------------------------------------------------------------------
    def plot(self, kind="gap", *, path=None):
        """A matplotlib Figure: ``kind="gap"`` bars of train vs validation score per model
        (error bars: std over folds); ``kind="curves"`` train vs validation learning
        curves per model. Saved to ``path`` when given. Needs ``pip install
        ensembles[plot]``."""
        from ._report_plots import plot_curves, plot_gap

        if kind == "gap":
            figure = plot_gap(self)
        elif kind == "curves":
            figure = plot_curves(self)
        else:
            raise ValueError(f"kind must be 'gap' or 'curves'; got {kind!r}.")
        if path is not None:
            figure.savefig(path, dpi=100, bbox_inches="tight")
        return figure

    def to_html(self, path=None):
        """One self-contained HTML page: the summary table and both plots, embedded as
        PNG. Returns the text, or writes it to ``path``."""
        from ._report_plots import report_html

        return write_text(report_html(self), path)

