"""What benchmarking 5 base learners against 4 ensembles costs: ours vs scikit-learn's way.

Five base learners, each with a fixed ``random_state`` and one thread (a small
``NetClassifier`` after a ``StandardScaler``, ``XGBClassifier``, ``LGBMClassifier``,
``RandomForestClassifier``, ``LogisticRegression`` after a ``StandardScaler``), on rows of
Hastie et al.'s 10.2 problem, with one ``StratifiedKFold`` for everything. Three sides:

- ``a``, base only: ``sklearn.model_selection.cross_validate`` of each base learner
  (accuracy and log-loss), one after another: the floor of any comparison;
- ``b``, ours: ``ensembles.benchmark`` of the 5 base learners and its 4 default ensembles
  (soft voting, learned voting weights, stacking, ensemble selection), each ensemble
  scored from the base learners' fold fits;
- ``c``, scikit-learn's way: ``a`` plus ``cross_validate`` of
  ``sklearn.ensemble.StackingClassifier`` (inner ``cv`` folds) and of
  ``sklearn.ensemble.VotingClassifier(voting="soft")`` built on the same learners. That is
  2 of our 4 ensembles; scikit-learn has neither learned voting weights nor ensemble
  selection, and both need what stacking needs (out-of-fold predictions inside each
  outer fold), so ``c4`` counts the measured stacking time once more for each of them.

The base scores of ``b`` are checked against ``a`` (the same fits: they must be equal).
Every repeat runs the three sides in a rotating order (a b c, b c a, c a b, ...) in one
process, so they share the machine's load; the ratios are taken within a repeat and
their median printed. An untimed warm-up fit of each learner comes first (torch, XGBoost
and LightGBM pay one-off costs on their first fit in a process).

Run::

    python benchmarks/benchmark_cost.py --n-samples 2000 --cv 5 --repeats 3 --n-jobs 1
"""

import argparse
import statistics
import time

import numpy as np
import sklearn
from lightgbm import LGBMClassifier
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.ensemble import StackingClassifier as SkStackingClassifier
from sklearn.ensemble import VotingClassifier as SkVotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler
from threadpoolctl import threadpool_limits
from xgboost import XGBClassifier

from ensembles import NetClassifier, benchmark, datasets

SCORING = ["accuracy", "neg_log_loss"]


def learners():
    return [
        ("net", make_pipeline(StandardScaler(), NetClassifier(
            hidden_layer_sizes=(32,), max_epochs=30, lr=1e-2, n_iter_no_change=5,
            early_stopping=True, random_state=0, device="cpu"))),
        ("xgb", XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1, n_jobs=1,
                              random_state=0)),
        ("lgbm", LGBMClassifier(n_estimators=100, num_leaves=15, n_jobs=1, verbose=-1,
                                random_state=0)),
        ("rf", RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)),
        ("lr", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))),
    ]


def side_a(X, y, folds, n_jobs):
    return {name: cross_validate(clone(est), X, y, cv=folds, scoring=SCORING, n_jobs=n_jobs)
            for name, est in learners()}


def side_b(X, y, folds, n_jobs):
    return benchmark(learners(), X, y, cv=folds, n_jobs=n_jobs, verbose=0, random_state=0)


def side_c(X, y, folds, cv, n_jobs):
    scores, times = side_a(X, y, folds, n_jobs), {}
    inner = StratifiedKFold(cv)
    for name, est in [("sk_stacking", SkStackingClassifier(learners(), cv=inner)),
                      ("sk_voting_soft", SkVotingClassifier(learners(), voting="soft"))]:
        start = time.perf_counter()
        scores[name] = cross_validate(est, X, y, cv=folds, scoring=SCORING, n_jobs=n_jobs)
        times[name] = time.perf_counter() - start
    return scores, times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/torch threads")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    X, y = datasets.load("hastie_10_2", return_X_y=True, n_samples=args.n_samples)
    y = LabelEncoder().fit_transform(y)  # XGBoost, fitted alone by cross_validate, wants 0..K-1
    folds = list(StratifiedKFold(args.cv).split(X, y))
    print(f"hastie_10_2: {X.shape[0]} rows x {X.shape[1]} features; cv={args.cv}; "
          f"n_jobs={args.n_jobs}; threads={args.threads}; scikit-learn {sklearn.__version__}")

    with threadpool_limits(args.threads):
        for _, est in learners():  # warm-up, untimed
            clone(est).fit(X[:200], y[:200])
        runs = []
        for repeat in range(args.repeats):
            order = ["abc"[(repeat + i) % 3] for i in range(3)]
            run = {}
            for side in order:
                start = time.perf_counter()
                if side == "a":
                    out_a = side_a(X, y, folds, args.n_jobs)
                elif side == "b":
                    out_b = side_b(X, y, folds, args.n_jobs)
                else:
                    out_c, stack_times = side_c(X, y, folds, args.cv, args.n_jobs)
                run[side] = time.perf_counter() - start
            run["c4"] = run["c"] + 2 * stack_times["sk_stacking"]
            run["stack"] = stack_times["sk_stacking"]
            print(f"repeat {repeat + 1} ({' '.join(order)}): "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in run.items()), flush=True)
            runs.append(run)

    folds_b = out_b.fold_scores
    diff = max(float(np.max(np.abs(
        folds_b[folds_b["model"] == name].sort_values("fold")[s].to_numpy()
        - out_a[name][f"test_{s}"]))) for name, _ in learners() for s in SCORING)
    print(f"\nbase scores, benchmark vs cross_validate: largest difference {diff:.3g}")
    print("\nours (b):")
    print(out_b.summary())
    print("\nscikit-learn's ensembles (c), mean validation accuracy / log-loss:")
    for name in ("sk_stacking", "sk_voting_soft"):
        print(f"  {name}: {out_c[name]['test_accuracy'].mean():.4f} / "
              f"{out_c[name]['test_neg_log_loss'].mean():.4f}")

    def median(key):
        return statistics.median(r[key] for r in runs)

    def ratio(top, bottom):
        values = [r[top] / r[bottom] for r in runs]
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    print(f"\n| side | what | median s | ratio (median, range over {args.repeats} repeats) |")
    print("| --- | --- | --- | --- |")
    print(f"| a | cross_validate, 5 base learners | {median('a'):.1f} | |")
    print(f"| b | benchmark(): 5 base + 4 ensembles | {median('b'):.1f} | "
          f"b/a = {ratio('b', 'a')} (target <= 1.3) |")
    print(f"| c | a + cross_validate of sklearn stacking and soft voting | {median('c'):.1f} "
          f"| c/b = {ratio('c', 'b')} (target >= 3) |")
    print(f"| c4 | c + 2 more stacking-cost ensembles (for voting_auto, selection) | "
          f"{median('c4'):.1f} | c4/b = {ratio('c4', 'b')} |")


if __name__ == "__main__":
    main()
