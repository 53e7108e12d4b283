"""Neural-net learners that behave like any scikit-learn estimator.

``NetClassifier`` and ``NetRegressor`` drive a skorch net (kept as ``net_`` after fit) and
add what skorch leaves to the user: float64/pandas/list input, any label type, per-sample
weights in the loss, early stopping with the best epoch restored, per-epoch curves on a
watched eval set, a seeded and repeatable fit, and a model fitted on a GPU that loads on
a CPU.

The parameters both share and the training run are in ``_net_base`` (``_BaseNet``),
the part of the docstring both share in ``_net_docs``.
"""

import contextlib
import copy
import inspect
import threading
from numbers import Integral, Real

import joblib
import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch.callbacks import EarlyStopping, EpochScoring, LRScheduler
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from skorch.utils import noop
from torch import nn

from .._compat import (
    Interval,
    StrOptions,
    _check_y,
    _fit_context,
    validate_data,
)
from .._validation import (
    check_numeric_target,
    check_same_rows,
    check_sample_weight,
    encode_labels,
    warn_user,
)
from ..engine.stopping import validation_split
from ._tabm import TabM
from ._torch import _ACTIVATIONS, MLP, EvalSetScoring, FiniteLoss, WeightedNet
from .device import place_net

__all__ = ["NetClassifier", "NetRegressor"]

# The parameters both nets share, after each class's own in its "Parameters" section
# (numpydoc knows one such section a docstring).
_FIT_DOC = """    module : None, "tabm", nn.Module subclass or instance, default=None
        None builds a tabular MLP from ``hidden_layer_sizes``, ``activation``, ``dropout``
        and ``batch_norm``; it trains in float32 and predicts in float64, so that a row's
        prediction does not depend on the rows passed with it. ``"tabm"`` builds TabM
        (Gorishniy et al., ICLR 2025) from the same four: ``k`` such MLPs trained as one
        model, which share each layer's weights and differ by per-member scalings and
        biases (BatchEnsemble), with ``k`` output heads; ``module_params={"k": 32}`` by
        default. Each head is trained on its own loss (the loss is the mean of the
        heads'); ``predict_proba`` is the mean of the heads' probabilities, a
        regressor's ``predict`` the mean of their outputs, in float64 as for the MLP.
        ``train_loss`` is the heads' mean loss, ``valid_loss`` and ``eval_loss`` the
        combined prediction's, so early stopping watches the ensemble, as in the paper.
        The paper's default is ``hidden_layer_sizes=(512, 512, 512)``, ``dropout=0.1``
        and AdamW. A class is built with ``module_params`` (its ``in_features`` and
        ``out_features`` arguments, if it has them, are filled in from the data); an
        instance is deep-copied at each fit, never trained in place. A custom module
        predicts in float32.
    module_params : dict, default=None
        Keyword arguments of ``module``; ``set_params(module__NAME=v)`` sets one entry
        (``module__k=8`` for TabM, whose only entry is ``k``).
    hidden_layer_sizes : tuple of int, default=(100,)
    activation : {"relu", "tanh", "logistic", "gelu", "silu", "identity"}, default="relu"
    dropout : float in [0, 1), default=0.0
    batch_norm : bool, default=False
    max_epochs : int, default=100
    batch_size : int, default=128
        Rows per training step, and per block at predict.
    lr : float, default=1e-3
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, default="adam"
    weight_decay : float, default=0.0
        L2 penalty, passed to the optimizer.
    lr_scheduler : {None, "cosine", "plateau"}, default=None
        Other schedulers: pass a skorch ``LRScheduler`` in ``callbacks``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for classifiers), stop
        when the validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the weights of the best epoch (``best_epoch_``).
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    scale_inputs : bool, default=False
        Standardise each feature (weighted mean 0, variance 1, from the rows ``fit``
        sees) before training and at predict. A net trains in float32 with weights
        started for inputs of order 1: features in the thousands train slowly, and
        features of order 1e6 and above saturate the first layer (a classifier ends at
        chance). Such inputs get a warning when this is False.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks; copied at each fit.
    device : {"auto", "cpu", "cuda", "cuda:N"}, default="auto"
        Resolved at fit into ``device_``; see :func:`ensembles.resolve_device`.
    n_jobs : int or None, default=1
        torch CPU threads while fitting and predicting (restored afterwards); -1 uses
        every core, None leaves torch's process-wide setting alone. One thread is the
        default because small tabular nets gain little from more, and lose badly when
        the cores are shared: on 2 cores with another process busy, 40 epochs on
        breast_cancer took 0.12 s with 1 thread and 0.25 s with 2 (docs/benchmarks.md).
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation split.
    verbose : int, default=0
        0 prints nothing; 1 prints skorch's per-epoch table.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net.
    history_ : dict of lists
        Per epoch: ``epoch``, ``train_loss``, ``valid_loss`` (with early stopping),
        ``train_<metric>``, ``valid_<metric>``, ``eval_loss`` and ``eval_<metric>`` (with
        ``fit(..., eval_set=...)``), ``dur`` (seconds). ``<metric>`` is ``accuracy`` for
        the classifier, ``r2`` for the regressor. Train metrics are taken on the training
        batches as they are seen (as skorch does), so they include dropout; eval ones are
        taken after the epoch, in eval mode (no dropout), without sample weights.
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        With early stopping: the epoch (1-based) whose weights were restored.
    device_ : str
        The device the net was trained on.
    n_features_in_, feature_names_in_ :
        As in scikit-learn.
"""


_OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "rmsprop": (torch.optim.RMSprop, {}),
}


@contextlib.contextmanager
def _torch_threads(n_jobs):
    """Run the block with ``n_jobs`` torch CPU threads, then restore the caller's setting."""
    if n_jobs is None:
        yield
        return
    wanted = joblib.cpu_count() if n_jobs < 0 else max(int(n_jobs), 1)
    previous = torch.get_num_threads()
    if wanted != previous:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if wanted != previous:
            torch.set_num_threads(previous)


class _ConcurrentFits:
    """Counts the net fits running in this process, and warns when two overlap.

    A fit seeds torch's process-wide random stream (weights, dropout, the order of the
    batches): two fits in threads of one process (joblib's threading backend, a user's
    thread pool) draw from it in an order the scheduler decides, so neither is
    repeatable. Processes (joblib's default, loky) each have their own stream.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._running = 0

    @contextlib.contextmanager
    def fitting(self):
        with self._lock:
            overlap = self._running > 0
            self._running += 1
        try:
            if overlap:
                warn_user(
                    "A net is being fitted while another net fits in another thread of "
                    "this process (joblib's threading backend, or a thread pool): both "
                    "draw from torch's process-wide random stream, so neither fit is "
                    "repeatable with its random_state. Fit nets in processes (joblib's "
                    "default 'loky' backend) or one at a time for repeatable results.")
            yield
        finally:
            with self._lock:
                self._running -= 1


_CONCURRENT_FITS = _ConcurrentFits()


def _check_hidden_layer_sizes(sizes):
    if isinstance(sizes, Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    ok = isinstance(sizes, tuple | list) and all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes
    )
    if not ok:
        raise ValueError(
            "hidden_layer_sizes must be a tuple of positive ints, e.g. (100,) or (64, 32) "
            f"(() for a linear model); got {sizes!r}."
        )
    return tuple(int(s) for s in sizes)


def _tabm_k(module_params):
    """The ``k`` of ``module="tabm"``, from ``module_params`` (default 32)."""
    params = dict(module_params or {})
    k = params.pop("k", 32)
    if params:
        raise ValueError(
            "module_params of module='tabm' takes only 'k' (the number of members; the "
            "layers come from hidden_layer_sizes, activation, dropout and batch_norm); "
            f"got {sorted(params)!r}."
        )
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"module_params['k'] of module='tabm' must be an int >= 1; got {k!r}.")
    return int(k)


# Inputs this large saturate a float32 net's first layer (see ``scale_inputs``).
_LARGE_INPUT = 1e6


class _FitPlan:
    """What ``_BaseNet._plan_fit`` decided for one fit (see there)."""

    def __init__(self, seed, device, X_fit, y_fit, valid, net_kwargs, callbacks):
        self.seed, self.device = seed, device
        self.X_fit, self.y_fit, self.valid = X_fit, y_fit, valid
        self.net_kwargs, self._callbacks = net_kwargs, callbacks

    def rng(self):
        """Fork torch's RNG (and the device's), so the fit leaves the caller's as it was."""
        cuda = [torch.device(self.device).index or 0] if self.device != "cpu" else []
        return torch.random.fork_rng(devices=cuda)

    def net(self, module):
        """The skorch net to train ``module``, with fresh callbacks."""
        return WeightedNet(module=module, callbacks=self._callbacks(), **self.net_kwargs)


