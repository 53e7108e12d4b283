"""The stacked-overfitting guard: StackingClassifier/Regressor(guard=...).

Every holdout score the guard reports is recomputed here from fits of our own (the
unguarded stack, scikit-learn's VotingClassifier, a member alone) on the same rows.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import VotingClassifier as SkVotingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, KFold, ShuffleSplit
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from ensembles import StackingClassifier, StackingRegressor, overfitting_report
from ensembles.combine.stacking import GuardDecision
from ensembles.evaluation.report import OverfittingReport


def _columns(columns, estimator):
    """``estimator`` that sees only ``columns`` of X."""
    return make_pipeline(ColumnTransformer([("c", "passthrough", columns)]), estimator)


# -- where stacking overfits: 100 noisy rows, a 1-NN final estimator on passthrough ----
@pytest.fixture(scope="module")
def noisy():
    """(X, y) to fit on and (X, y) of fresh rows from the same distribution."""
    X, y = make_classification(n_samples=1100, n_features=20, n_informative=3,
                               n_redundant=0, flip_y=0.1, random_state=2)
    return X[:100], y[:100], X[100:], y[100:]


def _overfitting_stack(**params):
    members = [("lr", LogisticRegression()), ("nb", GaussianNB())]
    params = {"final_estimator": KNeighborsClassifier(1), **params}
    return StackingClassifier(members, passthrough=True, cv=3, random_state=0, **params)


@pytest.fixture(scope="module")
def fallen_back(noisy):
    X, y, _, _ = noisy
    return _overfitting_stack(guard=0.3).fit(X, y)


def _reference_on_rest(guarded, X, y, rest):
    """The guard's candidates fitted independently on the rest rows."""
    unguarded = _overfitting_stack().fit(X[rest], y[rest])
    voting = SkVotingClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())],
                                voting="soft").fit(X[rest], y[rest])
    members = {name: clone(est).fit(X[rest], y[rest]) for name, est in guarded.estimators}
    return unguarded, voting, members


def test_guard_falls_back_where_stacking_overfits(noisy, fallen_back):
    X, y, X_fresh, y_fresh = noisy
    guard = fallen_back.guard_
    assert guard.decision in ("voting", "member")
    rest, holdout = guard.rest, guard.holdout
    assert len(holdout) == 30 and len(rest) == 70
    assert np.intersect1d(rest, holdout).size == 0
    assert np.array_equal(np.sort(np.concatenate([rest, holdout])), np.arange(100))

    unguarded, voting, members = _reference_on_rest(fallen_back, X, y, rest)
    chosen = voting if guard.decision == "voting" else members[guard.member]
    stack_holdout = accuracy_score(y[holdout], unguarded.predict(X[holdout]))
    chosen_holdout = accuracy_score(y[holdout], chosen.predict(X[holdout]))
    scores = guard.scores.set_index(["candidate", "member"])["holdout_score"]
    assert scores[("stack", "")] == pytest.approx(stack_holdout)
    assert scores[("voting", "")] == pytest.approx(
        accuracy_score(y[holdout], voting.predict(X[holdout])))
    for name, member in members.items():
        assert scores[("member", name)] == pytest.approx(
            accuracy_score(y[holdout], member.predict(X[holdout])))
    # the acceptance line: the guarded choice does better than the stack on the holdout
    assert chosen_holdout > stack_holdout
    # and, refitted on all rows, on 1000 fresh rows of the same distribution too
    unguarded_all = _overfitting_stack().fit(X, y)
    assert fallen_back.score(X_fresh, y_fresh) > unguarded_all.score(X_fresh, y_fresh)


