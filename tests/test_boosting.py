"""AdaBoostClassifier / AdaBoostRegressor: scikit-learn parity, ESL, any member, errors."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn import ensemble as sk
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_classification, make_friedman1, make_hastie_10_2
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import AdaBoostClassifier, AdaBoostRegressor, NetClassifier, datasets

# -- data and stub members ------------------------------------------------------------


@pytest.fixture(scope="module")
def binary():
    return make_classification(n_samples=400, n_features=8, n_informative=5, random_state=0)


MULTICLASS = make_classification(n_samples=450, n_features=8, n_informative=5, n_classes=3,
                                 random_state=0)


@pytest.fixture(scope="module")
def multiclass():
    return MULTICLASS


class Fixed(ClassifierMixin, BaseEstimator):
    """Predicts the same labels whatever it is fitted on (its rounds never improve)."""

    def __init__(self, labels=None):
        self.labels = labels

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.asarray(self.labels)[: len(X)]


class FixedRegressor(RegressorMixin, BaseEstimator):
    """Predicts 2 x0 + x1 whatever it is fitted on: AdaBoost.R2's maths without its
    randomness (scikit-learn's bootstrap and ours then give the same member)."""

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return 2 * X[:, 0] + X[:, 1]


class Failing(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        if sample_weight is not None and np.ptp(sample_weight) > 0:  # from round 1 on
            raise RuntimeError("boom")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


# -- layer 3: the maths against scikit-learn ------------------------------------------


def _both(estimator=None, **params):
    return (AdaBoostClassifier(estimator, random_state=0, **params),
            sk.AdaBoostClassifier(estimator, random_state=0, **params))


@pytest.mark.parametrize("data", ["binary", "multiclass"])
@pytest.mark.parametrize("depth, learning_rate", [(1, 1.0), (3, 0.5)])
def test_samme_equals_sklearn(request, data, depth, learning_rate):
    X, y = request.getfixturevalue(data)
    weight = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    # The member's random_state is left unset: both draw one seed per round from
    # random_state, in the same way, so the trees are the same. (A seed set on the member
    # is kept here and overwritten by scikit-learn; deeper trees may then break ties in
    # other ways, with the same predictions but other feature_importances_.)
    ours, theirs = _both(DecisionTreeClassifier(max_depth=depth),
                         n_estimators=60, learning_rate=learning_rate)
    ours.fit(X, y, sample_weight=weight)
    theirs.fit(X, y, sample_weight=weight)
    n = len(ours.estimators_)
    assert n == len(theirs.estimators_) == 60
    np.testing.assert_allclose(ours.estimator_weights_, theirs.estimator_weights_[:n],
                               rtol=1e-10)
    np.testing.assert_allclose(ours.estimator_errors_, theirs.estimator_errors_[:n],
                               rtol=1e-10)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_,
                               rtol=1e-10)
    for a, b in zip(ours.staged_decision_function(X), theirs.staged_decision_function(X)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_samme_r_equals_sklearn_1_5():
    # Figures printed by scikit-learn 1.5.2 (the last release with SAMME.R) for these
    # fits. Its members' seeds are drawn as ours are (one randint(2**31 - 1) per round from
    # random_state), so with members whose random_state is unset the trees are the same.
    X, y = make_hastie_10_2(n_samples=300, random_state=0)
    clf = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=20,
                             algorithm="SAMME.R", random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.estimator_errors_[:8], [
        0.4033333333333332, 0.38866850845553874, 0.41283235891881187, 0.3807165492607964,
        0.40052763094835386, 0.4219494128355251, 0.4145448783085483, 0.3954557003769674,
    ], rtol=1e-10)
    np.testing.assert_allclose(clf.decision_function(X[:4]), [
        0.296426854796334, -0.1031155008078756, 0.27107327116506186, -0.09530171746741742,
    ], rtol=1e-10)
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    clf = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=20,
                             learning_rate=0.5, algorithm="SAMME.R", random_state=0).fit(X, y)
    assert len(clf.estimators_) == 20
    np.testing.assert_allclose(clf.estimator_errors_[:8], [
        0.2266666666666666, 0.3367284227509272, 0.39721158637893705, 0.46491983028326495,
        0.37083752031962813, 0.42202415813521726, 0.4037118918132919, 0.42707702971680583,
    ], rtol=1e-10)
    np.testing.assert_allclose(clf.predict_proba(X[:3]), [
        [0.33655443020051284, 0.5104828119997384, 0.15296275779974874],
        [0.8276966945295325, 0.019487425865793745, 0.15281587960467383],
        [0.26365431548058543, 0.001479580881356389, 0.7348661036380583],
    ], rtol=1e-10)
    assert np.all(clf.estimator_weights_ == 1.0)


