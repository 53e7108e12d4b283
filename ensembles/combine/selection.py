"""Ensemble selection from libraries of models (Caruana, Niculescu-Mizil, Crew & Ksikes, 2004).

One run of the out-of-fold engine gives every member's out-of-fold predictions; the
ensemble is then chosen on them by greedy forward selection *with replacement*: start from
the best ``n_init`` members (sorted initialisation), and ``n_iter`` times add the member,
repeats allowed, whose addition to the running average scores best. As in the paper's
step 4, the ensemble kept is the one of that nested sequence (after the initialisation and
after each addition) whose score is best. Bagged selection (the paper's section 4.3) runs
the selection ``n_bags`` times, each on a random ``bag_fraction`` of the members, and
keeps the union of the bags' ensembles (selection counts summed). A member's weight is
its selection count over the total; the ensemble predicts the weighted average of its
members' probabilities (classifiers) or predictions (regressors).

Candidate averages are scored by :func:`ensembles.combine.scoring.prediction_scorer`: any
scikit-learn scorer, evaluated on the predictions themselves (no predicting on ``X``),
with NumPy shortcuts for the default scorers.
"""

import time
from math import ceil
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.validation import check_array, check_is_fitted

from .._compat import Interval, StrOptions, _fit_context
from .._validation import warn_user
from ..base import BaseCombiner
from ..engine.cache import _MEMORY_DOC, MEMORY
from ..engine.oof import _predict, describe_fits
from .scoring import prediction_scorer

__all__ = ["EnsembleSelectionClassifier", "EnsembleSelectionRegressor"]


def _argmax(scores):
    """Index of the best score, the first on ties; NaN counts as the worst.

    Scores within rounding (1e-12 relative) of the best are ties: the same mixture reached
    twice (counts 1:2 and 2:4) must not be told apart by the order of a floating sum.
    """
    scores = np.asarray(scores, dtype=float)
    scores = np.where(np.isnan(scores), -np.inf, scores)
    best = scores.max()
    if not np.isfinite(best):
        return int(np.argmax(scores))
    return int(np.argmax(scores >= best - 1e-12 * max(1.0, abs(best))))


def _select(oof, score, bag, n_init, n_iter, member_scores):
    """Greedy forward selection with replacement over the members in ``bag``.

    Returns the selection counts (one per member of the library) of the best ensemble
    in the nested sequence, and the trace: the score after the initialisation and after
    each of the ``n_iter`` additions.
    """
    order = sorted(bag, key=lambda j: -np.nan_to_num(member_scores[j], nan=-np.inf))
    chosen = list(order[:n_init])
    total = oof[chosen].sum(axis=0)
    trace = [score(total / len(chosen))]
    for _ in range(n_iter):
        size = len(chosen) + 1
        candidates = [score((total + oof[j]) / size) for j in bag]
        best = _argmax(candidates)
        chosen.append(bag[best])
        total = total + oof[bag[best]]
        trace.append(candidates[best])
    keep = n_init + _argmax(trace)
    return np.bincount(chosen[:keep], minlength=len(oof)), np.asarray(trace)


