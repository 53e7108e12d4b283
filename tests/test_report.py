"""The overfitting report: exact scores, verdicts, curves, one fit per (member, fold), errors."""

import numpy as np
import pandas as pd
import pytest
from counting import CountingClassifier
from failing import BoomClassifier
from lightgbm import LGBMClassifier
from sklearn.base import clone
from sklearn.datasets import make_circles, make_classification, make_regression
from sklearn.ensemble import VotingClassifier as SkVotingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier

from ensembles import (
    GradientBoostingClassifier,
    NetClassifier,
    OverfittingReport,
    StackingClassifier,
    VotingClassifier,
    overfitting_report,
)


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=240, n_features=8, n_informative=4, flip_y=0.1,
                               random_state=0)


def _fold_scores(report, model, name):
    rows = report.scores[report.scores["model"] == model].sort_values("fold")
    return rows[f"train_{name}"].to_numpy(), rows[f"valid_{name}"].to_numpy()


def test_plain_estimator_scores_equal_cross_validate(data):
    X, y = data
    cv = StratifiedKFold(4, shuffle=True, random_state=1)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    report = overfitting_report(tree, X, y, cv=cv, scoring=["accuracy", "neg_log_loss"])
    expected = cross_validate(tree, X, y, cv=cv, scoring=["accuracy", "neg_log_loss"],
                              return_train_score=True)
    for name in ("accuracy", "neg_log_loss"):
        train, valid = _fold_scores(report, "DecisionTreeClassifier", name)
        np.testing.assert_array_equal(train, expected[f"train_{name}"])
        np.testing.assert_array_equal(valid, expected[f"test_{name}"])


