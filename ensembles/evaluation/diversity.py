"""Diversity between members: how differently they err, from out-of-fold predictions.

For every pair of members ``(a, b)`` of a classification ensemble, the rows are counted by
whether each member got them right (its *oracle output*, Kuncheva & Whitaker 2003): ``n11``
both right, ``n10`` only ``a`` right, ``n01`` only ``b`` right, ``n00`` both wrong,
``n = n11 + n10 + n01 + n00``. From those counts:

- ``disagreement = (n01 + n10) / n``: the share of rows where exactly one is right (higher:
  more diverse);
- ``q_statistic = (n11 n00 - n01 n10) / (n11 n00 + n01 n10)``: Yule's Q, in [-1, 1], 0
  for members that err independently, positive when they are right on the same rows
  (lower: more diverse);
- ``error_correlation = (n11 n00 - n01 n10) / sqrt((n11 + n10)(n01 + n00)(n11 + n01)(n10
  + n00))``: Kuncheva & Whitaker's rho, the Pearson correlation of the two members' 0/1
  error indicators (lower: more diverse);
- ``double_fault = n00 / n``: the share of rows both get wrong (Giacinto & Roli 2001;
  lower: more diverse).

For regression members, right and wrong are not defined; ``error_correlation`` is the
Pearson correlation of their residuals ``prediction - y`` (lower: errors that cancel more
when averaged), and it is the only measure given.

A measure whose denominator is zero is NaN, never an error or a warning: Q when ``n11 n00
+ n01 n10 = 0`` (e.g. both members right on every row), the correlation when a member is
right on every row or wrong on every row (its error indicator is constant), or, for
regression, when a member's residuals are constant. DESlib's ``deslib.util.diversity``
computes the same pairwise measures for classifiers (and divides by zero there).

The out-of-fold predictions the engine keeps (:class:`ensembles.CrossFit`) are what
:func:`diversity` reads: each row is predicted by a model that did not see it, so the
measures describe the members on new data, as the ensemble sees them. The overfitting
report and the benchmark carry the table of their members (``diversity``) and draw it as a
heat-map (``plot_diversity``).

References
----------
Kuncheva, L. I. and Whitaker, C. J. (2003). Measures of diversity in classifier ensembles
and their relationship with the ensemble accuracy. Machine Learning 51, 181-207.
"""

from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import type_of_target

from ..engine.oof import CrossFit

__all__ = ["CLASSIFICATION_MEASURES", "REGRESSION_MEASURES", "diversity", "plot_diversity"]

#: The measures of each task, in the order of the table's columns.
CLASSIFICATION_MEASURES = ("disagreement", "q_statistic", "error_correlation", "double_fault")
REGRESSION_MEASURES = ("error_correlation",)
_TASKS = ("classification", "regression")
_SCORES = ("predict_proba", "predict_log_proba", "decision_function")


def _ratio(numerator, denominator):
    """numerator / denominator, NaN when the denominator is zero (no warning)."""
    return float(numerator) / float(denominator) if denominator else np.nan


def _pair_counts(right_a, right_b):
    """(n11, n10, n01, n00) of two boolean "got it right" vectors."""
    n11 = int(np.sum(right_a & right_b))
    n10 = int(np.sum(right_a & ~right_b))
    n01 = int(np.sum(~right_a & right_b))
    n00 = int(np.sum(~right_a & ~right_b))
    return n11, n10, n01, n00


def _classification_row(right_a, right_b):
    n11, n10, n01, n00 = _pair_counts(right_a, right_b)
    n = n11 + n10 + n01 + n00
    # Integer products: exact, so a zero denominator is exactly zero.
    cross = n11 * n00 - n01 * n10
    return {
        "n": n, "n11": n11, "n10": n10, "n01": n01, "n00": n00,
        "disagreement": _ratio(n01 + n10, n),
        "q_statistic": _ratio(cross, n11 * n00 + n01 * n10),
        "error_correlation": _ratio(cross, np.sqrt(float(
            (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)))),
        "double_fault": _ratio(n00, n),
    }


def _pearson(a, b):
    """Pearson correlation of two vectors; NaN when either is constant."""
    a, b = a - a.mean(), b - b.mean()
    scale = np.sqrt(np.dot(a, a) * np.dot(b, b))
    return _ratio(np.dot(a, b), scale)


