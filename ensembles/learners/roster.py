"""A ready, diverse set of base learners to hand to a meta-learner.

Diversity is the point: a net, two boosted-tree libraries, two randomised forests, a
linear model and a nearest-neighbour model make different kinds of errors, which is what
voting, stacking and ensemble selection feed on.
"""

from numbers import Integral

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from .device import resolve_device, set_device

__all__ = ["make_learners"]

_NAMES = ("net", "xgb", "lgbm", "rf", "et", "linear", "knn")
_TASKS = ("classification", "regression")

# Per size, the settings that trade time for accuracy. "small" fits a few hundred rows in
# well under a second per member (tests, quick looks); "medium" is what one would start
# real work from: more trees at a lower learning rate, a wider net.
_SIZES = {
    "small": {
        "net": {"hidden_layer_sizes": (32,), "max_epochs": 30, "lr": 1e-2, "n_iter_no_change": 5},
        "boost": {"n_estimators": 25, "learning_rate": 0.3},
        "xgb": {"max_depth": 4},
        "lgbm": {"num_leaves": 15},
        "forest": {"n_estimators": 25},
        "knn": {"n_neighbors": 5},
    },
    "medium": {
        "net": {
            "hidden_layer_sizes": (128, 64),
            "max_epochs": 200,
            "lr": 1e-3,
            "dropout": 0.1,
            "n_iter_no_change": 10,
        },
        # Row and column subsampling decorrelate the trees, as in both libraries' tuning
        # guides; 500 rounds at 0.05 is their usual starting point without early stopping.
        "boost": {
            "n_estimators": 500,
            "learning_rate": 0.05,
            "subsample": 0.8,
            "colsample_bytree": 0.8,
        },
        "xgb": {"max_depth": 6},
        # LightGBM subsamples rows only when subsample_freq > 0.
        "lgbm": {"num_leaves": 31, "subsample_freq": 1},
        "forest": {"n_estimators": 300},
        # More neighbours than scikit-learn's 5: smoother probabilities for a meta-learner.
        "knn": {"n_neighbors": 15},
    },
}
# Ridge penalty picked by efficient leave-one-out over seven decades; cheap at any size.
_RIDGE_ALPHAS = tuple(10.0**k for k in range(-3, 4))


def make_learners(task="classification", *, device="auto", random_state=None, size="medium",
                  n_jobs=1):
    """A diverse list of unfitted base learners, ready for a meta-learner.

    Parameters
    ----------
    task : {"classification", "regression"}, default="classification"
        Which kind of estimators to build.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        Set on every member with :func:`ensembles.set_device`: the net and XGBoost run on
        the GPU when one is used; LightGBM too when its build can (PyPI wheels cannot,
        and then it stays on the CPU).
    random_state : int, RandomState instance or None, default=None
        Every member's seed is drawn from it up front, in a fixed order, so the same
        ``random_state`` (an int) gives the same roster. None draws from NumPy's global
        random state.
    size : {"small", "medium"}, default="medium"
        ``"small"``: few trees, a small net and few epochs, for tests and quick looks.
        ``"medium"``: more trees at a lower learning rate and a wider net, a reasonable
        start for real work.
    n_jobs : int, default=1
        Threads of each learner that has them (the net's torch threads, XGBoost,
        LightGBM, the forests). One by default: the meta-learners run members and folds
        in parallel with their own ``n_jobs``, one thread per task, which is where the
        cores are best spent. Raise it (``-1``: all cores) to fit one learner alone.

    Returns
    -------
    list of (str, estimator)
        In this order:

        - ``"net"``: ``StandardScaler`` then :class:`~ensembles.NetClassifier` /
          :class:`~ensembles.NetRegressor` with early stopping;
        - ``"xgb"``: ``XGBClassifier`` / ``XGBRegressor``;
        - ``"lgbm"``: ``LGBMClassifier`` / ``LGBMRegressor`` (``verbose=-1``);
        - ``"rf"``: ``RandomForestClassifier`` / ``RandomForestRegressor``;
        - ``"et"``: ``ExtraTreesClassifier`` / ``ExtraTreesRegressor``;
        - ``"linear"``: ``StandardScaler`` then ``LogisticRegression`` / ``RidgeCV``;
        - ``"knn"``: ``StandardScaler`` then ``KNeighborsClassifier`` /
          ``KNeighborsRegressor``.

        The list is fresh at each call; change members with ``set_params`` or drop
        them from the list as you like.

    Notes
    -----
    Threads are capped at ``n_jobs`` (one) rather than left at each library's default:
    XGBoost and LightGBM would use every core, and their OpenMP threads spin-wait on a
    core that another process holds. On 2 shared cores an XGBoost fit on iris took
    21.8 s with its default threads and 0.16 s with one (docs/benchmarks.md).

    ``XGBClassifier`` expects labels ``0 .. n_classes - 1``. The meta-learners of this
    package encode labels before their members see them; to fit the ``"xgb"`` member on
    its own with other labels, encode them first (``sklearn.preprocessing.LabelEncoder``).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from ensembles import make_learners
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> learners = make_learners(device="cpu", random_state=0, size="small")
    >>> [name for name, _ in learners]
    ['net', 'xgb', 'lgbm', 'rf', 'et', 'linear', 'knn']
    >>> rf = dict(learners)["rf"].fit(X, y)
    >>> rf.score(X, y) > 0.9
    True
    """
    if not isinstance(task, str) or task not in _TASKS:
        raise ValueError(f"task must be 'classification' or 'regression'; got {task!r}.")
    if not isinstance(size, str) or size not in _SIZES:
        raise ValueError(f"size must be 'small' or 'medium'; got {size!r}.")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int (-1: all cores); got {n_jobs!r}.")
    resolve_device(device)  # a bad device fails here, before random_state is drawn from

    rng = check_random_state(random_state)
    seeds = dict(zip(_NAMES, rng.randint(np.iinfo(np.int32).max, size=len(_NAMES)).tolist()))
    build = _classifiers if task == "classification" else _regressors
    learners = build(_SIZES[size], seeds, n_jobs)
    for _, learner in learners:
        set_device(learner, device)
    return learners


