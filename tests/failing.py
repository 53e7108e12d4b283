"""Members that fail on purpose, for the tests of what a failure keeps."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin


class _Boom(BaseEstimator):
    """Fits when X has at most ``max_columns`` columns, raises otherwise."""

    def __init__(self, max_columns=4):
        self.max_columns = max_columns

    def fit(self, X, y, sample_weight=None):
        if X.shape[1] > self.max_columns:
            raise RuntimeError(f"boom: {X.shape[1]} columns")
        self.mean_ = np.mean(y)
        self.classes_ = np.unique(y)
        return self


class BoomClassifier(ClassifierMixin, _Boom):
    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


class BoomRegressor(RegressorMixin, _Boom):
    def predict(self, X):
        return np.full(len(X), self.mean_)
