"""The scorers an overfitting report or a benchmark runs on, and what a perfect score is.

:func:`_scorers` turns ``scoring`` (None, a name, names, or name -> scorer) into scorers,
with the defaults of the task; :mod:`ensembles.evaluation.report` and
:mod:`ensembles.evaluation.benchmark` both use it, so both read their arguments alike.
Their folds come from :func:`ensembles.engine.oof.make_folds`, as every ensemble's do.
"""


import warnings

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import get_scorer, get_scorer_names


# -- scoring ------------------------------------------------------------------------------
def _scorers(scoring, classification, probabilistic, labels=None):
    """Scorer name -> scorer; the first is the one verdicts are read from.

    Each scorer is checked against the task before anything is fitted
    (:func:`check_scoring`); for classification, with the class ``labels`` of ``y`` when
    given."""
    scorers = _named_scorers(scoring, classification, probabilistic)
    check_scoring(scorers, classification, probabilistic, labels)
    return scorers


def _named_scorers(scoring, classification, probabilistic):
    if scoring is None:
        names = (["accuracy"] + (["neg_log_loss"] if probabilistic else [])
                 if classification else ["r2", "neg_root_mean_squared_error"])
    elif isinstance(scoring, str):
        # one name, or several separated by commas as the command line's --scoring
        names = [part.strip() for part in scoring.split(",")] if "," in scoring else [scoring]
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


_EXAMPLES = {True: "'accuracy', 'balanced_accuracy', 'f1_macro', 'neg_log_loss'",
             False: "'r2', 'neg_root_mean_squared_error', 'neg_mean_absolute_error'"}


def check_scoring(scorers, classification, probabilistic, labels=None):
    """Refuse a scorer that cannot score this task, before any fit: a regression score
    for classification or the other way round (read from the module of the scikit-learn
    metric), one that needs ``predict_proba`` when a model lacks it, and for
    classification one that refuses these classes (``f1`` on three classes,
    ``roc_auc`` without ``_ovr``, a ``pos_label`` that is not a label), found by
    scoring a dummy model on a few rows of the same labels. A scorer of the user's own
    (no scikit-learn metric behind it) is left to run."""
    task = "classification" if classification else "regression"
    for name, scorer in scorers.items():
        metric = getattr(scorer, "_score_func", None)
        if metric is None:
            continue
        regression = getattr(metric, "__module__", "").endswith("._regression")
        if regression == classification:
            kind = "regression" if regression else "classification"
            raise ValueError(
                f"scoring {name!r} is a {kind} score ({metric.__name__}) but the task is "
                f"{task}; choose one such as {_EXAMPLES[classification]}.")
        if classification and not probabilistic and (
                getattr(scorer, "_response_method", None) == "predict_proba"):
            raise ValueError(
                f"scoring {name!r} needs probabilities (predict_proba), which not every "
                "model gives; choose one such as 'accuracy', 'balanced_accuracy', "
                "'f1_macro'.")
        if classification and labels is not None:
            _try_on_labels(name, scorer, np.asarray(labels))


def _try_on_labels(name, scorer, labels):
    y = np.tile(labels, 3)
    X = np.zeros((len(y), 1))
    dummy = DummyClassifier(strategy="stratified", random_state=0).fit(X, y)
    try:
        with warnings.catch_warnings():
            # a dummy's scores may be undefined (no positive prediction): only errors count
            warnings.simplefilter("ignore")
            scorer(dummy, X, y)
    except ValueError as exc:
        shown = ", ".join(map(str, labels[:10].tolist())) + (", ..." if len(labels) > 10
                                                              else "")
        hint = next((f" Use {better!r} instead." for better in (
            f"{name}_macro", f"{name}_ovr") if len(labels) > 2
            and better in get_scorer_names()), "")
        if "pos_label" in str(exc) and len(labels) == 2:
            hint = (" Say which class is the positive one with a scorer of your own: "
                    f"make_scorer({scorer._score_func.__name__}, "
                    f"pos_label={labels[-1].item()!r}).")
        raise ValueError(f"scoring {name!r} cannot score these {len(labels)} classes "
                         f"({shown}): {str(exc).rstrip('.')}.{hint}") from None


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
