"""Fold-correct early stopping for every member that early-stops (issue 15, item 1).

XGBoost and LightGBM members with early stopping crashed every ensemble ("Must have at
least 1 validation dataset"); they now stop on an inner split of each fold's training
rows, and the refit on all rows trains for the median of the folds' stopping points.
Members that record the rows they are given prove that no held-out row of a fold reached
an early-stopping split.
"""

import numpy as np
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier, XGBRegressor

from ensembles import (
    EnsembleSelectionClassifier,
    GradientBoostingRegressor,
    NetClassifier,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    benchmark,
    cross_fit,
    overfitting_report,
)
from ensembles.engine.stopping import VALIDATION_FRACTION, Stopper, stopped_refit, stopper

X_CLF, Y_CLF = make_classification(n_samples=240, n_features=6, n_informative=4,
                                   random_state=0)
X_REG, Y_REG = make_regression(n_samples=240, n_features=6, noise=10.0, random_state=0)
# column 0 is the row's index: what a recording member reads to know which rows it got
IDS = np.column_stack([np.arange(len(Y_CLF)), X_CLF])


def _xgb(**params):
    return XGBClassifier(n_estimators=200, early_stopping_rounds=5, learning_rate=0.3,
                         max_depth=2, n_jobs=1, **params)


def _lgbm(**params):
    return LGBMClassifier(n_estimators=200, early_stopping_round=5, num_leaves=4,
                          min_child_samples=5, verbose=-1, n_jobs=1, **params)


def _net(**params):
    return NetClassifier(hidden_layer_sizes=(8,), max_epochs=40, lr=0.01,
                         early_stopping=True, n_iter_no_change=3, random_state=0, **params)


class _Records:
    """Keeps, on the fitted model, the ids (column 0) of the rows fit trained on and of
    the rows of its validation set, and their weights."""

    def fit(self, X, y, **kwargs):
        self.fit_rows_ = np.asarray(X)[:, 0].astype(int)
        evals = kwargs.get("eval_set") or list(zip(kwargs.get("eval_X") or (),
                                                   kwargs.get("eval_y") or (),
                                                   strict=True))
        self.eval_rows_ = [np.asarray(Xv)[:, 0].astype(int) for Xv, _ in evals]
        self.fit_weight_ = kwargs.get("sample_weight")
        self.eval_weight_ = (kwargs.get("sample_weight_eval_set")
                             or kwargs.get("eval_sample_weight"))
        return super().fit(X, y, **kwargs)


class RecordingXGB(_Records, XGBClassifier):
    pass


class RecordingLGBM(_Records, LGBMClassifier):
    pass


class RecordingNet(NetClassifier):
    def fit(self, X, y, sample_weight=None, eval_set=None):
        self.fit_rows_ = np.asarray(X)[:, 0].astype(int)
        return super().fit(X, y, sample_weight=sample_weight, eval_set=eval_set)


