"""Layer 2: what every meta-learner shares, asserted on all twelve of them.

Labels of any type, pandas in, sample_weight, 'drop' members, a repeatable random_state
(whatever ``n_jobs``), ``device`` on every sub-estimator, nested parameters in a grid
search, and clone / pickle / joblib round trips. The instances come from
``instances.META`` (one small, fast instance a meta-learner) or from the tables below,
each checked to cover every meta-learner.
"""

import pickle
import re

import joblib
import numpy as np
import pandas as pd
import pytest
from instances import META, is_meta, public_estimators
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier, XGBRegressor

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
    NetRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)

N_SAMPLES = 90


def _name(estimator):
    return type(estimator).__name__


def _meta_names():
    return {cls.__name__ for cls in public_estimators() if is_meta(cls)}


def _data(estimator, n_classes=3):
    if is_classifier(estimator):
        return make_classification(n_samples=N_SAMPLES, n_features=5, n_informative=3,
                                   n_redundant=0, n_classes=n_classes, random_state=0)
    return make_regression(n_samples=N_SAMPLES, n_features=5, n_informative=3, noise=5.0,
                           random_state=0)


def _outputs(estimator, X):
    """What a fitted estimator says about X: predict, and predict_proba where it has it."""
    out = {"predict": estimator.predict(X)}
    if hasattr(estimator, "predict_proba"):
        out["predict_proba"] = estimator.predict_proba(X)
    return out


def _assert_same(got, expected):
    """Bitwise equal outputs (two fits of the same model on the same rows)."""
    assert got.keys() == expected.keys()
    for method in expected:
        assert_array_equal(got[method], expected[method], err_msg=method)


def _sensitive(outputs):
    """The output that moves with any change of the model."""
    return outputs.get("predict_proba", outputs["predict"])


meta = pytest.mark.parametrize("estimator", META, ids=_name)


def test_the_meta_table_covers_every_meta_learner():
    assert {_name(e) for e in META} == _meta_names()
    assert len(META) == len(_meta_names())  # one each


# -- labels -----------------------------------------------------------------------------
# Each list is sorted, so the ensemble encodes it as 0..K-1 in this order: a fit on these
# labels is the fit on the codes, relabelled.
LABELS = {
    "ints": [2, 5, 9],
    "strings": ["ant", "bee", "cat"],
    "bools": [False, True],
    "one_two": [1, 2],
    "negative_ints": [-7, -3],
}


@pytest.mark.parametrize("estimator", [e for e in META if is_classifier(e)], ids=_name)
@pytest.mark.parametrize("labels", LABELS.values(), ids=LABELS.keys())
def test_labels_of_any_type(estimator, labels):
    labels = np.asarray(labels)
    X, codes = _data(estimator, n_classes=len(labels))
    y = labels[codes]
    on_codes = clone(estimator).fit(X, codes)
    on_labels = clone(estimator).fit(X, y)
    assert_array_equal(on_labels.classes_, labels)
    assert on_labels.classes_.dtype.kind == y.dtype.kind
    prediction = on_labels.predict(X)
    assert prediction.dtype.kind == y.dtype.kind
    assert_array_equal(prediction, labels[on_codes.predict(X)])
    assert_array_equal(on_labels.predict_proba(X), on_codes.predict_proba(X))


# -- pandas -----------------------------------------------------------------------------
@meta
def test_pandas_in_feature_names_out_and_same_predictions(estimator):
    X, y = _data(estimator)
    # An index that is not 0..n-1: rows must be taken by position, not by label.
    index = pd.RangeIndex(1000, 1000 + len(y))[::-1]
    df = pd.DataFrame(X, columns=[f"col_{i}" for i in range(X.shape[1])], index=index)
    series = pd.Series(y, index=index, name="target")
    on_frame = clone(estimator).fit(df, series)
    on_array = clone(estimator).fit(X, y)
    assert_array_equal(on_frame.feature_names_in_, df.columns)
    assert on_frame.n_features_in_ == X.shape[1]
    assert not hasattr(on_array, "feature_names_in_")
    got, expected = _outputs(on_frame, df), _outputs(on_array, X)
    if is_classifier(estimator):
        assert_array_equal(got["predict"], expected["predict"])
    # Members get the DataFrame as given, and its values come out column-major: a
    # linear member's matrix products then sum in another order (Ridge alone differs
    # by ~1e-15 relative between a DataFrame and the C-ordered array).
    for method in expected:
        assert_allclose(got[method], expected[method], rtol=1e-12, atol=1e-12,
                        err_msg=method)


