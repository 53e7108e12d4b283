"""BaggingClassifier / BaggingRegressor: scikit-learn parity, OOB, nets, sample weights,
warm start, determinism and bad input. The estimator checks run in tests/test_common.py."""

import pickle
import re
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn import ensemble as sk
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import BaggingClassifier, BaggingRegressor, NetClassifier, NetRegressor
from ensembles._compat import InvalidParameterError


def _classification(seed=0, n_samples=300, **kwargs):
    kwargs = {"n_features": 10, "n_informative": 5, "flip_y": 0.1, **kwargs}
    return make_classification(n_samples=n_samples, random_state=seed, **kwargs)


def _regression(seed=0, n_samples=300):
    return make_regression(n_samples=n_samples, n_features=10, n_informative=5, noise=20,
                           random_state=seed)


# -- scikit-learn parity ----------------------------------------------------------------
@pytest.mark.parametrize("member", [LogisticRegression(), DecisionTreeClassifier(max_depth=3)])
def test_classifier_equals_sklearn_when_members_see_everything(member):
    # No redundant columns: a column that is a linear mix of others can tie exactly with
    # them for a split, and ties are broken by each member's seed (which scikit-learn
    # draws for every member, overriding the member's own, and we draw differently).
    X, y = _classification(n_classes=3, n_informative=6, n_redundant=0)
    kwargs = {"n_estimators": 5, "bootstrap": False, "random_state": 0}
    ours = BaggingClassifier(member, **kwargs).fit(X, y)
    theirs = sk.BaggingClassifier(member, **kwargs).fit(X, y)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("member", [Ridge(), DecisionTreeRegressor(max_depth=3)])
def test_regressor_equals_sklearn_when_members_see_everything(member):
    X, y = _regression()
    kwargs = {"n_estimators": 5, "bootstrap": False, "random_state": 0}
    ours = BaggingRegressor(member, **kwargs).fit(X, y)
    theirs = sk.BaggingRegressor(member, **kwargs).fit(X, y)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_bootstrap_agrees_with_sklearn_over_seeds(task):
    # Our draws are not scikit-learn's, so single seeds differ; the means must not. Paired
    # on the same data, the per-seed difference has a standard deviation of about 1.0
    # accuracy point (0.8 R2 point) here, so its mean over 10 seeds has a standard error
    # of about 0.3: a tolerance of 1.5 points is ~5 standard errors, while a real fault
    # (members all on one bag, no averaging) costs 5+ points.
    ours, theirs = [], []
    for seed in range(10):
        X, y = (_classification if task == "classification" else _regression)(seed, 600)
        X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=300,
                                                            random_state=seed)
        ours_cls, theirs_cls = ((BaggingClassifier, sk.BaggingClassifier)
                                if task == "classification"
                                else (BaggingRegressor, sk.BaggingRegressor))
        ours.append(ours_cls(n_estimators=20, random_state=seed).fit(X_train, y_train)
                    .score(X_test, y_test))
        theirs.append(theirs_cls(n_estimators=20, random_state=seed).fit(X_train, y_train)
                      .score(X_test, y_test))
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.015
    # and bagging does something: better than one tree, on average
    assert np.mean(ours) > 0.75 if task == "classification" else np.mean(ours) > 0.7


# -- out-of-bag -------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_oob_score_agrees_with_held_out(task):
    # 500 training rows: the OOB estimate has a standard error of ~1.6 accuracy points,
    # the 2,500-row held-out one ~0.7, so their difference ~1.8 per seed and ~0.8 over 5
    # seeds; 3 points is ~4 standard errors. Scoring in-bag rows instead would give ~1.0.
    oob, held_out = [], []
    for seed in range(5):
        X, y = (_classification if task == "classification" else _regression)(seed, 3000)
        X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=500,
                                                            random_state=seed)
        cls = BaggingClassifier if task == "classification" else BaggingRegressor
        model = cls(n_estimators=50, oob_score=True, random_state=seed).fit(X_train, y_train)
        oob.append(model.oob_score_)
        held_out.append(model.score(X_test, y_test))
    assert abs(np.mean(oob) - np.mean(held_out)) < 0.03


