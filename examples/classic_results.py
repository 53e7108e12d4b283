"""
Classic results: AdaBoost on ESL's Figure 10.2
==============================================

The example of *The Elements of Statistical Learning* (Hastie, Tibshirani, Friedman,
section 10.1): ten Gaussian features, the class is whether their squared sum exceeds the
chi-squared median. A stump is barely better than a coin (ESL: 45.8% test error), a
244-node tree gets 24.7%, and AdaBoost of stumps drives the error to 5.8% after 400
rounds. :class:`ensembles.AdaBoostClassifier` with SAMME.R (removed from scikit-learn in
1.6) against scikit-learn's SAMME, on the same data; ``docs/classic.md`` has the full
tables, with gradient boosting and bagging, over several seeds.

Run: ``python examples/classic_results.py [--quick]`` (2,000 training and 10,000 test rows,
400 rounds: about 10 s on 2 cores; ``--quick``, the budget of the docs build: 2,000 test
rows and 100 rounds).
"""

# %%
import argparse

import numpy as np
from matplotlib.figure import Figure
from sklearn.ensemble import AdaBoostClassifier as SklearnAdaBoost
from sklearn.tree import DecisionTreeClassifier

from ensembles import AdaBoostClassifier, datasets

# (sphinx-gallery runs a script without its docstring: no __doc__ here)
parser = argparse.ArgumentParser(description="Classic results: AdaBoost on ESL's Figure 10.2")
parser.add_argument("--quick", action="store_true", help="2,000 test rows, 100 rounds")
args, _ = parser.parse_known_args()  # known only: sphinx-gallery passes its own arguments

n_test, rounds = (2_000, 100) if args.quick else (10_000, 400)
X, y = datasets.load("hastie_10_2", return_X_y=True, n_samples=2_000 + n_test, random_state=0)
X_train, y_train, X_test, y_test = X[:2_000], y[:2_000], X[2_000:], y[2_000:]

# %%
# A stump, a large tree, and boosted stumps
# -----------------------------------------
# The 243-node tree: a binary tree has an odd number of nodes, 122 leaves is the nearest
# to ESL's 244.
def error(model):
    return 100 * np.mean(model.predict(X_test) != y_test)


stump = DecisionTreeClassifier(max_depth=1).fit(X_train, y_train)
tree = DecisionTreeClassifier(max_leaf_nodes=122, random_state=0).fit(X_train, y_train)
ours = AdaBoostClassifier(n_estimators=rounds, algorithm="SAMME.R", random_state=0)
ours.fit(X_train, y_train)
samme = AdaBoostClassifier(n_estimators=rounds, random_state=0).fit(X_train, y_train)
theirs = SklearnAdaBoost(n_estimators=rounds, random_state=0).fit(X_train, y_train)

print(f"test error %, {len(X_train)} training and {len(X_test)} test rows, {rounds} rounds")
print(f"{'model':34} {'error %':>8} {'ESL':>6}")
for name, model, paper in [
    ("stump", stump, "45.8"),
    (f"tree, {tree.tree_.node_count} nodes", tree, "24.7"),
    ("ours, SAMME.R stumps", ours, "5.8*"),
    ("ours, SAMME stumps", samme, ""),
    ("scikit-learn, SAMME stumps", theirs, ""),
]:
    print(f"{name:34} {error(model):8.2f} {paper:>6}")
print("* after 400 rounds")
print("ours and scikit-learn's SAMME predict the same:",
      bool((samme.predict(X_test) == theirs.predict(X_test)).all()))

# %%
# Test error round by round
# -------------------------
# ``staged_predict`` gives the ensemble's predictions after each round.
figure = Figure(figsize=(6, 4))
axes = figure.subplots()
for name, model in [("SAMME.R (ours)", ours), ("SAMME (ours)", samme)]:
    staged = [100 * np.mean(p != y_test) for p in model.staged_predict(X_test)]
    axes.plot(np.arange(1, len(staged) + 1), staged, label=name)
axes.axhline(error(stump), color="grey", linestyle=":", label="stump")
axes.axhline(error(tree), color="grey", linestyle="--", label="243-node tree")
axes.set_xlabel("boosting rounds")
axes.set_ylabel("test error %")
axes.legend()
