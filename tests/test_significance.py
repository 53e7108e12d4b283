"""The corrected resampled t-test (Nadeau & Bengio 2003) against scipy, and the
leaderboard's p_value / differs_from_best columns in every file the result writes."""

import json

import numpy as np
import pandas as pd
import pytest
from failing import BoomClassifier
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from ensembles import BenchmarkResult, benchmark
from ensembles.evaluation.significance import corrected_ttest

# Fixed fold scores: (model, reference, n_train, n_test), as 5-fold, 10-fold and 3-fold
# cross-validations of 150, 1000 and 90 rows would give them.
CASES = [
    ([0.95, 0.97, 0.96, 0.98, 0.96], [0.93, 0.96, 0.95, 0.95, 0.94], 120, 30),
    ([0.81, 0.84, 0.79, 0.83, 0.80, 0.82, 0.85, 0.78, 0.82, 0.83],
     [0.82, 0.83, 0.80, 0.81, 0.82, 0.80, 0.84, 0.80, 0.79, 0.84], 900, 100),
    ([-54.2, -55.9, -53.1], [-54.8, -55.0, -54.9], 60, 30),
]


def reference_ttest(scores, reference, n_train, n_test):
    """t by hand with the correction, the p-value from scipy's Student t."""
    d = np.asarray(scores) - np.asarray(reference)
    k = len(d)
    t = d.mean() / np.sqrt((1 / k + n_test / n_train) * np.var(d, ddof=1))
    return t, 2 * stats.t.sf(abs(t), df=k - 1)


@pytest.mark.parametrize("scores, reference, n_train, n_test", CASES)
def test_equals_the_formula_with_scipys_t(scores, reference, n_train, n_test):
    result = corrected_ttest(scores, reference, n_train=n_train, n_test=n_test)
    t, p = reference_ttest(scores, reference, n_train, n_test)
    assert_allclose([result.statistic, result.pvalue], [t, p], rtol=1e-12)
    assert result.df == len(scores) - 1
    # swapping the models flips the sign of t and keeps p
    swapped = corrected_ttest(reference, scores, n_train=n_train, n_test=n_test)
    assert_allclose([swapped.statistic, swapped.pvalue], [-t, p], rtol=1e-12)


@pytest.mark.parametrize("scores, reference, n_train, n_test", CASES)
def test_without_the_correction_it_is_scipys_paired_ttest(scores, reference, n_train,
                                                          n_test):
    """n_test=0 leaves the variance factor at 1/k: scipy.stats.ttest_rel; the corrected
    test is more cautious (larger p) on the same scores."""
    plain = corrected_ttest(scores, reference, n_train=n_train, n_test=0)
    expected = stats.ttest_rel(scores, reference)
    assert_allclose([plain.statistic, plain.pvalue], [expected.statistic, expected.pvalue],
                    rtol=1e-12)
    assert plain.df == expected.df
    corrected = corrected_ttest(scores, reference, n_train=n_train, n_test=n_test)
    assert corrected.pvalue > plain.pvalue
    # the factor is 1/k + n_test/n_train: t shrinks by sqrt((1/k) / (1/k + n2/n1))
    k = len(scores)
    assert_allclose(corrected.statistic,
                    plain.statistic * np.sqrt((1 / k) / (1 / k + n_test / n_train)),
                    rtol=1e-12)


def test_per_fold_sizes_are_averaged():
    scores, reference = CASES[0][:2]
    n_train, n_test = [119, 120, 120, 121, 120], [31, 30, 30, 29, 30]
    per_fold = corrected_ttest(scores, reference, n_train=n_train, n_test=n_test)
    t, p = reference_ttest(scores, reference, np.mean(n_train), np.mean(n_test))
    assert_allclose([per_fold.statistic, per_fold.pvalue], [t, p], rtol=1e-12)