@pytest.mark.parametrize("loss", ["linear", "square", "exponential"])
def test_r2_maths_equal_sklearn(loss):
    # scikit-learn always fits each round on a bootstrap drawn from its own random stream,
    # which no other implementation reproduces draw for draw; a member that ignores what
    # it is fitted on takes the draws out, leaving the R2 step, its stopping rule and the
    # weighted median to compare.
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(200, 3))
    y = 2 * X[:, 0] + X[:, 1] + rng.normal(scale=0.1, size=200) + (np.arange(200) % 10 == 0)
    # learning_rate 1.5 overshoots, so that the linear and square losses reach the
    # "error >= 0.5: discard and stop" rule (after 18 and 20 rounds)
    params = dict(n_estimators=30, loss=loss, learning_rate=1.5, random_state=0)
    ours = AdaBoostRegressor(FixedRegressor(), **params).fit(X, y)
    theirs = sk.AdaBoostRegressor(FixedRegressor(), **params).fit(X, y)
    n = len(ours.estimators_)
    assert 1 < n == len(theirs.estimators_)
    assert n < 30 or loss == "exponential"
    np.testing.assert_allclose(ours.estimator_weights_, theirs.estimator_weights_[:n],
                               rtol=1e-12)
    np.testing.assert_allclose(ours.estimator_errors_, theirs.estimator_errors_[:n],
                               rtol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)


def test_r2_weighted_median_equals_sklearn():
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    theirs = sk.AdaBoostRegressor(n_estimators=20, random_state=0).fit(X, y)
    ours = AdaBoostRegressor(n_estimators=20, random_state=0).fit(X, y)
    ours.estimators_ = theirs.estimators_  # their members, our vote
    ours.estimator_weights_ = theirs.estimator_weights_
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)
    for a, b in zip(ours.staged_predict(X), theirs.staged_predict(X)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_r2_held_out_matches_sklearn_within_noise():
    # Same algorithm (resampling each round), different random draws: the held-out R^2
    # must agree within the seed-to-seed noise of the paired differences.
    diffs = []
    for seed in range(6):
        X, y = make_friedman1(n_samples=800, noise=1.0, random_state=seed)
        base = DecisionTreeRegressor(max_depth=3)
        ours = AdaBoostRegressor(base, n_estimators=40, random_state=seed).fit(X[:400], y[:400])
        theirs = sk.AdaBoostRegressor(base, n_estimators=40, random_state=seed).fit(
            X[:400], y[:400])
        diffs.append(ours.score(X[400:], y[400:]) - theirs.score(X[400:], y[400:]))
    assert abs(np.mean(diffs)) < 0.01, diffs


# -- the classic result ---------------------------------------------------------------


def test_esl_boosting_beats_a_stump():
    """ESL Fig. 10.2 in small: 1,000 training rows, 100 rounds (the benchmark has 400)."""
    X, y = datasets.load("hastie_10_2", return_X_y=True, n_samples=3000, random_state=0)
    X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]
    stump = 1 - DecisionTreeClassifier(max_depth=1).fit(X_train, y_train).score(X_test, y_test)
    errors = {}
    for algorithm in ("SAMME", "SAMME.R"):
        clf = AdaBoostClassifier(n_estimators=100, algorithm=algorithm, random_state=0)
        errors[algorithm] = 1 - clf.fit(X_train, y_train).score(X_test, y_test)
    assert 0.40 < stump < 0.50
    assert errors["SAMME"] <= stump - 0.15, errors
    assert errors["SAMME.R"] <= stump - 0.15, errors
    assert errors["SAMME.R"] < errors["SAMME"], errors  # real beats discrete (ESL 10.2)


# -- any member -----------------------------------------------------------------------


