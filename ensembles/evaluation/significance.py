"""Is a model's margin over another more than fold-to-fold noise? The corrected resampled t-test.

The plain paired t-test on the fold scores of two models treats the ``k`` score
differences as independent. They are not: any two folds of a k-fold cross-validation share
``(k - 2) / (k - 1)`` of their training rows, so the differences are positively correlated
and their sample variance underestimates the variance of their mean. The naive test is
then overconfident: it calls differences significant far more often than its level says
(Dietterich 1998; Nadeau and Bengio 2003 measured type I errors several times the nominal
level). Nadeau and Bengio's correction inflates the variance of the mean from
``1/k`` to ``1/k + n_test/n_train`` times the sample variance; Bouckaert and Frank (2004)
apply it to (repeated) k-fold cross-validation, which is what :func:`ensembles.benchmark`
runs.
"""

from numbers import Real
from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = ["CorrectedTtestResult", "corrected_ttest"]


class CorrectedTtestResult(NamedTuple):
    """What :func:`corrected_ttest` returns (the fields of scipy's ``TtestResult``)."""

    statistic: float
    pvalue: float
    df: int


def corrected_ttest(scores, reference, *, n_train, n_test):
    r"""Two-sided corrected resampled t-test of paired fold scores (Nadeau & Bengio 2003).

    With :math:`d_j` = ``scores[j] - reference[j]`` over the :math:`J` folds (or resamples),
    :math:`\bar d` their mean and :math:`s^2` their sample variance (``ddof=1``):

    .. math::

        t = \frac{\bar d}{\sqrt{\left(\frac{1}{J} + \frac{n_2}{n_1}\right) s^2}},
        \qquad p = 2\, P(T_{J-1} > |t|),

    where :math:`n_1` and :math:`n_2` are the training and test rows of a fold and
    :math:`T_{J-1}` is Student's t with :math:`J - 1` degrees of freedom. The plain paired
    t-test (``scipy.stats.ttest_rel``) is the same without :math:`n_2/n_1`; that term
    corrects for the training sets the folds share, which make the differences correlated
    and the plain test overconfident. For one k-fold cross-validation :math:`J = k` and
    :math:`n_2/n_1 \approx 1/(k-1)`; for ``r`` repeats of it, :math:`J = rk` (Bouckaert and
    Frank 2004).

    Parameters
    ----------
    scores : array-like of shape (n_folds,)
        One model's score on each fold.
    reference : array-like of shape (n_folds,)
        The other model's score on the same folds, in the same order.
    n_train : float or array-like of shape (n_folds,)
        Training rows of a fold (> 0); per-fold sizes are averaged.
    n_test : float or array-like of shape (n_folds,)
        Test rows of a fold (>= 0); per-fold sizes are averaged. ``n_test=0`` drops the
        correction: the plain paired t-test.

    Returns
    -------
    CorrectedTtestResult
        ``statistic`` (:math:`t`, positive when ``scores`` is higher on average),
        ``pvalue`` (two-sided) and ``df`` (:math:`J - 1`). Differences that are all equal
        have no variance: all zero (identical scores) give ``statistic=0.0`` and
        ``pvalue=1.0``; all equal to ``c != 0`` give ``statistic=±inf`` and
        ``pvalue=0.0``, the limit of the test as the variance goes to zero
        (``scipy.stats.ttest_rel`` returns NaN for the first).

    Raises
    ------
    ValueError
        Fewer than 2 folds (no variance to estimate), scores of different lengths or not
        finite, or sizes out of range.

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the generalization error", Machine Learning
    52(3):239-281, 2003. R. R. Bouckaert and E. Frank, "Evaluating the replicability of
    significance tests for comparing learning algorithms", PAKDD 2004.

    Examples
    --------
    >>> from ensembles.evaluation.significance import corrected_ttest
    >>> a = [0.95, 0.97, 0.96, 0.98, 0.96]
    >>> b = [0.93, 0.96, 0.95, 0.95, 0.94]
    >>> result = corrected_ttest(a, b, n_train=120, n_test=30)   # 5 folds of 150 rows
    >>> print(f"t={result.statistic:.3f} p={result.pvalue:.4f} df={result.df}")
    t=3.207 p=0.0327 df=4
    >>> plain = corrected_ttest(a, b, n_train=120, n_test=0)     # scipy's ttest_rel
    >>> print(f"t={plain.statistic:.3f} p={plain.pvalue:.4f}")
    t=4.811 p=0.0086
    """
    scores = _scores(scores, "scores")
    reference = _scores(reference, "reference")
    if len(scores) != len(reference):
        raise ValueError(f"scores and reference must hold one score per fold each, the same "
                         f"folds; got {len(scores)} and {len(reference)} scores.")
    if len(scores) < 2:
        raise ValueError(f"corrected_ttest needs the scores of at least 2 folds to estimate "
                         f"their variance; got {len(scores)}.")
    n_train = _size(n_train, "n_train", len(scores), positive=True)
    n_test = _size(n_test, "n_test", len(scores), positive=False)
    differences = scores - reference
    k = len(differences)
    mean = differences.mean()
    if np.all(differences == differences[0]):
        statistic = 0.0 if mean == 0 else np.copysign(np.inf, mean)
    else:
        variance = differences.var(ddof=1) * (1 / k + n_test / n_train)
        statistic = mean / np.sqrt(variance)
    pvalue = 2 * stats.t.sf(abs(statistic), k - 1)
    return CorrectedTtestResult(float(statistic), float(min(pvalue, 1.0)), k - 1)


