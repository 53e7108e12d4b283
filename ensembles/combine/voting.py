"""Voting: members fitted on all rows, their predictions averaged with weights.

Weights are given (``None``: equal; a list) or learned (``"auto"``) on the out-of-fold
predictions of the out-of-fold engine, by the losses of :mod:`ensembles.combine.weights`. The
fitting and the weights' checks shared by both estimators live in
:mod:`ensembles.combine.voting`; this module holds the two public estimators and how
their members' predictions are combined.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._compat import (
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _message_with_time,
)
from ..base import BaseCombiner
from ..engine.cache import _MEMORY_DOC, MEMORY
from ..engine.oof import _predict
from .weights import log_loss_weights, squared_error_weights, vote_weights

__all__ = ["VotingClassifier", "VotingRegressor"]


class _BaseVoting(BaseCombiner, TransformerMixin, BaseEstimator):
    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", StrOptions({"auto"}), None],
        "cv": ["cv_object"],
        "keep_fold_models": ["boolean"],
        "memory": MEMORY,
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "device": [None, str],
        "batch_nets": ["boolean", StrOptions({"auto"})],
        "verbose": ["verbose"],
    }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit clones of the members on all rows (and learn the weights if asked).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member (and used in the loss of ``weights="auto"``); a
            member that cannot take it raises a ``TypeError`` that names it. With
            metadata routing enabled, only members that request it get it.
        **fit_params : dict
            Only with ``sklearn.set_config(enable_metadata_routing=True)``: metadata
            routed to each member's ``fit`` as it requested (sliced to each fold's rows
            for ``weights="auto"``).

        Returns
        -------
        self : object
        """
        self._refuse_fit_params(fit_params)
        learn = isinstance(self.weights, str)  # "auto" (checked by the constraints)
        members, X, y_enc, sample_weight = self._validate_fit(X, y, sample_weight,
                                                              out_of_fold=learn)
        routed = self._route_fit(sample_weight, fit_params)
        # Without weights to learn there is nothing to cross-validate: no folds, only
        # the fits on all rows (the engine still schedules them and names a failure).
        fitted, predictions = self._run_engine(
            members, X, y_enc, sample_weight, self._folds(X, y_enc) if learn else [],
            refit=True, routed=routed)
        if self.verbose:
            self._print_fit_lines(members)
        if not learn:
            self.cross_fit_ = None
        return self._combine(fitted, predictions, X, y_enc, sample_weight)

    def _print_fit_lines(self, members):
        """scikit-learn's verbose lines on stdout, one per member fitted on all rows:
        ``[Voting] ... (1 of 2) Processing lr, total=   0.0s``."""
        for i, (name, _) in enumerate(members, start=1):
            seconds = self.cross_fit_.refit_times[name]
            print(_message_with_time("Voting", f"({i} of {len(members)}) Processing {name}",
                                     seconds), flush=True)

    def _validate_fit(self, X, y, sample_weight, out_of_fold=True):
        """Check parameters and data; return (members, X, y_enc, sample_weight).

        ``out_of_fold``: the members' out-of-fold outputs will be combined (learned
        weights, and the report and the benchmark, which rebuild the ensemble from
        them), so what the voting rule needs from each member is checked now. A plain
        fit with given weights checks it when predicting, as scikit-learn's.
        """
        members = self._check_members()
        self._check_weights()
        if out_of_fold:
            self._check_voting_members(members)
        X = self._check_X(X)
        y_enc = self._check_target(X, y)
        sample_weight = self._check_sample_weight(sample_weight, X)
        return members, X, y_enc, sample_weight

    def _oof_methods(self, members):
        return dict.fromkeys([name for name, _ in members], self._oof_method())

    def _combine(self, fitted, predictions, X, y_enc, sample_weight, folds=None):
        """Take ``fitted`` members; learn ``weights="auto"`` on their out-of-fold
        ``predictions`` (rows of ``y_enc``)."""
        weights = self._check_weights()
        kept = np.array([est != "drop" for _, est in self.estimators])
        if weights is None:
            weights = np.zeros(len(self.estimators))
            weights[kept] = self._learn_weights(predictions, y_enc, sample_weight)
        self.estimators_ = list(fitted)
        self.named_estimators_ = self._named_fitted(fitted)
        self.weights_ = weights
        self._active_weights = weights[kept]
        return self

    def _check_weights(self):
        """The given weights, one per estimator with 0 for a drop; None for "auto"."""
        if isinstance(self.weights, str):
            return None
        n = len(self.estimators)
        if self.weights is None:
            weights = np.ones(n)
        else:
            try:
                weights = np.array(self.weights, dtype=float)  # a copy: zeroed below
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"weights must be numbers, one per estimator; got {self.weights!r}."
                ) from exc
            if weights.ndim != 1 or len(weights) != n:
                raise ValueError(
                    f"Number of `estimators` and weights must be equal; got "
                    f"{weights.size} weights, {n} estimators (one weight per estimator, "
                    "'drop' included)."
                )
            if not np.all(np.isfinite(weights)) or np.any(weights < 0):
                raise ValueError(
                    f"weights must be finite and non-negative; got {self.weights!r}."
                )
        active = np.array([est != "drop" for _, est in self.estimators])
        weights[~active] = 0.0
        if weights.sum() == 0:
            raise ValueError(
                "weights of the members that are not 'drop' are all 0; give at least one "
                f"a positive weight; got {self.weights!r}."
            )
        return weights

    def _check_voting_members(self, members):
        """What the voting rule needs from each member (the classifier overrides it)."""

    def _members_predict(self, X):
        """Members' ``predict`` as columns, shape (n_samples, n_members)."""
        return np.column_stack([_as_column(est.predict(X)) for est in self.estimators_])

    @property
    def _output_prefix(self):
        return type(self).__name__.lower()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