def _small_net():
    return make_pipeline(StandardScaler(), NetClassifier(
        hidden_layer_sizes=(8,), max_epochs=20, lr=0.01, random_state=0))


@pytest.mark.parametrize("algorithm", ["SAMME", "SAMME.R"])
def test_boosted_nets(algorithm):
    X, y = datasets.load("breast_cancer", return_X_y=True)
    single, boosted = [], []
    for seed in range(3):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, random_state=seed, stratify=y)
        single.append(_small_net().fit(X_train, y_train).score(X_test, y_test))
        clf = AdaBoostClassifier(_small_net(), n_estimators=4, algorithm=algorithm,
                                 random_state=seed, device="cpu").fit(X_train, y_train)
        assert not clf.resample_  # the Pipeline's last step takes the weights
        assert {m[-1].device_ for m in clf.estimators_} == {"cpu"}
        boosted.append(clf.score(X_test, y_test))
    assert np.mean(boosted) >= np.mean(single) - 0.02, (boosted, single)

    stages = list(clf.staged_predict_proba(X_test))
    assert len(stages) == len(list(clf.staged_predict(X_test))) == len(clf.estimators_)
    np.testing.assert_array_equal(stages[-1], clf.predict_proba(X_test))
    np.testing.assert_array_equal(list(clf.staged_predict(X_test))[-1], clf.predict(X_test))
    assert list(clf.staged_score(X_test, y_test))[-1] == clf.score(X_test, y_test)


def test_members_without_sample_weight_are_resampled(multiclass):
    X, y = multiclass
    knn = KNeighborsClassifier(n_neighbors=15)
    clf = AdaBoostClassifier(knn, n_estimators=10, resample="auto", random_state=0).fit(X, y)
    assert clf.resample_ and len(clf.estimators_) == 10
    again = AdaBoostClassifier(knn, n_estimators=10, resample="auto", random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))
    drawn = AdaBoostClassifier(knn, n_estimators=10, resample=True, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), drawn.predict_proba(X))
    other = AdaBoostClassifier(knn, n_estimators=10, resample="auto", random_state=1).fit(X, y)
    assert not np.array_equal(clf.predict_proba(X), other.predict_proba(X))
    assert clf.score(X, y) > 0.8
    assert not hasattr(clf, "feature_importances_")
    reg = AdaBoostRegressor(KNeighborsRegressor(), resample="auto", n_estimators=5,
                            random_state=0).fit(X, y.astype(float))
    assert reg.resample_ and len(list(reg.staged_predict(X))) == len(reg.estimators_)


class NoWeight(ClassifierMixin, BaseEstimator):
    """A tree whose fit takes no sample_weight."""

    def fit(self, X, y):
        self.tree_ = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, X):
        return self.tree_.predict(X)


class KwargsFit(NoWeight):
    """A fit that takes **kwargs, and drops them: the weights would be lost."""

    def fit(self, X, y, **kwargs):
        return super().fit(X, y)


def test_member_without_sample_weight_refused_unless_resampling_is_asked(multiclass):
    # As scikit-learn's AdaBoostClassifier: the default passes weights, and a member that
    # cannot take them is refused with its sentence, before any member is fitted.
    X, y = multiclass
    for member, name in [(NoWeight(), "NoWeight"), (KwargsFit(), "KwargsFit"),
                         (KNeighborsClassifier(), "KNeighbors"),
                         (make_pipeline(StandardScaler(), KNeighborsClassifier()),
                          "KNeighbors")]:
        clf = AdaBoostClassifier(member, n_estimators=3)
        assert clf.resample is False
        with pytest.raises(ValueError, match=rf"^{name}(Classifier)? doesn't support "
                           r"sample_weight\. AdaBoostClassifier\(resample=False\) passes "
                           r"each round's weights to the estimator's fit\. Use "
                           r"resample='auto' or resample=True"):
            clf.fit(X, y)
        assert not hasattr(clf, "estimators_")
        for resample in ("auto", True):
            fitted = clone(clf).set_params(resample=resample).fit(X, y)
            assert fitted.resample_ and len(fitted.estimators_) >= 1
    # The regressor keeps resampling by default, as scikit-learn's R2 always does.
    reg = AdaBoostRegressor(KNeighborsRegressor(), n_estimators=3, random_state=0)
    assert reg.fit(X, y.astype(float)).resample_
    with pytest.raises(ValueError, match=r"^KNeighborsRegressor doesn't support "
                       r"sample_weight\. AdaBoostRegressor\(resample=False\)"):
        clone(reg).set_params(resample=False).fit(X, y.astype(float))


