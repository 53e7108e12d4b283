"""Tuning with Optuna (issue 16, item 5): meta-parameter trials of a fitted stack fit no
member; member-parameter trials are pruned fold by fold."""

import numpy as np
import pytest
from counting import CountingClassifier
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

from ensembles import StackingClassifier, VotingRegressor, benchmark, tune

optuna = pytest.importorskip("optuna", reason="Optuna is not installed (ensembles-ml[optuna])")
FloatDistribution = optuna.distributions.FloatDistribution

X, Y = make_classification(n_samples=150, n_features=5, random_state=0)


@pytest.fixture(autouse=True)
def fits():
    CountingClassifier.fits.clear()
    yield CountingClassifier.fits
    CountingClassifier.fits.clear()


def _stack(memory=None):
    members = [("a", CountingClassifier("a")), ("b", CountingClassifier("b", C=2.0))]
    return StackingClassifier(members, final_estimator=LogisticRegression(), cv=3,
                              random_state=0, memory=memory)


def test_a_meta_parameter_search_of_a_fitted_stack_fits_no_member(tmp_path, fits):
    stack = _stack(tmp_path).fit(X, Y)
    assert len(fits) == 2 * (3 + 1)
    fits.clear()
    result = tune(stack, X, Y,
                  {"final_estimator__C": FloatDistribution(1e-3, 1e2, log=True)},
                  n_trials=6, memory=tmp_path, random_state=0)
    assert fits == [] and result.member_fits == 0  # every member fit read back
    assert len(result.study.trials) == 6
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in result.study.trials)
    # the best estimator is the stack with the best C, fitted (its members read back too)
    best = result.best_estimator
    assert best.final_estimator_.C == result.best_params["final_estimator__C"]
    np.testing.assert_array_equal(
        best.predict_proba(X),
        _stack().set_params(**result.best_params).fit(X, Y).predict_proba(X))


def test_a_trials_value_is_the_benchmarks_score_of_that_ensemble(tmp_path):
    result = tune(_stack(), X, Y, {"final_estimator__C": [0.01, 1.0]}, n_trials=4,
                  memory=tmp_path, random_state=0, refit=False)
    for trial in result.study.trials:
        stack = _stack().set_params(**trial.params)
        # the stack's own folds: cv=3 in row order (shuffle=False)
        board = benchmark(list(stack.estimators), X, Y, cv=3, shuffle=False, verbose=0,
                          ensembles=[("stack", stack)], scoring="accuracy").to_frame()
        expected = board.set_index("model").loc["stack", "accuracy_mean"]
        assert trial.value == pytest.approx(expected, abs=1e-12)
        assert len(trial.user_attrs["fold_scores"]) == 3


def test_a_member_parameter_search_prunes_bad_trials_after_a_fold(tmp_path, fits):
    result = tune(_stack(), X, Y, {"a__C": FloatDistribution(1e-6, 1e2, log=True)},
                  n_trials=10, memory=tmp_path, random_state=0, refit=False)
    states = [t.state for t in result.study.trials]
    pruned = [t for t in result.study.trials if t.state == optuna.trial.TrialState.PRUNED]
    complete = [t for t in result.study.trials
                if t.state == optuna.trial.TrialState.COMPLETE]
    assert pruned, states
    for trial in pruned:  # stopped after its first fold: the others were never fitted
        assert list(trial.intermediate_values) == [1]
        assert trial.params["a__C"] < 0.01  # the weak ones
    # 'b' is fitted once (3 folds), then read back; 'a' 3 folds a complete trial, 1 a
    # pruned one
    assert sorted(tag for tag, _ in fits) == \
        ["a"] * (3 * len(complete) + len(pruned)) + ["b"] * 3
    assert result.member_fits == len(fits)


def test_a_space_as_a_callable_and_a_regressor(tmp_path):
    Xr, yr = make_regression(n_samples=120, n_features=4, noise=5.0, random_state=0)
    vote = VotingRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
                           weights="auto", cv=3, random_state=0)

    def space(trial):
        return {"ridge__alpha": trial.suggest_float("ridge__alpha", 1e-3, 1e3, log=True)}

    result = tune(vote, Xr, yr, space, n_trials=3, memory=tmp_path, random_state=0)
    assert 0.5 < result.best_score <= 1.0  # R2
    assert result.best_estimator.score(Xr, yr) > 0.5


@pytest.mark.parametrize("kwargs, error, message", [
    ({"estimator": LogisticRegression()}, TypeError,
     "tune: estimator must be one of the package's cross-validated ensembles "
     "(StackingClassifier/Regressor, VotingClassifier/Regressor, "
     "EnsembleSelectionClassifier/Regressor); got LogisticRegression."),
    ({"space": {}}, ValueError,
     "tune: space must be a non-empty dict of parameter name -> distribution or choices, "
     "or a callable; got {}."),
    ({"space": {"final_estimator__C": 3}}, ValueError,
     "space['final_estimator__C'] must be an Optuna distribution (e.g. "
     "optuna.distributions.FloatDistribution(0.01, 10, log=True)) or a non-empty list "
     "of choices; got 3."),
])
def test_bad_input(kwargs, error, message):
    args = {"estimator": _stack(), "space": {"final_estimator__C": [1.0]}, **kwargs}
    with pytest.raises(error) as info:
        tune(args.pop("estimator"), X, Y, args.pop("space"), n_trials=1, **args)
    assert str(info.value) == message
