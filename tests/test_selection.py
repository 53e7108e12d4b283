"""Ensemble selection (Caruana et al. 2004): estimator checks, the greedy maths on hand-made
members, the selection against its baselines, shared behaviour and bad input."""

import pickle

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer, log_loss
from sklearn.model_selection import KFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import EnsembleSelectionClassifier, EnsembleSelectionRegressor
from ensembles.combine.scoring import _FAST, _KnownProba, _KnownValues, prediction_scorer

_TREES = [
    ("stump", DecisionTreeClassifier(max_depth=1)),
    ("tree", DecisionTreeClassifier(max_depth=3)),
    ("extra", ExtraTreesClassifier(n_estimators=5, max_depth=4)),
]

# -- hand-made members: their out-of-fold predictions are columns of X -------------------
class ColumnRegressor(RegressorMixin, BaseEstimator):
    """Predicts X[:, column], whatever it was fitted on."""

    def __init__(self, column=0):
        self.column = column

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, self.column]


class ColumnClassifier(ClassifierMixin, BaseEstimator):
    """Binary: p(class 1) = X[:, column], whatever it was fitted on."""

    def __init__(self, column=0):
        self.column = column

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict_proba(self, X):
        p = np.asarray(X, dtype=float)[:, self.column]
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def _offsets_case(offsets=(1.0, -2.0, 5.0), n=12):
    """Member k predicts y + offsets[k]: the running average's error is the average offset."""
    y = np.linspace(-1, 1, n)
    X = y[:, None] + np.asarray(offsets)[None, :]
    members = [(name, ColumnRegressor(k)) for k, name in enumerate("abc")]
    return members, X, y


def test_greedy_order_with_replacement_and_best_prefix():
    # Errors +1, -2, +5 (MSE 1, 4, 25). Init: a (-1). Add b: mean -0.5 (-0.25). Add a
    # again (repeat): mean 0 (0). Add a or b: +-0.25 (-0.0625), a tie -> the first, a.
    # The best of the nested ensembles is {a, b, a}: weights 2/3, 1/3, 0.
    members, X, y = _offsets_case()
    sel = EnsembleSelectionRegressor(members, n_iter=3, cv=3).fit(X, y)
    np.testing.assert_allclose(sel.trace_, [[-1.0, -0.25, 0.0, -0.0625]], atol=1e-15)
    np.testing.assert_array_equal(sel.selection_counts_, [2, 1, 0])
    np.testing.assert_allclose(sel.weights_, [2 / 3, 1 / 3, 0.0], rtol=1e-15)
    np.testing.assert_allclose(sel.member_scores_, [-1.0, -4.0, -25.0])
    assert sel.oof_score_ == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(sel.predict(X), y, atol=1e-12)


def test_sorted_initialisation_takes_the_best_n_init():
    # n_init=2 starts from {a, b} (the two best), mean -0.5; then a makes it exact.
    members, X, y = _offsets_case()
    sel = EnsembleSelectionRegressor(members, n_iter=1, n_init=2, cv=3).fit(X, y)
    np.testing.assert_allclose(sel.trace_, [[-0.25, 0.0]], atol=1e-15)
    np.testing.assert_array_equal(sel.selection_counts_, [2, 1, 0])
    # n_init=3 forces c in: mean 4/3; the additions then bring in b, pulling it back.
    sel = EnsembleSelectionRegressor(members, n_iter=1, n_init=3, cv=3).fit(X, y)
    np.testing.assert_allclose(sel.trace_[0, 0], -(4 / 3) ** 2)
    np.testing.assert_array_equal(sel.selection_counts_, [1, 2, 1])  # mean 0.5


