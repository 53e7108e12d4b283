"""TabM through the net wrappers (``module="tabm"``): the module against the paper's own
package, the loss (mean of the heads' losses), the prediction (mean of the heads), and
the wrapper's contract (weights, seeds, pickling, early stopping, eval sets)."""

import copy
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.utils import compute_sample_weight
from skorch.callbacks import Callback

from ensembles import NetClassifier, NetRegressor
from ensembles.learners._tabm import TabM
from ensembles.learners._torch import MLP

FAST = dict(module="tabm", module_params={"k": 4}, hidden_layer_sizes=(16,), max_epochs=20,
            lr=0.02, random_state=0)


@pytest.fixture(scope="module")
def clf_data():
    return make_classification(n_samples=120, n_features=6, n_informative=4, n_classes=3,
                               random_state=0)


@pytest.fixture(scope="module")
def reg_data():
    X, y = make_regression(n_samples=120, n_features=6, noise=5.0, random_state=0)
    return X, y * 10 + 300


def _estimator(Est, **params):
    return Est(**{**FAST, **params})


def _data(Est, clf_data, reg_data):
    return clf_data if Est is NetClassifier else reg_data


def _predict(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


# -- the module ----------------------------------------------------------------------------


def test_initialisation_is_the_papers():
    torch.manual_seed(0)
    module = TabM(5, 3, hidden_layer_sizes=(8, 7), k=6)
    first, second = module.layers[0], module.layers[2]
    # First adapter: random signs, both present; every other scaling is 1.
    assert set(first.r.detach().unique().tolist()) == {-1.0, 1.0}
    for scaling in (first.s, second.r, second.s):
        assert torch.equal(scaling, torch.ones_like(scaling))
    # The k biases of a layer start equal; the k output heads do not.
    for layer in (first, second):
        assert torch.equal(layer.bias, layer.bias[:1].expand_as(layer.bias))
    assert not torch.equal(module.heads.weight[0], module.heads.weight[1])
    # One shared weight a layer: parameters grow by k vectors, not k matrices.
    assert first.weight.shape == (8, 5)


def test_forward_equals_the_tabm_package_layer_for_layer():
    """The reference: the paper authors' ``tabm`` package, given our parameters."""
    tabm = pytest.importorskip("tabm")
    k, n_in, n_out, width = 4, 5, 3, 8
    torch.manual_seed(0)
    ours = TabM(n_in, n_out, hidden_layer_sizes=(width, width), k=k)
    with torch.no_grad():  # adapters away from their initial 1 so that each one counts
        for p in ours.parameters():
            p.add_(0.1 * torch.randn_like(p))
    theirs = tabm.TabM.make(n_num_features=n_in, d_out=n_out, k=k, n_blocks=2,
                            d_block=width, dropout=0.0)
    with torch.no_grad():
        for i in range(2):
            ref, own = theirs.backbone.blocks[i][0], ours.layers[2 * i]
            for name in ("weight", "r", "s", "bias"):
                getattr(ref, name).copy_(getattr(own, name))
        theirs.output.weight.copy_(ours.heads.weight)
        theirs.output.bias.copy_(ours.heads.bias)
    X = torch.randn(10, n_in)
    ours.train(), theirs.train()
    torch.testing.assert_close(ours(X), theirs(X))  # (10, k, n_out): one output per head


def test_one_member_is_an_mlp():
    """k=1: the one head's output, and the MLP whose first weight absorbs the signs."""
    torch.manual_seed(0)
    tabm = TabM(5, 3, hidden_layer_sizes=(8,), k=1).eval()
    mlp = MLP(5, 3, hidden_layer_sizes=(8,)).eval()
    layer = tabm.layers[0]
    with torch.no_grad():
        mlp.layers[0].weight.copy_(layer.weight * layer.r[0] * layer.s[0][:, None])
        mlp.layers[0].bias.copy_(layer.bias[0])
        mlp.layers[2].weight.copy_(tabm.heads.weight[0].T)
        mlp.layers[2].bias.copy_(tabm.heads.bias[0])
    X = torch.randn(10, 5)
    # In eval mode a classifier's TabM returns log(mean softmax): a logit up to a constant.
    torch.testing.assert_close(tabm(X), mlp(X))
    tabm.combine = "proba"
    torch.testing.assert_close(torch.softmax(tabm(X), 1), torch.softmax(mlp(X), 1))


# -- training: the mean of the heads' losses -----------------------------------------------


class _RecordInitialState(Callback):
    def on_train_begin(self, net, **kwargs):
        self.state = copy.deepcopy(net.module_.state_dict())


@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
def test_the_loss_is_the_weighted_mean_of_the_heads_losses(clf_data, reg_data, Est):
    """One full-batch Adam step of the wrapper equals one on sum_i w_i mean_j l_ij / sum w."""
    X, y = _data(Est, clf_data, reg_data)
    weight = np.random.RandomState(1).uniform(0.2, 3.0, size=len(y))
    record = _RecordInitialState()
    est = _estimator(Est, max_epochs=1, batch_size=256, callbacks=[record])
    est.fit(X, y, sample_weight=weight)
    [record] = [cb for _, cb in est.net_.callbacks_ if isinstance(cb, _RecordInitialState)]

    module = copy.deepcopy(est.net_.module_)
    module.load_state_dict(record.state)
    module.train()
    optimizer = torch.optim.Adam(module.parameters(), lr=est.lr)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    heads = module(X_t)  # (rows, k, out)
    assert heads.shape[:2] == (len(y), 4)
    if Est is NetClassifier:
        target = torch.as_tensor(y)
        per_head = torch.stack([torch.nn.functional.cross_entropy(heads[:, j], target,
                                                                  reduction="none")
                                for j in range(4)], dim=1)
    else:
        target = torch.as_tensor((y - est._y_mean) / est._y_scale, dtype=torch.float32)
        per_head = (heads - target.reshape(-1, 1, 1)) ** 2
        per_head = per_head.squeeze(-1)
    w = torch.as_tensor(weight, dtype=torch.float32)
    loss = (per_head.mean(dim=1) * w).sum() / w.sum()
    loss.backward()
    optimizer.step()
    assert est.history_["train_loss"][0] == pytest.approx(loss.item(), rel=1e-5)
    for name, value in module.state_dict().items():
        torch.testing.assert_close(est.net_.module_.state_dict()[name], value,
                                   rtol=1e-5, atol=1e-6, msg=name)


def test_heads_learn_on_their_own(clf_data):
    """Trained on their own losses, each head is a classifier in its own right."""
    X, y = clf_data
    est = _estimator(NetClassifier, max_epochs=60).fit(X, y)
    with torch.no_grad():
        heads = est.net_.module_.forward_heads(torch.as_tensor(X, dtype=torch.float32))
    for j in range(4):
        assert (heads[:, j].argmax(1).numpy() == y).mean() > 0.8


# -- prediction: the mean of the heads -----------------------------------------------------


def _heads64(est, X):
    """The fitted heads' outputs as predict computes them: float64, from float32 X."""
    module = copy.deepcopy(est.net_.module_).double().eval()
    with torch.no_grad():
        return module.forward_heads(torch.as_tensor(X.astype(np.float32), dtype=torch.float64))


def test_predict_proba_is_the_mean_of_the_heads_probabilities(clf_data):
    X, y = clf_data
    est = _estimator(NetClassifier).fit(X, y)
    heads = _heads64(est, X)
    expected = torch.softmax(heads, dim=-1).mean(dim=1).numpy()
    got = est.predict_proba(X)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), expected, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[expected.argmax(1)])
    # and not the softmax of the mean logit, which differs
    assert not np.allclose(torch.softmax(heads.mean(1), -1).numpy(), expected, atol=1e-6)