def _labels(prediction, method, name):
    """Class predictions (indices into the classes for scores) from a method's output."""
    prediction = np.asarray(prediction)
    if method in _SCORES or (method is None and prediction.ndim == 2
                             and prediction.shape[1] > 1):
        if prediction.ndim == 1:  # binary decision_function: the positive class above 0
            return (prediction > 0).astype(int)
        return prediction.argmax(axis=1)
    if prediction.ndim == 2 and prediction.shape[1] == 1:
        return prediction[:, 0]
    if prediction.ndim != 1:
        raise ValueError(
            f"diversity: the predictions of {name!r} must be one label a row (or one row "
            "of class scores); got an array of shape "
            f"{prediction.shape}.")
    return prediction


def _members(predictions):
    """{name: (predictions, method)} of a CrossFit or a dict of name -> predictions."""
    if isinstance(predictions, CrossFit):
        missing = [n for n in predictions.names if n not in predictions.oof]
        if missing:
            raise ValueError(
                f"diversity: member(s) {missing} of this CrossFit have no out-of-fold "
                "predictions (cross_fit ran with methods=None for them); pass "
                "methods={name: 'predict', ...} to cross_fit.")
        return {n: (predictions.oof[n], predictions.methods.get(n))
                for n in predictions.names}
    if isinstance(predictions, dict):
        if not all(isinstance(n, str) for n in predictions):
            raise TypeError(f"diversity: predictions must be keyed by member name (str); "
                            f"got keys {list(predictions)}.")
        return {n: (p, None) for n, p in predictions.items()}
    raise TypeError(
        "diversity: predictions must be a CrossFit (what cross_fit returns) or a dict of "
        f"member name -> predictions; got {type(predictions).__name__}.")


def _infer_task(members, y):
    if any(method in _SCORES or np.ndim(p) == 2 and np.shape(p)[1] > 1
           for p, method in members.values()):
        return "classification"
    target = type_of_target(y)
    if target in ("binary", "multiclass"):
        return "classification"
    if target == "continuous":
        return "regression"
    raise ValueError(
        f"diversity: y must be one column of class labels or of numbers; got y of type "
        f"{target!r} (sklearn.utils.multiclass.type_of_target). Pass task= to choose.")


def diversity(predictions, y, *, task=None):
    """Pairwise diversity of members from their (out-of-fold) predictions.

    The measures and what an undefined one gives are in the module docstring
    (:mod:`ensembles.evaluation.diversity`) and ``docs/user_guide.md``.

    Parameters
    ----------
    predictions : CrossFit or dict of str -> array-like
        A :class:`~ensembles.CrossFit`: the out-of-fold predictions of each of its
        members (``oof``), read with the method they were made with (``methods``):
        probabilities and decision values become the class of the highest one (column
        index: the engine's classes are 0..K-1; a binary decision value above 0 is class
        1). A dict: member name -> its predictions on the same rows as ``y``: class
        labels, rows of class scores (column ``k`` for class ``k``, with ``y`` encoded as
        0..K-1), or numbers for regression.
    y : array-like of shape (n_samples,)
        The true targets of those rows. For a CrossFit, the ``y`` it was run on
        (integer-encoded 0..K-1 for classifiers, as the engine sees them).
    task : {None, "classification", "regression"}, default=None
        None infers it: classification when any member gives class scores or ``y`` holds
        labels (``type_of_target`` binary or multiclass), regression for continuous
        ``y``. Pass it for integer regression targets.

    Returns
    -------
    DataFrame
        One row per pair of members (``model_a`` before ``model_b`` in member order):
        for classification the counts ``n``, ``n11``, ``n10``, ``n01``, ``n00`` and
        ``disagreement``, ``q_statistic``, ``error_correlation``, ``double_fault``; for
        regression ``n`` and ``error_correlation``. No rows for fewer than two members.

    Examples
    --------
    >>> import numpy as np
    >>> from ensembles import diversity
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> table = diversity({"a": [0, 0, 0, 1, 1, 1, 0, 1],
    ...                    "b": [0, 0, 1, 1, 1, 0, 1, 1]}, y)
    >>> table[["model_a", "model_b", "n11", "n10", "n01", "n00"]]
      model_a model_b  n11  n10  n01  n00
    0       a       b    4    2    1    1
    >>> table[["disagreement", "q_statistic", "error_correlation", "double_fault"]].round(3)
       disagreement  q_statistic  error_correlation  double_fault
    0         0.375        0.333              0.149         0.125
    """
    if task is not None and task not in _TASKS:
        raise ValueError(f"diversity: task must be None, 'classification' or 'regression'; "
                         f"got {task!r}.")
    return _table(_members(predictions), y, task)