@pytest.mark.parametrize("algorithm", ["SAMME", "SAMME.R"])
def test_one_class(multiclass, algorithm):
    # scikit-learn fits one class too (its #7501): the first member is perfect, and the
    # ensemble predicts the class with probability 1 (ones of shape (n, 1)).
    X, _ = multiclass
    y = np.full(len(X), "only")
    clf = AdaBoostClassifier(n_estimators=5, algorithm=algorithm, random_state=0).fit(X, y)
    assert clf.classes_.tolist() == ["only"] and clf.n_classes_ == 1
    assert len(clf.estimators_) == 1 and clf.estimator_errors_.tolist() == [0.0]
    np.testing.assert_array_equal(clf.predict(X[:7]), ["only"] * 7)
    np.testing.assert_array_equal(clf.predict_proba(X[:7]), np.ones((7, 1)))
    np.testing.assert_array_equal(clf.predict_log_proba(X[:7]), np.zeros((7, 1)))
    np.testing.assert_array_equal(clf.decision_function(X[:7]), np.zeros((7, 1)))
    for stages in (clf.staged_decision_function(X[:7]), clf.staged_predict_proba(X[:7]),
                   clf.staged_predict(X[:7])):
        assert len(list(stages)) == 1
    np.testing.assert_array_equal(next(clf.staged_predict_proba(X[:7])), np.ones((7, 1)))
    assert clf.score(X, y) == 1.0
    theirs = sk.AdaBoostClassifier(n_estimators=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), theirs.predict_proba(X))
    np.testing.assert_array_equal(clf.decision_function(X), theirs.decision_function(X))


def test_multidimensional_X():
    # As scikit-learn's AdaBoost: X of any number of dimensions goes to the members as
    # it is (here members that ignore X); n_features_in_ counts the second axis.
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3, 4)
    yc = np.repeat([0, 1, 2], [30, 20, 10])  # a majority, so that a Dummy beats chance
    for algorithm in ("SAMME", "SAMME.R"):
        clf = AdaBoostClassifier(DummyClassifier(strategy="prior"), n_estimators=3,
                                 algorithm=algorithm).fit(X, yc)
        assert clf.n_features_in_ == 3
        assert clf.predict(X).shape == (60,)
        assert clf.predict_proba(X).shape == (60, 3)
        assert clf.decision_function(X).shape == (60, 3)
    seen = []

    class Spy(DummyRegressor):
        def fit(self, X, y, sample_weight=None):
            seen.append(np.shape(X))
            return super().fit(X, y, sample_weight)

    yr = rng.randn(60)
    for resample in (True, "auto"):
        reg = AdaBoostRegressor(Spy(), n_estimators=2, resample=resample,
                                random_state=0).fit(X, yr)
        assert reg.predict(X).shape == (60,)
        assert len(list(reg.staged_predict(X))) == len(reg.estimators_)
    assert set(seen) == {(60, 3, 4)}
    with pytest.raises(ValueError, match=r"X has 4 features, but AdaBoostRegressor is "
                       r"expecting 3 features as input"):
        reg.predict(rng.randn(5, 4, 3))
    with pytest.raises(ValueError, match=r"Expected 2D array, got 1D array instead"):
        AdaBoostClassifier(DummyClassifier()).fit(X[:, 0, 0], yc)


def test_resample_true_draws_rows_for_any_member(binary):
    X, y = binary
    tree = DecisionTreeClassifier(max_depth=2)
    weighted = AdaBoostClassifier(tree, n_estimators=20, random_state=0).fit(X, y)
    drawn = AdaBoostClassifier(tree, n_estimators=20, resample=True, random_state=0).fit(X, y)
    assert not weighted.resample_ and drawn.resample_
    assert not np.allclose(weighted.decision_function(X), drawn.decision_function(X))
    assert abs(weighted.score(X, y) - drawn.score(X, y)) < 0.1