class _BaseNet(BaseEstimator):
    _parameter_constraints = {
        "module": [None, StrOptions({"tabm"}), callable, nn.Module],
        "module_params": [None, dict],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_scheduler": [None, StrOptions({"cosine", "plateau"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "scale_inputs": ["boolean"],
        "callbacks": [None, list],
        "device": [None, str],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        module=None,
        module_params=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_scheduler=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        scale_inputs=False,
        callbacks=None,
        device="auto",
        n_jobs=1,
        random_state=None,
        verbose=0,
    ):
        self.module = module
        self.module_params = module_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_scheduler = lr_scheduler
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.scale_inputs = scale_inputs
        self.callbacks = callbacks
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- parameters -------------------------------------------------------------------
    def set_params(self, **params):
        """Set parameters; ``module__NAME=value`` sets ``module_params["NAME"]``.

        This keeps skorch's spelling for the parameters of a custom module, so a grid
        over ``net__module__width`` works in ``GridSearchCV``.
        """
        module_updates = {
            key[len("module__") :]: params.pop(key)
            for key in [k for k in params if k.startswith("module__")]
        }
        if module_updates:
            merged = dict(params.get("module_params", self.module_params) or {})
            merged.update(module_updates)
            params["module_params"] = merged
        return super().set_params(**params)

    # -- fitting ----------------------------------------------------------------------
    def _build_module(self, n_in, n_out):
        if self.module is None or isinstance(self.module, str):
            architecture = dict(
                hidden_layer_sizes=_check_hidden_layer_sizes(self.hidden_layer_sizes),
                activation=self.activation,
                dropout=self.dropout,
                batch_norm=self.batch_norm,
            )
            if self.module is None:
                return MLP(n_in, n_out, **architecture)
            return TabM(n_in, n_out, k=_tabm_k(self.module_params), **architecture,
                        combine="proba" if is_classifier(self) else "mean")
        if isinstance(self.module, nn.Module):
            return copy.deepcopy(self.module)  # never train the user's own instance
        kwargs = dict(self.module_params or {})
        try:
            accepted = inspect.signature(self.module).parameters
        except (TypeError, ValueError):
            accepted = {}
        if "in_features" in accepted:
            kwargs.setdefault("in_features", n_in)
        if "out_features" in accepted:
            kwargs.setdefault("out_features", n_out)
        return self.module(**kwargs)

    def _callbacks(self, validate, eval_set=None):
        name, metric, metric_of = self._metric
        callbacks = [
            EpochScoring(
                metric, name=f"train_{name}", lower_is_better=False, on_train=True,
                use_caching=True,
            )
        ]
        if validate:
            callbacks.append(
                EpochScoring(metric, name=f"valid_{name}", lower_is_better=False,
                             use_caching=True)
            )
        if self.early_stopping:
            callbacks.append(
                EarlyStopping(
                    monitor="valid_loss", patience=self.n_iter_no_change,
                    threshold=self.tol, threshold_mode="abs", load_best=True,
                    sink=print if self.verbose else noop,
                )
            )
        if self.lr_scheduler == "cosine":
            callbacks.append(
                LRScheduler(policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                            T_max=self.max_epochs)
            )
        elif self.lr_scheduler == "plateau":
            callbacks.append(
                LRScheduler(policy=torch.optim.lr_scheduler.ReduceLROnPlateau,
                            monitor="valid_loss" if validate else "train_loss")
            )
        callbacks.extend(copy.deepcopy(self.callbacks or []))
        named = [(cb.__class__.__name__ + f"_{i}", cb) for i, cb in enumerate(callbacks)]
        if eval_set is not None:
            # First: EarlyStopping ends the last epoch by raising, and the eval point of
            # that epoch must be recorded before. Named apart, so that the other
            # callbacks keep their names with or without an eval set.
            named.insert(0, ("eval_set", EvalSetScoring(*eval_set, name, metric_of)))
        # Before all: a non-finite loss is reported as itself, not as a metric's NaN input.
        named.insert(0, ("finite_loss", FiniteLoss(type(self).__name__, self._advice())))
        return named

    def _advice(self):
        """What to change when training diverges, in this estimator's terms."""
        scaling = ("scale the inputs (scale_inputs=True, or a StandardScaler before the "
                   "net)" if not self.scale_inputs else "")
        if not is_classifier(self) and not self.scale_target:
            scaling += (" and " if scaling else "") + "the target (scale_target=True)"
        return (f"Try a smaller lr (now {self.lr:g})" + (f", or {scaling}" if scaling else "")
                + ".")

    def _fit_net(self, X, y, sample_weight, n_out, criterion, stratify=None, eval_set=None):
        """Train a fresh skorch net on float32 X and encoded y; sets ``net_`` & co.

        ``eval_set`` is ``(X_eval, y_eval)`` as checked by ``_check_eval_set``.
        """
        plan = self._plan_fit(X, y, sample_weight, n_out, criterion, stratify, eval_set)
        with _CONCURRENT_FITS.fitting(), plan.rng(), _torch_threads(self.n_jobs):
            # One seed drives weight init, dropout and the loader's shuffling, so two fits
            # with the same random_state give the same model; the user's global torch RNG
            # is left as it was.
            torch.manual_seed(plan.seed)
            net = plan.net(self._build_module(X.shape[1], n_out))
            net.fit(plan.X_fit, plan.y_fit)
        return self._finish_fit(net, plan)

    def _plan_fit(self, X, y, sample_weight, n_out, criterion, stratify=None, eval_set=None):
        """Everything a fit decides before training: the seed, the device, the
        early-stopping split, the rows trained on and the skorch net's arguments.

        Shared by the sequential fit and the batched one (``_batched.py``), so that both
        draw the same seed and split and build the same net.
        """
        _check_hidden_layer_sizes(self.hidden_layer_sizes)
        self.device_ = place_net(self, X.shape[0], X.shape[1], n_out)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

        train_split, fit_rows, valid = None, slice(None), None
        if self.early_stopping:
            train_idx, valid_idx = validation_split(
                X.shape[0], y, self.validation_fraction, seed, stratify
            )
            valid = Dataset({"X": X[valid_idx], "sample_weight": sample_weight[valid_idx]},
                            y[valid_idx])
            train_split, fit_rows = predefined_split(valid), train_idx
        X_fit = {"X": X[fit_rows], "sample_weight": sample_weight[fit_rows]}
        y_fit = y[fit_rows]

        if isinstance(self.optimizer, str):
            optimizer, optimizer_kwargs = _OPTIMIZERS[self.optimizer]
        else:
            optimizer, optimizer_kwargs = self.optimizer, {}
        optimizer_kwargs = {f"optimizer__{k}": v for k, v in optimizer_kwargs.items()}
        # BatchNorm cannot train on a batch of one row: drop such a last batch.
        drop_last = bool(self.batch_norm) and len(y_fit) % self.batch_size == 1
        net_kwargs = dict(
            criterion=criterion,
            criterion__reduction="none",
            optimizer=optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            # One batch needs no shuffling, and not shuffling keeps the row order,
            # so weighted and repeated rows sum in the same order.
            iterator_train__shuffle=len(y_fit) > self.batch_size,
            iterator_train__drop_last=drop_last,
            train_split=train_split,
            device=self.device_,
            verbose=self.verbose,
            **optimizer_kwargs,
        )
        return _FitPlan(seed, self.device_, X_fit, y_fit, valid, net_kwargs,
                        lambda: self._callbacks(validate=train_split is not None,
                                                eval_set=eval_set))

    def _finish_fit(self, net, plan):
        self.net_ = net
        self.history_ = self._history(net)
        self.n_iter_ = len(net.history)
        if self.early_stopping:
            self.best_epoch_ = int(np.argmin(self.history_["valid_loss"])) + 1
        self._check_converged(plan)
        return self

    def _check_converged(self, plan):
        """Warn when the kept weights' training loss is far above a constant's.

        A net that ends more than a million times worse than predicting a constant (the
        uniform class probabilities; the weighted mean of the target) on its own
        training rows has diverged or never started learning (lr far too large,
        unscaled inputs), though its loss stayed finite (lr=1e6 ended at 1e12)."""
        epoch = getattr(self, "best_epoch_", self.n_iter_) if self.early_stopping \
            else self.n_iter_
        loss = self.history_["train_loss"][epoch - 1]
        constant = self._constant_loss(plan)
        if loss > 1e6 * constant + 1e-6:
            warn_user(
                f"{type(self).__name__} did not converge: its training loss at epoch "
                f"{epoch} is {loss:.4g}, more than a million times the loss of "
                f"predicting a constant ({constant:.4g}); training diverged or never got "
                "going. " + self._advice(), ConvergenceWarning)

    def _constant_loss(self, plan):
        """The training criterion's weighted mean loss of the best constant prediction
        (see ``_check_converged``), on the rows trained on."""
        weight = torch.as_tensor(plan.X_fit["sample_weight"], dtype=torch.float64)
        y = torch.as_tensor(plan.y_fit)
        criterion = plan.net_kwargs["criterion"](reduction="none")
        if is_classifier(self):
            rows = criterion(torch.zeros(len(y), len(self.classes_), dtype=torch.float64), y)
        else:
            y = y.to(torch.float64).reshape(len(y), -1)
            total = weight.sum().clamp_min(1e-12)
            mean = (weight[:, None] * y).sum(dim=0) / total
            rows = criterion(mean.expand_as(y), y).mean(dim=1)
        return float((rows * weight).sum() / weight.sum().clamp_min(1e-12))

    def _history(self, net):
        keys = ["epoch", "train_loss", "valid_loss"]
        keys += [f"{split}_{self._metric[0]}" for split in ("train", "valid")]
        keys += ["eval_loss", f"eval_{self._metric[0]}", "dur"]
        history = {}
        for key in keys:
            values = net.history[:, key] if key in net.history[0] else None
            if values is not None:
                history[key] = [float(v) if key != "epoch" else int(v) for v in values]
        return history

    def _forward(self, X):
        check_is_fitted(self, "net_")
        X = self._scaled(self._writable(validate_data(self, X, reset=False, dtype=np.float32)))
        # The default MLP predicts in float64 (from the float32 X it was trained on), so
        # that a row's prediction does not depend on the rows passed with it. In float32
        # it did, by ~2e-7 relative: BLAS picks its kernel, and so its rounding, by the
        # shape of the product (a row alone and among twenty) and even by the row's
        # place in the block (MKL: a layer of 5 to 7 inputs and 4 or more outputs, at
        # any block size), so neither fixed blocks nor padding make it exact. In float64
        # the same choices move the result by ~1e-16 (tests/test_net.py). A custom module
        # keeps the dtype it was trained in: it may build float32 tensors of its own. On a
        # GPU the MLP predicts in float32 too: float64 runs at 1/32 to 1/64 of float32's
        # rate on most consumer GPUs, a cost the CPU does not have. TabM (module="tabm"),
        # built of the same kinds of layers, predicts as the MLP does.
        on_cpu = torch.device(self.net_.device).type == "cpu"
        dtype = (torch.float64 if on_cpu and isinstance(self.net_.module_, MLP | TabM)
                 else torch.float32)
        with _torch_threads(self.n_jobs):
            return self.net_.forward_blocks(X, self.net_.batch_size, dtype=dtype)

    def _scale_inputs(self, X, weight):
        """Fit the input scaling (``scale_inputs``) on the training X; the scaled X.

        Without it, warn when X is so large that float32 training saturates."""
        if not self.scale_inputs:
            self._X_mean = self._X_scale = None
            largest = float(np.abs(X).max()) if X.size else 0.0
            if largest >= _LARGE_INPUT:
                column = int(np.abs(X).max(axis=0).argmax())
                warn_user(
                    f"X holds values up to {largest:.3g} in magnitude (feature {column}): "
                    f"{type(self).__name__} trains in float32 with weights started for "
                    f"inputs of order 1, and inputs of {_LARGE_INPUT:.0e} or more saturate "
                    "its first layer (a classifier ends at chance). Standardise X: "
                    "scale_inputs=True, or a StandardScaler before the net.")
            return X
        # Weighted moments in float64, as the target's: a weight of k is k copies.
        X64 = X.astype(np.float64)
        w = weight.astype(np.float64)[:, None]
        total = max(float(w.sum()), np.finfo(np.float64).tiny)
        mean = (w * X64).sum(axis=0) / total
        scale = np.sqrt((w * (X64 - mean) ** 2).sum(axis=0) / total)
        self._X_mean = mean.astype(np.float32)
        self._X_scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        return self._scaled(X)

    def _scaled(self, X):
        if getattr(self, "_X_mean", None) is None:
            return X
        return ((X - self._X_mean) / self._X_scale).astype(np.float32)

    @staticmethod
    def _writable(X):
        # torch shares memory with NumPy and warns on read-only arrays (memmaps, views of
        # frozen buffers); a copy costs less than the warning's surprise.
        return X if X.flags.writeable else X.copy()

    def _validated_weights(self, sample_weight, X):
        if sample_weight is None:
            return np.ones(len(X), dtype=np.float32)
        return check_sample_weight(sample_weight, X, type(self).__name__, dtype=np.float32)

    def _check_eval_set(self, eval_set):
        """``eval_set`` as float32 ``X_eval`` and ``y_eval`` in the net's encoding, or None.

        Called after the training data is validated (and, for the regressor, the target
        scale fitted), so that ``X_eval`` is held to the same features.
        """
        if eval_set is None:
            return None
        if not isinstance(eval_set, tuple | list) or len(eval_set) != 2:
            if isinstance(eval_set, tuple | list):
                n = len(eval_set)
                got = f"a {type(eval_set).__name__} of {n} item{'s' if n != 1 else ''}"
            else:
                got = f"an object of type {type(eval_set).__name__}"
            raise ValueError(
                "eval_set must be one pair (X_eval, y_eval), e.g. eval_set=(X_valid, y_valid) "
                f"(not a list of pairs); got {got}."
            )
        X_eval, y_eval = eval_set
        try:
            X_eval = validate_data(self, X_eval, reset=False, dtype=np.float32)
        except ValueError as exc:
            raise ValueError(f"eval_set: X_eval does not match the training X: {exc}") from exc
        X_eval = self._scaled(X_eval)
        y_eval = self._encode_eval_target(y_eval)
        if len(X_eval) != len(y_eval):
            raise ValueError(
                "eval_set: X_eval and y_eval must have the same number of rows; got "
                f"{len(X_eval)} rows in X_eval and {len(y_eval)} in y_eval."
            )
        return self._writable(X_eval), y_eval


