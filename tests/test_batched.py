"""K nets trained as one batched model equal their sequential fits (issue 13, item 3).

Every comparison is against the same estimators fitted one by one through ``fit``: the
batched trainer must draw the same seeds, splits and batches and make the same updates,
so the members differ from their own fits only by float32 rounding.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression

from ensembles import BaggingClassifier, BaggingRegressor, NetClassifier, NetRegressor
from ensembles.classic.bagging import _who_failed
from ensembles.learners import _batched
from ensembles.learners._batched import batch_refusal, fit_together

X_CLF, Y_CLF = make_classification(240, 8, n_classes=3, n_informative=5, random_state=0)
X_REG, Y_REG = make_regression(240, 6, noise=5.0, random_state=0)


@pytest.fixture
def batched_calls(monkeypatch):
    """Counts the batches trained, so a test knows the batched path ran."""
    calls = []
    train = _batched._train

    def counting(estimators, *args):
        calls.append(len(estimators))
        return train(estimators, *args)

    monkeypatch.setattr(_batched, "_train", counting)
    return calls


def _outputs(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X) / np.std(Y_REG)  # relative to the target's scale


def _tasks(estimator, X, y, n=4, rows="weights", seed=0):
    rng = np.random.RandomState(seed)
    tasks = []
    for k in range(n):
        member = clone(estimator).set_params(random_state=k)
        if rows == "weights":  # bagging's way: every row, the draw as weights
            weight = np.bincount(rng.randint(0, len(y), len(y)), minlength=len(y))
            tasks.append((member, X, y, {"sample_weight": weight.astype(float)}))
        else:  # the folds' way: rows of their own, of different counts
            take = np.sort(rng.choice(len(y), len(y) - 30 + 10 * k, replace=False))
            tasks.append((member, X[take], y[take], {}))
    return tasks


def _assert_equal_to_sequential(tasks, X, atol):
    sequential = [clone(est).fit(Xk, yk, **params) for est, Xk, yk, params in tasks]
    batched = fit_together([(clone(est), Xk, yk, params) for est, Xk, yk, params in tasks])
    for alone, together in zip(sequential, batched, strict=True):
        assert not isinstance(together, Exception), together
        np.testing.assert_allclose(_outputs(together, X), _outputs(alone, X), atol=atol,
                                   rtol=0)
        assert together.n_iter_ == alone.n_iter_
        assert getattr(together, "best_epoch_", None) == getattr(alone, "best_epoch_", None)
        assert together.history_.keys() == alone.history_.keys()
        for key in alone.history_:
            if key != "dur":
                np.testing.assert_allclose(together.history_[key], alone.history_[key],
                                           rtol=1e-4, atol=1e-5, err_msg=key)
        assert together.device_ == alone.device_
        # The optimizer's state too: a further partial fit continues alike.
        state_alone = alone.net_.optimizer_.state_dict()["state"]
        state_together = together.net_.optimizer_.state_dict()["state"]
        assert state_alone.keys() == state_together.keys()
        for key in state_alone:
            assert float(state_alone[key]["step"]) == float(state_together[key]["step"])
            np.testing.assert_allclose(state_together[key]["exp_avg"].numpy(),
                                       state_alone[key]["exp_avg"].numpy(), atol=1e-5)
    return batched


CASES = {
    "classifier": (NetClassifier(hidden_layer_sizes=(16,), max_epochs=8, batch_size=64),
                   "weights"),
    "classifier, two layers, early stopping": (
        NetClassifier(hidden_layer_sizes=(16, 8), max_epochs=40, batch_size=32, lr=0.01,
                      early_stopping=True, n_iter_no_change=3), "weights"),
    "classifier, own rows, AdamW, class weights": (
        NetClassifier(hidden_layer_sizes=(16,), max_epochs=8, batch_size=50,
                      optimizer="adamw", weight_decay=0.01, class_weight="balanced"), "rows"),
    "classifier, one batch an epoch": (
        NetClassifier(hidden_layer_sizes=(8,), max_epochs=8, batch_size=512,
                      activation="tanh"), "weights"),
    "regressor, L2": (NetRegressor(hidden_layer_sizes=(16,), max_epochs=8, batch_size=64,
                                   weight_decay=1e-3), "weights"),
    "regressor, own rows, early stopping, huber": (
        NetRegressor(hidden_layer_sizes=(16,), max_epochs=40, batch_size=50, lr=0.01,
                     early_stopping=True, n_iter_no_change=3, criterion="huber"), "rows"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_member_equals_its_sequential_fit(case, batched_calls):
    estimator, rows = CASES[case]
    X, y = (X_REG, Y_REG) if isinstance(estimator, NetRegressor) else (X_CLF, Y_CLF)
    _assert_equal_to_sequential(_tasks(estimator, X, y, rows=rows), X, atol=2e-5)
    assert batched_calls == [4]


def test_a_batched_member_predicts_and_pickles_as_a_fitted_net(batched_calls):
    estimator = NetClassifier(hidden_layer_sizes=(8,), max_epochs=3)
    members = fit_together(_tasks(estimator, X_CLF, Y_CLF.astype(str), n=2))
    loaded = pickle.loads(pickle.dumps(members[1]))
    np.testing.assert_array_equal(loaded.predict(X_CLF), members[1].predict(X_CLF))
    assert set(loaded.classes_) == {"0", "1", "2"}
    assert batched_calls == [2]


def test_members_that_cannot_be_batched_are_fitted_alone(batched_calls):
    with_dropout = NetClassifier(hidden_layer_sizes=(8,), max_epochs=3, dropout=0.2)
    assert "dropout" in batch_refusal(with_dropout)
    tasks = _tasks(with_dropout, X_CLF, Y_CLF, n=2)
    fitted = fit_together([(clone(e), *rest) for e, *rest in tasks])
    alone = clone(tasks[0][0]).fit(X_CLF, Y_CLF, **tasks[0][3])
    np.testing.assert_array_equal(fitted[0].predict_proba(X_CLF), alone.predict_proba(X_CLF))
    assert batched_calls == []


def test_a_member_with_bad_input_fails_alone_and_names_its_cause(batched_calls):
    estimator = NetClassifier(hidden_layer_sizes=(8,), max_epochs=2)
    tasks = _tasks(estimator, X_CLF, Y_CLF, n=3)
    bad = tasks[1][3]["sample_weight"].copy()
    bad[0] = -1.0
    tasks[1] = (tasks[1][0], X_CLF, Y_CLF, {"sample_weight": bad})
    results = fit_together(tasks)
    assert isinstance(results[1], ValueError) and "Negative" in str(results[1])
    assert not isinstance(results[0], Exception) and not isinstance(results[2], Exception)
    assert batched_calls == [2]


@pytest.mark.parametrize("Bagging, X, y, net", [
    (BaggingClassifier, X_CLF, Y_CLF, NetClassifier(hidden_layer_sizes=(16,), max_epochs=5)),
    (BaggingRegressor, X_REG, Y_REG, NetRegressor(hidden_layer_sizes=(16,), max_epochs=5)),
])
def test_bagging_of_nets_batched_equals_one_by_one(Bagging, X, y, net, batched_calls):
    batched = Bagging(net, n_estimators=5, max_features=0.75, random_state=0).fit(X, y)
    assert batched_calls == [5]
    alone = Bagging(net, n_estimators=5, max_features=0.75, random_state=0,
                    batch_nets=False).fit(X, y)
    assert batched_calls == [5]
    np.testing.assert_allclose(_outputs(batched, X), _outputs(alone, X), atol=2e-5, rtol=0)
    for a, b in zip(batched.estimators_, alone.estimators_, strict=True):
        assert a.random_state == b.random_state


def test_bagging_batch_nets_true_says_why_it_cannot():
    bag = BaggingClassifier(NetClassifier(max_epochs=2, batch_norm=True), n_estimators=2,
                            batch_nets=True)
    with pytest.raises(ValueError, match="batch_nets=True.*batch normalisation"):
        bag.fit(X_CLF, Y_CLF)
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(ValueError, match="LogisticRegression is not one of our nets"):
        BaggingClassifier(LogisticRegression(), n_estimators=2, batch_nets=True).fit(
            X_CLF, Y_CLF)


def test_a_batch_that_fails_as_a_whole_names_all_its_members(monkeypatch):
    bag = BaggingClassifier(NetClassifier(hidden_layer_sizes=(8,), max_epochs=2),
                            n_estimators=3, warm_start=True, random_state=0).fit(X_CLF, Y_CLF)

    def boom(estimators, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(_batched, "_train", boom)
    with pytest.raises(RuntimeError,
                       match=r"^members 3-5 \(NetClassifier, batched\) failed: boom$"):
        bag.set_params(n_estimators=6).fit(X_CLF, Y_CLF)
    assert len(bag.estimators_) == 3
    # members that are not a range (one failed alone, before the batch) are listed
    assert _who_failed([0, 1, 3], NetClassifier()) == \
        "members 0, 1, 3 (NetClassifier, batched) failed"
