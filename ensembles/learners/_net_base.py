"""What both net learners share: their parameters and the skorch training run behind ``fit``.

``_BaseNet`` holds the parameters common to ``NetClassifier`` and ``NetRegressor`` (their
constraints, and ``module__NAME`` in ``set_params``), builds the module, the callbacks and
the seeded skorch net, and checks an ``eval_set``. The estimators themselves, with what
differs between a classifier and a regressor, are in ``net.py``.
"""

import contextlib
import copy
import inspect
from numbers import Integral, Real

import joblib
import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EarlyStopping, EpochScoring, LRScheduler
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from skorch.utils import noop
from torch import nn

from .._compat import Interval, StrOptions, _check_sample_weight, validate_data
from ._torch import _ACTIVATIONS, MLP, EvalSetScoring, WeightedNet
from .device import resolve_device

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


def _validation_split(n_samples, y, fraction, seed, stratify):
    """Row indices (train, valid) of the internal early-stopping split."""
    indices = np.arange(n_samples)
    if stratify is not None:
        _, counts = np.unique(stratify, return_counts=True)
        n_valid = int(np.ceil(fraction * n_samples))
        if counts.min() < 2 or n_valid < len(counts):
            stratify = None  # too few rows per class to stratify; a plain split still works
    train, valid = train_test_split(
        indices, test_size=fraction, random_state=seed, stratify=stratify
    )
    return np.sort(train), np.sort(valid)


class _BaseNet(BaseEstimator):
    _parameter_constraints = {
        "module": [None, callable, nn.Module],
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
        if self.module is None:
            return MLP(
                n_in,
                n_out,
                hidden_layer_sizes=_check_hidden_layer_sizes(self.hidden_layer_sizes),
                activation=self.activation,
                dropout=self.dropout,
                batch_norm=self.batch_norm,
            )
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
        return named

    def _fit_net(self, X, y, sample_weight, n_out, criterion, stratify=None, eval_set=None):
        """Train a fresh skorch net on float32 X and encoded y; sets ``net_`` & co.

        ``eval_set`` is ``(X_eval, y_eval)`` as checked by ``_check_eval_set``.
        """
        _check_hidden_layer_sizes(self.hidden_layer_sizes)
        self.device_ = resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

        train_split, fit_rows = None, slice(None)
        if self.early_stopping:
            train_idx, valid_idx = _validation_split(
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

        cuda_devices = [torch.device(self.device_).index or 0] if self.device_ != "cpu" else []
        with torch.random.fork_rng(devices=cuda_devices), _torch_threads(self.n_jobs):
            # One seed drives weight init, dropout and the loader's shuffling, so two fits
            # with the same random_state give the same model; the user's global torch RNG
            # is left as it was.
            torch.manual_seed(seed)
            net = WeightedNet(
                module=self._build_module(X.shape[1], n_out),
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
                callbacks=self._callbacks(validate=train_split is not None, eval_set=eval_set),
                device=self.device_,
                verbose=self.verbose,
                **optimizer_kwargs,
            )
            net.fit(X_fit, y_fit)
        self.net_ = net
        self.history_ = self._history(net)
        self.n_iter_ = len(net.history)
        if self.early_stopping:
            self.best_epoch_ = int(np.argmin(self.history_["valid_loss"])) + 1
        return self

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
        X = self._writable(validate_data(self, X, reset=False, dtype=np.float32))
        with _torch_threads(self.n_jobs):
            return self.net_.forward(X, training=False, device="cpu")

    @staticmethod
    def _writable(X):
        # torch shares memory with NumPy and warns on read-only arrays (memmaps, views of
        # frozen buffers); a copy costs less than the warning's surprise.
        return X if X.flags.writeable else X.copy()

    def _validated_weights(self, sample_weight, X):
        return _check_sample_weight(sample_weight, X, dtype=np.float32, ensure_non_negative=True)

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
        y_eval = self._encode_eval_target(y_eval)
        if len(X_eval) != len(y_eval):
            raise ValueError(
                "eval_set: X_eval and y_eval must have the same number of rows; got "
                f"{len(X_eval)} rows in X_eval and {len(y_eval)} in y_eval."
            )
        return self._writable(X_eval), y_eval