def test_oob_uses_exactly_the_rows_left_out():
    X, y = _classification(n_samples=60)
    clf = BaggingClassifier(LogisticRegression(), n_estimators=4, oob_score=True,
                            max_samples=0.5, bootstrap=False, random_state=0)
    with pytest.warns(UserWarning, match="no out-of-bag prediction") as record:
        clf.fit(X, y)
    assert record[0].filename == __file__  # the user's line, not the fit decorator's
    total, count = np.zeros((60, 2)), np.zeros(60)
    for member, rows in zip(clf.estimators_, clf.estimators_samples_):
        assert len(np.unique(rows)) == len(rows) == 30  # pasting: no repeats
        out = np.setdiff1d(np.arange(60), rows)
        total[out] += member.predict_proba(X[out])
        count[out] += 1
    seen = count > 0
    assert_allclose(clf.oob_decision_function_[seen], total[seen] / count[seen, None])
    assert np.isnan(clf.oob_decision_function_[~seen]).all()
    expected = np.mean(total[seen].argmax(axis=1) == y[seen])
    assert clf.oob_score_ == pytest.approx(expected)


# -- nets ---------------------------------------------------------------------------------
# A wide net trained for many epochs on 150 noisy rows memorises the noise: high variance,
# what bagging removes. With these settings, over data seeds 0-4, the 10-net bag gained
# +0.8 to +3.8 accuracy points on 2,000 held-out rows (mean +2.2) and cut the log-loss to
# 0.36-0.50 of the single net's; seed 1 (+1.7 points, 0.50) is a middling case.
def test_bagged_nets_beat_the_single_net_classification():
    X, y = make_classification(n_samples=2150, n_features=5, n_informative=4, n_redundant=0,
                               flip_y=0.25, random_state=1)
    X_train, y_train, X_test, y_test = X[:150], y[:150], X[150:], y[150:]
    net = NetClassifier(hidden_layer_sizes=(128,), max_epochs=300, lr=0.03, batch_size=256,
                        device="cpu")
    single = clone(net).set_params(random_state=0).fit(X_train, y_train)
    bagged = BaggingClassifier(net, n_estimators=10, random_state=0).fit(X_train, y_train)
    assert bagged.score(X_test, y_test) > single.score(X_test, y_test) + 0.005
    assert log_loss(y_test, bagged.predict_proba(X_test)) < 0.6 * log_loss(
        y_test, single.predict_proba(X_test))


def test_bagged_nets_beat_the_single_net_regression():
    # Same story for regression: over data seeds 0-4 the bag's test MSE was 0.70-0.85 of
    # the single net's (seed 1: 0.76).
    X, y = make_regression(n_samples=1200, n_features=20, n_informative=6, noise=30,
                           random_state=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=200, random_state=1)
    net = NetRegressor(hidden_layer_sizes=(256,), max_epochs=150, lr=0.01, batch_size=256,
                       device="cpu")
    single = clone(net).set_params(random_state=0).fit(X_train, y_train)
    bagged = BaggingRegressor(net, n_estimators=10, random_state=0).fit(X_train, y_train)
    single_mse = np.mean((single.predict(X_test) - y_test) ** 2)
    assert np.mean((bagged.predict(X_test) - y_test) ** 2) < 0.9 * single_mse


