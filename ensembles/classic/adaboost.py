"""AdaBoost of any learner: SAMME and SAMME.R for classes, AdaBoost.R2 for values.

The loop and the maths of each step live in :mod:`ensembles.classic.adaboost`; this module holds
the two public estimators and how their members vote.
"""

from collections import deque
from numbers import Integral, Real

import numpy as np
from scipy.special import xlogy
from sklearn.base import (
    ClassifierMixin,
    RegressorMixin,
    is_classifier,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import check_random_state
from sklearn.utils.extmath import softmax
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from .._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    _num_samples,
    _safe_indexing,
)
from .._validation import encode_labels, last_step, name_failure, warn_user
from ..base import MAX_SEED, BaseOneLearner
from ..engine.oof import _predict, fit_member
from ..engine.parallel import progress

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor"]


class _BaseAdaBoost(BaseOneLearner):
    # X of any number of dimensions (images, sequences) goes to the members as it is, as
    # in scikit-learn's AdaBoost; the members say whether they can take it.
    _X_options = {"allow_nd": True}

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
        self._check_member(template)
        resample = self._check_resample(template)
        X = self._check_X(X, reset=True)
        y = self._check_target(X, y)
        weight = (np.ones(_num_samples(X)) if sample_weight is None else
                  self._check_sample_weight(sample_weight, X, dtype=np.float64, copy=True))
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
        members = [self._prepare(template, rng) for _ in range(self.n_estimators)]
        row_seeds = rng.randint(MAX_SEED, size=self.n_estimators)

        self.estimator_ = self._prepare(template)
        self.resample_ = resample
        self.estimators_, weights, errors = [], [], []
        eps = np.finfo(np.float64).eps
        zero = weight == 0
        with progress(self.n_estimators, self.verbose, type(self).__name__) as bar:
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

    def _check_resample(self, template):
        """Whether the rounds resample rows (True) or pass weights (False)."""
        if not isinstance(self.resample, str) and self.resample:
            return True
        target = last_step(template)  # a Pipeline passes the weights to its last step
        # sample_weight by name, as scikit-learn's AdaBoost (has_fit_parameter): a fit
        # that takes **kwargs may drop the weights, and here the weights are the algorithm.
        if hasattr(target, "fit") and has_fit_parameter(target, "sample_weight"):
            return False
        if self.resample == "auto":
            return True
        # scikit-learn's sentence first (its tests match it), then how to fix it.
        raise ValueError(
            f"{type(target).__name__} doesn't support sample_weight. "
            f"{type(self).__name__}(resample=False) passes each round's weights to the "
            "estimator's fit. Use resample='auto' or resample=True to boost it by "
            "weighted resampling, or an estimator that takes sample_weight."
        )

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
            name_failure(exc, f"member of boosting round {i} "
                              f"({type(last_step(member)).__name__}) failed")
            raise

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


_SHARED_PARAMETERS = """\
    n_estimators : int, default=50
        The most boosting rounds; fewer when a member is perfect (error 0) or, for
        SAMME and AdaBoost.R2, no better than chance.
    learning_rate : float, default=1.0
        Shrinks each member's contribution to the weight update (and, for SAMME and
        AdaBoost.R2, its weight in the vote). Must be > 0.
    resample : {"auto", True, False}, default=RESAMPLE_DEFAULT
        How each round's row weights reach the member. ``False``: through
        ``sample_weight`` (for a Pipeline, its last step's), as the member would get
        them if fitted alone: on the scale of the ``sample_weight`` given to ``fit``,
        mean 1 when none is (to the nearest power of two, so that the rescaling is
        exact); a member whose ``fit`` takes no ``sample_weight`` raises a
        ``ValueError`` ("<Name> doesn't support sample_weight."). ``True``: by weighted
        resampling: n rows drawn with replacement with probabilities proportional to
        the weights (seeded from ``random_state``), the member fitted on them
        unweighted (Freund & Schapire's "boosting by resampling"; Drucker's
        AdaBoost.R2). ``"auto"``: weights when the member takes them, else resampling.
        The boosting step itself always uses the exact weights, on all rows.RESAMPLE_NOTE
    random_state : int, RandomState or None, default=None
        Draws, before the first fit, a seed for every unset ``random_state`` inside each
        round's member (seeds the user set are kept) and each round's resampling seed.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        None leaves the member as given; otherwise :func:`ensembles.set_device` on it.
    verbose : int, default=0
        A progress bar over the rounds when > 0.
"""

