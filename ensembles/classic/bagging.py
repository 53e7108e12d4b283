"""Bagging: members fitted on random draws of rows (and columns), their predictions averaged.

Breiman (1996), "Bagging predictors"; with ``max_features`` the random subspaces of Ho
(1998), with ``bootstrap=False`` the pasting of Breiman (1999). Every draw is made from
``random_state`` before any member is fitted, so the result does not depend on ``n_jobs``,
and ``warm_start`` continues the same stream: 5 members then 5 more equal 10 at once.
How rows are drawn and handed to the members, ``sample_weight`` included, follows
scikit-learn 1.9's ``sklearn.ensemble.BaggingClassifier`` (see the Notes of the classes).
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
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils.metadata_routing import get_routing_for_object
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
    MetadataRouter,
    MethodMapping,
    StrOptions,
    _check_method_params,
    _fit_context,
    _raise_for_params,
    _routing_enabled,
    _safe_indexing,
    process_routing,
)
from .._validation import check_numeric_target, name_failure, warn_user
from ..base import MAX_SEED, BaseOneLearner
from ..engine.parallel import batches_nets, learner_modules, run
from ..learners.device import _placement

__all__ = ["BaggingClassifier", "BaggingRegressor"]


def _draw(seed, n_samples, n_rows, n_features, n_cols, bootstrap, bootstrap_features, p):
    """One member's (columns, rows), both drawn from ``seed`` alone (so they can be
    redrawn); ``p``: the rows' drawing probabilities (``sample_weight`` normalised)."""
    rng = np.random.RandomState(seed)
    if bootstrap_features:
        cols = rng.randint(0, n_features, n_cols)
    else:
        cols = np.sort(sample_without_replacement(n_features, n_cols, random_state=rng))
    if p is not None:
        rows = rng.choice(n_samples, n_rows, replace=bootstrap, p=p)
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


def _member_data(X, y, rows, cols, consumes_weight, fit_params):
    """One member's ``(X, y, fit_params)`` for its draw.

    A member that takes ``sample_weight`` gets every row, with the number of times its
    draw holds each row as the weight (0 for a row left out), as in scikit-learn: so
    every class stays in its ``y``. Any other member gets the drawn rows, repeats
    included and in the order drawn, and the sample-aligned ``fit_params`` sliced alike.
    """
    if consumes_weight:
        X_fit, y_fit = X, y
        params = {**fit_params,
                  "sample_weight": np.bincount(rows, minlength=len(y)).astype(float)}
    else:
        X_fit, y_fit = _safe_indexing(X, rows), y[rows]
        params = _check_method_params(X, params=fit_params, indices=rows)
    if cols is not None:
        X_fit = _take_columns(X_fit, cols)
    return X_fit, y_fit, params


def _who_failed(members, estimator):
    """Who failed: "member 3 (NetClassifier) failed", or for members trained as one
    batch that failed as a whole "members 0-7 (NetClassifier, batched) failed" (listed
    where they are not a range)."""
    kind = type(estimator).__name__
    if len(members) == 1:
        return f"member {members[0]} ({kind}) failed"
    if members[-1] - members[0] == len(members) - 1:
        span = f"{members[0]}-{members[-1]}"
    else:
        span = ", ".join(map(str, members))
    return f"members {span} ({kind}, batched) failed"


def _fit_one(estimator, X, y, rows, cols, consumes_weight, fit_params):
    """Fit one member on its draw (:func:`_member_data`); module-level so that loky can
    pickle it."""
    try:
        X_fit, y_fit, params = _member_data(X, y, rows, cols, consumes_weight, fit_params)
        estimator.fit(X_fit, y_fit, **params)
    except Exception as exc:  # noqa: BLE001 - re-raised by the caller, with the member named
        return exc
    return estimator


def _consumes_sample_weight(estimator):
    """Whether members get the draw as weights: their own ``fit`` takes ``sample_weight``
    (a Pipeline's does not: it gets the drawn rows), or, with metadata routing on, they
    requested it (``set_fit_request(sample_weight=True)``); scikit-learn's rule."""
    if _routing_enabled():
        return bool(get_routing_for_object(estimator).consumes("fit", ("sample_weight",)))
    return has_fit_parameter(estimator, "sample_weight")


