"""The estimator tables the common tests run on, in one place.

``public_estimators()`` lists every estimator class that ``ensembles`` exports;
``default_instance`` builds one at its defaults (only the required members given), and
``SMALL`` holds small, fast constructor arguments for scikit-learn's estimator checks
(tests/test_common.py). ``META`` holds one small, fast instance of each meta-learner
for the tests of what they all share (tests/test_meta_common.py). Each table is checked
to cover every public class, so that a new estimator cannot be left out.
"""

import inspect

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import ensembles
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


def public_estimators():
    """Every estimator class in ``ensembles.__all__``, sorted by name."""
    found = (getattr(ensembles, name) for name in ensembles.__all__)
    return sorted((obj for obj in found
                   if isinstance(obj, type) and issubclass(obj, BaseEstimator)),
                  key=lambda cls: cls.__name__)


def is_meta(cls):
    """Whether ``cls`` combines sub-estimators (``estimator`` or ``estimators``)."""
    params = inspect.signature(cls.__init__).parameters
    return "estimator" in params or "estimators" in params


# -- defaults ---------------------------------------------------------------------------
def _default_members(cls):
    if issubclass(cls, ClassifierMixin):
        return [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier())]
    return [("ridge", Ridge()), ("tree", DecisionTreeRegressor())]


_REQUIRED = {"estimators": _default_members}


def default_instance(cls):
    """``cls`` built with its required arguments only, everything else at its default.

    A required argument this table does not know fails here, so a new one is added to
    ``_REQUIRED`` on purpose rather than skipped.
    """
    params = inspect.signature(cls.__init__).parameters.values()
    required = [p.name for p in params if p.name != "self" and p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    unknown = set(required) - set(_REQUIRED)
    if unknown:
        raise ValueError(f"{cls.__name__} requires {sorted(unknown)}: add them to _REQUIRED.")
    return cls(**{name: _REQUIRED[name](cls) for name in required})


# -- small, fast constructor arguments for scikit-learn's estimator checks -------------
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
    # TabM (issue 13, item 5): four members of the same small net, trained as one.
    NetClassifier(module="tabm", module_params={"k": 4}, hidden_layer_sizes=(16,),
                  max_epochs=60, lr=0.02),
    NetRegressor(module="tabm", module_params={"k": 4}, hidden_layer_sizes=(16,),
                 max_epochs=60, lr=0.02),
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
    # Random subspaces with every row once (Ho 1998). With sample_weight, bootstrap=False
    # warns as scikit-learn's does, so their sample-weight checks are expected failures
    # (test_common.py). Seeded for check_dtype_object, as above.
    BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=5, bootstrap=False,
                      max_features=0.5, random_state=0),
    BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=5, bootstrap=False,
                     max_features=0.5, random_state=0),
]


# -- one small, fast instance of each meta-learner -------------------------------------
# Seeded, so that two fits on the same data are the same model; the members' own
# random_state is left unset (the ensemble seeds them: that is what it promises).
META = [
    VotingClassifier([("lr", LogisticRegression()),
                      ("tree", DecisionTreeClassifier(max_depth=3))], random_state=0),
    VotingRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
                    random_state=0),
    StackingClassifier([("lr", LogisticRegression()),
                        ("tree", DecisionTreeClassifier(max_depth=3))],
                       final_estimator=LogisticRegression(), cv=3, random_state=0),
    StackingRegressor([("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
                      final_estimator=Ridge(), cv=3, random_state=0),
    EnsembleSelectionClassifier([("lr", LogisticRegression()),
                                 ("tree", DecisionTreeClassifier(max_depth=3))],
                                n_iter=5, cv=3, random_state=0),
    EnsembleSelectionRegressor([("ridge", Ridge()),
                                ("tree", DecisionTreeRegressor(max_depth=3))],
                               n_iter=5, cv=3, random_state=0),
    BaggingClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=5, random_state=0),
    BaggingRegressor(DecisionTreeRegressor(max_depth=3), n_estimators=5, random_state=0),
    AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=5, random_state=0),
    AdaBoostRegressor(DecisionTreeRegressor(max_depth=2), n_estimators=5, random_state=0),
    GradientBoostingClassifier(DecisionTreeRegressor(max_depth=2), n_estimators=5,
                               random_state=0),
    GradientBoostingRegressor(DecisionTreeRegressor(max_depth=2), n_estimators=5,
                              random_state=0),
]