def test_out_of_fold_estimates_are_recomputed(noisy, fallen_back):
    """A member's out-of-fold score is that of its out-of-fold predictions on the rest
    (the stack's own folds), the vote's that of their average."""
    X, y, _, _ = noisy
    rest = fallen_back.guard_.rest
    inner = _overfitting_stack().fit(X[rest], y[rest])
    scores = fallen_back.guard_.scores.set_index(["candidate", "member"])["oof_score"]
    probas = [inner.cross_fit_.oof[name] for name in ("lr", "nb")]
    for name, proba in zip(("lr", "nb"), probas):
        assert scores[("member", name)] == pytest.approx(
            accuracy_score(y[rest], proba.argmax(axis=1)))
    assert scores[("voting", "")] == pytest.approx(
        accuracy_score(y[rest], np.mean(probas, axis=0).argmax(axis=1)))
    # the stack's: the final estimator cross-validated on the members' oof outputs
    meta = np.hstack([probas[0][:, 1:], probas[1][:, 1:], X[rest]])
    predicted = np.empty(len(rest), dtype=int)
    for train, test in inner.cross_fit_.folds:
        final = KNeighborsClassifier(1).fit(meta[train], y[rest][train])
        predicted[test] = final.predict(meta[test])
    assert scores[("stack", "")] == pytest.approx(accuracy_score(y[rest], predicted))


def test_predictions_are_the_chosen_candidate_refitted_on_all_rows(noisy, fallen_back):
    X, y, X_fresh, _ = noisy
    guard = fallen_back.guard_
    if guard.decision == "voting":
        chosen = SkVotingClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())],
                                    voting="soft").fit(X, y)
    else:
        chosen = clone(dict(fallen_back.estimators)[guard.member]).fit(X, y)
    np.testing.assert_array_equal(fallen_back.predict(X_fresh), chosen.predict(X_fresh))
    np.testing.assert_allclose(fallen_back.predict_proba(X_fresh),
                               chosen.predict_proba(X_fresh))
    # what is fitted on all rows is the unguarded stack: transform and the final
    # estimator are the same whatever the decision
    unguarded = _overfitting_stack().fit(X, y)
    np.testing.assert_array_equal(fallen_back.transform(X_fresh),
                                  unguarded.transform(X_fresh))
    np.testing.assert_array_equal(
        fallen_back.final_estimator_.predict(fallen_back.transform(X_fresh)),
        unguarded.predict(X_fresh))


def test_guard_attributes(fallen_back):
    guard = fallen_back.guard_
    assert isinstance(guard, GuardDecision)
    assert guard.scoring == "accuracy" and guard.voting == "soft"
    assert list(guard.scores.columns) == ["candidate", "member", "oof_score",
                                          "holdout_score", "chosen"]
    assert list(guard.scores["candidate"]) == ["stack", "voting", "member", "member"]
    assert list(guard.scores["member"]) == ["", "", "lr", "nb"]
    chosen = guard.scores[guard.scores["chosen"]]
    assert len(chosen) == 1 and chosen["candidate"].iloc[0] == guard.decision
    members = guard.scores[guard.scores["candidate"] == "member"]
    assert guard.member == members.loc[members["oof_score"].idxmax(), "member"]
    assert guard.reason.startswith("fell back to ")
    assert f"{chosen['holdout_score'].iloc[0]:.4f}" in guard.reason
    assert repr(guard).startswith("GuardDecision(decision=")
    row = guard.as_row("stack")
    assert row["decision"] == guard.decision and row["n_holdout"] == 30
    assert row["stack_holdout"] == guard.scores["holdout_score"].iloc[0]


def test_no_guard_by_default(noisy):
    X, y, _, _ = noisy
    stack = _overfitting_stack().fit(X, y)
    assert stack.guard is None and stack.guard_ is None


