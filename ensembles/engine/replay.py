"""Stand-ins that answer for a fitted model from outputs already computed.

The engine's workers score each fold model on its train and validation rows; scorers,
out-of-fold predictions and the ensembles rebuilt by the report and the benchmark then
ask the same model for the same outputs again. :class:`Replay` answers those from what is
kept (computing each missing one once), so no model predicts twice on the same rows.
:func:`_predict` is the one place where a method's output is shaped and its columns
aligned on all classes.
"""


import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if

from .._compat import _num_samples

__all__ = ["NotKeptError", "Replay", "UserLabels"]

_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")
_OWN = ("estimator", "X", "outputs", "n_classes", "decode")


def _predict(estimator, X, method, n_classes):
    """``method`` output as a 2-D float array, columns aligned on all ``n_classes``.

    A fold whose training part lacks a class gives a model with fewer columns; the missing
    ones are filled as scikit-learn's ``cross_val_predict`` does (0 for probabilities,
    the lowest float for decision values).

    Probabilities of one class per column (``n_classes`` given) enter as float64 rows
    that sum to one: members that answer in float32 (XGBoost, nets) give rows that,
    cast, miss one by ~1e-7, more than scikit-learn's float64 tolerance, so every log-loss
    of a member or of an average of members warned "y_prob values do not sum to one".
    Renormalising here, where members' probabilities enter the engine, fixes them once
    for every consumer (out-of-fold features, voting, selection, the report and the
    benchmark). Float64 probabilities are left bit for bit as the member gives them; a
    row that does not sum to a positive finite number is left as given too.
    """
    out = getattr(estimator, method)(X)
    if isinstance(out, list):  # multilabel probabilities: one (n, 2) array per label
        out = np.column_stack([np.asarray(p)[:, -1] for p in out])
    out = np.asarray(out)
    if method == "predict" or n_classes is None:
        return out.reshape(len(out), -1) if out.ndim > 1 else out
    if out.ndim == 1:  # binary decision_function
        return out
    if method == "predict_proba":
        out = _sum_to_one(out)
    classes = np.asarray(getattr(estimator, "classes_", np.arange(out.shape[1])))
    if out.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return out
    fill = 0.0 if method in ("predict_proba", "predict_log_proba") else np.finfo(float).min
    if method == "predict_log_proba":
        fill = np.finfo(float).min
    full = np.full((len(out), n_classes), fill, dtype=float)
    full[:, classes.astype(int)] = out
    return full


def _sum_to_one(proba):
    """``proba`` (rows of class probabilities) as float64 rows that sum to one.

    Float64 probabilities are returned as given (a member's scores then equal
    scikit-learn's ``cross_validate`` bit for bit); any other dtype is cast and
    renormalised.
    """
    if np.asarray(proba).dtype == np.float64:
        return proba
    proba = np.asarray(proba, dtype=np.float64)
    total = proba.sum(axis=1, keepdims=True)
    usable = np.isfinite(total) & (total > 0)
    return np.divide(proba, total, out=proba.copy(), where=usable)


class NotKeptError(ValueError):
    """A stand-in that holds some outputs of a model on some rows only (a
    :class:`Replay` of a row count, a dropped fold model) was asked for another output
    or other rows: the benchmark, whose scorers get such stand-ins, says what a scorer
    may ask."""