def _n_rows(max_samples, n_samples, sample_weight):
    """Rows drawn for each member (scikit-learn's ``_get_n_samples_bootstrap``): None is
    all rows, an int is a count, a fraction is a share of the rows or, with
    ``sample_weight``, of the weights' total (so integer weights act as repeated rows)."""
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, Integral):
        return int(max_samples)
    if sample_weight is None:
        total, of = n_samples, f"the number of samples is {n_samples} "
    else:
        total = sample_weight.sum()
        of = f"the total sum of sample weights is {total} "
    n_rows = max(int(max_samples * total), 1)
    if n_rows < max(10, n_samples ** (1 / 3)):
        warn_user(
            f"Using the fractional value max_samples={max_samples} when {of}results in a "
            f"low number ({n_rows}) of bootstrap samples. We recommend passing "
            "`max_samples` as an integer instead.")
    return n_rows


class _BaseBagging(BaseOneLearner):
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [None, Interval(Integral, 1, None, closed="left"),
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
        "batch_nets": ["boolean", StrOptions({"auto"})],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator=None, n_estimators=10, *, max_samples=None, max_features=1.0,
                 bootstrap=True, bootstrap_features=False, oob_score=False, warm_start=False,
                 n_jobs=None, random_state=None, device=None, batch_nets="auto", verbose=0):
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
        self.batch_nets = batch_nets
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit ``n_estimators`` clones of ``estimator``, each on its own draw of rows.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Passed to the members as given (a DataFrame stays a DataFrame).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            The rows' drawing probabilities (normalised); see the Notes of the class.
        **fit_params : dict
            Passed to every member's ``fit`` (sample-aligned ones sliced like the rows).
            Only with ``sklearn.set_config(enable_metadata_routing=True)``, where each
            member gets what it requested; without routing they raise scikit-learn's
            error.

        Returns
        -------
        self : object
        """
        _raise_for_params(fit_params, self, "fit")
        if self.warm_start and self.oob_score:
            raise ValueError(
                "Out of bag estimate only available if warm_start=False: the members "
                f"kept from an earlier fit of {type(self).__name__} were drawn from that "
                "fit's data, so which rows they left out is not known for this one. Set "
                "oob_score=False or warm_start=False.")
        template, warm = self._template(), self.warm_start and hasattr(self, "estimators_")
        self._check_kind(template, "estimator")
        if self.device is not None:
            _placement(template, self.device)  # a bad device fails here, not in a worker
        X = self._check_X(X, reset=not warm)
        classes = getattr(self, "classes_", None)
        y = self._check_target(X, y)
        if warm:
            self._check_warm_classes(classes)
        n_samples, n_features = X.shape
        p = None
        sample_weight = self._check_sample_weight(sample_weight, X)
        if sample_weight is not None:
            if not self.bootstrap:
                warn_user(
                    f"When fitting {type(self).__name__} with sample_weight it is "
                    "recommended to use bootstrap=True, got False. Drawn without "
                    "replacement, rows are not repeated in proportion to their weight.")
            p = sample_weight / sample_weight.sum()
        n_rows = _n_rows(self.max_samples, n_samples, sample_weight)
        if not self.bootstrap and n_rows > n_samples:
            raise ValueError(
                f"Effective max_samples={n_rows} must be <= n_samples={n_samples} to be "
                "able to sample without replacement. Set bootstrap=True or a smaller "
                "max_samples (a fraction is a share of sample_weight's total when "
                "sample_weight is given).")
        if p is not None and not self.bootstrap and np.count_nonzero(p) < n_rows:
            raise ValueError(
                f"max_samples={n_rows} rows cannot be drawn without replacement from the "
                f"{np.count_nonzero(p)} rows of positive sample_weight; set bootstrap=True "
                f"or max_samples to at most {np.count_nonzero(p)}.")
        n_cols = _n_cols(self.max_features, n_features)
        if self.oob_score and not self.bootstrap and n_rows == n_samples:
            raise ValueError(
                "oob_score needs rows left out of the members' draws; with bootstrap=False "
                "and max_samples covering all rows there are none. Set bootstrap=True or "
                "max_samples below 1.0.")
        spec = (n_samples, n_features, n_rows, n_cols, self.bootstrap, self.bootstrap_features)
        if warm and (spec != self._spec or not np.array_equal(p, self._p)):
            raise ValueError(
                "warm_start adds members drawn like those already fitted: the shape of X, "
                "max_samples, max_features, bootstrap, bootstrap_features and "
                "sample_weight must stay the same. Set warm_start=False to fit a new "
                "ensemble.")
        n_old = len(self.estimators_) if warm else 0
        if self.n_estimators < n_old:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be at least the {n_old} members "
                "already fitted when warm_start=True; set warm_start=False to start over.")
        if warm and self.n_estimators == n_old:
            warn_user(
                "Warm-start fitting without increasing n_estimators does not fit new "
                f"trees: the {n_old} members of {type(self).__name__} are kept and no new "
                "member is fitted. Raise n_estimators to add members.")
        routed = process_routing(self, "fit", **fit_params).estimator.fit \
            if _routing_enabled() else {}
        consumes = _consumes_sample_weight(template)
        self._spec, self._p, self.estimator_ = spec, p, template
        self._max_samples = n_rows  # as scikit-learn's, which its tests read
        # Member i's seeds are row i of one stream, whatever was fitted before: a warm
        # start continues the stream, and n_jobs changes nothing.
        seeds = check_random_state(self.random_state).randint(
            MAX_SEED, size=(self.n_estimators, 2))[n_old:]
        batched = batches_nets(template, len(seeds), self.batch_nets, routed,
                               fits="the members", otherwise="one by one")
        if batched:
            # K nets as one batched model (learners/_batched.py): each member as its own
            # fit would make it, in one process, whatever n_jobs says.
            from ..learners._batched import fit_together

            results = fit_together([
                (estimator, *_member_data(X, y, rows, cols, consumes, routed))
                for estimator, rows, cols in map(lambda seed: self._member_draw(
                    template, seed, X), seeds)])
        else:
            jobs = (self._task(template, seed, X, y, consumes, routed) for seed in seeds)
            results = run(jobs, total=len(seeds), n_jobs=self.n_jobs, verbose=self.verbose,
                          desc=type(self).__name__, preload=learner_modules([("", template)]))
        fitted = []
        for i, result in enumerate(results, start=n_old):
            if isinstance(result, Exception):
                # fit_together returns the error of a batch that failed as a whole for
                # each of its members: it is theirs, not the first one's alone
                batch = [j for j, other in enumerate(results, start=n_old)
                         if other is result] if batched else [i]
                raise name_failure(result, _who_failed(batch, template))
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

    def _check_warm_classes(self, classes):
        """A warm start keeps the classes of the first fit (the classifier checks)."""

    def _draw(self, seed):
        n_samples, n_features, n_rows, n_cols, bootstrap, bootstrap_features = self._spec
        return _draw(seed, n_samples, n_rows, n_features, n_cols, bootstrap,
                     bootstrap_features, self._p)

    def _member_draw(self, template, seed, X):
        """Member ``seed``'s unfitted estimator, its rows and its columns (None: all)."""
        estimator = self._prepare(template, np.random.RandomState(seed[0]))
        cols, rows = self._draw(seed[1])
        if not self.bootstrap_features and len(cols) == X.shape[1]:
            cols = None
        return estimator, rows, cols

    def _task(self, template, seed, X, y, consumes_weight, fit_params):
        estimator, rows, cols = self._member_draw(template, seed, X)
        return delayed(_fit_one)(estimator, X, y, rows, cols, consumes_weight, fit_params)

    @property
    def estimators_samples_(self):
        """Rows drawn for each member (repeats included, in the order drawn), redrawn
        from the seeds."""
        check_is_fitted(self)
        return [self._draw(seed[1])[1] for seed in self._seeds]

    # -- metadata routing ------------------------------------------------------------------
    def get_metadata_routing(self):
        """How metadata reach the members (scikit-learn's metadata routing).

        ``fit`` to the members' ``fit``, ``decision_function`` to theirs, and
        ``predict``, ``predict_proba`` and ``predict_log_proba`` to the method the
        members are averaged by: their ``predict_proba`` or, without one, their
        ``predict`` (scikit-learn sends ``predict_log_proba`` to the members'
        ``predict_log_proba`` where they have one; see :meth:`predict_log_proba`). Only
        used with ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        MetadataRouter
        """
        template = self._template()
        mapping = MethodMapping().add(caller="fit", callee="fit").add(
            caller="decision_function", callee="decision_function")
        proba = "predict_proba" if hasattr(template, "predict_proba") else "predict"
        for caller in ("predict", "predict_proba", "predict_log_proba"):
            mapping.add(caller=caller, callee=proba)
        return MetadataRouter(owner=self).add(estimator=template, method_mapping=mapping)

    def _routed(self, method, params):
        """The members' parameters for ``method`` ({callee method: params}): with routing
        off, none (and scikit-learn's error for any given); on, what each requested."""
        _raise_for_params(params, self, method)
        if _routing_enabled():
            return process_routing(self, method, **params).estimator
        return Bunch()

    # -- prediction ------------------------------------------------------------------------
    def _member_X(self, i, X):
        cols = self.estimators_features_[i]
        if not self.bootstrap_features and len(cols) == self.n_features_in_:
            return X
        return _take_columns(X, cols)

    def _average(self, X, routed):
        """The members' outputs (see ``_member_output``), averaged."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        total = sum(self._member_output(i, X, routed) for i in range(len(self.estimators_)))
        return total / len(self.estimators_)

    def _set_oob(self, X, y):
        """Average each row's predictions by the members whose draw left it out."""
        n_samples = len(y)
        total, count = np.zeros((n_samples,) + self._output_shape(y)), np.zeros(n_samples)
        for i, rows in enumerate(self.estimators_samples_):
            out = np.setdiff1d(np.arange(n_samples), rows)
            if len(out):
                total[out] += self._member_output(i, _safe_indexing(X, out), Bunch()).reshape(
                    (len(out),) + total.shape[1:])
                count[out] += 1
        seen = count > 0
        if not seen.all():
            warn_user(
                "Some inputs do not have OOB scores. This probably means too few "
                "estimators were used to compute any reliable oob estimates: "
                f"{int((~seen).sum())} of {n_samples} rows are in every member's draw and "
                "have no out-of-bag prediction (NaN); oob_score_ leaves them out.")
        oob = np.full_like(total, np.nan)
        oob[seen] = total[seen] / count[seen].reshape((-1,) + (1,) * (total.ndim - 1))
        self._store_oob(oob, y, seen)


