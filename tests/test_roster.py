"""The default roster of base learners: its shape, its seeds, and that every member works."""

import re

import numpy as np
import pytest
import torch
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.utils.validation import check_is_fitted
from xgboost import XGBClassifier, XGBRegressor

from ensembles import NetClassifier, NetRegressor, make_learners
from ensembles.learners import device as device_module

NAMES = ["net", "xgb", "lgbm", "rf", "et", "linear", "knn"]
SEEDED = ["net", "xgb", "lgbm", "rf", "et"]
TASKS = ["classification", "regression"]
SIZES = ["small", "medium"]


def _leaf_params(estimator):
    """get_params without the sub-estimators (which compare by identity)."""
    return {
        key: value
        for key, value in estimator.get_params(deep=True).items()
        if not isinstance(value, BaseEstimator | list)
    }


def _seed(estimator):
    params = estimator.get_params()
    return next(v for k, v in params.items() if k.split("__")[-1] == "random_state")


def _final(estimator):
    """The learner itself: the last step of a Pipeline, else the estimator."""
    return estimator[-1] if hasattr(estimator, "steps") else estimator


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("task", TASKS)
def test_names_kinds_and_unfitted(task, size):
    learners = make_learners(task, device="cpu", random_state=0, size=size)
    assert [name for name, _ in learners] == NAMES
    check_kind = is_classifier if task == "classification" else is_regressor
    for name, est in learners:
        assert check_kind(est), name
        with pytest.raises(NotFittedError):
            check_is_fitted(est)
        copy = clone(est)
        assert copy is not est
        assert _leaf_params(copy) == _leaf_params(est), name


@pytest.mark.parametrize("task", TASKS)
def test_members_are_what_the_docs_say(task):
    learners = dict(make_learners(task, device="cpu", random_state=0, size="small"))
    classification = task == "classification"
    net = _final(learners["net"])
    assert type(net) is (NetClassifier if classification else NetRegressor)
    assert net.early_stopping is True
    assert learners["net"][0].__class__.__name__ == "StandardScaler"
    assert type(learners["xgb"]) is (XGBClassifier if classification else XGBRegressor)
    assert type(learners["lgbm"]) is (LGBMClassifier if classification else LGBMRegressor)
    assert learners["lgbm"].get_params()["verbose"] == -1
    linear = _final(learners["linear"])
    if classification:
        assert isinstance(linear, LogisticRegression)
        assert linear.max_iter == 1000
    else:
        assert isinstance(linear, RidgeCV)
    for name in ("linear", "knn"):
        assert learners[name][0].__class__.__name__ == "StandardScaler", name


@pytest.mark.parametrize("task", TASKS)
def test_small_is_smaller_than_medium(task):
    small = dict(make_learners(task, device="cpu", random_state=0, size="small"))
    medium = dict(make_learners(task, device="cpu", random_state=0, size="medium"))
    for name in ("xgb", "lgbm", "rf", "et"):
        assert small[name].n_estimators < medium[name].n_estimators, name
    assert _final(small["net"]).max_epochs < _final(medium["net"]).max_epochs


def test_default_size_is_medium():
    default = dict(make_learners(device="cpu", random_state=0))
    medium = dict(make_learners(device="cpu", random_state=0, size="medium"))
    assert default["rf"].n_estimators == medium["rf"].n_estimators


@pytest.mark.parametrize("task", TASKS)
def test_same_random_state_same_roster(task):
    first = make_learners(task, device="cpu", random_state=42, size="small")
    again = make_learners(task, device="cpu", random_state=42, size="small")
    from_instance = make_learners(
        task, device="cpu", random_state=np.random.RandomState(42), size="small"
    )
    for (name, a), (_, b), (_, c) in zip(first, again, from_instance):
        assert a is not b  # a fresh list of fresh estimators at each call
        assert _leaf_params(a) == _leaf_params(b) == _leaf_params(c), name

    seeds = {name: _seed(dict(first)[name]) for name in SEEDED}
    assert all(isinstance(s, int) for s in seeds.values()), seeds
    assert len(set(seeds.values())) == len(SEEDED), "members share a seed"
    other = dict(make_learners(task, device="cpu", random_state=43, size="small"))
    assert all(_seed(other[name]) != seeds[name] for name in SEEDED)


