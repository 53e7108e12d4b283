"""The torch side of the net learners: the default tabular MLP and the skorch net we drive.

Kept apart from ``net.py`` so that the scikit-learn facing estimators read in one sitting.
"""

from collections.abc import Mapping

import torch
from skorch import NeuralNet
from skorch.utils import to_tensor
from torch import nn

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


class WeightedNet(NeuralNet):
    """A skorch ``NeuralNet`` whose loss is weighted per sample.

    The data it is fitted on is a dict ``{"X": features, "sample_weight": weights}`` so
    that skorch's batching slices the weights with the rows; the module only ever sees
    the features, so any ``nn.Module`` with ``forward(X)`` works. The criterion must be
    built with ``reduction="none"``; the batch loss is ``sum(w * l) / sum(w)``, which
    makes a weight of 0 the same as leaving the row out, and an integer weight the same
    as repeating the row, for full-batch training.
    """

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        return self.module_(to_tensor(x, device=self.device), **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
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
