"""Diversity between members (issue 15, item 3): the measures against hand counts, the
undefined cases, regression against numpy, and the tables of the report and the benchmark.
"""

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ensembles import (
    BenchmarkResult,
    CrossFit,
    OverfittingReport,
    StackingClassifier,
    benchmark,
    cross_fit,
    diversity,
    overfitting_report,
)
from ensembles.engine.oof import make_folds
from ensembles.evaluation.diversity import plot_diversity

# -- a hand-counted example -----------------------------------------------------------
# Ten rows, three classes. Which rows each member gets right (1) or wrong (0):
#   row    0  1  2  3  4  5  6  7  8  9
#   a      1  1  1  1  1  1  0  0  0  1
#   b      1  1  1  1  0  0  1  1  0  0
#   c      1  1  1  1  1  1  1  1  1  1      (right on every row)
# a against b, counted by hand: both right on rows 0-3 (n11 = 4), only a right on rows
# 4, 5, 9 (n10 = 3), only b right on rows 6, 7 (n01 = 2), both wrong on row 8 (n00 = 1).
Y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
RIGHT_A = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 1], dtype=bool)
RIGHT_B = np.array([1, 1, 1, 1, 0, 0, 1, 1, 0, 0], dtype=bool)
WRONG = (Y + 1) % 3  # a wrong label for every row


def _predict(right):
    return np.where(right, Y, WRONG)


def _one_hot(labels, k=3):
    scores = np.full((len(labels), k), 0.1)
    scores[np.arange(len(labels)), labels] = 0.8
    return scores


def test_measures_equal_hand_computations():
    table = diversity({"a": _predict(RIGHT_A), "b": _predict(RIGHT_B)}, Y)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["model_a"], row["model_b"]) == ("a", "b")
    assert (row["n"], row["n11"], row["n10"], row["n01"], row["n00"]) == (10, 4, 3, 2, 1)
    # disagreement = (n01 + n10) / n = (2 + 3) / 10
    assert row["disagreement"] == pytest.approx(0.5, abs=1e-15)
    # Q = (n11 n00 - n01 n10) / (n11 n00 + n01 n10) = (4 - 6) / (4 + 6)
    assert row["q_statistic"] == pytest.approx(-0.2, abs=1e-15)
    # rho = (4 - 6) / sqrt((n11 + n10)(n01 + n00)(n11 + n01)(n10 + n00)) = -2 / sqrt(7*3*6*4)
    assert row["error_correlation"] == pytest.approx(-2 / math.sqrt(504), abs=1e-15)
    # double fault = n00 / n = 1 / 10
    assert row["double_fault"] == pytest.approx(0.1, abs=1e-15)


def test_correlation_of_errors_is_pearson_of_error_indicators():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    predictions = {name: np.where(rng.random(200) < p, y, (y + 1) % 4)
                   for name, p in (("a", 0.7), ("b", 0.8), ("c", 0.6))}
    table = diversity(predictions, y)
    assert list(zip(table["model_a"], table["model_b"])) == [("a", "b"), ("a", "c"),
                                                              ("b", "c")]
    for _, row in table.iterrows():
        errors_a = predictions[row["model_a"]] != y
        errors_b = predictions[row["model_b"]] != y
        assert row["error_correlation"] == pytest.approx(
            np.corrcoef(errors_a, errors_b)[0, 1], abs=1e-12)
        assert row["double_fault"] == np.mean(errors_a & errors_b)
        assert row["disagreement"] == np.mean(errors_a != errors_b)


def test_undefined_measures_are_nan_without_a_warning():
    # c is right on every row: its error indicator is constant, so the correlation is
    # undefined; with n10 = n00 = 0 Q's denominator n11 n00 + n01 n10 is 0 as well
    table = diversity({"a": _predict(RIGHT_A), "c": Y.copy()}, Y)
    row = table.iloc[0]
    assert (row["n11"], row["n10"], row["n01"], row["n00"]) == (7, 0, 3, 0)
    assert math.isnan(row["q_statistic"]) and math.isnan(row["error_correlation"])
    assert row["disagreement"] == pytest.approx(0.3, abs=1e-15)
    assert row["double_fault"] == 0.0


def test_members_that_err_on_the_same_rows():
    # n10 = n01 = 0: Q = n11 n00 / n11 n00 = 1, rho = 1, no disagreement, and the double
    # fault is the error rate (rows 6, 7, 8)
    table = diversity({"a": _predict(RIGHT_A), "b": _predict(RIGHT_A)}, Y)
    row = table.iloc[0]
    assert (row["n10"], row["n01"]) == (0, 0)
    assert row["q_statistic"] == 1.0 and row["error_correlation"] == pytest.approx(1.0)
    assert row["disagreement"] == 0.0 and row["double_fault"] == pytest.approx(0.3)