def _recording_members():
    xgb = RecordingXGB(n_estimators=200, early_stopping_rounds=5, learning_rate=0.3,
                       max_depth=2, n_jobs=1, random_state=3)
    lgbm = RecordingLGBM(n_estimators=200, early_stopping_round=5, num_leaves=4,
                         min_child_samples=5, verbose=-1, n_jobs=1)
    net = RecordingNet(hidden_layer_sizes=(8,), max_epochs=30, lr=0.01, early_stopping=True,
                       n_iter_no_change=3, random_state=0)
    return [("xgb", xgb), ("lgbm", lgbm), ("net", net)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_no_held_out_row_reaches_an_early_stopping_split(n_jobs):
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(IDS, Y_CLF))
    weight = np.random.RandomState(0).uniform(0.5, 2.0, len(Y_CLF))
    record = cross_fit(_recording_members(), IDS, Y_CLF, folds=folds, refit=True,
                       n_classes=2, sample_weight=weight, n_jobs=n_jobs,
                       # fold by fold, so that the net's fit records its rows (batched
                       # folds equal these: tests/test_batched_folds.py)
                       batch_nets=False,
                       methods={"xgb": "predict_proba", "lgbm": "predict_proba",
                                "net": "predict_proba"})
    for name in ("xgb", "lgbm", "net"):
        for (train, test), model in zip(folds, record.fold_estimators[name], strict=True):
            assert set(model.fit_rows_) <= set(train)  # what the member was given
            assert not set(model.fit_rows_) & set(test)
            if name == "net":
                continue  # a net splits what it is given itself (tests/test_net.py)
            (valid,) = model.eval_rows_
            # the early-stopping rows: from the fold's training rows, never its test rows,
            # and not trained on
            assert set(valid) <= set(train) and not set(valid) & set(test)
            assert not set(valid) & set(model.fit_rows_)
            assert sorted(np.r_[valid, model.fit_rows_]) == sorted(train)
            assert len(valid) == int(np.ceil(VALIDATION_FRACTION * len(train)))
            # stratified: both classes, in proportion
            assert abs(Y_CLF[valid].mean() - Y_CLF[train].mean()) < 0.1
            # the weights follow their rows
            np.testing.assert_array_equal(model.fit_weight_, weight[model.fit_rows_])
            np.testing.assert_array_equal(model.eval_weight_[0], weight[valid])
        # the refit on all rows: trained on every row, for the folds' median, no stopping
        refit = record.full_estimators[name]
        assert sorted(refit.fit_rows_) == list(range(len(Y_CLF)))
        points = record.stopping_points[name]
        assert len(points) == 3
        median = int(np.floor(np.median(points) + 0.5))
        if name == "net":
            assert refit.max_epochs == refit.n_iter_ == median and not refit.early_stopping
        else:
            assert refit.eval_rows_ == []
            assert refit.get_params()["n_estimators"] == median
    assert record.full_estimators["xgb"].get_params()["early_stopping_rounds"] is None
    assert record.full_estimators["xgb"].get_booster().num_boosted_rounds() == \
        int(np.floor(np.median(record.stopping_points["xgb"]) + 0.5))
    assert record.full_estimators["lgbm"].get_params()["early_stopping_round"] == 0


def test_the_fold_models_stop_where_their_inner_split_says():
    folds = list(KFold(3, shuffle=True, random_state=1).split(X_CLF))
    record = cross_fit([("xgb", _xgb()), ("lgbm", _lgbm())], X_CLF, Y_CLF, folds=folds,
                       n_classes=2)
    for model in record.fold_estimators["xgb"]:
        assert model.best_iteration + 1 < 200  # stopped early, not at the end
    assert record.stopping_points["xgb"] == [m.best_iteration + 1
                                             for m in record.fold_estimators["xgb"]]
    assert record.stopping_points["lgbm"] == [m.best_iteration_
                                              for m in record.fold_estimators["lgbm"]]


@pytest.mark.parametrize("Ensemble, params", [
    (StackingClassifier, {"cv": 3}),
    (StackingClassifier, {"cv": 3, "refit": False}),
    (VotingClassifier, {"weights": "auto", "cv": 3}),
    (VotingClassifier, {}),  # no folds: each member stops on its own inner split
    (EnsembleSelectionClassifier, {"cv": 3, "n_iter": 5}),
])
def test_every_ensemble_fits_members_that_early_stop(Ensemble, params):
    members = [("xgb", _xgb()), ("lgbm", _lgbm()), ("net", _net())]
    model = Ensemble(members, random_state=0, **params).fit(X_CLF, Y_CLF)
    assert model.score(X_CLF, Y_CLF) > 0.8
    record = model.cross_fit_
    refit = params.get("refit", True) and record is not None and record.folds
    if refit:
        for name in ("xgb", "lgbm"):
            median = int(np.floor(np.median(record.stopping_points[name]) + 0.5))
            assert model.named_estimators_[name].get_params()["n_estimators"] == median
    elif record is None:  # no cv: the members early-stopped on all rows' inner split
        assert model.named_estimators_["xgb"].best_iteration + 1 < 200


