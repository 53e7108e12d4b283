"""Gradient boosting of any regressor (Friedman 2001): trees, nets, pipelines.

Each stage fits a fresh clone of the base regressor (K of them for a multinomial
log-loss, one a class) to the negative gradient of the loss at the current model, then
chooses how far to go along it, and adds the stage shrunk by ``learning_rate``. How far:

- a scikit-learn tree gets the loss's optimal value in each leaf (its "terminal
  regions": the mean, the median, Friedman's Huber step, a Newton step for log-loss),
  as scikit-learn does, so boosted trees match scikit-learn's own;
- any other regressor has no leaves: one multiplier per member minimises the loss along
  its predictions (closed form for squared and absolute error, Brent's method for Huber,
  one Newton step for log-loss), stored in ``multipliers_``.

Losses live in :mod:`ensembles._losses`; ``docs/classic.md`` compares with scikit-learn.
"""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from ._compat import HasMethods, Interval, StrOptions, _check_y
from ._losses import LOSSES, BinomialLoss, MultinomialLoss
from ._stagewise import _BaseGradientBoosting
from ._validation import encode_labels

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]

_PARAMS = """
    Parameters
    ----------
    estimator : regressor, default=None
        The base learner, cloned for every member; None is
        ``DecisionTreeRegressor(max_depth=3, criterion="squared_error")`` (scikit-learn's
        choice; ``"friedman_mse"`` picks the same splits and is deprecated since 1.9).
        Any regressor works: a ``NetRegressor``, a Pipeline, XGBoost, ...
    loss : {loss}
    learning_rate : float > 0, default=0.1
        Shrinks every stage's contribution.
    n_estimators : int >= 1, default=100
        Number of stages.
    subsample : float in (0, 1], default=1.0
        Stochastic gradient boosting: each stage fits its members on this fraction of
        the rows, drawn without replacement (seeded by ``random_state``); the other rows
        give ``oob_improvement_``.{alpha}
    init : {init}
        None starts from the loss's best constant ({constant}); an estimator is fitted
        on ``X``, ``y`` and its {init_output} start the model; "zero" starts from 0.
    line_search : {{"auto", "multiplier"}}, default="auto"
        "auto": a scikit-learn tree gets the loss's optimal value in each leaf, as
        scikit-learn does; other members one multiplier each (``multipliers_``) that
        minimises the loss along their predictions: closed form for squared and absolute
        error, Brent's method for Huber, one Newton step for log-loss (the exact minimum
        can lie at infinity when a stage separates its rows). "multiplier": the
        multiplier for trees too.
    validation_fraction : float in (0, 1), default=0.1
        Rows held out for early stopping{stratified}.
    n_iter_no_change : int or None, default=None
        Early stopping: stop when the validation loss has not improved by ``tol`` on
        any of the last ``n_iter_no_change`` stages (the stage that finds so is kept,
        as in scikit-learn). None: no validation split, all ``n_estimators`` stages.
    tol : float >= 0, default=1e-4
    random_state : int, RandomState or None, default=None
        Draws, up front, the early-stopping split, the subsample rows of every stage and
        a seed for every member's unset ``random_state``.
    device : {{"auto", "cpu", "cuda", "cuda:N"}} or None, default=None
        Set on every member (and on an ``init`` estimator) before it is fitted; None
        leaves them as given.
    verbose : int, default=0
        A progress bar over the stages when > 0.

    Attributes
    ----------
    estimators_ : ndarray of regressors, shape (n_estimators_, {K})
        The fitted members, one row a stage.
    multipliers_ : ndarray of shape (n_estimators_, {K})
        Each member's line-search step (1.0 for trees whose leaves were refitted).
    init_ : estimator or "zero"
        What started the model.
    n_estimators_ : int
        Stages fitted (fewer than ``n_estimators`` after early stopping).
    train_score_ : ndarray of shape (n_estimators_,)
        The loss ({units}) on the in-bag training rows after each stage.
    validation_score_ : ndarray of shape (n_estimators_,)
        The loss on the validation rows after each stage (with ``n_iter_no_change``).
    oob_improvement_, oob_scores_, oob_score_ :
        With ``subsample < 1``: the loss decrease of each stage on its own out-of-bag
        rows, the loss there after the stage, and the last of these.
    feature_importances_ : ndarray of shape (n_features_in_,)
        When the members have them (see the property).
    n_features_in_, feature_names_in_ :
        As in scikit-learn.{classes}
"""


