"""Slow fake members for the time-budget tests: each fit sleeps a given time, and can log
when it ran and on which rows (picklable, so loky workers can run them)."""

import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin


class _Sleeping(BaseEstimator):
    """Sleeps ``seconds`` in ``fit``, then learns the class prior (the mean); ``shift``
    moves its outputs a little, so that members differ.

    With ``log`` (a file path), each fit appends a line ``tag rows start end``: ``rows``
    the sum of ``X``'s first column (the tests put the row number there, so that the sum
    tells the fold from the fit on all rows), ``start`` and ``end`` its ``time.time()``.
    """

    def __init__(self, seconds=0.5, shift=0.0, tag="", log=None):
        self.seconds = seconds
        self.shift = shift
        self.tag = tag
        self.log = log

    def fit(self, X, y, sample_weight=None):
        start = time.time()
        time.sleep(self.seconds)
        self.n_features_in_ = np.shape(X)[1]
        self.mean_ = float(np.mean(y))
        self.classes_ = np.unique(y)
        self.prior_ = np.array([np.mean(y == c) for c in self.classes_])
        if self.log is not None:
            rows = int(round(float(np.asarray(X, dtype=float)[:, 0].sum())))
            with open(self.log, "a") as log:  # one short line: appended whole
                log.write(f"{self.tag} {rows} {start!r} {time.time()!r}\n")
        return self


class SleepingClassifier(ClassifierMixin, _Sleeping):
    def predict_proba(self, X):
        scores = np.clip(self.prior_ + self.shift * np.arange(len(self.classes_)), 1e-3,
                         None)
        return np.tile(scores / scores.sum(), (len(X), 1))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class SleepingRegressor(RegressorMixin, _Sleeping):
    def predict(self, X):
        return np.full(len(X), self.mean_ + self.shift)


def read_log(path, folds):
    """The fits logged in ``path``: ``{(tag, fold): (start, end)}``, fold None for a fit
    on all rows; ``folds`` the (train, test) splits of rows numbered in X's first column."""
    by_rows = {int(train.sum()): k for k, (train, _) in enumerate(folds)}
    by_rows[int(sum(test.sum() for _, test in folds))] = None  # all rows
    fits = {}
    try:
        with open(path) as log:
            lines = log.read().splitlines()
    except FileNotFoundError:
        return fits
    for line in lines:
        tag, rows, start, end = line.split()
        fits[(tag, by_rows[int(rows)])] = (float(start), float(end))
    return fits