def test_no_variance():
    """Identical scores: no difference (t=0, p=1; scipy's ttest_rel gives NaN). The same
    non-zero difference in every fold: the limit, t=+-inf and p=0."""
    same = corrected_ttest([0.9, 0.8, 0.7], [0.9, 0.8, 0.7], n_train=60, n_test=30)
    assert (same.statistic, same.pvalue, same.df) == (0.0, 1.0, 2)
    lower = corrected_ttest([0.5, 0.5, 0.5], [0.75, 0.75, 0.75], n_train=60, n_test=30)
    assert (lower.statistic, lower.pvalue) == (-np.inf, 0.0)
    higher = corrected_ttest([1.0, 1.0], [0.5, 0.5], n_train=10, n_test=10)
    assert (higher.statistic, higher.pvalue) == (np.inf, 0.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"scores": [0.9], "reference": [0.8]},
     r"needs the scores of at least 2 folds to estimate their variance; got 1\."),
    ({"scores": [], "reference": []}, r"at least 2 folds .*; got 0\."),
    ({"reference": [0.8, 0.9]},
     r"scores and reference must hold one score per fold each, the same folds; got 3 "
     r"and 2 scores\."),
    ({"scores": [0.9, np.nan, 0.8]}, r"scores must be finite; got nan at fold 1\."),
    ({"reference": [0.9, 0.8, np.inf]}, r"reference must be finite; got inf at fold 2\."),
    ({"scores": [[0.9, 0.8, 0.7]]},
     r"scores must be one score per fold \(1-d\); got an array of shape \(1, 3\)\."),
    ({"n_train": 0}, r"n_train must be a number of rows > 0; got 0\."),
    ({"n_test": -1}, r"n_test must be a number of rows >= 0; got -1\."),
    ({"n_train": [60, 60]},
     r"n_train must be a number of rows > 0, or one per fold \(3\); got \[60, 60\]\."),
    ({"n_test": "30"}, r"n_test must be a number of rows >= 0, or one per fold \(3\); "
                       r"got '30'\."),
])
def test_bad_input(kwargs, match):
    arguments = {"scores": [0.9, 0.8, 0.7], "reference": [0.8, 0.8, 0.8], "n_train": 60,
                 "n_test": 30, **kwargs}
    with pytest.raises(ValueError, match=match):
        corrected_ttest(arguments.pop("scores"), arguments.pop("reference"), **arguments)


# -- in the leaderboard -------------------------------------------------------------------
def fixed_result(**kwargs):
    """Three models, five folds of 150 rows, fixed scores: 'a' is best."""
    scores = {"a": CASES[0][0], "b": CASES[0][1], "c": [0.70, 0.72, 0.71, 0.69, 0.70]}
    folds = pd.DataFrame([
        {"model": m, "kind": "base", "fold": k, "accuracy": s[k], "fit_time": 1.0,
         "predict_time": 0.1, "peak_memory_mb": 1.0, "n_train": 120, "n_test": 30}
        for m, s in scores.items() for k in range(5)])
    return BenchmarkResult(folds, scoring=["accuracy"], task="classification", **kwargs)


def test_leaderboard_p_values_equal_the_reference():
    board = fixed_result().to_frame().set_index("model")
    a, b, c = CASES[0][0], CASES[0][1], [0.70, 0.72, 0.71, 0.69, 0.70]
    expected = {"a": 1.0, "b": reference_ttest(b, a, 120, 30)[1],
                "c": reference_ttest(c, a, 120, 30)[1]}
    assert_allclose(board["p_value"].loc[["a", "b", "c"]], [expected[m] for m in "abc"],
                    rtol=1e-12)
    # b: p = 0.0327 < 0.05; c far below; a is the best itself
    assert board["differs_from_best"].to_dict() == {"a": False, "b": True, "c": True}
    strict = fixed_result(alpha=0.01).to_frame().set_index("model")
    assert strict["differs_from_best"].to_dict() == {"a": False, "b": False, "c": True}
    assert list(strict.columns[-5:]) == ["p_value", "differs_from_best", "fit_time",
                                          "predict_time", "peak_memory_mb"]


def test_leaderboard_without_what_the_test_needs():
    """Fold scores without the fold sizes, or of one fold, give NaN p-values (and False),
    not an error; a bad alpha is an error naming it."""
    result = fixed_result()
    result.fold_scores = result.fold_scores.drop(columns=["n_train", "n_test"])
    board = result.to_frame()
    assert board["p_value"].isna().all() and not board["differs_from_best"].any()
    assert "| n/a |" in result.to_markdown()
    one_fold = fixed_result()
    one_fold.fold_scores = one_fold.fold_scores[one_fold.fold_scores["fold"] == 0]
    assert one_fold.to_frame()["p_value"].isna().all()
    for alpha in (0, 1, 1.5, "0.05", True):
        with pytest.raises(ValueError, match=r"alpha must be a significance level strictly "
                                             rf"between 0 and 1 \(e.g. 0.05\); got {alpha!r}"):
            fixed_result(alpha=alpha).to_frame()