def _as_column(prediction):
    prediction = np.asarray(prediction)
    return prediction.reshape(-1) if prediction.ndim == 2 and prediction.shape[1] == 1 \
        else prediction


def _soft(self):
    if self.voting != "soft":
        raise AttributeError(
            f"predict_proba is not available when voting={self.voting!r}; "
            "use voting='soft'."
        )
    return True


class VotingClassifier(ClassifierMixin, _BaseVoting):
    __doc__ = (
        """Soft or hard voting over any classifiers, with given or learned weights.

    Each member is cloned and fitted on all rows; ``"soft"`` voting averages their
    probabilities with ``weights``, ``"hard"`` voting takes the class with the largest
    weighted number of votes. With ``weights="auto"`` the weights are learned on
    out-of-fold predictions (each member is also fitted ``cv`` times, all in one
    parallel batch with the fits on all rows).

    The default is ``voting="soft"``, not scikit-learn's ``"hard"``: the learners this
    library combines (nets, XGBoost, LightGBM) all give probabilities, soft voting makes
    ``predict_proba`` available to probability scorers (log-loss, ROC AUC) and to a
    stack above, and ``weights="auto"`` learns on probabilities. A member without
    ``predict_proba`` gets an error that suggests ``voting="hard"``.

    Parameters
    ----------
    estimators : list of (str, estimator or "drop")
        The members; cloned before fitting (what is given is not touched).
    voting : {"soft", "hard"}, default="soft"
        ``"soft"``: argmax of the weighted average of members' probabilities (every
        member needs ``predict_proba``). ``"hard"``: weighted majority of predicted
        labels; ties go to the class that comes first in ``classes_``.
    weights : array-like of shape (n_estimators,), "auto" or None, default=None
        One non-negative weight per estimator, ``'drop'`` included (its weight is
        ignored); only their ratios matter. None: equal weights. ``"auto"``: learned on
        the members' out-of-fold predictions, non-negative and summing to 1. Soft
        voting: the weights that minimise the log-loss of the weighted average
        probability. Hard voting: the weights of the softmax over weighted vote counts
        (with a fitted temperature) of least log-loss; its argmax is the weighted vote,
        so the weights are learned on what is voted, from labels alone (members need no
        ``predict_proba``), and a member whose votes add nothing gets 0.
    flatten_transform : bool, default=True
        Soft voting only: ``transform`` returns (n_samples, n_members * n_classes) if
        True, (n_members, n_samples, n_classes) if False.
    cv : int, splitter or iterable of (train, test), default=5
        The folds for ``weights="auto"`` (stratified k-fold for an int); unused
        otherwise.
    keep_fold_models : bool, default=False
        With ``weights="auto"``: keep every member's fold models in
        ``cross_fit_.fold_estimators``. False drops each one as soon as it has made its
        out-of-fold predictions and been scored (voting predicts with the members fitted
        on all rows); a :class:`~ensembles.engine.oof.DroppedModel` of a few bytes stands
        in for it and the out-of-fold predictions, scores and times stay. True keeps them
        (``overfitting_report(vote, X, y, cv="prefit")`` needs them).
"""
        + _MEMORY_DOC
        + """    n_jobs : int, default=None
        joblib workers over all member (and fold) fits.
    random_state : int, RandomState or None, default=None
        Draws the seeds of members whose ``random_state`` is unset.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        None leaves members as given; otherwise :func:`ensembles.set_device` on each.
    batch_nets : {"auto", True, False}, default="auto"
        The fits of a member that is one of our nets (:class:`~ensembles.NetClassifier`,
        :class:`~ensembles.NetRegressor`): its fold models (``weights="auto"``) and its fit
        on all rows, are trained together as one batched model, in one task: each equals its
        own fit to float32 rounding, and small nets train several times faster. "auto"
        batches the nets that can be (the default MLP without dropout or batch
        normalisation, Adam or AdamW, no learning-rate schedule or extra callbacks) and fits
        the others fold by fold; True raises a ``ValueError`` saying why when a net member
        cannot be batched; False never batches (see :func:`ensembles.engine.oof.cross_fit`).
    verbose : int, default=0
        A progress bar over the fits when > 0.

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted members that are not ``'drop'``, fitted on integer-encoded labels.
    named_estimators_ : Bunch
        Fitted members by name (``'drop'`` for a dropped one).
    weights_ : ndarray of shape (n_estimators,)
        The weights used, one per estimator with 0 for ``'drop'``: as given (unnormalised)
        for a list, ones for None, learned (summing to 1) for ``"auto"``.
    cross_fit_ : CrossFit or None
        What the out-of-fold engine returned for ``weights="auto"``; None otherwise.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Only when ``X`` has string column names.

    See Also
    --------
    VotingRegressor
    StackingClassifier : learns a whole model, not just weights, on the members' output.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from ensembles import VotingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> vote = VotingClassifier(
    ...     [("tree", DecisionTreeClassifier(max_depth=3)),
    ...      ("lr", LogisticRegression(max_iter=500)),
    ...      ("guess", DummyClassifier(strategy="uniform"))],
    ...     weights="auto", random_state=0).fit(X, y)
    >>> vote.score(X, y) > 0.9
    True
    >>> float(vote.weights_[2])  # the uniform guess gets no weight
    0.0
    """
    )

    _parameter_constraints = {
        **_BaseVoting._parameter_constraints,
        "voting": [StrOptions({"hard", "soft"})],
        "flatten_transform": ["boolean"],
    }

    def __init__(self, estimators, *, voting="soft", weights=None, flatten_transform=True,
                 cv=5, keep_fold_models=False, memory=None, n_jobs=None, random_state=None,
                 device=None, batch_nets="auto", verbose=0):
        self.estimators = estimators
        self.voting = voting
        self.weights = weights
        self.flatten_transform = flatten_transform
        self.cv = cv
        self.keep_fold_models = keep_fold_models
        self.memory = memory
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.batch_nets = batch_nets
        self.verbose = verbose

    def _check_voting_members(self, members, error=ValueError):
        if self.voting != "soft":
            return
        for name, est in members:
            if not hasattr(est, "predict_proba"):
                raise error(
                    f"voting='soft' needs predict_proba from every member; member {name!r} "
                    f"({type(est).__name__}) has none. Use voting='hard', or a member that "
                    "gives probabilities (e.g. SVC(probability=True))."
                )

    def _encode_target(self, y):
        if y.ndim == 2 and y.shape[1] > 1:
            raise NotImplementedError(
                f"{type(self).__name__} only supports binary or multiclass classification. "
                "Multilabel and multi-output classification are not supported (y has shape "
                f"{y.shape}); StackingClassifier takes a multilabel target."
            )
        return super()._encode_target(y)

    def _oof_method(self):
        return "predict_proba" if self.voting == "soft" else "predict"

    def _learn_weights(self, oof, y_enc, sample_weight):
        if self.voting == "hard":
            labels = np.column_stack([_as_column(pred) for pred in oof])
            return vote_weights(labels, y_enc, len(self.classes_), sample_weight)
        rows = np.arange(len(y_enc))
        scores = np.column_stack([proba[rows, y_enc] for proba in oof])
        return log_loss_weights(scores, sample_weight)

    def _collect_probas(self, X):
        # Checked here, not at fit (as scikit-learn's): a member without probabilities
        # fits, and soft voting's outputs are refused when asked for.
        self._check_voting_members([(n, e) for n, e in self.named_estimators_.items()
                                    if e != "drop"], error=AttributeError)
        n_classes = len(self.classes_)
        return np.asarray([_predict(est, X, "predict_proba", n_classes)
                           for est in self.estimators_])

    def _votes(self, X):
        """Weighted vote count per class, shape (n_samples, n_classes)."""
        labels = self._members_predict(X).astype(np.intp)
        votes = np.zeros((len(labels), len(self.classes_)))
        rows = np.arange(len(labels))
        for column, weight in zip(labels.T, self._active_weights):
            votes[rows, column] += weight
        return votes

    def predict(self, X):
        """Predict class labels: the weighted soft or hard vote of the members.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "estimators_")
        if self.voting == "soft":
            encoded = self.predict_proba(X).argmax(axis=1)
        else:
            encoded = self._votes(self._check_X(X, reset=False)).argmax(axis=1)
        return self._label_encoder.inverse_transform(encoded)

    @available_if(_soft)
    def predict_proba(self, X):
        """Weighted average of the members' class probabilities (soft voting only).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "estimators_")
        X = self._check_X(X, reset=False)
        return np.average(self._collect_probas(X), axis=0, weights=self._active_weights)

    def transform(self, X):
        """Members' probabilities (soft voting) or encoded predicted labels (hard).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray
            Soft voting: (n_samples, n_members * n_classes) with ``flatten_transform``,
            else (n_members, n_samples, n_classes). Hard voting: (n_samples, n_members)
            of labels encoded as indices into ``classes_``, as scikit-learn's.
        """
        check_is_fitted(self, "estimators_")
        X = self._check_X(X, reset=False)
        if self.voting == "hard":
            return self._members_predict(X)
        probas = self._collect_probas(X)
        return np.hstack(probas) if self.flatten_transform else probas

    def get_feature_names_out(self, input_features=None):
        """Names of ``transform``'s columns, as scikit-learn's voting names them.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self, "estimators_")
        if self.voting == "soft" and not self.flatten_transform:
            raise ValueError(
                "get_feature_names_out is not supported when `voting='soft'` and "
                "`flatten_transform=False`: transform's output is 3-D. Set "
                "flatten_transform=True."
            )
        _check_feature_names_in(self, input_features, generate_names=False)
        names = [name for name, est in self.estimators if est != "drop"]
        if self.voting == "hard":
            return np.asarray([f"{self._output_prefix}_{n}" for n in names], dtype=object)
        return np.asarray([f"{self._output_prefix}_{n}{i}" for n in names
                           for i in range(len(self.classes_))], dtype=object)


class VotingRegressor(RegressorMixin, _BaseVoting):
    """Weighted average of any regressors, with given or learned weights.

    Each member is cloned and fitted on all rows; the prediction is the weighted
    average of theirs. With ``weights="auto"`` the weights are learned on out-of-fold
    predictions (each member is also fitted ``cv`` times, all in one parallel batch
    with the fits on all rows).

    Parameters
    ----------
    estimators : list of (str, estimator or "drop")
        The members; cloned before fitting (what is given is not touched).
    weights : array-like of shape (n_estimators,), "auto" or None, default=None
        One non-negative weight per estimator, ``'drop'`` included (its weight is
        ignored); only their ratios matter. None: equal weights. ``"auto"``: learned,
        non-negative and summing to 1, to minimise the squared error of the weighted
        average of the members' out-of-fold predictions.
    cv, keep_fold_models, memory, n_jobs, random_state, device, batch_nets, verbose
        As in :class:`VotingClassifier` (an int ``cv`` means plain k-fold here).

    Attributes
    ----------
    estimators_ : list of regressors
        The fitted members that are not ``'drop'``.
    named_estimators_ : Bunch
        Fitted members by name (``'drop'`` for a dropped one).
    weights_ : ndarray of shape (n_estimators,)
        The weights used, one per estimator with 0 for ``'drop'``: as given (unnormalised)
        for a list, ones for None, learned (summing to 1) for ``"auto"``.
    cross_fit_ : CrossFit or None
        What the out-of-fold engine returned for ``weights="auto"``; None otherwise.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Only when ``X`` has string column names.

    See Also
    --------
    VotingClassifier
    StackingRegressor : learns a whole model, not just weights, on the members' output.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import VotingRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> vote = VotingRegressor(
    ...     [("tree", DecisionTreeRegressor(max_depth=3)), ("ridge", Ridge(alpha=0.1))],
    ...     weights="auto", random_state=0).fit(X, y)
    >>> vote.score(X, y) > 0.4
    True
    >>> bool(abs(vote.weights_.sum() - 1) < 1e-9) and bool((vote.weights_ >= 0).all())
    True
    """

    def __init__(self, estimators, *, weights=None, cv=5, keep_fold_models=False,
                 memory=None, n_jobs=None, random_state=None, device=None, batch_nets="auto",
                 verbose=0):
        self.estimators = estimators
        self.weights = weights
        self.cv = cv
        self.keep_fold_models = keep_fold_models
        self.memory = memory
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.batch_nets = batch_nets
        self.verbose = verbose

    def _oof_method(self):
        return "predict"

    def _learn_weights(self, oof, y, sample_weight):
        return squared_error_weights(np.column_stack([_as_column(p) for p in oof]), y,
                                     sample_weight)

    def predict(self, X):
        """Weighted average of the members' predictions.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "estimators_")
        X = self._check_X(X, reset=False)
        return np.average(self._members_predict(X), axis=1, weights=self._active_weights)

    def transform(self, X):
        """Members' predictions, one column each.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_members)
        """
        check_is_fitted(self, "estimators_")
        return self._members_predict(self._check_X(X, reset=False))

    def get_feature_names_out(self, input_features=None):
        """Names of ``transform``'s columns: ``votingregressor_<member>``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self, "estimators_")
        _check_feature_names_in(self, input_features, generate_names=False)
        return np.asarray([f"{self._output_prefix}_{name}" for name, est in self.estimators
                           if est != "drop"], dtype=object)