# -- sample_weight ----------------------------------------------------------------------
@meta
def test_integer_sample_weight_is_accepted_and_changes_the_fit(estimator):
    X, y = _data(estimator)
    weight = np.random.RandomState(0).randint(1, 5, len(y))
    weighted = clone(estimator).fit(X, y, sample_weight=weight)
    plain = clone(estimator).fit(X, y)
    assert not np.allclose(_sensitive(_outputs(weighted, X)), _sensitive(_outputs(plain, X)))


# Where a zero weight is the same as dropping the row, as each module promises it:
# bagging when max_samples counts weight (max_samples=1.0: the weights' total), so rows of
# weight 0 are never drawn and the others are drawn as without them (test_bagging.py),
# AdaBoost when the weights reach the members rather than a resample of n rows
# (resample="auto"; test_boosting.py::test_weights_are_counts), gradient boosting always
# (test_gradient_boosting.py), and the cross-validated ensembles on the same folds (the
# folds are then the only thing the dropped rows change; scikit-learn's weight checks
# fix them the same way).
_DROPPING = {
    "BaggingClassifier": {"max_samples": 1.0},
    "BaggingRegressor": {"max_samples": 1.0},
    "AdaBoostRegressor": {"resample": "auto"},
}


@meta
def test_zero_weight_is_dropping_the_row(estimator):
    X, y = _data(estimator)
    rng = np.random.RandomState(0)
    weight = rng.randint(1, 4, len(y)).astype(float)
    weight[rng.rand(len(y)) < 0.25] = 0
    kept = np.flatnonzero(weight)
    estimator = clone(estimator).set_params(**_DROPPING.get(_name(estimator), {}))
    weighted, dropped = clone(estimator), clone(estimator)
    if "cv" in estimator.get_params():
        folds = list(KFold(3, shuffle=True, random_state=0).split(X))
        position = np.full(len(y), -1)
        position[kept] = np.arange(len(kept))
        weighted.set_params(cv=folds)
        dropped.set_params(cv=[(position[train][position[train] >= 0],
                                position[test][position[test] >= 0])
                               for train, test in folds])
    weighted.fit(X, y, sample_weight=weight)
    dropped.fit(X[kept], y[kept], sample_weight=weight[kept])
    got, expected = _outputs(weighted, X), _outputs(dropped, X)
    # The same model up to the order of floating-point sums (~1e-14 relative here:
    # LogisticRegression's and Ridge's solvers sum over the zero-weight rows too).
    for method in got:
        assert_allclose(got[method], expected[method], rtol=1e-10, err_msg=method)


# Every estimator of the package, nets included: one check, one message (issue 14, item 4).
_WEIGHTED = META + [NetClassifier(max_epochs=1), NetRegressor(max_epochs=1)]


def test_the_weighted_table_covers_every_estimator():
    assert {_name(e) for e in _WEIGHTED} == {cls.__name__ for cls in public_estimators()}


