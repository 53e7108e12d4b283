"""
Benchmark: base learners against voting, stacking and selection
===============================================================

:func:`ensembles.benchmark` scores a roster of different learners and four ensembles of
them (soft voting, voting with learned weights, stacking, ensemble selection) on the same
folds with the same scorers. Each base learner is fitted once per fold; every ensemble is
scored from those fits, so the ensembles cost almost nothing on top. The leaderboard says
which differences from the best are larger than the folds' noise.

Run: ``python examples/benchmark.py [--quick]`` (about 40 s on 2 cores; ``--quick``, the
budget of the docs build: 3 folds and a smaller roster, about 10 s).
"""

# %%
import argparse

from ensembles import benchmark, datasets, make_learners

# (sphinx-gallery runs a script without its docstring: no __doc__ here)
parser = argparse.ArgumentParser(
    description="Benchmark: base learners against voting, stacking and selection")
parser.add_argument("--quick", action="store_true", help="3 folds, a smaller roster")
parser.add_argument("--n-jobs", type=int, default=1, help="joblib workers (default 1)")
args, _ = parser.parse_known_args()  # known only: sphinx-gallery passes its own arguments

# %%
# The roster
# ----------
# :func:`ensembles.make_learners` gives a diverse, seeded roster: a net, XGBoost,
# LightGBM, a random forest, extra trees, a linear model and k-nearest neighbours.
X, y = datasets.load("breast_cancer", return_X_y=True)
models = make_learners("classification", size="small", device="cpu", random_state=0)
if args.quick:
    models = [(name, model) for name, model in models if name in ("net", "xgb", "linear", "knn")]
print("base learners:", ", ".join(name for name, _ in models))

# %%
# The leaderboard
# ---------------
# Ranked by the first scorer (accuracy); ``p_value`` compares each model with the best
# by a corrected resampled t-test over the folds.
result = benchmark(models, X, y, cv=3 if args.quick else 5, random_state=0,
                   n_jobs=args.n_jobs, verbose=0)
print(result)
print(f"\nbest: {result.best_}")

# %%
# Scores per fold, and what each model costs
# -------------------------------------------
# ``plot`` returns a matplotlib Figure (no pyplot state: fine headless); ``to_html``
# writes the table and both pictures into one file.
scores = result.plot("scores")
cost = result.plot("time")
