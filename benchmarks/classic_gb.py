"""Gradient boosting: our trees against scikit-learn's, and boosted small nets vs one net.

Same data, same settings, same seeds for both implementations; each figure is the mean
over ``--seeds`` data seeds (classification) or train/test splits (regression).

- ``hastie_10_2`` (ESL eq. 10.2, ``ensembles.datasets``): 2,000 training / 10,000 test
  rows, test error in %. Depth-3 trees x 100 stages (scikit-learn's defaults), and
  stumps x 400 stages (the book's boosting budget), learning rate 0.1.
- ``diabetes`` (bundled) and ``friedman1`` (``make_friedman1``, 1,200 rows, noise 1):
  random 75/25 splits, test MSE, default settings (squared error), and Huber.
- ``GradientBoostingRegressor(NetRegressor)``: an 8-unit net trained 30 epochs, alone
  and boosted 10 times (learning rate 1.0), on Friedman #1 (800 rows, noise 0.5) and on
  diabetes (features standardised). The "scikit-learn" column shows scikit-learn's
  boosted trees on the same splits, for scale.

Seconds are fit times (mean over seeds) on whatever machine runs it; "ratio" is ours
over scikit-learn's. Run::

    python benchmarks/classic_gb.py --seeds 3
"""

import argparse
import time

import numpy as np
import torch
from sklearn import ensemble as sk
from sklearn.datasets import make_friedman1
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from ensembles import GradientBoostingClassifier, GradientBoostingRegressor, NetRegressor, datasets


def timed_fit(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def hastie(seed):
    X, y = datasets.load("hastie_10_2", return_X_y=True, random_state=seed)
    return X[:2000], X[2000:], y[:2000], y[2000:]


def regression(name, seed, n_samples=1200, noise=1.0):
    if name == "diabetes":
        X, y = datasets.load("diabetes", return_X_y=True)
    else:
        X, y = make_friedman1(n_samples=n_samples, noise=noise, random_state=0)
    return train_test_split(X, y, random_state=seed)


def compare(rows, label, model_label, make_ours, make_theirs, splits, score):
    ours, theirs, t_ours, t_theirs = [], [], [], []
    for X_train, X_test, y_train, y_test in splits:
        model, seconds = timed_fit(make_ours(), X_train, y_train)
        ours.append(score(y_test, model.predict(X_test)))
        t_ours.append(seconds)
        model, seconds = timed_fit(make_theirs(), X_train, y_train)
        theirs.append(score(y_test, model.predict(X_test)))
        t_theirs.append(seconds)
    rows.append((label, model_label, np.mean(ours), np.mean(theirs), np.mean(t_ours),
                 np.mean(t_theirs)))


def error_pct(y, pred):
    return 100 * np.mean(y != pred)


def small_net():
    return NetRegressor(hidden_layer_sizes=(8,), max_epochs=30, lr=0.01, batch_size=64,
                        random_state=0, device="cpu")


def main(seeds):
    torch.set_num_threads(1)
    rows = []
    splits = [hastie(seed) for seed in range(seeds)]
    for label, depth, stages in [("depth-3 trees x 100", 3, 100), ("stumps x 400", 1, 400)]:
        compare(rows, "hastie_10_2 (error %)", f"GB {label}",
                lambda d=depth, s=stages: GradientBoostingClassifier(
                    DecisionTreeRegressor(max_depth=d), n_estimators=s, random_state=0),
                lambda d=depth, s=stages: sk.GradientBoostingClassifier(
                    max_depth=d, n_estimators=s, random_state=0),
                splits, error_pct)
    for name in ("diabetes", "friedman1"):
        splits = [regression(name, seed) for seed in range(seeds)]
        for loss in ("squared_error", "huber"):
            compare(rows, f"{name} (test MSE)", f"GB depth-3 trees x 100, {loss}",
                    lambda loss=loss: GradientBoostingRegressor(loss=loss, random_state=0),
                    lambda loss=loss: sk.GradientBoostingRegressor(loss=loss, random_state=0),
                    splits, mean_squared_error)

    for name, noise in (("friedman1", 0.5), ("diabetes", None)):
        splits = []
        for seed in range(seeds):
            X_train, X_test, y_train, y_test = regression(name, seed, 800, noise)
            scaler = StandardScaler().fit(X_train)
            splits.append((scaler.transform(X_train), scaler.transform(X_test), y_train,
                           y_test))
        label = f"{name} (test MSE)"
        compare(rows, label, "one 8-unit net (vs sklearn GB trees)", small_net,
                lambda: sk.GradientBoostingRegressor(random_state=0), splits,
                mean_squared_error)
        compare(rows, label, "GB of 10 such nets (vs sklearn GB trees)",
                lambda: GradientBoostingRegressor(small_net(), n_estimators=10,
                                                  learning_rate=1.0, random_state=0),
                lambda: sk.GradientBoostingRegressor(random_state=0), splits,
                mean_squared_error)

    header = ("data set", "model", "ours", "scikit-learn", "ours s", "sklearn s", "ratio")
    print(f"| {' | '.join(header)} |")
    print("|" + "---|" * len(header))
    for data, model, ours, theirs, t_ours, t_theirs in rows:
        print(f"| {data} | {model} | {ours:.4g} | {theirs:.4g} | {t_ours:.2f} | "
              f"{t_theirs:.2f} | {t_ours / t_theirs:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    main(parser.parse_args().seeds)
