"""The boosting loop shared by the AdaBoost estimators, and the maths of each step.

The loop keeps scikit-learn's order of operations (weights floored at machine epsilon,
the member fitted, its step taken, weights renormalised) so that SAMME gives scikit-learn's
predictions with a deterministic member. What it adds: any member, through ``sample_weight``
where its ``fit`` takes it and by weighted resampling where not; member seeds drawn up front
from ``random_state``; a device for the members; failures that name the round.
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _check_y,
    _fit_context,
    _num_samples,
    _safe_indexing,
    validate_data,
)
from ._members import draw_member_seeds
from ._validation import encode_labels, warn_user
from .learners.device import set_device
from .oof import _progress, check_accepts_sample_weight, fit_member

__all__ = []


class _BaseAdaBoost(BaseEstimator):
    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "resample": ["boolean", StrOptions({"auto"})],
        "random_state": ["random_state"],
        "device": [None, str],
        "verbose": ["verbose"],
    }

    # -- what the subclasses define ---------------------------------------------------
    def _default_estimator(self):
        raise NotImplementedError

    def _check_member(self, member):
        """Raise if ``member`` cannot be boosted by this estimator."""

    def _member_output(self, member, X):
        """What the step needs from a fitted member (labels, probabilities, values)."""
        raise NotImplementedError

    def _boost(self, output, y, sample_weight, last):
        """One step: ``(new weights or None to stop, member weight, member error)``, or
        None to discard the member and stop."""
        raise NotImplementedError

    # -- fitting ----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)  # estimator: validated by its fit
    def fit(self, X, y, sample_weight=None):
        """Build the boosted ensemble from the training set (X, y).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Passed to the members as given (a DataFrame stays a DataFrame).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Initial row weights (normalised to sum to 1); equal if None.

        Returns
        -------
        self : object
        """
        template = self._template()
        resample = self._check_resample(template)
        X = self._check_X(X, reset=True)
        y = self._check_target(X, y)
        weight = _check_sample_weight(sample_weight, X, dtype=np.float64, copy=True,
                                      ensure_non_negative=True)
        total = weight.sum()
        weight /= total
        # Members get the weights back on the user's scale (mean 1 when none were given),
        # as they would if fitted alone: XGBoost's min_child_weight, LightGBM's
        # min_sum_hessian_in_leaf or an SVM's C mean what they say only on that scale
        # (scikit-learn passes weights summing to 1). The factor is the power of two
        # nearest the total, so the rescaling is exact in floating point: a tree then
        # sums exactly what it sums in scikit-learn's AdaBoost, and where AdaBoost
        # amplifies the last bit (SAMME.R with deep trees) the results stay identical.
        scale = 2.0 ** np.round(np.log2(total))

        # Every member's seeds and every round's resampling seed are drawn before the
        # first fit, so round i does not depend on what earlier rounds did.
        rng = check_random_state(self.random_state)
        members = [draw_member_seeds(clone(template), rng) for _ in range(self.n_estimators)]
        row_seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators)

        self.estimator_ = template
        self.resample_ = resample
        self.estimators_, weights, errors = [], [], []
        eps = np.finfo(np.float64).eps
        zero = weight == 0
        with _progress(self.n_estimators, self.verbose, type(self).__name__) as bar:
            for i, member in enumerate(members):
                # Floor tiny weights (scikit-learn #20320), keeping true zeros at zero.
                weight = np.clip(weight, eps, None)
                weight[zero] = 0.0
                output = self._fit_round(i, member, X, y, weight, scale, resample,
                                         row_seeds[i])
                last = i == self.n_estimators - 1
                step = self._boost(output, y, weight, last)
                bar.update(1)
                if step is None:  # no better than chance: discarded
                    break
                new_weight, member_weight, error = step
                self.estimators_.append(member)
                weights.append(member_weight)
                errors.append(error)
                if new_weight is None or error == 0:
                    break
                total = new_weight.sum()
                if not np.isfinite(total):
                    warn_user(
                        f"Sample weights have reached infinite values at round {i}, "
                        "causing overflow; boosting stopped. Try a lower learning_rate.")
                    break
                if total <= 0:
                    break
                weight = new_weight if last else new_weight / total
        self.estimator_weights_ = np.asarray(weights, dtype=np.float64)
        self.estimator_errors_ = np.asarray(errors, dtype=np.float64)
        return self

    def _template(self):
        """The unfitted member every round clones: checked, with the device applied."""
        if self.estimator is None:
            template = self._default_estimator()
        else:
            template = clone(self.estimator)
        self._check_member(template)
        if self.device is not None:
            set_device(template, self.device)
        return template

    def _check_resample(self, template):
        """Whether the rounds resample rows (True) or pass weights (False)."""
        if not isinstance(self.resample, str) and self.resample:
            return True
        try:
            check_accepts_sample_weight(template, "estimator")
        except TypeError:
            if self.resample == "auto":
                return True
            raise TypeError(
                f"{type(self).__name__}(resample=False) needs an estimator whose fit "
                f"takes sample_weight; {type(_last_step(template)).__name__} does not. "
                "Use resample='auto' to boost it by weighted resampling, or a member that "
                "takes sample_weight."
            ) from None
        return False

    def _fit_round(self, i, member, X, y, weight, scale, resample, seed):
        """Fit round ``i``'s member on the weights (or a weighted resample); its output."""
        try:
            if resample:
                rows = np.random.RandomState(seed).choice(
                    len(weight), size=len(weight), replace=True, p=weight / weight.sum())
                member.fit(_safe_indexing(X, rows), y[rows])
            else:
                fit_member(member, X, y, weight * scale)
            return self._member_output(member, X)
        except Exception as exc:
            where = f"member of boosting round {i} ({type(_last_step(member)).__name__}) failed"
            if exc.args and isinstance(exc.args[0], str):
                exc.args = (f"{where}: {exc.args[0]}",) + exc.args[1:]
            else:
                exc.args = (where,) + exc.args
            raise

    # -- data -------------------------------------------------------------------------
    def _check_X(self, X, reset=False):
        """Check X's shape and record its columns; X keeps its type for the members.

        Members check their own values (a tree takes NaN, a net wants floats), so a
        DataFrame stays a DataFrame and anything else becomes a 2-D array or CSR/CSC.
        """
        if not hasattr(X, "iloc"):
            X = check_array(X, accept_sparse=["csr", "csc"], dtype=None,
                            ensure_all_finite=False)
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _check_target(self, X, y):
        """Check y against X; return it encoded as 0..K-1 for the classifier."""
        owner = type(self).__name__
        if y is None:
            raise ValueError(f"{owner} requires y to be passed, but the target y is None.")
        y = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
        if _num_samples(X) != len(y):
            raise ValueError(f"X and y must have the same number of rows; got "
                             f"{_num_samples(X)} and {len(y)}.")
        if not is_classifier(self):
            return _check_y(y, multi_output=False, y_numeric=True, estimator=self)
        y_enc = encode_labels(self, y)
        self.n_classes_ = len(self.classes_)
        return y_enc

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            member = self._default_estimator() if self.estimator is None else self.estimator
            member_tags = get_tags(member)
            tags.input_tags.allow_nan = member_tags.input_tags.allow_nan
            tags.input_tags.sparse = member_tags.input_tags.sparse
        except Exception:  # noqa: BLE001 - a malformed estimator is reported by fit
            pass
        return tags

    # -- shared results ---------------------------------------------------------------
    def staged_score(self, X, y, sample_weight=None):
        """Accuracy (classifier) or R^2 (regressor) after each boosting round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Yields
        ------
        score : float
        """
        metric = accuracy_score if is_classifier(self) else r2_score
        for prediction in self.staged_predict(X):
            yield metric(y, prediction, sample_weight=sample_weight)

    @property
    def feature_importances_(self):
        """Members' ``feature_importances_`` averaged with the members' weights.

        Raises ``AttributeError`` when the members have none (e.g. k-NN, a Pipeline).
        """
        check_is_fitted(self)
        try:
            parts = [w * m.feature_importances_
                     for w, m in zip(self.estimator_weights_, self.estimators_)]
        except AttributeError as exc:
            raise AttributeError(
                "feature_importances_ needs members that have it; "
                f"{type(self.estimators_[0]).__name__} has none."
            ) from exc
        return np.sum(parts, axis=0) / self.estimator_weights_.sum()