def _scores(values, name):
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one score per fold (1-d); got an array of shape "
                         f"{array.shape}.")
    if not np.isfinite(array).all():
        bad = int(np.flatnonzero(~np.isfinite(array))[0])
        raise ValueError(f"{name} must be finite; got {array[bad]} at fold {bad}.")
    return array


def _size(value, name, n_folds, *, positive):
    bound = "> 0" if positive else ">= 0"
    array = np.asarray(value, dtype=float) if not isinstance(value, str) else None
    if array is None or array.ndim > 1 or (array.ndim == 1 and len(array) != n_folds):
        raise ValueError(f"{name} must be a number of rows {bound}, or one per fold "
                         f"({n_folds}); got {value!r}.")
    if not np.isfinite(array).all() or (array <= 0 if positive else array < 0).any():
        raise ValueError(f"{name} must be a number of rows {bound}; got {value!r}.")
    return float(array.mean())


def check_alpha(alpha):
    """``alpha`` if it is a level strictly between 0 and 1; a ValueError otherwise."""
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a significance level strictly between 0 and 1 "
                         f"(e.g. 0.05); got {alpha!r}.")
    return float(alpha)


def versus_best(fold_scores, scorer, best):
    """Two-sided p-value of each model's ``scorer`` fold scores against those of ``best``
    (:func:`corrected_ttest`, folds paired by the ``fold`` column, sizes from the
    ``n_train`` and ``n_test`` columns). NaN for a model when those columns are missing,
    a fold is missing or a score is NaN, or there are fewer than 2 folds. ``best`` against
    itself gets 1.0 (identical scores)."""
    table = fold_scores.pivot(index="fold", columns="model", values=scorer)
    p_values = dict.fromkeys(table.columns, np.nan)
    if not {"n_train", "n_test"} <= set(fold_scores.columns) or len(table) < 2:
        return p_values
    sizes = fold_scores.groupby("fold")[["n_train", "n_test"]].first().loc[table.index]
    reference = table[best]
    for model in table.columns:
        pair = table[[model]].assign(_best=reference)
        if pair.isna().any().any():
            continue
        p_values[model] = corrected_ttest(pair[model], pair["_best"],
                                          n_train=sizes["n_train"],
                                          n_test=sizes["n_test"]).pvalue
    return p_values
