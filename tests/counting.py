"""A classifier that logs its fits, to count them (the tests run fits in this process)."""

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression that appends ``(tag, rows)`` to ``CountingClassifier.fits`` on
    every fit (clones deep-copy their parameters, so the log lives on the class)."""

    fits = []

    def __init__(self, tag="m", C=1.0):
        self.tag = tag
        self.C = C

    def fit(self, X, y):
        CountingClassifier.fits.append((self.tag, len(X)))
        self.model_ = LogisticRegression(C=self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)
