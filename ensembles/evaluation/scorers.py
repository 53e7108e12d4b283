"""The scorers an overfitting report or a benchmark runs on, and what a perfect score is.

:func:`_scorers` turns ``scoring`` (None, a name, names, or name -> scorer) into scorers,
with the defaults of the task; :mod:`ensembles.evaluation.report` and
:mod:`ensembles.evaluation.benchmark` both use it, so both read their arguments alike.
Their folds come from :func:`ensembles.engine.oof.make_folds`, as every ensemble's do.
"""


from sklearn.metrics import get_scorer, get_scorer_names


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