def test_a_regression_stack_and_our_boosting():
    members = [("xgb", XGBRegressor(n_estimators=200, early_stopping_rounds=5,
                                    max_depth=2, n_jobs=1)),
               ("lgbm", LGBMRegressor(n_estimators=200, early_stopping_round=5,
                                      verbose=-1, n_jobs=1)),
               ("gb", GradientBoostingRegressor(n_estimators=100, n_iter_no_change=3,
                                                random_state=0))]
    stack = StackingRegressor(members, cv=3, random_state=0).fit(X_REG, Y_REG)
    assert stack.score(X_REG, Y_REG) > 0.8
    points = stack.cross_fit_.stopping_points["gb"]
    refit = stack.named_estimators_["gb"]
    assert refit.n_estimators_ == int(np.floor(np.median(points) + 0.5))
    assert refit.n_iter_no_change is None


def test_a_pipeline_ending_in_a_booster_that_early_stops():
    pipe = make_pipeline(StandardScaler(), _xgb())
    stack = StackingClassifier([("pipe", pipe), ("lgbm", _lgbm())], cv=3,
                               random_state=0).fit(X_CLF, Y_CLF)
    assert stack.score(X_CLF, Y_CLF) > 0.8
    assert stack.named_estimators_["pipe"][-1].get_params()["n_estimators"] == int(
        np.floor(np.median(stack.cross_fit_.stopping_points["pipe"]) + 0.5))


def test_the_benchmark_runs_members_that_early_stop():
    result = benchmark([("xgb", _xgb()), ("lgbm", _lgbm())], X_CLF, Y_CLF, cv=3,
                       ensembles=["stacking"], verbose=0)
    board = result.to_frame()
    assert set(board["model"]) == {"xgb", "lgbm", "stacking"}
    assert (board["accuracy_mean"] > 0.75).all()  # the majority class is 0.5
    assert not any("left out" in note for note in result.notes)


def test_the_report_shows_the_inner_curve_and_where_it_stopped():
    stack = StackingClassifier([("xgb", _xgb()), ("net", _net())], cv=3, random_state=0)
    report = overfitting_report(stack, X_CLF, Y_CLF, cv=3)
    curves = report.curves
    for name, step_name in (("xgb", "round"), ("net", "epoch")):
        mine = curves[curves["model"] == name]
        inner = mine[(mine["split"] == "early_stopping") & (mine["metric"] == "loss")]
        assert len(inner) > 0, name
        stops = mine[mine["metric"] == "stopped"]
        assert len(stops) == 3 and (stops["step_name"] == step_name).all()
        assert (stops["step"] == stops["value"]).all()
        for fold, stop in zip(stops["fold"], stops["value"], strict=True):
            # the inner curve is lowest where the model stopped
            fold_inner = inner[inner["fold"] == fold].set_index("step")["value"]
            assert fold_inner.idxmin() == stop
        # and the fold's validation rows are scored over the rounds it kept and on
        validation = mine[(mine["split"] == "validation") & (mine["metric"] == "loss")]
        assert len(validation) > 0


def test_the_curves_plot_marks_where_it_stopped(tmp_path):
    pytest.importorskip("matplotlib")
    report = overfitting_report(_xgb(), X_CLF, Y_CLF, cv=3)
    figure = report.plot("curves")
    labels = [line.get_label() for ax in figure.axes for line in ax.get_lines()]
    assert any(label.startswith("early stopping stopped (round ") for label in labels)
    path = tmp_path / "curves.png"
    figure.savefig(path)
    assert path.stat().st_size > 1000


def test_the_refit_rule():
    stop = Stopper("xgboost")
    refit = stopped_refit(_xgb(), stop, [10, 11])  # 10.5 rounds up
    assert refit.get_params()["n_estimators"] == 11
    assert refit.get_params()["early_stopping_rounds"] is None
    assert stopper(refit) is None
    assert stopped_refit(_lgbm(), Stopper("lightgbm"), [7, 9, 30]).get_params()[
        "n_estimators"] == 9
    assert stopper(_xgb()) == stop and stopper(XGBClassifier()) is None
    assert stopper(_lgbm()) == Stopper("lightgbm")
    assert stopper(LGBMClassifier(early_stopping_round=0)) is None
    assert stopper(_net()) == Stopper("net") and stopper(NetClassifier()) is None
