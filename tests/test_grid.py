"""A grid search over a stack inside a Pipeline, spelled as the user guide spells it.

``<step>__<member name>__<parameter>`` reaches a member and
``<step>__final_estimator__<parameter>`` the final estimator, as in scikit-learn
(docs/user_guide.md, "Tuning members and the final estimator", runs the same search).
"""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from xgboost import XGBClassifier

from ensembles import StackingClassifier

GRID = {"stack__xgb__max_depth": [1, 3], "stack__final_estimator__C": [0.01, 1.0]}


def _pipeline():
    # exact: on 150 rows XGBoost's default "hist" spends ten times longer building its
    # histograms than the exact method spends training.
    xgb = XGBClassifier(n_estimators=5, tree_method="exact", n_jobs=1, random_state=0)
    stack = StackingClassifier(
        [("xgb", xgb), ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))],
        final_estimator=LogisticRegression(), cv=3, random_state=0,
        keep_fold_models=True,  # the fold models are checked below
    )
    return Pipeline([("scale", StandardScaler()), ("stack", stack)])


def test_grid_over_an_xgboost_member_and_the_final_estimator():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(_pipeline(), GRID, cv=3, scoring="neg_log_loss",
                          error_score="raise").fit(X, y)

    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_.keys() == GRID.keys()
    # Each candidate was fitted as set, not four times the same stack: both parameters
    # move the log-loss (C=0.01 squeezes the final estimator's probabilities: ~0.88
    # against ~0.19 with C=1.0; depth 3 against 1: ~0.01 lower).
    assert len(set(search.cv_results_["mean_test_score"])) == 4
    assert search.best_params_ == {"stack__xgb__max_depth": 3, "stack__final_estimator__C": 1.0}

    # The chosen values reached the fitted models: the member refitted on all rows, each
    # of its fold models, and the final estimator.
    stack = search.best_estimator_.named_steps["stack"]
    depth = search.best_params_["stack__xgb__max_depth"]
    assert stack.named_estimators_["xgb"].get_params()["max_depth"] == depth
    folds = stack.cross_fit_.fold_estimators["xgb"]
    assert len(folds) == 3
    assert all(model.get_params()["max_depth"] == depth for model in folds)
    assert stack.final_estimator_.C == search.best_params_["stack__final_estimator__C"]
    assert np.mean(search.predict(X) == y) > 0.9


def test_unset_or_misnamed_nested_parameters_get_a_clear_error():
    stack = StackingClassifier([("lr", LogisticRegression())])
    with pytest.raises(ValueError, match=r"'final_estimator__C' for StackingClassifier: "
                       r"final_estimator is None \(the default is built at fit\)"):
        stack.set_params(final_estimator__C=2.0)
    with pytest.raises(ValueError, match=r"'estimators__lr__C' for StackingClassifier: a "
                       r"member's parameter is named by the member: 'lr__C'"):
        stack.set_params(estimators__lr__C=2.0)
    # given together, the estimator first (as a grid over both does): fine
    stack.set_params(final_estimator=LogisticRegression(), final_estimator__C=5.0)
    assert stack.final_estimator.C == 5.0
    assert stack.set_params(lr__C=3.0).get_params()["lr__C"] == 3.0
