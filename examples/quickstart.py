"""
Quickstart: stack a neural net, XGBoost and LightGBM
====================================================

A stack of three very different learners inside a scikit-learn ``Pipeline``, scored
with 5-fold cross-validation on the breast-cancer data bundled with scikit-learn.

Run: ``python examples/quickstart.py [--quick]`` (about a minute on 2 cores; ``--quick``,
the budget of the docs build: 10 epochs and 3 folds, about 15 s).
"""

# %%
import sys

from lightgbm import LGBMClassifier
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier

quick = "--quick" in sys.argv[1:]
X, y = load_breast_cancer(return_X_y=True, as_frame=True)  # pandas in, float64
stack = StackingClassifier(
    [
        ("net", NetClassifier(hidden_layer_sizes=(32,), max_epochs=10 if quick else 40,
                              random_state=0)),
        ("xgb", XGBClassifier(n_estimators=50, max_depth=3, random_state=0)),
        ("lgbm", LGBMClassifier(n_estimators=50, verbose=-1, random_state=0)),
    ],
    final_estimator=LogisticRegression(),
    n_jobs=2,
)
model = make_pipeline(StandardScaler(), stack)
scores = cross_val_score(model, X, y, cv=3 if quick else 5)
print(f"stacked accuracy: {scores.mean():.3f} +/- {scores.std():.3f}")
