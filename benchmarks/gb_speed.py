"""Gradient boosting speed: our trees against scikit-learn's, side by side in one process.

Both at default parameters (100 depth-3 ``squared_error`` trees, learning rate 0.1: the
same trees; they part only where two splits tie) on the same data. Each repeat fits
ours and scikit-learn's one after the other, in alternating order (so a drift of the
machine's speed hits both), then times ``predict`` likewise: calls alternating, summed,
as many as make ``--predict-rows`` rows (at least 10 calls), so that a small test set is
not timed by one tick of the clock. The ratio ours / scikit-learn is taken pair by pair and the
median over ``--repeats`` quoted, with the range of the pairs.

Times are the process's CPU seconds (``time.process_time``: both fit in one thread, and
on a shared machine the seconds spent waiting for a core are not theirs), with the
median ratio of wall-clock seconds beside them.

- ``hastie_10_2`` (``make_hastie_10_2``, ESL eq. 10.2): 2,000 training rows and 10,000
  test rows, the book's setting, and all 12,000 rows for training (predict on them too).
- ``friedman1`` (``make_friedman1``, noise 1): 10,000 training rows, 2,000 test rows,
  squared error and Huber (Huber refits every leaf, as log-loss does).
- ``3 classes`` (``make_classification``, 10 features): 3,000 training / 2,000 test rows,
  three trees a stage.
- ``diabetes`` (bundled, 442 rows): 331 training / 111 test rows, where the trees' own
  work is smallest and every millisecond a stage spends besides shows.

The machine's load average (``os.getloadavg``) is printed before and after: on a shared
machine it says how far the seconds can be trusted; the ratios, taken pair by pair in
one process, are steadier than the seconds. Run::

    python benchmarks/gb_speed.py --repeats 7
"""

import argparse
import os
import time

import numpy as np
from sklearn import ensemble as sk
from sklearn.datasets import (
    load_diabetes,
    make_classification,
    make_friedman1,
    make_hastie_10_2,
)

from ensembles import GradientBoostingClassifier, GradientBoostingRegressor


def cases():
    """(name, ours, scikit-learn's, X_train, y_train, X_test) for every row."""
    X, y = make_hastie_10_2(n_samples=12000, random_state=1)
    yield ("hastie_10_2, fit 2,000 / predict 10,000", GradientBoostingClassifier,
           sk.GradientBoostingClassifier, {}, X[:2000], y[:2000], X[2000:])
    yield ("hastie_10_2, fit and predict 12,000", GradientBoostingClassifier,
           sk.GradientBoostingClassifier, {}, X, y, X)
    X, y = make_friedman1(n_samples=12000, noise=1.0, random_state=0)
    for loss in ("squared_error", "huber"):
        yield (f"friedman1 {loss}, fit 10,000 / predict 2,000", GradientBoostingRegressor,
               sk.GradientBoostingRegressor, {"loss": loss}, X[:10000], y[:10000],
               X[10000:])
    X, y = make_classification(n_samples=5000, n_features=10, n_informative=6,
                               n_classes=3, random_state=0)
    yield ("3 classes, fit 3,000 / predict 2,000", GradientBoostingClassifier,
           sk.GradientBoostingClassifier, {}, X[:3000], y[:3000], X[3000:])
    X, y = load_diabetes(return_X_y=True)
    yield ("diabetes, fit 331 / predict 111", GradientBoostingRegressor,
           sk.GradientBoostingRegressor, {}, X[:331], y[:331], X[331:])


def seconds(call):
    """(CPU seconds, wall seconds) of ``call()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return np.array([time.process_time() - cpu, time.perf_counter() - wall])


def side_by_side(ours, theirs, params, X, y, X_test, repeats, predict_calls):
    """Fit and predict seconds of both, per repeat, in alternating order: arrays of
    shape (repeats, 2 (ours, scikit-learn's), 2 (CPU, wall))."""
    fits, predicts = [], []
    for repeat in range(repeats):
        models = [ours(random_state=repeat, **params), theirs(random_state=repeat, **params)]
        order = [0, 1] if repeat % 2 == 0 else [1, 0]
        fit = np.zeros((2, 2))
        for j in order:
            fit[j] = seconds(lambda m=models[j]: m.fit(X, y))
        predict = np.zeros((2, 2))
        for call in range(predict_calls):
            for j in order if call % 2 == 0 else order[::-1]:
                predict[j] += seconds(lambda m=models[j]: m.predict(X_test))
        fits.append(fit)
        predicts.append(predict)
    return np.array(fits), np.array(predicts)


def row(name, what, times):
    cpu, wall = times[:, :, 0], times[:, :, 1]
    ratios = cpu[:, 0] / cpu[:, 1]
    return (f"| {name} | {what} | {np.median(cpu[:, 0]):.3f} | {np.median(cpu[:, 1]):.3f} | "
            f"**{np.median(ratios):.3f}** | {ratios.min():.3f}-{ratios.max():.3f} | "
            f"{np.median(wall[:, 0] / wall[:, 1]):.3f} |")


def main(repeats, predict_rows):
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = ("data", "step", "ours CPU s", "scikit-learn CPU s", "ratio",
              "pairs min-max", "wall ratio")
    lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    for name, ours, theirs, params, X, y, X_test in cases():
        predict_calls = max(10, -(-predict_rows // len(X_test)))
        fits, predicts = side_by_side(ours, theirs, params, X, y, X_test, repeats,
                                      predict_calls)
        lines += [row(name, "fit", fits),
                  row(name, f"predict x{predict_calls}", predicts)]
        print(lines[-2], lines[-1], sep="\n", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--predict-rows", type=int, default=100_000)
    args = parser.parse_args()
    main(args.repeats, args.predict_rows)