def test_seeds_do_not_depend_on_size_or_task():
    # Drawn in a fixed order, before the members are built.
    seeds = [
        [_seed(dict(make_learners(t, device="cpu", random_state=7, size=s))[n]) for n in SEEDED]
        for t in TASKS
        for s in SIZES
    ]
    assert all(row == seeds[0] for row in seeds)


def test_random_state_none_still_gives_int_seeds():
    learners = dict(make_learners(device="cpu", size="small"))
    assert all(isinstance(_seed(learners[name]), int) for name in SEEDED)


@pytest.mark.parametrize("task", TASKS)
def test_device_is_set_on_every_member(task):
    learners = dict(make_learners(task, device="cpu", random_state=0, size="small"))
    assert _final(learners["net"]).device == "cpu"
    assert learners["xgb"].get_params()["device"] == "cpu"
    assert learners["lgbm"].get_params()["device_type"] == "cpu"


def test_device_auto_with_a_gpu_and_a_cpu_only_lightgbm(monkeypatch):
    # "auto" on a GPU machine whose LightGBM cannot use it: net and XGBoost move to the
    # GPU, LightGBM stays on the CPU, and nothing warns (warnings are errors here).
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(device_module, "_lightgbm_gpu_device_type", lambda: None)
    learners = dict(make_learners(random_state=0, size="small"))
    assert _final(learners["net"]).device == "cuda"
    assert learners["xgb"].get_params()["device"] == "cuda"
    assert learners["lgbm"].get_params()["device_type"] == "cpu"


def _classification_data():
    X, y = load_breast_cancer(return_X_y=True)
    return X[:200], y[:200], X[200:300], y[200:300]


def _multiclass_data():
    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))
    X, y = X[order], y[order]
    return X[:100], y[:100], X[100:], y[100:]


def _regression_data():
    X, y = load_diabetes(return_X_y=True)
    return X[:200], y[:200], X[200:300], y[200:300]


@pytest.mark.parametrize(
    "task, data, min_score",
    [
        ("classification", _classification_data, 0.85),  # accuracy; majority class ~0.6
        ("classification", _multiclass_data, 0.85),  # accuracy; chance ~0.33
        ("regression", _regression_data, 0.25),  # R2; members reach 0.39-0.50
    ],
    ids=["binary", "multiclass", "regression"],
)
def test_small_roster_fits_and_predicts(task, data, min_score):
    X, y, X_test, y_test = data()
    for name, est in make_learners(task, device="cpu", random_state=0, size="small"):
        est.fit(X, y)
        pred = est.predict(X_test)
        assert pred.shape == y_test.shape, name
        assert est.score(X_test, y_test) > min_score, name
        if task == "classification":
            proba = est.predict_proba(X_test)
            assert proba.shape == (len(y_test), len(np.unique(y))), name
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5, err_msg=name)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"task": "clustering"},
            "task must be 'classification' or 'regression'; got 'clustering'.",
        ),
        (
            {"task": "Classification"},
            "task must be 'classification' or 'regression'; got 'Classification'.",
        ),
        ({"task": None}, "task must be 'classification' or 'regression'; got None."),
        ({"size": "large"}, "size must be 'small' or 'medium'; got 'large'."),
        ({"size": 1}, "size must be 'small' or 'medium'; got 1."),
        ({"device": "gpu"}, "device must be 'auto', 'cpu', 'cuda' or 'cuda:N'"),
        ({"random_state": "seed"}, "cannot be used to seed"),
    ],
    ids=["task", "task-case", "task-none", "size", "size-int", "device", "random_state"],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_learners(**kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        make_learners("classification", "cpu")


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_threads_capped_per_learner(task):
    """One thread per learner by default (the meta-learners parallelise over tasks);
    n_jobs raises it for each learner that has threads."""
    for n_jobs in (1, 3):
        for name, learner in make_learners(task, device="cpu", random_state=0,
                                           n_jobs=n_jobs):
            threads = {k: v for k, v in learner.get_params().items() if k.endswith("n_jobs")}
            if name in ("net", "xgb", "lgbm", "rf", "et"):
                assert set(threads.values()) == {n_jobs}, (name, threads)
    with pytest.raises(ValueError, match="n_jobs must be a non-zero int"):
        make_learners(task, device="cpu", n_jobs=0)
