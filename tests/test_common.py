"""Layer 1: every public estimator through scikit-learn's own estimator checks.

One table of small, fast constructor arguments feeds the checks.
"""

from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from ensembles import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    NetClassifier,
    NetRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
    VotingRegressor,
)


def _clf_members():
    # newton-cholesky: lbfgs spends most of the checks' time on their unscaled toy data.
    return [("lr", LogisticRegression(solver="newton-cholesky")),
            ("tree", DecisionTreeClassifier(max_depth=3))]


def _reg_members():
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]


# Ensemble selection's members each take sample_weight and honour it as repetition, so
# the checks' weight-equivalence tests are exact.
_TREES = [
    ("stump", DecisionTreeClassifier(max_depth=1)),
    ("tree", DecisionTreeClassifier(max_depth=3)),
    ("extra", ExtraTreesClassifier(n_estimators=5, max_depth=4)),
]

# Small enough to keep the whole suite fast; ``lr`` is raised so that 60 full-batch
# epochs learn the checks' toy problems to scikit-learn's accuracy thresholds.
SMALL = [
    NetClassifier(hidden_layer_sizes=(16,), max_epochs=60, lr=0.02),
    NetRegressor(hidden_layer_sizes=(16,), max_epochs=60, lr=0.02),
    StackingClassifier(
        [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))], cv=3
    ),
    StackingClassifier(
        [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))],
        cv=3, refit=False, passthrough=True,
    ),
    StackingRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))], cv=3
    ),
    VotingClassifier(_clf_members()),
    VotingClassifier(_clf_members(), voting="hard", weights=[2, 1]),
    VotingClassifier(_clf_members(), weights="auto", cv=3),
    VotingClassifier(_clf_members(), voting="hard", weights="auto", cv=3),
    VotingRegressor(_reg_members(), weights=[1, 2]),
    VotingRegressor(_reg_members(), weights="auto", cv=3),
    EnsembleSelectionClassifier(_TREES, n_iter=5, cv=3),
    EnsembleSelectionRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3)),
         ("extra", ExtraTreesRegressor(n_estimators=5, max_depth=4))],
        n_iter=5, cv=3,
    ),
    EnsembleSelectionClassifier(_TREES, n_iter=5, cv=3, n_bags=3, bag_fraction=0.6,
                                refit=False),
    AdaBoostClassifier(n_estimators=5),
    AdaBoostClassifier(n_estimators=5, algorithm="SAMME.R"),
    AdaBoostRegressor(n_estimators=5),
    AdaBoostRegressor(n_estimators=5, resample="auto"),
    # The default tree, and a linear member to take the generic line search (one
    # multiplier per member); learning_rate=1 lets five linear stages fit the toy problems.
    GradientBoostingRegressor(n_estimators=10),
    GradientBoostingClassifier(n_estimators=10),
    GradientBoostingRegressor(Ridge(), loss="huber", n_estimators=5, learning_rate=1.0),
    GradientBoostingClassifier(Ridge(), n_estimators=5, learning_rate=1.0),
]

# The one check we expect to fail, and why its assumption does not hold for a net:
_FLOAT32 = (
    "The nets compute in float32 (as the issue asks). Weighted and repeated rows give "
    "the same model up to float32 rounding (max relative difference ~1e-6, because the "
    "same terms are summed in another order), but the check demands rtol=1e-7, a "
    "float64 tolerance. tests/test_net.py asserts the equivalence at float32 tolerance."
)
_BATCH_SHAPE = (
    "float32 matrix products are not bit-identical across batch shapes (one row uses a "
    "matrix-vector kernel, twenty rows a matrix-matrix one): predictions on a subset "
    "differ by ~2e-7 relative, above the check's rtol=1e-7. Not a bug of ours: any "
    "float32 torch model does this. Row order and content do not change predictions "
    "beyond float32 rounding (tests/test_net.py)."
)
_TIED_SPLITS = (
    "The check fits 15 rows of 30 random features, where many splits tie exactly; a tree "
    "breaks such ties by floating-point rounding, which differs between weighted and "
    "repeated rows, so another (equally good) split is picked and boosting carries it "
    "into every later stage. scikit-learn lists this check as an expected failure of its "
    "own AdaBoost and GradientBoosting for the same reason. The equivalence itself is "
    "tested on data without ties (test_boosting.py::test_weights_are_counts, "
    "test_gradient_boosting.py::test_zero_weight_is_dropping_the_row), and the "
    "gradient-boosting entries with a Ridge member pass this check."
)
_WEIGHT_CHECKS = ("check_sample_weight_equivalence_on_dense_data",
                  "check_sample_weight_equivalence_on_sparse_data")


def _expected_failures(estimator):
    name = type(estimator).__name__
    if name == "NetClassifier":
        return {"check_sample_weight_equivalence_on_dense_data": _FLOAT32}
    if name == "NetRegressor":
        return {"check_sample_weight_equivalence_on_dense_data": _FLOAT32,
                "check_methods_subset_invariance": _BATCH_SHAPE}
    tied_trees = (
        (name == "AdaBoostClassifier" and estimator.algorithm == "SAMME.R")
        or (name.startswith("GradientBoosting") and estimator.estimator is None)
    )
    if tied_trees:
        return dict.fromkeys(_WEIGHT_CHECKS, _TIED_SPLITS)
    return {}


@parametrize_with_checks(SMALL, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)
