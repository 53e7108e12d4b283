"""A fit that fails leaves a fitted estimator as it was: nothing already fitted is lost.

A refit on new data whose member fails used to leave the new data's ``classes_`` and
``n_features_in_`` over the old members (a model that predicted nothing); every fit now
restores the estimator when it raises (``ensembles._compat._fit_context``)."""

import copy

import numpy as np
import pytest
import torch
from failing import BoomClassifier, BoomRegressor
from numpy.testing import assert_array_equal
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ensembles import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    NetClassifier,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)


def _pair(kind):
    good = make_pipeline(StandardScaler(), LogisticRegression()) if kind == "c" else Ridge()
    return [("good", good),
            ("boom", BoomClassifier() if kind == "c" else BoomRegressor())]


ESTIMATORS = [
    ("c", lambda: StackingClassifier(_pair("c"), cv=3)),
    ("c", lambda: VotingClassifier(_pair("c"), voting="soft")),
    ("c", lambda: EnsembleSelectionClassifier(_pair("c"), cv=3, n_iter=5)),
    ("c", lambda: BaggingClassifier(BoomClassifier(), n_estimators=3, random_state=0)),
    ("c", lambda: AdaBoostClassifier(BoomClassifier(), n_estimators=3, random_state=0)),
    ("c", lambda: GradientBoostingClassifier(BoomRegressor(), n_estimators=3)),
    ("r", lambda: StackingRegressor(_pair("r"), cv=3)),
    ("r", lambda: VotingRegressor(_pair("r"))),
    ("r", lambda: EnsembleSelectionRegressor(_pair("r"), cv=3, n_iter=5)),
    ("r", lambda: BaggingRegressor(BoomRegressor(), n_estimators=3, random_state=0)),
    ("r", lambda: AdaBoostRegressor(BoomRegressor(), n_estimators=3, random_state=0)),
    ("r", lambda: GradientBoostingRegressor(BoomRegressor(), n_estimators=3)),
]


def _data(kind):
    """Data the members fit (4 columns) and data on which the Boom member fails."""
    if kind == "c":
        X, y = load_iris(return_X_y=True)
        X_new, y_new = load_wine(return_X_y=True)
        return (X, y), (X_new, np.array(["a", "b", "c"])[y_new])
    X, y = load_diabetes(return_X_y=True)
    return (X[:, :4], y), (X, y)


def _snapshot(model):
    return {key: (copy.copy(value) if isinstance(value, (list, dict, np.ndarray)) else value)
            for key, value in vars(model).items()}


def _same(a, b):
    """The same fitted member, or equal plain values."""
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a is b or (not hasattr(a, "fit") and a == b)


@pytest.mark.parametrize("kind, make", ESTIMATORS,
                         ids=[type(make()).__name__ for _, make in ESTIMATORS])
def test_a_failed_refit_keeps_the_fitted_model(kind, make):
    (X, y), (X_new, y_new) = _data(kind)
    model = make().fit(X, y)
    before, predicted = _snapshot(model), model.predict(X)
    with pytest.raises(RuntimeError, match="boom: 13 columns" if kind == "c"
                       else "boom: 10 columns"):
        model.fit(X_new, y_new)
    assert sorted(vars(model)) == sorted(before)
    for key, value in before.items():
        if isinstance(value, np.ndarray) or np.isscalar(value):
            assert_array_equal(getattr(model, key), value, err_msg=key)
        elif isinstance(value, list):
            assert len(getattr(model, key)) == len(value), key
            assert all(_same(a, b) for a, b in zip(getattr(model, key), value)), key
        elif isinstance(value, dict):  # named_estimators_: a Bunch of the same members
            assert type(getattr(model, key)) is type(value), key
            assert getattr(model, key).keys() == value.keys(), key
            assert all(getattr(model, key)[k] is v for k, v in value.items()), key
        else:
            assert getattr(model, key) is value, key
    assert_array_equal(model.predict(X), predicted)


def test_a_failed_warm_start_keeps_the_members_fitted_before():
    X, y = load_iris(return_X_y=True)
    model = BaggingClassifier(BoomClassifier(), n_estimators=3, warm_start=True,
                              random_state=0).fit(X, y)
    members = list(model.estimators_)
    model.set_params(n_estimators=6, estimator__max_columns=2)  # the new members fail
    with pytest.raises(RuntimeError, match="member 3 .*boom: 4 columns"):
        model.fit(X, y)
    assert model.estimators_ == members and len(model.estimators_features_) == 3
    model.set_params(estimator__max_columns=4).fit(X, y)  # and it can go on from there
    assert len(model.estimators_) == 6 and model.estimators_[:3] == members


class _FailsOnWideInput(torch.nn.Module):
    def __init__(self, n_features=4, n_classes=3):
        super().__init__()
        self.linear = torch.nn.Linear(4, n_classes)

    def forward(self, X):
        if X.shape[1] != 4:
            raise RuntimeError(f"boom: {X.shape[1]} columns")
        return self.linear(X)


def test_a_failed_net_refit_keeps_the_fitted_net():
    (X, y), (X_new, y_new) = _data("c")
    net = NetClassifier(module=_FailsOnWideInput, max_epochs=3, random_state=0).fit(X, y)
    fitted, proba = net.net_, net.predict_proba(X)
    with pytest.raises(RuntimeError, match="boom: 13 columns"):
        net.fit(X_new, y_new)
    assert net.net_ is fitted and net.n_features_in_ == 4
    assert_array_equal(net.classes_, [0, 1, 2])
    assert_array_equal(net.predict_proba(X), proba)
