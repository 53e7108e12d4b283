"""Fit time of ``NetClassifier`` with its data resident as torch tensors (issue 13, item 2)
against the previous per-batch path, side by side in one process.

Since issue 13 the net's batches come from arrays turned into torch tensors once per fit,
on the net's device (on the CPU they share NumPy's memory; on a GPU they are copied once,
then each batch is gathered there). Before, every batch was fancy-indexed from the NumPy
arrays and converted (and, on a GPU, copied from the host). ``before`` below is that
previous ``_Batches`` (its ``__getitem__`` as of commit 16cd718), swapped in for the
timing; both sides fit the same net on the same data with the same seed, and the script
checks that they give the same model (same predictions) before it times anything.

Fits alternate (resident, before, resident, before, ...) so both see the same machine
load; the ratio is taken pair by pair and its median quoted.

Run::

    python benchmarks/resident_data.py --repeats 5 --device cpu
"""

import argparse
import statistics
import time
from collections.abc import Mapping
from unittest import mock

import numpy as np
import torch
from sklearn.datasets import make_classification

from ensembles import NetClassifier
from ensembles.learners import _torch

CASES = [  # (rows, features, hidden, batch, epochs)
    (20_000, 32, (100,), 128, 5),
    (50_000, 64, (256, 256), 256, 3),
    (5_000, 20, (64,), 32, 5),
]


class _BeforeBatches(_torch._Batches):
    """The previous path: NumPy arrays, indexed and converted batch by batch."""

    def __init__(self, dataset, device="cpu"):
        self.X, self.y, self._len = dataset.X, dataset.y, len(dataset)

    @classmethod
    def of(cls, dataset, device):
        return cls(dataset, device)

    def __getitem__(self, rows):
        rows = np.asarray(rows)
        X = self.X
        X = {k: v[rows] for k, v in X.items()} if isinstance(X, Mapping) else X[rows]
        y = torch.zeros(len(rows), 1) if self.y is None else self.y[rows]
        return X, y


def fit_seconds(X, y, params, before):
    patch = mock.patch.object(_torch, "_Batches", _BeforeBatches) if before else None
    if patch:
        patch.start()
    try:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        net = NetClassifier(**params).fit(X, y)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter() - start, net
    finally:
        if patch:
            patch.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, device {args.device}, 1 torch thread, "
          f"{args.repeats} alternating pairs per case; median of the pair ratios")
    print(f"{'rows x features, hidden, batch, epochs':<42} | {'resident s':>10} | "
          f"{'before s':>9} | {'resident/before':>15}")
    for rows, features, hidden, batch, epochs in CASES:
        X, y = make_classification(n_samples=rows, n_features=features,
                                   n_informative=features // 2, random_state=0)
        params = dict(hidden_layer_sizes=hidden, batch_size=batch, max_epochs=epochs,
                      device=args.device, random_state=0)
        # same seed, same batches: the same model either way (checked, not assumed)
        _, ours = fit_seconds(X, y, params, before=False)
        _, theirs = fit_seconds(X, y, params, before=True)
        np.testing.assert_allclose(ours.predict_proba(X[:500]),
                                   theirs.predict_proba(X[:500]), rtol=0, atol=1e-12)
        pairs = []
        for _ in range(args.repeats):
            resident, _ = fit_seconds(X, y, params, before=False)
            before, _ = fit_seconds(X, y, params, before=True)
            pairs.append((resident, before))
        ratio = statistics.median(r / b for r, b in pairs)
        label = f"{rows} x {features}, {hidden}, {batch}, {epochs}"
        print(f"{label:<42} | {statistics.median(p[0] for p in pairs):>10.2f} | "
              f"{statistics.median(p[1] for p in pairs):>9.2f} | {ratio:>14.2f}x")


if __name__ == "__main__":
    main()
