"""Bagged nets trained as one batched model against one by one (issue 13, item 3).

``BaggingClassifier(NetClassifier(...), n_estimators=10)`` with ``batch_nets=True``
(the default "auto" picks it for these nets) against ``batch_nets=False`` (each member
fitted by its own ``fit``, as before), and, for reference, ``batch_nets=False`` with
``n_jobs=2`` (the members spread over two worker processes). All in one process on the
same data; fits alternate (batched, one by one, two workers, batched, ...) so every
variant sees the same machine load, and each ratio is taken pair by pair, its median
quoted. Before timing, the script checks that the batched bag predicts what the
one-by-one bag predicts (float32 rounding: max |difference| of probabilities printed).

Run::

    python benchmarks/batched_nets.py --repeats 5
"""

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.datasets import make_classification

from ensembles import BaggingClassifier, NetClassifier

CASES = [  # (rows, features, hidden, batch, epochs)
    (2_000, 20, (64,), 128, 10),
    (5_000, 32, (100,), 128, 5),
    (10_000, 32, (128, 64), 256, 5),
]


def fit_seconds(X, y, net, **bagging):
    start = time.perf_counter()
    bag = BaggingClassifier(net, n_estimators=10, random_state=0, **bagging).fit(X, y)
    return time.perf_counter() - start, bag


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    variants = {"batched": {"batch_nets": True},
                "one by one": {"batch_nets": False},
                "one by one, n_jobs=2": {"batch_nets": False, "n_jobs": 2}}
    print("10 bagged NetClassifier, 1 torch thread per process; median of "
          f"{args.repeats} alternating rounds\n")
    print("| rows x features, hidden, batch, epochs | batched s | one by one s "
          "| n_jobs=2 s | one by one / batched | n_jobs=2 / batched | max abs diff |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for rows, features, hidden, batch, epochs in CASES:
        X, y = make_classification(rows, features, n_informative=10, random_state=0)
        net = NetClassifier(hidden_layer_sizes=hidden, batch_size=batch,
                            max_epochs=epochs)
        _, batched = fit_seconds(X, y, net, batch_nets=True)
        _, alone = fit_seconds(X, y, net, batch_nets=False)
        diff = np.abs(batched.predict_proba(X) - alone.predict_proba(X)).max()
        times = {name: [] for name in variants}
        for _ in range(args.repeats):
            for name, bagging in variants.items():
                times[name].append(fit_seconds(X, y, net, **bagging)[0])
        ratio = {name: statistics.median(a / b for a, b in zip(times[name], times["batched"],
                                                                 strict=True))
                 for name in variants}
        med = {name: statistics.median(t) for name, t in times.items()}
        print(f"| {rows} x {features}, {hidden}, {batch}, {epochs} "
              f"| {med['batched']:.2f} | {med['one by one']:.2f} "
              f"| {med['one by one, n_jobs=2']:.2f} | {ratio['one by one']:.2f}x "
              f"| {ratio['one by one, n_jobs=2']:.2f}x | {diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
