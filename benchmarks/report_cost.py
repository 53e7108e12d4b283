"""What the overfitting report of a stack costs, next to fitting that stack once.

A 4-member ``StackingClassifier`` (a small ``NetClassifier``, ``XGBClassifier``,
``LGBMClassifier``, a scaled ``LogisticRegression``; each one thread, explicit seeds) and
the same ``StratifiedKFold`` are timed two ways, side by side in one process:

- ``fit``: ``StackingClassifier(cv=folds).fit(X, y)``: 4 x cv fold fits and 4 refits on
  all rows, the final estimator on the out-of-fold predictions;
- ``report``: ``overfitting_report(StackingClassifier(...), X, y, cv=folds)``: 4 x cv fold
  fits (no refit), each scored on its train and validation parts (accuracy, log-loss), the
  nets watching their validation part per epoch, the stack rebuilt per fold from those
  fits, learning curves of the net, XGBoost and LightGBM, and a dummy baseline.

Each repeat runs both, the order alternating, and the ratio report / fit is taken within
the repeat; the median is quoted. The issue's target: report <= 1.15 x fit.

Run::

    python benchmarks/report_cost.py --n-samples 5000 --n-features 20 --cv 5 --repeats 3
"""

import argparse
import statistics
import time

import numpy as np
import threadpoolctl
import torch
from lightgbm import LGBMClassifier
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier, overfitting_report


def members():
    return [
        ("net", make_pipeline(StandardScaler(), NetClassifier(
            hidden_layer_sizes=(64,), max_epochs=20, batch_size=128, random_state=0))),
        ("xgb", XGBClassifier(n_estimators=100, max_depth=4, n_jobs=1, random_state=0)),
        ("lgbm", LGBMClassifier(n_estimators=100, n_jobs=1, verbose=-1, random_state=0)),
        ("lr", make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=5000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(1)
    threadpoolctl.threadpool_limits(1)
    X, y = make_classification(n_samples=args.n_samples, n_features=args.n_features,
                               n_informative=args.n_features // 2, random_state=0)
    folds = StratifiedKFold(args.cv, shuffle=True, random_state=0)

    def fit():
        StackingClassifier(members(), cv=folds, random_state=0).fit(X, y)

    def report():
        overfitting_report(StackingClassifier(members(), random_state=0), X, y, cv=folds)

    fit()  # warm-up: imports, torch start-up
    rows = []
    for repeat in range(args.repeats):
        order = [("fit", fit), ("report", report)]
        if repeat % 2:
            order.reverse()
        times = {}
        for name, run in order:
            start = time.perf_counter()
            run()
            times[name] = time.perf_counter() - start
        rows.append((times["fit"], times["report"], times["report"] / times["fit"]))

    print(f"{args.n_samples} rows x {args.n_features} features, cv={args.cv}, "
          "4 members, n_jobs=1")
    print(f"{'repeat':>6}  {'fit s':>8}  {'report s':>8}  {'report/fit':>10}")
    for i, (f, r, ratio) in enumerate(rows):
        print(f"{i:>6}  {f:8.2f}  {r:8.2f}  {ratio:10.3f}")
    print(f"median ratio report/fit: {statistics.median(r[2] for r in rows):.3f} "
          "(target <= 1.15)")
    return np.array(rows)


if __name__ == "__main__":
    main()