class Replay:
    """A fitted estimator whose outputs on one set of rows are kept and computed once.

    Parameters
    ----------
    estimator : fitted estimator
        Everything not kept is the estimator's own (attributes, other methods).
    X : matrix or int
        The rows the kept outputs are for. A matrix: outputs are kept for that very
        object (``is``), and any other matrix passes through to ``estimator``. An int
        (a row count): the stand-in answers only for that many rows and raises on others
        (:class:`NotKeptError`: there is no model left to pass them to).
    outputs : dict, default=None
        Method name -> output already computed on those rows (by the engine's workers).
    n_classes : int, default=None
        Align computed probability/decision columns on all classes (as the engine does
        for a fold model that missed a class); None leaves outputs as the model gives them.
    classes : ndarray, default=None
        ``classes_`` of the stand-in (the user's labels), instead of the estimator's.
    decode : bool, default=False
        ``predict`` maps the model's encoded class indices to ``classes``.
    """

    def __init__(self, estimator, X, outputs=None, *, n_classes=None, classes=None,
                 decode=False):
        self.estimator, self.X, self.outputs = estimator, X, dict(outputs or {})
        self.n_classes, self.decode = n_classes, decode
        if classes is not None:
            self.classes_ = classes

    def __sklearn_tags__(self):
        return get_tags(self.estimator)

    def _kept(self, X):
        if not isinstance(self.X, int):
            return X is self.X
        if _num_samples(X) != self.X:
            raise NotKeptError(f"it holds the outputs of {self.X} rows and was asked "
                                 f"for {_num_samples(X)}")
        return True

    def _compute(self, name, X):
        if name == "predict" or self.n_classes is None:
            return getattr(self.estimator, name)(X)
        return _predict(self.estimator, X, name, self.n_classes)

    def __getattr__(self, name):
        if name in _OWN:  # not set yet (copy, unpickling)
            raise AttributeError(name)
        if name not in _METHODS:
            return getattr(self.estimator, name)
        if name not in self.outputs:
            getattr(self.estimator, name)  # AttributeError if the model has no such method

        def method(X):
            if not self._kept(X):
                return getattr(self.estimator, name)(X)
            if name not in self.outputs:
                self.outputs[name] = self._compute(name, X)
            out = self.outputs[name]
            if name == "predict" and self.decode:
                return self.classes_[np.asarray(out).astype(int)]
            return out

        method.__name__ = name  # scikit-learn's scorers read it
        return method


def _inner_has(method):
    return lambda self: hasattr(self.estimator, method)


class UserLabels(BaseEstimator):
    """A member that speaks the user's labels, made to speak the ensemble's (0..K-1).

    Members an ensemble fits see ``y`` encoded once as 0..K-1. A member fitted before
    (``cv="prefit"``, a :class:`sklearn.frozen.FrozenEstimator`) was fitted on the
    user's labels (strings, {1, 2}, ...): this stand-in maps its ``predict`` to the
    positions of its labels in the ensemble's ``classes`` and gives those positions as
    its ``classes_``, so its probability columns are aligned as any member's
    (:func:`_predict`). A member whose labels are not all among ``classes`` gets an
    error that names it.

    Parameters
    ----------
    estimator : classifier
        Fitted (or frozen) on the user's labels; ``fit`` passes it the decoded labels.
    classes : ndarray
        The ensemble's ``classes_`` (sorted, as a ``LabelEncoder`` gives them).
    name : str
        The member's name, for errors.
    """

    def __init__(self, estimator, classes, name="estimator"):
        self.estimator = estimator
        self.classes = classes
        self.name = name

    def fit(self, X, y, **fit_params):
        self.estimator.fit(X, np.asarray(self.classes)[np.asarray(y)], **fit_params)
        return self.aligned()

    def aligned(self):
        """Set ``classes_`` from the fitted member's own labels; return self."""
        classes = np.asarray(self.classes)
        own = np.asarray(getattr(self.estimator, "classes_", classes))
        try:
            positions = np.clip(np.searchsorted(classes, own), 0, len(classes) - 1)
            known = classes[positions] == own
        except TypeError:  # labels of another type: strings against numbers
            known = np.zeros(len(own), dtype=bool)
        if not np.all(known):
            kind = type(getattr(self.estimator, "estimator", self.estimator)).__name__
            raise ValueError(
                f"member {self.name!r} ({kind}) was fitted on the "
                f"classes {own.tolist()}, of which {own[~known].tolist()} are not among "
                f"y's classes {classes.tolist()}; fit it on labels of the same set as y."
            )
        self._own, self.classes_ = own, positions
        return self

    def predict(self, X):
        labels = np.asarray(self.estimator.predict(X))
        order = np.argsort(self._own, kind="stable")
        return self.classes_[order[np.searchsorted(self._own[order], labels)]]

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        return self.estimator.predict_proba(X)

    @available_if(_inner_has("predict_log_proba"))
    def predict_log_proba(self, X):
        return self.estimator.predict_log_proba(X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        return self.estimator.decision_function(X)

    def __sklearn_tags__(self):
        return get_tags(self.estimator)