def test_regressor_predicts_the_mean_of_the_heads(reg_data):
    X, y = reg_data
    est = _estimator(NetRegressor).fit(X, y)
    heads = _heads64(est, X)
    expected = heads.mean(dim=1).numpy().ravel() * est._y_scale[0] + est._y_mean[0]
    np.testing.assert_allclose(est.predict(X), expected, rtol=1e-6)


def test_multi_output_regression(reg_data):
    X, y = reg_data
    Y = np.column_stack([y, -2 * y])
    est = _estimator(NetRegressor, max_epochs=60).fit(X, Y)
    assert est.predict(X).shape == (len(y), 2)
    assert est.score(X, Y) > 0.5


def test_predictions_do_not_depend_on_batch_composition(clf_data):
    X, y = clf_data
    est = _estimator(NetClassifier, batch_size=32).fit(X, y)
    full = est.predict_proba(X)
    alone = np.concatenate([est.predict_proba(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(alone, full, rtol=1e-13, atol=1e-15)


def test_one_member_fits_and_predicts_its_head(clf_data):
    X, y = clf_data
    est = _estimator(NetClassifier, module_params={"k": 1}, max_epochs=60).fit(X, y)
    assert est.net_.module_.k == 1
    assert est.score(X, y) > 0.8
    head = _heads64(est, X)[:, 0]
    np.testing.assert_allclose(est.predict_proba(X), torch.softmax(head, 1).numpy(),
                               rtol=1e-12)


# -- the wrapper's contract ----------------------------------------------------------------


@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
def test_zero_weight_equals_dropping_rows(clf_data, reg_data, Est):
    X, y = _data(Est, clf_data, reg_data)
    weight = np.ones(len(y))
    weight[::4] = 0.0
    keep = weight > 0
    weighted = _estimator(Est, batch_size=256).fit(X, y, sample_weight=weight)
    dropped = _estimator(Est, batch_size=256).fit(X[keep], y[keep])
    np.testing.assert_allclose(_predict(weighted, X), _predict(dropped, X),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
def test_integer_weight_equals_repeating_rows(clf_data, reg_data, Est):
    """At float32 tolerance, as for the MLP (test_common.py's expected failure)."""
    X, y = _data(Est, clf_data, reg_data)
    weight = np.random.RandomState(0).randint(0, 4, size=len(y))
    weighted = _estimator(Est, batch_size=512).fit(X, y, sample_weight=weight)
    repeated = _estimator(Est, batch_size=512).fit(X.repeat(weight, axis=0), y.repeat(weight))
    np.testing.assert_allclose(_predict(weighted, X), _predict(repeated, X),
                               rtol=1e-4, atol=1e-5)


def test_class_weight_balanced_matches_sample_weight(clf_data):
    X, y = clf_data
    y = np.where(y == 2, 1, y)
    by_class = _estimator(NetClassifier, class_weight="balanced").fit(X, y)
    by_row = _estimator(NetClassifier).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(by_class.predict_proba(X), by_row.predict_proba(X), rtol=1e-5)
    plain = _estimator(NetClassifier).fit(X, y)
    assert not np.allclose(by_class.predict_proba(X), plain.predict_proba(X))


def test_same_seed_same_model_and_pickle(clf_data, tmp_path):
    X, y = clf_data
    params = dict(batch_size=32, dropout=0.2)  # shuffling, dropout and the signs all drawn
    a = _estimator(NetClassifier, **params).fit(X, y)
    b = _estimator(NetClassifier, **params).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = _estimator(NetClassifier, **params, random_state=1).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    restored = pickle.loads(pickle.dumps(a))
    assert isinstance(restored.net_.module_, TabM)
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))


def test_set_params_k_and_clone(clf_data):
    X, y = clf_data
    est = _estimator(NetClassifier).set_params(module__k=3)
    assert est.module_params == {"k": 3}
    assert clone(est).fit(X, y).net_.module_.k == 3
    assert _estimator(NetClassifier, module_params=None).fit(X, y).net_.module_.k == 32


def test_early_stopping_and_eval_set_watch_the_combined_model(clf_data):
    X, y = clf_data
    est = _estimator(NetClassifier, early_stopping=True, n_iter_no_change=3, max_epochs=40)
    est.fit(X, y, eval_set=(X[:40], y[:40]))
    history = est.history_
    n = est.n_iter_
    for key in ("train_loss", "valid_loss", "valid_accuracy", "eval_loss", "eval_accuracy",
                "train_accuracy"):
        assert len(history[key]) == n, key
    assert 1 <= est.best_epoch_ <= n
    # eval_loss is the log-loss of the combined (mean) probabilities: checked without
    # early stopping, whose restored best weights are not the last epoch's.
    last = _estimator(NetClassifier, max_epochs=5).fit(X, y, eval_set=(X[:40], y[:40]))
    proba = last.predict_proba(X[:40])
    log_loss = -np.mean(np.log(proba[np.arange(40), y[:40]]))
    assert last.history_["eval_loss"][-1] == pytest.approx(log_loss, rel=1e-4)
    assert last.history_["eval_accuracy"][-1] == pytest.approx(last.score(X[:40], y[:40]))


def test_batch_norm(clf_data):
    X, y = clf_data
    est = _estimator(NetClassifier, batch_norm=True, batch_size=17, max_epochs=5).fit(X, y)
    assert est.predict_proba(X).shape == (len(y), 3)


BAD = [
    ({"module": "tabm", "module_params": {"k": 0}}, ValueError, r"must be an int >= 1; got 0"),
    ({"module": "tabm", "module_params": {"k": 2.5}}, ValueError, r"must be an int >= 1"),
    ({"module": "tabm", "module_params": {"width": 8}}, ValueError,
     r"takes only 'k' .*got \['width'\]"),
    ({"module": "TabM"}, ValueError, r"The 'module' parameter of NetClassifier must be"),
]


@pytest.mark.parametrize("params, error, message", BAD, ids=[str(b[0]) for b in BAD])
def test_bad_parameters(clf_data, params, error, message):
    X, y = clf_data
    with pytest.raises(error, match=message):
        NetClassifier(max_epochs=1, **params).fit(X, y)


def test_benchmark_script_quick_run_prints_its_table():
    """benchmarks/tabm.py's plumbing (2 folds of iris, 3 epochs); its figures are in
    docs/benchmarks.md."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "tabm.py"
    run = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| iris")]
    assert [row.split(" | ")[2] for row in rows] == [
        "one MLP", "TabM (k=32)", "TabM (k=8)", "bag of 8 MLPs"]
