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

A plain scikit-learn tree on a finite dense ``X`` takes a fast path, as in scikit-learn's
own gradient boosting: ``X`` is checked and made float32 once, each stage's tree is built
from the member's parameters (no ``clone``) and fitted and applied without checking its
input again, and ``predict`` sums all the trees in one pass of scikit-learn's
``predict_stages``. The arithmetic is the same as on the general path, so the outputs are
the same to the last bit (``tests/test_gradient_boosting.py::
test_outputs_unchanged_since_reference``); anything else (another regressor, a subclass
of a tree, sparse ``X``, NaN or infinity) goes through ``clone``, ``fit`` and ``predict``.

Losses live in :mod:`ensembles.classic.losses`; ``docs/classic.md`` compares with scikit-learn.
"""

from numbers import Integral, Real

import numpy as np
from sklearn import config_context
from sklearn.base import (
    ClassifierMixin,
    RegressorMixin,
    is_classifier,
)
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from .._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    _predict_stages,
    _safe_indexing,
)
from .._validation import name_failure
from ..base import MAX_SEED, BaseOneLearner
from ..engine.oof import check_accepts_sample_weight, fit_member
from ..engine.parallel import progress
from .losses import LOSSES, BinomialLoss, MultinomialLoss

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]


def _rows(data, rows):
    return data if rows is None or data is None else _safe_indexing(data, rows)


def _plain(label):
    """A label as the user wrote it: 1, not np.int64(1)."""
    return label.item() if isinstance(label, np.generic) else label


#: Members whose stages can take the fast path (exactly these classes: a subclass may
#: change ``fit`` or ``predict``).
_PLAIN_TREES = (DecisionTreeRegressor, ExtraTreeRegressor)


class _FastTrees:
    """Builds and fits the stage trees of one fit without the general path's cost.

    :meth:`new` builds a stage's tree as ``clone`` and :func:`~ensembles.base.prepare`
    would (the member's parameters, an unset ``random_state`` drawn from the stage's
    seed): the member's class called on its parameters, the seed drawn by reseeding one
    ``RandomState`` (the same draw as a new ``RandomState(seed)``, 30 times cheaper).
    :meth:`fit` skips the tree's input checks (``X`` was checked once) and, after the
    first tree, its parameter checks: every stage tree has the first one's parameters
    but the seed.

    Only for a plain tree whose parameters are plain values (no array to copy, no
    ``RandomState`` to deep-copy) and that carries no metadata requests;
    :meth:`for_member` returns None for any other member.
    """

    def __init__(self, member):
        self.cls = type(member)
        self.params = member.get_params(deep=False)
        self.draw = self.params["random_state"] is None
        self.rng = np.random.RandomState()
        self.checked = False

    @classmethod
    def for_member(cls, member):
        if type(member) not in _PLAIN_TREES or "_metadata_request" in vars(member):
            return None
        plain = (type(None), str, bool, Integral, Real)
        if not all(isinstance(value, plain) for value in member.get_params(deep=False)
                   .values()):
            return None
        return cls(member)

    def new(self, seed):
        params = self.params
        if self.draw:  # what draw_member_seeds draws from RandomState(seed)
            self.rng.seed(seed)
            params = {**params, "random_state": int(self.rng.randint(MAX_SEED))}
        return self.cls(**params)

    def fit(self, tree, X, y, sample_weight):
        if self.checked:
            with config_context(skip_parameter_validation=True):
                return tree.fit(X, y, sample_weight=sample_weight, check_input=False)
        tree.fit(X, y, sample_weight=sample_weight, check_input=False)
        self.checked = True
        return tree


def _finite_dense(X):
    """Whether ``X`` (the trees' float32 array) can skip the trees' own input checks:
    dense, of finite values (NaN asks the trees to learn where missing values go, and
    infinity must fail as the tree makes it fail)."""
    return (isinstance(X, np.ndarray) and X.dtype == np.float32
            and bool(np.isfinite(X).all()))


def _plain_trees(estimators):
    return all(type(est) in _PLAIN_TREES for est in estimators.flat)


def _name_the_stage(exc, estimator, stage, label):
    where = f"member {type(estimator).__name__} failed in stage {stage}"
    return name_failure(exc, where + ("" if label is None else f" (class {_plain(label)!r})"))


class _BaseGradientBoosting(BaseOneLearner):
    _parameter_constraints = {
        "estimator": [None, HasMethods(["fit", "predict"])],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "line_search": [StrOptions({"auto", "multiplier"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [None, Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [None, str],
        "verbose": ["verbose"],
    }

    def _default_estimator(self):
        return DecisionTreeRegressor(max_depth=3, criterion="squared_error")

    def _check_member(self):
        member = self._template()
        if is_classifier(member):  # a member that declares no kind is taken as it is
            raise ValueError(
                f"estimator must be a regressor for {type(self).__name__}: each stage fits "
                "it to the negative gradient of the loss, a real number per row; got "
                f"{member!r}. Use a regressor such as DecisionTreeRegressor or NetRegressor."
            )
        return member

    def _member_X(self, X):
        # A tree works in float32 anyway: convert once, not in every stage's fit and predict
        # (C order: scikit-learn's predict_stages reads rows).
        if self._trees:
            return check_array(X, accept_sparse="csr", dtype=np.float32, order="C",
                               ensure_all_finite=False)
        return X

    # -- fitting ----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the stages one after another.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Passed to the members as given (a DataFrame stays a DataFrame), except
            that scikit-learn trees get it once as a float32 array.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the loss, the line search and the members' fits (a
            member whose ``fit`` takes none raises a ``TypeError`` naming it). Rows
            of weight 0 are dropped before anything else.

        Returns
        -------
        self
        """
        member = self._check_member()
        X = self._check_X(X, reset=True)
        y = self._check_target(X, y)
        self._loss = loss = self._make_loss()
        w = None
        if sample_weight is not None:
            w = self._check_sample_weight(sample_weight, X)
            check_accepts_sample_weight(member, "estimator")
            if not np.all(w > 0):  # a row of weight 0 is not there, whatever the member
                keep = np.flatnonzero(w > 0)
                X, y, w = _safe_indexing(X, keep), y[keep], w[keep]
                if is_classifier(self) and len(np.unique(y)) < 2:
                    raise ValueError(
                        f"{type(self).__name__} needs at least 2 classes with a positive "
                        f"sample_weight; only class {_plain(self.classes_[y[0]])!r} has one."
                    )
        rng = check_random_state(self.random_state)
        split_seed, subsample_seed = rng.randint(MAX_SEED, size=2)
        stage_seeds = rng.randint(MAX_SEED, size=(self.n_estimators, loss.n_outputs))
        init_seed = rng.randint(MAX_SEED)  # drawn last: the draws above stay as they were

        valid = None
        if self.n_iter_no_change is not None:
            train, valid = train_test_split(
                np.arange(len(y)), test_size=self.validation_fraction,
                random_state=split_seed, stratify=y if is_classifier(self) else None)
            if is_classifier(self) and len(np.unique(y[train])) < len(self.classes_):
                raise ValueError(
                    "The training part of the early-stopping split lacks a class; raise "
                    "validation_fraction, pick another random_state or give more rows."
                )
            X, X_val, y, y_val = _rows(X, train), _rows(X, valid), y[train], y[valid]
            w, w_val = _rows(w, train), _rows(w, valid)
        self._trees = isinstance(member, DecisionTreeRegressor)
        self._refit_leaves = self._trees and self.line_search == "auto"
        self.init_, raw = self._fit_init(X, y, w, loss, init_seed)
        stages = self._fit_stages(member, X, y, w, raw, stage_seeds, subsample_seed,
                                  None if valid is None else (X_val, y_val, w_val))
        self.n_estimators_ = stages
        self.estimators_ = self.estimators_[:stages]
        self.multipliers_ = self.multipliers_[:stages]
        for name in ("train_score_", "validation_score_", "oob_improvement_", "oob_scores_"):
            if hasattr(self, name):
                setattr(self, name, getattr(self, name)[:stages])
        if self.subsample < 1:
            self.oob_score_ = float(self.oob_scores_[-1])
        return self

    def _fit_init(self, X, y, w, loss, seed):
        """The fitted ``init_`` and its raw predictions on the training rows."""
        if isinstance(self.init, str):  # "zero"
            return "zero", np.zeros((len(y), loss.n_outputs))
        if self.init is None:
            ones = np.ones(len(y)) if w is None else w
            if is_classifier(self):
                init = DummyClassifier(strategy="prior")
            else:  # the loss's own optimum (the median is unit-weight np.median)
                init = DummyRegressor(strategy="constant", constant=loss.init_raw(y, ones)[0])
            init.fit(np.zeros((len(y), 1)), y, sample_weight=w)
            return init, np.tile(loss.init_raw(y, ones), (len(y), 1))
        # Seeded and placed like the stages: a randomised init (a forest, a net) gives the
        # same model on every fit with the same random_state.
        init = self._prepare(self.init, np.random.RandomState(seed))
        fit_member(init, X, y, w, name="init")
        return init, self._init_raw(init, X, loss)

    def _init_raw(self, init, X, loss):
        if isinstance(init, str):
            return np.zeros((X.shape[0], loss.n_outputs))
        if isinstance(init, DummyClassifier | DummyRegressor):
            X = np.zeros((X.shape[0], 1))  # they ignore X: spare them its checks
        if is_classifier(self):
            return loss.link(np.asarray(init.predict_proba(X), dtype=np.float64))
        return np.asarray(init.predict(X), dtype=np.float64).reshape(-1, 1)

    def _fit_stages(self, member, X, y, w, raw, stage_seeds, subsample_seed, validation):
        loss, n, K = self._loss, len(y), self._loss.n_outputs
        sw = np.ones(n) if w is None else w
        Xm = self._member_X(X)
        fast = _FastTrees.for_member(member)
        if fast is not None and not _finite_dense(Xm):
            fast = None
        if fast is not None and self.device is not None:
            self._prepare(member)  # a device that cannot be had fails as on the general path
        labels = getattr(self, "classes_", None) if K > 1 else None
        self.estimators_ = np.empty((self.n_estimators, K), dtype=object)
        self.multipliers_ = np.ones((self.n_estimators, K))
        self.train_score_ = np.zeros(self.n_estimators)
        oob = self.subsample < 1
        if oob:
            self.oob_improvement_ = np.zeros(self.n_estimators)
            self.oob_scores_ = np.zeros(self.n_estimators)
            sub_rng = np.random.RandomState(subsample_seed)
            n_inbag = max(1, int(self.subsample * n))
        if validation is not None:
            X_val, y_val, w_val = validation
            Xm_val = self._member_X(X_val)
            fast_val = fast is not None and _finite_dense(Xm_val)
            sw_val = np.ones(len(y_val)) if w_val is None else w_val
            raw_val = self._init_raw(self.init_, X_val, loss)
            self.validation_score_ = np.zeros(self.n_estimators)
            history = np.full(self.n_iter_no_change, np.inf)
        inbag, out = None, None
        with progress(self.n_estimators, self.verbose, type(self).__name__) as bar:
            for i in range(self.n_estimators):
                if oob:
                    inbag = np.sort(sub_rng.permutation(n)[:n_inbag])
                    out = np.setdiff1d(np.arange(n), inbag, assume_unique=True)
                    before = loss(y[out], raw[out], sw[out]) if len(out) else np.nan
                loss.prepare(y, raw, sw)
                g = loss.negative_gradient(y, raw)
                rows = slice(None) if inbag is None else inbag
                y_in, raw_in, g_in, sw_in = y[rows], raw[rows], g[rows], sw[rows]
                X_in, w_in = _rows(Xm, inbag), _rows(w, inbag)
                step = np.zeros_like(raw)
                for k in range(K):
                    if fast is None:
                        est = self._prepare(member, np.random.RandomState(stage_seeds[i, k]))
                    else:
                        est = fast.new(stage_seeds[i, k])
                    try:
                        if fast is None:
                            h = self._fit_member(est, X_in, Xm, y_in, raw_in, g_in, w_in,
                                                 sw_in, k)
                        else:
                            h = self._fit_tree(fast, est, X_in, Xm, rows, y_in, raw_in,
                                               g_in, w_in, sw_in, k)
                    except Exception as exc:
                        raise _name_the_stage(exc, est, i, None if labels is None
                                              else labels[k]) from None
                    if not self._refit_leaves:
                        self.multipliers_[i, k] = loss.step(y_in, raw_in, g_in, h[rows],
                                                            sw_in, k)
                    step[:, k] = self.learning_rate * self.multipliers_[i, k] * h
                    self.estimators_[i, k] = est
                raw += step
                self.train_score_[i] = loss(y_in, raw[rows], sw_in)
                if oob:  # NaN where the stage left no row out (tiny data)
                    self.oob_scores_[i] = loss(y[out], raw[out], sw[out]) if len(out) else np.nan
                    self.oob_improvement_[i] = before - self.oob_scores_[i]
                bar.update(1)
                if validation is None:
                    continue
                self._add_stages(raw_val, Xm_val, slice(i, i + 1), fast_val)
                self.validation_score_[i] = score = loss(y_val, raw_val, sw_val)
                # As scikit-learn: go on while the score beats one of the last
                # n_iter_no_change scores by more than tol.
                if not np.any(score + self.tol < history):
                    break
                history[i % len(history)] = score
        return i + 1

    def _fit_member(self, est, X_in, Xm, y_in, raw_in, g_in, w_in, sw_in, k):
        """Fit a stage's member ``est`` (prepared) on the in-bag rows; return its
        predictions on all rows."""
        fit_member(est, X_in, g_in[:, k], w_in, name="estimator")
        if self._refit_leaves and self._loss.refit_leaves:
            self._refit(est, est.apply(X_in), y_in, raw_in, g_in, sw_in, k)
        return np.asarray(est.predict(Xm), dtype=np.float64).reshape(Xm.shape[0])

    def _fit_tree(self, fast, tree, X_in, Xm, rows, y_in, raw_in, g_in, w_in, sw_in, k):
        """:meth:`_fit_member` for a plain tree on the finite float32 array ``Xm``,
        checked once: its fit (:meth:`_FastTrees.fit`) and apply skip the checks, and one
        pass of ``apply`` over all rows gives both the in-bag leaves to refit and the
        predictions."""
        fast.fit(tree, X_in, g_in[:, k], w_in)
        leaves = tree.tree_.apply(Xm)
        if self._refit_leaves and self._loss.refit_leaves:
            self._refit(tree, leaves[rows], y_in, raw_in, g_in, sw_in, k)
        return tree.tree_.value[:, 0, 0].take(leaves)  # what tree.predict(Xm) gives

    def _add_stages(self, raw, Xm, stages, fast):
        """Add the shrunk predictions of ``estimators_[stages]`` to ``raw``, stage after
        stage. ``fast``: plain trees on a finite float32 array, summed by scikit-learn's
        ``predict_stages`` with the same products and sums as the general path."""
        estimators, multipliers = self.estimators_[stages], self.multipliers_[stages]
        if fast and np.all(multipliers == multipliers.flat[0]):
            _predict_stages(estimators, Xm, self.learning_rate * multipliers.flat[0], raw)
            return
        for stage, stage_multipliers in zip(estimators, multipliers):
            for k, (est, rho) in enumerate(zip(stage, stage_multipliers)):
                if fast:
                    _predict_stages(stage[None, k:k + 1], Xm, self.learning_rate * rho,
                                    raw[:, k:k + 1])
                else:
                    raw[:, k] += self.learning_rate * rho * est.predict(Xm)

    def _refit(self, tree, leaves, y, raw, g, w, k):
        """Set each leaf of ``tree`` to the loss's optimal step on its rows (``leaves``:
        the leaf of each row)."""
        order = np.argsort(leaves, kind="stable")
        ids, starts = np.unique(leaves[order], return_index=True)
        values = tree.tree_.value
        for leaf, rows in zip(ids, np.split(order, starts[1:])):
            values[leaf, 0, 0] = self._loss.leaf_value(y[rows], raw[rows], g[rows], w[rows],
                                                       k)

    # -- prediction -------------------------------------------------------------------
    def _start(self, X):
        """The raw predictions of ``init_`` on ``X``, the members' ``X``, and whether the
        stages can be summed without their own checks (:meth:`_add_stages`)."""
        check_is_fitted(self, "estimators_")
        X = self._check_X(X, reset=False)
        raw = self._init_raw(self.init_, X, self._loss)
        Xm = self._member_X(X)
        return raw, Xm, _plain_trees(self.estimators_) and _finite_dense(Xm)

    def _staged_raw(self, X):
        raw, Xm, fast = self._start(X)
        for i in range(len(self.estimators_)):
            self._add_stages(raw, Xm, slice(i, i + 1), fast)
            yield raw.copy()

    def _raw(self, X):
        raw, Xm, fast = self._start(X)
        self._add_stages(raw, Xm, slice(None), fast)
        return raw

    @property
    def feature_importances_(self):
        """Impurity-based importances: the mean over members, normalised to sum to 1.

        Trees contribute their unnormalised importances as in scikit-learn (single-leaf
        trees are left out); other members their own ``feature_importances_``.
        """
        check_is_fitted(self, "estimators_")
        found = []
        for est in self.estimators_.ravel():
            if hasattr(est, "tree_"):
                if est.tree_.node_count > 1:
                    found.append(est.tree_.compute_feature_importances(normalize=False))
            elif hasattr(est, "feature_importances_"):
                found.append(est.feature_importances_)
            else:
                raise AttributeError(
                    f"{type(self).__name__} has no feature_importances_: its members "
                    f"({type(est).__name__}) have none."
                )
        if not found:
            return np.zeros(self.n_features_in_)
        mean = np.mean(found, axis=0, dtype=np.float64)
        return mean / mean.sum()


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
    estimators_ : ndarray of regressors, shape (``n_estimators_``, {K})
        The fitted members, one row a stage.
    multipliers_ : ndarray of shape (``n_estimators_``, {K})
        Each member's line-search step (1.0 for trees whose leaves were refitted).
    init_ : estimator or "zero"
        What started the model.
    n_estimators_ : int
        Stages fitted (fewer than ``n_estimators`` after early stopping).
    train_score_ : ndarray of shape (``n_estimators_``,)
        The loss ({units}) on the in-bag training rows after each stage.
    validation_score_ : ndarray of shape (``n_estimators_``,)
        The loss on the validation rows after each stage (with ``n_iter_no_change``).
    oob_improvement_, oob_scores_, oob_score_ :
        With ``subsample < 1``: the loss decrease of each stage on its own out-of-bag
        rows, the loss there after the stage, and the last of these.
    feature_importances_ : ndarray of shape (``n_features_in_``,)
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

    def _encode_target(self, y):
        return super()._encode_target(y).astype(np.float64)

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