_SHARED_ATTRIBUTES = """\
    estimator_ : estimator
        The unfitted member each round cloned (device applied).
    estimators_ : list of estimators
        The fitted members, one per round kept.
    estimator_weights_ : ndarray of shape (``len(estimators_)``,)
        Each member's weight in the vote (scikit-learn pads this and
        ``estimator_errors_`` to ``n_estimators``; here they have one entry per member).
    estimator_errors_ : ndarray of shape (``len(estimators_)``,)
        Each member's weighted training error (the R2 loss for the regressor).
    resample_ : bool
        Whether the rounds resampled rows (True) or passed weights (False).
    feature_importances_ : ndarray of shape (n_features,)
        The members' importances averaged with ``estimator_weights_``; only when the
        members have ``feature_importances_``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Only when ``X`` has string column names.
"""


class AdaBoostClassifier(ClassifierMixin, _BaseAdaBoost):
    __doc__ = """AdaBoost of any classifier: discrete SAMME or Real AdaBoost (SAMME.R).

    Each round fits a clone of ``estimator`` on the rows weighted towards those the
    ensemble so far gets wrong, and the members vote with weights. ``"SAMME"`` (Zhu et
    al. 2009) gives each member a weight from its error and votes with its labels; it
    follows scikit-learn's implementation step for step, so with a deterministic member
    the predictions are scikit-learn's. ``"SAMME.R"`` (Real AdaBoost: Friedman, Hastie &
    Tibshirani 2000, in Zhu et al.'s multiclass form, as scikit-learn had it up to 1.5)
    votes with the members' log-probabilities, which needs ``predict_proba``; on the ESL
    problem it reaches in 400 rounds what SAMME reaches in several thousand.

    Any classifier can be boosted: a tree, a ``NetClassifier``, XGBoost or LightGBM, a
    Pipeline, and with ``resample="auto"`` one whose ``fit`` takes no ``sample_weight``
    (k-NN). Members see labels 0..K-1; users see their own labels. ``y`` may hold one
    class (the ensemble then predicts it), and ``X`` any number of dimensions that the
    members take, as in scikit-learn.

    Parameters
    ----------
    estimator : classifier, default=None
        The member to boost; None is a stump, ``DecisionTreeClassifier(max_depth=1)``.
    algorithm : {"SAMME", "SAMME.R"}, default="SAMME"
        Discrete or real AdaBoost (see above). SAMME.R members each weigh 1 in the
        vote and need ``predict_proba``; their probabilities are floored at machine
        epsilon before the log.
""" + _SHARED_PARAMETERS.replace("RESAMPLE_DEFAULT", "False").replace(
        "RESAMPLE_NOTE", """ The default is scikit-learn's: a member that cannot
        take weights is refused rather than boosted another way without being asked.""") + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
