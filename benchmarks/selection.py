"""Ensemble selection (Caruana et al. 2004) against its two baselines on bundled data sets.

For each data set and each of ``--repeats`` outer stratified train/test splits (75/25):
on the training part, ``EnsembleSelectionClassifier`` cross-fits a library of 14 varied
members once (5 folds, members then refitted on the whole training part) and selects its
ensemble on their out-of-fold predictions by log-loss (``n_iter=50``, ``n_init=1``).
From that one fit, three models are scored on the held-out test part:

- best single member: the member with the best out-of-fold log-loss (its refitted model);
- simple average: all members' probabilities averaged with equal weights;
- ensemble selection: the selected weighted average.

With ``--bagged``, a second fit on the same folds and member seeds adds bagged selection
(20 bags of half the library, the paper's section 4.3).

The score is the selection metric, log-loss (lower is better), averaged over the splits;
accuracy is shown too. "wins" counts the splits where selection's test log-loss is <= both
baselines'. Data (``ensembles.datasets``): scikit-learn's bundled breast_cancer, digits,
iris and wine, diabetes made binary (target above its median), and Breiman's waveform
generator (1,800 rows, seed 0).

Regression part: scikit-learn's bundled diabetes as the regression problem it is (442 x 10,
disease progression). The same protocol with ``EnsembleSelectionRegressor``: outer 75/25
train/test splits (not stratified; seeds 0, 1, ...), 5 shuffled folds (``KFold``, same
seed) for the cross-fit of a library of 15 varied regressors, selection by mean squared
error (``n_iter=50``, ``n_init=1``; ``--bagged``: 20 bags of half the library). Best single
member by out-of-fold MSE, simple average of all members. The score is test MSE (lower is
better), R2 in brackets; "wins" as above with MSE.

Run::

    python benchmarks/selection.py --n-jobs 2 --repeats 3 --bagged

``--part classification`` or ``--part regression`` runs one part only (default: both).
``--no-net`` leaves out the NetClassifier / NetRegressor member (and torch's start-up
time).
"""

import argparse
import time

import numpy as np
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier, XGBRegressor

from ensembles import (
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    NetClassifier,
    NetRegressor,
    datasets,
)

DATA = ["breast_cancer", "digits", "iris", "wine", "diabetes (binary)", "waveform"]
REGRESSION_DATA = ["diabetes"]


def load(name):
    if name == "diabetes (binary)":
        X, y = datasets.load("diabetes", return_X_y=True)
        return X, (y > np.median(y)).astype(int)
    return datasets.load(name, return_X_y=True)


def library(with_net):
    """Trees of several depths, k-NN with several k, logistic regression with several C,
    naive Bayes, two small forests, tiny XGBoost and LightGBM, a small net."""

    def scaled(est):
        return make_pipeline(StandardScaler(), est)

    members = [
        ("tree_d2", DecisionTreeClassifier(max_depth=2)),
        ("tree_d6", DecisionTreeClassifier(max_depth=6)),
        ("tree_leaf10", DecisionTreeClassifier(min_samples_leaf=10)),
        ("knn5", scaled(KNeighborsClassifier(5))),
        ("knn25", scaled(KNeighborsClassifier(25, weights="distance"))),
        ("lr_c0.01", scaled(LogisticRegression(C=0.01, max_iter=2000))),
        ("lr_c1", scaled(LogisticRegression(C=1.0, max_iter=2000))),
        ("lr_c100", scaled(LogisticRegression(C=100.0, max_iter=5000))),
        ("nb", GaussianNB()),
        ("rf", RandomForestClassifier(n_estimators=50, n_jobs=1)),
        ("et", ExtraTreesClassifier(n_estimators=50, n_jobs=1)),
        ("xgb", XGBClassifier(n_estimators=50, max_depth=3, learning_rate=0.2, n_jobs=1)),
        ("lgbm", LGBMClassifier(n_estimators=50, num_leaves=15, min_child_samples=5,
                                n_jobs=1, verbose=-1)),
    ]
    if with_net:
        members.append(("net", scaled(NetClassifier(hidden_layer_sizes=(32,), max_epochs=40,
                                                    lr=0.01, device="cpu"))))
    return members