def test_stack_members_scores_equal_cross_validate(data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=2)
    members = [
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ("lr", make_pipeline(StandardScaler(), LogisticRegression())),
        ("xgb", XGBClassifier(n_estimators=15, max_depth=2, random_state=0)),
        ("net", NetClassifier(max_epochs=5, random_state=0)),
    ]
    report = overfitting_report(StackingClassifier(members), X, y, cv=cv)
    assert report.models == ["tree", "lr", "xgb", "net", "StackingClassifier"]
    for name, est in members:
        expected = cross_validate(est, X, y, cv=cv, scoring=["accuracy", "neg_log_loss"],
                                  return_train_score=True)
        for scorer in ("accuracy", "neg_log_loss"):
            train, valid = _fold_scores(report, name, scorer)
            np.testing.assert_allclose(train, expected[f"train_{scorer}"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(valid, expected[f"test_{scorer}"], rtol=0, atol=1e-12)


def test_voting_with_given_weights_ensemble_row_equals_cross_validate(data):
    """Nothing is learned on top of the members: the rebuilt fold ensemble is exact."""
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=3)
    members = [("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
               ("nb", GaussianNB())]
    ours = VotingClassifier(members, voting="soft", weights=[2, 1])
    report = overfitting_report(ours, X, y, cv=cv, scoring="accuracy")
    theirs = SkVotingClassifier(members, voting="soft", weights=[2, 1])
    expected = cross_validate(theirs, X, y, cv=cv, scoring="accuracy",
                              return_train_score=True)
    train, valid = _fold_scores(report, "VotingClassifier", "accuracy")
    np.testing.assert_array_equal(train, expected["train_score"])
    np.testing.assert_array_equal(valid, expected["test_score"])


def test_no_member_is_fitted_twice_per_fold(data):
    X, y = data
    CountingClassifier.fits = []
    stack = StackingClassifier([(n, CountingClassifier(n)) for n in ("a", "b")])
    overfitting_report(stack, X, y, cv=4)
    # one fit per fold on its 180 training rows, no refit
    assert sorted(CountingClassifier.fits) == [("a", 180)] * 4 + [("b", 180)] * 4


def test_verdicts_overfit_underfit_ok():
    X, y = make_classification(n_samples=400, n_features=10, n_informative=3, flip_y=0.3,
                               random_state=0)
    tree = overfitting_report(DecisionTreeClassifier(random_state=0), X, y, cv=4)
    assert tree.to_frame().set_index("model").loc["DecisionTreeClassifier", "verdict"] == \
        "overfit"

    Xc, yc = make_circles(n_samples=400, noise=0.1, factor=0.5, random_state=0)
    linear = overfitting_report(LogisticRegression(C=1e-4), Xc, yc, cv=4)
    assert linear.to_frame().set_index("model").loc["LogisticRegression", "verdict"] == \
        "underfit"

    Xl, yl = make_classification(n_samples=400, n_features=10, n_informative=5,
                                 n_redundant=0, flip_y=0.02, class_sep=1.5, random_state=0)
    tuned = overfitting_report(LogisticRegression(C=1.0), Xl, yl, cv=4)
    assert tuned.to_frame().set_index("model").loc["LogisticRegression", "verdict"] == "ok"


def test_regression_default_scoring_and_verdict():
    X, y = make_regression(n_samples=200, n_features=5, noise=30.0, random_state=0)
    report = overfitting_report([("tree", DecisionTreeRegressor(random_state=0)),
                                 ("ridge", Ridge())], X, y, cv=KFold(4))
    assert report.scoring == ["r2", "neg_root_mean_squared_error"]
    verdicts = report.to_frame().set_index("model")["verdict"]
    assert verdicts["tree"] == "overfit"
    assert verdicts["ridge"] == "ok"
    expected = cross_validate(Ridge(), X, y, cv=KFold(4), scoring="r2",
                              return_train_score=True)
    np.testing.assert_array_equal(_fold_scores(report, "ridge", "r2")[1],
                                  expected["test_score"])


def test_net_curves_one_point_per_epoch_and_overfitting_visible():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 10))
    y = (X[:, 0] + rng.normal(scale=1.5, size=90) > 0).astype(int)
    wide = NetClassifier(hidden_layer_sizes=(128,), max_epochs=40, lr=0.02, dropout=0.0,
                         random_state=0)
    stopped = NetClassifier(hidden_layer_sizes=(128,), max_epochs=40, lr=0.02,
                            early_stopping=True, n_iter_no_change=3, random_state=0)
    report = overfitting_report([("wide", wide), ("stopped", stopped)], X, y, cv=3)
    curves = report.curves
    wide_val = curves[(curves.model == "wide") & (curves.metric == "loss")]
    for fold in range(3):
        for split in ("train", "validation"):
            assert (wide_val[(wide_val.fold == fold) & (wide_val.split == split)].step.tolist()
                    == list(range(1, 41)))
        valid = wide_val[(wide_val.fold == fold) & (wide_val.split == "validation")].value
        train = wide_val[(wide_val.fold == fold) & (wide_val.split == "train")].value
        assert valid.iloc[-1] > 1.5 * valid.min()  # validation loss rises ...
        assert train.iloc[-1] < 0.5 * train.iloc[valid.to_numpy().argmin()]  # train falls
    stopped_rows = curves[(curves.model == "stopped") & (curves.metric == "loss")
                          & (curves.split == "validation")]
    for fold, est in enumerate(_fold_models(stopped, X, y, 3)):
        assert (stopped_rows.fold == fold).sum() == est.n_iter_ < 40


def _fold_models(est, X, y, k):
    # the report's folds for cv=k: shuffled, seeded with 0 (random_state=None)
    return [clone(est).fit(X[train], y[train])
            for train, _ in StratifiedKFold(k, shuffle=True, random_state=0).split(X, y)]


def test_boosting_curves_have_a_point_per_round(data):
    X, y = data
    report = overfitting_report(
        [("gb", GradientBoostingClassifier(n_estimators=12, random_state=0)),
         ("lgbm", LGBMClassifier(n_estimators=8, verbose=-1, random_state=0))],
        X, y, cv=3)
    for model, rounds in (("gb", 12), ("lgbm", 8)):
        rows = report.curves[(report.curves.model == model) & (report.curves.fold == 0)
                             & (report.curves.split == "validation")
                             & (report.curves.metric == "accuracy")]
        assert rows.step.tolist() == list(range(1, rounds + 1))
    # the last round's validation accuracy is the fold model's score
    last = report.curves[(report.curves.model == "gb") & (report.curves.step == 12)
                         & (report.curves.split == "validation")
                         & (report.curves.metric == "accuracy")].sort_values("fold")
    np.testing.assert_allclose(last.value, _fold_scores(report, "gb", "accuracy")[1])