# -- the estimators -------------------------------------------------------------------
class _BaseSelection(BaseCombiner, BaseEstimator):
    _parameter_constraints = {
        "estimators": [list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "scoring": [None, str, callable],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "n_bags": [Interval(Integral, 1, None, closed="left")],
        "bag_fraction": [Interval(Real, 0, 1, closed="right")],
        "cv": ["cv_object"],
        "refit": ["boolean"],
        "keep_fold_models": ["boolean"],
        "memory": MEMORY,
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "device": [None, str],
        "batch_nets": ["boolean", StrOptions({"auto"})],
        "verbose": ["verbose"],
        "time_limit": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, estimators, *, n_iter=50, scoring=None, n_init=1, n_bags=1,
                 bag_fraction=0.5, cv=5, refit=True, keep_fold_models=False, memory=None,
                 n_jobs=None, random_state=None, device=None, batch_nets="auto", verbose=0,
                 time_limit=None):
        self.estimators = estimators
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_init = n_init
        self.n_bags = n_bags
        self.bag_fraction = bag_fraction
        self.cv = cv
        self.refit = refit
        self.keep_fold_models = keep_fold_models
        self.memory = memory
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.batch_nets = batch_nets
        self.verbose = verbose
        self.time_limit = time_limit

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the members cross-validated and select the ensemble on their
        out-of-fold predictions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member's ``fit`` (a member that cannot take it raises a
            ``TypeError`` naming it) and to the scorer of the selection. With metadata
            routing enabled, only members that request it get it.
        **fit_params : dict
            Only with ``sklearn.set_config(enable_metadata_routing=True)``: metadata
            routed to each member's ``fit`` as it requested, in every fold (sliced to
            the fold's rows) and in the fit on all rows.

        Returns
        -------
        self
        """
        deadline = None if self.time_limit is None else time.time() + self.time_limit
        self._refuse_fit_params(fit_params)
        members, X, y_enc, sample_weight = self._validate_fit(X, y, sample_weight)
        routed = self._route_fit(sample_weight, fit_params)
        fitted, predictions = self._run_engine(members, X, y_enc, sample_weight,
                                               self._folds(X, y_enc), refit=self.refit,
                                               routed=routed, deadline=deadline)
        self.skipped_ = dict(self.cross_fit_.skipped)
        if self.skipped_:
            self._left_out_for_time()
        return self._combine(fitted, predictions, X, y_enc, sample_weight)

    def _left_out_for_time(self):
        """Say which members ``time_limit`` left out (a warning); raise if it left none."""
        owner = type(self).__name__
        lost = "; ".join(f"{name!r} {describe_fits(fits)}"
                         for name, fits in self.skipped_.items())
        left = self.cross_fit_.names
        if not left:
            raise ValueError(
                f"{owner}: time_limit={self.time_limit:g} s: no member finished all its "
                f"fits (not started: {lost}); the selection needs at least one. Raise "
                "time_limit (None: no limit).")
        warn_user(f"{owner}: time_limit={self.time_limit:g} s: member(s) "
                  f"{list(self.skipped_)} left out, their fits not all started (not "
                  f"started: {lost}); the selection is made from {left}.")

    def _method(self):
        return "predict_proba" if isinstance(self, ClassifierMixin) else "predict"

    def _validate_fit(self, X, y, sample_weight):
        """Check parameters and data; return (members, X, y_enc, sample_weight)."""
        members = self._check_members()
        owner = type(self).__name__
        for name, est in members:
            self._check_stack_method(name, est, self._method())
        bag_size = self._bag_size(len(members))
        if self.n_init > bag_size:
            where = (f"the {len(members)} members (not counting 'drop')" if self.n_bags == 1
                     else f"a bag of {bag_size} members (bag_fraction={self.bag_fraction} of "
                     f"{len(members)})")
            raise ValueError(
                f"n_init={self.n_init} is larger than {where} in {owner}; lower n_init"
                + ("." if self.n_bags == 1 else " or raise bag_fraction.")
            )
        X = self._check_X(X)
        y_enc = self._check_target(X, y)
        sample_weight = self._check_sample_weight(sample_weight, X)
        return members, X, y_enc, sample_weight

    def _bag_size(self, n_members):
        return n_members if self.n_bags == 1 else ceil(self.bag_fraction * n_members)

    def _oof_methods(self, members):
        return dict.fromkeys([name for name, _ in members], self._method())

    def _combine(self, fitted, predictions, X, y_enc, sample_weight, folds=None):
        """Take ``fitted`` members; select the ensemble on their out-of-fold
        ``predictions`` (rows of ``y_enc``)."""
        score = prediction_scorer(self.scoring, y_enc, classes=getattr(self, "classes_", None),
                                  sample_weight=sample_weight, owner=type(self).__name__)
        self.estimators_ = list(fitted)
        self.named_estimators_ = self._named_fitted(fitted)
        n_members = len(fitted)
        oof = np.stack([self._as_output(p) for p in predictions])
        self.member_scores_ = np.array([score(p) for p in oof])
        rng = check_random_state(self.random_state)
        bag_size = self._bag_size(n_members)
        # fewer members than n_init only when time_limit left some out: start from all
        n_init = min(self.n_init, bag_size)
        if self.n_bags == 1:
            bags = [list(range(n_members))]
        else:
            bags = [sorted(rng.choice(n_members, bag_size, replace=False).tolist())
                    for _ in range(self.n_bags)]
        counts, traces = zip(*(_select(oof, score, bag, n_init, self.n_iter,
                                       self.member_scores_) for bag in bags))
        self.bags_ = bags
        self.selection_counts_ = np.sum(counts, axis=0)
        self.weights_ = self.selection_counts_ / self.selection_counts_.sum()
        self.trace_ = np.vstack(traces)
        self.oof_score_ = score(np.tensordot(self.weights_, oof, axes=1))
        return self

    def _as_output(self, pred):
        pred = np.asarray(pred, dtype=np.float64)
        return pred.ravel() if pred.ndim == 2 and pred.shape[1] == 1 else pred

    def _average(self, X, method):
        check_is_fitted(self, "weights_")
        X = self._check_X(X, reset=False)
        if not get_tags(self).input_tags.allow_nan:
            # The member that rejects NaN may have weight 0 and not be asked: reject here,
            # as the ensemble's tags promise.
            check_array(X, accept_sparse=["csr", "csc"], dtype=None)
        n_classes = len(self.classes_) if hasattr(self, "classes_") else None
        total = 0.0
        for est, weight in zip(self.estimators_, self.weights_):
            if weight > 0:  # unselected members are not asked to predict
                total = total + weight * self._as_output(_predict(est, X, method, n_classes))
        return total


_PARAMETERS = (
    """
    Parameters
    ----------
    estimators : list of (str, estimator or "drop")
        The library of models. {kind_members}
    n_iter : int, default=50
        Greedy additions after the initialisation (repeats allowed).
    scoring : str or callable, default=None
        A scikit-learn scorer name (``sklearn.metrics.get_scorer_names()``) or a scorer
        from ``make_scorer``; greater is better. None: ``"{default}"``.
    n_init : int, default=1
        Sorted initialisation: the selection starts from the best ``n_init`` members
        (each once), by their own out-of-fold score.
    n_bags : int, default=1
        Bagged selection: the selection is run ``n_bags`` times, each on a random
        ``bag_fraction`` of the members, and the selection counts are summed. With
        ``n_bags=1`` the selection sees every member and ``bag_fraction`` is unused.
    bag_fraction : float in (0, 1], default=0.5
        The fraction of members in each bag (rounded up).
    cv : int, splitter or iterable of (train, test), default=5
        The folds of the out-of-fold predictions{cv_kind}.
    refit : bool, default=True
        True: each member is also fitted on all rows (in the same parallel batch as the
        folds) and these fits predict. False: a member predicts the average of its fold
        models (``FoldAverage``), one fit fewer per member.
    keep_fold_models : bool, default=False
        Keep every member's fold models in ``cross_fit_.fold_estimators``. False: with
        ``refit=True`` each is dropped as soon as it has made its out-of-fold
        predictions and been scored (the members fitted on all rows predict); a
        :class:`~ensembles.engine.oof.DroppedModel` of a few bytes stands in for it and
        the out-of-fold predictions, scores and times stay. True keeps them
        (``overfitting_report(selection, X, y, cv="prefit")`` needs them). With
        ``refit=False`` the fold models are the fitted members, kept either way.
