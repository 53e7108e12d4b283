"""Metadata routing (scikit-learn's SLEP 6) through the combiners, to every fold's fit;
predict parameters to a stack's final estimator; multilabel stacking (issue 12)."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import make_multilabel_classification
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import RandomForestClassifier
from sklearn.ensemble import StackingClassifier as SkStackingClassifier
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LinearRegression, RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier

from ensembles import (
    EnsembleSelectionClassifier,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = np.column_stack([np.arange(n), rng.normal(size=(n, 3))])  # column 0: row number
    y = np.arange(n) % 2
    return X, y, rng.uniform(0.5, 2.0, n), rng.randint(0, 5, n)


class _Recorder(BaseEstimator):
    """Records which rows (X's column 0) and which metadata its fit received."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.sample_weight_, self.groups_ = sample_weight, groups
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


class RecordingClassifier(ClassifierMixin, _Recorder):
    def fit(self, X, y, sample_weight=None, groups=None):
        self.classes_ = np.unique(y)
        return super().fit(X, y, sample_weight, groups)

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class RecordingRegressor(RegressorMixin, _Recorder):
    pass


def _fold_fits(ensemble, name):
    """(train rows, fitted fold model) per fold of ``ensemble``'s engine run."""
    record = ensemble.cross_fit_
    return [(train, est) for (train, _), est in zip(record.folds,
                                                    record.fold_estimators[name])]


CASES = [
    (StackingClassifier, RecordingClassifier, dict(cv=3)),
    (StackingRegressor, RecordingRegressor, dict(cv=3, final_estimator=LinearRegression())),
    (VotingClassifier, RecordingClassifier, dict(cv=3, weights="auto")),
    (VotingRegressor, RecordingRegressor, dict(cv=3, weights="auto")),
    (EnsembleSelectionClassifier, RecordingClassifier, dict(cv=3)),
]


@pytest.mark.parametrize("n_jobs", [None, 2])
@pytest.mark.parametrize("Ensemble, Member, params", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_requested_metadata_reach_every_fold_fit(routing, Ensemble, Member, params, n_jobs):
    X, y, weight, groups = _data()
    both = Member().set_fit_request(sample_weight=True, groups=True)
    weight_only = Member().set_fit_request(sample_weight=True, groups=False)
    ensemble = Ensemble([("both", both), ("weight", weight_only)], n_jobs=n_jobs,
                        keep_fold_models=True,  # each fold model is read below
                        **params).fit(X, y, sample_weight=weight, groups=groups)
    fits = _fold_fits(ensemble, "both")
    assert len(fits) == 3
    for train, model in fits:  # each fold's model got that fold's rows' metadata
        assert_array_equal(model.rows_, train)
        assert_array_equal(model.sample_weight_, weight[train])
        assert_array_equal(model.groups_, groups[train])
    for train, model in _fold_fits(ensemble, "weight"):
        assert_array_equal(model.sample_weight_, weight[train])
        assert model.groups_ is None  # not requested: not passed
    full = ensemble.named_estimators_["both"]  # the fit on all rows
    assert_array_equal(full.rows_, np.arange(len(y)))
    assert_array_equal(full.sample_weight_, weight)
    assert_array_equal(full.groups_, groups)


def test_voting_without_folds_routes_to_the_fit_on_all_rows(routing):
    X, y, weight, groups = _data()
    vote = VotingClassifier([("a", RecordingClassifier().set_fit_request(groups=True)),
                             ("b", RecordingClassifier().set_fit_request(groups=False))])
    vote.fit(X, y, groups=groups)
    assert_array_equal(vote.named_estimators_["a"].groups_, groups)
    assert vote.named_estimators_["b"].groups_ is None
    assert vote.named_estimators_["a"].sample_weight_ is None


def test_metadata_not_requested_is_scikit_learns_error(routing):
    X, y, weight, groups = _data()
    stack = StackingClassifier([("a", RecordingClassifier())], cv=3)
    with pytest.raises(UnsetMetadataPassedError, match=r"\[groups\] are passed but are not "
                       r"explicitly set as requested or not requested for "
                       r"RecordingClassifier.fit"):
        stack.fit(X, y, groups=groups)


def test_without_routing_only_sample_weight_is_taken():
    X, y, weight, groups = _data()
    stack = StackingClassifier([("a", RecordingClassifier())], cv=3, keep_fold_models=True)
    with pytest.raises(ValueError, match=r"Passing extra keyword arguments to "
                       r"StackingClassifier.fit is only supported if "
                       r"enable_metadata_routing=True"):
        stack.fit(X, y, groups=groups)
    stack.fit(X, y, sample_weight=weight)  # to every member, as before routing
    for train, model in _fold_fits(stack, "a"):
        assert_array_equal(model.sample_weight_, weight[train])
        assert model.groups_ is None


# -- predict parameters ------------------------------------------------------------------
def test_predict_params_reach_the_final_estimator():
    X, y, _, _ = _data()
    y = X[:, 1] * 2.0
    stack = StackingRegressor([("lr", LinearRegression())], cv=3,
                              final_estimator=DummyRegressor()).fit(X, y)
    mean, std = stack.predict(X, return_std=True)
    assert_array_equal(mean, stack.predict(X))
    assert_array_equal(std, np.zeros(len(y)))  # DummyRegressor's std


class _PredictRecorder(RecordingRegressor):
    def predict(self, X, scale=1.0):
        return np.full(len(X), self.mean_ * scale)


def test_predict_params_are_routed_when_requested(routing):
    X, y, _, _ = _data()
    final = _PredictRecorder().set_predict_request(scale=True).set_fit_request(
        sample_weight=False, groups=False)
    stack = StackingRegressor([("lr", LinearRegression())], cv=3,
                              final_estimator=final).fit(X, y)
    assert_array_equal(stack.predict(X, scale=3.0), 3.0 * stack.predict(X))


# -- multilabel stacking ------------------------------------------------------------------
def test_multilabel_stacking_matches_scikit_learns():
    X, Y = make_multilabel_classification(n_samples=120, n_classes=3, random_state=0)
    members = [("ridge", RidgeClassifier()), ("knn", KNeighborsClassifier())]
    ours = StackingClassifier(members, final_estimator=KNeighborsClassifier()).fit(X, Y)
    theirs = SkStackingClassifier(members, final_estimator=KNeighborsClassifier()).fit(X, Y)
    assert ours.stack_method_ == theirs.stack_method_ == ["decision_function",
                                                          "predict_proba"]
    assert_array_equal(ours.transform(X), theirs.transform(X))
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert [c.tolist() for c in ours.classes_] == [[0, 1]] * 3
    proba = ours.predict_proba(X)
    assert proba.shape == (120, 3)  # the probability of each label being present
    np.testing.assert_allclose(proba, 1 - theirs.predict_proba(X), rtol=0, atol=1e-15)
    # (theirs returns the class-0 column of each label: 1 - ours, to rounding)


@pytest.mark.parametrize("refit", [True, False])
def test_multilabel_stacking_with_probability_lists_and_fold_models(refit):
    """A forest gives one (n, 2) probability array per label: one column each."""
    X, Y = make_multilabel_classification(n_samples=90, n_classes=2, random_state=1)
    stack = StackingClassifier([("rf", RandomForestClassifier(n_estimators=5)),
                                ("lr", RidgeClassifier())], cv=3, refit=refit,
                               random_state=0, final_estimator=KNeighborsClassifier())
    stack.fit(X, Y)
    assert stack.transform(X).shape == (90, 4)
    assert stack.predict(X).shape == (90, 2)
    assert set(np.unique(stack.predict(X))) <= {0, 1}
    assert stack.score(X, Y) > 0.5  # subset accuracy, well above chance (0.25)


def test_voting_refuses_a_multilabel_target():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    with pytest.raises(NotImplementedError, match="VotingClassifier only supports binary "
                       "or multiclass classification"):
        VotingClassifier([("knn", KNeighborsClassifier())]).fit(X, Y)
