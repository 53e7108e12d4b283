"""Members fitted before the ensemble (``cv="prefit"``, ``FrozenEstimator``) on the
user's labels: strings, labels other than 0..K-1, a subset of y's classes (issue 12)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.ensemble import StackingClassifier as SkStackingClassifier
from sklearn.ensemble import VotingClassifier as SkVotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from ensembles import EnsembleSelectionClassifier, StackingClassifier, VotingClassifier

X, _y = load_iris(return_X_y=True)
LABELS = {
    "strings": np.array(["setosa", "versicolor", "virginica"])[_y],
    "ints from 1": _y + 1,
    "negative ints": np.array([-5, 0, 7])[_y],
}


def _fitted(y):
    return (LogisticRegression(max_iter=1000).fit(X, y),
            DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y))


@pytest.mark.parametrize("kind", list(LABELS))
def test_prefit_stack_matches_scikit_learns(kind):
    y = LABELS[kind]
    lr, tree = _fitted(y)
    ours = StackingClassifier([("lr", lr), ("tree", tree)], cv="prefit").fit(X, y)
    theirs = SkStackingClassifier([("lr", lr), ("tree", tree)], cv="prefit").fit(X, y)
    assert ours.estimators_[0] is lr  # the user's objects, as scikit-learn's
    assert_allclose(ours.transform(X), theirs.transform(X))
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("voting", ["soft", "hard"])
@pytest.mark.parametrize("kind", list(LABELS))
def test_frozen_members_vote_as_in_scikit_learn(kind, voting):
    y = LABELS[kind]
    lr, tree = _fitted(y)
    members = [("lr", FrozenEstimator(lr)), ("tree", FrozenEstimator(tree))]
    ours = VotingClassifier(members, voting=voting).fit(X, y)
    # scikit-learn's hard voting fails on frozen members with such labels (it counts
    # their labels as 0..K-1): compare with the same members fitted by its voting
    unfitted = [("lr", LogisticRegression(max_iter=1000)),
                ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))]
    theirs = SkVotingClassifier(unfitted, voting=voting).fit(X, y)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    if voting == "soft":
        assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))


@pytest.mark.parametrize("Ensemble", [StackingClassifier, VotingClassifier,
                                      EnsembleSelectionClassifier])
def test_frozen_member_beside_members_fitted_here(Ensemble):
    y = LABELS["strings"]
    lr, _ = _fitted(y)
    params = {"weights": "auto"} if Ensemble is VotingClassifier else {}
    ens = Ensemble([("lr", FrozenEstimator(lr)), ("tree", DecisionTreeClassifier(
        max_depth=3, random_state=0))], cv=3, **params).fit(X, y)
    assert set(ens.predict(X)) <= set(y)
    assert ens.score(X, y) > 0.9


def test_prefit_member_on_a_subset_of_the_classes_is_aligned():
    y = LABELS["strings"]
    two = y != "virginica"
    partial = LogisticRegression(max_iter=1000).fit(X[two], y[two])
    full, _ = _fitted(y)
    stack = StackingClassifier([("partial", partial), ("full", full)], cv="prefit",
                               stack_method="predict_proba").fit(X, y)
    meta = stack.transform(X)
    assert meta.shape == (150, 6)
    assert_array_equal(meta[:, 2], 0.0)  # no probability for the class it never saw
    assert_allclose(meta[:, :2], partial.predict_proba(X))


@pytest.mark.parametrize("Ensemble, cv", [
    (StackingClassifier, "prefit"), (StackingClassifier, 3), (VotingClassifier, None),
    (EnsembleSelectionClassifier, 3)])
def test_prefit_member_with_unknown_classes_names_itself(Ensemble, cv):
    y = LABELS["strings"]
    other = LogisticRegression(max_iter=1000).fit(X, np.where(y == "setosa", "rose", y))
    members = [("lr", other if cv == "prefit" else FrozenEstimator(other))]
    params = {} if cv is None else {"cv": cv}
    with pytest.raises(ValueError, match=r"member 'lr' \(.*LogisticRegression\) was fitted "
                       r"on the classes \['rose', 'versicolor', 'virginica'\], of which "
                       r"\['rose'\] are not among y's classes"):
        Ensemble(members, **params).fit(X, y)


@pytest.mark.parametrize("Ensemble", [StackingClassifier, VotingClassifier,
                                      EnsembleSelectionClassifier])
def test_frozen_member_fitted_on_labels_of_another_type_names_itself(Ensemble):
    # 0..2 against y's strings: encoded labels must not pass for the user's
    other = LogisticRegression(max_iter=1000).fit(X, _y)
    with pytest.raises(ValueError, match=r"member 'lr' \(.*LogisticRegression\) was fitted "
                       r"on the classes \[0, 1, 2\], of which \[0, 1, 2\] are not among "
                       r"y's classes \['setosa', 'versicolor', 'virginica'\]"):
        Ensemble([("lr", FrozenEstimator(other))]).fit(X, LABELS["strings"])