"""
    + _MEMORY_DOC
    + """    n_jobs : int, default=None
        joblib workers over all (member, fold) fits.
    random_state : int, RandomState or None
        Draws the seeds of members whose ``random_state`` is unset, and the bags.
    device : {{None, "auto", "cpu", "cuda", "cuda:N"}}, default=None
        None leaves members as given; otherwise :func:`ensembles.set_device` on each.
    batch_nets : {{"auto", True, False}}, default="auto"
        The fits of a member that is one of our nets (:class:`~ensembles.NetClassifier`,
        :class:`~ensembles.NetRegressor`): its fold models and, with ``refit``, its fit on
        all rows, are trained together as one batched model, in one task: each equals its
        own fit to float32 rounding, and small nets train several times faster. "auto"
        batches the nets that can be (the default MLP without dropout or batch
        normalisation, Adam or AdamW, no learning-rate schedule or extra callbacks) and fits
        the others fold by fold; True raises a ``ValueError`` saying why when a net member
        cannot be batched; False never batches (see :func:`ensembles.engine.oof.cross_fit`).
    verbose : int, default=0
        A progress bar over the (member, fold) fits when > 0.
    time_limit : float, default=None
        A budget in seconds for ``fit``, counted from its start: no fit of a member
        (on a fold, or on all rows with ``refit``, all inside the budget) starts once it
        is spent, nor one that the mean duration of the member's finished fits says
        would end after it (the rule of :func:`~ensembles.engine.oof.cross_fit`'s
        ``deadline``). Fits that started run to their end, so ``fit`` returns at most
        about one fit's time after the budget. A member with a fit that did not start
        is left out: it has no complete out-of-fold predictions (or no refit); it is
        named in ``skipped_`` and in a ``UserWarning``, and is absent from
        ``estimators_``, ``named_estimators_`` and the other fitted attributes. The
        members are fitted in the order given, each with all its fits, so put the ones
        you want most first. When fewer members than ``n_init`` are left, the selection
        starts from all of them. A ``ValueError`` if no member finished. None: no limit.

    Attributes
    ----------
    estimators_ : list
        The fitted members (``FoldAverage`` when ``refit=False``), without the dropped
        ones and those that ``time_limit`` left out.
    named_estimators_ : Bunch
        The fitted members by name (``"drop"`` for dropped ones; none for those that
        ``time_limit`` left out).
    weights_ : ndarray of shape (n_members,)
        Selection counts normalised to sum to 1, one per member in ``estimators_``;
        zero for members never selected.
    selection_counts_ : ndarray of int
        How many times each member was selected, summed over the bags.
    trace_ : ndarray of shape (n_bags, n_iter + 1)
        The out-of-fold score of each bag's running ensemble after the initialisation
        (column 0) and after each addition.
    bags_ : list of list of int
        The members (indices into ``estimators_``) each bag could select from.
    member_scores_ : ndarray of shape (n_members,)
        Each member's own out-of-fold score.
    oof_score_ : float
        The out-of-fold score of the selected ensemble (``weights_``).
    cross_fit_ : CrossFit
        What the out-of-fold engine returned: out-of-fold predictions, fold models
        (:class:`~ensembles.engine.oof.DroppedModel` stand-ins unless
        ``keep_fold_models=True`` or ``refit=False``), fit times.
    skipped_ : dict
        Member name -> its fits that ``time_limit`` did not let start (fold numbers;
        None for the fit on all rows), for the members left out for it; empty when
        every fit ran.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    Notes
    -----
    The selection follows the paper's algorithm: among the nested ensembles it builds
    (after the initialisation and after each addition), it keeps the one with the best
    out-of-fold score (the first on ties, so the smallest). ``trace_`` shows the whole
    run. The out-of-fold score of the selection is optimistic: the same predictions
    chose it. Score the ensemble on held-out data (see ``docs/selection.md``).

    References
    ----------
    R. Caruana, A. Niculescu-Mizil, G. Crew and A. Ksikes, "Ensemble selection from
    libraries of models", ICML 2004.
