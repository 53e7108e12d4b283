"""The losses of gradient boosting, on raw predictions of shape (n_samples, K).

Each loss gives what one boosting stage needs (Friedman 2001, Algorithm 1): its weighted
mean value, the negative gradient the stage's members are fitted to, the constant that
starts the model, the optimal value of one tree leaf (the "terminal region" refit of
Friedman's Algorithms 2-5) and the line search along any member's predictions ``h``
(the stage's multiplier). ``K`` is 1 except for the multinomial log-loss (one column a
class). Leaf values follow scikit-learn's ``_update_terminal_regions``, so boosted trees
match scikit-learn's; see ``docs/classic.md`` for the line search of other members.
"""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, logit, logsumexp, softmax

__all__ = ["LOSSES", "weighted_quantile"]

_EPS = np.finfo(np.float64).eps


def weighted_quantile(values, weights, q, *, average=False):
    """The ``q`` quantile of ``values`` weighted by ``weights`` (NumPy's "inverted_cdf").

    ``average=True`` gives "averaged_inverted_cdf": ``np.median`` for unit weights. Both
    treat an integer weight exactly as that many copies of the row.
    """
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    cdf = np.cumsum(weights[order])
    target = q * cdf[-1]
    i = min(int(np.searchsorted(cdf, target)), len(cdf) - 1)
    if average and cdf[i] - target <= 1e-12 * cdf[-1]:
        j = int(np.searchsorted(cdf, cdf[i], side="right"))  # next row of positive weight
        if j < len(cdf):
            return 0.5 * (sorted_values[i] + sorted_values[j])
    return float(sorted_values[i])


def _safe_divide(numerator, denominator):
    # A hessian of exactly 0 (probabilities of 0 or 1) leaves nothing to gain: no step.
    return 0.0 if abs(denominator) < 1e-150 else float(numerator) / float(denominator)


class _Loss:
    """A regression loss on one raw column; subclasses give value and gradient."""

    n_outputs = 1
    refit_leaves = True  # False where the fitted leaf values are already optimal

    def prepare(self, y, raw, w):
        """Per-stage state, from the training rows (Huber's delta)."""

    def init_raw(self, y, w):
        """Raw prediction of the best constant model, shape (K,)."""
        return np.array([weighted_quantile(y, w, 0.5, average=True)])

    def residual(self, y, raw):
        return y - raw[:, 0]

    def leaf_value(self, y, raw, g, w, k):
        """Optimal constant added to ``raw[:, k]`` on the rows of one tree leaf."""
        return self.step(y, raw, g, None, w, k)


class SquaredError(_Loss):
    refit_leaves = False  # a regression tree's leaf means are the optimum already

    def __call__(self, y, raw, w):
        return float(np.average(self.residual(y, raw) ** 2, weights=w))

    def negative_gradient(self, y, raw):
        return self.residual(y, raw)[:, None]

    def init_raw(self, y, w):
        return np.array([np.average(y, weights=w)])

    def step(self, y, raw, g, h, w, k):
        if h is None:
            return float(np.average(g[:, 0], weights=w))
        return _safe_divide(np.sum(w * g[:, 0] * h), np.sum(w * h * h))


class AbsoluteError(_Loss):
    def __call__(self, y, raw, w):
        return float(np.average(np.abs(self.residual(y, raw)), weights=w))

    def negative_gradient(self, y, raw):
        return np.sign(self.residual(y, raw))[:, None]

    def step(self, y, raw, g, h, w, k):
        r = self.residual(y, raw)
        if h is None:
            return weighted_quantile(r, w, 0.5)
        # sum w |r - rho h| = sum (w |h|) |r / h - rho|: a weighted median, exactly.
        keep = np.abs(h) > 0
        if not keep.any():
            return 0.0
        return weighted_quantile(r[keep] / h[keep], w[keep] * np.abs(h[keep]), 0.5)


