"""Bagging: members fitted on random draws of rows (and columns), their predictions averaged.

Breiman (1996), "Bagging predictors"; with ``max_features`` the random subspaces of Ho
(1998), with ``bootstrap=False`` the pasting of Breiman (1999). Every draw is made from
``random_state`` before any member is fitted, so the result does not depend on ``n_jobs``,
and ``warm_start`` continues the same stream: 5 members then 5 more equal 10 at once.
The draws and the fit loop live in :mod:`ensembles.classic.bagging`; this module holds the
two public estimators and how their members' outputs are averaged.
"""

from numbers import Integral, Real

import numpy as np
from joblib import delayed
from sklearn.base import (
    ClassifierMixin,
    RegressorMixin,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import (
    check_is_fitted,
    column_or_1d,
    has_fit_parameter,
)

from .._compat import (
    HasMethods,
    Interval,
    _check_sample_weight,
    _check_y,
    _fit_context,
    _safe_indexing,
)
from .._validation import last_step, name_failure, warn_user
from ..base import MAX_SEED, BaseOneLearner
from ..engine.oof import _predict, fit_member
from ..engine.parallel import learner_modules, run
from ..learners.device import resolve_device

__all__ = ["BaggingClassifier", "BaggingRegressor"]


def _draw(seed, n_samples, n_rows, n_features, n_cols, bootstrap, bootstrap_features, p):
    """One member's (columns, rows), both drawn from ``seed`` alone (so they can be redrawn)."""
    rng = np.random.RandomState(seed)
    if bootstrap_features:
        cols = rng.randint(0, n_features, n_cols)
    else:
        cols = np.sort(sample_without_replacement(n_features, n_cols, random_state=rng))
    if p is not None:  # weighted resampling, for a member that cannot take sample_weight
        rows = rng.choice(n_samples, n_rows, replace=True, p=p)
    elif bootstrap:
        rows = rng.randint(0, n_samples, n_rows)
    else:
        rows = sample_without_replacement(n_samples, n_rows, random_state=rng)
    return cols, rows


def _take_columns(X, cols):
    X = _safe_indexing(X, cols, axis=1)
    if hasattr(X, "columns") and X.columns.duplicated().any():
        # Columns drawn twice (bootstrap_features) need unique names for the members.
        X = X.set_axis([f"{name}__{j}" for j, name in enumerate(X.columns)], axis=1)
    return X


def _fit_one(estimator, X, y, rows, weight, cols):
    """Fit one member on its rows and columns; module-level so that loky can pickle it."""
    try:
        if len(rows) == 0:
            raise ValueError(
                "its draw holds only rows whose sample_weight is 0, so it has nothing to fit "
                "on; give fewer rows zero weight, or draw more rows (max_samples).")
        X_bag = _safe_indexing(X, rows)
        if cols is not None:
            X_bag = _take_columns(X_bag, cols)
        fit_member(estimator, X_bag, y[rows], weight)
    except Exception as exc:  # noqa: BLE001 - re-raised by the caller, with the member named
        return exc
    return estimator


def _accepts_sample_weight(estimator):
    target = last_step(estimator)
    return target != "passthrough" and has_fit_parameter(target, "sample_weight")


class _BaseBagging(BaseOneLearner):
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [Interval(Integral, 1, None, closed="left"),
                        Interval(Real, 0, 1, closed="right")],
        "max_features": [Interval(Integral, 1, None, closed="left"),
                         Interval(Real, 0, 1, closed="right")],
        "bootstrap": ["boolean"],
        "bootstrap_features": ["boolean"],
        "oob_score": ["boolean"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "device": [None, str],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, n_estimators=10, *, max_samples=1.0, max_features=1.0,
                 bootstrap=True, bootstrap_features=False, oob_score=False, warm_start=False,
                 n_jobs=None, random_state=None, device=None, verbose=0):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.oob_score = oob_score
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit ``n_estimators`` clones of ``estimator``, each on its own draw of rows.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Passed to the members as given (a DataFrame stays a DataFrame).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            See the Notes of the class.

        Returns
        -------
        self : object
        """
        template, warm = self._template(), self.warm_start and hasattr(self, "estimators_")
        self._check_kind(template, "estimator")
        if self.device is not None:
            resolve_device(self.device)  # a bad device fails here, not inside a worker
        X = self._check_X(X, reset=not warm)
        classes = getattr(self, "classes_", None)
        y = self._check_target(X, y)
        if warm:
            self._check_warm_classes(classes)
        n_samples, n_features = X.shape
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
            self._check_weighted_target(y, sample_weight)
        n_rows = _count("max_samples", self.max_samples, n_samples, "rows")
        n_cols = _count("max_features", self.max_features, n_features, "columns")
        if self.oob_score and not self.bootstrap and n_rows == n_samples:
            raise ValueError(
                "oob_score needs rows left out of the members' draws; with bootstrap=False "
                "and max_samples covering all rows there are none. Set bootstrap=True or "
                "max_samples below 1.0.")
        accepts, p = _accepts_sample_weight(template), None
        if sample_weight is not None and not accepts:
            if not self.bootstrap:
                name = type(last_step(template)).__name__
                raise TypeError(
                    f"{name} does not accept sample_weight in fit, and "
                    f"{type(self).__name__} can honour sample_weight for it only by weighted "
                    "resampling, which needs bootstrap=True; set bootstrap=True or give no "
                    "sample_weight.")
            p = sample_weight / sample_weight.sum()
        spec = (n_samples, n_features, n_rows, n_cols, self.bootstrap, self.bootstrap_features)
        if warm and (spec != self._spec or not np.array_equal(p, self._p)):
            raise ValueError(
                "warm_start adds members drawn like those already fitted: the shape of X, "
                "max_samples, max_features, bootstrap, bootstrap_features and (for weighted "
                "resampling) sample_weight must stay the same. Set warm_start=False to fit "
                "a new ensemble.")
        n_old = len(self.estimators_) if warm else 0
        if self.n_estimators < n_old:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be at least the {n_old} members "
                "already fitted when warm_start=True; set warm_start=False to start over.")
        if warm and self.n_estimators == n_old:
            warn_user("warm_start with n_estimators unchanged fits no new member.")
        self._spec, self._p, self.estimator_ = spec, p, template
        # Member i's seeds are row i of one stream, whatever was fitted before: a warm
        # start continues the stream, and n_jobs changes nothing.
        seeds = check_random_state(self.random_state).randint(
            MAX_SEED, size=(self.n_estimators, 2))[n_old:]
        jobs = (self._task(template, seed, X, y, sample_weight, accepts) for seed in seeds)
        fitted = []
        results = run(jobs, total=len(seeds), n_jobs=self.n_jobs, verbose=self.verbose,
                      desc=type(self).__name__, preload=learner_modules([("", template)]))
        for i, result in enumerate(results, start=n_old):
            if isinstance(result, Exception):
                raise name_failure(result, f"member {i} ({type(template).__name__}) failed")
            fitted.append(result)
        if not warm:
            self.estimators_, self.estimators_features_ = [], []
            self._seeds = np.empty((0, 2), dtype=np.int64)
        self.estimators_ += fitted
        self.estimators_features_ += [self._draw(seed[1])[0] for seed in seeds]
        self._seeds = np.vstack([self._seeds, seeds])
        for name in ("oob_score_", "oob_decision_function_", "oob_prediction_"):
            self.__dict__.pop(name, None)
        if self.oob_score:
            self._set_oob(X, y)
        return self

    def _check_weighted_target(self, y, sample_weight):
        """Regressors take any weights that ``_check_sample_weight`` lets through."""

    def _check_warm_classes(self, classes):
        """A warm start keeps the classes of the first fit (the classifier checks)."""

    def _draw(self, seed):
        n_samples, n_features, n_rows, n_cols, bootstrap, bootstrap_features = self._spec
        return _draw(seed, n_samples, n_rows, n_features, n_cols, bootstrap,
                     bootstrap_features, self._p)

    def _task(self, template, seed, X, y, sample_weight, accepts):
        estimator = self._prepare(template, np.random.RandomState(seed[0]))
        cols, rows = self._draw(seed[1])
        if not self.bootstrap_features and len(cols) == X.shape[1]:
            cols = None
        weight = None
        if accepts:  # counts (times the user's weights) as weights, on the distinct rows
            weight = np.bincount(rows, minlength=len(y)).astype(float)
            if sample_weight is not None:
                weight *= sample_weight
            rows = np.flatnonzero(weight)
            weight = weight[rows]
            if np.all(weight == 1):  # a plain subset: fit it as the member would be alone
                weight = None
        else:
            rows = np.sort(rows)
        return delayed(_fit_one)(estimator, X, y, rows, weight, cols)

    @property
    def estimators_samples_(self):
        """Rows drawn for each member (repeats included), redrawn from the seeds."""
        check_is_fitted(self)
        return [self._draw(seed[1])[1] for seed in self._seeds]

    def _member_X(self, i, X):
        cols = self.estimators_features_[i]
        if not self.bootstrap_features and len(cols) == self.n_features_in_:
            return X
        return _take_columns(X, cols)

    def _average(self, X):
        """The members' outputs (see ``_member_output``), averaged."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        total = sum(self._member_output(i, X) for i in range(len(self.estimators_)))
        return total / len(self.estimators_)

    def _set_oob(self, X, y):
        """Average each row's predictions by the members whose draw left it out."""
        n_samples = len(y)
        total, count = np.zeros((n_samples,) + self._output_shape(y)), np.zeros(n_samples)
        for i, rows in enumerate(self.estimators_samples_):
            out = np.setdiff1d(np.arange(n_samples), rows)
            if len(out):
                total[out] += self._member_output(i, _safe_indexing(X, out)).reshape(
                    (len(out),) + total.shape[1:])
                count[out] += 1
        seen = count > 0
        if not seen.all():
            warn_user(
                f"{int((~seen).sum())} of {n_samples} rows are in every member's draw and "
                "have no out-of-bag prediction (NaN); oob_score_ leaves them out. Use more "
                "members for a reliable estimate.")
        oob = np.full_like(total, np.nan)
        oob[seen] = total[seen] / count[seen].reshape((-1,) + (1,) * (total.ndim - 1))
        self._store_oob(oob, y, seen)


def _count(name, value, total, what):
    """Rows or columns per member, from an int count or a fraction."""
    if isinstance(value, Integral):
        if value > total:
            raise ValueError(
                f"{name}={value} is more than the {total} {what} of X; pass at most "
                f"{total}, or a fraction in (0, 1].")
        return int(value)
    return max(1, int(value * total))


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

    def _default_estimator(self):
        return DecisionTreeClassifier()

    def _check_warm_classes(self, previous):
        if not np.array_equal(self.classes_, previous):
            got, self.classes_ = self.classes_, previous  # keep the fitted model whole
            raise ValueError(
                f"warm_start needs the classes of the first fit, {previous.tolist()}; got "
                f"{got.tolist()}. Set warm_start=False to start over.")

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

    def _default_estimator(self):
        return DecisionTreeRegressor()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = get_tags(self._template()).target_tags.multi_output
        return tags

    def _encode_target(self, y):
        multi = get_tags(self._template()).target_tags.multi_output
        y = _check_y(y, multi_output=multi, y_numeric=True, estimator=self)
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
