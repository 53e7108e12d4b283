"""Fit time of our ``StackingClassifier`` against scikit-learn's, same members, same folds.

Five members, each with an explicit ``random_state`` and one thread (a small
``NetClassifier``, ``XGBClassifier``, ``LGBMClassifier``, a ``LogisticRegression`` after a
``StandardScaler``, an ``ExtraTreesClassifier``), the same final ``LogisticRegression``
and the same ``StratifiedKFold`` splitter are given to three stacks:

- ``ours``: ``ensembles.StackingClassifier(refit=True)``: 5 x cv fold fits and the 5
  refits on all rows, in one parallel batch;
- ``ours-norefit``: ``refit=False``: the 5 x cv fold fits only, fold models averaged at
  predict time;
- ``sklearn``: ``sklearn.ensemble.StackingClassifier``: the 5 refits in one ``Parallel``,
  then ``cross_val_predict`` per member (5 x cv fits).

So ``ours`` and ``sklearn`` do the same fits and the same fold predictions; their held-out
accuracies and probabilities show it (``ours-norefit`` is a different model: fold models
averaged). BLAS and OpenMP pools of this process are capped at ``--threads`` (joblib
caps those of its loky workers at cpu_count // n_jobs), so that ``n_jobs=1`` runs on one
core.

Every repeat fits each stack once with ``--n-jobs`` and once with ``--parallel-jobs``, in
a rotating order, all in one process, so that all stacks see the same machine load; the
ratios to scikit-learn, and the speedups, are taken pair by pair within a repeat and their
median quoted.

Whether ``psutil`` is installed is printed: without it joblib's loky workers run
``gc.collect()`` after a task whenever a second has passed since the last one, which in a
worker that has imported torch, xgboost and lightgbm costs a few tenths of a second each
time and weighs more on many short tasks (ours: members x folds + members) than on a few
long ones (scikit-learn: one ``cross_val_predict`` task per member).

Run::

    python benchmarks/stacking_cost.py --n-samples 20000 --n-features 40 --cv 5 \\
        --repeats 5 --n-jobs 1 --parallel-jobs 2

``--which ours`` (or ``ours-norefit``, ``sklearn``) with ``--warmup 0 --repeats 1
--parallel-jobs 0`` makes a process that fits one stack once, for timing each side as a
whole process.
"""

import argparse
import importlib.util
import statistics
import time

import joblib
import lightgbm
import numpy as np
import sklearn
import torch
import xgboost
from lightgbm import LGBMClassifier
from sklearn.datasets import make_classification
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.ensemble import StackingClassifier as SkStackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier

HOLDOUT = 0.2  # held-out share of the generated rows, on top of n_samples for fitting
STACKS = ("ours", "ours-norefit", "sklearn")


def make_data(n_samples, n_features, seed):
    """``n_samples`` rows to fit on and a held-out part."""
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


def make_members(args):
    """The five members, all seeded and single-threaded, so both stacks fit the same."""
    seed = args.seed
    return [
        ("net", NetClassifier(hidden_layer_sizes=(64,), max_epochs=args.epochs,
                              batch_size=256, device="cpu", n_jobs=1, random_state=seed)),
        ("xgb", XGBClassifier(n_estimators=args.trees, max_depth=5, learning_rate=0.1,
                              tree_method="hist", n_jobs=1, random_state=seed)),
        ("lgbm", LGBMClassifier(n_estimators=args.trees, num_leaves=31, n_jobs=1,
                                random_state=seed, verbose=-1)),
        ("lr", make_pipeline(StandardScaler(),
                             LogisticRegression(max_iter=1000, random_state=seed))),
        ("trees", ExtraTreesClassifier(n_estimators=args.trees // 2, min_samples_leaf=2,
                                       n_jobs=1, random_state=seed)),
    ]


def make_stack(which, args, n_jobs):
    members = make_members(args)
    final = LogisticRegression(random_state=args.seed)
    cv = StratifiedKFold(n_splits=args.cv, shuffle=True, random_state=args.seed)
    if which == "sklearn":
        return SkStackingClassifier(members, final_estimator=final, cv=cv, n_jobs=n_jobs)
    return StackingClassifier(members, final_estimator=final, cv=cv, n_jobs=n_jobs,
                              refit=which == "ours", random_state=args.seed)


