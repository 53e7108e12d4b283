"""TabM against one MLP and a bag of 8 MLPs, on the bundled data sets (issue 13, item 5).

Three nets of the same layers, trained for the same epochs with the same optimiser, each
behind a ``StandardScaler``:

- one MLP: ``NetClassifier`` / ``NetRegressor`` (``module=None``);
- TabM: the same with ``module="tabm"``, ``k`` members in one model: 32 (the paper's)
  and 8 (as many as the bag);
- a bag of 8 MLPs: ``ensembles.BaggingClassifier`` / ``BaggingRegressor`` of that MLP
  (bootstrap draws, ``n_jobs=1``).

Shuffled, seeded 5-fold cross-validation (stratified for classifiers); every model gets
the same folds and a seed per fold. Score: accuracy (classifiers), R2 (diabetes); mean
and standard deviation over the folds; for classifiers also the log-loss (mean over the
folds), where averaged members usually gain more than in accuracy; and the mean fit time
of a fold in seconds (one torch thread each, ``n_jobs=1`` everywhere; one fit at a time,
after one untimed warm-up fit of each model).

Run::

    python benchmarks/tabm.py

``--datasets``, ``--epochs``, ``--hidden``, ``--k`` and ``--folds`` change the setting;
``--quick`` is a smoke run (2 folds, 3 epochs, iris only).
"""

import argparse
import time

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    NetClassifier,
    NetRegressor,
    datasets,
)


def models(task, hidden, epochs, ks):
    Net, Bag = ((NetClassifier, BaggingClassifier) if task == "classification"
                else (NetRegressor, BaggingRegressor))
    net = Net(hidden_layer_sizes=hidden, max_epochs=epochs, lr=1e-3, batch_size=128,
              device="cpu", n_jobs=1)
    tabms = {f"TabM (k={k})": clone(net).set_params(module="tabm", module_params={"k": k})
             for k in ks}
    return {"one MLP": net, **tabms, "bag of 8 MLPs": Bag(clone(net), n_estimators=8, n_jobs=1)}


def evaluate(name, hidden, epochs, ks, folds, seed):
    X, y = datasets.load(name, return_X_y=True)
    task = datasets.task_of(name)
    Split = StratifiedKFold if task == "classification" else KFold
    splits = list(Split(folds, shuffle=True, random_state=seed).split(X, y))
    results = {}
    for label, model in models(task, hidden, epochs, ks).items():
        # One untimed fit first: torch's and joblib's first-call costs are not the model's.
        rows = np.random.RandomState(seed).permutation(len(y))[:60]
        clone(model).set_params(random_state=seed).fit(X[rows], y[rows])
        scores, losses, times = [], [], []
        for fold, (train, test) in enumerate(splits):
            est = make_pipeline(StandardScaler(), clone(model).set_params(
                random_state=seed + fold))
            start = time.perf_counter()
            est.fit(X[train], y[train])
            times.append(time.perf_counter() - start)
            scores.append(est.score(X[test], y[test]))
            if task == "classification":
                losses.append(log_loss(y[test], est.predict_proba(X[test]),
                                       labels=np.unique(y)))
        results[label] = (np.mean(scores), np.std(scores),
                          np.mean(losses) if losses else np.nan, np.mean(times))
    metric = "accuracy" if is_classifier(model) else "R2"
    return X.shape, metric, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+",
                        default=["breast_cancer", "wine", "digits", "diabetes"])
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 128])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--k", type=int, nargs="+", default=[32, 8])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.datasets, args.epochs, args.folds = ["iris"], 3, 2
    hidden = tuple(args.hidden)
    print(f"hidden_layer_sizes={hidden}, max_epochs={args.epochs}, batch_size=128, Adam "
          f"lr=1e-3, {args.folds}-fold shuffled CV (seed {args.seed}), mean +- std over "
          f"folds; fit s: mean seconds per fold\n")
    print("| data set | metric | model | score | log-loss | fit s | fit / one MLP |")
    print("|---|---|---|---|---|---|---|")
    start = time.perf_counter()
    for name in args.datasets:
        shape, metric, results = evaluate(name, hidden, args.epochs, args.k, args.folds,
                                          args.seed)
        base = results["one MLP"][3]
        for label, (mean, std, loss, seconds) in results.items():
            loss = "-" if np.isnan(loss) else f"{loss:.3f}"
            print(f"| {name} ({shape[0]} x {shape[1]}) | {metric} | {label} | "
                  f"{mean:.3f} +- {std:.3f} | {loss} | {seconds:.2f} | "
                  f"{seconds / base:.1f}x |", flush=True)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