def _table(members, y, task):
    """:func:`diversity` of ``members`` = {name: (predictions, method or None)}."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"diversity: y must be one column (one target a row); got an array "
                         f"of shape {y.shape}.")
    for name, (prediction, _) in members.items():
        if len(prediction) != len(y):
            raise ValueError(f"diversity: the predictions of {name!r} have {len(prediction)} "
                             f"rows and y has {len(y)}; they must be of the same rows.")
    task = _infer_task(members, y) if task is None else task
    if task == "classification":
        right = {n: _labels(p, m, n) == y for n, (p, m) in members.items()}
        rows = [{"model_a": a, "model_b": b, **_classification_row(right[a], right[b])}
                for a, b in combinations(members, 2)]
        columns = ["n", "n11", "n10", "n01", "n00", *CLASSIFICATION_MEASURES]
    else:
        residuals = {}
        for name, (prediction, _) in members.items():
            prediction = np.asarray(prediction, dtype=float)
            if prediction.ndim == 2 and prediction.shape[1] == 1:
                prediction = prediction[:, 0]
            if prediction.ndim != 1:
                raise ValueError(
                    f"diversity: the regression predictions of {name!r} must be one "
                    f"number a row; got an array of shape {prediction.shape}.")
            residuals[name] = prediction - y.astype(float)
        rows = [{"model_a": a, "model_b": b, "n": len(y),
                 "error_correlation": _pearson(residuals[a], residuals[b])}
                for a, b in combinations(members, 2)]
        columns = ["n", *REGRESSION_MEASURES]
    return pd.DataFrame(rows, columns=["model_a", "model_b", *columns])


def _matrix(table, measure):
    """(names, square matrix of ``measure``) of a diversity table; NaN on the diagonal."""
    # member order: pairs come as (0, 1), (0, 2), ..., so model_a holds all members but
    # the last, in order, and model_b ends with the last
    names = list(dict.fromkeys([*table["model_a"], *table["model_b"]]))
    order = {n: i for i, n in enumerate(names)}
    matrix = np.full((len(names), len(names)), np.nan)
    for a, b, value in zip(table["model_a"], table["model_b"], table[measure]):
        matrix[order[a], order[b]] = matrix[order[b], order[a]] = value
    return names, matrix


def plot_diversity(table, measure="error_correlation", *, path=None):
    """A heat-map of one measure of a :func:`diversity` table, member against member.

    Parameters
    ----------
    table : DataFrame
        What :func:`diversity` returns (or the ``diversity`` of a report or benchmark).
    measure : str, default="error_correlation"
        A measure column of ``table``: ``"disagreement"``, ``"q_statistic"``,
        ``"error_correlation"`` or ``"double_fault"`` (regression: ``"error_correlation"``).
    path : str or path-like, default=None
        Where to save the figure (PNG, SVG, PDF... by the suffix, as matplotlib does).

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot. Needs ``pip install ensembles-ml[plot]``.
    """
    present = [m for m in CLASSIFICATION_MEASURES if m in getattr(table, "columns", ())]
    if measure not in present:
        raise ValueError(f"measure must be one of {present}; got {measure!r}.")
    if len(table) == 0:
        raise ValueError("plot_diversity needs a table of at least two members (one pair); "
                         "this one has no pairs.")
    from .plots import diversity_heatmap

    names, matrix = _matrix(table, measure)
    figure = diversity_heatmap(names, matrix, measure)
    if path is not None:
        figure.savefig(path, dpi=100, bbox_inches="tight")
    return figure


def _empty(task):
    measures = CLASSIFICATION_MEASURES if task == "classification" else REGRESSION_MEASURES
    counts = ["n", "n11", "n10", "n01", "n00"] if task == "classification" else ["n"]
    return pd.DataFrame(columns=["model_a", "model_b", *counts, *measures])


def of_record(record, y, task, names=None):
    """The diversity table of the members ``names`` (default: all) of an engine record
    that have out-of-fold predictions; an empty table (the columns of ``task``) when a
    multi-column ``y`` leaves right and wrong undefined. What the overfitting report and
    the benchmark carry as ``diversity``."""
    names = [n for n in (record.names if names is None else names) if n in record.oof]
    if np.ndim(y) != 1:
        return _empty(task)
    return _table({n: (record.oof[n], record.methods.get(n)) for n in names}, y, task)


def to_columns(table):
    """A diversity table as JSON-ready columns (NaN as None)."""
    return {c: [None if isinstance(v, float) and np.isnan(v) else v
                for v in table[c].tolist()] for c in table.columns}


def from_columns(columns, task):
    """The table :func:`to_columns` wrote (an empty one of ``task`` for None)."""
    if not columns:
        return _empty(task)
    table = pd.DataFrame(columns)
    measures = [c for c in table.columns if c in CLASSIFICATION_MEASURES]
    table[measures] = table[measures].astype(float)
    return table
