"""The one base of every ensemble, and the protocol the engine and the reports rely on.

:class:`BaseEnsemble` holds what every meta-learner of the package does the same way:
the input checks (``X`` keeps its type for the members; ``y`` is checked and, for a
classifier, encoded once as 0..K-1), the input tags forwarded from the members, and ONE
way to get a sub-estimator ready to fit, :meth:`BaseEnsemble._prepare`: clone it, seed
every ``random_state`` left at None inside it, and place it on ``device``. Members, a
stack's ``final_estimator``, gradient boosting's ``init`` and nested ensembles all go
through it, so a fix to seeding or placing lands once.

Two families build on it:

- :class:`BaseCombiner`: ensembles of a list of (name, estimator) members, combined from
  the out-of-fold engine's fits (voting, stacking, ensemble selection). It declares the
  protocol that :func:`ensembles.overfitting_report` and :func:`ensembles.benchmark` use
  to rebuild an ensemble per fold from the engine's fits without refitting its members:
  :meth:`~BaseCombiner._validate_fit`, :meth:`~BaseCombiner._oof_methods`,
  :meth:`~BaseCombiner._combine`.
- :class:`BaseOneLearner`: ensembles of copies of one learner (bagging, AdaBoost,
  gradient boosting), each with its own loop over members.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.frozen import FrozenEstimator
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils.validation import check_array

from ._compat import (
    MetadataRouter,
    MethodMapping,
    _BaseComposition,
    _raise_for_params,
    _routing_enabled,
    process_routing,
    validate_data,
)
from ._validation import (
    check_numeric_target,
    check_same_rows,
    check_sample_weight,
    encode_labels,
)
from .engine.oof import FoldAverage, cross_fit, make_folds
from .engine.replay import UserLabels
from .learners.device import set_device

__all__ = ["MAX_SEED", "BaseCombiner", "BaseEnsemble", "BaseOneLearner", "draw_member_seeds",
           "prepare"]

_STACK_METHODS = ("predict_proba", "decision_function", "predict")
#: Seeds are drawn below this (the largest that every library takes as a seed).
MAX_SEED = np.iinfo(np.int32).max


def draw_member_seeds(estimator, rng):
    """Give every unset ``random_state`` inside ``estimator`` a seed drawn from ``rng``.

    Seeds the user set are kept (so a member matches the same member fitted alone);
    unset ones are drawn here, before any parallel work, so that the result does not
    depend on ``n_jobs`` or scheduling order. Nested estimators (a Pipeline's steps, an
    ensemble's members and final estimator) are reached through ``get_params(deep=True)``.
    """
    params = estimator.get_params(deep=True)
    seeds = {
        key: int(rng.randint(MAX_SEED))
        for key in sorted(params)
        if (key == "random_state" or key.endswith("__random_state")) and params[key] is None
    }
    if seeds:
        estimator.set_params(**seeds)
    return estimator


def prepare(estimator, rng=None, device=None):
    """A clone of ``estimator`` ready to fit: every ``random_state`` inside it that is
    None seeded from ``rng`` (None: seeds left alone), and placed on ``device`` (None:
    left as given). The given object is never changed. The one way the package readies
    a sub-estimator: members, final estimators, ``init``, the benchmark's models."""
    estimator = clone(estimator)
    if rng is not None:
        draw_member_seeds(estimator, rng)
    if device is not None:
        set_device(estimator, device)
    return estimator


class InvalidMembersError(TypeError, ValueError):
    """A member of ``estimators`` that is not a (str, estimator) pair: a ``TypeError``
    (a wrong type) that scikit-learn's callers catch as the ``ValueError`` it raises."""


class BaseEnsemble(BaseEstimator):
    """What every ensemble shares: input checks, tags, and preparing sub-estimators.

    Subclasses define :meth:`_tag_sources` (the unfitted sub-estimators whose input tags
    the ensemble carries) and may refine :meth:`_encode_target`.
    """

    #: ``check_array`` options of :meth:`_check_X` beyond the shared ones (AdaBoost:
    #: ``{"allow_nd": True}``, as scikit-learn's, which leaves n-D X to its members).
    _X_options = {}

    # -- sub-estimators -----------------------------------------------------------------
    def _tag_sources(self):
        """The sub-estimators, as given, whose input tags the ensemble forwards."""
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            sources = [get_tags(est).input_tags for est in self._tag_sources()]
            tags.input_tags.allow_nan = all(t.allow_nan for t in sources)
            tags.input_tags.sparse = all(t.sparse for t in sources)
        except Exception:  # noqa: BLE001 - malformed estimators are reported by fit
            pass
        return tags

    def _prepare(self, estimator, rng=None):
        """:func:`prepare` ``estimator`` for this ensemble (its ``device``)."""
        return prepare(estimator, rng, getattr(self, "device", None))

    def _side_rng(self, stream):
        """A random stream for sub-estimators fitted apart from the members (a stack's
        final estimator, gradient boosting's ``init``): an int ``random_state`` gives a
        stream of its own (numbered ``stream``) rather than the members' stream again, so
        the final estimator's seed is not the first member's; None or a ``RandomState``
        give what ``check_random_state`` gives."""
        if isinstance(self.random_state, numbers.Integral):
            seed = np.random.SeedSequence([int(self.random_state), stream]).generate_state(1)
            return np.random.RandomState(int(seed[0]) % MAX_SEED)
        return check_random_state(self.random_state)

    def _check_kind(self, estimator, what, kind=None):
        """Raise a ``ValueError`` when ``estimator`` is of the other kind than ``kind``
        ("classifier" or "regressor"; default: this ensemble's kind).

        Only an estimator of the wrong kind is refused (a regressor in a classifier
        ensemble): one that declares no kind at all, such as a user's class built on
        ``BaseEstimator`` with ``fit`` and ``predict``, is taken as it is (duck typing);
        what it lacks (``predict_proba`` for soft voting, ...) gets its own error.
        """
        if kind is None:
            kind = "classifier" if is_classifier(self) else "regressor"
        wrong = is_regressor if kind == "classifier" else is_classifier
        if wrong(estimator):
            raise ValueError(
                f"{what} must be a {kind} for {type(self).__name__}; got {estimator!r}."
            )

    # -- data ---------------------------------------------------------------------------
    def _check_X(self, X, reset=True):
        """Check X's shape and record (``reset``) or compare its columns; return X fit for
        the members.

        Members validate their own values (a LightGBM member may want a DataFrame with
        categoricals, a HistGradientBoosting member accepts NaN), so X keeps its type and
        values: a DataFrame stays a DataFrame; anything else becomes a 2-D array or a
        CSR/CSC matrix that can be indexed by rows. :attr:`_X_options` adds to or
        overrides the ``check_array`` options.
        """
        if not hasattr(X, "iloc"):
            X = check_array(X, **{"accept_sparse": ["csr", "csc"], "dtype": None,
                                  "ensure_all_finite": False, **self._X_options})
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _check_target(self, X, y):
        """Check ``y`` against ``X``; return it as :meth:`_encode_target` makes it."""
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but the "
                "target y is None."
            )
        y = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
        check_same_rows(X, y)
        return self._encode_target(y)

    def _check_sample_weight(self, sample_weight, X, *, dtype=None, copy=False):
        """``sample_weight`` checked once for this ensemble (see
        :func:`~ensembles._validation.check_sample_weight`); None stays None."""
        return check_sample_weight(sample_weight, X, type(self).__name__, dtype=dtype,
                                   copy=copy)

    def _encode_target(self, y):
        """Classifiers: labels encoded once as 0..K-1 (``classes_`` keeps the user's);
        regressors: a numeric 1-D target."""
        if is_classifier(self):
            return encode_labels(self, y)
        return check_numeric_target(y, type(self).__name__, estimator=self)


