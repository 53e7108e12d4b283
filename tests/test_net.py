"""NetClassifier / NetRegressor: input handling, weights, seeding, early stopping, pickling."""

import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback
from torch import nn

from ensembles import DeviceUnavailableError, NetClassifier, NetRegressor
from ensembles.engine.stopping import validation_split

FAST = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.02, random_state=0)


@pytest.fixture(scope="module")
def clf_data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


@pytest.fixture(scope="module")
def reg_data():
    X, y = make_regression(n_samples=120, n_features=6, noise=5.0, random_state=0)
    return X, y * 10 + 300  # far from zero mean / unit scale, as real targets are


# -- labels and input types ------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "dog", "emu"]),
        np.array([3, 7, 11], dtype=np.int32),
        np.array(["low", "mid", "high"], dtype=object),
    ],
    ids=["str", "int32", "object"],
)
def test_classifier_returns_user_labels(clf_data, labels):
    X, y = clf_data
    y_user = labels[y]
    clf = NetClassifier(**FAST).fit(X, y_user)
    assert list(clf.classes_) == sorted(labels.tolist())
    pred = clf.predict(X)
    assert pred.dtype == y_user.dtype
    assert set(pred) <= set(labels)
    assert clf.score(X, y_user) > 0.7


def test_binary_bool_labels(clf_data):
    X, y = clf_data
    y_bool = y == 1
    clf = NetClassifier(**FAST).fit(X, y_bool)
    assert clf.classes_.tolist() == [False, True]
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.predict(X).dtype == bool


def test_pandas_input_records_feature_names(clf_data):
    X, y = clf_data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="target")
    clf = NetClassifier(**FAST).fit(df, labels)
    assert clf.feature_names_in_.tolist() == list(df.columns)
    assert clf.n_features_in_ == X.shape[1]
    from_numpy = NetClassifier(**FAST).fit(X, labels.to_numpy())
    np.testing.assert_array_equal(clf.predict_proba(df), from_numpy.predict_proba(X))


def test_list_input_and_float64_cast(clf_data):
    X, y = clf_data
    from_list = NetClassifier(**FAST).fit(X.tolist(), y.tolist())
    from_f64 = NetClassifier(**FAST).fit(X, y)
    assert X.dtype == np.float64  # the user's array is left as it was
    np.testing.assert_allclose(from_list.predict_proba(X), from_f64.predict_proba(X))


def test_regressor_pandas_and_target_scale(reg_data):
    X, y = reg_data
    df = pd.DataFrame(X, columns=list("abcdef"))
    reg = NetRegressor(**{**FAST, "max_epochs": 80}).fit(df, pd.Series(y))
    assert reg.feature_names_in_.tolist() == list("abcdef")
    assert reg.predict(df).shape == (len(y),)
    assert reg.score(df, y) > 0.8  # only reachable because targets are standardised


def test_regressor_multi_output(reg_data):
    X, y = reg_data
    Y = np.column_stack([y, -2 * y])
    reg = NetRegressor(**{**FAST, "max_epochs": 80}).fit(X, Y)
    assert reg.predict(X).shape == (len(y), 2)
    assert reg.score(X, Y) > 0.8


@pytest.mark.parametrize("criterion", ["squared_error", "huber", "absolute_error"])
def test_regression_criteria(reg_data, criterion):
    X, y = reg_data
    reg = NetRegressor(**{**FAST, "max_epochs": 80}, criterion=criterion).fit(X, y)
    assert isinstance(reg.net_.criterion_, type(reg.net_.criterion_))
    assert reg.score(X, y) > 0.7


# -- sample weights --------------------------------------------------------------------


@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
def test_zero_weight_equals_dropping_rows(clf_data, reg_data, Est):
    X, y = clf_data if Est is NetClassifier else reg_data
    weight = np.ones(len(y))
    weight[::4] = 0.0
    keep = weight > 0
    params = {**FAST, "batch_size": 256}  # one full batch: the loss is the same sum
    weighted = Est(**params).fit(X, y, sample_weight=weight)
    dropped = Est(**params).fit(X[keep], y[keep])
    method = "predict_proba" if Est is NetClassifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, method)(X), getattr(dropped, method)(X), rtol=1e-4, atol=1e-5
    )