def regression_library(with_net):
    """The regression counterpart of :func:`library`: trees of several depths, k-NN with
    several k, ridge with several alphas, lasso, two small forests, tiny XGBoost and
    LightGBM, an RBF support-vector regressor, a small net."""

    def scaled(est):
        return make_pipeline(StandardScaler(), est)

    members = [
        ("tree_d2", DecisionTreeRegressor(max_depth=2)),
        ("tree_d6", DecisionTreeRegressor(max_depth=6)),
        ("tree_leaf10", DecisionTreeRegressor(min_samples_leaf=10)),
        ("knn5", scaled(KNeighborsRegressor(5))),
        ("knn25", scaled(KNeighborsRegressor(25, weights="distance"))),
        ("ridge_a0.1", scaled(Ridge(alpha=0.1))),
        ("ridge_a10", scaled(Ridge(alpha=10.0))),
        ("ridge_a1000", scaled(Ridge(alpha=1000.0))),
        ("lasso_a1", scaled(Lasso(alpha=1.0, max_iter=10000))),
        ("svr", scaled(SVR(C=100.0))),
        ("rf", RandomForestRegressor(n_estimators=50, n_jobs=1)),
        ("et", ExtraTreesRegressor(n_estimators=50, n_jobs=1)),
        ("xgb", XGBRegressor(n_estimators=50, max_depth=3, learning_rate=0.2, n_jobs=1)),
        ("lgbm", LGBMRegressor(n_estimators=50, num_leaves=15, min_child_samples=5,
                               n_jobs=1, verbose=-1)),
    ]
    if with_net:
        members.append(("net", scaled(NetRegressor(hidden_layer_sizes=(32,), max_epochs=40,
                                                   lr=0.01, device="cpu"))))
    return members


def run(X, y, seed, args):
    """Test log-loss and accuracy of each model on one outer split, and the fit seconds."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed)
    common = dict(n_iter=50, cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                  n_jobs=args.n_jobs, random_state=seed)
    start = time.perf_counter()
    sel = EnsembleSelectionClassifier(library(not args.no_net), **common).fit(X_train, y_train)
    seconds = time.perf_counter() - start

    probas = [est.predict_proba(X_test) for est in sel.estimators_]
    best = int(np.argmax(sel.member_scores_))
    models = {"best": probas[best], "average": np.mean(probas, axis=0),
              "selection": sel.predict_proba(X_test)}
    if args.bagged:
        bagged = EnsembleSelectionClassifier(library(not args.no_net), n_bags=20,
                                             bag_fraction=0.5, **common)
        models["bagged"] = bagged.fit(X_train, y_train).predict_proba(X_test)
    row = {"seconds": seconds, "best_name": sel.cross_fit_.names[best],
           "n_selected": int(np.sum(sel.weights_ > 0)), "n_members": len(sel.weights_)}
    for key, proba in models.items():
        row[f"{key}_loss"] = log_loss(y_test, proba, labels=sel.classes_)
        row[f"{key}_acc"] = accuracy_score(y_test, sel.classes_[proba.argmax(axis=1)])
    return row


def run_regression(X, y, seed, args):
    """Test MSE and R2 of each model on one outer split, and the fit seconds."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed)
    common = dict(n_iter=50, cv=KFold(5, shuffle=True, random_state=seed),
                  n_jobs=args.n_jobs, random_state=seed)
    start = time.perf_counter()
    sel = EnsembleSelectionRegressor(regression_library(not args.no_net),
                                     **common).fit(X_train, y_train)
    seconds = time.perf_counter() - start

    preds = [est.predict(X_test) for est in sel.estimators_]
    best = int(np.argmax(sel.member_scores_))  # neg MSE: greater is better
    models = {"best": preds[best], "average": np.mean(preds, axis=0),
              "selection": sel.predict(X_test)}
    if args.bagged:
        bagged = EnsembleSelectionRegressor(regression_library(not args.no_net), n_bags=20,
                                            bag_fraction=0.5, **common)
        models["bagged"] = bagged.fit(X_train, y_train).predict(X_test)
    row = {"seconds": seconds, "best_name": sel.cross_fit_.names[best],
           "n_selected": int(np.sum(sel.weights_ > 0)), "n_members": len(sel.weights_),
           "weights": dict(zip(sel.cross_fit_.names, sel.weights_.round(3).tolist()))}
    for key, pred in models.items():
        row[f"{key}_loss"] = mean_squared_error(y_test, pred)
        row[f"{key}_r2"] = r2_score(y_test, pred)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="outer splits per data set")
    parser.add_argument("--bagged", action="store_true", help="add bagged selection")
    parser.add_argument("--no-net", action="store_true")
    parser.add_argument("--part", choices=["all", "classification", "regression"],
                        default="all", help="run one part only")
    args = parser.parse_args()
    total_start = time.perf_counter()
    if args.part in ("all", "classification"):
        classification(args)
    if args.part in ("all", "regression"):
        regression(args)
    print(f"total {time.perf_counter() - total_start:.0f} s")


