"""The folds and the scorers an overfitting report or a benchmark runs on.

:func:`_scorers` turns ``scoring`` (None, a name, names, or name -> scorer) into scorers,
with the defaults of the task; :func:`_folds` turns ``cv`` into checked (train, test)
folds, stratified for classification. :mod:`ensembles.evaluation.report` and
:mod:`ensembles.evaluation.benchmark` both use them, so both read their arguments alike.
"""

from numbers import Integral

import numpy as np
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv

from .._compat import _num_samples
from ..engine.oof import check_folds


# -- scoring ------------------------------------------------------------------------------
def _scorers(scoring, classification, probabilistic):
    """Scorer name -> scorer; the first is the one verdicts are read from."""
    if scoring is None:
        names = (["accuracy"] + (["neg_log_loss"] if probabilistic else [])
                 if classification else ["r2", "neg_root_mean_squared_error"])
    elif isinstance(scoring, str):
        names = [scoring]
    elif isinstance(scoring, list | tuple) and all(isinstance(s, str) for s in scoring):
        names = list(scoring)
    elif isinstance(scoring, dict):
        return {str(k): get_scorer(v) if isinstance(v, str) else v for k, v in scoring.items()}
    else:
        raise TypeError(
            "scoring must be None, a scorer name, a list of names or a dict of name -> "
            f"scorer; got {scoring!r}."
        )
    unknown = [n for n in names if n not in get_scorer_names()]
    if unknown:
        raise ValueError(
            f"scoring: unknown scorer name(s) {unknown}; expected names from "
            "sklearn.metrics.get_scorer_names(), e.g. 'accuracy', 'neg_log_loss', 'r2', "
            "'neg_root_mean_squared_error'."
        )
    if not names:
        raise ValueError("scoring must name at least one scorer; got an empty list.")
    return {n: get_scorer(n) for n in names}


def _folds(cv, X, y, groups, classification):
    if isinstance(cv, Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
        if classification:
            _, counts = np.unique(y, return_counts=True)
            if counts.min() < cv:
                raise ValueError(
                    f"cv={cv} folds need at least {cv} rows of each class; the smallest "
                    f"class has {int(counts.min())}. Lower cv or pass a splitter."
                )
    splitter = check_cv(cv, y, classifier=classification)
    return check_folds(splitter.split(X, y, groups), _num_samples(X))
