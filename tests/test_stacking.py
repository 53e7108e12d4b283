"""StackingClassifier / StackingRegressor: scikit-learn parity, layers, leakage, errors."""

import pickle

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier
from sklearn import ensemble as sk
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier, StackingRegressor
from ensembles.combine.stacking import FoldAverage


@pytest.fixture(scope="module")
def multiclass():
    return make_classification(
        n_samples=240, n_features=8, n_informative=5, n_classes=3, random_state=0
    )


@pytest.fixture(scope="module")
def binary():
    return make_classification(n_samples=200, n_features=6, random_state=1)


def _members():
    return [
        ("lr", LogisticRegression(max_iter=500)),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ("svc", LinearSVC(random_state=0)),  # decision_function only
    ]


# -- parity with scikit-learn ---------------------------------------------------------


@pytest.mark.parametrize("data", ["binary", "multiclass"])
@pytest.mark.parametrize("passthrough", [False, True])
def test_classifier_equals_sklearn(request, data, passthrough):
    X, y = request.getfixturevalue(data)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    kwargs = dict(final_estimator=LogisticRegression(), cv=cv, passthrough=passthrough)
    ours = StackingClassifier(_members(), **kwargs).fit(X, y)
    theirs = sk.StackingClassifier(_members(), **kwargs).fit(X, y)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.stack_method_ == theirs.stack_method_


def test_regressor_equals_sklearn():
    X, y = make_regression(n_samples=200, n_features=6, noise=3.0, random_state=0)
    members = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))]
    cv = KFold(5, shuffle=True, random_state=0)
    ours = StackingRegressor(members, final_estimator=Ridge(), cv=cv).fit(X, y)
    theirs = sk.StackingRegressor(members, final_estimator=Ridge(), cv=cv).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-10)


def test_out_of_fold_predictions_equal_cross_val_predict(multiclass):
    X, y = multiclass
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    stack = StackingClassifier(_members(), cv=cv).fit(X, y)
    for name, est in _members():
        method = "predict_proba" if name != "svc" else "decision_function"
        expected = cross_val_predict(est, X, y, cv=cv, method=method)
        np.testing.assert_allclose(stack.cross_fit_.oof[name], expected, atol=1e-12)
        assert len(stack.cross_fit_.fold_estimators[name]) == 5


# -- the real members, in a Pipeline, tuned and cross-validated -------------------------


def test_net_xgb_lgbm_stack_in_pipeline_with_grid_search():
    X, y = make_classification(n_samples=180, n_features=6, n_informative=4, random_state=0)
    X = pd.DataFrame(X, columns=[f"col{i}" for i in range(6)])
    y = np.array(["no", "yes"])[y]
    stack = StackingClassifier(
        [
            ("net", NetClassifier(hidden_layer_sizes=(8,), max_epochs=10, lr=0.02)),
            ("xgb", XGBClassifier(n_estimators=10, max_depth=2, n_jobs=1)),
            ("lgbm", LGBMClassifier(n_estimators=10, num_leaves=4, verbose=-1, n_jobs=1)),
            ("linear", LogisticRegression()),
        ],
        cv=3, random_state=0,
    )
    model = make_pipeline(StandardScaler().set_output(transform="pandas"), stack)
    grid = GridSearchCV(model, {"stackingclassifier__xgb__max_depth": [1, 3]}, cv=2)
    grid.fit(X, y)
    best = grid.best_estimator_
    assert best[-1].named_estimators_["xgb"].max_depth == grid.best_params_[
        "stackingclassifier__xgb__max_depth"]
    assert set(best.predict(X)) <= {"no", "yes"}
    assert best[-1].feature_names_in_.tolist() == list(X.columns)

    scores = cross_validate(model, X, y, cv=3)
    assert scores["test_score"].mean() > 0.7

    fitted = clone(model).fit(X, y)
    again = clone(model).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), again.predict_proba(X))
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))

    dropped = clone(model).set_params(stackingclassifier__net="drop").fit(X, y)
    assert dropped[-1].named_estimators_["net"] == "drop"
    assert dropped[-1].transform(X).shape[1] == 3