# -- sample_weight ------------------------------------------------------------------------
class _Spy(ClassifierMixin, BaseEstimator):
    """Records the rows (X holds each row's index) and weights it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _SpyNoWeight(_Spy):
    def fit(self, X, y):
        return super().fit(X, y)


def _indexed(n=40):
    X = np.column_stack([np.arange(n), np.random.RandomState(0).normal(size=n)])
    return X, np.arange(n) % 2


# scikit-learn 1.9's rule (sklearn/ensemble/_bagging.py, and the Notes of our classes):
# sample_weight are the rows' drawing probabilities; a member whose own fit takes
# sample_weight gets all rows with the draw's counts as weights, any other member the
# drawn rows in the order drawn; a fractional max_samples is a share of the weights' total.
def test_member_taking_sample_weight_gets_all_rows_with_the_draw_counts():
    X, y = _indexed()
    w = np.random.RandomState(1).uniform(0, 2, size=len(y))
    w[:5] = 0
    clf = BaggingClassifier(_Spy(), n_estimators=3, random_state=0).fit(X, y, sample_weight=w)
    for member, drawn in zip(clf.estimators_, clf.estimators_samples_):
        assert len(drawn) == len(y)  # max_samples=None: as many rows as X, whatever w
        assert not np.isin(drawn, np.arange(5)).any()  # weight 0: never drawn
        assert_array_equal(member.rows_, np.arange(len(y)))  # every row, in order
        # the counts alone: the user's weights were the drawing probabilities
        assert_array_equal(member.sample_weight_, np.bincount(drawn, minlength=len(y)))


def test_member_without_sample_weight_gets_its_rows_in_draw_order():
    X, y = _indexed()
    clf = BaggingClassifier(_SpyNoWeight(), n_estimators=3, random_state=0).fit(X, y)
    for member, drawn in zip(clf.estimators_, clf.estimators_samples_):
        assert_array_equal(member.rows_, drawn)  # repeats included, not sorted
        assert member.sample_weight_ is None
    assert any(len(np.unique(drawn)) < len(drawn) for drawn in clf.estimators_samples_)


def test_sample_weight_are_the_drawing_probabilities():
    # 20 rows of weight 1 and 20 of weight 3: a drawn row is heavy with probability 0.75.
    # 50 members x 40 rows = 2,000 draws: standard error 0.0097, tolerance ~4 of them.
    X, y = _indexed()
    w = np.where(np.arange(len(y)) < 20, 1.0, 3.0)
    for member in (_Spy(), _SpyNoWeight()):
        clf = BaggingClassifier(member, n_estimators=50, random_state=0)
        drawn = np.concatenate(clf.fit(X, y, sample_weight=w).estimators_samples_)
        assert abs(np.mean(drawn >= 20) - 0.75) < 0.04
    unweighted = np.concatenate(clf.fit(X, y).estimators_samples_)
    assert abs(np.mean(unweighted >= 20) - 0.5) < 0.04


def test_fractional_max_samples_is_a_share_of_the_weights_total():
    X, y = _indexed()
    clf = BaggingClassifier(_Spy(), n_estimators=2, max_samples=0.5, random_state=0)
    assert all(len(d) == 20 for d in clf.fit(X, y).estimators_samples_)  # 0.5 * 40 rows
    clf.fit(X, y, sample_weight=np.full(len(y), 3.0))
    assert all(len(d) == 60 for d in clf.estimators_samples_)  # 0.5 * 120, weights' total
    assert clf._max_samples == 60
    clf.set_params(max_samples=25).fit(X, y, sample_weight=np.full(len(y), 3.0))
    assert all(len(d) == 25 for d in clf.estimators_samples_)  # an int is a count
    clf.set_params(max_samples=None).fit(X, y, sample_weight=np.full(len(y), 3.0))
    assert all(len(d) == 40 for d in clf.estimators_samples_)  # None: the rows of X


def test_few_rows_from_a_fraction_warn_as_scikit_learn():
    X, y = _indexed()
    clf = BaggingClassifier(_Spy(), n_estimators=2, max_samples=1.0)
    with pytest.warns(UserWarning, match=re.escape(
            "Using the fractional value max_samples=1.0 when the total sum of sample "
            "weights is 0.5 results in a low number (1) of bootstrap samples. We recommend "
            "passing `max_samples` as an integer instead.")) as record:
        clf.fit(X, y, sample_weight=np.full(len(y), 1 / 80))
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match=re.escape(
            "when the number of samples is 40 results in a low number (4)")):
        clf.set_params(max_samples=0.1).fit(X, y)


@pytest.mark.parametrize("member", [LogisticRegression(), DecisionTreeClassifier(),
                                    KNeighborsClassifier()])
def test_zero_weight_is_dropping_the_row(member):
    # With bootstrap and a max_samples counted in weight, the rows of weight 0 are never
    # drawn and the others are drawn as if the zero rows were not there (the same
    # cumulative probabilities, hence the same draws from the same seed): the same model,
    # for members that take sample_weight (zero-count rows) and for those that do not.
    X, y = _classification()
    rng = np.random.RandomState(0)
    w = rng.randint(1, 4, len(y)).astype(float)
    w[rng.rand(len(y)) < 0.25] = 0
    kept = w > 0
    kwargs = {"n_estimators": 3, "max_samples": 1.0, "random_state": 0}
    weighted = BaggingClassifier(member, **kwargs).fit(X, y, sample_weight=w)
    dropped = BaggingClassifier(member, **kwargs).fit(X[kept], y[kept], sample_weight=w[kept])
    assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), atol=1e-12)


def test_a_pipeline_is_fitted_on_its_drawn_rows():
    # scikit-learn indexes rows for a Pipeline (its fit takes no sample_weight by name):
    # refitting a member on X[estimators_samples_[i]] gives the very same model.
    X, y = _classification()
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    clf = BaggingClassifier(pipe, n_estimators=2, max_samples=0.5, random_state=0).fit(X, y)
    rows = clf.estimators_samples_[0]
    refit = clone(clf.estimators_[0]).fit(X[rows], y[rows])
    assert_array_equal(refit[-1].coef_, clf.estimators_[0][-1].coef_)


def test_a_small_draw_of_one_class_still_fits():
    # scikit-learn's test_probability: 5 rows can hold one class; LogisticRegression
    # takes sample_weight, so it gets every row (every class in y) with counts.
    X, y = load_iris(return_X_y=True)
    # random_state=2 draws 5 rows of one class for one member (of 10).
    clf = BaggingClassifier(LogisticRegression(), max_samples=5, random_state=2).fit(X, y)
    assert any(len(np.unique(y[rows])) == 1 for rows in clf.estimators_samples_)
    proba = clf.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1)
    assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    assert clf.score(X, y) > 0.6
    assert_array_equal(clf.classes_, [0, 1, 2])


def test_weights_on_one_class_are_taken():
    # scikit-learn takes them: members that take sample_weight still see every class.
    X, y = _classification()
    w = (y == 1).astype(float)
    clf = BaggingClassifier(LogisticRegression(), n_estimators=3, random_state=0)
    clf.fit(X, y, sample_weight=w)
    assert all(set(y[rows]) == {1} for rows in clf.estimators_samples_)
    assert (clf.predict(X) == 1).all()


def test_bootstrap_false_with_sample_weight():
    X, y = _indexed()
    clf = BaggingClassifier(_SpyNoWeight(), n_estimators=2, bootstrap=False, random_state=0)
    with pytest.warns(UserWarning, match=re.escape(
            "When fitting BaggingClassifier with sample_weight it is recommended to use "
            "bootstrap=True, got False.")):
        clf.fit(X, y, sample_weight=np.arange(1, 41, dtype=float))
    for member in clf.estimators_:  # every row once, in a weight-biased order
        assert_array_equal(np.sort(member.rows_), np.arange(40))
    w = np.ones(len(y))
    w[-1] = 2
    with pytest.raises(ValueError, match=re.escape(
            "Effective max_samples=41 must be <= n_samples=40 to be able to sample "
            "without replacement.")), pytest.warns(UserWarning, match="bootstrap=True"):
        clf.set_params(max_samples=1.0).fit(X, y, sample_weight=w)
    w[:10] = 0
    with pytest.raises(ValueError, match=re.escape(
            "max_samples=40 rows cannot be drawn without replacement from the 30 rows of "
            "positive sample_weight; set bootstrap=True or max_samples to at most 30.")), \
            pytest.warns(UserWarning, match="bootstrap=True"):
        clf.set_params(max_samples=None).fit(X, y, sample_weight=w)


def test_all_zero_weights_are_refused():
    X, y = _indexed()
    with pytest.raises(ValueError, match=re.escape(
            "Sample weights must contain at least one non-zero number.")):
        BaggingClassifier(_Spy()).fit(X, y, sample_weight=np.zeros(len(y)))


# -- labels, pandas, members --------------------------------------------------------------
def test_string_labels_and_missing_classes_in_a_draw():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.array(["cat"] * 20 + ["dog"] * 19 + ["emu"])  # "emu" is missing from most draws
    # k-NN takes no sample_weight, so each member sees only the rows it drew.
    clf = BaggingClassifier(KNeighborsClassifier(n_neighbors=3), n_estimators=10,
                            max_samples=10, random_state=0).fit(X, y)
    assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    assert any(len(m.classes_) < 3 for m in clf.estimators_)  # members saw 0..K-1 subsets
    proba = clf.predict_proba(X)
    assert proba.shape == (40, 3)
    assert_allclose(proba.sum(axis=1), 1)
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}
    # A tree takes sample_weight: it gets every row, so it knows every class.
    trees = BaggingClassifier(n_estimators=10, max_samples=10, random_state=0).fit(X, y)
    assert all(len(m.classes_) == 3 for m in trees.estimators_)


def test_pandas_input_reaches_members_as_a_dataframe():
    X, y = _classification()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    # This member selects columns by name: it works only if it is given a DataFrame.
    member = make_pipeline(ColumnTransformer([("s", StandardScaler(), ["f0", "f1", "f2"])]),
                           LogisticRegression())
    clf = BaggingClassifier(member, n_estimators=3, random_state=0).fit(frame, pd.Series(y))
    assert_array_equal(clf.feature_names_in_, frame.columns)
    assert clf.score(frame, y) > 0.6
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[frame.columns[::-1]])


def test_pandas_with_columns_drawn_twice():
    X, y = _classification()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    bag = BaggingClassifier(LogisticRegression(), n_estimators=3, bootstrap_features=True,
                            random_state=0)
    on_frame, on_array = clone(bag).fit(frame, y), clone(bag).fit(X, y)
    assert_allclose(on_frame.predict_proba(frame), on_array.predict_proba(X))
    names = on_frame.estimators_[0].feature_names_in_  # a column drawn twice is renamed
    assert len(set(names)) == len(names) and any("__" in name for name in names)


def test_members_without_predict_proba_vote():
    X, y = _classification(n_classes=3, n_informative=6)
    clf = BaggingClassifier(RidgeClassifier(), n_estimators=4, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert_allclose(proba * 4, np.round(proba * 4))  # vote shares of 4 members
    votes = sum(np.eye(3)[m.predict(X)] for m in clf.estimators_)
    assert_array_equal(clf.predict(X), votes.argmax(axis=1))
    decision = np.mean([m.decision_function(X) for m in clf.estimators_], axis=0)
    assert_allclose(clf.decision_function(X), decision)
    assert not hasattr(BaggingClassifier(), "decision_function")  # trees have none


def test_member_seeds_are_drawn_and_set_seeds_kept():
    X, y = _classification()
    clf = BaggingClassifier(n_estimators=5, random_state=0).fit(X, y)
    seeds = [m.random_state for m in clf.estimators_]
    assert len(set(seeds)) == 5 and all(isinstance(s, int) for s in seeds)
    assert clf.estimator is None
    fixed = BaggingClassifier(DecisionTreeClassifier(random_state=7), n_estimators=3,
                              random_state=0).fit(X, y)
    assert [m.random_state for m in fixed.estimators_] == [7, 7, 7]


def test_device_is_set_on_each_member_not_on_the_template():
    X, y = _classification(n_samples=60)
    net = NetClassifier(hidden_layer_sizes=(4,), max_epochs=2, device="auto")
    clf = BaggingClassifier(net, n_estimators=2, device="cpu", random_state=0).fit(X, y)
    assert [m.device for m in clf.estimators_] == ["cpu", "cpu"]
    assert net.device == "auto"


def test_nested_parameters_in_grid_search():
    X, y = _classification()
    grid = GridSearchCV(BaggingClassifier(DecisionTreeClassifier(), n_estimators=3,
                                          random_state=0),
                        {"estimator__max_depth": [1, 4]}, cv=3).fit(X, y)
    assert grid.best_params_ == {"estimator__max_depth": 4}


# -- warm start, determinism, persistence, progress ---------------------------------------
@pytest.mark.parametrize("cls", [BaggingClassifier, BaggingRegressor])
def test_warm_start_continues_the_same_stream(cls):
    X, y = _classification() if cls is BaggingClassifier else _regression()
    kwargs = {"max_features": 0.7, "random_state": 0}
    at_once = cls(n_estimators=20, **kwargs).fit(X, y)
    warm = cls(n_estimators=10, warm_start=True, **kwargs).fit(X, y)
    first = warm.estimators_[:10]
    warm.set_params(n_estimators=20).fit(X, y)
    assert warm.estimators_[:10] == first  # kept, not refitted
    out = "predict_proba" if cls is BaggingClassifier else "predict"
    assert_array_equal(getattr(warm, out)(X), getattr(at_once, out)(X))
    for a, b in zip(warm.estimators_samples_, at_once.estimators_samples_):
        assert_array_equal(a, b)


def test_warm_start_misuse():
    X, y = _classification()
    clf = BaggingClassifier(n_estimators=4, warm_start=True, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match=re.escape(
            "Warm-start fitting without increasing n_estimators does not fit new trees: the "
            "4 members of BaggingClassifier are kept and no new member is fitted.")) as record:
        clf.fit(X, y)
    assert record[0].filename == __file__
    with pytest.raises(ValueError, match=re.escape(
            "n_estimators=2 must be at least the 4 members already fitted when "
            "warm_start=True; set warm_start=False to start over.")):
        clf.set_params(n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match="warm_start adds members drawn like those"):
        clf.set_params(n_estimators=6, max_samples=0.5).fit(X, y)
    with pytest.raises(ValueError, match=re.escape(
            "warm_start needs the classes of the first fit, [0, 1]; got [0, 1, 2].")):
        clf.set_params(max_samples=1.0).fit(X, np.arange(len(y)) % 3)
    assert len(clf.estimators_) == 4  # nothing already fitted was lost


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_same_result_whatever_n_jobs(backend):
    X, y = _classification()
    kwargs = {"n_estimators": 4, "max_features": 0.5, "random_state": 0}
    one = BaggingClassifier(**kwargs, n_jobs=1).fit(X, y)
    with joblib.parallel_backend(backend):
        two = BaggingClassifier(**kwargs, n_jobs=2).fit(X, y)
    assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    for a, b in zip(one.estimators_features_, two.estimators_features_):
        assert_array_equal(a, b)


def test_clone_pickle_and_joblib_round_trip(tmp_path):
    X, y = _classification()
    clf = BaggingClassifier(n_estimators=3, max_features=0.5, oob_score=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few members: some rows lack OOB
        clf.fit(X, y)
    assert clone(clf).get_params() == clf.get_params()
    assert not hasattr(clone(clf), "estimators_")
    again = pickle.loads(pickle.dumps(clf))
    assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    for a, b in zip(again.estimators_samples_, clf.estimators_samples_):
        assert_array_equal(a, b)
    joblib.dump(clf, tmp_path / "bag.joblib")
    assert_array_equal(joblib.load(tmp_path / "bag.joblib").predict(X), clf.predict(X))


def test_verbose_shows_a_progress_bar_on_stderr(capfd):
    X, y = _classification(n_samples=60)
    BaggingClassifier(n_estimators=3, random_state=0).fit(X, y)
    assert capfd.readouterr() == ("", "")
    BaggingClassifier(n_estimators=3, random_state=0, verbose=1).fit(X, y)
    out, err = capfd.readouterr()
    assert out == "" and "BaggingClassifier" in err and "3/3" in err


# -- the members as a sequence, OOB messages ----------------------------------------------
@pytest.mark.parametrize("cls", [BaggingClassifier, BaggingRegressor])
def test_len_indexing_and_iteration_over_the_members(cls):
    X, y = _classification() if cls is BaggingClassifier else _regression()
    bag = cls(n_estimators=4, random_state=0)
    with pytest.raises(AttributeError, match="estimators_"):  # as scikit-learn: not fitted
        len(bag)
    bag.fit(X, y)
    assert len(bag) == 4
    assert bag[0] is bag.estimators_[0] and bag[-1] is bag.estimators_[-1]
    assert bag[1:3] == bag.estimators_[1:3]
    assert list(bag) == bag.estimators_
    with pytest.raises(IndexError):
        bag[4]
    # Sequence-like ensembles still go where a single object is expected.
    models = np.empty(2, dtype=object)
    models[0], models[1] = bag, clone(bag)
    assert models[0] is bag
    grid = GridSearchCV(cls(n_estimators=2, random_state=0), {"n_estimators": [2, 3]}, cv=2)
    assert len(grid.fit(X, y).best_estimator_) in (2, 3)


def test_oob_warning_carries_scikit_learns_sentence():
    X, y = _classification(n_samples=60)
    with pytest.warns(UserWarning, match=re.escape(
            "Some inputs do not have OOB scores. This probably means too few estimators were "
            "used to compute any reliable oob estimates: ")):
        BaggingClassifier(n_estimators=1, oob_score=True, random_state=0).fit(X, y)


# -- metadata routing ---------------------------------------------------------------------
class _Consumer(ClassifierMixin, BaseEstimator):
    """Records what metadata its methods got; X holds each row's index in column 0."""

    def fit(self, X, y, sample_weight=None, metadata=None):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.sample_weight_, self.metadata_ = sample_weight, metadata
        self.classes_ = np.unique(y)
        return self

    def predict(self, X, metadata=None):
        self.predict_metadata_ = metadata
        return np.full(len(X), self.classes_[0])

    def predict_proba(self, X, metadata=None):
        self.predict_proba_metadata_ = metadata
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))

    def predict_log_proba(self, X, metadata=None):
        self.predict_log_proba_metadata_ = metadata
        return np.log(self.predict_proba(X))

    def decision_function(self, X, metadata=None):
        self.decision_function_metadata_ = metadata
        return np.zeros(len(X))