def _n_cols(max_features, n_features):
    """Columns drawn for each member, from an int count or a fraction."""
    if isinstance(max_features, Integral):
        if max_features > n_features:
            raise ValueError(
                f"max_features must be <= n_features: max_features={max_features} is more "
                f"than the {n_features} columns of X; pass at most {n_features}, or a "
                "fraction in (0, 1].")
        return int(max_features)
    return max(1, int(max_features * n_features))


def _aligned(out, estimator, n_classes, fill):
    """A member's per-class output with a column for each of the ``n_classes`` classes
    (a member fitted on rows that lacked a class has fewer; those get ``fill``)."""
    out = np.asarray(out, dtype=float)
    classes = np.asarray(getattr(estimator, "classes_", np.arange(out.shape[1])), dtype=int)
    if out.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return out
    full = np.full((len(out), n_classes), fill)
    full[:, classes] = out
    return full


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
    max_samples : None, int or float, default=None
        Rows drawn for each member: None draws as many as X has rows (whatever
        ``sample_weight``); an int is a count (at most the rows of X when
        ``bootstrap=False``); a fraction is a share of the rows or, with
        ``sample_weight``, of the weights' total, so that integer weights act as
        repeated rows. A fraction that gives fewer than ``max(10, n_samples ** (1/3))``
        rows warns, as in scikit-learn.
    max_features : int or float, default=1.0
        Columns drawn for each member: a count or a fraction.
    bootstrap : bool, default=True
        Draw rows with replacement (bagging); False draws without (pasting).
    bootstrap_features : bool, default=False
        Draw columns with replacement.
    oob_score : bool, default=False
        Score each row by the members whose draw left it out (needs ``bootstrap=True`` or
        ``max_samples`` below all rows; scikit-learn's needs ``bootstrap=True``). Not
        with ``warm_start`` (a ``ValueError``, as in scikit-learn).
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
    batch_nets : {{"auto", True, False}}, default="auto"
        Members that are our nets (:class:`~ensembles.NetClassifier`,
        :class:`~ensembles.NetRegressor`) are trained together as one batched model,
        in one process (``n_jobs`` does not apply to them): each member equals its own
        fit to float32 rounding, and 10 small nets train ~4x faster on a CPU
        (docs/benchmarks.md, "K nets as one"). "auto" batches the nets that can be
        (the default MLP without dropout or batch normalisation, Adam or AdamW, no
        learning-rate schedule or extra callbacks) and fits any other member one by one;
        True raises a ``ValueError`` saying why when the members cannot be batched;
        False never batches.
    verbose : int, default=0
        A progress bar over the members (stderr) when > 0.

    Attributes
    ----------
    estimator_ : estimator
        The template the members were cloned from.
    estimators_ : list of estimators
        Also reached by indexing, iterating and ``len`` on the ensemble (``bag[0]``), as
        in scikit-learn.
    estimators_samples_ : list of ndarray
        Rows drawn for each member (repeats included, in the order drawn).
    estimators_features_ : list of ndarray
        Columns drawn for each member.
{attributes}    n_features_in_, feature_names_in_ :
        As in scikit-learn.

    Notes
    -----
    How members are fitted, as in scikit-learn 1.9: ``sample_weight`` are the rows'
    drawing probabilities (normalised; rows of weight 0 are never drawn). A member whose
    own ``fit`` takes ``sample_weight`` (with metadata routing on: that requested it) is
    fitted on all rows, with the number of times its draw holds each row as the weight
    (the user's weights are not applied again); every class then stays in its ``y``, so
    a small draw of one class still fits. Any other member, a Pipeline included, is
    fitted on its drawn rows, repeats included and in the order drawn. With
    ``bootstrap=True`` and ``max_samples`` an int or a fraction, a weight of 0 is the
    same as dropping the row, and an integer weight the same as repeating it, in
    expectation. ``bootstrap=False`` with ``sample_weight`` warns: rows drawn without
    replacement are not repeated by weight.
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

    def _member_output(self, i, X, routed):
        estimator, X = self.estimators_[i], self._member_X(i, X)
        if hasattr(estimator, "predict_proba"):
            return _aligned(estimator.predict_proba(X, **routed.get("predict_proba", {})),
                            estimator, len(self.classes_), 0.0)
        votes = estimator.predict(X, **routed.get("predict", {}))
        return np.eye(len(self.classes_))[np.asarray(votes).astype(int)]

    def _store_oob(self, oob, y, seen):
        self.oob_decision_function_ = oob
        self.oob_score_ = accuracy_score(y[seen], oob[seen].argmax(axis=1)) if seen.any() \
            else np.nan

    def predict_proba(self, X, **params):
        """Mean of the members' class probabilities (or vote shares), columns as ``classes_``.

        ``**params`` (metadata routing only) go to the members' ``predict_proba``, or to
        their ``predict`` when they vote.
        """
        return self._average(X, self._routed("predict_proba", params))

    def predict_log_proba(self, X, **params):
        """Log of :meth:`predict_proba`.

        The log of the very numbers :meth:`predict_proba` gives, so the two rank the
        classes alike, ties included (scikit-learn's ``check_classifiers_train`` asks
        it). scikit-learn's own averages its members' ``predict_log_proba`` in log space
        where they have one, which can break an exact tie the other way. ``**params``
        (metadata routing only) go where :meth:`predict_proba` sends them: the members'
        ``predict_proba``, or ``predict`` when they vote.
        """
        _raise_for_params(params, self, "predict_log_proba")
        routed = self._routed("predict_log_proba", params)
        with np.errstate(divide="ignore"):  # log(0) for a class no member gives a chance
            return np.log(self._average(X, routed))

    def predict(self, X, **params):
        """The class of highest mean probability (of most votes).

        ``**params`` (metadata routing only): as for :meth:`predict_proba`.
        """
        _raise_for_params(params, self, "predict")
        proba = self.predict_proba(X, **params)
        return self.classes_[proba.argmax(axis=1)]

    @available_if(_members_have_decision_function)
    def decision_function(self, X, **params):
        """Mean of the members' decision functions.

        A class missing from a member's draw is averaged over the members that saw it.
        As in scikit-learn, this is another aggregate than :meth:`predict` (mean
        probabilities, or votes), so near the boundary the two can disagree.
        ``**params`` (metadata routing only) go to the members' ``decision_function``.
        """
        routed = self._routed("decision_function", params).get("decision_function", {})
        check_is_fitted(self)
        X, n_classes = self._check_X(X, reset=False), len(self.classes_)
        outputs = []
        for i, estimator in enumerate(self.estimators_):
            d = np.asarray(estimator.decision_function(self._member_X(i, X), **routed),
                           dtype=float)
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
        y = check_numeric_target(y, type(self).__name__, multi_output=multi, estimator=self)
        return column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y

    def _output_shape(self, y):
        return y.shape[1:]

    def _member_output(self, i, X, routed):
        predicted = self.estimators_[i].predict(self._member_X(i, X), **routed.get("predict", {}))
        return np.asarray(predicted, dtype=float)

    def _store_oob(self, oob, y, seen):
        self.oob_prediction_ = oob
        self.oob_score_ = r2_score(y[seen], oob[seen]) if seen.sum() > 1 else np.nan

    def predict(self, X, **params):
        """Mean of the members' predictions.

        ``**params`` (metadata routing only) go to the members' ``predict``.
        """
        return self._average(X, self._routed("predict", params))