# -- where stacking pays: each member sees part of the signal --------------------------
def test_guard_keeps_a_classifier_stack_that_pays():
    """y = sign(x0 + ... + x7); one member sees x0..x5, the other x6, x7. A logistic
    regression on their decision values adds them up; their majority vote (two voters,
    ties to class 0) and either member alone cannot."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1200, 8))
    y = (X.sum(axis=1) > 0).astype(int)
    members = [("a", _columns([0, 1, 2, 3, 4, 5], LogisticRegression())),
               ("b", _columns([6, 7], LogisticRegression()))]
    params = dict(stack_method="decision_function", cv=3, random_state=0)
    guarded = StackingClassifier(members, guard=0.3, **params).fit(X[:200], y[:200])
    guard = guarded.guard_
    assert guard.decision == "stack" and guard.voting == "hard"
    assert guard.reason.startswith("kept the stack")
    holdout = guard.scores.set_index("candidate")["holdout_score"]
    assert holdout["stack"] > holdout["voting"]
    assert holdout["stack"] > holdout["member"].max()
    unguarded = StackingClassifier(members, **params).fit(X[:200], y[:200])
    np.testing.assert_array_equal(guarded.predict(X[200:]), unguarded.predict(X[200:]))
    np.testing.assert_array_equal(guarded.decision_function(X[200:]),
                                  unguarded.decision_function(X[200:]))


def test_guard_keeps_a_regressor_stack_that_pays():
    """y = x0 + x1: a linear final estimator adds up the two one-feature members; their
    mean halves the sum."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = X[:, 0] + X[:, 1] + 0.1 * rng.normal(size=200)
    members = [("a", _columns([0], LinearRegression())),
               ("b", _columns([1], LinearRegression()))]
    guarded = StackingRegressor(members, guard=0.3, cv=3, random_state=0).fit(X, y)
    guard = guarded.guard_
    assert guard.decision == "stack" and guard.scoring == "r2" and guard.voting == "mean"
    rest, holdout = guard.rest, guard.holdout
    unguarded = StackingRegressor(members, cv=3, random_state=0).fit(X[rest], y[rest])
    holdout_scores = guard.scores.set_index("candidate")["holdout_score"]
    assert holdout_scores["stack"] == pytest.approx(unguarded.score(X[holdout], y[holdout]))
    mean = np.mean([clone(est).fit(X[rest], y[rest]).predict(X[holdout])
                    for _, est in members], axis=0)
    assert holdout_scores["voting"] == pytest.approx(
        1 - np.sum((y[holdout] - mean) ** 2) / np.sum((y[holdout] - y[holdout].mean()) ** 2))
    assert holdout_scores["stack"] > 0.95 > holdout_scores["voting"]


