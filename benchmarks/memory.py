"""What a fitted stack holds in memory, and what ``benchmark`` peaks at (issue 14, item 6).

Part ``stack``: our ``StackingClassifier`` against scikit-learn's on the same data, the
same members and the same 5 stratified folds: ``LogisticRegression``, ``LGBMClassifier``
and ``RandomForestClassifier(n_estimators=50)`` (one thread each, seeds fixed), the default
final ``LogisticRegression``, ``make_classification`` with 100,000 rows of 50 features
(random_state 0). Three fits:

- ``sklearn``: ``sklearn.ensemble.StackingClassifier``;
- ``ours``: ``ensembles.StackingClassifier`` at its defaults (``keep_fold_models=False``:
  the fold models are dropped once the members are refitted on all rows);
- ``ours-keep``: ``keep_fold_models=True`` (every fold model kept in ``cross_fit_``, as
  before issue 14).

Part ``benchmark``: ``ensembles.benchmark("default", X, y, random_state=0)`` (the default
roster at size medium, the four default ensembles, 5 folds, one fit at a time) on
``make_classification`` with 30,000 rows of 20 features (random_state 0).

Each measurement runs in a fresh Python process (``--child``), which imports everything
first (scikit-learn, LightGBM, XGBoost, torch and ensembles alike, whoever uses them), makes
the data, and then reports:

- ``pickle MiB``: ``len(pickle.dumps(fitted))``;
- ``RSS added``: resident memory after the fit and a ``gc.collect()`` less the same before
  it (what the fitted object, and what the allocator kept, hold in the process);
  ``trimmed``: the same after glibc's ``malloc_trim(0)`` (free memory handed back: what is
  really live);
- ``peak RSS``: the highest resident memory of the whole process while it ran, sampled
  every 5 ms from ``/proc/<pid>/status`` by this parent process (the benchmark resets the
  kernel's high-water mark for its own per-fit figures, so that mark cannot be used);
  ``peak added`` is that less the RSS before the fit.

Run (figures in docs/benchmarks.md, "Memory (issue 14, item 6)")::

    python benchmarks/memory.py

``--part stack`` or ``--part benchmark`` runs one part; ``--n-samples`` and
``--n-features`` change the stack's data (``--bench-samples``, ``--bench-features`` the
benchmark's).
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

STACKS = ("sklearn", "ours", "ours-keep")
# the package of this checkout, whatever is installed
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- in the child -------------------------------------------------------------------------
def _rss():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmRSS")


def _trim():
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)


def _settle():
    import gc

    gc.collect()
    _trim()


def _child_stack(which, n_samples, n_features):
    import gc
    import pickle

    import lightgbm  # noqa: F401 - imported by every child alike
    import numpy as np
    import torch  # noqa: F401
    import xgboost  # noqa: F401
    from lightgbm import LGBMClassifier
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.ensemble import StackingClassifier as SkStackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from ensembles import StackingClassifier

    X, y = make_classification(n_samples=n_samples, n_features=n_features, random_state=0)
    members = [
        ("lr", LogisticRegression(max_iter=1000)),
        ("lgbm", LGBMClassifier(n_jobs=1, random_state=0, verbose=-1)),
        ("rf", RandomForestClassifier(n_estimators=50, n_jobs=1, random_state=0)),
    ]
    cv = StratifiedKFold(5)
    if which == "sklearn":
        stack = SkStackingClassifier(members, cv=cv)
    else:
        stack = StackingClassifier(members, cv=cv)
        if which == "ours-keep":
            stack.set_params(keep_fold_models=True)
    _settle()
    before = _rss()
    start = time.perf_counter()
    stack.fit(X, y)
    seconds = time.perf_counter() - start
    gc.collect()
    after = _rss()
    _trim()
    trimmed = _rss()
    size = len(pickle.dumps(stack, protocol=pickle.HIGHEST_PROTOCOL))
    proba = stack.predict_proba(X[:1000])
    return {"before": before, "added": after - before, "trimmed": trimmed - before,
            "pickle": size, "fit_s": seconds,
            "proba_sum": float(np.round(proba[:, 1].sum(), 6))}


def _child_benchmark(n_samples, n_features):
    import lightgbm  # noqa: F401
    import torch  # noqa: F401
    import xgboost  # noqa: F401
    from sklearn.datasets import make_classification

    from ensembles import benchmark

    X, y = make_classification(n_samples=n_samples, n_features=n_features, random_state=0)
    _settle()
    before = _rss()
    print(json.dumps({"before": before}), flush=True)  # the parent's start of the fit
    start = time.perf_counter()
    result = benchmark("default", X, y, random_state=0, verbose=0)
    seconds = time.perf_counter() - start
    board = result.to_frame()
    return {"before": before, "fit_s": seconds, "leaderboard": result.summary(),
            "largest_fit_mib": float(board["peak_memory_mb"].max())}


# -- in the parent ------------------------------------------------------------------------
def _watch(pid, peak, stop):
    path = f"/proc/{pid}/status"
    while not stop.is_set():
        try:
            with open(path, encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak[0] = max(peak[0], int(line.split()[1]) * 1024)
                        break
        except OSError:
            return
        time.sleep(0.005)


def _run_child(args):
    """Run this script as a child with ``args``; return its last JSON line and the peak
    resident memory sampled meanwhile."""
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                               text=True)
    peak, stop = [0], threading.Event()
    watcher = threading.Thread(target=_watch, args=(process.pid, peak, stop), daemon=True)
    watcher.start()
    out, _ = process.communicate()
    stop.set()
    watcher.join()
    if process.returncode:
        raise RuntimeError(f"child {args} failed with code {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak"] = peak[0]
    return result


def _mib(n):
    return f"{n / 2**20:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "stack", "benchmark"), default="all")
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--bench-samples", type=int, default=30_000)
    parser.add_argument("--bench-features", type=int, default=20)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "benchmark":
        print(json.dumps(_child_benchmark(args.bench_samples, args.bench_features)))
        return
    if args.child:
        print(json.dumps(_child_stack(args.child, args.n_samples, args.n_features)))
        return

    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    sizes = ["--n-samples", str(args.n_samples), "--n-features", str(args.n_features)]
    if args.part in ("all", "stack"):
        rows = {which: _run_child(["--child", which, *sizes]) for which in STACKS}
        sk = rows["sklearn"]
        print(f"\nstack: LR + LightGBM + RF(50), {args.n_samples:,} x {args.n_features}, "
              "cv=5")
        print("| stack | pickle MiB | x sklearn | RSS added MiB | x sklearn | trimmed MiB | "
              "peak added MiB | fit s | sum of p(1) on 1,000 rows |")
        print("|---|---|---|---|---|---|---|---|---|")
        for which, r in rows.items():
            print(f"| {which} | {_mib(r['pickle'])} | {r['pickle'] / sk['pickle']:.2f} | "
                  f"{_mib(r['added'])} | {r['added'] / sk['added']:.2f} | "
                  f"{_mib(r['trimmed'])} | {_mib(r['peak'] - r['before'])} | "
                  f"{r['fit_s']:.1f} | {r['proba_sum']} |")
    if args.part in ("all", "benchmark"):
        r = _run_child(["--child", "benchmark", "--bench-samples", str(args.bench_samples),
                        "--bench-features", str(args.bench_features)])
        print(f"\nbenchmark('default', X, y, random_state=0): {args.bench_samples:,} x "
              f"{args.bench_features}")
        print("| RSS before MiB | peak RSS MiB | peak added MiB | largest one fit MiB | "
              "wall s |")
        print("|---|---|---|---|---|")
        print(f"| {_mib(r['before'])} | {_mib(r['peak'])} | {_mib(r['peak'] - r['before'])} "
              f"| {r['largest_fit_mib']:.1f} | {r['fit_s']:.0f} |")
        print("\n" + r["leaderboard"])
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
