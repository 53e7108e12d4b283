"""Bagging: members fitted on random draws of rows (and columns), their predictions averaged.

Breiman (1996), "Bagging predictors"; with ``max_features`` the random subspaces of Ho
(1998), with ``bootstrap=False`` the pasting of Breiman (1999). Every draw is made from
``random_state`` before any member is fitted, so the result does not depend on ``n_jobs``,
and ``warm_start`` continues the same stream: 5 members then 5 more equal 10 at once.
The draws and the fit loop live in :mod:`ensembles._bagging_base`; this module holds the
two public estimators and how their members' outputs are averaged.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier, is_regressor
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ._bagging_base import _BaseBagging
from ._compat import _check_y
from ._validation import encode_labels
from .oof import _predict

__all__ = ["BaggingClassifier", "BaggingRegressor"]


def _members_have_decision_function(self):
    member = self.estimators_[0] if hasattr(self, "estimators_") else self._template()
    return hasattr(member, "decision_function")


_DOC = """{summary}

    Parameters
    ----------
    estimator : estimator, default=None
        The member to bag (cloned for each member); None is an unpruned decision tree.
        Any {kind}: a Pipeline, ``Net{Kind}``, XGBoost, LightGBM.
    n_estimators : int, default=10
    max_samples : int or float, default=1.0
        Rows drawn for each member: a count (at most the rows of X) or a fraction.
    max_features : int or float, default=1.0
        Columns drawn for each member: a count or a fraction.
    bootstrap : bool, default=True
        Draw rows with replacement (bagging); False draws without (pasting).
    bootstrap_features : bool, default=False
        Draw columns with replacement.
    oob_score : bool, default=False
        Score each row by the members whose draw left it out (needs ``bootstrap=True`` or
        ``max_samples`` below all rows); recomputed over all members after a warm start.
    warm_start : bool, default=False
        Keep the fitted members and add ``n_estimators - len(estimators_)``, drawn from
        the same stream: 5 then 5 more equal 10 at once (on the same data).
    n_jobs : int, default=None
        joblib workers over the members (loky unless a ``joblib.parallel_backend``
        context says otherwise); the result does not depend on it.
    random_state : int, RandomState or None, default=None
        Draws every member's rows, columns and seeds before any fit. A member's own
        ``random_state`` left None is seeded from it; one you set is kept, so all members
        then share it and differ only by their draws (scikit-learn overrides it).
    device : {{"auto", "cpu", "cuda", "cuda:N"}} or None, default=None
        Set on each member with :func:`ensembles.set_device`; None leaves them as given.
    verbose : int, default=0
        A progress bar over the members (stderr) when > 0.

    Attributes
    ----------
    estimator_ : estimator
        The template the members were cloned from.
    estimators_ : list of estimators
    estimators_samples_ : list of ndarray
        Rows drawn for each member (repeats included).
    estimators_features_ : list of ndarray
        Columns drawn for each member.
{attributes}    n_features_in_, feature_names_in_ :
        As in scikit-learn.

    Notes
    -----
    ``sample_weight``: a member whose ``fit`` takes it (a Pipeline: its last step) is
    fitted on the distinct rows of its draw, weighted by their counts times the user's
    weights (scikit-learn 1.9 instead draws rows with probability proportional to the
    weights and passes only the counts); rows of weight 0 are left out, so with
    ``bootstrap=False`` a weight of 0 is the same as dropping the row. A member that does
    not take it gets its drawn rows, repeats included, and the user's weights become the
    drawing probabilities; that needs ``bootstrap=True`` (a ``TypeError`` says so).
    Members see X as given (a DataFrame keeps its columns; one drawn twice is renamed
    ``<name>__<position>``). A member that fails names itself: "member 3 (...) failed".

    Examples
    --------
{examples}"""


class BaggingClassifier(ClassifierMixin, _BaseBagging):
    __doc__ = _DOC.format(
        summary="""Bagging classifier: the members' class probabilities averaged.

    Members see the labels encoded as 0..K-1; a member whose draw misses a class gives it
    probability 0. Members without ``predict_proba`` vote (``predict_proba`` gives the
    vote shares).""",
        kind="classifier", Kind="Classifier",
        attributes="""    classes_ : ndarray
    oob_score_ : float
        Out-of-bag accuracy (with ``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (NaN for a row in every member's draw).
""",
        examples="""    >>> from sklearn.datasets import load_iris
    >>> from ensembles import BaggingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = BaggingClassifier(n_estimators=20, oob_score=True, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:1])
    array([[1., 0., 0.]])
    >>> round(clf.oob_score_, 2)
    0.95
    """)

    def _default(self):
        return DecisionTreeClassifier()

    def _check_member_kind(self, template):
        if not is_classifier(template):
            raise ValueError(
                f"estimator must be a classifier for BaggingClassifier; got {template!r}.")

    def _encode(self, X, y, warm):
        check_consistent_length(X, y)
        previous = getattr(self, "classes_", None)
        y = encode_labels(self, y)
        if warm and not np.array_equal(self.classes_, previous):
            got, self.classes_ = self.classes_, previous  # keep the fitted model whole
            raise ValueError(
                f"warm_start needs the classes of the first fit, {previous.tolist()}; got "
                f"{got.tolist()}. Set warm_start=False to start over.")
        return y

    def _output_shape(self, y):
        return (len(self.classes_),)

    def _check_weighted_target(self, y, sample_weight):
        kept = np.unique(y[sample_weight > 0])
        if len(kept) < 2:
            raise ValueError(
                "sample_weight must leave at least two classes with positive weight for "
                f"{type(self).__name__}; got positive weight only on class(es) "
                f"{self.classes_[kept].tolist()}.")

    def _member_output(self, i, X):
        estimator, X = self.estimators_[i], self._member_X(i, X)
        if hasattr(estimator, "predict_proba"):
            return _predict(estimator, X, "predict_proba", len(self.classes_))
        return np.eye(len(self.classes_))[np.asarray(estimator.predict(X)).astype(int)]

    def _store_oob(self, oob, y, seen):
        self.oob_decision_function_ = oob
        self.oob_score_ = accuracy_score(y[seen], oob[seen].argmax(axis=1)) if seen.any() \
            else np.nan

    def predict_proba(self, X):
        """Mean of the members' class probabilities (or vote shares), columns as ``classes_``."""
        return self._average(X)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The class of highest mean probability (of most votes)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    @available_if(_members_have_decision_function)
    def decision_function(self, X):
        """Mean of the members' decision functions.

        A class missing from a member's draw is averaged over the members that saw it.
        As in scikit-learn, this is another aggregate than :meth:`predict` (mean
        probabilities, or votes), so near the boundary the two can disagree.
        """
        check_is_fitted(self)
        X, n_classes = self._check_X(X, reset=False), len(self.classes_)
        outputs = []
        for i, estimator in enumerate(self.estimators_):
            d = np.asarray(estimator.decision_function(self._member_X(i, X)), dtype=float)
            seen = np.asarray(getattr(estimator, "classes_", np.arange(n_classes)), dtype=int)
            if d.ndim == 2 and len(seen) < n_classes:
                full = np.full((len(d), n_classes), np.nan)
                full[:, seen] = d
                d = full
            outputs.append(d)
        outputs = np.stack(outputs)
        count = (~np.isnan(outputs)).sum(axis=0)
        return np.where(count > 0, np.nansum(outputs, axis=0) / np.maximum(count, 1), -np.inf)


class BaggingRegressor(RegressorMixin, _BaseBagging):
    __doc__ = _DOC.format(
        summary="Bagging regressor: the members' predictions averaged.",
        kind="regressor", Kind="Regressor",
        attributes="""    oob_score_ : float
        Out-of-bag R2 (with ``oob_score=True``).
    oob_prediction_ : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Out-of-bag predictions (NaN for a row in every member's draw).
""",
        examples="""    >>> from sklearn.datasets import load_diabetes
    >>> from ensembles import BaggingRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = BaggingRegressor(n_estimators=20, oob_score=True, random_state=0).fit(X, y)
    >>> round(reg.oob_score_, 2)
    0.34
    """)

    def _default(self):
        return DecisionTreeRegressor()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = get_tags(self._template()).target_tags.multi_output
        return tags

    def _check_member_kind(self, template):
        if not is_regressor(template):
            raise ValueError(
                f"estimator must be a regressor for BaggingRegressor; got {template!r}.")

    def _encode(self, X, y, warm):
        multi = get_tags(self._template()).target_tags.multi_output
        y = _check_y(y, multi_output=multi, y_numeric=True, estimator=self)
        check_consistent_length(X, y)
        return column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y

    def _output_shape(self, y):
        return y.shape[1:]

    def _member_output(self, i, X):
        return np.asarray(self.estimators_[i].predict(self._member_X(i, X)), dtype=float)

    def _store_oob(self, oob, y, seen):
        self.oob_prediction_ = oob
        self.oob_score_ = r2_score(y[seen], oob[seen]) if seen.sum() > 1 else np.nan

    def predict(self, X):
        """Mean of the members' predictions."""
        return self._average(X)
