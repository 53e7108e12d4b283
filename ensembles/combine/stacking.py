"""Stacked generalisation (Wolpert 1992) on the out-of-fold engine, with several layers.

Leakage rule. The final estimator is trained on out-of-fold predictions: the row-``i``
input of the next layer comes from a member fitted on folds that did not contain row
``i``. When the final estimator is itself one of our stacking estimators (a second
layer), it is cross-validated on those out-of-fold predictions **with the same folds**
as the layer below (AutoGluon's multi-layer rule), rather than with fresh folds of its
own: each layer then sees the same train/validation partition, the first layer is not
cross-validated again, and the only information that crosses a fold boundary is the one
any stack accepts (a layer-1 model of fold ``j`` saw the rows of fold ``k``).
"""

from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted

from .._compat import (
    HasMethods,
    Interval,
    InvalidParameterError,
    MethodMapping,
    StrOptions,
    _check_feature_names_in,
    _check_method_params,
    _fit_context,
    _routing_enabled,
    _safe_indexing,
    process_routing,
)
from ..base import BaseCombiner
from ..engine.cache import _MEMORY_DOC, MEMORY
from ..engine.oof import FoldAverage, _predict, check_accepts_sample_weight, fit_member
from .guard import GuardDecision, decide, fallback_output, holdout_split

__all__ = ["FoldAverage", "GuardDecision", "StackingClassifier", "StackingRegressor"]


def _has_final(method):
    """``method`` is there when what predicts has it: the final estimator, or the
    fallback a guard chose (a member; the vote, which has only soft probabilities)."""

    def check(self):
        guard = vars(self).get("guard_")
        if guard is not None and guard.decision == "member":
            getattr(self.named_estimators_[guard.member], method)
            return True
        if guard is not None and guard.decision == "voting":
            if method == "predict_proba" and guard.voting == "soft":
                return True
            raise AttributeError(
                f"{method} is not available: the guard fell back to a {guard.voting} vote "
                "of the members (guard_.decision='voting'), which has "
                + ("probabilities only." if guard.voting == "soft" else "labels only."))
        est = getattr(self, "final_estimator_", self.final_estimator)
        if est is not None:  # None: LogisticRegression has both
            getattr(est, method)  # its AttributeError becomes the __cause__ (scikit-learn's)
        return True

    return check