def test_weights_are_counts():
    # An integer weight is the same as repeating a row, on data where no two splits tie.
    X, y = make_classification(n_samples=120, n_features=4, n_informative=3, n_redundant=0,
                               random_state=0)
    counts = np.random.RandomState(0).randint(0, 4, len(y))
    for est in [AdaBoostClassifier(n_estimators=20, random_state=0),
                AdaBoostClassifier(n_estimators=20, algorithm="SAMME.R", random_state=0),
                AdaBoostRegressor(n_estimators=20, resample="auto", random_state=0)]:
        weighted = clone(est).fit(X, y, sample_weight=counts)
        repeated = clone(est).fit(X.repeat(counts, axis=0), y.repeat(counts))
        method = "predict_proba" if hasattr(est, "predict_proba") else "predict"
        np.testing.assert_allclose(getattr(weighted, method)(X),
                                   getattr(repeated, method)(X), rtol=1e-7)


def test_members_see_the_users_weight_scale(binary):
    X, y = binary
    seen = []

    class Spy(DecisionTreeClassifier):
        def fit(self, X, y, sample_weight=None):
            seen.append(sample_weight.sum())
            return super().fit(X, y, sample_weight=sample_weight)

    AdaBoostClassifier(Spy(max_depth=1), n_estimators=3).fit(X, y)
    AdaBoostClassifier(Spy(max_depth=1), n_estimators=3).fit(X, y, sample_weight=np.full(
        len(y), 1 / len(y)))
    # mean 1 without weights (400 rows -> the nearest power of two, 512); sum 1 with them
    np.testing.assert_allclose(seen, [512] * 3 + [1] * 3)


def test_early_termination(multiclass):
    X = np.linspace(-1, 1, 50)[:, None]
    perfect = AdaBoostClassifier(n_estimators=10).fit(X, X.ravel() > 0)
    assert len(perfect.estimators_) == 1
    assert perfect.estimator_errors_.tolist() == [0.0]
    assert perfect.estimator_weights_.tolist() == [1.0]
    # A member that never changes is useless from round 1 on (learning_rate 2 puts its
    # reweighted error strictly above 1 - 1/K); scikit-learn stops at the same place.
    X, y = multiclass
    labels = np.where(np.arange(len(y)) % 5 == 0, (y + 1) % 3, y)
    ours, theirs = _both(Fixed(labels), n_estimators=10, learning_rate=2.0)
    ours.fit(X, y)
    theirs.fit(X, y)
    assert len(ours.estimators_) == len(theirs.estimators_) == 1
    np.testing.assert_allclose(ours.estimator_errors_, theirs.estimator_errors_[:1])


# -- data types and round trips -------------------------------------------------------


def test_string_labels_and_pandas(multiclass):
    X, y = multiclass
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    for algorithm in ("SAMME", "SAMME.R"):
        clf = AdaBoostClassifier(n_estimators=10, algorithm=algorithm, random_state=0)
        clf.fit(frame, pd.Series(names))
        assert clf.classes_.tolist() == ["setosa", "versicolor", "virginica"]
        assert set(clf.predict(frame)) <= set(names)
        assert clf.feature_names_in_.tolist() == frame.columns.tolist()
        assert clf.estimators_[0].classes_.tolist() == [0, 1, 2]
        encoded = AdaBoostClassifier(n_estimators=10, algorithm=algorithm,
                                     random_state=0).fit(X, y)
        np.testing.assert_array_equal(clf.predict_proba(frame), encoded.predict_proba(X))


def test_clone_pickle_and_joblib_round_trip(tmp_path, binary):
    X, y = binary
    for est in [AdaBoostClassifier(KNeighborsClassifier(), n_estimators=5, resample="auto",
                                   random_state=0),
                AdaBoostClassifier(algorithm="SAMME.R", n_estimators=5, random_state=0),
                AdaBoostRegressor(n_estimators=5, random_state=0)]:
        fitted = est.fit(X, y)
        method = "predict_proba" if hasattr(est, "predict_proba") else "predict"
        expected = getattr(fitted, method)(X)
        np.testing.assert_array_equal(getattr(clone(est).fit(X, y), method)(X), expected)
        np.testing.assert_array_equal(getattr(pickle.loads(pickle.dumps(fitted)), method)(X),
                                      expected)
        joblib.dump(fitted, tmp_path / "ada.joblib")
        np.testing.assert_array_equal(
            getattr(joblib.load(tmp_path / "ada.joblib"), method)(X), expected)
    est = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2))
    est.set_params(estimator__max_depth=3, n_estimators=7)
    assert est.get_params()["estimator__max_depth"] == 3


