"""Bagging, reproduced: Breiman's waveform, the n_jobs speed-up, and bagged small nets.

(a) Breiman (1996), "Bagging predictors", table 1, waveform: 300 training and 1,500 test
    rows (``ensembles.datasets.load("waveform", random_state=seed)``, seeds 0..9), one
    unpruned tree against 50 bagged unpruned trees; ours against scikit-learn's
    ``BaggingClassifier`` on the same data and seeds. Test error %, mean over the seeds.
    Paper: 29.1% -> 19.3% (its trees were pruned by cross-validation).
(b) Fit time of ``BaggingClassifier(n_jobs=2)`` over ``n_jobs=1``: 100 unpruned trees on
    5,000 waveform rows, runs interleaved (1, 2, 1, 2, ...) after one warm-up of each
    (which starts joblib's loky workers); the ratio of each pair, then their median.
(c) A small ``NetClassifier`` (behind a ``StandardScaler``) against 10 of them bagged,
    ours and scikit-learn's ``BaggingClassifier``, on bundled data sets: stratified
    70/30 splits, seeds 0..``--net-seeds - 1``; test accuracy and log-loss.

Run::

    python benchmarks/classic_bagging.py

``--part a`` (or b, c) runs one part only.
"""

import argparse
import os
import time

import joblib
import numpy as np
from sklearn import ensemble as sk
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from ensembles import BaggingClassifier, NetClassifier, datasets


def _timed(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def waveform(seeds):
    rows = {"single tree": [], "50 bagged trees": []}
    for seed in range(seeds):
        X, y = datasets.load("waveform", return_X_y=True, random_state=seed)
        X_train, y_train, X_test, y_test = X[:300], y[:300], X[300:], y[300:]
        tree, t = _timed(DecisionTreeClassifier(random_state=seed), X_train, y_train)
        error = 100 * (1 - tree.score(X_test, y_test))
        rows["single tree"].append((error, error, t, t))  # the same tree on both sides
        ours, t_ours = _timed(BaggingClassifier(n_estimators=50, random_state=seed),
                              X_train, y_train)
        theirs, t_theirs = _timed(sk.BaggingClassifier(n_estimators=50, random_state=seed),
                                  X_train, y_train)
        rows["50 bagged trees"].append((100 * (1 - ours.score(X_test, y_test)),
                                        100 * (1 - theirs.score(X_test, y_test)),
                                        t_ours, t_theirs))
    paper = {"single tree": 29.1, "50 bagged trees": 19.3}
    print(f"\n(a) Breiman (1996) waveform, 300 train / 1,500 test, test error %, mean of "
          f"{seeds} seeds\n")
    print("| model | ours | scikit-learn | paper | seconds ours | seconds scikit-learn |")
    print("|---|---|---|---|---|---|")
    for name, values in rows.items():
        m = np.mean(values, axis=0)
        print(f"| {name} | {m[0]:.1f} | {m[1]:.1f} | {paper[name]} | {m[2]:.3f} | "
              f"{m[3]:.3f} |")
    gap = np.mean([r[0] for r in rows["single tree"]]) - np.mean(
        [r[0] for r in rows["50 bagged trees"]])
    per_seed = [s[0] - b[0] for s, b in zip(rows["single tree"], rows["50 bagged trees"])]
    print(f"\nours: bagging lowers the error by {gap:.1f} points (per seed "
          f"{min(per_seed):.1f} to {max(per_seed):.1f}); acceptance: >= 7 -> "
          f"{'PASS' if gap >= 7 else 'FAIL'}")


def speedup(repeats, backend):
    X, y = datasets.load("waveform", return_X_y=True, n_samples=5000, random_state=0)
    times = {1: [], 2: []}
    load_before = os.getloadavg()[0]
    with joblib.parallel_backend(backend):
        for n_jobs in (1, 2):  # warm-up: imports, loky workers
            BaggingClassifier(n_estimators=4, n_jobs=n_jobs, random_state=0).fit(X, y)
        for _ in range(repeats):
            for n_jobs in (1, 2):
                model = BaggingClassifier(n_estimators=100, n_jobs=n_jobs, random_state=0)
                times[n_jobs].append(_timed(model, X, y)[1])
    ratios = np.array(times[1]) / np.array(times[2])
    print(f"\n(b) fit time, 100 unpruned trees on 5,000 x 21 waveform rows, joblib backend "
          f"{backend!r}, {repeats} interleaved pairs (1-minute load average before "
          f"{load_before:.1f}, after {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores)\n")
    print("| n_jobs | median seconds | min-max seconds |")
    print("|---|---|---|")
    for n_jobs in (1, 2):
        t = times[n_jobs]
        print(f"| {n_jobs} | {np.median(t):.2f} | {min(t):.2f}-{max(t):.2f} |")
    print(f"\nspeed-up n_jobs=2 / n_jobs=1: median {np.median(ratios):.2f} "
          f"(pairs {ratios.min():.2f}-{ratios.max():.2f}); target >= 1.6")


def nets(seeds, names):
    net = make_pipeline(StandardScaler(), NetClassifier(
        hidden_layer_sizes=(32,), max_epochs=60, lr=0.01, batch_size=64, device="cpu"))
    print(f"\n(c) a small net (32 units, 60 epochs) alone and 10 bagged; 70/30 splits, mean "
          f"of {seeds} seeds\n")
    print("| data set | model | accuracy % | log-loss | seconds |")
    print("|---|---|---|---|---|")
    for name in names:
        X, y = datasets.load(name, return_X_y=True)
        results = {"one net": [], "10 bagged nets, ours": [],
                   "10 bagged nets, scikit-learn": []}
        for seed in range(seeds):
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.3, stratify=y, random_state=seed)
            models = {
                "one net": clone(net).set_params(netclassifier__random_state=seed),
                "10 bagged nets, ours": BaggingClassifier(
                    net, n_estimators=10,
                    random_state=seed),
                "10 bagged nets, scikit-learn": sk.BaggingClassifier(
                    net, n_estimators=10,
                    random_state=seed),
            }
            for label, model in models.items():
                model, t = _timed(model, X_train, y_train)
                proba = model.predict_proba(X_test)
                results[label].append((100 * np.mean(model.predict(X_test) == y_test),
                                       log_loss(y_test, proba, labels=np.unique(y)), t))
        for label, values in results.items():
            m = np.mean(values, axis=0)
            print(f"| {name} | {label} | {m[0]:.1f} | {m[1]:.3f} | {m[2]:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "c"], action="append")
    parser.add_argument("--seeds", type=int, default=10, help="waveform data seeds (a)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved pairs (b)")
    parser.add_argument("--backend", nargs="+", default=["loky", "threading"],
                        help="joblib backends (b)")
    parser.add_argument("--net-seeds", type=int, default=5, help="splits per data set (c)")
    parser.add_argument("--net-data", nargs="+", default=["breast_cancer", "digits"])
    args = parser.parse_args()
    parts = args.part or ["a", "b", "c"]
    if "a" in parts:
        waveform(args.seeds)
    if "b" in parts:
        for backend in args.backend:
            speedup(args.repeats, backend)
    if "c" in parts:
        nets(args.net_seeds, args.net_data)


if __name__ == "__main__":
    main()