class _VotingConsumer(_Consumer):
    predict_proba = property(lambda self: _raise_attribute_error())
    predict_log_proba = property(lambda self: _raise_attribute_error())


def _raise_attribute_error():
    raise AttributeError("no such method")


def test_extra_params_need_routing_enabled():
    X, y = _indexed()
    bag = BaggingClassifier(_Consumer(), n_estimators=2, random_state=0)
    with pytest.raises(ValueError, match=re.escape(
            "Passing extra keyword arguments to BaggingClassifier.fit is only supported if "
            "enable_metadata_routing=True")):
        bag.fit(X, y, metadata=np.arange(len(y)))
    bag.fit(X, y, sample_weight=np.ones(len(y)))  # sample_weight needs no routing
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        with pytest.raises(ValueError, match=re.escape(
                f"Passing extra keyword arguments to BaggingClassifier.{method} is only "
                "supported if enable_metadata_routing=True")):
            getattr(bag, method)(X, metadata="a")


def test_routed_fit_params_follow_the_rows_each_member_gets():
    X, y = _indexed()
    metadata = np.arange(len(y)) * 10  # sample-aligned: sliced with the drawn rows
    with config_context(enable_metadata_routing=True):
        indexed = BaggingClassifier(_Consumer().set_fit_request(metadata=True),
                                    n_estimators=3, random_state=0)
        indexed.fit(X, y, sample_weight=np.arange(1.0, 41.0), metadata=metadata)
        for member, drawn in zip(indexed.estimators_, indexed.estimators_samples_):
            # sample_weight not requested: the member gets its drawn rows, no weights
            assert_array_equal(member.rows_, drawn)
            assert member.sample_weight_ is None
            assert_array_equal(member.metadata_, metadata[drawn])
        weighted = BaggingClassifier(
            _Consumer().set_fit_request(sample_weight=True, metadata=True), n_estimators=3,
            random_state=0).fit(X, y, sample_weight=np.arange(1.0, 41.0), metadata=metadata)
        for member, drawn in zip(weighted.estimators_, weighted.estimators_samples_):
            assert_array_equal(member.rows_, np.arange(len(y)))
            assert_array_equal(member.sample_weight_, np.bincount(drawn, minlength=len(y)))
            assert_array_equal(member.metadata_, metadata)
        with pytest.raises(UnsetMetadataPassedError, match=re.escape(
                "[metadata] are passed but are not explicitly set as requested or not "
                "requested for _Consumer.fit")):
            BaggingClassifier(_Consumer()).fit(X, y, metadata=metadata)


