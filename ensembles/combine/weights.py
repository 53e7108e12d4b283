"""Combination weights learned on out-of-fold predictions.

Each function takes the members' out-of-fold predictions (never predictions on rows a
member was fitted on: a member that memorises the training set would take all the
weight) and returns non-negative weights that sum to 1. Each loss is convex in the
weights, so the solver finds the global minimum, where a member that adds nothing gets 0
(or within round-off of it) rather than a small positive weight:

- :func:`log_loss_weights`: log-loss of the weighted average probability (soft voting);
- :func:`vote_weights`: log-loss of a softmax over weighted vote counts (hard voting);
- :func:`squared_error_weights`: squared error of the weighted average (regression).
"""

import numpy as np
from scipy.optimize import minimize

__all__ = ["log_loss_weights", "squared_error_weights", "vote_weights"]

# log(0) guard; rows where every member gives the true class probability 0 are constant
# in the weights and are left out of the loss beforehand.
_EPS = 1e-15


def _simplex_minimize(loss, n_members):
    """Minimise ``loss(w) -> (value, gradient)`` over w >= 0, sum(w) = 1."""
    start = np.full(n_members, 1.0 / n_members)
    if n_members == 1:
        return start
    result = minimize(
        loss, start, jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * n_members,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0,
                      "jac": lambda w: np.ones_like(w)}],
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    # SLSQP leaves round-off (~1e-16) at an active bound: a member it dropped gets 0.
    weights = np.where(result.x > 1e-10, result.x, 0.0)
    if not np.all(np.isfinite(weights)) or weights.sum() <= 0:
        return start
    weights /= weights.sum()
    # SLSQP can stop early (line search, iteration limit) on a flat or badly scaled
    # loss; never hand back weights worse than the equal ones it started from.
    return weights if loss(weights)[0] <= loss(start)[0] else start


def log_loss_weights(true_class_scores, sample_weight=None):
    """Weights minimising the log-loss of a weighted average of members' forecasts.

    Parameters
    ----------
    true_class_scores : ndarray of shape (n_samples, n_members)
        Each member's out-of-fold probability of the true class.
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    ndarray of shape (n_members,), non-negative, summing to 1.
    """
    scores = np.asarray(true_class_scores, dtype=float)
    sw = np.ones(len(scores)) if sample_weight is None else np.asarray(sample_weight, float)
    keep = (scores.max(axis=1) > 0) & (sw > 0)
    scores, sw = scores[keep], sw[keep] / max(sw[keep].sum(), np.finfo(float).tiny)
    if len(scores) == 0:  # every member always wrong: nothing to choose between
        return np.full(scores.shape[1], 1.0 / scores.shape[1])

    def loss(w):
        q = scores @ w
        safe = np.maximum(q, _EPS)
        grad_rows = np.where(q > _EPS, sw / safe, 0.0)
        return -np.dot(sw, np.log(safe)), -(grad_rows @ scores)

    return _simplex_minimize(loss, scores.shape[1])


def vote_weights(labels, y, n_classes, sample_weight=None):
    """Weights for hard voting: a softmax over weighted vote counts, fitted by log-loss.

    The model is ``p(k | x) = softmax_k(sum_m theta_m [label_m(x) = k])`` with
    ``theta >= 0``: a multinomial logistic regression whose features are the members'
    votes, with one non-negative coefficient per member shared by all classes. Its argmax
    is the weighted hard vote with weights ``theta / sum(theta)``, so the weights are
    learned for exactly what is voted; ``sum(theta)`` is a temperature, dropped after.
    The loss is convex in ``theta``. A member whose vote adds nothing to the others'
    (random labels) gets 0, where scoring the vote share itself as a probability would
    reward it for the rows it alone gets right by chance.

    Parameters
    ----------
    labels : ndarray of shape (n_samples, n_members)
        Each member's out-of-fold predicted labels, encoded 0..K-1.
    y : ndarray of shape (n_samples,)
        True labels, encoded 0..K-1.
    n_classes : int
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    ndarray of shape (n_members,), non-negative, summing to 1.
    """
    labels = np.asarray(labels, dtype=np.intp)
    n_samples, n_members = labels.shape
    sw = np.ones(n_samples) if sample_weight is None else np.asarray(sample_weight, float)
    sw = sw / max(sw.sum(), np.finfo(float).tiny)
    rows = np.arange(n_samples)
    right = labels == y[:, None]
    start = np.full(n_members, 1.0 / n_members)
    if n_members == 1:
        return start

    def loss(theta):
        scores = np.zeros((n_samples, n_classes))
        for column, t in zip(labels.T, theta):
            scores[rows, column] += t
        top = scores.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))
        proba = np.exp(scores - log_norm[:, None])
        value = -np.dot(sw, scores[rows, y] - log_norm)
        grad = -(sw @ (right - proba[rows[:, None], labels]))
        return value, grad

    theta0 = np.ones(n_members)
    result = minimize(loss, theta0, jac=True, method="L-BFGS-B",
                      bounds=[(0.0, None)] * n_members, options={"maxiter": 1000})
    theta = np.where(result.x > 1e-10 * max(result.x.max(), 1.0), result.x, 0.0)
    if not np.all(np.isfinite(theta)) or theta.sum() <= 0 or loss(theta)[0] > loss(theta0)[0]:
        return start  # the votes explain nothing (or the search failed): equal weights
    return theta / theta.sum()


def squared_error_weights(predictions, y, sample_weight=None):
    """Weights minimising the squared error of a weighted average of members' predictions.

    Parameters
    ----------
    predictions : ndarray of shape (n_samples, n_members)
        Each member's out-of-fold predictions.
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    ndarray of shape (n_members,), non-negative, summing to 1.
    """
    P = np.asarray(predictions, dtype=float)
    y = np.asarray(y, dtype=float)
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    sw = sw / max(sw.sum(), np.finfo(float).tiny)
    # In units of y's variance (1 - R^2), so that SLSQP's tolerance means the same
    # whatever the scale of y.
    variance = np.dot(sw, (y - np.dot(sw, y)) ** 2)
    scale = variance if variance > 0 else 1.0
    gram = (P * sw[:, None]).T @ P / scale
    cross = (P * sw[:, None]).T @ y / scale
    const = np.dot(sw, y * y) / scale

    def loss(w):
        gw = gram @ w
        return w @ gw - 2 * cross @ w + const, 2 * (gw - cross)

    return _simplex_minimize(loss, P.shape[1])
