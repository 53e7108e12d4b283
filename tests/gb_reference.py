"""Outputs of our gradient boosting on a table of configurations, to compare a change of
its fit or predict path with the code before it (``tests/test_gradient_boosting.py::
test_outputs_unchanged_since_reference``).

``python tests/gb_reference.py`` writes :data:`REFERENCE` from the code checked out; the
file kept in the repository was written at commit fb688ad, before the fast tree path
(issue 16, item 3). Rerun it only when a change of the outputs is meant.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_friedman1
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from ensembles import GradientBoostingClassifier, GradientBoostingRegressor
from ensembles.base import MAX_SEED

REFERENCE = Path(__file__).parent / "data" / "gb_reference.npz"


def _regression():
    X, y = make_friedman1(n_samples=260, noise=1.0, random_state=0)
    return X[:200], X[200:], y[:200]


def _classification(n_classes):
    X, y = make_classification(n_samples=260, n_features=6, n_informative=4,
                               n_classes=n_classes, random_state=1)
    return X[:200], X[200:], y[:200]


def _weights(n, zeros=False):
    rng = np.random.RandomState(5)
    w = rng.uniform(0.5, 2.0, n)
    if zeros:
        w[rng.rand(n) < 0.2] = 0
    return w


def _with_nan(data):
    X_train, X_test, y_train = (a.copy() for a in data)
    X_train[::7, 1] = np.nan
    X_test[::5, 1] = np.nan
    return X_train, X_test, y_train


def validation_rows(n, random_state, fraction=0.1, stratify=None):
    """The rows that ``fit`` holds out for early stopping (its first draw of
    ``random_state`` seeds the split), with no row weighted 0."""
    split_seed = np.random.RandomState(random_state).randint(MAX_SEED, size=2)[0]
    return train_test_split(np.arange(n), test_size=fraction, random_state=split_seed,
                            stratify=stratify)[1]


def _nan_in_validation(data, random_state, classifier=False):
    """NaN in a few of the early-stopping rows only: the trees fit on finite rows."""
    X_train, X_test, y_train = (a.copy() for a in data)
    rows = validation_rows(len(y_train), random_state,
                           stratify=y_train if classifier else None)
    X_train[rows[:4], 1] = np.nan
    return X_train, X_test, y_train


def _frame(data):
    X_train, X_test, y_train = data
    columns = [f"x{i}" for i in range(X_train.shape[1])]
    return pd.DataFrame(X_train, columns=columns), pd.DataFrame(X_test, columns=columns), \
        y_train


def _sparse(data):
    X_train, X_test, y_train = data
    X_train, X_test = X_train.copy(), X_test.copy()
    X_train[X_train < 0.3] = 0
    X_test[X_test < 0.3] = 0
    return sp.csr_matrix(X_train), sp.csr_matrix(X_test), y_train


def configurations():
    """(name, model, (X_train, X_test, y_train), sample_weight) for every case."""
    reg, binary, multi = _regression(), _classification(2), _classification(3)
    R, C = GradientBoostingRegressor, GradientBoostingClassifier
    yield "squared_error", R(n_estimators=20, random_state=0), reg, None
    yield "absolute_error", R(loss="absolute_error", n_estimators=20, random_state=0), \
        reg, None
    yield "huber", R(loss="huber", alpha=0.8, n_estimators=20, random_state=0), reg, None
    yield "huber_weighted", R(loss="huber", n_estimators=20, random_state=1), reg, \
        _weights(200)
    yield "zero_weights", R(n_estimators=20, random_state=0), reg, _weights(200, True)
    yield "subsample", R(n_estimators=20, subsample=0.6, random_state=2), reg, None
    yield "subsample_weighted", R(loss="absolute_error", n_estimators=20, subsample=0.7,
                                  random_state=2), reg, _weights(200)
    yield "early_stopping", R(n_estimators=200, n_iter_no_change=3, random_state=0), \
        reg, None
    yield "nan_in_validation", R(n_estimators=200, n_iter_no_change=3, random_state=0), \
        _nan_in_validation(reg, 0), None
    yield "multiplier", R(loss="huber", line_search="multiplier", n_estimators=15,
                          random_state=0), reg, None
    yield "random_tree", R(DecisionTreeRegressor(max_depth=4, max_features=0.5,
                                                 splitter="random"),
                           n_estimators=15, random_state=3), reg, None
    yield "deep_tree_lr", R(DecisionTreeRegressor(max_depth=6, min_samples_leaf=3),
                            learning_rate=0.3, n_estimators=10, random_state=0), reg, None
    yield "ridge", R(Ridge(alpha=1.0), n_estimators=10, random_state=0), reg, None
    yield "pipeline", R(make_pipeline(StandardScaler(), DecisionTreeRegressor(max_depth=2)),
                        n_estimators=10, random_state=0), reg, None
    yield "init_linear", R(init=LinearRegression(), n_estimators=10, random_state=0), \
        reg, None
    yield "init_zero", R(init="zero", n_estimators=10, random_state=0), reg, None
    yield "nan", R(n_estimators=15, random_state=0), _with_nan(reg), None
    yield "pandas", R(n_estimators=15, random_state=0), _frame(reg), None
    yield "sparse", R(n_estimators=15, random_state=0), _sparse(reg), None
    yield "binary", C(n_estimators=20, random_state=0), binary, None
    yield "binary_weighted_subsample", C(n_estimators=20, subsample=0.8, random_state=4), \
        binary, _weights(200, True)
    yield "binary_init_logistic", C(init=LogisticRegression(), n_estimators=10,
                                    random_state=0), binary, None
    yield "binary_early_stopping", C(n_estimators=200, n_iter_no_change=2,
                                     validation_fraction=0.2, random_state=0), binary, None
    yield "multiclass", C(n_estimators=15, random_state=0), multi, None
    yield "multiclass_weighted", C(n_estimators=15, subsample=0.7, random_state=1), multi, \
        _weights(200)
    yield "multiclass_early_stopping", C(n_estimators=200, n_iter_no_change=3,
                                         random_state=0), multi, None
    yield "multiclass_nan_in_validation", C(n_estimators=200, n_iter_no_change=3,
                                            random_state=0), \
        _nan_in_validation(multi, 0, classifier=True), None
    yield "multiclass_ridge", C(Ridge(), n_estimators=8, random_state=0), multi, None
    yield "multiclass_sparse", C(n_estimators=10, random_state=0), _sparse(multi), None
    yield "multiclass_nan", C(n_estimators=10, random_state=0), _with_nan(multi), None


_METHODS = ("predict", "predict_proba", "decision_function")
_STAGED = ("staged_predict", "staged_predict_proba", "staged_decision_function")
_FITTED = ("train_score_", "validation_score_", "oob_improvement_", "oob_scores_",
           "multipliers_", "feature_importances_", "n_estimators_")


def outputs(name, model, data, sample_weight):
    """Every output of ``model`` fitted on ``data``, keyed ``<name>:<what>``."""
    X_train, X_test, y_train = data
    model.fit(X_train, y_train, sample_weight=sample_weight)
    found = {}
    for method in _METHODS:
        if hasattr(model, method):
            found[method] = getattr(model, method)(X_test)
            found[f"{method}_train"] = getattr(model, method)(X_train)
    for method in _STAGED:
        if hasattr(model, method):
            found[method] = np.stack(list(getattr(model, method)(X_test)))
    for attribute in _FITTED:
        try:
            found[attribute] = np.asarray(getattr(model, attribute))
        except AttributeError:
            pass
    return {f"{name}:{key}": value for key, value in found.items()}


def all_outputs():
    found = {}
    for case in configurations():
        found.update(outputs(*case))
    return found


if __name__ == "__main__":
    REFERENCE.parent.mkdir(exist_ok=True)
    np.savez_compressed(REFERENCE, **all_outputs())
    print(f"wrote {REFERENCE}")
