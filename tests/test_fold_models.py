"""Fold models are dropped unless asked for (issue 14, item 6).

A fitted ensemble that refits its members keeps only what predict needs
(``keep_fold_models=False``), yet predicts exactly as one that keeps them; the benchmark
drops every fold model in the engine and still gives the same leaderboard.
"""

import pickle
import warnings
import weakref

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError

import ensembles.evaluation.benchmark as benchmark_module
from ensembles import (
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
    benchmark,
    cross_fit,
    overfitting_report,
)
from ensembles.engine.oof import DroppedModel, FoldAverage

X_CLF, Y_CLF = make_classification(n_samples=120, n_features=6, n_informative=4,
                                   n_classes=3, random_state=0)
X_REG, Y_REG = make_regression(n_samples=120, n_features=6, noise=5.0, random_state=0)


def _clf_members():
    return [("lr", LogisticRegression(max_iter=500)),
            ("rf", RandomForestClassifier(n_estimators=8, random_state=0))]


def _reg_members():
    return [("lin", LinearRegression()),
            ("rf", RandomForestRegressor(n_estimators=8, random_state=0))]


ENSEMBLES = [
    (StackingClassifier, _clf_members, {}, "clf"),
    (StackingRegressor, _reg_members, {}, "reg"),
    (VotingClassifier, _clf_members, {"weights": "auto"}, "clf"),
    (VotingRegressor, _reg_members, {"weights": "auto"}, "reg"),
    (EnsembleSelectionClassifier, _clf_members, {"n_iter": 5}, "clf"),
    (EnsembleSelectionRegressor, _reg_members, {"n_iter": 5}, "reg"),
]
IDS = [cls.__name__ for cls, *_ in ENSEMBLES]


def _data(kind):
    return (X_CLF, Y_CLF) if kind == "clf" else (X_REG, Y_REG)