@pytest.mark.parametrize("alpha", [0.0, 1, "0.05"])
def test_benchmark_refuses_a_bad_alpha_before_fitting(alpha):
    """BoomClassifier fails when fitted: the alpha error comes first."""
    X, y = make_classification(n_samples=30, n_features=3, n_informative=2, n_redundant=0,
                               random_state=0)
    with pytest.raises(ValueError, match=rf"alpha must be .*; got {alpha!r}\."):
        benchmark([("boom", BoomClassifier())], X, y, cv=3, verbose=0, alpha=alpha)


@pytest.fixture(scope="module")
def tiny_result():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3,
                               random_state=0)
    models = [("lr", LogisticRegression()),
              ("stump", DecisionTreeClassifier(max_depth=1, random_state=0))]
    # shuffle=False: the folds in row order, on which the stump is far below the best
    return benchmark(models, X, y, cv=4, shuffle=False, ensembles=["voting_soft"],
                     verbose=0, alpha=0.1)


def test_benchmark_leaderboard_carries_the_test(tiny_result):
    folds = tiny_result.fold_scores
    assert folds[["n_train", "n_test"]].drop_duplicates().values.tolist() == [[90, 30]]
    board = tiny_result.to_frame().set_index("model")
    best = tiny_result.best_
    assert board.loc[best, "p_value"] == 1.0
    reference = folds[folds["model"] == best].sort_values("fold")["accuracy"].to_numpy()
    for model in board.index.drop(best):
        scores = folds[folds["model"] == model].sort_values("fold")["accuracy"].to_numpy()
        # a model with the best's score in every fold (here voting_soft and the stump,
        # which it follows) is no different: 1.0 (scipy's formula divides 0 by 0)
        expected = (1.0 if np.array_equal(scores, reference)
                    else reference_ttest(scores, reference, 90, 30)[1])
        assert_allclose(board.loc[model, "p_value"], expected, rtol=1e-12)
    assert tiny_result.alpha == 0.1
    assert (board["differs_from_best"] == (board["p_value"] < 0.1)).all()
    assert board["differs_from_best"].any()  # the stump is far below


def test_files_carry_the_test(tiny_result, tmp_path):
    board = tiny_result.to_frame()
    csv = pd.read_csv(tiny_result.to_csv(tmp_path / "board.csv"))
    assert_allclose(csv["p_value"], board["p_value"], rtol=1e-12)
    assert csv["differs_from_best"].tolist() == board["differs_from_best"].tolist()
    per_fold = pd.read_csv(tiny_result.to_csv(tmp_path / "folds.csv", per="fold"))
    assert set(per_fold["n_test"]) == {30}
    doc = json.loads(tiny_result.to_json())
    assert doc["alpha"] == 0.1
    assert [row["p_value"] for row in doc["leaderboard"]] == pytest.approx(
        board["p_value"].tolist(), rel=1e-12)
    back = BenchmarkResult.from_json(tiny_result.to_json())
    pd.testing.assert_frame_equal(back.to_frame(), board)
    # the text tables: a column, the best named, a star where p < alpha, the legend
    for text in (tiny_result.to_markdown(), tiny_result.summary(), tiny_result.to_html()):
        assert "p vs best" in text and "Nadeau &" in text
        assert "* marks p &lt; 0.1" in text if text.startswith("<") else \
            "* marks p < 0.1" in text
    lines = tiny_result.to_markdown().splitlines()
    for i, row in board.iterrows():
        line = next(r for r in lines if f"| {row['model']} |" in r)
        p = row["p_value"]
        text = ("best" if i == 0 else ("<0.001" if p < 0.001 else f"{p:.3f}")
                + (" *" if row["differs_from_best"] else ""))
        assert f"| {text} |" in line
