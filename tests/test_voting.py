"""VotingClassifier / VotingRegressor: scikit-learn parity, learned weights, errors."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from sklearn import ensemble as sk
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.validation import check_random_state
from xgboost import XGBClassifier

from ensembles import VotingClassifier, VotingRegressor


def _clf_members():
    return [("lr", LogisticRegression(solver="newton-cholesky")),
            ("tree", DecisionTreeClassifier(max_depth=3))]


def _reg_members():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]


# -- data and test members ------------------------------------------------------------


@pytest.fixture(scope="module")
def multiclass():
    return make_classification(n_samples=300, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)


@pytest.fixture(scope="module")
def regression():
    return make_regression(n_samples=200, n_features=6, noise=10.0, random_state=0)


def _members():
    return [
        ("lr", LogisticRegression(max_iter=500)),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
        ("nb", GaussianNB()),
    ]


class RandomGuess(ClassifierMixin, BaseEstimator):
    """Random class probabilities, whatever X is: a useless member."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.shape(X)[1]
        self._rng = check_random_state(self.random_state)
        return self

    def predict_proba(self, X):
        return self._rng.dirichlet(np.ones(len(self.classes_)), size=len(X))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class RandomRegressor(RegressorMixin, BaseEstimator):
    """Noise around y's mean, with y's spread: a useless member."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        self.mean_, self.scale_ = float(np.mean(y)), float(np.std(y))
        self._rng = check_random_state(self.random_state)
        return self

    def predict(self, X):
        return self.mean_ + self.scale_ * self._rng.standard_normal(len(X))


class Failing(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise RuntimeError("boom")

    def predict_proba(self, X):
        pass


# -- parity with scikit-learn ---------------------------------------------------------


@pytest.mark.parametrize("voting, weights", [
    ("soft", None), ("soft", [2, 1, 3]), ("hard", None), ("hard", [2, 1, 1]),
    ("hard", [1, 1, 0]),  # ties between lr and tree: the lower class wins in both
])
def test_classifier_equals_sklearn(multiclass, voting, weights):
    X, y = multiclass
    ours = VotingClassifier(_members(), voting=voting, weights=weights).fit(X, y)
    theirs = sk.VotingClassifier(_members(), voting=voting, weights=weights).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.get_feature_names_out(),
                                  theirs.get_feature_names_out())
    if voting == "soft":
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X),
                                   rtol=0, atol=1e-10)
    else:
        assert not hasattr(ours, "predict_proba")


def test_classifier_equals_sklearn_with_drop_and_sample_weight(multiclass):
    X, y = multiclass
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    ours = VotingClassifier(_members(), weights=[1, 5, 2]).set_params(tree="drop")
    theirs = sk.VotingClassifier(_members(), voting="soft", weights=[1, 5, 2])
    theirs.set_params(tree="drop")
    ours.fit(X, y, sample_weight=w)
    theirs.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X),
                               rtol=0, atol=1e-10)
    assert len(ours.estimators_) == 2
    assert ours.named_estimators_.tree == "drop"
    np.testing.assert_array_equal(ours.weights_, [1, 0, 2])
    np.testing.assert_array_equal(ours.get_feature_names_out(),
                                  theirs.get_feature_names_out())


@pytest.mark.parametrize("weights", [None, [1, 3]])
def test_regressor_equals_sklearn(regression, weights):
    X, y = regression
    members = [("lin", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))]
    ours = VotingRegressor(members, weights=weights).fit(X, y)
    theirs = sk.VotingRegressor(members, weights=weights).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.get_feature_names_out(),
                                  theirs.get_feature_names_out())


# -- learned weights ------------------------------------------------------------------


@pytest.mark.parametrize("voting", ["soft", "hard"])
def test_auto_weights_ignore_a_useless_member(multiclass, voting):
    X, y = multiclass
    vote = VotingClassifier(_members() + [("guess", RandomGuess())], voting=voting,
                            weights="auto", random_state=0).fit(X, y)
    w = vote.weights_
    assert np.all(w >= 0) and w.sum() == pytest.approx(1, abs=1e-12)
    assert w[3] < 0.05
    assert vote.cross_fit_.names == ["lr", "tree", "nb", "guess"]
    assert len(vote.cross_fit_.folds) == 5
    # the members used to predict are the fits on all rows, not fold models
    assert vote.estimators_[0] is vote.cross_fit_.full_estimators["lr"]


def test_auto_weights_favour_the_good_member(multiclass):
    X, y = multiclass
    members = [("lr", LogisticRegression(max_iter=500)),
               ("stump", DecisionTreeClassifier(max_depth=1, random_state=0))]
    vote = VotingClassifier(members, weights="auto", random_state=0).fit(X, y)
    assert vote.weights_[0] > 0.8


def test_auto_weights_minimise_oof_log_loss(multiclass):
    """The learned weights beat every other point of the simplex we try."""
    X, y = multiclass
    vote = VotingClassifier(_members(), weights="auto", random_state=0).fit(X, y)
    oof = np.stack([vote.cross_fit_.oof[n] for n in ("lr", "tree", "nb")])

    def log_loss(w):
        p = np.tensordot(w, oof, axes=1)[np.arange(len(y)), y]
        return -np.mean(np.log(np.maximum(p, 1e-15)))

    best = log_loss(vote.weights_)
    for w in np.random.RandomState(0).dirichlet(np.ones(3), size=200):
        assert best <= log_loss(w) + 1e-9
    assert best < min(log_loss(np.eye(3)[i]) for i in range(3))


def test_regressor_auto_weights(regression):
    X, y = regression
    members = [("lin", LinearRegression()),
               ("tree", DecisionTreeRegressor(max_depth=3, random_state=0)),
               ("noise", RandomRegressor())]
    vote = VotingRegressor(members, weights="auto", random_state=0).fit(X, y)
    w = vote.weights_
    assert np.all(w >= 0) and w.sum() == pytest.approx(1, abs=1e-12)
    assert w[2] < 0.05
    assert w[0] > 0.5  # y is linear in X
    oof = np.column_stack([vote.cross_fit_.oof[n] for n in ("lin", "tree", "noise")])
    best = np.mean((oof @ w - y) ** 2)
    for other in np.random.RandomState(0).dirichlet(np.ones(3), size=200):
        assert best <= np.mean((oof @ other - y) ** 2) * (1 + 1e-9)


def test_given_weights_do_not_cross_validate(multiclass):
    X, y = multiclass
    vote = VotingClassifier(_members(), cv=2).fit(X, y)
    assert vote.cross_fit_ is None
    np.testing.assert_array_equal(vote.weights_, [1, 1, 1])


def test_auto_weights_with_sample_weight(multiclass):
    X, y = multiclass
    w = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    vote = VotingClassifier(_members(), weights="auto").fit(X, y, sample_weight=w)
    direct = LogisticRegression(max_iter=500).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(vote.named_estimators_.lr.coef_, direct.coef_)
    unweighted = VotingClassifier(_members(), weights="auto").fit(X, y)
    assert not np.allclose(vote.weights_, unweighted.weights_)


# -- shared behaviour -----------------------------------------------------------------


@pytest.mark.parametrize("weights", [None, "auto"])
def test_string_labels_and_pandas(multiclass, weights):
    X, y = multiclass
    labels = np.array(["cat", "dog", "eel"])[y]
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    vote = VotingClassifier(_members(), weights=weights, random_state=0).fit(df, labels)
    np.testing.assert_array_equal(vote.classes_, ["cat", "dog", "eel"])
    np.testing.assert_array_equal(vote.feature_names_in_, df.columns)
    assert vote.n_features_in_ == X.shape[1]
    assert set(vote.predict(df)) <= {"cat", "dog", "eel"}
    on_array = VotingClassifier(_members(), weights=weights, random_state=0).fit(X, y)
    np.testing.assert_allclose(vote.predict_proba(df), on_array.predict_proba(X))


def test_nested_params_and_grid_search(multiclass):
    X, y = multiclass
    vote = VotingClassifier(_members(), weights="auto", cv=3)
    vote.set_params(lr__C=0.05)
    assert vote.get_params()["lr__C"] == 0.05
    assert vote.fit(X, y).named_estimators_.lr.C == 0.05
    assert _members()[0][1].C == 1.0  # what was given is untouched
    search = GridSearchCV(vote, {"lr__C": [0.01, 1.0], "nb": ["drop", GaussianNB()]},
                          cv=3).fit(X, y)
    assert search.best_params_["lr__C"] in (0.01, 1.0)
    assert search.best_estimator_.score(X, y) > 0.7


def test_members_not_mutated(multiclass):
    X, y = multiclass
    members = _members()
    VotingClassifier(members, weights="auto").fit(X, y)
    assert not hasattr(members[0][1], "coef_")


@pytest.mark.parametrize("make", [
    lambda: VotingClassifier(_members() + [("guess", RandomGuess())], weights="auto",
                             random_state=0),
    lambda: VotingRegressor([("lin", LinearRegression()), ("noise", RandomRegressor())],
                            weights="auto", random_state=0),
])
def test_clone_pickle_joblib_round_trip(multiclass, regression, make, tmp_path):
    est = make()
    X, y = multiclass if isinstance(est, VotingClassifier) else regression
    est.fit(X, y)
    again = clone(est).fit(X, y)
    unpickled = pickle.loads(pickle.dumps(est))
    joblib.dump(est, tmp_path / "vote.joblib")
    loaded = joblib.load(tmp_path / "vote.joblib")
    np.testing.assert_array_equal(again.weights_, est.weights_)
    # members that draw randomness at predict time are reproducible only from the
    # same state, so compare the round trips against fresh unpickled copies
    expected = pickle.loads(pickle.dumps(est)).predict(X)
    np.testing.assert_array_equal(unpickled.predict(X), expected)
    np.testing.assert_array_equal(loaded.predict(X), expected)


def test_same_result_whatever_n_jobs(multiclass):
    X, y = multiclass
    members = [("tree", DecisionTreeClassifier(max_features=0.5)),
               ("forest", sk.ExtraTreesClassifier(n_estimators=5, max_depth=4))]
    one = VotingClassifier(members, weights="auto", n_jobs=1, random_state=7).fit(X, y)
    # Threads, not loky: the fits still finish out of order, and the test does not pay
    # for starting processes that import torch.
    with parallel_config(backend="threading"):
        two = VotingClassifier(members, weights="auto", n_jobs=2, random_state=7).fit(X, y)
    np.testing.assert_array_equal(one.weights_, two.weights_)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    other = VotingClassifier(members, weights="auto", random_state=8).fit(X, y)
    assert not np.array_equal(one.predict_proba(X), other.predict_proba(X))


def test_device_reaches_the_members(multiclass):
    X, y = multiclass
    xgb = XGBClassifier(n_estimators=2, max_depth=2, n_jobs=1)
    vote = VotingClassifier([("lr", LogisticRegression()), ("xgb", xgb)], device="cpu")
    assert vote.fit(X, y).named_estimators_.xgb.get_params()["device"] == "cpu"
    assert xgb.get_params()["device"] is None


def test_transform_shapes(multiclass):
    X, y = multiclass
    # soft voting with a member without probabilities fits (as scikit-learn's) and
    # refuses only when probabilities are asked for
    no_proba = VotingClassifier([("lr", LogisticRegression()), ("svc", SVC())]).fit(X, y)
    for method in (no_proba.predict, no_proba.predict_proba, no_proba.transform):
        with pytest.raises(AttributeError, match=r"voting='soft' needs predict_proba from "
                           r"every member; member 'svc' \(SVC\) has none"):
            method(X)
    soft = VotingClassifier(_members(), flatten_transform=False).fit(X, y)
    assert soft.transform(X).shape == (3, len(X), 3)
    assert VotingClassifier(_members()).fit(X, y).transform(X).shape == (len(X), 9)
    hard = VotingClassifier(_members(), voting="hard").fit(X, y)
    assert hard.transform(X).shape == (len(X), 3)
    assert list(hard.get_feature_names_out()) == [
        "votingclassifier_lr", "votingclassifier_tree", "votingclassifier_nb"]


# -- bad input ------------------------------------------------------------------------

_C = VotingClassifier
_R = VotingRegressor
BAD = [
    (_C([]), ValueError, r"Invalid 'estimators' attribute, 'estimators' should be a "
     r"non-empty list of \(string, estimator\) tuples; VotingClassifier got \[\]\."),
    (_C([("a", GaussianNB()), ("a", GaussianNB())]), ValueError,
     r"Names provided are not unique: \['a', 'a'\]"),
    (_C([("a", "drop"), ("b", "drop")]), ValueError,
     r"All estimators are dropped\. At least one is required to be an estimator \(every "
     r"member of VotingClassifier is 'drop'\)\."),
    (_C([("lr", LogisticRegression()), ("ridge", Ridge())]), ValueError,
     r"member 'ridge' must be a classifier for VotingClassifier; got Ridge\(\)\."),
    (_R([("lr", LogisticRegression())]), ValueError,
     r"member 'lr' must be a regressor for VotingRegressor; got LogisticRegression\(\)\."),
    (_C([("lr", LogisticRegression()), ("svc", SVC())], weights="auto"), ValueError,
     r"voting='soft' needs predict_proba from every member; member 'svc' \(SVC\) has "
     r"none\. Use voting='hard'"),
    (_C([("a", GaussianNB()), ("b", "drop"), ("c", GaussianNB())], weights=[1, 2]),
     ValueError,
     r"Number of `estimators` and weights must be equal; got 2 weights, 3 estimators "
     r"\(one weight per estimator, 'drop' included\)\."),
    (_C([("a", GaussianNB()), ("b", GaussianNB())], weights=[1, -1]), ValueError,
     r"weights must be finite and non-negative; got \[1, -1\]\."),
    (_C([("a", GaussianNB()), ("b", GaussianNB())], weights=[1, np.nan]), ValueError,
     r"weights must be finite and non-negative"),
    (_C([("a", GaussianNB()), ("b", "drop")], weights=[0, 1]), ValueError,
     r"weights of the members that are not 'drop' are all 0"),
    (_C([("a", GaussianNB()), ("b", GaussianNB())], weights=["x", "y"]), TypeError,
     r"weights must be numbers, one per estimator; got \['x', 'y'\]\."),
    (_C([("a", GaussianNB())], weights="best"), ValueError,
     r"The 'weights' parameter of VotingClassifier must be"),
    (_C([("a", GaussianNB())], voting="mean"), ValueError,
     r"The 'voting' parameter of VotingClassifier must be a str among"),
    (_C([("a", GaussianNB()), ("bad", Failing())]), RuntimeError,
     r"member 'bad' failed .*: boom"),
    (_C([("a", GaussianNB()), ("bad", Failing())], weights="auto"), RuntimeError,
     r"member 'bad' failed in fold 0: boom"),
]


@pytest.mark.parametrize("estimator, error, match", BAD,
                         ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input(multiclass, estimator, error, match):
    X, y = multiclass
    with pytest.raises(error, match=match):
        estimator.fit(X, y)


def test_bad_input_at_fit_and_predict_time(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match=r"n_splits=5 cannot be greater than the number "
                       r"of members in each class"):
        VotingClassifier(_members(), weights="auto").fit(X[:7], y[:7])
    with pytest.raises(TypeError, match=r"Underlying estimator KNeighborsClassifier does "
                       r"not support sample weights: member 'knn' \(KNeighborsClassifier\) "
                       r"does not accept sample_weight"):
        VotingClassifier([("nb", GaussianNB()), ("knn", KNeighborsClassifier())]).fit(
            X, y, sample_weight=np.ones(len(y)))
    hard = VotingClassifier(_members(), voting="hard").fit(X, y)
    with pytest.raises(AttributeError, match=r"has no attribute 'predict_proba'") as info:
        hard.predict_proba(X)
    assert str(info.value.__cause__) == (
        "predict_proba is not available when voting='hard'; use voting='soft'.")
    # soft voting with a member without probabilities fits (as scikit-learn's) and
    # refuses only when probabilities are asked for
    no_proba = VotingClassifier([("lr", LogisticRegression()), ("svc", SVC())]).fit(X, y)
    for method in (no_proba.predict, no_proba.predict_proba, no_proba.transform):
        with pytest.raises(AttributeError, match=r"voting='soft' needs predict_proba from "
                           r"every member; member 'svc' \(SVC\) has none"):
            method(X)
    soft = VotingClassifier(_members(), flatten_transform=False).fit(X, y)
    with pytest.raises(ValueError, match=r"flatten_transform=False"):
        soft.get_feature_names_out()
    with pytest.raises(ValueError, match=r"X has 3 features"):
        soft.predict(X[:, :3])
