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
    BaggingClassifier,
    BaggingRegressor,
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
    BaggingClassifier(n_estimators=5),
    BaggingRegressor(n_estimators=5),
    # Seeded: a few checks do not seed it, and check_dtype_object wants an error from a bad
    # value in column 0, which members only raise if one of them drew that column.
    BaggingClassifier(DecisionTreeClassifier(max_depth=5), n_estimators=10, max_features=0.5,
                      bootstrap_features=True, random_state=0),
    BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=30, max_features=0.5,
                     oob_score=True),
    BaggingClassifier(n_estimators=30, bootstrap=False, max_samples=0.7, oob_score=True),
    # Random subspaces with every row once: weighting is repeating here, and these two pass
    # the weight-equivalence checks that the entries above are expected to fail. Seeded
    # for check_dtype_object, as above.
    BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=5, bootstrap=False,
                      max_features=0.5, random_state=0),
    BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=5, bootstrap=False,
                     max_features=0.5, random_state=0),
]

# The checks we expect to fail, and why their assumptions do not hold:
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
_RANDOM_DRAWS = (
    "Each bagged member is fitted on a random draw of rows, and such a draw cannot treat "
    "a weight as repetition. (1) It is made from the number of rows: 15 weighted rows "
    "and the same rows repeated (one row per unit of weight) give other draws, hence "
    "other members, whatever the seed. (2) A weight is folded into the member's "
    "bootstrap count (a row drawn c times with weight w is fitted with weight c * w), so "
    "all w copies of a row are in or out of a draw together, where repeated copies are "
    "drawn one by one: each row's expected weight is w both ways, but its spread is not "
    "(variance about w**2 against w). (3) max_samples, as a fraction, counts rows, not "
    "total weight. scikit-learn lists the same expected failure for its own "
    "BaggingClassifier/Regressor. Where the draw takes every row once (bootstrap=False, "
    "max_samples=1.0) weighting is repeating: the two random-subspace entries of the "
    "table pass this check, and test_bagging.py::test_zero_weight_is_dropping_the_row "
    "asserts it."
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
    random_rows = name.startswith("Bagging") and (
        estimator.bootstrap or estimator.max_samples != 1.0)
    if random_rows:
        return dict.fromkeys(_WEIGHT_CHECKS, _RANDOM_DRAWS)
    return {}


@parametrize_with_checks(SMALL, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    # Every random_state (nested members' too) is fixed, so that a check gives the same
    # verdict on every run: a few checks do not seed the estimator themselves, and an
    # unseeded draw can fail one run in hundreds (CI once met a bootstrap that drew only
    # zero-weight rows). What random draws can do is tested where it is asserted
    # (test_bagging.py, test_boosting.py, test_selection.py).
    estimator.set_params(**{name: 0 for name in estimator.get_params()
                            if name == "random_state" or name.endswith("__random_state")})
    check(estimator)