""" + _SHARED_ATTRIBUTES + """
    See Also
    --------
    AdaBoostRegressor
    sklearn.ensemble.AdaBoostClassifier : SAMME only, members that take sample_weight.

    References
    ----------
    J. Zhu, H. Zou, S. Rosset, T. Hastie, "Multi-class AdaBoost", Statistics and its
    Interface 2 (2009) 349-360. J. Friedman, T. Hastie, R. Tibshirani, "Additive logistic
    regression: a statistical view of boosting", Annals of Statistics 28 (2000) 337-407.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from ensembles import AdaBoostClassifier, datasets
    >>> X, y = datasets.load("hastie_10_2", return_X_y=True, n_samples=3000)
    >>> stumps = AdaBoostClassifier(n_estimators=100, algorithm="SAMME.R", random_state=0)
    >>> stumps.fit(X[:1000], y[:1000]).score(X[1000:], y[1000:]) > 0.75  # a stump: ~0.55
    True
    >>> knn = AdaBoostClassifier(KNeighborsClassifier(), n_estimators=3, resample="auto",
    ...                          random_state=0)
    >>> knn.fit(X[:1000], y[:1000]).resample_  # k-NN takes no sample_weight
    True
    """

    _parameter_constraints = {
        **_BaseAdaBoost._parameter_constraints,
        "algorithm": [StrOptions({"SAMME", "SAMME.R"})],
    }

    def __init__(self, estimator=None, *, n_estimators=50, learning_rate=1.0,
                 algorithm="SAMME", resample=False, random_state=None, device=None,
                 verbose=0):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.algorithm = algorithm
        self.resample = resample
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _default_estimator(self):
        return DecisionTreeClassifier(max_depth=1)

    def _encode_target(self, y):
        # One class is taken, as in scikit-learn (its #7501): the members learn the only
        # class, the first is perfect and the ensemble predicts it with probability 1.
        y = encode_labels(self, y, min_classes=1)
        self.n_classes_ = len(self.classes_)
        return y

    def _check_member(self, member):
        self._check_kind(member, "estimator")
        if self.algorithm == "SAMME.R" and not hasattr(member, "predict_proba"):
            raise ValueError(
                "algorithm='SAMME.R' needs predict_proba from the estimator; "
                f"{type(last_step(member)).__name__} has none. Use algorithm='SAMME' or "
                "a classifier with predict_proba."
            )

    def _member_output(self, member, X):
        if self.algorithm == "SAMME":
            return np.asarray(member.predict(X)).reshape(-1)
        # Columns aligned on all classes (a resample may lack one: probability 0), then
        # floored at the member's epsilon so that the log is defined, as scikit-learn did.
        proba = np.asarray(_predict(member, X, "predict_proba", self.n_classes_))
        eps = np.finfo(proba.dtype if proba.dtype.kind == "f" else np.float64).eps
        return np.clip(proba.astype(np.float64), eps, None)

    def _boost(self, output, y, weight, last):
        if self.algorithm == "SAMME.R":
            return samme_r_step(output, y, weight, self.learning_rate, last)
        step = samme_step(output, y, weight, self.n_classes_, self.learning_rate, last)
        if step is None and not self.estimators_:
            name = type(last_step(self.estimator_)).__name__
            # "worse than random" is scikit-learn's wording, which its tests match.
            raise ValueError(
                f"the first member of AdaBoostClassifier ({name}) is worse than random: "
                "its weighted training error is at least chance, "
                f"1 - 1/n_classes = {1 - 1 / self.n_classes_:.3f}, so there is nothing to "
                "boost. Use a stronger estimator."
            )
        return step

    # -- voting -----------------------------------------------------------------------
    def staged_decision_function(self, X):
        """The decision function after each round (see :meth:`decision_function`).

        Yields
        ------
        score : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            (zeros of shape (n_samples, 1) for one class)
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        n_classes = self.n_classes_
        if n_classes == 1:  # nothing to tell apart: scikit-learn's zeros, per member
            for _ in self.estimators_:
                yield np.zeros((_num_samples(X), 1))
            return
        total, norm = None, 0.0
        for member, weight in zip(self.estimators_, self.estimator_weights_):
            output = self._member_output(member, X)
            if self.algorithm == "SAMME.R":
                vote = samme_r_scores(output)
            else:
                vote = np.where(output[:, None] == np.arange(n_classes), 1.0,
                                -1.0 / (n_classes - 1))
            vote *= weight
            total = vote if total is None else total + vote
            norm += weight
            decision = total / norm
            yield decision[:, 1] - decision[:, 0] if n_classes == 2 else decision

    def decision_function(self, X):
        """The members' weighted vote, normalised by the sum of their weights.

        SAMME: a member adds its weight to the class it predicts and -weight/(K-1) to
        the others. SAMME.R: it adds (K-1)(log p_k - mean_j log p_j).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        score : ndarray of shape (n_samples,) for two classes (positive: ``classes_[1]``),
            else (n_samples, n_classes); zeros of shape (n_samples, 1) when ``y`` held one
            class
        """
        # The last stage, so that decision_function and staged_* agree to the last bit.
        return deque(self.staged_decision_function(X), maxlen=1)[0]

    def _classes_of(self, decision):
        index = (decision > 0).astype(int) if decision.ndim == 1 else decision.argmax(axis=1)
        return self.classes_.take(index, axis=0)

    def _proba_of(self, decision):
        if self.n_classes_ == 1:  # the only class, surely (scikit-learn's ones)
            return np.ones((len(decision), 1))
        # Zhu et al. eq. (15): softmax of the decision / (K - 1), as scikit-learn.
        if decision.ndim == 1:
            return softmax(np.vstack([-decision, decision]).T / 2, copy=False)
        return softmax(decision / (self.n_classes_ - 1), copy=False)

    def predict(self, X):
        """The class of largest decision (for two classes: ``classes_[1]`` if > 0)."""
        return self._classes_of(self.decision_function(X))

    def predict_proba(self, X):
        """Class probabilities: a softmax of the decision function / (K - 1)."""
        return self._proba_of(self.decision_function(X))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def staged_predict(self, X):
        """:meth:`predict` after each round, one array per member."""
        for decision in self.staged_decision_function(X):
            yield self._classes_of(decision)

    def staged_predict_proba(self, X):
        """:meth:`predict_proba` after each round, one array per member."""
        for decision in self.staged_decision_function(X):
            yield self._proba_of(decision)