@pytest.mark.parametrize("member, caller, callee", [
    (_Consumer(), "predict", "predict_proba"),
    (_Consumer(), "predict_proba", "predict_proba"),
    # not its predict_log_proba: predict_log_proba is the log of predict_proba's numbers
    (_Consumer(), "predict_log_proba", "predict_proba"),
    (_Consumer(), "decision_function", "decision_function"),
    (_VotingConsumer(), "predict", "predict"),
    (_VotingConsumer(), "predict_log_proba", "predict"),
])
def test_predict_params_reach_the_method_the_members_have(member, caller, callee):
    X, y = _indexed()
    with config_context(enable_metadata_routing=True):
        member = clone(member)
        getattr(member, f"set_{callee}_request")(metadata=True)
        bag = BaggingClassifier(member, n_estimators=2, random_state=0).fit(X, y)
        getattr(bag, caller)(X, metadata="a")
    assert all(getattr(m, f"{callee}_metadata_") == "a" for m in bag.estimators_)


def test_regressor_routes_predict_params():
    X, y = _indexed()

    class Consumer(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X, metadata=None):
            self.metadata_ = metadata
            return np.zeros(len(X))

    with config_context(enable_metadata_routing=True):
        reg = BaggingRegressor(Consumer().set_predict_request(metadata=True), n_estimators=2)
        reg.fit(X, y.astype(float)).predict(X, metadata="a")
    assert [m.metadata_ for m in reg.estimators_] == ["a", "a"]