_REGRESSION_CRITERIA = {
    "squared_error": nn.MSELoss,
    "huber": nn.HuberLoss,
    "absolute_error": nn.L1Loss,
}


# Each metric twice: on a net (skorch's EpochScoring, for train_ and valid_) and on the
# module's raw output (EvalSetScoring, which calls the module itself).
def _accuracy_of(y, y_pred):
    return accuracy_score(np.asarray(y), np.asarray(y_pred).argmax(axis=1))


def _r2_of(y, y_pred):
    y = np.asarray(y).reshape(len(y), -1)
    return r2_score(y, np.asarray(y_pred).reshape(len(y), -1))


def _accuracy(net, X, y):
    return _accuracy_of(y, net.predict_proba(X))


def _r2(net, X, y):
    return _r2_of(y, net.predict_proba(X))


class NetClassifier(ClassifierMixin, _BaseNet):
    __doc__ = (
        """A neural-net classifier (PyTorch through skorch) usable as any scikit-learn one.

    Accepts float64/float32 arrays, pandas DataFrames and lists (cast to float32), and
    labels of any type (strings, ints, bools); ``predict`` returns the user's labels.

    Parameters
    ----------
    class_weight : dict, "balanced" or None, default=None
        Folded into the per-sample weights of the loss.
"""
        + _FIT_DOC
        + """
    classes_ : ndarray
        The class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from ensembles import NetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NetClassifier(max_epochs=30, lr=0.01, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.8
    True
    """
    )

    _parameter_constraints = {
        **_BaseNet._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }
    _metric = ("accuracy", _accuracy, _accuracy_of)

    def __init__(
        self,
        *,
        class_weight=None,
        module=None,
        module_params=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_scheduler=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        scale_inputs=False,
        callbacks=None,
        device="auto",
        n_jobs=1,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            module=module,
            module_params=module_params,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            lr_scheduler=lr_scheduler,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            scale_inputs=scale_inputs,
            callbacks=callbacks,
            device=device,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, eval_set=None):
        """Fit the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights each row's loss (times ``class_weight``).
        eval_set : (X_eval, y_eval) pair, default=None
            Rows to watch while training, such as a cross-validation fold's held-out
            part: after each epoch their loss (cross-entropy, unweighted mean) and
            accuracy go into ``history_["eval_loss"]`` and
            ``history_["eval_accuracy"]``. They are only watched: the fitted model is
            the one fitted without them (early stopping keeps to its own split).
            ``y_eval`` holds labels seen in ``y``.

        Returns
        -------
        self : NetClassifier
        """
        return self._fit_net(**self._fit_args(X, y, sample_weight, eval_set))

    def _fit_args(self, X, y, sample_weight, eval_set):
        """Validate and encode the data; the arguments of ``_fit_net``."""
        if y is not None:
            check_same_rows(X, y)
        X, y = validate_data(self, X, y, dtype=np.float32)
        X = self._writable(X)
        y_enc = encode_labels(self, y).astype(np.int64)
        weight = self._validated_weights(sample_weight, X)
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(self.class_weight, y_enc if isinstance(
                self.class_weight, str) else y).astype(np.float32)
        X = self._scale_inputs(X, weight)
        eval_set = self._check_eval_set(eval_set)
        return dict(X=X, y=y_enc, sample_weight=weight, n_out=len(self.classes_),
                    criterion=nn.CrossEntropyLoss, stratify=y_enc, eval_set=eval_set)

    def _encode_eval_target(self, y_eval):
        try:
            y_eval = column_or_1d(_check_y(y_eval, estimator=self), warn=True)
        except ValueError as exc:
            raise ValueError(f"eval_set: y_eval is not a usable target: {exc}") from exc
        known = set(self.classes_.tolist())
        unseen = [label for label in dict.fromkeys(y_eval.tolist()) if label not in known]
        if unseen:
            raise ValueError(
                f"eval_set: y_eval holds labels that are not in y: {unseen[:10]!r}; the "
                f"classes seen in y are {self.classes_.tolist()!r}."
            )
        return self._label_encoder.transform(y_eval).astype(np.int64)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        return torch.softmax(self._forward(X).double(), dim=1).numpy()

    def predict_log_proba(self, X):
        return torch.log_softmax(self._forward(X).double(), dim=1).numpy()

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