def test_classifier_greedy_matches_a_direct_log_loss_search():
    # Three binary members with known p(class 1); the expected choices come from
    # sklearn's log_loss on every candidate average, computed here independently.
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 40)
    X = np.column_stack([
        np.where(y == 1, 0.7, 0.4),          # weak but on the right side
        np.clip(y + rng.normal(0, 0.45, 40), 0.02, 0.98),  # sharp, noisy
        rng.uniform(0.05, 0.95, 40),         # noise
    ])
    members = [(name, ColumnClassifier(k)) for k, name in enumerate("abc")]
    sel = EnsembleSelectionClassifier(members, n_iter=6, cv=4).fit(X, y)

    P = [np.column_stack([1 - X[:, k], X[:, k]]) for k in range(3)]
    chosen = [int(np.argmin([log_loss(y, p) for p in P]))]
    trace = [-log_loss(y, P[chosen[0]])]

    def first_best(scores):  # ties within rounding go to the first (the smaller ensemble)
        best = max(scores)
        return next(i for i, s in enumerate(scores) if s >= best - 1e-12 * max(1, abs(best)))

    for _ in range(6):
        scores = [-log_loss(y, (sum(P[j] for j in chosen) + P[k]) / (len(chosen) + 1))
                  for k in range(3)]
        chosen.append(first_best(scores))
        trace.append(scores[chosen[-1]])
    np.testing.assert_allclose(sel.trace_[0], trace, rtol=1e-12)
    keep = 1 + first_best(trace)
    expected = np.bincount(chosen[:keep], minlength=3)
    np.testing.assert_array_equal(sel.selection_counts_, expected)
    assert len(set(chosen[:keep])) < keep  # the case exercises a repeat
    expected_proba = sum(w * p for w, p in zip(expected / expected.sum(), P))
    np.testing.assert_allclose(sel.predict_proba(X), expected_proba, rtol=1e-12)


def test_bagging_sums_the_bags_and_is_deterministic():
    members, X, y = _offsets_case(offsets=(1.0, -2.0, 5.0, 0.5, -0.75, 3.0))
    members = [(name, ColumnRegressor(k)) for k, name in enumerate("abcdef")]
    params = dict(n_iter=4, n_bags=5, bag_fraction=0.5, cv=3)
    sel = EnsembleSelectionRegressor(members, random_state=0, **params).fit(X, y)
    assert sel.trace_.shape == (5, 5)
    assert all(len(bag) == 3 for bag in sel.bags_)
    # Each bag on its own is a plain selection over its members; the bags add up.
    total = np.zeros(6, dtype=int)
    for bag in sel.bags_:
        sub = EnsembleSelectionRegressor([members[j] for j in bag], n_iter=4, cv=3)
        total[bag] += sub.fit(X, y).selection_counts_
    np.testing.assert_array_equal(sel.selection_counts_, total)
    np.testing.assert_allclose(sel.weights_, total / total.sum())

    again = EnsembleSelectionRegressor(members, random_state=0, **params).fit(X, y)
    assert again.bags_ == sel.bags_
    np.testing.assert_array_equal(again.weights_, sel.weights_)
    other = EnsembleSelectionRegressor(members, random_state=1, **params).fit(X, y)
    assert other.bags_ != sel.bags_


def test_same_predictions_whatever_n_jobs():
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    members = [("tree", DecisionTreeClassifier(max_depth=4, max_features=3)),
               ("extra", ExtraTreesClassifier(n_estimators=5)),
               ("lr", LogisticRegression())]
    params = dict(n_iter=8, n_bags=3, bag_fraction=0.7, cv=3, random_state=0)
    one = EnsembleSelectionClassifier(members, n_jobs=1, **params).fit(X, y)
    # Threads, not loky: the fits still finish out of order, and the test does not pay
    # for starting processes that import torch.
    with parallel_config(backend="threading"):
        two = EnsembleSelectionClassifier(members, n_jobs=2, **params).fit(X, y)
    np.testing.assert_array_equal(one.selection_counts_, two.selection_counts_)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


# -- the selection against its baselines, on out-of-fold predictions -------------------
def _library():
    return [
        ("stump", DecisionTreeClassifier(max_depth=1)),
        ("tree4", DecisionTreeClassifier(max_depth=4)),
        ("tree", DecisionTreeClassifier()),
        ("knn3", KNeighborsClassifier(3)),
        ("knn15", KNeighborsClassifier(15)),
        ("lr", make_pipeline(StandardScaler(), LogisticRegression(C=0.1))),
        ("nb", GaussianNB()),
        ("extra", ExtraTreesClassifier(n_estimators=20, max_depth=6)),
    ]