class _BaseStacking(BaseCombiner, TransformerMixin, BaseEstimator):
    _members_of_any_kind = True
    _parameter_constraints = {
        "estimators": [list],
        "final_estimator": [None, HasMethods("fit")],
        "cv": ["cv_object", StrOptions({"prefit"})],
        "stack_method": [StrOptions({"auto", "predict_proba", "decision_function",
                                     "predict"})],
        "passthrough": ["boolean"],
        "refit": ["boolean"],
        "keep_fold_models": ["boolean"],
        "memory": MEMORY,
        "guard": [None, Interval(Real, 0, 1, closed="neither"), HasMethods("split")],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "device": [None, str],
        "batch_nets": ["boolean", StrOptions({"auto"})],
        "verbose": ["verbose"],
    }

    def __init__(self, estimators, *, final_estimator=None, cv=5, stack_method="auto",
                 passthrough=False, refit=True, keep_fold_models=False, memory=None, guard=None,
                 n_jobs=None, random_state=None, device=None, batch_nets="auto", verbose=0):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv
        self.stack_method = stack_method
        self.passthrough = passthrough
        self.refit = refit
        self.keep_fold_models = keep_fold_models
        self.memory = memory
        self.guard = guard
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.batch_nets = batch_nets
        self.verbose = verbose

    # -- fitting ----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the members cross-validated, then the final estimator on their
        out-of-fold predictions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            ``StackingClassifier`` also takes a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member and to the final estimator; a member that cannot take
            it raises a ``TypeError`` that names it. With metadata routing enabled, only
            members that request it get it (``set_fit_request(sample_weight=True)``).
        **fit_params : dict
            Only with ``sklearn.set_config(enable_metadata_routing=True)``: metadata
            routed to each member's ``fit`` as it requested, in every fold (sliced to
            the fold's rows) and in the fit on all rows.

        Returns
        -------
        self : object
        """
        self._refuse_fit_params(fit_params)
        if self.guard is not None:
            return self._fit_guarded(X, y, sample_weight, fit_params)
        return self._fit(X, y, sample_weight, folds=None, fit_params=fit_params)

    def _fit_guarded(self, X, y, sample_weight, fit_params):
        """The stack on all rows, as without the guard, then the guard's decision from
        the stack fitted again on the rows left out of the holdout
        (:mod:`ensembles.combine.guard`)."""
        owner = type(self).__name__
        if isinstance(self.guard, str | bytes):  # a str has a split method too
            raise InvalidParameterError(
                f"The 'guard' parameter of {owner} must be None, a float in the range "
                "(0.0, 1.0) or an object implementing 'split'. Got "
                f"{self.guard!r} instead.")
        _, X_checked, y_enc, weights = self._validate_fit(X, y, sample_weight)
        if self.cv == "prefit":
            raise ValueError(
                f"guard needs members fitted by {owner} with cross-validation: prefitted "
                "members (cv='prefit') may have seen the holdout rows; got "
                f"guard={self.guard!r} with cv='prefit'. Use an int cv or a splitter, or "
                "guard=None.")
        if not isinstance(self.cv, Integral) and not hasattr(self.cv, "split"):
            raise ValueError(
                f"guard needs cv to be an int or a splitter, which it also splits the rows "
                f"outside the holdout with; got an iterable of folds ({type(self.cv).__name__}"
                f") with guard={self.guard!r}. Pass cv as a splitter (e.g. "
                "PredefinedSplit or GroupKFold) or guard=None.")
        if isinstance(getattr(self, "_label_encoder", None), list):
            raise ValueError(
                f"guard does not support a multilabel target in {owner}: its fallbacks "
                f"vote on single labels; got y of shape {np.shape(y)} with "
                f"guard={self.guard!r}. Use guard=None.")
        rest, holdout = holdout_split(self.guard, X_checked, y_enc,
                                      classifier=is_classifier(self),
                                      random_state=self._side_rng(2), owner=owner)
        self._fit(X, y, sample_weight, folds=None, fit_params=fit_params)
        inner = clone(self).set_params(guard=None)
        rest_params = _check_method_params(X_checked, fit_params or {}, indices=rest)
        inner._fit(_safe_indexing(X_checked, rest), y_enc[rest],
                   None if weights is None else weights[rest], folds=None,
                   fit_params=rest_params)
        self.guard_ = decide(inner, X_checked, y_enc, weights, rest, holdout)
        return self

    def _fit(self, X, y, sample_weight, folds, fit_params=None):
        members, X, y_enc, sample_weight = self._validate_fit(X, y, sample_weight)
        routed = self._route_fit(sample_weight, fit_params or {})
        n_classes = self._n_classes_out()

        if self.cv == "prefit":
            for name, est in members:
                try:
                    check_is_fitted(est)
                except NotFittedError as exc:
                    raise NotFittedError(
                        f"cv='prefit' needs fitted members; member {name!r} "
                        f"({type(est).__name__}) is not fitted. Fit it first or use cv=5."
                    ) from exc
            fitted = [est for _, est in members]
            # they speak the user's labels; the stack's outputs are on encoded ones
            self._prefit_members = [self._speaking_encoded(name, est, prefit=True)
                                    for name, est in members]
            predictions = [_predict(est, X, m, n_classes)
                           for est, m in zip(self._prefit_members, self._methods)]
            self.cross_fit_ = None
        else:
            self._prefit_members = None
            if folds is None:
                folds = self._folds(X, y_enc)
            fitted, predictions = self._run_engine(members, X, y_enc, sample_weight, folds,
                                                   refit=self.refit, routed=routed)
        return self._combine(fitted, predictions, X, y_enc, sample_weight, folds=folds)

    def _validate_fit(self, X, y, sample_weight):
        """Check parameters and data; return (members, X, y_enc, sample_weight)."""
        members = self._check_members()
        self._check_final()
        X = self._check_X(X)
        y_enc = self._check_target(X, y)
        sample_weight = self._check_sample_weight(sample_weight, X)
        if sample_weight is not None:
            if self.cv != "prefit" and not _routing_enabled():  # before the methods, as
                for name, est in members:  # scikit-learn's fit fails on weights first
                    check_accepts_sample_weight(est, f"member {name!r}")
        self._methods = [self._check_stack_method(n, e, self.stack_method) for n, e in members]
        self.stack_method_ = self._with_drops(self._methods)
        return members, X, y_enc, sample_weight

    def _oof_methods(self, members):
        return dict(zip([name for name, _ in members], self._methods))

    def _combine(self, fitted, predictions, X, y_enc, sample_weight, folds=None):
        """Take ``fitted`` members; train the final estimator on their out-of-fold
        ``predictions`` (rows of ``X``)."""
        meta = self._concatenate(predictions, self._methods, X)
        self.estimators_ = fitted
        self.named_estimators_ = self._named_fitted(fitted)
        self.guard_ = None  # the stack predicts; a guarded fit decides after this
        # Seeded and placed like the members: a randomised final estimator (a forest, a
        # net) gives the same stack on every fit with the same random_state.
        final = self._prepare(self._check_final(), self._side_rng(1))
        if isinstance(final, _BaseStacking) and final.guard is not None:
            raise ValueError(
                f"final_estimator: a stacking final estimator is fitted on the same folds "
                "as this layer, without a holdout of its own, so its guard would not run; "
                f"got final_estimator with guard={final.guard!r}. Set the guard on the "
                "outer stack and guard=None on the inner one.")
        if isinstance(final, _BaseStacking) and folds is not None:
            self.final_estimator_ = final._fit(meta, y_enc, sample_weight, folds=folds)
        else:
            self.final_estimator_ = fit_member(final, meta, y_enc, sample_weight,
                                               name="final_estimator")
        return self

    def _with_drops(self, values):
        it = iter(values)
        return [None if e == "drop" else next(it) for _, e in self.estimators]

    def _check_final(self):
        """The final estimator as given (or the default), checked; not a copy."""
        default = LogisticRegression() if is_classifier(self) else RidgeCV()
        final = self.final_estimator if self.final_estimator is not None else default
        kind, want = (("classifier", is_classifier) if is_classifier(self)
                      else ("regressor", is_regressor))
        if not want(final):
            raise ValueError(
                f"final_estimator must be a {kind} for {type(self).__name__}; "
                f"got {self.final_estimator!r}."
            )
        return final

    # -- the meta features ------------------------------------------------------------
    def _concatenate(self, predictions, methods, X):
        columns = []
        for pred, method in zip(predictions, methods):
            if pred.ndim == 1:
                pred = pred.reshape(-1, 1)
            elif method == "predict_proba" and self._n_classes_out() == 2:
                pred = pred[:, 1:]  # p(class 0) = 1 - p(class 1): a collinear column
            columns.append(pred)
        self._meta_widths = [(name, c.shape[1]) for name, c in zip(
            [n for n, e in self.estimators if e != "drop"], columns)]
        meta = np.hstack(columns).astype(float, copy=False)
        if not self.passthrough:
            return meta
        X = check_array(X, accept_sparse=["csr", "csc"], ensure_all_finite=False,
                        dtype=None)
        if sparse.issparse(X):
            return sparse.hstack([meta, X], format=X.format)
        return np.hstack([meta, np.asarray(X, dtype=float)])

    def _meta_features(self, fitted, methods, X):
        n_classes = self._n_classes_out()
        predictions = [_predict(est, X, m, n_classes) for est, m in zip(fitted, methods)]
        return self._concatenate(predictions, methods, X)

    def transform(self, X):
        """The final estimator's input: members' predictions (and X with passthrough)."""
        check_is_fitted(self, "estimators_")
        X = self._check_X(X, reset=False)
        members = getattr(self, "_prefit_members", None) or self.estimators_
        return self._meta_features(members, self._methods, X)

    def get_feature_names_out(self, input_features=None):
        """Names of ``transform``'s columns, as scikit-learn's stacking names them.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Used only with ``passthrough``: the names of X's columns, which must match
            ``feature_names_in_`` where it is set; None takes ``feature_names_in_``, or
            ``x0, x1, ...`` without it.

        Returns
        -------
        ndarray of str objects
            ``<estimator>_<member>`` for a member with one column (``<member>0``,
            ``<member>1``, ... for several), ``<estimator>`` being the class name in lower
            case (``stackingclassifier_lr0``); then X's names with ``passthrough``.
        """
        check_is_fitted(self, "estimators_")
        input_features = _check_feature_names_in(self, input_features,
                                                 generate_names=self.passthrough)
        prefix = type(self).__name__.lower()
        names = [f"{prefix}_{name}{i if width > 1 else ''}"
                 for name, width in self._meta_widths for i in range(width)]
        if self.passthrough:
            names += list(input_features)
        return np.asarray(names, dtype=object)

    # -- n_features_in_, delegated as scikit-learn's stacking ---------------------------
    @property
    def n_features_in_(self):
        """Number of features seen during fit.

        As scikit-learn's stacking: an ``AttributeError`` before fit, and the first
        member's when that member has no ``n_features_in_`` (a user's estimator that
        does not record it). The width of ``X`` is checked at predict time either way.
        """
        n_features = vars(self).get("_n_features_in")
        if n_features is None:
            raise AttributeError(
                f"{type(self).__name__} object has no attribute n_features_in_")
        first = self.estimators_[0] if getattr(self, "estimators_", None) else None
        if first is not None and not isinstance(first, FoldAverage):
            first.n_features_in_  # noqa: B018 - its AttributeError, as scikit-learn's
        return n_features

    @n_features_in_.setter
    def n_features_in_(self, value):
        self._n_features_in = value

    def _check_X(self, X, reset=True):
        X = super()._check_X(X, reset=reset)
        n_features = vars(self).get("_n_features_in")
        if not reset and n_features is not None and X.shape[1] != n_features:
            raise ValueError(  # validate_data skips it when the member hides the count
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{n_features} features as input."
            )
        return X

    # -- metadata routing ---------------------------------------------------------------
    def get_metadata_routing(self):
        """How metadata reach the members (``fit``) and the final estimator
        (``predict``); see :meth:`ensembles.base.BaseCombiner.get_metadata_routing`.

        Returns
        -------
        MetadataRouter
        """
        router = super().get_metadata_routing()
        final = getattr(self, "final_estimator_", None)
        if final is None:
            final = self._check_final()
        return router.add(final_estimator_=final,
                          method_mapping=MethodMapping().add(caller="predict",
                                                             callee="predict"))

    def _fallback(self, X, method, predict_params=None):
        """``method``'s output of the guard's fallback on ``X`` (encoded labels for
        ``predict``), or None when the stack predicts."""
        guard = vars(self).get("guard_")
        if guard is None or guard.decision == "stack":
            return None
        if predict_params:
            raise ValueError(
                f"predict parameters {sorted(predict_params)} go to the final estimator, "
                f"which the guard set aside (guard_.decision={guard.decision!r}); predict "
                "without them, or fit with guard=None.")
        check_is_fitted(self, "estimators_")
        X = self._check_X(X, reset=False)
        return fallback_output(self, X, guard.decision, guard.member, guard.voting, method)

    def _final_predict(self, X, predict_params):
        """The final estimator's ``predict`` on the meta features of ``X``, with
        ``predict_params`` (routed when metadata routing is enabled); the guard's
        fallback's when it chose one."""
        fallback = self._fallback(X, "predict", predict_params)
        if fallback is not None:
            return fallback
        if _routing_enabled():
            predict_params = process_routing(self, "predict", **predict_params)
            predict_params = predict_params.final_estimator_.predict
        meta = self.transform(X)
        return self.final_estimator_.predict(meta, **predict_params)