class NetRegressor(RegressorMixin, _BaseNet):
    __doc__ = (
        """A neural-net regressor (PyTorch through skorch) usable as any scikit-learn one.

    Accepts float64/float32 arrays, pandas DataFrames and lists (cast to float32), one or
    several targets.

    Parameters
    ----------
    criterion : {"squared_error", "huber", "absolute_error"}, default="squared_error"
    scale_target : bool, default=True
        Standardise each target before training (and undo it at predict), so ``lr`` and
        the Huber threshold need not depend on the scale of ``y``. Losses in
        ``history_`` are then in standardised units; R2 is unaffected.
"""
        + _FIT_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from ensembles import NetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = NetRegressor(max_epochs=50, lr=0.01, random_state=0).fit(scale(X), y)
    >>> reg.score(scale(X), y) > 0.3
    True
    """
    )

    _parameter_constraints = {
        **_BaseNet._parameter_constraints,
        "criterion": [StrOptions(set(_REGRESSION_CRITERIA))],
        "scale_target": ["boolean"],
    }
    _metric = ("r2", _r2, _r2_of)

    def __init__(
        self,
        *,
        criterion="squared_error",
        scale_target=True,
        module=None,
        module_params=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_scheduler=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        scale_inputs=False,
        callbacks=None,
        device="auto",
        n_jobs=1,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            module=module,
            module_params=module_params,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            lr_scheduler=lr_scheduler,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            scale_inputs=scale_inputs,
            callbacks=callbacks,
            device=device,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.criterion = criterion
        self.scale_target = scale_target

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, eval_set=None):
        """Fit the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights each row's loss.
        eval_set : (X_eval, y_eval) pair, default=None
            Rows to watch while training, such as a cross-validation fold's held-out
            part: after each epoch their loss (the training criterion, unweighted mean,
            in the standardised units of ``train_loss`` when ``scale_target=True``) and
            R2 go into ``history_["eval_loss"]`` and ``history_["eval_r2"]``. They are
            only watched: the fitted model is the one fitted without them (early
            stopping keeps to its own split).

        Returns
        -------
        self : NetRegressor
        """
        return self._fit_net(**self._fit_args(X, y, sample_weight, eval_set))

    def _fit_args(self, X, y, sample_weight, eval_set):
        """Validate the data and scale the target; the arguments of ``_fit_net``."""
        if y is not None:
            check_same_rows(X, y)
            y = check_numeric_target(y, type(self).__name__, multi_output=True)
        X, y = validate_data(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        X = self._writable(X)
        largest = float(np.abs(y).max()) if np.size(y) else 0.0
        if largest > float(np.finfo(np.float32).max):
            raise ValueError(
                f"y holds values up to {largest:.3g} in magnitude, beyond float32's range "
                f"({np.finfo(np.float32).max:.3g}), in which {type(self).__name__} "
                "trains: rescale y (divide it by a power of ten) before fitting.")
        y = np.asarray(y, dtype=np.float32)
        self._y_ndim = y.ndim
        y2 = y.reshape(len(y), -1)
        weight = self._validated_weights(sample_weight, X)
        X = self._scale_inputs(X, weight)
        if self.scale_target:
            # Weighted moments, so that a weight of k is the same as k copies of a row;
            # in float64, whose squares of a y near 1e30 do not overflow as float32's do.
            y64, w = y2.astype(np.float64), weight.astype(np.float64)[:, None]
            total = max(float(w.sum()), np.finfo(np.float64).tiny)
            mean = (w * y64).sum(axis=0) / total
            scale = np.sqrt((w * (y64 - mean) ** 2).sum(axis=0) / total)
            self._y_mean = mean.astype(np.float32)
            self._y_scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        else:
            self._y_mean = np.zeros(y2.shape[1], dtype=np.float32)
            self._y_scale = np.ones(y2.shape[1], dtype=np.float32)
        y_std = ((y2.astype(np.float64) - self._y_mean) / self._y_scale).astype(np.float32)
        return dict(X=X, y=y_std, sample_weight=weight, n_out=y2.shape[1],
                    criterion=_REGRESSION_CRITERIA[self.criterion],
                    eval_set=self._check_eval_set(eval_set))

    def _encode_eval_target(self, y_eval):
        try:
            y_eval = _check_y(y_eval, multi_output=True, y_numeric=True, estimator=self)
        except ValueError as exc:
            raise ValueError(f"eval_set: y_eval is not a usable target: {exc}") from exc
        y_eval = np.asarray(y_eval, dtype=np.float32).reshape(len(y_eval), -1)
        n_targets = len(self._y_mean)
        if y_eval.shape[1] != n_targets:
            raise ValueError(
                f"eval_set: y_eval must have {n_targets} target(s), as y has; got "
                f"{y_eval.shape[1]}."
            )
        return (y_eval - self._y_mean) / self._y_scale

    def predict(self, X):
        out = self._forward(X).double().numpy().reshape(-1, len(self._y_mean))
        out = out * self._y_scale + self._y_mean
        return out.ravel() if self._y_ndim == 1 else out