@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
def test_integer_weight_equals_repeating_rows(clf_data, reg_data, Est):
    """The other half of scikit-learn's weight check, at float32 tolerance (its rtol=1e-7
    is an expected failure in test_common.py: float32 training sums in another order)."""
    X, y = clf_data if Est is NetClassifier else reg_data
    weight = np.random.RandomState(0).randint(0, 4, size=len(y))
    params = {**FAST, "batch_size": 512}  # one full batch: the loss is the same sum
    weighted = Est(**params).fit(X, y, sample_weight=weight)
    repeated = Est(**params).fit(X.repeat(weight, axis=0), y.repeat(weight))
    method = "predict_proba" if Est is NetClassifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, method)(X), getattr(repeated, method)(X), rtol=1e-4, atol=1e-5
    )


def test_weights_change_the_model(clf_data):
    X, y = clf_data
    heavy = np.where(y == 0, 20.0, 1.0)
    plain = NetClassifier(**FAST).fit(X, y)
    weighted = NetClassifier(**FAST).fit(X, y, sample_weight=heavy)
    assert weighted.predict_proba(X)[:, 0].mean() > plain.predict_proba(X)[:, 0].mean()


def test_class_weight_balanced_matches_sample_weight(clf_data):
    X, y = clf_data
    y = np.where(y == 2, 1, y)  # imbalance: class 1 has two thirds of the rows
    from sklearn.utils import compute_sample_weight

    by_class = NetClassifier(**FAST, class_weight="balanced").fit(X, y)
    by_row = NetClassifier(**FAST).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(by_class.predict_proba(X), by_row.predict_proba(X), rtol=1e-5)


# -- seeding, pickling, devices --------------------------------------------------------


def test_same_seed_same_predictions_and_pickle(clf_data, tmp_path):
    X, y = clf_data
    params = {**FAST, "batch_size": 32, "dropout": 0.2}  # shuffling and dropout both drawn
    a = NetClassifier(**params).fit(X, y)
    b = NetClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = NetClassifier(**{**params, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))

    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))
    joblib.dump(a, tmp_path / "net.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "net.joblib").predict_proba(X), a.predict_proba(X)
    )


