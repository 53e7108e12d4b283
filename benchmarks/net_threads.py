"""Why ``NetClassifier(n_jobs=1)`` is the default: torch threads with and without a busy core.

Fits the same small net with 1 and with 2 torch threads, first on an idle machine, then
while another process keeps one core busy (as a parallel fit, a test worker or another
user does). Prints median fit seconds over ``--repeats`` runs and the 2-thread/1-thread
ratio.

    python benchmarks/net_threads.py --repeats 3
"""

import argparse
import multiprocessing as mp
import statistics
import time

from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from ensembles import NetClassifier


def _spin(stop):
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _fit_seconds(X, y, n_jobs, epochs):
    net = NetClassifier(hidden_layer_sizes=(32,), max_epochs=epochs, n_jobs=n_jobs,
                        random_state=0)
    start = time.perf_counter()
    net.fit(X, y)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    _fit_seconds(X, y, 1, 2)  # warm up torch

    rows = []
    for load in ("idle", "one core busy"):
        stop = mp.Event()
        spinner = None
        if load != "idle":
            spinner = mp.Process(target=_spin, args=(stop,), daemon=True)
            spinner.start()
            time.sleep(0.5)
        times = {1: [], 2: []}
        for _ in range(args.repeats):
            for n_jobs in (1, 2):
                times[n_jobs].append(_fit_seconds(X, y, n_jobs, args.epochs))
        if spinner is not None:
            stop.set()
            spinner.join()
        one, two = statistics.median(times[1]), statistics.median(times[2])
        rows.append((load, one, two, two / one))

    print(f"breast_cancer (569 x 30), MLP (32,), {args.epochs} epochs, "
          f"median of {args.repeats}")
    print("| machine | 1 thread (s) | 2 threads (s) | 2 / 1 |")
    print("|---|---|---|---|")
    for load, one, two, ratio in rows:
        print(f"| {load} | {one:.2f} | {two:.2f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