class StackingClassifier(ClassifierMixin, _BaseStacking):
    __doc__ = (
        """Stacked generalisation of any classifiers (nets, XGBoost, LightGBM, scikit-learn).

    Members are fitted once per cross-validation fold by the out-of-fold engine, which
    keeps the out-of-fold predictions (``cross_fit_.oof``) and the fold models' scores and
    times (the fold models themselves with ``keep_fold_models=True``); the final
    estimator learns from the out-of-fold predictions.

    Parameters
    ----------
    estimators : list of (str, estimator or "drop")
    final_estimator : classifier, default=None
        ``LogisticRegression()`` if None; may be another ``StackingClassifier`` (a second
        layer, cross-validated on the same folds; see the module's leakage rule).
    cv : int, splitter, iterable of (train, test) or "prefit", default=5
        Stratified k-fold for an int. ``"prefit"``: members are already fitted and the
        final estimator is trained on their predictions on the data given to ``fit``.
    stack_method : {"auto", "predict_proba", "decision_function", "predict"}
        ``"auto"`` takes the first a member has, in that order.
    passthrough : bool, default=False
        Append the original features to the final estimator's input.
    refit : bool, default=True
        True: refit each member on all rows (as scikit-learn does). False: keep the k
        fold models and average their predictions at predict time (one fit fewer per
        member).
    keep_fold_models : bool, default=False
        Keep every member's fold models in ``cross_fit_.fold_estimators`` after the fit.
        False: with ``refit=True`` each fold model is dropped as soon as it has made its
        out-of-fold predictions and been scored, since predicting needs only the members
        refitted on all rows; a :class:`~ensembles.engine.oof.DroppedModel` of a few
        bytes stands in for it, and the out-of-fold predictions, scores and times stay in
        ``cross_fit_``. A fold model weighs about as much as its refitted member, so
        keeping them makes the stack hold (and pickle to) up to ``cv + 1`` times its
        members. True: keep them, to inspect them or predict with them
        (``overfitting_report(stack, X, y, cv="prefit")`` needs them). With
        ``refit=False`` the fold models are the fitted members and are kept either way.
"""
        + _MEMORY_DOC
        + """    guard : None, float in (0, 1) or splitter, default=None
        The stacked-overfitting guard (:mod:`ensembles.combine.guard`). None: off. A
        fraction: hold out that share of the rows (stratified, seeded from
        ``random_state``); a splitter (``ShuffleSplit(n_splits=1, test_size=0.2)``, a
        group splitter does not get groups): its first split is (rest, holdout). The
        stack is fitted again on the rest, and it, a vote of the members and the member
        best out of fold are scored on the holdout (accuracy; weighted by
        ``sample_weight``): the stack is kept unless a fallback scores strictly higher,
        and the fitted estimator then predicts with that fallback (``guard_``). What
        is fitted on all rows is what an unguarded fit fits, the stack: its members
        refitted on all rows are the fallback's, and ``transform``,
        ``final_estimator_``, ``cross_fit_`` stay the stack's whatever the decision.
        Costs one more stack fit on the rest. Not with ``cv="prefit"``, an iterable
        ``cv`` or a multilabel target.
    n_jobs : int, default=None
        joblib workers over all (member, fold) fits.
    random_state : int, RandomState or None
        Draws the seeds of members whose ``random_state`` is unset.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        None leaves members as given; otherwise :func:`ensembles.set_device` on each.
    batch_nets : {"auto", True, False}, default="auto"
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

    Attributes
    ----------
    estimators_ : list
        Fitted members (``FoldAverage`` of the fold models when ``refit=False``).
    named_estimators_ : Bunch
    final_estimator_ : estimator
    stack_method_ : list of str
    cross_fit_ : CrossFit or None
        What the out-of-fold engine returned (None with ``cv="prefit"``): out-of-fold
        predictions, folds, scores, times, and the fold models (their
        :class:`~ensembles.engine.oof.DroppedModel` stand-ins unless
        ``keep_fold_models=True`` or ``refit=False``).
    guard_ : GuardDecision or None
        With ``guard``: the candidates' holdout and out-of-fold scores, the decision
        (``"stack"``, ``"voting"`` or ``"member"``) and its reason; ``predict``,
        ``predict_proba``, ``decision_function`` and ``score`` follow the decision. None
        without a guard.
    classes_ : ndarray

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import StackingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> stack = StackingClassifier(
    ...     [("tree", DecisionTreeClassifier(max_depth=3)),
    ...      ("lr", LogisticRegression(max_iter=500))], random_state=0).fit(X, y)
    >>> stack.score(X, y) > 0.9
    True
    """
    )

    def _encode_target(self, y):
        """A multilabel indicator matrix is encoded column by column (``classes_`` is
        then a list, one array per output), as scikit-learn's stacking does."""
        if y.ndim == 2 and y.shape[1] > 1 and type_of_target(y) == "multilabel-indicator":
            self._label_encoder = [LabelEncoder().fit(column) for column in y.T]
            self.classes_ = [encoder.classes_ for encoder in self._label_encoder]
            return np.column_stack([encoder.transform(column) for encoder, column
                                    in zip(self._label_encoder, y.T)])
        return super()._encode_target(y)

    def predict(self, X, **predict_params):
        """Predict the class labels with the final estimator.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        **predict_params : dict
            Passed to the final estimator's ``predict`` (routed to it when metadata
            routing is enabled).

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        encoded = self._final_predict(X, predict_params)
        if isinstance(self._label_encoder, list):  # multilabel
            return np.column_stack([encoder.inverse_transform(column) for encoder, column
                                    in zip(self._label_encoder, np.asarray(encoded).T)])
        return self._label_encoder.inverse_transform(encoded)

    @available_if(_has_final("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the final estimator.

        Multilabel: shape (n_samples, n_outputs), the probability of each label being
        present (where scikit-learn's stacking returns its class-0 column).
        """
        fallback = self._fallback(X, "predict_proba")
        if fallback is not None:
            return fallback
        meta = self.transform(X)
        proba = self.final_estimator_.predict_proba(meta)
        if isinstance(proba, list):  # a final estimator's multilabel output
            return np.column_stack([p[:, -1] for p in proba])
        return proba

    @available_if(_has_final("decision_function"))
    def decision_function(self, X):
        """Decision values of the final estimator (or of the member the guard chose)."""
        fallback = self._fallback(X, "decision_function")
        if fallback is not None:
            return fallback
        meta = self.transform(X)
        return self.final_estimator_.decision_function(meta)


class StackingRegressor(RegressorMixin, _BaseStacking):
    """Stacked generalisation of any regressors; see :class:`StackingClassifier`.

    ``final_estimator`` defaults to ``RidgeCV()``; ``stack_method`` is always
    ``predict``; ``guard`` holds out a plain (unstratified) share of the rows, compares
    R², and its vote is the mean of the members' predictions.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import RidgeCV
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import StackingRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> stack = StackingRegressor(
    ...     [("tree", DecisionTreeRegressor(max_depth=3)), ("ridge", RidgeCV())],
    ...     random_state=0).fit(X, y)
    >>> stack.score(X, y) > 0.4
    True
    """

    def predict(self, X, **predict_params):
        """Predict with the final estimator.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        **predict_params : dict
            Passed to the final estimator's ``predict`` (``return_std=True`` for a
            Gaussian process; routed to it when metadata routing is enabled).

        Returns
        -------
        ndarray of shape (n_samples,), or what the final estimator returns with
        ``predict_params``
        """
        return self._final_predict(X, predict_params)
