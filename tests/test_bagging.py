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
from sklearn import ensemble as sk
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
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


def test_counts_are_folded_into_sample_weight():
    X, y = _indexed()
    w = np.random.RandomState(1).uniform(0, 2, size=len(y))
    w[:5] = 0
    clf = BaggingClassifier(_Spy(), n_estimators=3, random_state=0).fit(X, y, sample_weight=w)
    for member, drawn in zip(clf.estimators_, clf.estimators_samples_):
        counts = np.bincount(drawn, minlength=len(y)) * w
        assert_array_equal(member.rows_, np.flatnonzero(counts))  # weight-0 rows left out
        assert_allclose(member.sample_weight_, counts[member.rows_])


def test_member_without_sample_weight_gets_repeated_rows():
    X, y = _indexed()
    clf = BaggingClassifier(_SpyNoWeight(), n_estimators=3, random_state=0).fit(X, y)
    for member, drawn in zip(clf.estimators_, clf.estimators_samples_):
        assert_array_equal(member.rows_, np.sort(drawn))
        assert member.sample_weight_ is None


def test_member_without_sample_weight_resamples_by_weight():
    X, y = _indexed()
    w = np.ones(len(y))
    w[:20] = 0
    clf = BaggingClassifier(_SpyNoWeight(), n_estimators=5, random_state=0)
    clf.fit(X, y, sample_weight=w)
    for member in clf.estimators_:
        assert member.rows_.min() >= 20 and len(member.rows_) == len(y)


def test_plain_subset_is_fitted_without_weights():
    # bootstrap=False, no user weights: the member is fitted as it would be alone
    X, y = _indexed()
    clf = BaggingClassifier(_Spy(), n_estimators=2, bootstrap=False, max_samples=0.5,
                            random_state=0).fit(X, y)
    assert all(m.sample_weight_ is None and len(m.rows_) == 20 for m in clf.estimators_)


@pytest.mark.parametrize("member", [LogisticRegression(), DecisionTreeClassifier(random_state=0)])
def test_zero_weight_is_dropping_the_row(member):
    X, y = _classification()
    w = (np.random.RandomState(0).uniform(size=len(y)) > 0.3).astype(float)
    kwargs = {"n_estimators": 3, "bootstrap": False, "random_state": 0}
    weighted = BaggingClassifier(member, **kwargs).fit(X, y, sample_weight=w)
    dropped = BaggingClassifier(member, **kwargs).fit(X[w > 0], y[w > 0])
    assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X))


def test_sample_weight_reaches_the_last_step_of_a_pipeline():
    X, y = _classification()
    w = np.random.RandomState(0).uniform(size=len(y))
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    ours = BaggingClassifier(pipe, n_estimators=3, bootstrap=False, random_state=0)
    ours.fit(X, y, sample_weight=w)
    alone = clone(pipe).fit(X, y, logisticregression__sample_weight=w)
    assert_allclose(ours.predict_proba(X), alone.predict_proba(X))


# -- labels, pandas, members --------------------------------------------------------------
def test_string_labels_and_missing_classes_in_a_draw():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.array(["cat"] * 20 + ["dog"] * 19 + ["emu"])  # "emu" is missing from most draws
    clf = BaggingClassifier(n_estimators=10, max_samples=10, random_state=0).fit(X, y)
    assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    assert any(len(m.classes_) < 3 for m in clf.estimators_)  # members saw 0..K-1 subsets
    proba = clf.predict_proba(X)
    assert proba.shape == (40, 3)
    assert_allclose(proba.sum(axis=1), 1)
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}


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
    kwargs = {"max_features": 0.7, "oob_score": True, "random_state": 0}
    at_once = cls(n_estimators=20, **kwargs).fit(X, y)
    warm = cls(n_estimators=10, warm_start=True, **kwargs)
    with pytest.warns(UserWarning, match="no out-of-bag prediction"):  # 10 members: few
        warm.fit(X, y)
    first = warm.estimators_[:10]
    warm.set_params(n_estimators=20).fit(X, y)
    assert warm.estimators_[:10] == first  # kept, not refitted
    out = "predict_proba" if cls is BaggingClassifier else "predict"
    assert_array_equal(getattr(warm, out)(X), getattr(at_once, out)(X))
    for a, b in zip(warm.estimators_samples_, at_once.estimators_samples_):
        assert_array_equal(a, b)
    assert warm.oob_score_ == at_once.oob_score_  # recomputed over all 20 members


