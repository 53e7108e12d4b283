"""The result of :func:`ensembles.benchmark`: :class:`BenchmarkResult`.

The validation scores, times and memory of every model per fold, the leaderboard read from
them, and the ways to show it (text, markdown, CSV, JSON, plots, HTML). How they are
measured is in :mod:`ensembles.benchmark`.
"""

import json

import numpy as np
import pandas as pd

from ._io import read_json, write_text

__all__ = ["BenchmarkResult"]


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
        (seconds), ``peak_memory_mb`` (MiB). See :meth:`to_frame` for what they measure.
    scoring : list of str
        The scorers; the ranking reads the first.
    task : {"classification", "regression"}
    notes : list of str
        What a reader should know (models cross-validated on their own, ensembles left
        out, the task inferred...); shown by :meth:`summary`, :meth:`to_markdown`,
        :meth:`to_html`. Append your own (e.g. the preprocessing applied).

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
        1          nb          0.961
        2        tree          0.860
        2 voting_soft          0.860
    """

    def __init__(self, fold_scores, *, scoring, task, notes=()):
        self.fold_scores = fold_scores
        self.scoring = list(scoring)
        self.task = task
        self.notes = list(notes)

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
        return board.sort_values("rank", kind="stable").reset_index(drop=True)

    @property
    def best_(self):
        """Name of the top-ranked model (the first in model order on a tie)."""
        return self.to_frame()["model"].iloc[0]

    # -- text -------------------------------------------------------------------------
    def _table(self):
        board = self.to_frame()
        header = ["rank", "model", "kind"] + self.scoring + ["fit s", "predict s", "peak MiB"]
        rows = [[str(r["rank"]), r["model"], r["kind"]]
                + [f"{r[f'{s}_mean']:.4f} ± {r[f'{s}_std']:.4f}" for s in self.scoring]
                + [f"{r['fit_time']:.3f}", f"{r['predict_time']:.4f}",
                   f"{r['peak_memory_mb']:.1f}"] for _, r in board.iterrows()]
        return header, rows

    def _legend(self):
        folds = self.fold_scores["fold"].nunique()
        return (f"{folds} folds; validation score mean ± std over folds (greater is better); "
                f"ranked by {self.scoring[0]}. Times: mean seconds per fold; an ensemble of "
                "the base models counts its members' and its combiner's. Peak MiB: resident "
                "memory a fit added to its process.")

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
                           "fold_scores": columns})
        return write_text(text, path)

    @classmethod
    def from_json(cls, text_or_path):
        """Rebuild a result written by :meth:`to_json` (a JSON string or a file path)."""
        doc = read_json(text_or_path, "ensembles.BenchmarkResult/1",
                        "BenchmarkResult.to_json")
        frame = pd.DataFrame(doc["fold_scores"])
        for column in frame.columns.drop(["model", "kind", "fold"]):
            frame[column] = frame[column].astype(float)
        return cls(frame, scoring=doc["scoring"], task=doc["task"], notes=doc["notes"])

    # -- pictures ---------------------------------------------------------------------
    def plot(self, kind="scores", *, scorer=None, path=None):
        """A matplotlib ``Figure`` (made without pyplot: safe on a headless machine).

        ``kind="scores"``: the validation score of every fold, per model, as a box with
        the folds as points, best model first. ``kind="time"``: mean score (error bar:
        std over folds) against mean fit time per fold. ``scorer`` defaults to the first.
        Saved to ``path`` when given. Needs ``pip install ensembles[plot]``.
        """
        from ._benchmark_plots import plot_scores, plot_time

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

    def to_html(self, path=None):
        """One self-contained HTML page: the leaderboard, the notes and both plots
        (embedded PNG; left out, with a line saying so, without matplotlib). Returns the
        text, or writes it to ``path``."""
        from ._benchmark_plots import benchmark_html

        return write_text(benchmark_html(self), path)
