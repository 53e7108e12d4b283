"""Layer 1: every public estimator through scikit-learn's own estimator checks.

Twice: from the table of small, fast constructor arguments (``instances.SMALL``), and at
default parameters (only the required members given). Both tables are checked to cover
every estimator in ``ensembles.__all__``.
"""

import pytest
from instances import SMALL, default_instance, public_estimators
from sklearn.utils.estimator_checks import parametrize_with_checks

# -- the checks we expect to fail, and why their assumptions do not hold ----------------

# The nets train in float32; weighted and repeated rows give the same model up to
# float32 rounding (the same terms summed in another order: weights ~1e-6 relative
# apart, predictions up to ~1e-5 in SMALL). tests/test_net.py asserts the equivalence
# at float32 tolerance. At defaults NetRegressor's predictions happened to agree to 4e-8
# relative on one machine, inside the check's 1e-7 by a margin that other rounding
# undoes: an expected failure still (non-strict, it shows as XPASS there).
_FLOAT32 = ("float32 training: weighted and repeated rows sum in another order, so the "
            "models differ by float32 rounding (predictions up to ~1e-5 relative); the "
            "check demands rtol=1e-7; test_net.py asserts float32 tolerance.")
# The check fits 15 rows of 30 random features; a tree breaks exactly tied splits by
# floating-point rounding, which differs between weighted and repeated rows, and boosting
# carries the other (equally good) split into every later stage. scikit-learn lists this
# check as an expected failure of its own AdaBoost and GradientBoosting. The equivalence
# is tested on data without ties (test_boosting.py::test_weights_are_counts,
# test_gradient_boosting.py::test_zero_weight_is_dropping_the_row), and the
# gradient-boosting entries with a Ridge member pass this check.
_TIED_SPLITS = ("Tied tree splits (15 rows, 30 features) break differently for weighted "
                "and repeated rows, and boosting carries it on; as scikit-learn's own.")
# (1) The draw is made from the number of rows: 15 weighted rows and the same rows
# repeated give other draws, whatever the seed. (2) A weight is folded into the member's
# bootstrap count, so all copies of a row are in or out of a draw together, where
# repeated copies are drawn one by one (same expected weight, other spread). (3)
# max_samples, as a fraction, counts rows, not total weight. Where the draw takes every
# row once (bootstrap=False, max_samples=1.0) weighting is repeating: the random-subspace
# entries of the table pass this check, test_bagging.py::test_zero_weight_is_dropping_the_row.
_RANDOM_DRAWS = ("Members are fitted on random draws of rows, made from the number of "
                 "rows, so repeated rows give other draws; as scikit-learn's own Bagging.")
# AdaBoost.R2 (Drucker; scikit-learn's default too) fits each round on n rows drawn by
# weight: repeated rows change n, so the draws and every later round differ.
# resample="auto" passes the weights instead and passes this check (SMALL).
_RESAMPLED = ("Each round fits a weighted resample of n rows, made from the number of "
              "rows; as scikit-learn's own AdaBoostRegressor.")
_WEIGHT_CHECKS = ("check_sample_weight_equivalence_on_dense_data",
                  "check_sample_weight_equivalence_on_sparse_data")


def _expected_failures(estimator):
    name = type(estimator).__name__
    if name in ("NetClassifier", "NetRegressor"):
        return {"check_sample_weight_equivalence_on_dense_data": _FLOAT32}
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


# At defaults, what fails beyond the small table's failures. Default SAMME's 50 stumps
# meet the tied splits that its 5 stumps in SMALL do not (exact ties in rounds 1 and 4).
_AT_DEFAULTS = {
    "NetClassifier": {"check_sample_weight_equivalence_on_dense_data": _FLOAT32},
    "NetRegressor": {"check_sample_weight_equivalence_on_dense_data": _FLOAT32},
    "AdaBoostClassifier": dict.fromkeys(_WEIGHT_CHECKS, _TIED_SPLITS),
    "AdaBoostRegressor": dict.fromkeys(_WEIGHT_CHECKS, _RESAMPLED),
    "BaggingClassifier": dict.fromkeys(_WEIGHT_CHECKS, _RANDOM_DRAWS),
    "BaggingRegressor": dict.fromkeys(_WEIGHT_CHECKS, _RANDOM_DRAWS),
    "GradientBoostingClassifier": dict.fromkeys(_WEIGHT_CHECKS, _TIED_SPLITS),
    "GradientBoostingRegressor": dict.fromkeys(_WEIGHT_CHECKS, _TIED_SPLITS),
}


def _expected_failures_at_defaults(estimator):
    return _AT_DEFAULTS.get(type(estimator).__name__, {})


def _seeded(estimator):
    # Every random_state (nested members' too) is fixed, so that a check gives the same
    # verdict on every run: a few checks do not seed the estimator themselves, and an
    # unseeded draw can fail one run in hundreds (CI once met a bootstrap that drew only
    # zero-weight rows). What random draws can do is tested where it is asserted
    # (test_bagging.py, test_boosting.py, test_selection.py, test_meta_common.py).
    return estimator.set_params(**{name: 0 for name in estimator.get_params()
                                   if name == "random_state"
                                   or name.endswith("__random_state")})


@parametrize_with_checks(SMALL, expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(_seeded(estimator))


# At defaults these three take twice as long as the other eleven together (100 epochs of
# a 100-unit net; 100 stages of three trees, which the sparse-input checks fit seven
# times over): ~45 s more on 2 cores with -n 2, where the other eleven add ~25 s.
_SLOW_AT_DEFAULTS = {"NetClassifier", "NetRegressor", "GradientBoostingClassifier"}
_DEFAULTS = [default_instance(cls) for cls in public_estimators()]


@parametrize_with_checks([e for e in _DEFAULTS if type(e).__name__ not in _SLOW_AT_DEFAULTS],
                         expected_failed_checks=_expected_failures_at_defaults)
def test_sklearn_compatible_at_defaults(estimator, check):
    check(_seeded(estimator))


@pytest.mark.slow
@parametrize_with_checks([e for e in _DEFAULTS if type(e).__name__ in _SLOW_AT_DEFAULTS],
                         expected_failed_checks=_expected_failures_at_defaults)
def test_sklearn_compatible_at_defaults_slow(estimator, check):
    check(_seeded(estimator))


def test_the_tables_cover_every_public_estimator():
    public = {cls.__name__ for cls in public_estimators()}
    assert {type(e).__name__ for e in SMALL} == public
    assert {type(e).__name__ for e in _DEFAULTS} == public
    # Spelled right: a class renamed must not silently lose its expected failures.
    assert _SLOW_AT_DEFAULTS <= public and set(_AT_DEFAULTS) <= public