def _outputs(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


@pytest.mark.parametrize(("cls", "members", "params", "kind"), ENSEMBLES, ids=IDS)
def test_default_drops_the_fold_models_and_predicts_as_one_that_keeps_them(
        cls, members, params, kind):
    X, y = _data(kind)
    dropped = cls(members(), cv=3, random_state=0, **params).fit(X, y)
    kept = cls(members(), cv=3, random_state=0, keep_fold_models=True, **params).fit(X, y)
    assert dropped.get_params()["keep_fold_models"] is False  # the default

    for name, _ in members():
        stand_ins = dropped.cross_fit_.fold_estimators[name]
        assert len(stand_ins) == 3
        assert all(isinstance(m, DroppedModel) for m in stand_ins)
        fold_models = kept.cross_fit_.fold_estimators[name]
        assert not any(isinstance(m, DroppedModel) for m in fold_models)
        # the fold models kept are the ones that made the out-of-fold predictions
        method = "predict_proba" if kind == "clf" else "predict"
        for (_, test), model in zip(kept.cross_fit_.folds, fold_models, strict=True):
            np.testing.assert_array_equal(getattr(model, method)(X[test]),
                                          kept.cross_fit_.oof[name][test])
        # what the record keeps besides the models is the same either way
        np.testing.assert_array_equal(dropped.cross_fit_.oof[name],
                                      kept.cross_fit_.oof[name])
        assert dropped.cross_fit_.fit_times[name].shape == (3,)
    np.testing.assert_array_equal(dropped.predict(X), kept.predict(X))
    np.testing.assert_array_equal(_outputs(dropped, X), _outputs(kept, X))


@pytest.mark.parametrize("cls", [StackingClassifier, EnsembleSelectionClassifier])
def test_without_refit_the_fold_models_are_the_members_and_stay(cls):
    model = cls(_clf_members(), cv=3, refit=False, random_state=0).fit(X_CLF, Y_CLF)
    folds = model.cross_fit_.fold_estimators["lr"]
    assert not any(isinstance(m, DroppedModel) for m in folds)
    member = model.estimators_[0]
    assert isinstance(member, FoldAverage)
    assert all(a is b for a, b in zip(member.estimators, folds, strict=True))


def test_a_default_stack_pickles_smaller_by_what_its_fold_models_weigh():
    members = [("rf", RandomForestClassifier(n_estimators=10, random_state=0)),
               ("lr", LogisticRegression(max_iter=500))]
    dropped = StackingClassifier(members, cv=3, random_state=0).fit(X_CLF, Y_CLF)
    kept = StackingClassifier(members, cv=3, random_state=0,
                              keep_fold_models=True).fit(X_CLF, Y_CLF)
    fold_models = sum(len(pickle.dumps(m)) for models in
                      kept.cross_fit_.fold_estimators.values() for m in models)
    small, large = len(pickle.dumps(dropped)), len(pickle.dumps(kept))
    assert small < large
    # the stand-ins weigh less than a tenth of the models they replace
    assert large - small > 0.9 * fold_models
    again = pickle.loads(pickle.dumps(dropped))
    np.testing.assert_array_equal(again.predict_proba(X_CLF), kept.predict_proba(X_CLF))


def test_a_dropped_model_keeps_what_describes_it_and_refuses_the_rest():
    stack = StackingClassifier([("lr", LogisticRegression(max_iter=500)),
                                ("nb", GaussianNB())], cv=3).fit(X_CLF, Y_CLF)
    lr, nb = (stack.cross_fit_.fold_estimators[n][1] for n in ("lr", "nb"))
    assert (lr.model, lr.member, lr.fold) == ("LogisticRegression", "lr", 1)
    assert lr.n_features_in_ == 6
    np.testing.assert_array_equal(lr.classes_, [0, 1, 2])
    assert get_tags(lr).estimator_type == "classifier"
    # it has the methods the model had, and no others
    assert hasattr(lr, "decision_function") and not hasattr(nb, "decision_function")
    assert hasattr(nb, "predict_proba")
    assert repr(lr) == "DroppedModel(LogisticRegression, member='lr', fold=1, outputs=[])"
    with pytest.raises(ValueError, match=(
            r"the fold-1 model of member 'lr' \(LogisticRegression\) was dropped after its "
            r"fit \(keep_models=False; keep_fold_models=False in an ensemble\) and cannot "
            r"compute predict_proba on 5 rows: it kept no outputs. Fit with "
            r"keep_fold_models=True")):
        lr.predict_proba(X_CLF[:5])


def test_cross_fit_drops_the_fold_models_but_not_the_predictions_or_scores():
    members = [("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
               ("lr", LogisticRegression(max_iter=500))]
    folds = list(KFold(3, shuffle=True, random_state=0).split(X_CLF))
    common = dict(folds=folds, methods={"tree": "predict_proba", "lr": "predict_proba"},
                  scoring={"acc": "accuracy"}, n_classes=3, refit=True)
    kept = cross_fit(members, X_CLF, Y_CLF, **common)
    dropped = cross_fit(members, X_CLF, Y_CLF, keep_models=False,
                        test_outputs=("predict", "decision_function"), **common)
    for name, _ in members:
        np.testing.assert_array_equal(dropped.oof[name], kept.oof[name])
        for key in kept.scores[name]:
            np.testing.assert_array_equal(dropped.scores[name][key], kept.scores[name][key])
        # the fits on all rows are kept either way
        assert not isinstance(dropped.full_estimators[name], DroppedModel)
        for (_, test), stand_in, model in zip(folds, dropped.fold_estimators[name],
                                              kept.fold_estimators[name], strict=True):
            assert isinstance(stand_in, DroppedModel)
            # the outputs asked for, kept on the test rows: the model's own
            np.testing.assert_array_equal(stand_in.predict(X_CLF[test]),
                                          model.predict(X_CLF[test]))
            if name == "lr":
                np.testing.assert_array_equal(stand_in.decision_function(X_CLF[test]),
                                              model.decision_function(X_CLF[test]))
            else:  # a tree has no decision_function: none kept, none offered
                assert not hasattr(stand_in, "decision_function")
                assert sorted(stand_in.outputs) == ["predict"]


def test_cross_fit_keep_models_bad_input_is_named():
    members = [("lr", LogisticRegression())]
    folds = list(KFold(3).split(X_CLF))
    with pytest.raises(ValueError, match=r"test_outputs is kept on the stand-ins of dropped "
                                         r"fold models: it needs keep_models=False"):
        cross_fit(members, X_CLF, Y_CLF, folds=folds, test_outputs=("predict",))
    with pytest.raises(ValueError, match=r"test_outputs must be a tuple of prediction "
                                         r"methods among \['predict', 'predict_proba', "
                                         r"'predict_log_proba', 'decision_function'\]; "
                                         r"got \('transform',\)"):
        cross_fit(members, X_CLF, Y_CLF, folds=folds, keep_models=False,
                  test_outputs=("transform",))
    with pytest.raises(TypeError, match="keep_models must be True or False; got 'no'"):
        cross_fit(members, X_CLF, Y_CLF, folds=folds, keep_models="no")


def test_keep_fold_models_goes_through_get_params_clone_and_grid_search():
    stack = StackingClassifier(_clf_members(), cv=3, keep_fold_models=True)
    assert clone(stack).get_params()["keep_fold_models"] is True
    with pytest.raises(InvalidParameterError, match="'keep_fold_models' parameter of "
                                                    "StackingClassifier must be an instance"):
        StackingClassifier(_clf_members(), keep_fold_models="yes").fit(X_CLF, Y_CLF)
    search = GridSearchCV(StackingClassifier(_clf_members(), cv=3, random_state=0),
                          {"keep_fold_models": [False, True]}, cv=2).fit(X_CLF, Y_CLF)
    # the same stack either way: equal scores, and the refit winner keeps as it was told
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] == scores[1]
    best = search.best_estimator_
    kept = [isinstance(m, DroppedModel) for m in best.cross_fit_.fold_estimators["lr"]]
    assert kept == [not best.keep_fold_models] * 3


def test_prefit_report_needs_the_fold_models():
    members = [("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
               ("lr", LogisticRegression(max_iter=500))]
    stack = StackingClassifier(members, cv=3, random_state=0).fit(X_CLF, Y_CLF)
    with pytest.raises(ValueError, match=r"cv='prefit': this StackingClassifier dropped its "
                                         r"fold models .*keep_fold_models=False, the "
                                         r"default.*Fit it with keep_fold_models=True"):
        overfitting_report(stack, X_CLF, Y_CLF, cv="prefit")
    stack.set_params(keep_fold_models=True).fit(X_CLF, Y_CLF)
    report = overfitting_report(stack, X_CLF, Y_CLF, cv="prefit", curves=False)
    assert set(report.scores["model"]) >= {"tree", "lr"}


def _benchmark_twice(monkeypatch, *args, **kwargs):
    """The benchmark as it runs (fold models dropped), and with the engine told to keep
    every fold model (the path before issue 14, item 6); the records of both runs."""
    records = []
    real = benchmark_module.cross_fit

    def recording(*a, **k):
        records.append(real(*a, **k))
        return records[-1]

    def keeping(*a, **k):
        k.update(keep_models=True, test_outputs=())
        records.append(real(*a, **k))
        return records[-1]

    monkeypatch.setattr(benchmark_module, "cross_fit", recording)
    dropped = benchmark(*args, verbose=0, **kwargs)
    monkeypatch.setattr(benchmark_module, "cross_fit", keeping)
    kept = benchmark(*args, verbose=0, **kwargs)
    return dropped, kept, records


def _same_scores(dropped, kept):
    columns = ["model", "kind", "fold", *dropped.scoring]
    pd.testing.assert_frame_equal(dropped.fold_scores[columns], kept.fold_scores[columns])
    board = ["model", *[f"{s}_{m}" for s in dropped.scoring for m in ("mean", "std")]]
    pd.testing.assert_frame_equal(dropped.to_frame()[board], kept.to_frame()[board])


@pytest.mark.parametrize("scoring", [
    None,  # accuracy (predict) and neg_log_loss (predict_proba)
    # a decision_function first, a plain callable (which may ask anything)
    ["roc_auc_ovr", "balanced_accuracy",
     {"mine": lambda est, X, y: float(np.mean(est.predict(X) == y))}],
])
def test_benchmark_drops_fold_models_with_the_same_leaderboard(monkeypatch, scoring):
    if isinstance(scoring, list):
        scoring = {"auc": scoring[0], "bacc": scoring[1], **scoring[2]}
    models = [("lr", LogisticRegression(max_iter=500)),
              ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
              ("nb", GaussianNB())]
    dropped, kept, (record, kept_record) = _benchmark_twice(
        monkeypatch, models, X_CLF, Y_CLF, cv=3, scoring=scoring, random_state=0)
    _same_scores(dropped, kept)
    assert set(dropped.fold_scores["model"]) == {
        "lr", "tree", "nb", "voting_soft", "voting_auto", "stacking", "selection"}
    # the benchmark's engine run returned no fold model, the other one every one
    for name in ("lr", "tree", "nb"):
        assert all(isinstance(m, DroppedModel) for m in record.fold_estimators[name])
        assert not any(isinstance(m, DroppedModel)
                       for m in kept_record.fold_estimators[name])
        assert all(m.peak_memory_ >= 0 for m in record.fold_estimators[name])
    kept_outputs = set(record.fold_estimators["lr"][0].outputs)
    assert kept_outputs == ({"predict", "predict_proba"} if scoring is None else
                            {"predict", "predict_proba", "predict_log_proba",
                             "decision_function"})


def test_benchmark_of_regressors_and_an_ensemble_of_its_own_drops_them_too(monkeypatch):
    models = [("lin", LinearRegression()),
              ("tree", DecisionTreeRegressor(max_depth=3, random_state=0))]
    own = StackingRegressor([("ridge", Ridge())], cv=3)  # not of the base models
    scoring = {"r2": "r2", "mae": make_scorer(mean_absolute_error,
                                              greater_is_better=False)}
    dropped, kept, (record, _) = _benchmark_twice(
        monkeypatch, models, X_REG, Y_REG, cv=3, scoring=scoring,
        ensembles=["stacking", ("own", own)], random_state=0)
    _same_scores(dropped, kept)
    assert {"stacking", "own"} <= set(dropped.fold_scores["model"])
    assert all(isinstance(m, DroppedModel) for m in record.fold_estimators["own"])


def test_a_callable_scorer_gets_every_output_the_model_has(monkeypatch):
    """A plain callable may ask for any prediction method: the benchmark keeps them all
    (predict_log_proba too, -inf for a tree's empty leaf class without a warning), and
    the scores equal those of the run that keeps the fold models."""
    def mean_log_proba(est, X, y):
        return float(np.mean(np.maximum(est.predict_log_proba(X)[np.arange(len(y)), y],
                                        -30)))

    models = [("lr", LogisticRegression(max_iter=500)),
              ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    args = (models, X_CLF, Y_CLF)
    kwargs = dict(cv=3, scoring={"ll": mean_log_proba}, ensembles="none", random_state=0)
    benchmark(*args, verbose=0, **kwargs)  # no warning (they are errors here)
    with warnings.catch_warnings():  # the kept tree's own predict_log_proba warns of log(0)
        warnings.filterwarnings("ignore", "divide by zero encountered in log",
                                RuntimeWarning)
        dropped, kept, (record, _) = _benchmark_twice(monkeypatch, *args, **kwargs)
    _same_scores(dropped, kept)
    assert np.isneginf(record.fold_estimators["tree"][0].outputs["predict_log_proba"]).any()


def test_a_scorer_asking_for_other_rows_is_told_what_the_benchmark_keeps():
    def first_rows(est, X, y):
        return float(np.mean(est.predict(X[:5]) == y[:5]))

    with pytest.raises(ValueError, match=(
            r"^'lr' could not be scored: scoring 'few': the benchmark scores each model "
            r"from its outputs on the "
            r"fold's validation rows \(predict, predict_proba, predict_log_proba, "
            r"decision_function, those the model has\), kept when the fold model is "
            r"dropped; a scorer can ask for those only, and this one asked for more: it "
            r"holds the outputs of \d+ rows and was asked for 5\.$")):
        benchmark([("lr", LogisticRegression(max_iter=500))], X_CLF, Y_CLF, cv=3,
                  scoring={"few": first_rows}, ensembles=None, verbose=0,
                  on_error="raise")


class _Tracked(LogisticRegression):
    """Counts, at each fit, the models fitted before it that are still alive."""

    fitted = weakref.WeakSet()
    alive_at_fit = []

    def fit(self, X, y, sample_weight=None):
        _Tracked.alive_at_fit.append(len(_Tracked.fitted))
        super().fit(X, y, sample_weight=sample_weight)
        _Tracked.fitted.add(self)
        return self


@pytest.mark.parametrize("keep_models", [False, True])
def test_a_dropped_fold_model_is_freed_before_the_next_fit(keep_models):
    """In this process (n_jobs=1), a fold model dropped after scoring is gone when the
    next fold is fitted: no list of tasks holds it until the last fit has run."""
    _Tracked.fitted, _Tracked.alive_at_fit = weakref.WeakSet(), []
    folds = list(KFold(4).split(X_CLF))
    record = cross_fit([("lr", _Tracked(max_iter=500))], X_CLF, Y_CLF, folds=folds,
                       methods={"lr": "predict_proba"}, n_classes=3, n_jobs=1,
                       keep_models=keep_models)
    assert _Tracked.alive_at_fit == ([0, 0, 0, 0] if not keep_models else [0, 1, 2, 3])
    assert len(_Tracked.fitted) == (0 if not keep_models else 4)
    del record