def test_prefit_reuses_the_fitted_record(data):
    X, y = data
    members = [("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
               ("lr", LogisticRegression())]
    stack = StackingClassifier(members, cv=3, random_state=0,
                               keep_fold_models=True).fit(X, y)  # prefit rescores them
    reused = overfitting_report(stack, X, y, cv="prefit")
    # the stack's own folds: cv=3 in row order, as scikit-learn's ensembles
    fresh = overfitting_report(StackingClassifier(members, random_state=0), X, y, cv=3,
                               shuffle=False)
    pd.testing.assert_frame_equal(
        reused.scores.drop(columns="fit_time"), fresh.scores.drop(columns="fit_time"))
    with pytest.raises(ValueError, match="not the data this ensemble was fitted on"):
        overfitting_report(stack, X[::-1], y[::-1], cv="prefit")


def test_json_round_trip_and_text(tmp_path, data):
    X, y = data
    report = overfitting_report(
        [("tree", DecisionTreeClassifier(random_state=0)),
         ("gb", GradientBoostingClassifier(n_estimators=5, random_state=0))], X, y, cv=3)
    again = OverfittingReport.from_json(report.to_json(tmp_path / "r.json"))
    pd.testing.assert_frame_equal(again.scores, report.scores)
    pd.testing.assert_frame_equal(again.curves, report.curves)
    pd.testing.assert_frame_equal(again.to_frame(), report.to_frame())
    text = str(report)
    assert "tree" in text and "overfit" in text and "baseline (dummy)" in text
    assert report.to_markdown().startswith("| model |")


def test_bad_input_is_named(data):
    X, y = data
    y_small = y.copy()
    y_small[:2] = 2  # a class of 2 rows
    with pytest.raises(ValueError, match="cv=5 folds need at least 5 rows of each class"):
        overfitting_report(LogisticRegression(), X, y_small, cv=5)
    with pytest.raises(ValueError, match="scoring: unknown scorer name"):
        overfitting_report(LogisticRegression(), X, y, scoring="acuracy")
    with pytest.raises(NotFittedError, match="cv='prefit' needs a fitted ensemble"):
        overfitting_report(StackingClassifier([("lr", LogisticRegression())]), X, y,
                           cv="prefit")
    with pytest.raises(ValueError, match="cv='prefit' reuses"):
        overfitting_report(LogisticRegression().fit(X, y), X, y, cv="prefit")
    fixed = VotingClassifier([("lr", LogisticRegression())], weights=[1]).fit(X, y)
    with pytest.raises(ValueError, match="fitted without cross-validation"):
        overfitting_report(fixed, X, y, cv="prefit")
    with pytest.raises(ValueError, match="all classifiers or all regressors"):
        overfitting_report([("lr", LogisticRegression()), ("r", Ridge())], X, y)
    with pytest.raises(ValueError, match="per must be 'model' or 'fold'"):
        overfitting_report(LogisticRegression(), X, y, cv=3).to_frame(per="row")


# -- a model that fails ---------------------------------------------------------------
def test_a_failing_model_is_left_out_and_the_others_reported(data):
    X, y = data
    models = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(random_state=0))]
    alone = overfitting_report(models, X, y, cv=3)
    with pytest.warns(UserWarning, match=r"'boom' left out: RuntimeError: member 'boom' "
                      r"failed in fold 0: boom: 8 columns"):
        report = overfitting_report(models + [("boom", BoomClassifier())], X, y, cv=3)
    pd.testing.assert_frame_equal(report.scores.drop(columns="fit_time"),
                                  alone.scores.drop(columns="fit_time"))
    assert report.notes == [
        "'boom' left out: RuntimeError: member 'boom' failed in fold 0: boom: 8 columns"]
    with pytest.raises(RuntimeError, match="member 'boom' failed in fold 0"):
        overfitting_report(models + [("boom", BoomClassifier())], X, y, cv=3,
                           on_error="raise")


