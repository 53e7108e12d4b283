"""What the voting estimators share: fitting the members, checking or learning the weights.

:class:`_BaseVoting` fits clones of the members on all rows through the out-of-fold
engine (and, for ``weights="auto"``, on its folds too), then keeps the given weights or
learns them with the subclass's ``_learn_weights``, whose losses are in
:mod:`ensembles._weights`. The public estimators are in :mod:`ensembles.voting`.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Bunch

from ._compat import StrOptions, _check_sample_weight, _fit_context
from ._members import MembersMixin


class _BaseVoting(MembersMixin, TransformerMixin, BaseEstimator):
    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", StrOptions({"auto"}), None],
        "cv": ["cv_object"],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "device": [None, str],
        "verbose": ["verbose"],
    }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit clones of the members on all rows (and learn the weights if asked).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every member (and used in the loss of ``weights="auto"``); a
            member that cannot take it raises a ``TypeError`` that names it.

        Returns
        -------
        self : object
        """
        members, X, y_enc, sample_weight = self._validate_fit(X, y, sample_weight)
        learn = self._check_weights() is None
        # Without weights to learn there is nothing to cross-validate: no folds, only
        # the fits on all rows (the engine still schedules them and names a failure).
        fitted, predictions = self._run_engine(
            members, X, y_enc, sample_weight, self._folds(X, y_enc) if learn else [],
            refit=True)
        if not learn:
            self.cross_fit_ = None
        return self._combine(fitted, predictions, X, y_enc, sample_weight)

    def _validate_fit(self, X, y, sample_weight):
        """Check parameters and data; return (members, X, y_enc, sample_weight)."""
        members = self._check_members()
        self._check_weights()
        self._check_voting_members(members)
        X = self._check_X(X)
        y_enc = self._check_target(X, y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
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
        it = iter(fitted)
        self.named_estimators_ = Bunch(**{
            name: next(it) if est != "drop" else "drop" for name, est in self.estimators
        })
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
                    f"weights must have one entry per estimator ({n}, 'drop' included); "
                    f"got {weights.size}."
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