def test_fit_leaves_global_torch_rng_alone(clf_data):
    X, y = clf_data
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    NetClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_model_saved_as_cuda_loads_on_cpu(clf_data):
    """A net pickled on a GPU machine names device 'cuda'; here it must load on the CPU.

    We cannot train on CUDA here, so we pickle a CPU-trained net whose recorded device is
    'cuda', which is what skorch writes on a GPU machine. Warnings are errors in the test
    run, so skorch's DeviceWarning fallback would fail this test: ours loads silently.
    """
    if torch.cuda.is_available():
        pytest.skip("the machine has CUDA: the fallback path is not taken")
    X, y = clf_data
    clf = NetClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    clf.net_.device = "cuda"
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.net_.device == "cpu"
    assert next(restored.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(restored.predict_proba(X), expected)


@pytest.mark.gpu
def test_cuda_fit_pickle_round_trip(clf_data):
    X, y = clf_data
    clf = NetClassifier(**FAST, device="cuda").fit(X, y)
    assert next(clf.net_.module_.parameters()).device.type == "cuda"
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    np.testing.assert_allclose(joblib.load(buffer).predict_proba(X), clf.predict_proba(X))


def test_explicit_cuda_without_gpu_raises(clf_data):
    if torch.cuda.is_available():
        pytest.skip("the machine has CUDA")
    X, y = clf_data
    with pytest.raises(DeviceUnavailableError, match="device='auto'"):
        NetClassifier(**FAST, device="cuda").fit(X, y)


def test_auto_device_resolves(clf_data):
    X, y = clf_data
    clf = NetClassifier(**FAST, device="auto").fit(X, y)
    assert clf.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    assert clf.device == "auto"  # the parameter is left as the user set it


# -- early stopping and history --------------------------------------------------------


def test_early_stopping_restores_best_epoch():
    # Few noisy rows and a wide net: validation loss turns up after a few epochs.
    X, y = make_classification(
        n_samples=150, n_features=20, n_informative=3, flip_y=0.3, random_state=0
    )
    clf = NetClassifier(
        hidden_layer_sizes=(256, 256), max_epochs=300, lr=0.01, early_stopping=True,
        validation_fraction=0.3, n_iter_no_change=8, random_state=0,
    ).fit(X, y)
    history = clf.history_
    assert clf.n_iter_ < 300
    assert len(history["valid_loss"]) == clf.n_iter_
    best = int(np.argmin(history["valid_loss"]))
    assert clf.best_epoch_ == best + 1
    assert clf.n_iter_ == clf.best_epoch_ + 8

    # The restored weights give exactly the best epoch's validation loss.
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    _, valid = validation_split(len(y), y, 0.3, seed, y)
    proba = clf.predict_proba(X[valid])
    loss = -np.mean(np.log(proba[np.arange(len(valid)), y[valid]]))
    assert loss == pytest.approx(min(history["valid_loss"]), rel=1e-4)
    assert loss < history["valid_loss"][-1]


def test_history_keys_and_lengths(clf_data, reg_data):
    X, y = clf_data
    clf = NetClassifier(**FAST).fit(X, y)
    assert set(clf.history_) == {"epoch", "train_loss", "train_accuracy", "dur"}
    assert clf.history_["epoch"] == list(range(1, 31))
    assert clf.history_["train_loss"][-1] < clf.history_["train_loss"][0]
    X, y = reg_data
    reg = NetRegressor(**FAST, early_stopping=True, n_iter_no_change=100).fit(X, y)
    assert {"valid_loss", "train_r2", "valid_r2"} <= set(reg.history_)
    assert all(len(v) == 30 for v in reg.history_.values())


def test_verbose_zero_prints_nothing(clf_data, capsys):
    X, y = clf_data
    NetClassifier(**FAST, early_stopping=True).fit(X, y)
    assert capsys.readouterr().out == ""
    NetClassifier(**{**FAST, "max_epochs": 2}, verbose=1).fit(X, y)
    assert "train_loss" in capsys.readouterr().out


# -- modules, optimizers, schedulers, callbacks ----------------------------------------


class TinyNet(nn.Module):
    def __init__(self, in_features, out_features, width=8):
        super().__init__()
        self.width = width
        self.body = nn.Sequential(nn.Linear(in_features, width), nn.Tanh(),
                                  nn.Linear(width, out_features))

    def forward(self, X):
        return self.body(X)


def test_custom_module_class_with_module_params(clf_data):
    X, y = clf_data
    clf = NetClassifier(module=TinyNet, module_params={"width": 5}, **FAST).fit(X, y)
    assert clf.net_.module_.width == 5
    clf.set_params(module__width=7)
    assert clf.module_params == {"width": 7}
    assert clf.fit(X, y).net_.module_.width == 7
    assert clone(clf).module_params == {"width": 7}


def test_custom_module_instance_is_not_trained_in_place(clf_data):
    X, y = clf_data
    module = TinyNet(X.shape[1], 3)
    before = {k: v.clone() for k, v in module.state_dict().items()}
    clf = NetClassifier(module=module, **FAST).fit(X, y)
    assert clf.score(X, y) > 0.6
    for key, value in module.state_dict().items():
        assert torch.equal(value, before[key])


def test_module_params_in_grid_search(clf_data):
    X, y = clf_data
    grid = GridSearchCV(
        NetClassifier(module=TinyNet, **{**FAST, "max_epochs": 10}),
        {"module__width": [2, 6]}, cv=2,
    ).fit(X, y)
    assert grid.best_estimator_.net_.module_.width == grid.best_params_["module__width"]


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd", "rmsprop", torch.optim.Adagrad])
def test_optimizers(clf_data, optimizer):
    X, y = clf_data
    clf = NetClassifier(**FAST, optimizer=optimizer, weight_decay=1e-4).fit(X, y)
    expected = optimizer if not isinstance(optimizer, str) else type(clf.net_.optimizer_)
    assert isinstance(clf.net_.optimizer_, expected)
    assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-4
    assert clf.score(X, y) > 0.5


@pytest.mark.parametrize("scheduler", ["cosine", "plateau"])
def test_lr_scheduler_changes_lr(clf_data, scheduler):
    X, y = clf_data
    params = {**FAST, "max_epochs": 40}
    clf = NetClassifier(**params, lr_scheduler=scheduler,
                        early_stopping=scheduler == "plateau", n_iter_no_change=100).fit(X, y)
    final_lr = clf.net_.optimizer_.param_groups[0]["lr"]
    if scheduler == "cosine":
        assert final_lr < 0.02 * 0.01
    else:
        assert final_lr <= 0.02


def test_user_callbacks_are_copied(clf_data):
    class Count(Callback):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    X, y = clf_data
    counter = Count()
    clf = NetClassifier(**FAST, callbacks=[counter]).fit(X, y)
    assert counter.epochs == 0  # the user's object is not the one trained
    trained = [cb for _, cb in clf.net_.callbacks_ if isinstance(cb, Count)]
    assert trained and trained[0].epochs == 30


def test_batch_norm_with_last_batch_of_one(clf_data):
    X, y = clf_data
    clf = NetClassifier(**FAST, batch_norm=True, batch_size=17).fit(X[:103], y[:103])
    assert clf.predict(X).shape == (len(X),)


# -- scikit-learn integration ----------------------------------------------------------


def test_pipeline_grid_search_in_parallel(clf_data):
    X, y = clf_data
    pipe = make_pipeline(StandardScaler(), NetClassifier(**{**FAST, "max_epochs": 10}))
    grid = GridSearchCV(
        pipe,
        {"netclassifier__hidden_layer_sizes": [(8,), (16, 8)],
         "netclassifier__lr": [0.01, 0.05]},
        cv=2, n_jobs=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_score_ > 0.5


# -- bad input -------------------------------------------------------------------------

BAD_FIT = [
    ("nan", lambda X, y: (np.where(np.eye(*X.shape, dtype=bool), np.nan, X), y),
     {}, ValueError, "Input X contains NaN"),
    ("inf", lambda X, y: (np.where(np.eye(*X.shape, dtype=bool), np.inf, X), y),
     {}, ValueError, "Input X contains infinity"),
    ("1d X", lambda X, y: (X[:, 0], y), {}, ValueError, "Expected 2D array"),
    ("one class", lambda X, y: (X, np.zeros_like(y)), {}, ValueError,
     "needs at least 2 classes in y; got 1 class"),
    ("layers neg", lambda X, y: (X, y), {"hidden_layer_sizes": (16, -2)}, ValueError,
     r"hidden_layer_sizes must be a tuple of positive ints.*got \(16, -2\)"),
    ("layers str", lambda X, y: (X, y), {"hidden_layer_sizes": "16"}, ValueError,
     "'hidden_layer_sizes' parameter of NetClassifier must be an array-like.*Got '16'"),
    ("layers float", lambda X, y: (X, y), {"hidden_layer_sizes": (1.5,)}, ValueError,
     "hidden_layer_sizes must be a tuple of positive ints"),
    ("device", lambda X, y: (X, y), {"device": "gpu"}, ValueError,
     r"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'.*got 'gpu'"),
    ("lr", lambda X, y: (X, y), {"lr": 0.0}, ValueError, "'lr' parameter"),
    ("activation", lambda X, y: (X, y), {"activation": "swish"}, ValueError,
     "'activation' parameter"),
    ("weights", lambda X, y: (X, y), {"_sample_weight": -1.0}, ValueError,
     "Negative values in data passed to `sample_weight`"),
]


@pytest.mark.parametrize("case", BAD_FIT, ids=[c[0] for c in BAD_FIT])
def test_bad_fit_input(clf_data, case):
    _, transform, params, error, message = case
    X, y = transform(*clf_data)
    fit_kwargs = {}
    if "_sample_weight" in params:
        fit_kwargs["sample_weight"] = np.full(len(y), params.pop("_sample_weight"))
    with pytest.raises(error, match=message):
        NetClassifier(**{**FAST, **params}).fit(X, y, **fit_kwargs)


def test_wrong_number_of_features_at_predict(clf_data):
    X, y = clf_data
    clf = NetClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but NetClassifier is expecting 6"):
        clf.predict(X[:, :5])


def test_regressor_bad_criterion(reg_data):
    X, y = reg_data
    with pytest.raises(ValueError, match="'criterion' parameter of NetRegressor"):
        NetRegressor(criterion="mse").fit(X, y)


@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
@pytest.mark.parametrize("batch_size", [128, 32, 7])
def test_predictions_do_not_depend_on_batch_composition(clf_data, reg_data, Est, batch_size):
    """What scikit-learn's subset-invariance check asks (rtol=1e-7), with room to spare.

    The default MLP predicts in float64: a row alone, among others, in another order or
    across blocks (batch_size 32 and 7 split the 120 rows) agrees to float64 rounding.
    In float32 they differed by up to ~2e-7 of the largest output (a row alone vs 120).
    """
    X, y = clf_data if Est is NetClassifier else reg_data
    est = Est(**FAST, batch_size=batch_size).fit(X, y)
    method = getattr(est, "predict_proba" if Est is NetClassifier else "predict")
    full = method(X)
    assert full.dtype == np.float64

    def same(a, b):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13 * np.abs(full).max())

    same(np.concatenate([method(X[i : i + 1]) for i in range(len(X))]), full)
    for rows in (slice(3, 50), slice(1, 2), slice(101, None)):
        same(method(X[rows]), full[rows])
    order = np.random.RandomState(0).permutation(len(X))
    same(method(X[order]), full[order])


def test_predict_leaves_the_trained_float32_module_as_it_is(reg_data):
    X, y = reg_data
    reg = NetRegressor(**FAST).fit(X, y)
    before = {k: v.clone() for k, v in reg.net_.module_.state_dict().items()}
    reg.predict(X)
    after = reg.net_.module_.state_dict()
    assert all(v.dtype == torch.float32 for v in after.values())
    assert all(torch.equal(before[k], after[k]) for k in before)


# -- eval set: curves to watch, never to train on --------------------------------------


def test_eval_set_curves_one_point_per_epoch_and_match_the_final_model(clf_data):
    X, y = clf_data
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = NetClassifier(**FAST).fit(X[:80], labels[:80], eval_set=(X[80:], labels[80:]))
    history = clf.history_
    assert set(history) == {
        "epoch", "train_loss", "train_accuracy", "eval_loss", "eval_accuracy", "dur"
    }
    assert len(history["eval_loss"]) == len(history["eval_accuracy"]) == 30
    # The last point is the fitted model's own loss and accuracy on the eval rows.
    proba = clf.predict_proba(X[80:])
    codes = np.searchsorted(clf.classes_, labels[80:])
    log_loss = -np.mean(np.log(proba[np.arange(len(codes)), codes]))
    assert history["eval_loss"][-1] == pytest.approx(log_loss, rel=1e-4)
    assert history["eval_accuracy"][-1] == clf.score(X[80:], labels[80:])
    # The fitted net does not keep the eval rows (it is pickled with its callbacks).
    watcher = dict(clf.net_.callbacks_)["eval_set"]
    assert watcher.X is None and watcher.y is None


def test_regressor_eval_loss_in_standardised_units(reg_data):
    X, y = reg_data
    reg = NetRegressor(**FAST).fit(X[:80], y[:80], eval_set=(X[80:], y[80:]))
    assert {"eval_loss", "eval_r2"} <= set(reg.history_)
    assert len(reg.history_["eval_r2"]) == 30
    pred = reg.predict(X[80:])
    scale = np.std(y[:80])  # scale_target=True: losses are in units of y's spread
    expected = np.mean(((pred - y[80:]) / scale) ** 2)
    assert reg.history_["eval_loss"][-1] == pytest.approx(expected, rel=1e-3)
    assert reg.history_["eval_r2"][-1] == pytest.approx(reg.score(X[80:], y[80:]), abs=1e-5)


@pytest.mark.parametrize(
    "Est, params",
    [
        (NetClassifier, {"dropout": 0.3, "batch_norm": True, "batch_size": 32}),
        (NetRegressor, {"dropout": 0.3, "batch_size": 32}),
        (NetClassifier, {"early_stopping": True, "n_iter_no_change": 5}),
    ],
    ids=["clf-dropout-batchnorm", "reg-dropout", "clf-early-stopping"],
)
def test_eval_set_leaves_the_fitted_model_unchanged(clf_data, reg_data, Est, params):
    X, y = clf_data if Est is NetClassifier else reg_data
    params = {**FAST, **params}
    plain = Est(**params).fit(X[:80], y[:80])
    watched = Est(**params).fit(X[:80], y[:80], eval_set=(X[80:], y[80:]))
    method = "predict_proba" if Est is NetClassifier else "predict"
    np.testing.assert_array_equal(getattr(watched, method)(X), getattr(plain, method)(X))
    assert watched.n_iter_ == plain.n_iter_
    np.testing.assert_array_equal(watched.history_["train_loss"], plain.history_["train_loss"])


def test_eval_set_with_early_stopping(clf_data):
    X, y = clf_data
    clf = NetClassifier(
        **{**FAST, "max_epochs": 200}, early_stopping=True, n_iter_no_change=3
    ).fit(X[:80], y[:80], eval_set=(X[80:], y[80:]))
    assert clf.n_iter_ < 200  # the internal split stopped it, eval set or not
    assert len(clf.history_["eval_loss"]) == len(clf.history_["eval_accuracy"]) == clf.n_iter_
    assert len(clf.history_["valid_loss"]) == clf.n_iter_
    assert clf.history_["eval_loss"] != clf.history_["valid_loss"]


def test_eval_loss_shows_overfitting():
    # 60 noisy rows, a wide net, a high rate, no weight decay: the net learns the noise.
    X, y = make_classification(
        n_samples=120, n_features=20, n_informative=3, flip_y=0.3, random_state=0
    )
    clf = NetClassifier(
        hidden_layer_sizes=(128,), max_epochs=40, lr=0.02, batch_size=64, random_state=0
    ).fit(X[:60], y[:60], eval_set=(X[60:], y[60:]))
    train, evals = clf.history_["train_loss"], clf.history_["eval_loss"]
    best = int(np.argmin(evals))
    assert best < 20
    assert evals[-1] > 2 * evals[best]  # measured: about 4x
    assert train[-1] < 0.1 * train[best]  # while the training loss keeps falling


def test_eval_set_pandas_and_lists(clf_data):
    X, y = clf_data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = pd.Series(np.array(["a", "b", "c"])[y])
    from_pandas = NetClassifier(**FAST).fit(
        df[:80], labels[:80], eval_set=(df[80:], labels[80:])
    )
    from_lists = NetClassifier(**FAST).fit(
        X[:80], labels[:80].to_numpy(), eval_set=(X[80:].tolist(), labels[80:].tolist())
    )
    np.testing.assert_allclose(
        from_pandas.history_["eval_loss"], from_lists.history_["eval_loss"], rtol=1e-6
    )


BAD_EVAL_SET = [
    ("not a pair", lambda X, y: X, r"eval_set must be one pair \(X_eval, y_eval\).*"
     "got an object of type ndarray"),
    ("list of pairs", lambda X, y: [(X, y)], r"eval_set must be one pair.*got a list of 1 item\."),
    ("triple", lambda X, y: (X, y, y), r"eval_set must be one pair.*got a tuple of 3 items"),
    ("features", lambda X, y: (X[:, :5], y),
     "eval_set: X_eval does not match the training X: X has 5 features, but NetClassifier "
     "is expecting 6"),
    ("length", lambda X, y: (X, y[:-1]),
     "eval_set: X_eval and y_eval must have the same number of rows; got 40 rows in X_eval "
     "and 39 in y_eval"),
    ("unseen label", lambda X, y: (X, np.where(y == 0, 9, y)),
     r"eval_set: y_eval holds labels that are not in y: \[9\]; the classes seen in y are "
     r"\[0, 1, 2\]"),
    ("nan", lambda X, y: (np.full_like(X, np.nan), y), "eval_set: .*Input X contains NaN"),
]


@pytest.mark.parametrize("case", BAD_EVAL_SET, ids=[c[0] for c in BAD_EVAL_SET])
def test_bad_eval_set(clf_data, case):
    _, make, message = case
    X, y = clf_data
    with pytest.raises(ValueError, match=message):
        NetClassifier(**FAST).fit(X[:80], y[:80], eval_set=make(X[80:], y[80:]))


def test_regressor_eval_set_with_wrong_number_of_targets(reg_data):
    X, y = reg_data
    Y = np.column_stack([y, y])
    with pytest.raises(ValueError, match=r"y_eval must have 1 target\(s\), as y has; got 2"):
        NetRegressor(**FAST).fit(X[:80], y[:80], eval_set=(X[80:], Y[80:]))


# -- data resident on the device (issue 13, item 2) ----------------------------------------
@pytest.mark.parametrize("Est", [NetClassifier, NetRegressor])
def test_resident_tensor_batches_train_the_same_model(clf_data, reg_data, Est, monkeypatch):
    """The tensor path a GPU takes (arrays made tensors once, batches gathered with
    index_select), forced on the CPU: the same rows in the same batches, so the same
    model as the NumPy path. A CPU test of that path, not a GPU test."""
    from ensembles.learners import _torch

    X, y = clf_data if Est is NetClassifier else reg_data
    params = dict(FAST, max_epochs=5, batch_size=16, early_stopping=True,
                  n_iter_no_change=3)
    numpy_path = Est(**params).fit(X, y)
    monkeypatch.setattr(_torch._Batches, "force_resident", True)
    seen = []
    original = _torch._Batches.__getitem__
    monkeypatch.setattr(_torch._Batches, "__getitem__",
                        lambda self, rows: seen.append(type(self.X["X"])) or original(
                            self, rows))
    tensor_path = Est(**params).fit(X, y)
    assert seen and all(kind is torch.Tensor for kind in seen)  # the tensor path ran
    np.testing.assert_array_equal(tensor_path.predict(X), numpy_path.predict(X))
    assert tensor_path.n_iter_ == numpy_path.n_iter_