def test_a_crossfit_is_read_with_its_methods():
    """Probabilities and multi-class decision values become their arg-max, a binary
    decision value its sign; the counts are the hand-counted ones."""
    folds = [(np.arange(5, 10), np.arange(5)), (np.arange(5), np.arange(5, 10))]
    record = CrossFit(names=["a", "b", "c"], folds=folds,
                      methods={"a": "predict_proba", "b": "decision_function",
                               "c": "predict"},
                      oof={"a": _one_hot(_predict(RIGHT_A)),
                           "b": _one_hot(_predict(RIGHT_B)) - 0.5,
                           "c": Y.copy()})
    table = diversity(record, Y).set_index(["model_a", "model_b"])
    assert tuple(table.loc[("a", "b"), ["n11", "n10", "n01", "n00"]]) == (4, 3, 2, 1)
    assert table.loc[("a", "b"), "q_statistic"] == pytest.approx(-0.2, abs=1e-15)
    assert tuple(table.loc[("a", "c"), ["n11", "n10", "n01", "n00"]]) == (7, 0, 3, 0)

    y = (Y > 0).astype(int)  # binary: a decision value above 0 is class 1
    binary = CrossFit(names=["d", "e"], folds=folds,
                      methods={"d": "decision_function", "e": "predict"},
                      oof={"d": np.where(y == 1, 2.0, -2.0) * np.where(RIGHT_A, 1, -1),
                           "e": np.where(RIGHT_B, y, 1 - y)})
    row = diversity(binary, y).iloc[0]
    assert (row["n11"], row["n10"], row["n01"], row["n00"]) == (4, 3, 2, 1)


def test_from_a_real_cross_fit():
    X, y = load_iris(return_X_y=True)
    members = [("lr", LogisticRegression(max_iter=1000)),
               ("tree", DecisionTreeClassifier(max_depth=1, random_state=0))]
    folds = [(np.setdiff1d(np.arange(150), np.arange(k, 150, 3)), np.arange(k, 150, 3))
             for k in range(3)]
    record = cross_fit(members, X, y, folds=folds,
                       methods={"lr": "predict_proba", "tree": "predict"}, n_classes=3)
    expected = diversity({"lr": record.oof["lr"].argmax(axis=1),
                          "tree": record.oof["tree"]}, y)
    pd.testing.assert_frame_equal(diversity(record, y), expected)
    assert expected["n00"].iloc[0] > 0 and expected["n01"].iloc[0] + expected[
        "n10"].iloc[0] > 0


def test_regression_correlation_of_residuals_equals_numpy():
    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    predictions = {"a": y + rng.normal(size=40), "b": y + rng.normal(size=40),
                   "c": 0.5 * y + rng.normal(size=40)}
    table = diversity(predictions, y)
    assert list(table.columns) == ["model_a", "model_b", "n", "error_correlation"]
    for _, row in table.iterrows():
        expected = np.corrcoef(predictions[row["model_a"]] - y,
                               predictions[row["model_b"]] - y)[0, 1]
        assert row["error_correlation"] == pytest.approx(expected, abs=1e-12)
        assert row["n"] == 40


def test_regression_constant_residuals_give_nan_without_a_warning():
    y = np.arange(8, dtype=float)
    table = diversity({"shifted": y + 1.0, "noisy": y + np.array([1, -1] * 4)}, y)
    assert math.isnan(table["error_correlation"].iloc[0])


def test_integer_regression_targets_take_task():
    y = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    a, b = y + np.array([1, 0, -1, 2, 0, 1, 0, -2]), y + np.array([0, 1, 1, -1, 2, 0, -1, 0])
    assert "q_statistic" in diversity({"a": a, "b": b}, y).columns  # read as labels
    table = diversity({"a": a, "b": b}, y, task="regression")
    assert table["error_correlation"].iloc[0] == pytest.approx(
        np.corrcoef(a - y, b - y)[0, 1], abs=1e-12)


def test_fewer_than_two_members_give_no_rows():
    table = diversity({"a": _predict(RIGHT_A)}, Y)
    assert len(table) == 0 and "double_fault" in table.columns