def test_warm_start_misuse():
    X, y = _classification()
    clf = BaggingClassifier(n_estimators=4, warm_start=True, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="fits no new member") as record:
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


# -- bad input ----------------------------------------------------------------------------
def _param_message(name, cls, allowed, got):
    return re.escape(f"The '{name}' parameter of {cls} must be {allowed}. Got {got} instead.")


_COUNT_OR_FRACTION = "an int in the range [1, inf) or a float in the range (0.0, 1.0]"
BAD_INPUT = [
    ({"n_estimators": 0}, InvalidParameterError,
     _param_message("n_estimators", "BaggingClassifier", "an int in the range [1, inf)", 0)),
    ({"max_samples": 0.0}, InvalidParameterError,
     _param_message("max_samples", "BaggingClassifier", _COUNT_OR_FRACTION, "0.0")),
    ({"max_features": 1.5}, InvalidParameterError,
     _param_message("max_features", "BaggingClassifier", _COUNT_OR_FRACTION, "1.5")),
    ({"max_samples": 301}, ValueError, re.escape(
        "max_samples=301 is more than the 300 rows of X; pass at most 300, or a fraction "
        "in (0, 1].")),
    ({"max_features": 11}, ValueError, re.escape(
        "max_features=11 is more than the 10 columns of X; pass at most 10, or a fraction "
        "in (0, 1].")),
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


def test_member_without_sample_weight_and_no_resampling():
    X, y = _classification()
    clf = BaggingClassifier(KNeighborsClassifier(), bootstrap=False)
    with pytest.raises(TypeError, match=re.escape(
            "KNeighborsClassifier does not accept sample_weight in fit, and "
            "BaggingClassifier can honour sample_weight for it only by weighted resampling, "
            "which needs bootstrap=True; set bootstrap=True or give no sample_weight.")):
        clf.fit(X, y, sample_weight=np.ones(len(y)))
    clf.set_params(bootstrap=True).fit(X, y, sample_weight=np.ones(len(y)))  # resampled


def test_sample_weight_leaving_one_class_is_refused_by_name():
    X, y = _classification()
    with pytest.raises(ValueError, match=re.escape(
            "sample_weight must leave at least two classes with positive weight for "
            "BaggingClassifier; got positive weight only on class(es) [1].")):
        BaggingClassifier(n_estimators=3).fit(X, y, sample_weight=(y == 1).astype(float))


def test_a_draw_of_zero_weight_rows_names_the_member():
    # 2 rows of 300 carry weight; a 1-row draw misses both in most members.
    X, y = _classification()
    weight = np.zeros(len(y))
    weight[[np.flatnonzero(y == 0)[0], np.flatnonzero(y == 1)[0]]] = 1.0
    with pytest.raises(ValueError, match=re.escape(
            "member 0 (DecisionTreeClassifier) failed: its draw holds only rows whose "
            "sample_weight is 0, so it has nothing to fit on; give fewer rows zero weight, "
            "or draw more rows (max_samples).")):
        BaggingClassifier(n_estimators=3, max_samples=1, random_state=0).fit(
            X, y, sample_weight=weight)


def test_regressor_bad_input():
    X, y = _regression()
    with pytest.raises(ValueError, match=re.escape(
            "estimator must be a regressor for BaggingRegressor; got LogisticRegression().")):
        BaggingRegressor(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="requires y to be passed"):
        BaggingRegressor().fit(X, None)