class HuberLoss(_Loss):
    """Huber loss whose threshold ``delta`` is the ``alpha`` quantile of the absolute
    residuals at the start of each stage (Friedman 2001, Algorithm 4)."""

    def __init__(self, alpha=0.9):
        self.alpha = alpha
        self.delta = 1.0

    def prepare(self, y, raw, w):
        self.delta = weighted_quantile(np.abs(self.residual(y, raw)), w, self.alpha)

    def _values(self, r):
        a = np.abs(r)
        return np.where(a <= self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))

    def __call__(self, y, raw, w):
        return float(np.average(self._values(self.residual(y, raw)), weights=w))

    def negative_gradient(self, y, raw):
        return np.clip(self.residual(y, raw), -self.delta, self.delta)[:, None]

    def leaf_value(self, y, raw, g, w, k):
        # Friedman's one-step approximation, as scikit-learn takes it in each leaf.
        r = self.residual(y, raw)
        median = weighted_quantile(r, w, 0.5)
        diff = r - median
        clipped = np.sign(diff) * np.minimum(self.delta, np.abs(diff))
        return float(median + np.average(clipped, weights=w))

    def step(self, y, raw, g, h, w, k):
        r = self.residual(y, raw)
        if not np.any(h):
            return 0.0
        # Convex, and linear far out, so the minimum is finite: Brent finds it.
        return float(minimize_scalar(lambda rho: np.sum(w * self._values(r - rho * h))).x)


class BinomialLoss(_Loss):
    """Log-loss of two classes on the log-odds of class 1."""

    def __call__(self, y, raw, w):
        return float(np.average(np.logaddexp(0.0, raw[:, 0]) - y * raw[:, 0], weights=w))

    def negative_gradient(self, y, raw):
        return (y - expit(raw[:, 0]))[:, None]

    def init_raw(self, y, w):
        return self.link(np.bincount(y, weights=w, minlength=2)[None, :] / w.sum())[0]

    def link(self, proba):
        return logit(np.clip(proba[:, 1], _EPS, 1 - _EPS))[:, None]

    def proba(self, raw):
        p = expit(raw[:, 0])
        return np.column_stack([1 - p, p])

    def step(self, y, raw, g, h, w, k):
        # One Newton step (Friedman 2001, Algorithm 5): the exact minimum runs off to
        # infinity when the stage separates its rows; this is the leaf step of sklearn.
        neg_g = g[:, k]
        p = (y == k) - neg_g if self.n_outputs > 1 else y - neg_g
        h = np.ones_like(neg_g) if h is None else h
        scale = (self.n_outputs - 1) / self.n_outputs if self.n_outputs > 1 else 1.0
        return scale * _safe_divide(np.sum(w * neg_g * h), np.sum(w * p * (1 - p) * h * h))


class MultinomialLoss(BinomialLoss):
    """Log-loss of K > 2 classes, one raw column a class (softmax)."""

    def __init__(self, n_classes):
        self.n_outputs = n_classes

    def _onehot(self, y):
        return np.eye(self.n_outputs)[y]

    def __call__(self, y, raw, w):
        rows = np.arange(len(y))
        return float(np.average(logsumexp(raw, axis=1) - raw[rows, y], weights=w))

    def negative_gradient(self, y, raw):
        return self._onehot(y) - softmax(raw, axis=1)

    def init_raw(self, y, w):
        prior = np.bincount(y, weights=w, minlength=self.n_outputs) / w.sum()
        return self.link(prior[None, :])[0]

    def link(self, proba):
        # scikit-learn's symmetric link: log p minus its mean over the classes.
        log_p = np.log(np.clip(proba, _EPS, 1 - _EPS))
        return log_p - log_p.mean(axis=1, keepdims=True)

    def proba(self, raw):
        return softmax(raw, axis=1)


LOSSES = {
    "squared_error": SquaredError,
    "absolute_error": AbsoluteError,
    "huber": HuberLoss,
}
