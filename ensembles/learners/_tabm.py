"""TabM: k MLPs trained as one model that shares most of their weights.

Gorishniy, Kotelnikov & Babenko, "TabM: Advancing Tabular Deep Learning with
Parameter-Efficient Ensembling", ICLR 2025 (arXiv:2410.24210). Each hidden layer is a
BatchEnsemble layer (Wen, Tran & Ba, ICLR 2020): one weight matrix ``W`` shared by the
``k`` members, and for member ``i`` two scaling vectors ("adapters") ``r_i``, ``s_i`` and
a bias ``b_i``, so that member ``i`` computes ``((x * r_i) @ W.T) * s_i + b_i``. The
output layer is ``k`` independent linear heads. This is the paper's "TabM" (not
"TabM-mini" or "TabM-packed") with its initialisation: the first layer's ``r`` are random
signs (+1 or -1), which is what makes the members differ at the start; every other
``r`` and ``s`` is 1; the ``k`` biases of a layer start equal; ``W`` and the heads take
the uniform +-1/sqrt(fan_in) of an ``nn.Linear``.

Why our own and not the ``tabm`` package (Apache-2.0, by the paper's authors): what we
use of it is the ~60 lines below, while the package is at version 0.0.x, brings
``rtdl_num_embeddings`` along, takes ``(x_num, x_cat)`` and one width for every layer;
we need ``hidden_layer_sizes``, our activations and batch norm, and the heads-in-training
protocol below. tests/test_tabm.py checks this module against the package, layer for
layer, where it is installed (the ``dev`` extra installs it).

The protocol with the skorch net (``WeightedNet``): in training mode the module returns
the ``k`` heads' outputs, ``(batch, k, out)``, and the loss is the mean of the heads'
losses, as in the paper (each member learns to predict on its own, not only their
mean); in eval mode it returns the heads combined by ``combine_heads``, ``(batch, out)``,
so everything that predicts, validates or scores sees one model.
"""

import math

import torch
from torch import nn

from ._torch import _ACTIVATIONS


def _uniform_(tensor, fan_in):
    bound = fan_in**-0.5
    return nn.init.uniform_(tensor, -bound, bound)


class _BatchEnsembleLinear(nn.Module):
    """``k`` linear layers sharing one weight: member ``i`` maps ``x_i`` (row ``i`` of
    the ``k`` axis) to ``((x_i * r_i) @ W.T) * s_i + b_i``. (batch, k, in) -> (batch, k, out).
    """

    def __init__(self, in_features, out_features, k, random_signs):
        super().__init__()
        self.weight = nn.Parameter(_uniform_(torch.empty(out_features, in_features), in_features))
        self.r = nn.Parameter(torch.ones(k, in_features))
        self.s = nn.Parameter(torch.ones(k, out_features))
        if random_signs:
            with torch.no_grad():
                self.r.bernoulli_(0.5).mul_(2).sub_(1)
        # One draw for all k biases: a shared bias plus k zero-initialised offsets.
        bias = _uniform_(torch.empty(out_features), in_features)
        self.bias = nn.Parameter(bias.expand(k, -1).clone())

    def forward(self, x):
        return (x * self.r) @ self.weight.T * self.s + self.bias


class _LinearHeads(nn.Module):
    """``k`` independent linear layers, one per member. (batch, k, in) -> (batch, k, out)."""

    def __init__(self, in_features, out_features, k):
        super().__init__()
        self.weight = nn.Parameter(_uniform_(torch.empty(k, in_features, out_features),
                                             in_features))
        self.bias = nn.Parameter(_uniform_(torch.empty(k, out_features), in_features))

    def forward(self, x):
        return (x.transpose(0, 1) @ self.weight).transpose(0, 1) + self.bias


class _MemberBatchNorm(nn.BatchNorm1d):
    """Batch normalisation with each member's own statistics and affine parameters."""

    def forward(self, x):
        return super().forward(x.flatten(1)).view_as(x)


class TabM(nn.Module):
    """TabM, the paper's default architecture: ``k`` MLPs with shared weights.

    Parameters
    ----------
    in_features, out_features : int
    hidden_layer_sizes : tuple of int
        Width of each hidden (BatchEnsemble) layer; ``()`` leaves ``k`` linear heads.
    activation : {"relu", "tanh", "logistic", "gelu", "silu", "identity"}
    dropout : float
        Dropout probability after each hidden layer.
    batch_norm : bool
        Batch normalisation (per member) after each hidden linear layer.
    k : int
        Members (heads).
    combine : {"proba", "mean"}
        How eval mode combines the heads: ``"proba"`` (a classifier's logits) returns the
        log of the mean of the heads' softmax probabilities, a valid logit whose softmax
        is that mean; ``"mean"`` (a regressor) the mean of the heads' outputs.
    """

    def __init__(self, in_features, out_features, hidden_layer_sizes=(100,),
                 activation="relu", dropout=0.0, batch_norm=False, k=32, combine="mean"):
        super().__init__()
        self.k, self.combine = k, combine
        layers, width = [], in_features
        for i, size in enumerate(hidden_layer_sizes):
            layers.append(_BatchEnsembleLinear(width, size, k, random_signs=i == 0))
            if batch_norm:
                layers.append(_MemberBatchNorm(k * size))
            layers.append(_ACTIVATIONS[activation]())
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        self.layers = nn.Sequential(*layers)
        self.heads = _LinearHeads(width, out_features, k)

    def forward_heads(self, X):
        """Every member's output, ``(n_rows, k, out_features)``."""
        return self.heads(self.layers(X.unsqueeze(1).expand(-1, self.k, -1)))

    def combine_heads(self, heads):
        """The members' outputs ``(n_rows, k, out)`` as one model's ``(n_rows, out)``."""
        if self.combine == "proba":
            return torch.logsumexp(torch.log_softmax(heads, dim=-1), dim=1) - math.log(self.k)
        return heads.mean(dim=1)

    def forward(self, X):
        heads = self.forward_heads(X)
        return heads if self.training else self.combine_heads(heads)