class BaseOneLearner(BaseEnsemble):
    """Ensembles of copies of one learner, ``estimator`` (bagging, AdaBoost, gradient
    boosting); subclasses define :meth:`_default_estimator`."""

    def _default_estimator(self):
        """The learner used when ``estimator`` is None."""
        raise NotImplementedError

    def _template(self):
        """The learner every member is prepared from, as given (not a copy)."""
        return self._default_estimator() if self.estimator is None else self.estimator

    def _tag_sources(self):
        return [self._template()]

    def _encode_target(self, y):
        y = super()._encode_target(y)
        if is_classifier(self):
            self.n_classes_ = len(self.classes_)
        return y

    # -- the fitted members as a sequence, as scikit-learn's ``BaseEnsemble`` -------------
    def __len__(self):
        """The number of fitted members (``len(estimators_)``)."""
        return len(self.estimators_)

    def __getitem__(self, index):
        """The ``index``-th fitted member (``estimators_[index]``)."""
        return self.estimators_[index]

    def __iter__(self):
        """Iterate over the fitted members (``estimators_``)."""
        return iter(self.estimators_)


class BaseCombiner(_BaseComposition, BaseEnsemble):
    """Ensembles of a list of (name, estimator) members combined from the out-of-fold
    engine's fits: voting, stacking, ensemble selection.

    ``fit`` is ``_validate_fit`` -> one engine run (:meth:`_run_engine`) -> ``_combine``.
    The overfitting report and the benchmark run the engine themselves (once for all the
    ensembles of the same base models) and call the same two ends, so the protocol below
    is all they use of an ensemble.
    """

    _required_parameters = ["estimators"]
    #: Members of either kind are taken (stacking: a regressor's prediction is a feature
    #: of a classifier's final estimator too, as in scikit-learn); else only the
    #: ensemble's kind, or members that declare none.
    _members_of_any_kind = False

    # -- the protocol -------------------------------------------------------------------
    def _validate_fit(self, X, y, sample_weight):
        """Check the parameters and the data of a fit.

        Returns
        -------
        members : list of (str, estimator)
            The members that are not ``'drop'``, as given (unfitted, not cloned).
        X : array-like
            ``X`` as the members get it (see :meth:`_check_X`).
        y_enc : ndarray
            The target, integer-encoded for classifiers (``classes_`` set).
        sample_weight : ndarray or None
        """
        raise NotImplementedError

    def _oof_methods(self, members):
        """Member name -> the prediction method whose out-of-fold output ``_combine``
        needs (None: the member's out-of-fold predictions are not needed)."""
        raise NotImplementedError

    def _combine(self, fitted, predictions, X, y_enc, sample_weight, folds=None):
        """Set the fitted ensemble from fitted ``members`` and their out-of-fold
        ``predictions`` (one array per member, rows of ``X``; None when no folds ran);
        ``folds`` are the splits the predictions came from. Returns ``self``."""
        raise NotImplementedError

    # -- nested parameters, as scikit-learn's heterogeneous ensembles -------------------
    @property
    def named_estimators(self):
        """The members as given, by name (a ``Bunch``)."""
        return Bunch(**dict(self.estimators))

    def get_params(self, deep=True):
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        for key in params:  # what scikit-learn leaves to an AttributeError on None/list
            head, _, rest = key.partition("__")
            if rest and head == "estimators":
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}: a member's "
                    f"parameter is named by the member: '{rest}' (in a Pipeline step "
                    f"'stack': 'stack__{rest}')."
                )
            if (rest and head not in params and head in self.get_params(deep=False)
                    and getattr(self, head) is None):
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}: {head} is None "
                    f"(the default is built at fit), so it has no parameter '{rest}'; "
                    f"give {head} explicitly to tune it."
                )
        self._set_params("estimators", **params)
        return self

    def _tag_sources(self):
        return [est for _, est in self.estimators if est != "drop"]

    # -- validation -----------------------------------------------------------------------
    def _check_members(self):
        """Validate ``estimators``; return the (name, estimator) pairs not dropped.

        The errors carry scikit-learn's sentences (its tests match them), then ours.
        """
        owner = type(self).__name__
        invalid = ("Invalid 'estimators' attribute, 'estimators' should be a non-empty "
                   "list of (string, estimator) tuples")
        if not isinstance(self.estimators, list | tuple) or len(self.estimators) == 0:
            raise ValueError(f"{invalid}; {owner} got {self.estimators!r}.")
        for item in self.estimators:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise InvalidMembersError(
                    f"{invalid}; {owner} got {item!r}, not a (str, estimator) tuple."
                )
        names = [name for name, _ in self.estimators]
        self._validate_names(names)
        members = [(n, est) for n, est in self.estimators if est != "drop"]
        if not members:
            raise ValueError(
                "All estimators are dropped. At least one is required to be an estimator "
                f"(every member of {owner} is 'drop')."
            )
        for name, est in members:
            if not hasattr(est, "fit"):
                raise TypeError(
                    f"member {name!r} of {owner} must be an estimator with fit or 'drop'; "
                    f"got {est!r}."
                )
            if not self._members_of_any_kind:
                self._check_kind(est, f"member {name!r}")
        return members

    def _check_stack_method(self, name, estimator, method):
        """The prediction method a member contributes with (scikit-learn's "auto" rule)."""
        if not is_classifier(self):
            return "predict"
        candidates = _STACK_METHODS if method == "auto" else (method,)
        for candidate in candidates:
            if hasattr(estimator, candidate):
                return candidate
        kind = type(estimator).__name__
        raise ValueError(
            f"Underlying estimator {kind} does not implement the method {method}: member "
            f"{name!r} ({kind}) has no {method!r} method, needed by {type(self).__name__}."
        )

    def _named_fitted(self, fitted):
        """``named_estimators_``: fitted members by name, ``'drop'`` for a dropped one;
        no entry for a member the engine left out for a time limit
        (``cross_fit_.skipped``)."""
        skipped = getattr(getattr(self, "cross_fit_", None), "skipped", {})
        it = iter(fitted)
        return Bunch(**{name: "drop" if est == "drop" else next(it)
                        for name, est in self.estimators if name not in skipped})

    # -- metadata routing -----------------------------------------------------------------
    def get_metadata_routing(self):
        """How ``fit``'s metadata reach the members (scikit-learn's metadata routing).

        Each member's ``fit`` gets what it requested (``set_fit_request``), in every
        fold and in the fit on all rows. Only used with
        ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        MetadataRouter
        """
        router = MetadataRouter(owner=self)
        for name, est in self.estimators:
            if est != "drop":
                router.add(**{name: est},
                           method_mapping=MethodMapping().add(caller="fit", callee="fit"))
        return router

    def _refuse_fit_params(self, fit_params):
        """With metadata routing off, ``fit`` takes no parameter beyond
        ``sample_weight``: scikit-learn's error, raised before anything is checked."""
        if not _routing_enabled():
            _raise_for_params(fit_params, self, "fit")

    def _route_fit(self, sample_weight, fit_params):
        """(weight for every member, {member name: fit params}) for :meth:`_run_engine`.

        Routing off (scikit-learn's default): ``sample_weight`` goes to every member (a
        member that cannot take it is named in a ``TypeError``) and any other parameter
        is refused with scikit-learn's error. Routing on: each member gets only what it
        requested, ``sample_weight`` included, and what is passed but not requested or
        refused raises scikit-learn's ``UnsetMetadataPassedError``.
        """
        if not _routing_enabled():
            self._refuse_fit_params(fit_params)
            return sample_weight, None
        params = dict(fit_params)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        routed = process_routing(self, "fit", **params)
        return None, {name: dict(routed[name].fit) for name, est in self.estimators
                      if est != "drop"}

    # -- the engine -----------------------------------------------------------------------
    def _prepared_members(self, members):
        """Members ready for the engine (see :meth:`BaseEnsemble._prepare`), their seeds
        drawn in order from ``random_state``."""
        rng = check_random_state(getattr(self, "random_state", None))
        return [(name, self._speaking_encoded(name, self._prepare(est, rng)))
                for name, est in members]

    def _speaking_encoded(self, name, estimator, prefit=False):
        """``estimator`` as a member that answers in the encoded labels: a classifier
        fitted on the user's labels (``prefit``, or a ``FrozenEstimator``, whose fit
        does nothing) is wrapped in :class:`~ensembles.engine.replay.UserLabels`."""
        if not (prefit or isinstance(estimator, FrozenEstimator)):
            return estimator
        if self._n_classes_out() is None:  # a regressor, or multilabel 0/1 columns
            return estimator
        # fitted already: a member whose labels are not y's is named before any fit
        return UserLabels(estimator, self.classes_, name).aligned()

    def _n_classes_out(self):
        """The number of classes members' outputs are aligned on; None for a regressor
        or a multilabel target (one output per label, left as the member gives them)."""
        classes = getattr(self, "classes_", None)
        if not is_classifier(self) or classes is None or isinstance(classes, list):
            return None
        return len(classes)

    def _folds(self, X, y_enc, groups=None):
        return make_folds(self.cv, X, y_enc, classifier=is_classifier(self), groups=groups)

    def _run_engine(self, members, X, y_enc, sample_weight, folds, *, refit,
                    routed=None, deadline=None):
        """One run of the out-of-fold engine (sets ``cross_fit_``); return the fitted
        members (refitted on all rows, or their fold models averaged) and their
        out-of-fold predictions (None without folds).

        ``routed``: what :meth:`_route_fit` gave (None: ``sample_weight`` to every
        member).

        ``deadline`` (a ``time.time()``; see :func:`~ensembles.engine.oof.cross_fit`):
        the members with a fit that did not start by then are left out of what is
        returned (``cross_fit_.skipped`` names them; :meth:`_named_fitted` leaves them
        out too).

        The fold models are dropped in the engine's workers (``keep_models=False``)
        unless ``keep_fold_models`` asks for them or, without ``refit``, they are the
        fitted members."""
        names = [name for name, _ in members]
        n_classes = self._n_classes_out()
        member_weight, fit_params = (sample_weight, None) if routed is None else routed
        keep_models = bool(getattr(self, "keep_fold_models", True)) or not refit
        self.cross_fit_ = cross_fit(
            self._prepared_members(members), X, y_enc, folds=folds,
            methods=self._oof_methods(members) if folds else None,
            sample_weight=member_weight, refit=refit, n_classes=n_classes,
            n_jobs=self.n_jobs, verbose=self.verbose, desc=type(self).__name__,
            fit_params=fit_params, batch_nets=getattr(self, "batch_nets", "auto"),
            keep_models=keep_models, deadline=deadline,
            memory=getattr(self, "memory", None),
        )
        names = [name for name in names if name in self.cross_fit_.names]
        if refit:
            fitted = [self.cross_fit_.full_estimators[n] for n in names]
        else:
            fitted = [FoldAverage(self.cross_fit_.fold_estimators[n], n_classes)
                      for n in names]
        predictions = [self.cross_fit_.oof[n] for n in names] if folds else None
        return fitted, predictions