def timed_fit(which, args, n_jobs, X, y):
    stack = make_stack(which, args, n_jobs)
    start = time.perf_counter()
    stack.fit(X, y)
    return time.perf_counter() - start, stack


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=40)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1, help="n_jobs of the main table")
    parser.add_argument(
        "--parallel-jobs", type=int, default=2,
        help="n_jobs whose speedup over --n-jobs is printed; 0 skips it",
    )
    parser.add_argument("--which", choices=("all",) + STACKS, default="all")
    parser.add_argument(
        "--warmup", type=int, default=1,
        help="untimed fits of each stack and n_jobs first (torch's first fit, loky workers)",
    )
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the net member")
    parser.add_argument(
        "--trees", type=int, default=40,
        help="trees of the boosted members (the ExtraTrees member gets half)",
    )
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads of this process")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def median_ratio(num, den):
    ratios = [a / b for a, b in zip(num, den, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def main(argv=None):
    args = parse_args(argv)
    X, y, X_test, y_test = make_data(args.n_samples, args.n_features, args.seed)
    stacks = STACKS if args.which == "all" else (args.which,)
    jobs = [args.n_jobs] + ([args.parallel_jobs] if args.parallel_jobs else [])
    configs = [(which, n_jobs) for n_jobs in jobs for which in stacks]

    times = {config: [] for config in configs}
    fitted = {}
    with threadpool_limits(limits=args.threads):
        for _ in range(args.warmup):
            for which, n_jobs in configs:
                timed_fit(which, args, n_jobs, X, y)
        for repeat in range(args.repeats):
            shift = repeat % len(configs)  # rotate, so no stack always runs first
            for which, n_jobs in configs[shift:] + configs[:shift]:
                seconds, fitted[which, n_jobs] = timed_fit(which, args, n_jobs, X, y)
                times[which, n_jobs].append(seconds)

        proba = {config: est.predict_proba(X_test)[:, 1] for config, est in fitted.items()}

    print(
        f"{args.n_samples} x {args.n_features}, cv={args.cv} (StratifiedKFold), 5 members "
        f"(net {args.epochs} epochs, xgb/lgbm {args.trees} trees, ExtraTrees "
        f"{args.trees // 2} trees, lr), {args.threads} BLAS thread(s), {args.warmup} "
        f"warm-up + {args.repeats} timed fit(s) of each, interleaved; psutil "
        f"{'installed' if importlib.util.find_spec('psutil') else 'not installed'}"
    )
    print(f"scikit-learn {sklearn.__version__}, joblib {joblib.__version__}, torch "
          f"{torch.__version__}, xgboost {xgboost.__version__}, lightgbm "
          f"{lightgbm.__version__}")
    for n_jobs in jobs:
        base = ("sklearn", n_jobs)
        print(f"\nn_jobs={n_jobs}\n")
        print("| stack | median fit s | min-max fit s | ratio to sklearn (median, pairs) "
              "| held-out accuracy | max abs proba diff to sklearn |")
        print("| --- | --- | --- | --- | --- | --- |")
        for which in stacks:
            seconds = times[which, n_jobs]
            ratio = diff = ""
            if base in times and which != "sklearn":
                med, lo, hi = median_ratio(seconds, times[base])
                ratio = f"{med:.3f} ({lo:.3f}-{hi:.3f})"
                diff = f"{np.max(np.abs(proba[which, n_jobs] - proba[base])):.1e}"
            elif which == "sklearn":
                ratio = "1"
            accuracy = np.mean((proba[which, n_jobs] > 0.5) == y_test)
            print(f"| {which} | {statistics.median(seconds):.2f} | "
                  f"{min(seconds):.2f}-{max(seconds):.2f} | {ratio} | {accuracy:.4f} | "
                  f"{diff} |")

    if len(jobs) == 2:
        one, many = jobs
        print(f"\nspeedup n_jobs={many} over n_jobs={one} (fit time at {one} / at {many}, "
              "pair by pair)\n")
        print(f"| stack | median speedup (pairs) | max abs proba diff n_jobs={many} vs {one} |")
        print("| --- | --- | --- |")
        for which in stacks:
            med, lo, hi = median_ratio(times[which, one], times[which, many])
            diff = np.max(np.abs(proba[which, one] - proba[which, many]))
            print(f"| {which} | {med:.2f} ({lo:.2f}-{hi:.2f}) | {diff:.1e} |")


if __name__ == "__main__":
    main()