def test_log_proba_is_the_log_of_predict_proba_ties_included():
    # Averaging the members' log-probabilities in log space (scikit-learn's way) gives
    # other numbers (509 of these 900 differ) and can rank an exact tie the other way:
    # with these members scikit-learn's own BaggingClassifier fails
    # check_classifiers_train on that check's data (argsort of the two differ).
    X, y = _classification(n_classes=3, n_informative=6)
    clf = BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=5,
                            bootstrap=False, max_features=0.5, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    with np.errstate(divide="ignore"):
        assert_array_equal(clf.predict_log_proba(X), np.log(proba))
    assert_array_equal(np.argsort(clf.predict_log_proba(X)), np.argsort(proba))


# -- bad input ----------------------------------------------------------------------------
def _param_message(name, cls, allowed, got):
    return re.escape(f"The '{name}' parameter of {cls} must be {allowed}. Got {got} instead.")


_COUNT_OR_FRACTION = "an int in the range [1, inf) or a float in the range (0.0, 1.0]"
BAD_INPUT = [
    ({"n_estimators": 0}, InvalidParameterError,
     _param_message("n_estimators", "BaggingClassifier", "an int in the range [1, inf)", 0)),
    ({"max_samples": 0.0}, InvalidParameterError,
     _param_message("max_samples", "BaggingClassifier", "None, an int in the range [1, inf) or "
                    "a float in the range (0.0, 1.0]", "0.0")),
    ({"max_features": 1.5}, InvalidParameterError,
     _param_message("max_features", "BaggingClassifier", _COUNT_OR_FRACTION, "1.5")),
    ({"max_samples": 301, "bootstrap": False}, ValueError, re.escape(
        "Effective max_samples=301 must be <= n_samples=300 to be able to sample without "
        "replacement. Set bootstrap=True or a smaller max_samples")),
    ({"max_features": 11}, ValueError, re.escape(
        "max_features must be <= n_features: max_features=11 is more than the 10 columns "
        "of X; pass at most 10, or a fraction in (0, 1].")),
    ({"oob_score": True, "warm_start": True}, ValueError, re.escape(
        "Out of bag estimate only available if warm_start=False: the members kept from an "
        "earlier fit of BaggingClassifier were drawn from that fit's data, so which rows "
        "they left out is not known for this one. Set oob_score=False or "
        "warm_start=False.")),
    ({"estimator": Ridge()}, ValueError, re.escape(
        "estimator must be a classifier for BaggingClassifier; got Ridge().")),
    ({"oob_score": True, "bootstrap": False}, ValueError, re.escape(
        "oob_score needs rows left out of the members' draws; with bootstrap=False and "
        "max_samples covering all rows there are none. Set bootstrap=True or max_samples "
        "below 1.0.")),
    ({"device": "gpu"}, ValueError, re.escape(
        "device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a GPU index); got 'gpu'.")),
    ({"estimator": LogisticRegression(C=-1.0)}, InvalidParameterError, re.escape(
        "member 0 (LogisticRegression) failed: The 'C' parameter of LogisticRegression must "
        "be a float in the range (0.0, inf]. Got -1.0 instead.")),
]


@pytest.mark.parametrize("params, error, message", BAD_INPUT)
def test_bad_input(params, error, message):
    X, y = _classification()
    with pytest.raises(error, match=message):
        BaggingClassifier(**params).fit(X, y)


def test_regressor_bad_input():
    X, y = _regression()
    with pytest.raises(ValueError, match=re.escape(
            "estimator must be a regressor for BaggingRegressor; got LogisticRegression().")):
        BaggingRegressor(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="requires y to be passed"):
        BaggingRegressor().fit(X, None)