def test_regressor_falls_back_to_the_mean():
    """A 1-NN final estimator on 40 noisy rows: the mean of two linear members wins on
    the holdout, and predict is that mean, the members refitted on all rows."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, 1.0, 0.5] + rng.normal(size=40)
    members = [("a", LinearRegression()), ("b", _columns([0, 1], LinearRegression()))]
    from sklearn.neighbors import KNeighborsRegressor

    guarded = StackingRegressor(members, final_estimator=KNeighborsRegressor(1),
                                guard=0.4, cv=3, random_state=0).fit(X, y)
    guard = guarded.guard_
    assert guard.decision in ("voting", "member")
    if guard.decision == "voting":
        expected = np.mean([clone(e).fit(X, y).predict(X) for _, e in members], axis=0)
    else:
        expected = clone(dict(members)[guard.member]).fit(X, y).predict(X)
    np.testing.assert_allclose(guarded.predict(X), expected)


# -- the data a stack takes ------------------------------------------------------------
def test_pandas_string_labels_and_sample_weight(noisy):
    X, y, X_fresh, _ = noisy
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = np.array(["no", "yes"])[y]
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    tree = DecisionTreeClassifier(random_state=0)  # a 1-NN takes no weights
    guarded = _overfitting_stack(guard=0.3, final_estimator=tree).fit(
        frame, labels, sample_weight=weights)
    guard = guarded.guard_
    rest, holdout = guard.rest, guard.holdout
    unguarded = _overfitting_stack(final_estimator=tree).fit(
        frame.iloc[rest], labels[rest], sample_weight=weights[rest])
    stack_holdout = guard.scores.set_index("candidate")["holdout_score"]["stack"]
    assert stack_holdout == pytest.approx(unguarded.score(
        frame.iloc[holdout], labels[holdout], sample_weight=weights[holdout]))
    assert set(guarded.predict(frame)) <= {"no", "yes"}
    assert list(guarded.feature_names_in_) == list(frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        guarded.predict(pd.DataFrame(X_fresh, columns=[f"g{i}" for i in range(20)]))


def test_same_decision_with_two_workers(noisy, fallen_back):
    X, y, X_fresh, _ = noisy
    parallel = _overfitting_stack(guard=0.3, n_jobs=2).fit(X, y)
    pd.testing.assert_frame_equal(parallel.guard_.scores, fallen_back.guard_.scores)
    np.testing.assert_array_equal(parallel.predict(X_fresh), fallen_back.predict(X_fresh))


def test_a_splitter_as_guard(noisy):
    X, y, _, _ = noisy
    splitter = ShuffleSplit(n_splits=5, test_size=25, random_state=3)
    rest, holdout = next(splitter.split(X, y))
    guarded = _overfitting_stack(guard=splitter).fit(X, y)
    np.testing.assert_array_equal(guarded.guard_.rest, rest)
    np.testing.assert_array_equal(guarded.guard_.holdout, holdout)


def test_seeded_holdout_is_stratified(noisy):
    X, y, _, _ = noisy
    first = _overfitting_stack(guard=0.3).fit(X, y).guard_.holdout
    again = _overfitting_stack(guard=0.3).fit(X, y).guard_.holdout
    np.testing.assert_array_equal(first, again)
    assert abs(y[first].mean() - y.mean()) <= 1 / len(first)


def test_clone_and_grid_search_over_the_guard(noisy):
    X, y, _, _ = noisy
    stack = _overfitting_stack(guard=0.3)
    assert clone(stack).get_params()["guard"] == 0.3
    grid = GridSearchCV(_overfitting_stack(), {"guard": [None, 0.3]}, cv=3).fit(X, y)
    assert list(grid.cv_results_["param_guard"]) == [None, 0.3]
    best = grid.best_estimator_
    assert (best.guard_ is None) == (grid.best_params_["guard"] is None)


def test_hard_vote_fallback():
    """Members stacked by their labels (stack_method="predict") vote by majority: three
    of them, so no ties; the vote has no probabilities and no decision values."""
    X, y = make_classification(n_samples=100, n_features=20, n_informative=3,
                               n_redundant=0, flip_y=0.1, random_state=2)
    members = [("lr", LogisticRegression()), ("nb", GaussianNB()),
               ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    stack = StackingClassifier(members, final_estimator=KNeighborsClassifier(1),
                               passthrough=True, cv=3, random_state=0, guard=0.3,
                               stack_method="predict").fit(X, y)
    assert (stack.guard_.decision, stack.guard_.voting) == ("voting", "hard")
    vote = SkVotingClassifier(members, voting="hard").fit(X, y)
    np.testing.assert_array_equal(stack.predict(X), vote.predict(X))
    for method in ("predict_proba", "decision_function"):
        assert not hasattr(stack, method)
        with pytest.raises(AttributeError) as info:
            getattr(stack, method)(X)
        assert str(info.value) == f"This 'StackingClassifier' has no attribute '{method}'"
        assert str(info.value.__cause__) == (  # scikit-learn's available_if chains ours
            f"{method} is not available: the guard fell back to a hard vote of the "
            "members (guard_.decision='voting'), which has labels only.")


def test_member_fallback_methods(noisy, fallen_back):
    X, _, _, _ = noisy
    assert fallen_back.guard_.decision == "member"
    member = fallen_back.named_estimators_[fallen_back.guard_.member]
    assert hasattr(fallen_back, "predict_proba")
    assert hasattr(fallen_back, "decision_function") == hasattr(member, "decision_function")
    with pytest.raises(ValueError) as info:
        fallen_back.predict(X, k=1)
    assert str(info.value) == (
        "predict parameters ['k'] go to the final estimator, which the guard set aside "
        "(guard_.decision='member'); predict without them, or fit with guard=None.")


# -- the overfitting report ------------------------------------------------------------
def test_report_has_the_guard_row(noisy):
    X, y, _, _ = noisy
    stack = _overfitting_stack(guard=0.3, keep_fold_models=True).fit(X, y)
    report = overfitting_report(stack, X, y, cv="prefit", curves=False)
    assert len(report.guard) == 1
    row = report.guard.iloc[0]
    expected = stack.guard_.as_row("StackingClassifier")
    for key, value in expected.items():
        assert row[key] == value, key
    assert any(note.startswith("StackingClassifier's guard fell back to")
               for note in report.notes)
    assert "StackingClassifier's guard" in report.summary()
    # the ensemble rows are the stack's, as without the guard
    plain = _overfitting_stack(keep_fold_models=True).fit(X, y)
    plain_report = overfitting_report(plain, X, y, cv="prefit", curves=False)
    pd.testing.assert_frame_equal(report.scores.drop(columns="fit_time"),
                                  plain_report.scores.drop(columns="fit_time"))
    assert plain_report.guard.empty
    again = OverfittingReport.from_json(report.to_json())
    pd.testing.assert_frame_equal(again.guard, report.guard, check_dtype=False)


def test_report_of_an_unfitted_guarded_stack_says_where_the_row_is(noisy):
    X, y, _, _ = noisy
    report = overfitting_report(_overfitting_stack(guard=0.3), X, y, cv=3, curves=False)
    assert report.guard.empty
    assert any("has a guard, which decides when the stack is fitted" in note
               for note in report.notes)


# -- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize("guard", [1.5, 0, 1, 0.0, True, "yes", -0.2])
def test_bad_guard_values(noisy, guard):
    X, y, _, _ = noisy
    message = ("The 'guard' parameter of StackingClassifier must be None, a float in the "
               "range (0.0, 1.0) or an object implementing 'split'. Got "
               f"{guard!r} instead.")
    with pytest.raises(ValueError) as info:
        _overfitting_stack(guard=guard).fit(X, y)
    assert str(info.value) == message


def _fails(stack, X, y, message, error=ValueError):
    with pytest.raises(error) as info:
        stack.fit(X, y)
    assert str(info.value) == message


def test_guard_with_prefit_members(noisy):
    X, y, _, _ = noisy
    fitted = [("lr", LogisticRegression().fit(X, y))]
    _fails(StackingClassifier(fitted, cv="prefit", guard=0.3), X, y,
           "guard needs members fitted by StackingClassifier with cross-validation: "
           "prefitted members (cv='prefit') may have seen the holdout rows; got "
           "guard=0.3 with cv='prefit'. Use an int cv or a splitter, or guard=None.")


def test_guard_with_a_list_of_folds(noisy):
    X, y, _, _ = noisy
    folds = list(KFold(3).split(X))
    _fails(_overfitting_stack(guard=0.3).set_params(cv=folds), X, y,
           "guard needs cv to be an int or a splitter, which it also splits the rows "
           "outside the holdout with; got an iterable of folds (list) with guard=0.3. "
           "Pass cv as a splitter (e.g. PredefinedSplit or GroupKFold) or guard=None.")


def test_guard_with_a_multilabel_target():
    X, Y = np.random.RandomState(0).normal(size=(30, 3)), np.eye(3, dtype=int)[
        np.arange(30) % 3][:, :2]
    stack = StackingClassifier([("knn", KNeighborsClassifier(3))], guard=0.3, cv=3)
    _fails(stack, X, Y, "guard does not support a multilabel target in "
           "StackingClassifier: its fallbacks vote on single labels; got y of shape "
           "(30, 2) with guard=0.3. Use guard=None.")


def test_guard_holding_out_too_few_rows(noisy):
    X, y, _, _ = noisy
    _fails(_overfitting_stack(guard=0.01), X, y,
           "StackingClassifier: cannot hold out guard=0.01 of 100 rows: The test_size = 1 "
           "should be greater or equal to the number of classes = 2")


class _NoSplit:
    def split(self, X, y=None, groups=None):
        return iter(())

    def __repr__(self):
        return "_NoSplit()"


class _Overlapping:
    def split(self, X, y=None, groups=None):
        yield np.arange(0, 60), np.arange(50, 100)

    def __repr__(self):
        return "_Overlapping()"


class _AllHeldOut:
    def split(self, X, y=None, groups=None):
        rows = np.arange(len(y))
        yield rows[y == 0], rows[y == 1]

    def __repr__(self):
        return "_AllHeldOut()"


@pytest.mark.parametrize("splitter, message", [
    (_NoSplit(), "StackingClassifier: guard=_NoSplit() gave no (rest, holdout) split."),
    (_Overlapping(), "StackingClassifier: guard=_Overlapping() puts rows both in the rest "
                     "and in the holdout; they must be disjoint."),
    (_AllHeldOut(), "StackingClassifier: guard=_AllHeldOut() leaves 1 class(es) with no row "
                    "outside the holdout; every class needs rows to fit on. Hold out fewer "
                    "rows or use a stratified splitter."),
])
def test_bad_splitters(noisy, splitter, message):
    X, y, _, _ = noisy
    _fails(_overfitting_stack(guard=splitter), X, y, message)


def test_a_guarded_final_estimator_is_refused(noisy):
    X, y, _, _ = noisy
    inner = StackingClassifier([("lr", LogisticRegression())], guard=0.3)
    _fails(StackingClassifier([("nb", GaussianNB())], final_estimator=inner, cv=3), X, y,
           "final_estimator: a stacking final estimator is fitted on the same folds as "
           "this layer, without a holdout of its own, so its guard would not run; got "
           "final_estimator with guard=0.3. Set the guard on the outer stack and "
           "guard=None on the inner one.")


def test_not_fitted(noisy):
    X, _, _, _ = noisy
    with pytest.raises(NotFittedError):
        _overfitting_stack(guard=0.3).predict(X)


def test_a_guarded_stack_saves_and_loads(tmp_path, noisy, fallen_back):
    """pickle and skops (the guard's decision holds arrays and lists, which skops reads;
    GuardDecision is among the package's trusted types)."""
    import pickle

    from ensembles.persistence import dump, load

    X, _, X_fresh, _ = noisy
    path = tmp_path / "guarded.skops"
    dump(fallen_back, path)
    for loaded in (load(path), pickle.loads(pickle.dumps(fallen_back))):
        pd.testing.assert_frame_equal(loaded.guard_.scores, fallen_back.guard_.scores)
        assert loaded.guard_.decision == fallen_back.guard_.decision
        np.testing.assert_array_equal(loaded.predict(X_fresh), fallen_back.predict(X_fresh))


def test_drop_and_refit_false(noisy):
    """A 'drop' member is no candidate; with refit=False the fallback member is its fold
    models averaged, as the stack holds it."""
    X, y, X_fresh, _ = noisy
    members = [("lr", LogisticRegression()), ("gone", "drop"), ("nb", GaussianNB())]
    stack = StackingClassifier(members, final_estimator=KNeighborsClassifier(1),
                               passthrough=True, cv=3, random_state=0, guard=0.3,
                               refit=False).fit(X, y)
    assert list(stack.guard_.scores["member"]) == ["", "", "lr", "nb"]
    assert stack.guard_.decision == "member"
    member = stack.named_estimators_[stack.guard_.member]
    assert type(member).__name__ == "FoldAverage"
    np.testing.assert_array_equal(stack.predict(X_fresh), member.predict(X_fresh))
    np.testing.assert_allclose(stack.predict_proba(X_fresh), member.predict_proba(X_fresh))