def _last_step(estimator):
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


# -- the steps --------------------------------------------------------------------------


def samme_step(prediction, y, weight, n_classes, learning_rate, last):
    """Discrete SAMME (Zhu et al. 2009), as scikit-learn computes it."""
    incorrect = prediction != y
    error = np.mean(np.average(incorrect, weights=weight, axis=0))
    if error <= 0:
        return weight, 1.0, 0.0
    if error >= 1.0 - 1.0 / n_classes:
        return None
    member_weight = learning_rate * (
        np.log((1.0 - error) / error) + np.log(n_classes - 1.0))
    new_weight = weight
    if not last:
        new_weight = weight.copy()
        positive = weight > 0  # zero weights stay zero (and no log(0) warning)
        new_weight[positive] = np.exp(
            np.log(weight[positive]) + member_weight * incorrect[positive])
    return new_weight, member_weight, error


def samme_r_step(proba, y, weight, learning_rate, last):
    """Real AdaBoost, SAMME.R (Zhu et al. 2009, algorithm 4), as scikit-learn <= 1.5.

    ``proba`` is already floored at the members' epsilon. Every member weighs 1 in the
    vote; the learning rate shrinks the weight update.
    """
    n_classes = proba.shape[1]
    incorrect = proba.argmax(axis=1) != y
    error = np.mean(np.average(incorrect, weights=weight, axis=0))
    if error <= 0:
        return weight, 1.0, 0.0
    coding = np.where(np.arange(n_classes) == y[:, None], 1.0, -1.0 / (n_classes - 1))
    # scipy's xlogy, not np.log: numpy's vectorised log can differ in the last bit, and
    # AdaBoost amplifies such differences round after round.
    exponent = (-learning_rate * ((n_classes - 1.0) / n_classes)
                * xlogy(coding, proba).sum(axis=1))
    new_weight = weight
    if not last:
        new_weight = weight * np.exp(exponent * ((weight > 0) | (exponent < 0)))
    return new_weight, 1.0, error