@pytest.mark.parametrize("n_bags", [1, 4])
def test_selection_beats_best_member_and_plain_average_out_of_fold(n_bags):
    X, y = make_classification(n_samples=300, n_features=12, n_informative=6,
                               n_classes=3, n_clusters_per_class=1, random_state=0)
    sel = EnsembleSelectionClassifier(_library(), n_iter=20, n_bags=n_bags,
                                      bag_fraction=0.6, cv=4, random_state=0).fit(X, y)
    oof = np.stack([sel.cross_fit_.oof[name] for name, _ in _library()])
    singles = [-log_loss(y, p) for p in oof]
    np.testing.assert_allclose(sel.member_scores_, singles, rtol=1e-12)
    average = -log_loss(y, oof.mean(axis=0))
    assert sel.oof_score_ >= max(singles)
    assert sel.oof_score_ > average
    assert sel.oof_score_ == pytest.approx(
        -log_loss(y, np.tensordot(sel.weights_, oof, axes=1)), rel=1e-12)


def test_other_scorers_are_honoured():
    X, y = make_classification(n_samples=200, n_features=8, random_state=1)
    sel = EnsembleSelectionClassifier(_library()[:5], n_iter=6, scoring="roc_auc",
                                      cv=3, random_state=0).fit(X, y)
    scorer = get_scorer("roc_auc")
    oof = [sel.cross_fit_.oof[name] for name, _ in _library()[:5]]
    expected = [scorer(_KnownProba(np.array([0, 1])), p, y) for p in oof]
    np.testing.assert_allclose(sel.member_scores_, expected)
    assert sel.oof_score_ >= max(expected)


@pytest.mark.parametrize("name", sorted(_FAST))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_fast_scorers_equal_sklearn(name, weighted, n_classes):
    rng = np.random.RandomState(0)
    n = 60
    w = rng.uniform(0.1, 2, n) if weighted else None
    task = _FAST[name][0]
    if task == "classification":
        y_enc = rng.randint(0, n_classes, n)
        y_enc[:n_classes] = np.arange(n_classes)
        classes = np.array(["ant", "bee", "cat", "dog"][:n_classes], dtype=object)
        y = classes[y_enc]
        P = rng.dirichlet(np.ones(n_classes), n)
        P[0] = np.eye(n_classes)[1]  # a zero on a true class: the clip matters
        known = _KnownProba(classes)
    else:
        y = y_enc = rng.normal(size=n)
        P = y + rng.normal(size=n)
        classes, known = None, _KnownValues()
    fast = prediction_scorer(name, y_enc, classes=classes, sample_weight=w)
    kwargs = {} if w is None else {"sample_weight": w}
    assert fast(P) == pytest.approx(get_scorer(name)(known, P, y, **kwargs), rel=1e-12)


# -- shared behaviour -----------------------------------------------------------------
def _small_classification(n=90):
    X, y = make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=3, n_clusters_per_class=1, random_state=0)
    return X, np.array(["red", "green", "blue"])[y]


def test_string_labels_pandas_and_feature_names():
    X, y = _small_classification()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    sel = EnsembleSelectionClassifier(_TREES, n_iter=5, cv=3, random_state=0)
    sel.fit(frame, pd.Series(y))
    assert list(sel.classes_) == ["blue", "green", "red"]
    assert set(sel.predict(frame)) <= {"blue", "green", "red"}
    assert list(sel.feature_names_in_) == list(frame.columns)
    np.testing.assert_allclose(sel.predict_proba(frame).sum(axis=1), 1.0)
    assert np.mean(sel.predict(frame) == y) > 0.7