def test_same_result_whatever_n_jobs(multiclass):
    X, y = multiclass
    members = [("tree", DecisionTreeClassifier(max_features=2)),  # unseeded: seeds drawn
               ("net", NetClassifier(hidden_layer_sizes=(8,), max_epochs=5, dropout=0.2))]
    one = StackingClassifier(members, random_state=3, n_jobs=1).fit(X, y)
    two = StackingClassifier(members, random_state=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    assert members[0][1].random_state is None  # the user's member was not touched


# -- refit=False, prefit, layers -------------------------------------------------------


class CountingTree(DecisionTreeClassifier):
    fits = 0

    def fit(self, X, y, sample_weight=None, check_input=True):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def test_refit_false_keeps_fold_models_and_saves_a_fit(multiclass):
    X, y = multiclass
    CountingTree.fits = 0
    StackingClassifier([("t", CountingTree(max_depth=3))], cv=4).fit(X, y)
    assert CountingTree.fits == 5  # 4 folds + 1 refit
    CountingTree.fits = 0
    bagged = StackingClassifier([("t", CountingTree(max_depth=3))], cv=4, refit=False)
    bagged.fit(X, y)
    assert CountingTree.fits == 4
    member = bagged.estimators_[0]
    assert isinstance(member, FoldAverage)
    folds = bagged.cross_fit_.fold_estimators["t"]
    expected = np.mean([f.predict_proba(X) for f in folds], axis=0)
    np.testing.assert_allclose(member.predict_proba(X), expected)
    assert bagged.score(X, y) > 0.6


def test_prefit_members(multiclass):
    X, y = multiclass
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    stack = StackingClassifier([("tree", tree)], cv="prefit").fit(X, y)
    assert stack.estimators_[0] is tree
    np.testing.assert_allclose(stack.transform(X), tree.predict_proba(X))
    with pytest.raises(NotFittedError, match="member 'knn' .* is not fitted"):
        StackingClassifier([("tree", tree), ("knn", KNeighborsClassifier())],
                           cv="prefit").fit(X, y)


def test_two_layer_stack(multiclass):
    X, y = multiclass
    layer2 = StackingClassifier(
        [("lr", LogisticRegression(C=0.5)), ("tree", DecisionTreeClassifier(max_depth=2))],
        final_estimator=LogisticRegression(), cv=99,  # ignored: layer 1's folds are used
    )
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    stack = StackingClassifier(_members(), final_estimator=layer2, cv=cv,
                               random_state=0).fit(X, y)
    inner = stack.final_estimator_
    assert isinstance(inner, StackingClassifier)
    outer_folds = stack.cross_fit_.folds
    for (_, a_test), (_, b_test) in zip(outer_folds, inner.cross_fit_.folds):
        np.testing.assert_array_equal(a_test, b_test)
    meta = stack.transform(X)
    assert inner.n_features_in_ == meta.shape[1]
    np.testing.assert_array_equal(stack.predict(X), inner.predict(meta))
    assert stack.score(X, y) > 0.7


def test_one_nn_does_not_leak_into_the_final_estimator():
    # 1-NN memorises its training rows: predicting them gives 100% accuracy. Stacking
    # on in-sample predictions would teach the final estimator to trust it blindly;
    # out-of-fold predictions show it as the noisy model it is.
    X, y = make_classification(n_samples=300, n_features=10, n_informative=2, flip_y=0.3,
                               random_state=0)
    knn = KNeighborsClassifier(n_neighbors=1)
    assert knn.fit(X, y).score(X, y) == 1.0
    stack = StackingClassifier([("knn", knn)], cv=5).fit(X, y)
    meta_train_accuracy = stack.final_estimator_.score(
        stack.cross_fit_.oof["knn"][:, 1:], y)
    assert meta_train_accuracy < 0.85
    in_sample = StackingClassifier([("knn", knn)], cv="prefit").fit(X, y)
    assert in_sample.final_estimator_.score(in_sample.transform(X), y) == 1.0


# -- weights and failures --------------------------------------------------------------


def test_sample_weight_reaches_members_and_final(binary):
    X, y = binary
    w = np.where(y == 1, 5.0, 1.0)
    members = [("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
               ("lr", make_pipeline(StandardScaler(), LogisticRegression()))]
    cv = StratifiedKFold(3)
    ours = StackingClassifier(members, cv=cv).fit(X, y, sample_weight=w)
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.named_estimators_["tree"].predict_proba(X),
                               tree.predict_proba(X))
    plain = StackingClassifier(members, cv=cv).fit(X, y)
    assert ours.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_member_without_sample_weight_names_itself(binary):
    X, y = binary
    stack = StackingClassifier([("knn", KNeighborsClassifier())], cv=3)
    with pytest.raises(TypeError, match=r"^Underlying estimator KNeighborsClassifier does "
                       r"not support sample weights: member 'knn' \(KNeighborsClassifier\) "
                       r"does not accept sample_weight"):
        stack.fit(X, y, sample_weight=np.ones(len(y)))


class Broken(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise ArithmeticError("cannot fit this")

    def predict_proba(self, X):  # pragma: no cover - never reached
        return np.zeros((len(X), 2))


def test_failing_member_names_itself_and_keeps_its_type(binary):
    X, y = binary
    stack = StackingClassifier([("lr", LogisticRegression()), ("bad", Broken())], cv=3)
    with pytest.raises(ArithmeticError, match="member 'bad' failed in fold 0: cannot fit"):
        stack.fit(X, y)


# -- bad input -------------------------------------------------------------------------

BAD = [
    ("empty", dict(estimators=[]), ValueError,
     "'estimators' should be a non-empty list of \\(string, estimator\\) tuples; "
     "StackingClassifier got \\[\\]"),
    ("not tuples", dict(estimators=[LogisticRegression()]), TypeError,
     "StackingClassifier got LogisticRegression\\(\\), not a \\(str, estimator\\) tuple"),
    ("duplicate", dict(estimators=[("a", LogisticRegression()), ("a", DummyClassifier())]),
     ValueError, "Names provided are not unique"),
    ("all dropped", dict(estimators=[("a", "drop"), ("b", "drop")]), ValueError,
     "All estimators are dropped.*every member of StackingClassifier is 'drop'"),
    ("final kind", dict(estimators=[("lr", LogisticRegression())],
                        final_estimator=LinearRegression()), ValueError,
     "final_estimator must be a classifier for StackingClassifier; got LinearRegression()"),
    ("stack method", dict(estimators=[("svc", LinearSVC())], stack_method="predict_proba"),
     ValueError, "member 'svc' \\(LinearSVC\\) has no 'predict_proba' method"),
    ("cv too big", dict(estimators=[("lr", LogisticRegression())], cv=150), ValueError,
     "n_splits=150 cannot be greater than the number of members in each class"),
    ("cv not a partition", dict(estimators=[("lr", LogisticRegression())],
                                cv=ShuffleSplit(3, random_state=0)),
     ValueError, "cv must put every row in exactly one test fold"),
    ("cv string", dict(estimators=[("lr", LogisticRegression())], cv="loo"), ValueError,
     "'cv' parameter of StackingClassifier"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(binary, case):
    _, params, error, message = case
    X, y = binary
    with pytest.raises(error, match=message):
        StackingClassifier(**params).fit(X, y)


def test_a_regressor_member_gives_its_prediction_as_a_feature(binary):
    # As scikit-learn's stacking: a first-layer member of either kind (a regressor of the
    # 0/1 labels is a score, e.g. for ordinal targets); the final estimator's kind counts.
    X, y = binary
    stack = StackingClassifier([("lin", LinearRegression()), ("lr", LogisticRegression())],
                               random_state=0).fit(X, y)
    assert stack.stack_method_ == ["predict", "predict_proba"]
    assert stack.transform(X).shape == (len(X), 2)
    lin = LinearRegression().fit(X, y)
    np.testing.assert_allclose(stack.transform(X)[:, 0], lin.predict(X))


def test_regressor_rejects_classifier_final():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    with pytest.raises(ValueError, match="final_estimator must be a regressor"):
        StackingRegressor([("r", Ridge())], final_estimator=LogisticRegression()).fit(X, y)


def test_device_is_applied_to_member_clones(binary):
    X, y = binary
    net = NetClassifier(hidden_layer_sizes=(4,), max_epochs=2, device="auto")
    xgb = XGBClassifier(n_estimators=3, n_jobs=1)
    stack = StackingClassifier([("net", net), ("xgb", xgb)], cv=2, device="cpu").fit(X, y)
    assert stack.named_estimators_["net"].device == "cpu"
    assert stack.named_estimators_["xgb"].get_params()["device"] == "cpu"
    assert net.device == "auto" and xgb.get_params()["device"] is None  # user's untouched


def test_verbose_shows_a_progress_bar(binary, capsys):
    X, y = binary
    StackingClassifier([("lr", LogisticRegression())], cv=3).fit(X, y)
    assert capsys.readouterr().err == ""
    StackingClassifier([("lr", LogisticRegression())], cv=3, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "StackingClassifier" in err and "4/4" in err  # 3 folds + 1 refit


@pytest.mark.parametrize("passthrough", [False, True])
@pytest.mark.parametrize("frame", [False, True], ids=["array", "frame"])
def test_feature_names_out_as_scikit_learn(multiclass, passthrough, frame):
    X, y = multiclass
    if frame:
        X = pd.DataFrame(X, columns=[f"col{j}" for j in range(X.shape[1])])
    members = [("lr", LogisticRegression(max_iter=500)),
               ("svc", LinearSVC()), ("gone", "drop")]
    ours = StackingClassifier(members, passthrough=passthrough, cv=3).fit(X, y)
    theirs = sk.StackingClassifier(members, passthrough=passthrough, cv=3).fit(X, y)
    np.testing.assert_array_equal(ours.get_feature_names_out(),
                                  theirs.get_feature_names_out())
    assert len(ours.get_feature_names_out()) == ours.transform(X).shape[1]
    if passthrough and not frame:
        names = [f"f{j}" for j in range(X.shape[1])]
        np.testing.assert_array_equal(ours.get_feature_names_out(names),
                                      theirs.get_feature_names_out(names))
    if frame:
        with pytest.raises(ValueError, match="input_features is not equal to"):
            ours.get_feature_names_out(["a"] * X.shape[1])


def test_regressor_feature_names_out_prefix():
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    stack = StackingRegressor([("ridge", Ridge()), ("lin", LinearRegression())],
                              cv=3).fit(X, y)
    assert list(stack.get_feature_names_out()) == ["stackingregressor_ridge",
                                                   "stackingregressor_lin"]