def _classifiers(cfg, seeds, n_jobs):
    # The heavy libraries load here, on the first roster, not on ``import ensembles``.
    from lightgbm import LGBMClassifier
    from xgboost import XGBClassifier

    from .net import NetClassifier

    return [
        (
            "net",
            make_pipeline(
                StandardScaler(),
                NetClassifier(**cfg["net"], early_stopping=True, n_jobs=n_jobs,
                             random_state=seeds["net"]),
            ),
        ),
        ("xgb", XGBClassifier(**cfg["boost"], **cfg["xgb"], n_jobs=n_jobs,
                            random_state=seeds["xgb"])),
        (
            "lgbm",
            LGBMClassifier(**cfg["boost"], **cfg["lgbm"], verbose=-1, n_jobs=n_jobs,
                          random_state=seeds["lgbm"]),
        ),
        ("rf", RandomForestClassifier(**cfg["forest"], n_jobs=n_jobs,
                              random_state=seeds["rf"])),
        ("et", ExtraTreesClassifier(**cfg["forest"], n_jobs=n_jobs,
                              random_state=seeds["et"])),
        # lbfgs ignores the seed; it is set so that another solver, chosen through
        # set_params, is still reproducible.
        (
            "linear",
            make_pipeline(
                StandardScaler(), LogisticRegression(max_iter=1000, random_state=seeds["linear"])
            ),
        ),
        ("knn", make_pipeline(StandardScaler(), KNeighborsClassifier(**cfg["knn"]))),
    ]


def _regressors(cfg, seeds, n_jobs):
    from lightgbm import LGBMRegressor
    from xgboost import XGBRegressor

    from .net import NetRegressor

    return [
        (
            "net",
            make_pipeline(
                StandardScaler(),
                NetRegressor(**cfg["net"], early_stopping=True, n_jobs=n_jobs,
                             random_state=seeds["net"]),
            ),
        ),
        ("xgb", XGBRegressor(**cfg["boost"], **cfg["xgb"], n_jobs=n_jobs,
                            random_state=seeds["xgb"])),
        (
            "lgbm",
            LGBMRegressor(**cfg["boost"], **cfg["lgbm"], verbose=-1, n_jobs=n_jobs,
                          random_state=seeds["lgbm"]),
        ),
        ("rf", RandomForestRegressor(**cfg["forest"], n_jobs=n_jobs,
                              random_state=seeds["rf"])),
        ("et", ExtraTreesRegressor(**cfg["forest"], n_jobs=n_jobs,
                              random_state=seeds["et"])),
        ("linear", make_pipeline(StandardScaler(), RidgeCV(alphas=_RIDGE_ALPHAS))),
        ("knn", make_pipeline(StandardScaler(), KNeighborsRegressor(**cfg["knn"]))),
    ]