@pytest.mark.parametrize("kwargs, error, match", [
    ({"predictions": [[0, 1]], "y": [0, 1]}, TypeError,
     "predictions must be a CrossFit .* or a dict of member name -> predictions; got list"),
    ({"predictions": {1: [0, 1]}, "y": [0, 1]}, TypeError,
     r"keyed by member name \(str\); got keys \[1\]"),
    ({"predictions": {"a": [0, 1, 1]}, "y": [0, 1]}, ValueError,
     "the predictions of 'a' have 3 rows and y has 2"),
    ({"predictions": {"a": [0, 1]}, "y": [[0, 1], [1, 0]]}, ValueError,
     r"y must be one column .* got an array of shape \(2, 2\)"),
    ({"predictions": {"a": [0, 1]}, "y": [0, 1], "task": "ranking"}, ValueError,
     "task must be None, 'classification' or 'regression'; got 'ranking'"),
    ({"predictions": {"a": np.zeros((2, 2)), "b": [0.5, 1.5]}, "y": [0.5, 1.5],
      "task": "regression"}, ValueError,
     r"regression predictions of 'a' must be one number a row; got an array of shape"),
])
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        diversity(**kwargs)


def test_a_crossfit_without_predictions_is_refused():
    record = CrossFit(names=["a"], folds=[], methods={})
    with pytest.raises(ValueError, match=r"member\(s\) \['a'\] of this CrossFit have no "
                                         "out-of-fold predictions"):
        diversity(record, Y)


# -- the report and the benchmark -------------------------------------------------------
MEMBERS = [("lr", LogisticRegression(max_iter=1000)),
           ("tree", DecisionTreeClassifier(max_depth=1, random_state=0)),
           ("nb", GaussianNB())]


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def bench(iris):
    X, y = iris
    return benchmark(MEMBERS, X, y, cv=3, ensembles=["voting_soft"], verbose=0)


def _expected(y, folds):
    """Diversity of the members computed here: cross_fit on the same folds, predict."""
    record = cross_fit(MEMBERS, *load_iris(return_X_y=True), folds=folds,
                       methods=dict.fromkeys(["lr", "tree", "nb"], "predict"))
    return diversity(record, y)


def test_benchmark_carries_the_diversity_of_its_base_models(iris, bench):
    X, y = iris
    # cv=3's folds: shuffled, seeded with 0 (the benchmark's and the report's default)
    folds = make_folds(3, X, y, classifier=True, every_class=True, shuffle=True)
    pd.testing.assert_frame_equal(bench.diversity, _expected(y, folds))
    # base models only (not the soft vote); read from their predict_proba, which the
    # benchmark computes for its ensembles, and equal to the members' predict
    assert list(bench.diversity["model_a"]) == ["lr", "lr", "tree"]
    assert list(bench.diversity["model_b"]) == ["tree", "nb", "nb"]


def test_report_carries_the_diversity_of_its_models_and_members(iris):
    X, y = iris
    expected = _expected(y, make_folds(3, X, y, classifier=True, every_class=True,
                                       shuffle=True))
    of_list = overfitting_report(MEMBERS, X, y, cv=3, curves=False)
    of_stack = overfitting_report(StackingClassifier(MEMBERS, cv=3), X, y, cv=3,
                                  curves=False)
    pd.testing.assert_frame_equal(of_list.diversity, expected)
    pd.testing.assert_frame_equal(of_stack.diversity, expected)


def test_prefit_report_carries_the_diversity_of_the_members(iris):
    X, y = iris
    # cv="prefit" rescores the fold models, which a stack drops by default (issue 14,
    # item 6)
    fitted = StackingClassifier(MEMBERS, cv=3, keep_fold_models=True).fit(X, y)
    prefit = overfitting_report(fitted, X, y, cv="prefit", curves=False)
    assert list(prefit.diversity["model_a"]) == ["lr", "lr", "tree"]
    pd.testing.assert_frame_equal(prefit.diversity, diversity(fitted.cross_fit_, y))


def test_report_of_string_labels_keeps_them_whole():
    """The list layout predicts the user's labels; a fold whose predictions are all the
    short label must not cut the long one of a later fold (the engine took the first
    fold's dtype)."""
    X = np.arange(12, dtype=float).reshape(-1, 1)
    y = np.array(["a"] * 6 + ["bbb"] * 6)
    folds = [(np.arange(3, 12), np.arange(3)), (np.r_[0:3, 6:12], np.arange(3, 6)),
             (np.r_[0:6, 9:12], np.arange(6, 9)), (np.arange(9), np.arange(9, 12))]
    record = cross_fit([("tree", DecisionTreeClassifier(random_state=0))], X, y,
                       folds=folds, methods={"tree": "predict"})
    assert set(record.oof["tree"][:3]) == {"a"}  # fold 0: the short label only
    assert set(record.oof["tree"]) == {"a", "bbb"}
    report = overfitting_report([("tree", DecisionTreeClassifier(random_state=0)),
                                 ("nb", GaussianNB())], X, y, cv=folds, scoring="accuracy",
                                curves=False)
    assert report.diversity["n"].iloc[0] == 12