# -- bad input ------------------------------------------------------------------------

_C = AdaBoostClassifier
_R = AdaBoostRegressor
BAD = [
    (_C(n_estimators=0), ValueError,
     r"The 'n_estimators' parameter of AdaBoostClassifier must be an int in the range "
     r"\[1, inf\)\. Got 0 instead\."),
    (_C(learning_rate=0), ValueError,
     r"The 'learning_rate' parameter of AdaBoostClassifier must be a float in the range "
     r"\(0\.0, inf\)\. Got 0 instead\."),
    (_R(learning_rate=-1.0), ValueError,
     r"The 'learning_rate' parameter of AdaBoostRegressor must be a float in the range "
     r"\(0\.0, inf\)\. Got -1\.0 instead\."),
    (_C(algorithm="SAMME.R2"), ValueError,
     r"The 'algorithm' parameter of AdaBoostClassifier must be a str among .*SAMME.*\. "
     r"Got 'SAMME.R2' instead\."),
    (_R(loss="huber"), ValueError, r"The 'loss' parameter of AdaBoostRegressor must be a str "
     r"among .*\. Got 'huber' instead\."),
    (_C(resample="yes"), ValueError, r"The 'resample' parameter of AdaBoostClassifier must be"),
    (_C(estimator="tree"), ValueError, r"The 'estimator' parameter of AdaBoostClassifier must "
     r"be an object implementing 'fit' and 'predict' or None\. Got 'tree' instead\."),
    (_C(Ridge()), ValueError,
     r"^estimator must be a classifier for AdaBoostClassifier; got Ridge\(\)\.$"),
    (_R(LogisticRegression()), ValueError,
     r"^estimator must be a regressor for AdaBoostRegressor; got LogisticRegression\(\)\.$"),
    (_C(SVC(), algorithm="SAMME.R"), ValueError,
     r"^algorithm='SAMME.R' needs predict_proba from the estimator; SVC has none\. Use "
     r"algorithm='SAMME' or a classifier with predict_proba\.$"),
    (_C(make_pipeline(StandardScaler(), KNeighborsClassifier())), ValueError,
     r"^KNeighborsClassifier doesn't support sample_weight\. AdaBoostClassifier"
     r"\(resample=False\) passes each round's weights to the estimator's fit\. Use "
     r"resample='auto' or resample=True to boost it by weighted resampling, or an "
     r"estimator that takes sample_weight\.$"),
    (_C(DummyClassifier(strategy="constant",  # the rarest class: error > 2/3
                        constant=int(np.bincount(MULTICLASS[1]).argmin()))), ValueError,
     r"^the first member of AdaBoostClassifier \(DummyClassifier\) is worse than random: "
     r"its weighted training error is at least chance, 1 - 1/n_classes = 0\.667, so "
     r"there is nothing to boost\. Use a stronger estimator\.$"),
    (_C(Failing(), n_estimators=3), RuntimeError,
     r"^member of boosting round 1 \(Failing\) failed: boom$"),
]


@pytest.mark.parametrize("estimator, error, match", BAD,
                         ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input(multiclass, estimator, error, match):
    X, y = multiclass
    with pytest.raises(error, match=match):
        estimator.fit(X, y)


def test_bad_data(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match=r"^Negative values in data passed to `sample_weight`"):
        AdaBoostClassifier().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match=r"^Sample weights must contain at least one non-zero "
                       r"number\. \(AdaBoostClassifier expects sample_weight as one finite "
                       r"weight >= 0 a row of X, 450 rows, not all zero; got an array of "
                       r"shape \(450,\)\.\)$"):
        AdaBoostClassifier().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match=r"^X and y must have the same number of rows; got "
                       r"450 and 449\.$"):
        AdaBoostRegressor().fit(X, y[:-1])
    fitted = AdaBoostClassifier(n_estimators=3).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but AdaBoostClassifier is "
                       r"expecting 8 features as input"):
        list(fitted.staged_predict(X[:, :3]))