class GradientBoostingRegressor(RegressorMixin, _BaseGradientBoosting):
    __doc__ = """Gradient boosting of any regressor, for regression (Friedman 2001).
""" + _PARAMS.format(
        loss='{"squared_error", "absolute_error", "huber"}, default="squared_error"',
        alpha="\n    alpha : float in (0, 1), default=0.9\n        Huber's threshold "
        "is the ``alpha`` quantile of the absolute residuals, at each stage.",
        init='None, regressor or "zero", default=None', constant="the weighted mean, or "
        "the weighted median for absolute error and Huber, as scikit-learn",
        init_output="predictions", stratified="", K="1",
        units="mean squared error, mean absolute error or mean Huber loss", classes="",
    ) + """
    See Also
    --------
    GradientBoostingClassifier
    sklearn.ensemble.GradientBoostingRegressor : the same with trees only.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from ensembles import GradientBoostingRegressor
    >>> X, y = make_friedman1(n_samples=300, random_state=0)
    >>> gb = GradientBoostingRegressor(n_estimators=50, random_state=0).fit(X, y)
    >>> bool(gb.score(X, y) > 0.9), gb.estimators_.shape
    (True, (50, 1))
    >>> len(list(gb.staged_predict(X[:5])))
    50
    """

    _parameter_constraints = {
        **_BaseGradientBoosting._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "init": [None, StrOptions({"zero"}), HasMethods(["fit", "predict"])],
    }

    def __init__(self, estimator=None, *, loss="squared_error", learning_rate=0.1,
                 n_estimators=100, subsample=1.0, alpha=0.9, init=None, line_search="auto",
                 validation_fraction=0.1, n_iter_no_change=None, tol=1e-4,
                 random_state=None, device=None, verbose=0):
        self.estimator = estimator
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.alpha = alpha
        self.init = init
        self.line_search = line_search
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _make_loss(self):
        return LOSSES[self.loss](self.alpha) if self.loss == "huber" else LOSSES[self.loss]()

    def _encode_y(self, y):
        return _check_y(y, multi_output=False, y_numeric=True, estimator=self).astype(
            np.float64)

    def predict(self, X):
        """Predicted targets: the start plus every stage's shrunk contribution."""
        return self._raw(X)[:, 0]

    def staged_predict(self, X):
        """Predictions after each stage (a generator of ``n_estimators_`` arrays)."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]


class GradientBoostingClassifier(ClassifierMixin, _BaseGradientBoosting):
    __doc__ = """Gradient boosting of any regressor, for classification (log-loss).

    Two classes: one regressor a stage, on the log-odds. K > 2 classes: K regressors a
    stage, one a class, on a softmax (Friedman 2001, Algorithm 6).
""" + _PARAMS.format(
        loss='{"log_loss"}, default="log_loss"', alpha="",
        init='None, classifier with predict_proba or "zero", default=None',
        constant="the log-odds of the weighted class priors",
        init_output="probabilities (through the link)", stratified=" (stratified)",
        K="1 or n_classes", units="mean log-loss, as sklearn.metrics.log_loss",
        classes="\n    classes_ : ndarray of shape (n_classes,)\n    n_classes_ : int",
    ) + """
    See Also
    --------
    GradientBoostingRegressor
    sklearn.ensemble.GradientBoostingClassifier : the same with trees only.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from ensembles import GradientBoostingClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> gb = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> bool(gb.score(X, y) > 0.95), gb.estimators_.shape
    (True, (20, 3))
    >>> gb.predict_proba(X[:1]).round(2)
    array([[0.95, 0.03, 0.03]])
    """

    _parameter_constraints = {
        **_BaseGradientBoosting._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
        "init": [None, StrOptions({"zero"}), HasMethods(["fit", "predict_proba"])],
    }

    def __init__(self, estimator=None, *, loss="log_loss", learning_rate=0.1,
                 n_estimators=100, subsample=1.0, init=None, line_search="auto",
                 validation_fraction=0.1, n_iter_no_change=None, tol=1e-4,
                 random_state=None, device=None, verbose=0):
        self.estimator = estimator
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.init = init
        self.line_search = line_search
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _make_loss(self):
        K = len(self.classes_)
        return BinomialLoss() if K == 2 else MultinomialLoss(K)

    def _encode_y(self, y):
        y_enc = encode_labels(self, y)
        self.n_classes_ = len(self.classes_)
        return y_enc

    def decision_function(self, X):
        """Raw scores: the log-odds of ``classes_[1]`` (two classes, shape (n_samples,)),
        else one column a class (shape (n_samples, n_classes))."""
        raw = self._raw(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def staged_decision_function(self, X):
        """``decision_function`` after each stage (a generator)."""
        for raw in self._staged_raw(X):
            yield raw[:, 0].copy() if raw.shape[1] == 1 else raw

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        raw = self._raw(X)
        return self._loss.proba(raw)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def staged_predict_proba(self, X):
        """``predict_proba`` after each stage (a generator)."""
        for raw in self._staged_raw(X):
            yield self._loss.proba(raw)

    def predict(self, X):
        """The most probable class of each row, as given in ``y``."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def staged_predict(self, X):
        """``predict`` after each stage (a generator)."""
        for proba in self.staged_predict_proba(X):
            yield self.classes_[proba.argmax(axis=1)]
