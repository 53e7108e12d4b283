"""The torch side of the net learners: the default tabular MLP and the skorch net we drive.

Kept apart from ``net.py`` and ``_net_base.py`` so that the scikit-learn facing
estimators read in one sitting.
"""

import contextlib
import copy
import signal
import threading
import weakref
from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from skorch.utils import to_tensor
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "identity": nn.Identity,
}


class MLP(nn.Module):
    """A plain tabular multi-layer perceptron: [Linear -> (BatchNorm) -> act -> (Dropout)] * k.

    Parameters
    ----------
    in_features, out_features : int
        Input width and output width (classes for a classifier, targets for a regressor).
    hidden_layer_sizes : tuple of int
        Width of each hidden layer; ``()`` gives a linear model.
    activation : {"relu", "tanh", "logistic", "gelu", "silu", "identity"}
    dropout : float
        Dropout probability after each hidden layer (0 disables it).
    batch_norm : bool
        Batch normalisation after each hidden linear layer.
    """

    def __init__(
        self,
        in_features,
        out_features,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        layers = []
        width = in_features
        for size in hidden_layer_sizes:
            layers.append(nn.Linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(_ACTIVATIONS[activation]())
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)


def _is_array(data):
    return isinstance(data, np.ndarray | torch.Tensor)


class _Batches(torch.utils.data.Dataset):
    """A skorch ``Dataset`` of in-memory arrays, indexed a whole batch at a time, with
    the arrays resident on the net's device.

    Under a ``DataLoader``, skorch's ``Dataset`` is read one row at a time and the rows
    are collated again; for a small tabular net that per-row work costs more than the
    forward and backward passes (measured: NetClassifier took 1.22x raw skorch's fit
    time before, 0.63x after; docs/benchmarks.md). Given a batch's row indices, this
    returns the same batch with one index per array.

    On a GPU the arrays are copied there once per fit (:meth:`of`) when they take at
    most half of its free memory, and each batch is then gathered on the device (only
    the batch's row indices cross over), instead of copying every batch from the host.
    On the CPU they stay NumPy arrays, indexed per batch: torch tensors sharing their
    memory measured 1.03-1.08x slower there (benchmarks/resident_data.py). The rows and
    their order are the DataLoader's samplers' either way, so the same seed trains the
    same model.
    """

    #: dataset -> its resident batches, for the epochs of one fit (a dataset lives as long
    #: as its fit; skorch asks for an iterator over the same dataset every epoch).
    _resident = weakref.WeakKeyDictionary()

    #: None: resident on a GPU where the data fit (see the class docstring); True or
    #: False forces it (tests run the tensor path on the CPU with True).
    force_resident = None

    def __init__(self, dataset, device="cpu"):
        X, y = dataset.X, dataset.y
        arrays = list(X.values()) if isinstance(X, Mapping) else [X]
        if y is not None:
            arrays.append(y)
        self.resident = (torch.device(device).type != "cpu" and _fits_on(device, arrays)
                         if self.force_resident is None else self.force_resident)
        self.device = device if self.resident else "cpu"

        def move(array):
            if not self.resident:
                return array
            if isinstance(array, np.ndarray) and not array.flags.writeable:
                array = array.copy()  # a read-only memmap of joblib's: torch warns
            return torch.as_tensor(array, device=self.device)

        self.X = {k: move(v) for k, v in X.items()} if isinstance(X, Mapping) else move(X)
        self.y = None if y is None else move(y)
        self._len = len(dataset)

    @classmethod
    def of(cls, dataset, device):
        """The resident batches of ``dataset`` on ``device``, made once per dataset."""
        batches = cls._resident.get(dataset)
        if batches is None or batches.wanted != device:
            batches = cls(dataset, device)
            batches.wanted = device
            cls._resident[dataset] = batches
        return batches

    @staticmethod
    def supports(dataset):
        if type(dataset) is not Dataset or dataset.X_is_ndframe:
            return False
        X, y = dataset.X, dataset.y
        X_ok = all(map(_is_array, X.values())) if isinstance(X, Mapping) else _is_array(X)
        return X_ok and (y is None or _is_array(y))

    def __len__(self):
        return self._len

    def __getitem__(self, rows):
        if self.resident:
            rows = torch.as_tensor(rows, device=self.device)

            def take(array):
                return array.index_select(0, rows)
        else:
            rows = np.asarray(rows)

            def take(array):
                return array[rows]
        X = self.X
        X = {k: take(v) for k, v in X.items()} if isinstance(X, Mapping) else take(X)
        # Without y, skorch's rows carry a placeholder 0 each; keep that shape.
        y = torch.zeros(len(rows), 1) if self.y is None else take(self.y)
        return X, y


def _fits_on(device, arrays):
    """Whether ``arrays`` may live on ``device``: always on the CPU; on a GPU when they
    take at most half of its free memory (the rest is for the model and activations)."""
    device = torch.device(device)
    if device.type != "cuda":
        return True
    nbytes = sum(np.asarray(a).nbytes if not isinstance(a, torch.Tensor)
                 else a.element_size() * a.nelement() for a in arrays)
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes <= free / 2


class EvalSetScoring(Callback):
    """Record the loss and a metric on a monitoring set after every epoch.

    The set is only watched: nothing it yields feeds back into training. The pass runs
    with gradients off and the module in eval mode (dropout off, batch-norm on its
    running statistics, which it does not update), and calls the module directly rather
    than through a ``DataLoader``, whose every iteration draws a seed from the torch RNG.
    The RNG state is also saved and restored around the pass, so that even a custom
    module that draws random numbers in eval mode leaves the training stream as it was:
    a fit with a monitoring set gives the model a fit without one gives.

    Parameters
    ----------
    X, y : ndarray
        Features (float32) and targets in the encoding the net trains on.
    metric_name : str
        Recorded as ``eval_<metric_name>``, next to ``eval_loss``.
    metric : callable
        ``metric(y, y_pred)`` with ``y_pred`` the module's output as an ndarray.
    """

    def __init__(self, X, y, metric_name, metric):
        self.X = X
        self.y = y
        self.metric_name = metric_name
        self.metric = metric

    def on_train_begin(self, net, **kwargs):
        if self.X is not None:  # None in a later partial_fit of the fitted net
            # On the device once, not once an epoch.
            self.X_ = to_tensor(self.X, device=net.device)
            self.y_ = to_tensor(self.y, device=net.device)

    def on_epoch_end(self, net, **kwargs):
        if self.X is None:
            return
        module = net.module_
        was_training = module.training
        device = torch.device(net.device)
        cuda_devices = [device.index or 0] if device.type == "cuda" else []
        step = net.batch_size if net.batch_size > 0 else len(self.X)
        with torch.random.fork_rng(devices=cuda_devices), torch.no_grad():
            module.eval()
            try:
                y_pred = torch.cat(
                    [net.infer(self.X_[i : i + step]) for i in range(0, len(self.X), step)]
                )
                loss = net.get_loss(y_pred, self.y_, training=False)  # unweighted mean
            finally:
                module.train(was_training)
        net.history.record("eval_loss", loss.item())
        score = self.metric(self.y, y_pred.cpu().numpy())
        net.history.record(f"eval_{self.metric_name}", float(score))

    def on_train_end(self, net, **kwargs):
        # The fitted net is pickled with its callbacks: it must not carry the user's data.
        self.X = self.y = self.X_ = self.y_ = None


class _SigintWatch:
    """Whether a SIGINT (Ctrl-C) raised while the block ran: ``raised`` is then True.

    skorch's callbacks stop training by raising ``KeyboardInterrupt`` (its
    ``EarlyStopping`` does), and ``NeuralNet.partial_fit`` swallows every
    ``KeyboardInterrupt`` as such a stop, a real Ctrl-C too: the fit returned normally
    with an under-trained net. A real one comes through the SIGINT handler, so the
    block chains a handler of its own before the caller's, which notes the interrupt
    and calls the caller's handler (which raises as before). Only the main thread
    receives SIGINT, and only it may set handlers: elsewhere nothing is watched, and a
    ``KeyboardInterrupt`` there can only be a callback's stop.
    """

    def __init__(self):
        self.raised = False

    @contextlib.contextmanager
    def watching(self):
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.getsignal(signal.SIGINT)
        if not callable(previous):  # SIG_IGN or SIG_DFL: no KeyboardInterrupt to tell apart
            yield self
            return

        def handler(signum, frame):
            try:
                previous(signum, frame)
            except BaseException:
                self.raised = True
                raise

        signal.signal(signal.SIGINT, handler)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


class _Interrupted(BaseException):
    """A real Ctrl-C on its way through skorch's ``partial_fit`` (which would swallow a
    ``KeyboardInterrupt``); ``WeightedNet.partial_fit`` raises the original again."""

    def __init__(self, interrupt):
        super().__init__()
        self.interrupt = interrupt


def non_finite_loss_message(owner, key, value, epoch, advice):
    """The error of a fit whose ``key`` (``train_loss``, ``valid_loss``) became ``value``
    (inf or nan) at ``epoch``: what happened, and ``advice`` on what to change."""
    return (f"The {key.replace('_', ' ')} of {owner} became {value} at epoch {epoch}: "
            f"training diverged, and a net trained on from there predicts nothing but "
            f"{value}. {advice}")


class FiniteLoss(Callback):
    """Stop the fit with an error once an epoch's loss is inf or nan.

    Nothing comes back from there: every later step and prediction is inf or nan, and
    the first thing to trip on them was a metric's input check ("Input contains NaN.",
    from the net's own R2 scoring), far from the cause. Listed before every other
    callback, so it speaks first.

    Parameters
    ----------
    owner : str
        The estimator, as the message names it.
    advice : str
        What to change, in the estimator's terms (its ``lr``, its scaling options).
    """

    def __init__(self, owner, advice):
        self.owner = owner
        self.advice = advice

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            value = row.get(key)
            if value is not None and not np.isfinite(value):
                raise ValueError(non_finite_loss_message(
                    self.owner, key, value, row["epoch"], self.advice))


def _has_heads(module, output):
    """Whether ``output`` holds the k heads of a module like TabM (``_tabm.py``): one
    with a ``combine_heads`` method, which returns (rows, k, out) in training mode."""
    return output.dim() == 3 and hasattr(module, "combine_heads")


class WeightedNet(NeuralNet):
    """A skorch ``NeuralNet`` whose loss is weighted per sample.

    The data it is fitted on is a dict ``{"X": features, "sample_weight": weights}`` so
    that skorch's batching slices the weights with the rows; the module only ever sees
    the features, so any ``nn.Module`` with ``forward(X)`` works. The criterion must be
    built with ``reduction="none"``; the batch loss is ``sum(w * l) / sum(w)``, which
    makes a weight of 0 the same as leaving the row out, and an integer weight the same
    as repeating the row, for full-batch training.

    A module with k heads (``combine_heads``, as TabM's) is trained on the mean of its
    heads' per-row losses; its train metrics are taken on the combined heads, as is
    everything in eval mode (validation, eval set, predict), where the module combines
    them itself.
    """

    # -- pickling ----------------------------------------------------------------------
    # skorch saves ``module_``, ``optimizer_`` and ``criterion_`` apart from the rest of
    # the state and loads them back with a map location, so a net fitted on CUDA loads on
    # a CPU-only machine. Two more attributes hold the same torch objects and were
    # pickled plainly, CUDA storages and all, so that load failed ("Attempting to
    # deserialize object on a CUDA device"): ``module`` (the instance we pass IS
    # ``module_``: skorch uses an instance as it is) and the callbacks (an LR scheduler
    # holds the optimizer). They travel with skorch's saved attributes instead, in the
    # same pickle, so shared objects stay shared. tests/test_persistence.py checks, for
    # every estimator, that no tensor, module or optimizer is pickled any other way.
    _SAVED_WITH_TORCH = ("module", "callbacks")

    def __getstate__(self):
        own = self.cuda_dependent_attributes_
        self.cuda_dependent_attributes_ = list(own) + [
            prefix for prefix in self._SAVED_WITH_TORCH if prefix not in own]
        try:
            return super().__getstate__()
        finally:
            self.cuda_dependent_attributes_ = own

    # -- interrupts --------------------------------------------------------------------
    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # A callback's KeyboardInterrupt (EarlyStopping's stop) goes on to skorch's
        # partial_fit, which ends training there as skorch means it to; a real Ctrl-C
        # (seen by _SigintWatch) passes it as _Interrupted and leaves the fit.
        with _SigintWatch().watching() as sigint:
            try:
                return super().fit_loop(X, y, epochs, **fit_params)
            except KeyboardInterrupt as exc:
                if sigint.raised:
                    raise _Interrupted(exc) from None
                raise

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        try:
            return super().partial_fit(X, y, classes, **fit_params)
        except _Interrupted as wrapped:
            raise wrapped.interrupt from None

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        return self.module_(to_tensor(x, device=self.device), **fit_params)

    def forward_blocks(self, X, rows, dtype=torch.float32):
        """The module's output on ``X`` in eval mode, ``rows`` rows at a time, on the CPU.

        In ``dtype``: with ``torch.float64`` a float64 copy of the module (the trained
        float32 weights, exactly) computes it, and the net's own module is left as it is.
        Unlike skorch's ``forward``, it builds no ``Dataset`` or ``DataLoader``: the
        default net predicted 100,000 rows of 20 features in float64 this way in 0.3 to
        0.45 times the time skorch took in float32 (2 shared cores, one torch thread).
        """
        self.check_is_fitted()
        self._set_training(False)
        module = self.module_
        if any(p.dtype != dtype for p in module.parameters()):
            module = copy.deepcopy(module).to(dtype)
        X = torch.as_tensor(X)
        if self.device != "cpu" and _fits_on(self.device, [X]):
            X = X.to(self.device)  # once, not block by block (issue 13, item 2)
        with torch.no_grad():
            outputs = [
                module(X[start : start + rows].to(device=self.device, dtype=dtype))
                for start in range(0, len(X), rows)
            ]
        return torch.cat(outputs).cpu()  # one copy back to the host

    def get_iterator(self, dataset, training=False):
        iterator = self.iterator_train if training else self.iterator_valid
        if iterator is not DataLoader or not _Batches.supports(dataset):
            return super().get_iterator(dataset, training=training)
        kwargs = self.get_params_for("iterator_train" if training else "iterator_valid")
        batch_size = kwargs.pop("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        # The samplers DataLoader itself builds for shuffle and drop_last, drawing on the
        # same torch RNG: the same rows in the same batches, so the same trained model.
        shuffle, drop_last = kwargs.pop("shuffle", False), kwargs.pop("drop_last", False)
        rows = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
        batches = BatchSampler(rows, batch_size, drop_last)
        return DataLoader(_Batches.of(dataset, self.device), batch_size=None,
                          sampler=batches, **kwargs)

    def train_step_single(self, batch, **fit_params):
        step = super().train_step_single(batch, **fit_params)
        if _has_heads(self.module_, step["y_pred"]):
            # The train metrics (taken on these outputs) are the combined model's.
            step["y_pred"] = self.module_.combine_heads(step["y_pred"].detach())
        return step

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        if _has_heads(self.module_, y_pred):
            # k heads (TabM in training mode): each row's loss is the mean of the heads'
            # losses, as in the paper, not the loss of their combined output.
            n_rows, k = y_pred.shape[:2]
            loss = self.criterion_(y_pred.flatten(0, 1), y_true.repeat_interleave(k, dim=0))
            loss = loss.reshape(n_rows, -1).mean(dim=1)
        else:
            loss = self.criterion_(y_pred, y_true)
        if loss.dim() > 1:  # regression with several targets: average over targets
            loss = loss.reshape(loss.shape[0], -1).mean(dim=1)
        if isinstance(X, Mapping) and "sample_weight" in X:
            weight = to_tensor(X["sample_weight"], device=self.device)
            return (loss * weight).sum() / weight.sum().clamp_min(1e-12)
        return loss.mean()

    def __setstate__(self, state):
        # A net fitted on a GPU must load on a machine without one. skorch would fall back
        # to the CPU too, but with a DeviceWarning; loading on the CPU is the expected
        # outcome here, not a surprise, so we choose it up front.
        device = state.get("device")
        if isinstance(device, str) and device.startswith("cuda"):
            if not torch.cuda.is_available():
                state["device"] = "cpu"
        super().__setstate__(state)