def test_drop_member():
    X, y = _small_classification()
    members = [("tree", DecisionTreeClassifier(max_depth=3)), ("svc", "drop"),
               ("extra", ExtraTreesClassifier(n_estimators=5))]
    sel = EnsembleSelectionClassifier(members, n_iter=4, cv=3, random_state=0).fit(X, y)
    assert len(sel.weights_) == len(sel.estimators_) == 2
    assert sel.named_estimators_["svc"] == "drop"
    assert sel.cross_fit_.names == ["tree", "extra"]
    sel.set_params(extra="drop").fit(X, y)
    np.testing.assert_array_equal(sel.weights_, [1.0])


@pytest.mark.parametrize("refit", [True, False])
def test_clone_and_pickle_round_trip(refit):
    X, y = _small_classification()
    sel = EnsembleSelectionClassifier(_TREES, n_iter=5, n_bags=2, bag_fraction=0.7,
                                      cv=3, refit=refit, random_state=0)
    fitted = sel.fit(X, y)
    np.testing.assert_array_equal(
        clone(sel).fit(X, y).predict_proba(X), fitted.predict_proba(X))
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_unselected_members_are_not_asked_to_predict():
    members, X, y = _offsets_case()
    sel = EnsembleSelectionRegressor(members, n_iter=3, cv=3).fit(X, y)
    assert sel.weights_[2] == 0
    sel.estimators_[2].predict = None  # would raise TypeError if called
    np.testing.assert_allclose(sel.predict(X), y, atol=1e-12)


def test_regressor_on_generated_data():
    X, y = make_regression(n_samples=150, n_features=6, noise=10, random_state=0)
    members = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4)),
               ("extra", ExtraTreesRegressor(n_estimators=10))]
    sel = EnsembleSelectionRegressor(members, n_iter=10, cv=KFold(3), random_state=0)
    sel.fit(X, y)
    assert sel.oof_score_ >= sel.member_scores_.max()
    assert sel.score(X, y) > 0.8


# -- bad input ------------------------------------------------------------------------
_BAD = [
    (dict(n_iter=0), ValueError, r"'n_iter' parameter .* must be an int in the range \[1"),
    (dict(scoring="accuracyy"), ValueError, r"scoring='accuracyy' is not a scikit-learn "
                                            r"scorer name"),
    (dict(bag_fraction=0.0), ValueError, r"'bag_fraction' parameter .* range \(0.0, 1.0\]"),
    (dict(bag_fraction=1.5), ValueError, r"'bag_fraction' parameter .* range \(0.0, 1.0\]"),
    (dict(n_init=4), ValueError, r"n_init=4 is larger than the 3 members"),
    (dict(n_init=2, n_bags=3, bag_fraction=0.3), ValueError,
     r"n_init=2 is larger than a bag of 1 members \(bag_fraction=0.3 of 3\).*raise "
     r"bag_fraction"),
    (dict(n_bags=0), ValueError, r"'n_bags' parameter"),
    (dict(scoring="neg_mean_squared_error"), ValueError,
     r"scoring='neg_mean_squared_error' cannot score the averaged out-of-fold "
     r"probabilities"),
]


@pytest.mark.parametrize("params, error, match", _BAD)
def test_bad_parameters(params, error, match):
    X, y = _small_classification()
    with pytest.raises(error, match=match):
        EnsembleSelectionClassifier(_TREES, **params).fit(X, y)


def test_bad_members():
    X, y = _small_classification()
    with pytest.raises(ValueError, match=r"member 'svc' \(SVC\) has no 'predict_proba'"):
        EnsembleSelectionClassifier([("svc", SVC()), *_TREES]).fit(X, y)
    with pytest.raises(ValueError, match="member 'ridge' must be a classifier"):
        EnsembleSelectionClassifier([("ridge", Ridge())]).fit(X, y)
    with pytest.raises(ValueError, match="scoring='neg_log_loss' cannot score"):
        EnsembleSelectionRegressor([("ridge", Ridge())], scoring="neg_log_loss").fit(
            X[:, :2], np.arange(len(X), dtype=float))


def test_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        EnsembleSelectionClassifier(_TREES).predict_proba(np.zeros((2, 5)))