@pytest.mark.parametrize("estimator", _WEIGHTED, ids=_name)
def test_a_negative_weight_gets_the_same_error_from_every_estimator(estimator):
    X, y = _data(estimator)
    weight = np.ones(len(y))
    weight[[7, 40]] = [-0.5, -2.0]
    message = (
        f"Negative values in data passed to `sample_weight`: {_name(estimator)} expects "
        "weights >= 0, one a row of X; got -0.5 at row 7 (2 negative weights in all). Give "
        "those rows weight 0 or drop them."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        clone(estimator).fit(X, y, sample_weight=weight)


# -- 'drop' -----------------------------------------------------------------------------
_MEMBER_LISTS = [e for e in META if "estimators" in e.get_params()]


@pytest.mark.parametrize("estimator", _MEMBER_LISTS, ids=_name)
def test_a_dropped_member_is_as_if_left_out(estimator):
    X, y = _data(estimator)
    # First in the list, and randomised: if it drew a seed or took a column while
    # dropped, the members after it would change.
    extra = (ExtraTreesClassifier if is_classifier(estimator) else ExtraTreesRegressor)(
        n_estimators=3)
    members = [(name, clone(member)) for name, member in estimator.estimators]
    with_drop = clone(estimator).set_params(estimators=[("extra", extra), *members])
    with_drop.set_params(extra="drop")
    with_drop.fit(X, y)
    left_out = clone(estimator).fit(X, y)
    _assert_same(_outputs(with_drop, X), _outputs(left_out, X))
    assert with_drop.named_estimators_["extra"] == "drop"


# -- random_state -----------------------------------------------------------------------
def _random_members(classifier):
    if classifier:
        return [("forest", RandomForestClassifier(n_estimators=5)),
                ("extra", ExtraTreesClassifier(n_estimators=5)),
                ("tree", DecisionTreeClassifier(max_features=0.5))]
    return [("forest", RandomForestRegressor(n_estimators=5)),
            ("extra", ExtraTreesRegressor(n_estimators=5)),
            ("tree", DecisionTreeRegressor(max_features=0.5))]


# Randomness everywhere and no random_state set on anything inside: the ensemble's own
# random_state must seed it all.
RANDOMISED = [
    VotingClassifier(_random_members(True), weights="auto", cv=3),
    VotingRegressor(_random_members(False), weights="auto", cv=3),
    StackingClassifier(_random_members(True),
                       final_estimator=RandomForestClassifier(n_estimators=5), cv=3),
    StackingRegressor(_random_members(False),
                      final_estimator=RandomForestRegressor(n_estimators=5), cv=3),
    EnsembleSelectionClassifier(_random_members(True), n_iter=5, n_bags=3,
                                bag_fraction=0.5, cv=3),
    EnsembleSelectionRegressor(_random_members(False), n_iter=5, n_bags=3,
                               bag_fraction=0.5, cv=3),
    BaggingClassifier(DecisionTreeClassifier(max_features=0.5), n_estimators=5,
                      max_features=0.8),
    BaggingRegressor(DecisionTreeRegressor(max_features=0.5), n_estimators=5,
                     max_features=0.8),
    AdaBoostClassifier(DecisionTreeClassifier(max_depth=2, max_features=0.5),
                       n_estimators=5),
    AdaBoostRegressor(DecisionTreeRegressor(max_depth=3, max_features=0.5), n_estimators=5),
    GradientBoostingClassifier(DecisionTreeRegressor(max_depth=2, max_features=0.5),
                               n_estimators=5, subsample=0.8,
                               init=RandomForestClassifier(n_estimators=5)),
    GradientBoostingRegressor(DecisionTreeRegressor(max_depth=2, max_features=0.5),
                              n_estimators=5, subsample=0.8,
                              init=RandomForestRegressor(n_estimators=5)),
]


def _n_jobs_cases():
    for estimator in RANDOMISED:
        for n_jobs in (1, 2) if "n_jobs" in estimator.get_params() else (None,):
            yield pytest.param(estimator, n_jobs, id=f"{_name(estimator)}-n_jobs={n_jobs}")


def _fit_seeded(estimator, X, y, random_state, n_jobs=None):
    """Outputs on new rows (fully grown trees repeat y on the rows they were fitted on,
    whatever their seed)."""
    estimator = clone(estimator).set_params(random_state=random_state)
    if n_jobs is not None:
        estimator.set_params(n_jobs=n_jobs)
    new_rows = np.random.RandomState(1).normal(size=(30, X.shape[1]))
    return _outputs(estimator.fit(X, y), new_rows)


def test_the_randomised_table_covers_every_meta_learner():
    assert {_name(e) for e in RANDOMISED} == _meta_names()


@pytest.mark.parametrize("estimator, n_jobs", list(_n_jobs_cases()))
def test_same_random_state_same_ensemble(estimator, n_jobs):
    X, y = _data(estimator)
    _assert_same(_fit_seeded(estimator, X, y, 0, n_jobs), _fit_seeded(estimator, X, y, 0, n_jobs))


@pytest.mark.parametrize("estimator", [e for e in RANDOMISED if "n_jobs" in e.get_params()],
                         ids=_name)
def test_n_jobs_does_not_change_the_ensemble(estimator):
    X, y = _data(estimator)
    _assert_same(_fit_seeded(estimator, X, y, 0, n_jobs=2),
                 _fit_seeded(estimator, X, y, 0, n_jobs=1))


@pytest.mark.parametrize("estimator", RANDOMISED, ids=_name)
def test_another_random_state_another_ensemble(estimator):
    # The seeding is real: it reaches something that changes the predictions.
    X, y = _data(estimator)
    assert not np.array_equal(_sensitive(_fit_seeded(estimator, X, y, 0)),
                              _sensitive(_fit_seeded(estimator, X, y, 1)))


# -- device -----------------------------------------------------------------------------
def _net(classifier):
    return (NetClassifier if classifier else NetRegressor)(hidden_layer_sizes=(4,),
                                                            max_epochs=2)


def _xgb(classifier):
    return (XGBClassifier if classifier else XGBRegressor)(n_estimators=3)


def _net_and_xgb(classifier):
    return [("net", _net(classifier)), ("xgb", _xgb(classifier))]


# Members with a device parameter (our nets default to "auto", XGBoost to None) wherever
# an ensemble holds a sub-estimator.
DEVICE = {
    "voting-clf": VotingClassifier(_net_and_xgb(True)),
    "voting-reg": VotingRegressor(_net_and_xgb(False)),
    "stacking-clf": StackingClassifier(_net_and_xgb(True), final_estimator=_net(True), cv=3),
    "stacking-reg": StackingRegressor(_net_and_xgb(False), final_estimator=_net(False),
                                      cv=3),
    # A second layer: its members and its own final estimator too.
    "stacking-clf-nested": StackingClassifier(
        _net_and_xgb(True), cv=3,
        final_estimator=StackingClassifier(_net_and_xgb(True), final_estimator=_net(True),
                                           cv=3)),
    "stacking-reg-nested": StackingRegressor(
        _net_and_xgb(False), cv=3,
        final_estimator=StackingRegressor(_net_and_xgb(False), final_estimator=_net(False),
                                          cv=3)),
    "selection-clf": EnsembleSelectionClassifier(_net_and_xgb(True), n_iter=3, cv=3),
    "selection-reg": EnsembleSelectionRegressor(_net_and_xgb(False), n_iter=3, cv=3),
    "bagging-clf-net": BaggingClassifier(_net(True), n_estimators=2),
    "bagging-clf-xgb": BaggingClassifier(_xgb(True), n_estimators=2),
    "bagging-reg-net": BaggingRegressor(_net(False), n_estimators=2),
    "adaboost-clf-xgb": AdaBoostClassifier(_xgb(True), n_estimators=2),
    "adaboost-reg-net": AdaBoostRegressor(_net(False), n_estimators=2),
    "gradient-boosting-clf-net": GradientBoostingClassifier(_net(False), n_estimators=2,
                                                            init=_net(True)),
    "gradient-boosting-reg-xgb": GradientBoostingRegressor(_xgb(False), n_estimators=2,
                                                           init=_net(False)),
}


def _device(estimator):
    return estimator.get_params(deep=False)["device"]


def _has_device(obj):
    return hasattr(obj, "get_params") and "device" in obj.get_params(deep=False)


def _fitted_parts(estimator, path=""):
    """(where, what) for every fitted sub-estimator inside a fitted ensemble, nested ones
    included: the members (for the out-of-fold engine also every fold model), a final
    estimator and an init."""
    if _name(estimator) == "FoldAverage":  # refit=False: the fold models, used as one
        parts = [(f".estimators[{i}]", m) for i, m in enumerate(estimator.estimators)]
    else:
        members = getattr(estimator, "estimators_", [])
        if isinstance(members, np.ndarray):  # gradient boosting: (stages, outputs)
            parts = [(f".estimators_[{', '.join(map(str, index))}]", m)
                     for index, m in np.ndenumerate(members)]
        else:
            parts = [(f".estimators_[{i}]", m) for i, m in enumerate(members)]
    cross_fit = getattr(estimator, "cross_fit_", None)
    if cross_fit is not None:
        parts += [(f".cross_fit_.fold_estimators[{name!r}][{fold}]", model)
                  for name, models in cross_fit.fold_estimators.items()
                  for fold, model in enumerate(models)]
    parts += [(f".{name}", getattr(estimator, name))
              for name in ("final_estimator_", "init_") if hasattr(estimator, name)]
    found = []
    for where, part in parts:
        if hasattr(part, "get_params"):  # not 'drop', None or init "zero"
            found += [(path + where, part), *_fitted_parts(part, path + where)]
    return found


def test_the_device_table_covers_every_meta_learner():
    assert {_name(e) for e in DEVICE.values()} == _meta_names()


@pytest.mark.parametrize("estimator", DEVICE.values(), ids=DEVICE.keys())
def test_device_reaches_every_fitted_sub_estimator(estimator):
    X, y = _data(estimator)
    estimator = clone(estimator).set_params(device="cpu")  # as a user would build it
    given = {key: _device(value) for key, value in estimator.get_params(deep=True).items()
             if _has_device(value)}
    assert given and "cpu" not in given.values()  # nets at "auto", XGBoost at None
    estimator.fit(X, y)
    parts = [(where, part) for where, part in _fitted_parts(estimator) if _has_device(part)]
    assert {_name(part) for _, part in parts} & {"NetClassifier", "NetRegressor",
                                                 "XGBClassifier", "XGBRegressor"}
    wrong = [f"{where}: {_name(part)}(device={_device(part)!r})" for where, part in parts
             if _device(part) != "cpu"]
    assert not wrong, f"fitted sub-estimators not on device='cpu': {wrong}"
    # What the user gave is not changed.
    assert {key: _device(value) for key, value in estimator.get_params(deep=True).items()
            if key in given} == given


# -- nested parameters ------------------------------------------------------------------
# A member's parameter and one of the ensemble's own, for each meta-learner of META.
GRIDS = {
    "VotingClassifier": {"lr__C": [0.01, 1.0], "weights": [None, [1, 3]]},
    "VotingRegressor": {"ridge__alpha": [0.1, 100.0], "weights": [None, [1, 3]]},
    "StackingClassifier": {"lr__C": [0.01, 1.0], "final_estimator__C": [0.01, 1.0]},
    "StackingRegressor": {"ridge__alpha": [0.1, 100.0],
                          "final_estimator__alpha": [0.1, 100.0]},
    "EnsembleSelectionClassifier": {"tree__max_depth": [1, 3], "n_iter": [2, 5]},
    "EnsembleSelectionRegressor": {"tree__max_depth": [1, 3], "n_iter": [2, 5]},
    "BaggingClassifier": {"estimator__max_depth": [1, 3], "n_estimators": [2, 5]},
    "BaggingRegressor": {"estimator__max_depth": [1, 3], "n_estimators": [2, 5]},
    "AdaBoostClassifier": {"estimator__max_depth": [1, 2], "n_estimators": [2, 5]},
    "AdaBoostRegressor": {"estimator__max_depth": [1, 3], "learning_rate": [0.5, 1.0]},
    "GradientBoostingClassifier": {"estimator__max_depth": [1, 2],
                                   "learning_rate": [0.1, 0.5]},
    "GradientBoostingRegressor": {"estimator__max_depth": [1, 2],
                                  "learning_rate": [0.1, 0.5]},
}


def test_the_grids_cover_every_meta_learner():
    assert set(GRIDS) == _meta_names()


@meta
def test_grid_search_over_member_and_ensemble_parameters(estimator):
    X, y = _data(estimator)
    grid = GRIDS[_name(estimator)]
    search = GridSearchCV(estimator, grid, cv=3, error_score="raise").fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_.keys() == grid.keys()
    best = search.best_estimator_
    for key, value in search.best_params_.items():
        assert value in grid[key]
        assert best.get_params()[key] == value
        if "__" in key:  # and the fitted sub-estimator was built with it
            owner, param = key.split("__", 1)
            assert _fitted_sub(best, owner).get_params()[param] == value
    assert best.predict(X).shape == (len(y),)


def _fitted_sub(ensemble, owner):
    """The fitted counterpart of the sub-estimator parameter ``owner`` names."""
    if owner == "final_estimator":
        return ensemble.final_estimator_
    if owner == "estimator":  # bagging, AdaBoost, gradient boosting: the first member
        return np.ravel(np.asarray(ensemble.estimators_, dtype=object))[0]
    return ensemble.named_estimators_[owner]


# -- clone, pickle, joblib --------------------------------------------------------------
@meta
def test_clone_pickle_and_joblib_round_trips(estimator, tmp_path):
    X, y = _data(estimator)
    fitted = clone(estimator).fit(X, y)
    expected = _outputs(fitted, X)

    _assert_same(_outputs(pickle.loads(pickle.dumps(fitted)), X), expected)
    joblib.dump(fitted, tmp_path / "model.joblib")
    _assert_same(_outputs(joblib.load(tmp_path / "model.joblib"), X), expected)

    unfitted = clone(fitted)
    assert repr(unfitted) == repr(estimator)
    with pytest.raises(NotFittedError):
        unfitted.predict(X)
    _assert_same(_outputs(unfitted.fit(X, y), X), expected)


# -- members that declare no kind -------------------------------------------------------
class PlainClassifier(BaseEstimator):
    """A classifier as users write them: BaseEstimator with fit/predict/predict_proba, no
    ClassifierMixin, no tags (nearest weighted centroid, softmax of minus the distance)."""

    def __init__(self, temperature=1.0):
        self.temperature = temperature

    def fit(self, X, y, sample_weight=None):
        X, y = np.asarray(X, dtype=float), np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        self.classes_ = np.unique(y)
        self.centroids_ = np.array([
            np.average(X[y == c], axis=0, weights=w[y == c] if w[y == c].sum() > 0 else None)
            for c in self.classes_])
        return self

    def predict_proba(self, X):
        d = ((np.asarray(X, dtype=float)[:, None, :] - self.centroids_[None]) ** 2).sum(-1)
        z = -d / self.temperature
        p = np.exp(z - z.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class PlainRegressor(BaseEstimator):
    """A regressor as users write them: weighted least squares, no RegressorMixin, no tags."""

    def fit(self, X, y, sample_weight=None):
        X = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        root = np.sqrt(w)[:, None]
        self.coef_ = np.linalg.lstsq(X * root, np.asarray(y, float) * root[:, 0],
                                     rcond=None)[0]
        return self

    def predict(self, X):
        return self.coef_[0] + np.asarray(X, dtype=float) @ self.coef_[1:]


def _with_plain_members(estimator):
    params = estimator.get_params(deep=False)
    if "estimators" in params:
        plain = PlainClassifier() if is_classifier(estimator) else PlainRegressor()
        return clone(estimator).set_params(estimators=[("plain", plain),
                                                       *params["estimators"][1:]])
    boosts_gradients = _name(estimator).startswith("GradientBoosting")
    plain = (PlainClassifier() if is_classifier(estimator) and not boosts_gradients
             else PlainRegressor())
    return clone(estimator).set_params(estimator=plain)


@pytest.mark.parametrize("estimator", META, ids=_name)
def test_a_member_that_declares_no_kind_is_taken(estimator):
    assert not is_classifier(PlainClassifier()) and not is_regressor(PlainRegressor())
    estimator = _with_plain_members(estimator)
    X, y = _data(estimator)
    fitted = clone(estimator).fit(X, y)
    prediction = fitted.predict(X)
    assert prediction.shape == (len(X),)
    if is_classifier(estimator):
        assert set(np.unique(prediction)) <= set(np.unique(y))
        assert np.mean(prediction == y) > 0.6  # chance is 1/3
    else:
        assert np.corrcoef(prediction, y)[0, 1] > 0.8


@pytest.mark.parametrize("estimator", [e for e in META if "estimators" in e.get_params()
                                       and "Stacking" not in _name(e)], ids=_name)
def test_a_member_of_the_other_kind_is_refused(estimator):
    other = Ridge() if is_classifier(estimator) else LogisticRegression()
    estimator = clone(estimator).set_params(estimators=[("other", other)])
    X, y = _data(estimator)
    kind = "classifier" if is_classifier(estimator) else "regressor"
    with pytest.raises(ValueError, match=f"member 'other' must be a {kind} for "
                                         f"{_name(estimator)}"):
        estimator.fit(X, y)