def test_regression_report_and_benchmark():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:150], y[:150]
    models = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2, random_state=0))]
    result = benchmark(models, X, y, cv=3, ensembles=None, verbose=0)
    record = cross_fit(models, X, y, folds=make_folds(3, X, y, classifier=False,
                                                      shuffle=True),
                       methods=dict.fromkeys(["ridge", "tree"], "predict"))
    expected = np.corrcoef(record.oof["ridge"] - y, record.oof["tree"] - y)[0, 1]
    assert result.diversity["error_correlation"].iloc[0] == pytest.approx(expected,
                                                                           abs=1e-12)
    report = overfitting_report(models, X, y, cv=3, curves=False)
    assert report.diversity["error_correlation"].iloc[0] == pytest.approx(expected,
                                                                           abs=1e-12)


def test_a_single_model_has_an_empty_table(iris):
    X, y = iris
    report = overfitting_report(GaussianNB(), X, y, cv=3, curves=False)
    assert len(report.diversity) == 0 and "q_statistic" in report.diversity.columns
    with pytest.raises(ValueError, match="at least two members"):
        report.plot_diversity()


def test_json_round_trips_keep_the_table(iris, bench):
    X, y = iris
    # an undefined (NaN) measure is written as null and read back as NaN
    table = bench.diversity.copy()
    table.loc[0, "q_statistic"] = np.nan
    result = BenchmarkResult(bench.fold_scores, scoring=bench.scoring, task=bench.task,
                             diversity=table)
    text = result.to_json()
    assert json.loads(text)["diversity"]["q_statistic"][0] is None
    pd.testing.assert_frame_equal(BenchmarkResult.from_json(text).diversity, table)
    report = overfitting_report(MEMBERS, X, y, cv=3, curves=False)
    back = OverfittingReport.from_json(report.to_json())
    pd.testing.assert_frame_equal(back.diversity, report.diversity)
    # a file written before the table existed reads as an empty table
    doc = json.loads(report.to_json())
    del doc["diversity"]
    assert len(OverfittingReport.from_json(json.dumps(doc)).diversity) == 0


# -- the heat-map --------------------------------------------------------------------------
def _read_png(path):
    from matplotlib.image import imread

    content = path.read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(io.BytesIO(content), format="png")
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 0  # not blank
    return pixels


@pytest.mark.parametrize("measure", ["disagreement", "q_statistic", "error_correlation",
                                     "double_fault"])
def test_benchmark_heatmap_is_written(bench, tmp_path, measure):
    path = tmp_path / f"{measure}.png"
    figure = bench.plot_diversity(measure, path=path)
    _read_png(path)
    (ax, _colorbar) = figure.axes
    # every off-diagonal cell carries its value; the diagonal is blank
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    names = ["lr", "tree", "nb"]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == names
    for _, row in bench.diversity.iterrows():
        i, j = names.index(row["model_a"]), names.index(row["model_b"])
        assert texts[(i, j)] == texts[(j, i)] == f"{row[measure]:.2f}"
    assert all((k, k) not in texts for k in range(3))


def test_report_heatmap_marks_undefined_cells(tmp_path):
    table = diversity({"a": _predict(RIGHT_A), "b": _predict(RIGHT_B), "c": Y.copy()}, Y)
    report = OverfittingReport(pd.DataFrame(), pd.DataFrame(), scoring=["accuracy"],
                               task="classification", diversity=table)
    path = tmp_path / "q.png"
    figure = report.plot_diversity("q_statistic", path=path)
    _read_png(path)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in figure.axes[0].texts}
    assert texts[(0, 1)] == "-0.20" and texts[(0, 2)] == texts[(2, 0)] == "n/a"


def test_regression_heatmap_and_bad_measures(tmp_path):
    rng = np.random.default_rng(2)
    y = rng.normal(size=10)
    table = diversity({"a": y + rng.normal(size=10), "b": y + rng.normal(size=10)}, y)
    path = tmp_path / "errors.svg"
    plot_diversity(table, path=path)
    assert path.read_text().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match=r"measure must be one of \['error_correlation'\]; "
                                         "got 'q_statistic'"):
        plot_diversity(table, "q_statistic")
    with pytest.raises(ValueError, match="measure must be one of .*; got 'kappa'"):
        plot_diversity(diversity({"a": [0, 1], "b": [1, 1]}, [0, 1]), "kappa")
