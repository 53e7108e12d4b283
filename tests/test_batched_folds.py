"""The fold models of a net member in the out-of-fold engine, and its refit on all rows,
trained as one batched model (issue 13, item 3): stacks, voting and selection give what
the fold-by-fold fits give, to float32 rounding, whatever ``n_jobs``.

The batched path is counted (``batched_calls``) in this process. With ``n_jobs=2`` the
batch runs in a worker, where the count cannot reach; there the fit times show it: a
batch's time is split evenly over its fits, so every fold and the refit report the same.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold

from ensembles import (
    EnsembleSelectionClassifier,
    NetClassifier,
    NetRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
)
from ensembles.engine.oof import cross_fit
from ensembles.learners import _batched

X_CLF, Y_CLF = make_classification(200, 6, n_classes=3, n_informative=4, random_state=0)
X_REG, Y_REG = make_regression(200, 5, noise=5.0, random_state=0)
Y_REG = Y_REG / Y_REG.std()


@pytest.fixture
def batched_calls(monkeypatch):
    """Counts the batches trained (and their sizes), so a test knows the batched path
    ran."""
    calls = []
    train = _batched._train

    def counting(estimators, *args):
        calls.append(len(estimators))
        return train(estimators, *args)

    monkeypatch.setattr(_batched, "_train", counting)
    return calls


def _net(kind, **params):
    params = {"hidden_layer_sizes": (16,), "max_epochs": 6, "batch_size": 32, **params}
    return NetClassifier(**params) if kind == "classifier" else NetRegressor(**params)


def _stack(kind, batch_nets, n_jobs, net=None, **params):
    net = net if net is not None else _net(kind)
    if kind == "classifier":
        return StackingClassifier([("net", net), ("lr", LogisticRegression())], cv=3,
                                  n_jobs=n_jobs, random_state=0, batch_nets=batch_nets,
                                  **params)
    return StackingRegressor([("net", net), ("lr", LinearRegression())], cv=3,
                             n_jobs=n_jobs, random_state=0, batch_nets=batch_nets, **params)


def _data(kind):
    return (X_CLF, Y_CLF) if kind == "classifier" else (X_REG, Y_REG)


def _outputs(estimator, X):
    return estimator.predict_proba(X) if hasattr(estimator, "predict_proba") else \
        estimator.predict(X)


def _assert_same_stack(batched, alone, X):
    for name in ("net", "lr"):
        np.testing.assert_allclose(batched.cross_fit_.oof[name], alone.cross_fit_.oof[name],
                                   atol=2e-5, rtol=0, err_msg=name)
    for batched_fold, alone_fold in zip(batched.cross_fit_.fold_estimators["net"],
                                        alone.cross_fit_.fold_estimators["net"], strict=True):
        assert batched_fold.n_iter_ == alone_fold.n_iter_
    np.testing.assert_allclose(_outputs(batched, X), _outputs(alone, X), atol=2e-5, rtol=0)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_stack_with_batched_folds_equals_the_fold_by_fold_stack(kind, n_jobs,
                                                                  batched_calls):
    X, y = _data(kind)
    batched = _stack(kind, True, n_jobs).fit(X, y)
    alone = _stack(kind, False, 1).fit(X, y)
    _assert_same_stack(batched, alone, X)
    record = batched.cross_fit_
    assert len(record.fit_times["net"]) == 3 and np.all(record.fit_times["net"] > 0)
    # the batch's time split evenly over its 3 fold fits and the refit
    assert np.all(record.fit_times["net"] == record.refit_times["net"])
    if n_jobs == 1:  # in this process: the folds and the refit were one batch
        assert batched_calls == [4]
    else:
        assert batched_calls == []  # fold by fold only ran here; the batch in a worker


def test_auto_batches_and_false_does_not(batched_calls):
    _stack("classifier", "auto", 1, refit=False).fit(X_CLF, Y_CLF)
    assert batched_calls == [3]  # the three fold models, no refit
    _stack("classifier", False, 1).fit(X_CLF, Y_CLF)
    assert batched_calls == [3]


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_early_stopping_nets_stop_each_at_its_own_epoch(kind, batched_calls):
    X, y = _data(kind)
    net = _net(kind, max_epochs=40, lr=0.01, early_stopping=True, n_iter_no_change=2)
    batched = _stack(kind, True, 1, net=net).fit(X, y)
    alone = _stack(kind, False, 1, net=net).fit(X, y)
    # the three fold models together; the refit on all rows trains for the median of
    # their best epochs without early stopping (engine.stopping), after them, alone
    assert batched_calls == [3]
    _assert_same_stack(batched, alone, X)
    fold_epochs = [est.n_iter_ for est in batched.cross_fit_.fold_estimators["net"]]
    assert max(fold_epochs) < 40  # stopped early
    best = [est.best_epoch_ for est in batched.cross_fit_.fold_estimators["net"]]
    assert batched.cross_fit_.stopping_points["net"] == best
    for stack in (batched, alone):
        refit = stack.named_estimators_["net"]
        assert refit.n_iter_ == refit.max_epochs == int(np.floor(np.median(best) + 0.5))
        assert not refit.early_stopping


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failing_fold_is_named(n_jobs, batched_calls):
    # Weight only on fold 2's test rows: fold 2 trains on rows all of weight zero and is
    # the only fit that fails.
    folds = list(KFold(4).split(X_CLF))
    weight = np.zeros(len(Y_CLF))
    weight[folds[2][1]] = 1.0
    members = [("net", _net("classifier", random_state=0)), ("lr", LogisticRegression())]
    for batch_nets in (True, False):
        with pytest.raises(ValueError, match=r"member 'net' failed in fold 2: Sample "
                                             r"weights must contain"):
            cross_fit(members, X_CLF, Y_CLF, folds=folds, sample_weight=weight,
                      n_classes=3, n_jobs=n_jobs, batch_nets=batch_nets)
    if n_jobs == 1:
        assert batched_calls == [3]  # the three folds that can be fitted, together


def test_on_error_skip_leaves_out_a_net_whose_routed_weights_fail_a_fold(batched_calls):
    # Routed metadata (as an ensemble with metadata routing passes it): the weights go
    # to the net only, and fold 0 of the net trains on rows all of weight zero.
    folds = list(KFold(3).split(X_CLF))
    weight = np.zeros(len(Y_CLF))
    weight[folds[0][1]] = 1.0
    members = [("net", _net("classifier", random_state=0)), ("lr", LogisticRegression())]
    with pytest.warns(UserWarning, match="^'net' left out: ValueError: member 'net' failed "
                      "in fold 0: Sample weights must contain at least one non-zero"):
        record = cross_fit(members, X_CLF, Y_CLF, folds=folds, n_classes=3, refit=True,
                           methods={"net": "predict_proba", "lr": "predict_proba"},
                           fit_params={"net": {"sample_weight": weight}}, on_error="skip")
    assert batched_calls == [3]  # folds 1 and 2 and the refit
    assert record.names == ["lr"] and list(record.errors) == ["net"]
    assert str(record.errors["net"]).startswith("member 'net' failed in fold 0: ")


def test_sample_weight_is_sliced_per_fold_into_the_batch(batched_calls):
    rng = np.random.RandomState(0)
    weight = rng.uniform(0.1, 3.0, len(Y_CLF))
    folds = list(KFold(3, shuffle=True, random_state=0).split(X_CLF))
    members = [("net", _net("classifier", random_state=0)), ("lr", LogisticRegression())]
    kwargs = dict(folds=folds, methods={"net": "predict_proba", "lr": "predict_proba"},
                  sample_weight=weight, refit=True, n_classes=3)
    batched = cross_fit(members, X_CLF, Y_CLF, batch_nets=True, **kwargs)
    assert batched_calls == [4]
    alone = cross_fit(members, X_CLF, Y_CLF, batch_nets=False, **kwargs)
    np.testing.assert_allclose(batched.oof["net"], alone.oof["net"], atol=2e-5, rtol=0)
    # and the weights mattered: unweighted fits differ
    unweighted = cross_fit(members, X_CLF, Y_CLF, batch_nets=True,
                           **{**kwargs, "sample_weight": None})
    assert np.abs(unweighted.oof["net"] - batched.oof["net"]).max() > 1e-3
    # each fold's model was fitted on its own rows with their weights: refitted alone
    # on them, it predicts the same
    for (train, _), fold_model in zip(folds, batched.fold_estimators["net"], strict=True):
        own = _net("classifier", random_state=0).fit(X_CLF[train], Y_CLF[train],
                                                     sample_weight=weight[train])
        np.testing.assert_allclose(fold_model.predict_proba(X_CLF), own.predict_proba(X_CLF),
                                   atol=2e-5, rtol=0)


def test_routed_sample_weight_reaches_the_batched_members(batched_calls):
    weight = np.random.RandomState(1).uniform(0.1, 3.0, len(Y_CLF))
    folds = list(KFold(3, shuffle=True, random_state=0).split(X_CLF))
    members = [("net", _net("classifier", random_state=0))]
    kwargs = dict(folds=folds, methods={"net": "predict_proba"}, n_classes=3)
    routed = cross_fit(members, X_CLF, Y_CLF, batch_nets=True,
                       fit_params={"net": {"sample_weight": weight}}, **kwargs)
    given = cross_fit(members, X_CLF, Y_CLF, batch_nets=False, sample_weight=weight,
                      **kwargs)
    assert batched_calls == [3]
    np.testing.assert_allclose(routed.oof["net"], given.oof["net"], atol=2e-5, rtol=0)


def test_voting_and_selection_batch_their_net_folds(batched_calls):
    members = [("net", _net("classifier")), ("lr", LogisticRegression())]
    vote = VotingClassifier(members, weights="auto", cv=3, random_state=0).fit(X_CLF, Y_CLF)
    assert batched_calls == [4]
    alone = VotingClassifier(members, weights="auto", cv=3, random_state=0,
                             batch_nets=False).fit(X_CLF, Y_CLF)
    np.testing.assert_allclose(vote.weights_, alone.weights_, atol=1e-4)
    # weights given: one fit per member, nothing to batch
    VotingClassifier(members, random_state=0).fit(X_CLF, Y_CLF)
    assert batched_calls == [4]
    EnsembleSelectionClassifier(members, cv=3, n_iter=5, refit=False,
                                random_state=0).fit(X_CLF, Y_CLF)
    assert batched_calls == [4, 3]


def test_batch_nets_true_says_why_a_net_cannot_be_batched(batched_calls):
    stack = _stack("classifier", True, 1, net=_net("classifier", dropout=0.1))
    with pytest.raises(ValueError, match=r"batch_nets=True: the fold models of member "
                                         r"'net' cannot be trained as one batched model: "
                                         r"it has dropout"):
        stack.fit(X_CLF, Y_CLF)
    _stack("classifier", "auto", 1, net=_net("classifier", dropout=0.1)).fit(X_CLF, Y_CLF)
    assert batched_calls == []  # auto: fitted fold by fold
    with pytest.raises(ValueError, match="The 'batch_nets' parameter of StackingClassifier"):
        _stack("classifier", "always", 1).fit(X_CLF, Y_CLF)


def test_a_watched_net_is_fitted_fold_by_fold(batched_calls):
    seen = []

    def watch(estimator, X, y, eval_set, fit_params):
        seen.append(len(eval_set[1]))
        return estimator.fit(X, y, **fit_params)

    folds = list(KFold(3).split(X_CLF))
    cross_fit([("net", _net("classifier", random_state=0))], X_CLF, Y_CLF, folds=folds,
              n_classes=3, monitor=watch)
    assert batched_calls == [] and len(seen) == 3
    with pytest.raises(ValueError, match="watched on an eval_set"):
        cross_fit([("net", _net("classifier"))], X_CLF, Y_CLF, folds=folds, n_classes=3,
                  monitor=watch, batch_nets=True)


def test_an_error_of_the_whole_batch_is_traced_to_its_fold(monkeypatch):
    # The batch fails as a whole (as when one member's loss diverges): its fits are made
    # again one by one, so a fold that fails alone names itself and the others fit.
    def failing(estimators, *args):
        raise RuntimeError("the batch failed")

    monkeypatch.setattr(_batched, "_train", failing)
    folds = list(KFold(3).split(X_CLF))
    members = [("net", _net("classifier", random_state=0))]
    kwargs = dict(folds=folds, methods={"net": "predict_proba"}, n_classes=3, refit=True)
    record = cross_fit(members, X_CLF, Y_CLF, batch_nets=True, **kwargs)
    alone = cross_fit(members, X_CLF, Y_CLF, batch_nets=False, **kwargs)
    np.testing.assert_array_equal(record.oof["net"], alone.oof["net"])

    weight = np.ones(len(Y_CLF))
    weight[folds[1][0]] = 0.0  # fold 1 trains on rows of weight zero only
    with pytest.raises(ValueError, match=r"member 'net' failed in fold 1: Sample weights"):
        cross_fit(members, X_CLF, Y_CLF, batch_nets=True, sample_weight=weight, **kwargs)