class AdaBoostRegressor(RegressorMixin, _BaseAdaBoost):
    __doc__ = """AdaBoost.R2 (Drucker 1997) of any regressor; a weighted median of members.

    Each round fits a clone of ``estimator`` on rows weighted by how badly the previous
    members predicted them (normalised absolute error, through ``loss``), and the
    prediction is the median of the members' predictions weighted by log(1/beta). The
    step follows scikit-learn's implementation. By default (``resample=True``) the rows
    are resampled by weight, as Drucker and scikit-learn do, from a different random
    stream; ``resample="auto"`` passes the weights to members that take them instead.

    Parameters
    ----------
    estimator : regressor, default=None
        The member to boost; None is ``DecisionTreeRegressor(max_depth=3)``.
    loss : {"linear", "square", "exponential"}, default="linear"
        How a row's error, divided by the round's largest, becomes its loss.
""" + _SHARED_PARAMETERS.replace("RESAMPLE_DEFAULT", "True").replace(
        "RESAMPLE_NOTE", """ The default resamples, as Drucker's AdaBoost.R2 and
        scikit-learn do: passing the weights instead (``"auto"``) gave 0.7 to 2.2 points
        lower held-out R^2 on five data sets (docs/classic.md).""") + """
    Attributes
    ----------
""" + _SHARED_ATTRIBUTES + """
    See Also
    --------
    AdaBoostClassifier
    sklearn.ensemble.AdaBoostRegressor

    References
    ----------
    H. Drucker, "Improving Regressors using Boosting Techniques", ICML 1997.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from ensembles import AdaBoostRegressor
    >>> X, y = make_friedman1(n_samples=600, random_state=0)
    >>> reg = AdaBoostRegressor(n_estimators=50, random_state=0).fit(X[:400], y[:400])
    >>> reg.score(X[400:], y[400:]) > 0.7
    True
    >>> len(list(reg.staged_predict(X[400:]))) == len(reg.estimators_)
    True
    """

    _parameter_constraints = {
        **_BaseAdaBoost._parameter_constraints,
        "loss": [StrOptions({"linear", "square", "exponential"})],
    }

    def __init__(self, estimator=None, *, n_estimators=50, learning_rate=1.0,
                 loss="linear", resample=True, random_state=None, device=None, verbose=0):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.resample = resample
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _default_estimator(self):
        return DecisionTreeRegressor(max_depth=3)

    def _check_member(self, member):
        self._check_kind(member, "estimator")

    def _member_output(self, member, X):
        return np.asarray(member.predict(X), dtype=np.float64).reshape(-1)

    def _boost(self, output, y, weight, last):
        return r2_step(output, y, weight, self.loss, self.learning_rate, last,
                       first=not self.estimators_)

    def _predictions(self, X):
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return np.column_stack([self._member_output(m, X) for m in self.estimators_])

    def predict(self, X):
        """The weighted median of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        return weighted_median(self._predictions(X), self.estimator_weights_)

    def staged_predict(self, X):
        """:meth:`predict` after each round, one array per member."""
        predictions = self._predictions(X)
        for stop in range(1, predictions.shape[1] + 1):
            yield weighted_median(predictions[:, :stop], self.estimator_weights_[:stop])