def test_an_ensemble_with_a_failing_member_is_reported_member_by_member(data):
    X, y = data
    stack = StackingClassifier([("lr", LogisticRegression()), ("boom", BoomClassifier())])
    with pytest.warns(UserWarning, match="'boom' left out"):
        report = overfitting_report(stack, X, y, cv=3)
    assert set(report.scores["model"]) == {"lr", "baseline"}
    assert report.notes[-1] == ("'StackingClassifier' (the ensemble) is not reported: its "
                                "member(s) ['boom'] failed.")
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="boom: 8 columns"):
        overfitting_report(BoomClassifier(), X, y, cv=3)  # nothing left to report


@pytest.mark.parametrize("member", [
    make_pipeline(StandardScaler(), NetClassifier(max_epochs=4, dropout=0.2, random_state=0)),
    XGBClassifier(n_estimators=6, max_depth=2, random_state=0),
    make_pipeline(StandardScaler(), LGBMClassifier(n_estimators=6, verbose=-1,
                                                   random_state=0)),
], ids=["net-pipeline", "xgb", "lgbm-pipeline"])
def test_watching_the_validation_fold_leaves_the_fit_unchanged(data, member):
    from ensembles.engine.oof import fit_member

    X, y = data
    train, valid = np.arange(160), np.arange(160, 240)
    plain = fit_member(clone(member), X[train], y[train])
    watched = fit_member(clone(member), X[train], y[train],
                         eval_set=(X[valid], y[valid]))
    np.testing.assert_array_equal(plain.predict_proba(X), watched.predict_proba(X))
    report = overfitting_report([("m", member)], X, y, cv=StratifiedKFold(3))
    last = report.curves[(report.curves.split == "validation")
                         & (report.curves.metric == "accuracy")]
    last = last[last.step == last.step.max()].sort_values("fold").value.to_numpy()
    np.testing.assert_allclose(last, _fold_scores(report, "m", "accuracy")[1], atol=1e-6)


# -- folds: shuffled and seeded by default (issue 17, item 3) ------------------------------
def test_int_cv_is_shuffled_and_seeded(data):
    X, y = data
    model = DecisionTreeClassifier(max_depth=3, random_state=0)

    def scores(**kwargs):
        return overfitting_report(model, X, y, curves=False, **kwargs).scores.drop(
            columns="fit_time")

    pd.testing.assert_frame_equal(
        scores(cv=3), scores(cv=StratifiedKFold(3, shuffle=True, random_state=0)))
    pd.testing.assert_frame_equal(
        scores(cv=3, random_state=5),
        scores(cv=StratifiedKFold(3, shuffle=True, random_state=5)))
    pd.testing.assert_frame_equal(scores(cv=3, shuffle=False), scores(cv=StratifiedKFold(3)))
    assert not scores(cv=3).equals(scores(cv=3, shuffle=False))


def test_rows_sorted_by_the_target_driver_are_not_called_overfit():
    """On rows sorted by the feature that drives y, in-order folds make validation r2
    collapse (each fold a slice of y the others did not cover) and the report call a
    nearest-neighbour model overfit; the default folds do not."""
    rng = np.random.RandomState(0)
    x = np.sort(rng.uniform(0, 10, 200))
    X = np.column_stack([x, rng.normal(size=200)])
    y = x + rng.normal(size=200)
    models = [("ridge", Ridge()), ("knn", KNeighborsRegressor())]
    frames = {shuffle: overfitting_report(models, X, y, shuffle=shuffle, curves=False)
              .to_frame().set_index("model") for shuffle in (True, False)}
    assert frames[True].loc["knn", "verdict"] == "ok"
    assert frames[False].loc["knn", "verdict"] == "overfit"
    assert frames[True].loc["ridge", "valid_r2"] > 0.85
    assert frames[False].loc["ridge", "valid_r2"] < 0.4


def test_a_scorer_that_cannot_score_the_task_fails_before_any_fit(data):
    X, y = data
    CountingClassifier.fits.clear()
    with pytest.raises(ValueError, match="scoring 'r2' is a regression score"):
        overfitting_report([("a", CountingClassifier("a"))], X, y, cv=3, scoring="r2")
    assert CountingClassifier.fits == []