def samme_r_scores(proba):
    """Algorithm 4, step 2(c) of Zhu et al.: (K - 1) (log p_k - mean_j log p_j)."""
    n_classes = proba.shape[1]
    log_proba = np.log(proba)
    return (n_classes - 1) * (
        log_proba - (1.0 / n_classes) * log_proba.sum(axis=1)[:, np.newaxis])


def r2_step(prediction, y, weight, loss, learning_rate, last, first):
    """AdaBoost.R2 (Drucker 1997), as scikit-learn computes it."""
    error_vector = np.abs(prediction - y).astype(np.float64)
    mask = weight > 0
    masked_weight = weight[mask]
    masked_error = error_vector[mask]
    error_max = masked_error.max()
    if error_max != 0:
        masked_error /= error_max
    if loss == "square":
        masked_error **= 2
    elif loss == "exponential":
        masked_error = 1.0 - np.exp(-masked_error)
    error = (masked_weight * masked_error).sum()
    if error <= 0:
        return weight, 1.0, 0.0
    if error >= 0.5:
        # The first member is kept (as scikit-learn does): a model, however weak, rather
        # than none. Its weight is 1 (the only one in the median).
        return (None, 1.0, error) if first else None
    beta = error / (1.0 - error)
    member_weight = learning_rate * np.log(1.0 / beta)
    new_weight = weight
    if not last:
        new_weight = weight.copy()
        new_weight[mask] *= np.power(beta, (1.0 - masked_error) * learning_rate)
    return new_weight, member_weight, error


def weighted_median(predictions, weights):
    """Row-wise weighted median of ``predictions`` (n_samples, n_members), as
    scikit-learn's AdaBoostRegressor: the smallest value whose cumulative weight reaches
    half the total."""
    order = np.argsort(predictions, axis=1)
    cdf = np.cumsum(weights[order], axis=1)
    median_idx = (cdf >= 0.5 * cdf[:, -1][:, np.newaxis]).argmax(axis=1)
    rows = np.arange(len(predictions))
    return predictions[rows, order[rows, median_idx]]
