"""Parallel speed-up of our fits: ``n_jobs=2`` against ``n_jobs=1`` (loky), and a dask
``LocalCluster`` of two workers against loky (issue 16, item 2).

Two workloads, each fitted the three ways in every repeat, in a rotating order, in one
process, so that all see the same machine load:

- ``stack``: ``StackingClassifier`` of an ``ExtraTreesClassifier``, a
  ``RandomForestClassifier``, a ``HistGradientBoostingClassifier`` and a
  ``LogisticRegression`` (one thread each), ``cv`` folds plus the refits: members x
  (cv + 1) independent fits;
- ``bagging``: ``BaggingClassifier`` of ``--n-estimators`` decision trees.

The ways: ``n_jobs=1`` (every fit in this process, its BLAS/OpenMP pools capped at one
thread so that it uses one core, as each loky worker of ``n_jobs=2`` does), ``loky``
(``n_jobs=2``, joblib's default backend, workers started before timing) and ``dask``
(``n_jobs=2`` under ``joblib.parallel_backend("dask")`` on a ``LocalCluster`` of two
single-thread worker processes on 127.0.0.1, started before timing). The speed-up
(n_jobs=1 time / loky time) and the dask overhead (dask time / loky time - 1) are taken
pair by pair within a repeat; their medians are quoted, with the load average before and
after (``os.getloadavg``): the figures mean something only on a quiet machine.

Run::

    python benchmarks/scaling.py --n-samples 20000 --n-features 20 --repeats 3
"""

import argparse
import os
import statistics
import time

import joblib
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from ensembles import BaggingClassifier, StackingClassifier


def _stack(n_jobs, cv):
    members = [
        ("extra", ExtraTreesClassifier(n_estimators=100, n_jobs=1, random_state=0)),
        ("forest", RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)),
        ("hgb", HistGradientBoostingClassifier(max_iter=100, random_state=0)),
        ("lr", LogisticRegression(max_iter=500)),
    ]
    return StackingClassifier(members, cv=cv, n_jobs=n_jobs, random_state=0)


def _bagging(n_jobs, n_estimators):
    return BaggingClassifier(DecisionTreeClassifier(), n_estimators=n_estimators,
                             n_jobs=n_jobs, random_state=0)


def _timed(make, X, y):
    start = time.perf_counter()
    model = make().fit(X, y)
    return time.perf_counter() - start, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--n-estimators", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from distributed import Client, LocalCluster  # the dask extra

    X, y = make_classification(n_samples=args.n_samples, n_features=args.n_features,
                               n_informative=args.n_features // 2, random_state=0)
    workloads = {
        "stack": lambda n_jobs: _stack(n_jobs, args.cv),
        "bagging": lambda n_jobs: _bagging(n_jobs, args.n_estimators),
    }
    print(f"{args.n_samples} x {args.n_features}, cv={args.cv}, "
          f"{args.n_estimators} bagged trees, {args.repeats} repeats, "
          f"{os.cpu_count()} cores; load average before: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster):
        def ways(make):
            def one():
                with threadpool_limits(1):
                    return _timed(lambda: make(1), X, y)

            def loky():
                return _timed(lambda: make(2), X, y)

            def dask():
                with joblib.parallel_backend("dask"):
                    return _timed(lambda: make(2), X, y)

            return {"n_jobs=1": one, "loky": loky, "dask": dask}

        times = {w: {way: [] for way in ("n_jobs=1", "loky", "dask")} for w in workloads}
        for make in workloads.values():  # warm up: workers started, modules imported
            for run in ways(make).values():
                run()
        for repeat in range(args.repeats):
            for name, make in workloads.items():
                runs = list(ways(make).items())
                shift = repeat % len(runs)
                for way, run in runs[shift:] + runs[:shift]:
                    seconds, model = run()
                    times[name][way].append(seconds)
                    assert model.score(X, y) > 0.5
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| workload | n_jobs=1 (s) | loky n_jobs=2 (s) | dask 2 workers (s) | "
          "speed-up loky | dask overhead vs loky |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in workloads:
        t = times[name]
        speedup = statistics.median(a / b for a, b in zip(t["n_jobs=1"], t["loky"]))
        overhead = statistics.median(d / b - 1 for d, b in zip(t["dask"], t["loky"]))
        print(f"| {name} | {np.median(t['n_jobs=1']):.2f} | {np.median(t['loky']):.2f} | "
              f"{np.median(t['dask']):.2f} | {speedup:.2f}x | {overhead:+.0%} |")


if __name__ == "__main__":
    main()
