"""The out-of-fold cache (issue 16, item 4): a (member, fold) fit done once, on the same
data, rows and parameters, is read back rather than done again."""

import joblib
import numpy as np
import pytest
from counting import CountingClassifier
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from xgboost import XGBClassifier

from ensembles import StackingClassifier, VotingClassifier, benchmark, cross_fit

X, Y = make_classification(n_samples=150, n_features=5, random_state=0)
FOLDS = list(KFold(3, shuffle=True, random_state=0).split(X))
METHODS = {"a": "predict_proba", "b": "predict_proba", "c": "predict_proba"}


@pytest.fixture(autouse=True)
def fits():
    CountingClassifier.fits.clear()
    yield CountingClassifier.fits
    CountingClassifier.fits.clear()


def _members(*tags):
    return [(tag, CountingClassifier(tag, C=1.0 + i)) for i, tag in enumerate(tags)]


def _tags(fits):
    return sorted(tag for tag, _ in fits)


def _cross_fit(members, memory, **kwargs):
    kwargs = {"scoring": {"acc": "accuracy"}, **kwargs}
    methods = {name: METHODS[name] for name, _ in members}
    return cross_fit(members, X, Y, folds=FOLDS, methods=methods, n_classes=2, refit=True,
                     memory=memory, **kwargs)


def test_a_second_run_reads_back_every_fit(tmp_path, fits):
    first = _cross_fit(_members("a", "b"), tmp_path)
    assert _tags(fits) == ["a"] * 4 + ["b"] * 4
    fits.clear()
    second = _cross_fit(_members("a", "b"), tmp_path)
    assert fits == []
    for name in ("a", "b"):
        np.testing.assert_array_equal(second.oof[name], first.oof[name])
        np.testing.assert_array_equal(second.scores[name]["test_acc"],
                                      first.scores[name]["test_acc"])
        np.testing.assert_array_equal(second.full_estimators[name].predict_proba(X),
                                      first.full_estimators[name].predict_proba(X))
    # and equal to a run without the cache
    plain = _cross_fit(_members("a", "b"), None)
    np.testing.assert_array_equal(plain.oof["a"], second.oof["a"])


@pytest.mark.parametrize("change", ["parameter", "rows", "folds", "method", "scoring"])
def test_what_a_fit_depends_on_is_in_its_key(tmp_path, fits, change):
    _cross_fit(_members("a"), tmp_path)
    fits.clear()
    members, kwargs = _members("a"), {}
    if change == "parameter":
        members = [("a", CountingClassifier("a", C=5.0))]
    if change == "scoring":
        kwargs["scoring"] = {"acc": "balanced_accuracy"}
    if change in ("rows", "folds", "method"):
        X2 = X.copy()
        if change == "rows":
            X2[0, 0] += 1.0
        folds = FOLDS if change != "folds" else list(KFold(3).split(X))
        methods = {"a": "predict_proba" if change != "method" else "predict"}
        cross_fit(members, X2, Y, folds=folds, methods=methods, n_classes=2, refit=True,
                  scoring={"acc": "accuracy"}, memory=tmp_path)
    else:
        _cross_fit(members, tmp_path, **kwargs)
    # the fit on all rows depends on neither the folds nor how they are predicted and
    # scored: read back
    expected = {"folds": 3, "method": 3, "scoring": 3}.get(change, 4)
    assert len(fits) == expected


def test_a_second_benchmark_with_one_more_model_fits_only_that_model(tmp_path, fits):
    first = benchmark(_members("a", "b"), X, Y, cv=3, verbose=0, random_state=0,
                      memory=tmp_path)
    assert _tags(fits) == ["a"] * 3 + ["b"] * 3
    fits.clear()
    second = benchmark(_members("a", "b", "c"), X, Y, cv=3, verbose=0, random_state=0,
                       memory=str(tmp_path))
    assert _tags(fits) == ["c"] * 3  # exactly the new model's fold fits
    board1, board2 = first.to_frame().set_index("model"), second.to_frame().set_index(
        "model")
    for name in ("a", "b"):
        assert board2.loc[name, "accuracy_mean"] == board1.loc[name, "accuracy_mean"]


def test_tuning_a_stacks_final_estimator_fits_no_member_again(tmp_path, fits):
    stack = StackingClassifier(_members("a", "b"), final_estimator=LogisticRegression(),
                               cv=3, random_state=0,
                               memory=joblib.Memory(tmp_path, verbose=0))
    search = GridSearchCV(stack, {"final_estimator__C": [0.01, 0.1, 1.0, 10.0]}, cv=2)
    search.fit(X, Y)
    # per outer fold: 2 members x (3 folds + the fit on all rows), for the first
    # candidate only; then the refit of the best on all rows: 2 x (3 + 1)
    assert len(fits) == 2 * 4 * 2 + 2 * 4
    fits.clear()
    uncached = GridSearchCV(stack.set_params(memory=None),
                            {"final_estimator__C": [0.01, 0.1, 1.0, 10.0]}, cv=2).fit(X, Y)
    assert len(fits) == 4 * 2 * 4 * 2 + 2 * 4
    assert uncached.best_params_ == search.best_params_
    np.testing.assert_array_equal(uncached.predict_proba(X), search.predict_proba(X))


def test_a_failed_fit_is_not_kept(tmp_path, fits):
    # XGBoost refuses labels 0 and 3 ("Invalid classes inferred"): 'x' fails every fold
    members = [("a", CountingClassifier("a")),
               ("x", XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1))]
    for attempt in range(2):
        with pytest.raises(ValueError, match="member 'x' failed in fold 0"):
            cross_fit(members, X, Y * 3, folds=FOLDS, n_classes=4, memory=tmp_path,
                      methods={"a": "predict_proba", "x": "predict_proba"})
        # first 'a' is fitted (and kept); then read back, while 'x' is tried again
        assert len(fits) == (3 if attempt == 0 else 0)
        fits.clear()
    files = list(tmp_path.rglob("*.pkl"))
    assert len(files) == 3  # the three folds of 'a'; nothing of 'x'


def test_memory_none_keeps_nothing(tmp_path, fits):
    for memory in (None, joblib.Memory(None, verbose=0)):
        _cross_fit(_members("a"), memory)
    assert len(fits) == 8
    assert not any(tmp_path.iterdir())


def test_voting_without_folds_reads_its_fits_back(tmp_path, fits):
    vote = VotingClassifier(_members("a", "b"), random_state=0, memory=tmp_path)
    first = vote.fit(X, Y).predict_proba(X)
    fits.clear()
    assert np.array_equal(vote.fit(X, Y).predict_proba(X), first) and fits == []