"""
)


class EnsembleSelectionClassifier(ClassifierMixin, _BaseSelection):
    """Ensemble selection (Caruana et al., 2004) of classifiers on out-of-fold probabilities.
    {parameters}
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import EnsembleSelectionClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> selection = EnsembleSelectionClassifier(
    ...     [("nb", GaussianNB()), ("tree", DecisionTreeClassifier(max_depth=3)),
    ...      ("lr", make_pipeline(StandardScaler(), LogisticRegression()))],
    ...     n_iter=10, random_state=0)
    >>> selection.fit(X, y).selection_counts_
    array([ 1,  0, 10])
    >>> bool(selection.oof_score_ >= selection.member_scores_.max())
    True
    >>> selection.predict_proba(X[:2]).shape
    (2, 2)
    """

    def predict_proba(self, X):
        """The weighted average of the selected members' probabilities.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return self._average(X, "predict_proba")

    def predict(self, X):
        """The class of highest averaged probability, in the user's labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "weights_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class EnsembleSelectionRegressor(RegressorMixin, _BaseSelection):
    """Ensemble selection (Caruana et al., 2004) of regressors on out-of-fold predictions.
    {parameters}
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.neighbors import KNeighborsRegressor
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import EnsembleSelectionRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> selection = EnsembleSelectionRegressor(
    ...     [("ridge", Ridge(alpha=0.1)), ("tree", DecisionTreeRegressor(max_depth=3)),
    ...      ("knn", KNeighborsRegressor(20))], n_iter=10, random_state=0).fit(X, y)
    >>> selection.selection_counts_
    array([8, 0, 3])
    >>> selection.weights_.round(3)
    array([0.727, 0.   , 0.273])
    >>> bool(selection.oof_score_ >= selection.member_scores_.max())
    True
    """

    def predict(self, X):
        """The weighted average of the selected members' predictions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._average(X, "predict")


EnsembleSelectionClassifier.__doc__ = EnsembleSelectionClassifier.__doc__.format(
    parameters=_PARAMETERS.format(
        kind_members="Classifiers with ``predict_proba``.", default="neg_log_loss",
        cv_kind=" (stratified k-fold for an int)"))
EnsembleSelectionRegressor.__doc__ = EnsembleSelectionRegressor.__doc__.format(
    parameters=_PARAMETERS.format(kind_members="Regressors.",
                                  default="neg_mean_squared_error", cv_kind=""))
