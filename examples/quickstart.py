"""
Quickstart: stack a neural net, XGBoost and LightGBM
====================================================

A stack of three very different learners inside a scikit-learn ``Pipeline``, scored
with 5-fold cross-validation on the breast-cancer data bundled with scikit-learn.
"""

# %%
from lightgbm import LGBMClassifier
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier

X, y = load_breast_cancer(return_X_y=True, as_frame=True)  # pandas in, float64
stack = StackingClassifier(
    [
        ("net", NetClassifier(hidden_layer_sizes=(32,), max_epochs=40, random_state=0)),
        ("xgb", XGBClassifier(n_estimators=50, max_depth=3, random_state=0)),
        ("lgbm", LGBMClassifier(n_estimators=50, verbose=-1, random_state=0)),
    ],
    final_estimator=LogisticRegression(),
    n_jobs=2,
)
model = make_pipeline(StandardScaler(), stack)
scores = cross_val_score(model, X, y, cv=5)
print(f"stacked accuracy: {scores.mean():.3f} +/- {scores.std():.3f}")
