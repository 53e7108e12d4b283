"""Fit-time overhead of ``NetClassifier`` over a raw skorch ``NeuralNetClassifier``.

Both fit the same module (``ensembles.learners._torch.MLP``, same hidden sizes), for the
same epochs, batch size, learning rate and optimizer (Adam), on the CPU, with no
validation split and nothing printed. Each side gets its input as its user would pass it:
``NetClassifier`` takes the float64 array that ``make_classification`` returns (so the
cast to float32 is timed as part of its fit); raw skorch gets float32 X and int64 y cast
by the user beforehand (not timed).

Fits alternate (ours, skorch, ours, skorch, ...) in one process so that both sides see
the same machine load; the ratio is taken pair by pair and its median quoted.

Run::

    python benchmarks/net_overhead.py --n-samples 20000 --n-features 40 \\
        --epochs 10 --repeats 7 --threads 1

``--which ours`` or ``--which skorch`` fits one side only; with ``--warmup 0 --repeats 1``
a process makes a single fit, for timing each side as a whole process.
"""

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.datasets import make_classification
from skorch import NeuralNetClassifier
from torch import nn

from ensembles import NetClassifier
from ensembles.learners._torch import MLP

HOLDOUT = 0.2  # held-out share of the generated rows, on top of n_samples for fitting


def make_data(n_samples, n_features, seed):
    """``n_samples`` rows to fit on and a held-out part, float64 as a user has them."""
    n_test = int(round(n_samples * HOLDOUT / (1 - HOLDOUT)))
    X, y = make_classification(
        n_samples=n_samples + n_test,
        n_features=n_features,
        n_informative=n_features // 2,
        n_redundant=n_features // 4,
        n_classes=2,
        random_state=seed,
    )
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


def fit_ours(args, X, y):
    clf = NetClassifier(
        hidden_layer_sizes=args.hidden,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        optimizer="adam",
        early_stopping=False,
        device="cpu",
        n_jobs=args.threads,  # NetClassifier sets torch's threads itself (default 1)
        random_state=args.seed,
        verbose=0,
    )
    start = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - start, clf.predict


def fit_skorch(args, X, y):
    # What a skorch user passes: float32 X and int64 y, cast before fit (not timed).
    X32, y64 = X.astype(np.float32), y.astype(np.int64)
    torch.manual_seed(args.seed)
    net = NeuralNetClassifier(
        MLP,
        module__in_features=X.shape[1],
        module__out_features=len(np.unique(y)),
        module__hidden_layer_sizes=args.hidden,
        criterion=nn.CrossEntropyLoss,  # the MLP returns logits
        optimizer=torch.optim.Adam,
        lr=args.lr,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        iterator_train__shuffle=True,  # as NetClassifier does
        train_split=None,
        device="cpu",
        verbose=0,
    )
    start = time.perf_counter()
    net.fit(X32, y64)
    return time.perf_counter() - start, lambda X_new: net.predict(X_new.astype(np.float32))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--which", choices=["both", "ours", "skorch"], default="both")
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed fits of each side before the timed ones"
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[100], help="hidden layer sizes of the MLP"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.hidden = tuple(args.hidden)
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    X, y, X_test, y_test = make_data(args.n_samples, args.n_features, args.seed)
    sides = {"ours": fit_ours, "skorch": fit_skorch}
    if args.which != "both":
        sides = {args.which: sides[args.which]}

    for _ in range(args.warmup):  # the first fit in a process pays torch's one-off costs
        for fit in sides.values():
            fit(args, X, y)
    times = {name: [] for name in sides}
    accuracy = {}
    for _ in range(args.repeats):
        for name, fit in sides.items():
            seconds, predict = fit(args, X, y)
            times[name].append(seconds)
            accuracy[name] = float(np.mean(predict(X_test) == y_test))

    print(
        f"{args.n_samples} x {args.n_features} float64, {args.epochs} epochs, "
        f"batch {args.batch_size}, MLP{args.hidden}, Adam lr={args.lr}, "
        f"{args.threads} torch thread(s), torch {torch.__version__}, "
        f"{args.warmup} warm-up + {args.repeats} timed fit(s) each"
        f"{', alternating' if len(sides) == 2 else ''}"
    )
    ratios = None
    if len(sides) == 2:
        ratios = [a / b for a, b in zip(times["ours"], times["skorch"], strict=True)]
    print()
    print("| fit | median fit s | min-max fit s | ratio ours/skorch | held-out accuracy |")
    print("| --- | --- | --- | --- | --- |")
    for name in sides:
        med = statistics.median(times[name])
        spread = f"{min(times[name]):.2f}-{max(times[name]):.2f}"
        if ratios is None:
            ratio = ""
        elif name == "ours":
            ratio = f"{statistics.median(ratios):.3f} (pairs {min(ratios):.3f}-{max(ratios):.3f})"
        else:
            ratio = "1"
        print(f"| {name} | {med:.3f} | {spread} | {ratio} | {accuracy[name]:.4f} |")


if __name__ == "__main__":
    main()