def classification(args):
    keys = ["best", "average", "selection"] + (["bagged"] if args.bagged else [])
    header = ["best single member (by OOF)", "simple average", "ensemble selection"]
    header += ["bagged selection"] if args.bagged else []
    lines = []
    wins = dict.fromkeys(keys[2:], 0)
    total_start = time.perf_counter()
    for name in DATA:
        X, y = load(name)
        rows = [run(X, y, seed, args) for seed in range(args.repeats)]
        mean = {k: np.mean([r[k] for r in rows])
                for k in rows[0] if k.endswith(("_loss", "_acc", "seconds"))}
        cells = [f"{mean[f'{k}_loss']:.4f} ({mean[f'{k}_acc']:.3f})" for k in keys]
        split_wins = []
        for k in keys[2:]:
            n = sum(r[f"{k}_loss"] <= min(r["best_loss"], r["average_loss"]) for r in rows)
            split_wins.append(f"{n}/{len(rows)}")
            wins[k] += mean[f"{k}_loss"] <= min(mean["best_loss"], mean["average_loss"])
        best_names = ", ".join(sorted({r["best_name"] for r in rows}))
        selected = "/".join(str(r["n_selected"]) for r in rows)
        lines.append(f"| {name} | {X.shape[0]} x {X.shape[1]} | {cells[0]} {best_names} | "
                     + " | ".join(cells[1:]) + f" | {' '.join(split_wins)} | "
                     f"{selected} of {rows[0]['n_members']} | {mean['seconds']:.1f} |")
        print(f"done: {name}", flush=True)

    _print_table(f"Test log-loss (lower is better) and accuracy in brackets, mean of "
                 f"{args.repeats} outer splits; wins: splits where selection's test log-loss "
                 "<= both baselines'; seconds: one fit of the selection (all members' "
                 "cross-fit and refit), mean.", header, lines, wins, "log-loss", len(DATA))
    print(f"classification part {time.perf_counter() - total_start:.0f} s")


def _print_table(caption, header, lines, wins, metric, n_sets):
    print()
    print(caption)
    print()
    print("| data set | rows x features | " + " | ".join(header)
          + " | wins | members selected | seconds |")
    print("|---" * (len(header) + 5) + "|")
    print("\n".join(lines))
    print()
    for k, n in wins.items():
        print(f"{k}: mean test {metric} <= best single member's and <= simple average's on "
              f"{n} of {n_sets} data sets")


def regression(args):
    keys = ["best", "average", "selection"] + (["bagged"] if args.bagged else [])
    header = ["best single member (by OOF)", "simple average", "ensemble selection"]
    header += ["bagged selection"] if args.bagged else []
    lines = []
    wins = dict.fromkeys(keys[2:], 0)
    start = time.perf_counter()
    for name in REGRESSION_DATA:
        X, y = datasets.load(name, return_X_y=True)
        rows = [run_regression(X, y, seed, args) for seed in range(args.repeats)]
        for seed, r in enumerate(rows):
            print(f"{name} split {seed}: " + ", ".join(
                f"{k} {r[f'{k}_loss']:.1f} ({r[f'{k}_r2']:.3f})" for k in keys)
                + f"; best member {r['best_name']}; selection weights "
                + str({n: w for n, w in r["weights"].items() if w > 0}), flush=True)
        mean = {k: np.mean([r[k] for r in rows])
                for k in rows[0] if k.endswith(("_loss", "_r2", "seconds"))}
        cells = [f"{mean[f'{k}_loss']:.1f} ({mean[f'{k}_r2']:.3f})" for k in keys]
        split_wins = []
        for k in keys[2:]:
            n = sum(r[f"{k}_loss"] <= min(r["best_loss"], r["average_loss"]) for r in rows)
            split_wins.append(f"{n}/{len(rows)}")
            wins[k] += mean[f"{k}_loss"] <= min(mean["best_loss"], mean["average_loss"])
        best_names = ", ".join(sorted({r["best_name"] for r in rows}))
        selected = "/".join(str(r["n_selected"]) for r in rows)
        lines.append(f"| {name} (regression) | {X.shape[0]} x {X.shape[1]} | {cells[0]} "
                     f"{best_names} | " + " | ".join(cells[1:]) + f" | {' '.join(split_wins)} | "
                     f"{selected} of {rows[0]['n_members']} | {mean['seconds']:.1f} |")
        print(f"done: {name}", flush=True)

    _print_table(f"Test MSE (lower is better) and R2 in brackets, mean of {args.repeats} "
                 "outer splits; wins: splits where selection's test MSE <= both baselines'; "
                 "seconds: one fit of the selection (all members' cross-fit and refit), mean.",
                 header, lines, wins, "MSE", len(REGRESSION_DATA))
    print(f"regression part {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
