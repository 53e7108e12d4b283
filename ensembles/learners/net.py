"""Neural-net learners that behave like any scikit-learn estimator.

``NetClassifier`` and ``NetRegressor`` drive a skorch net (kept as ``net_`` after fit) and
add what skorch leaves to the user: float64/pandas/list input, any label type, per-sample
weights in the loss, early stopping with the best epoch restored, per-epoch curves on a
watched eval set, a seeded and repeatable fit, and a model fitted on a GPU that loads on
a CPU.

The parameters both share and the training run are in ``_net_base`` (``_BaseNet``),
the part of the docstring both share in ``_net_docs``.
"""

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import compute_sample_weight
from sklearn.utils.validation import column_or_1d
from torch import nn

from .._compat import StrOptions, _check_y, _fit_context, validate_data
from .._validation import encode_labels
from ._net_base import _BaseNet
from ._net_docs import _FIT_DOC

__all__ = ["NetClassifier", "NetRegressor"]

_REGRESSION_CRITERIA = {
    "squared_error": nn.MSELoss,
    "huber": nn.HuberLoss,
    "absolute_error": nn.L1Loss,
}


# Each metric twice: on a net (skorch's EpochScoring, for train_ and valid_) and on the
# module's raw output (EvalSetScoring, which calls the module itself).
def _accuracy_of(y, y_pred):
    return accuracy_score(np.asarray(y), np.asarray(y_pred).argmax(axis=1))


def _r2_of(y, y_pred):
    y = np.asarray(y).reshape(len(y), -1)
    return r2_score(y, np.asarray(y_pred).reshape(len(y), -1))


def _accuracy(net, X, y):
    return _accuracy_of(y, net.predict_proba(X))


def _r2(net, X, y):
    return _r2_of(y, net.predict_proba(X))


class NetClassifier(ClassifierMixin, _BaseNet):
    __doc__ = (
        """A neural-net classifier (PyTorch through skorch) usable as any scikit-learn one.

    Accepts float64/float32 arrays, pandas DataFrames and lists (cast to float32), and
    labels of any type (strings, ints, bools); ``predict`` returns the user's labels.

    Parameters (classifier only)
    ----------------------------
    class_weight : dict, "balanced" or None, default=None
        Folded into the per-sample weights of the loss.
"""
        + _FIT_DOC
        + """
    classes_ : ndarray
        The class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from ensembles import NetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NetClassifier(max_epochs=30, lr=0.01, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.8
    True
    """
    )

    _parameter_constraints = {
        **_BaseNet._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }
    _metric = ("accuracy", _accuracy, _accuracy_of)

    def __init__(
        self,
        *,
        class_weight=None,
        module=None,
        module_params=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_scheduler=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="auto",
        n_jobs=1,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            module=module,
            module_params=module_params,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            lr_scheduler=lr_scheduler,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            callbacks=callbacks,
            device=device,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, eval_set=None):
        """Fit the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights each row's loss (times ``class_weight``).
        eval_set : (X_eval, y_eval) pair, default=None
            Rows to watch while training, such as a cross-validation fold's held-out
            part: after each epoch their loss (cross-entropy, unweighted mean) and
            accuracy go into ``history_["eval_loss"]`` and
            ``history_["eval_accuracy"]``. They are only watched: the fitted model is
            the one fitted without them (early stopping keeps to its own split).
            ``y_eval`` holds labels seen in ``y``.

        Returns
        -------
        self : NetClassifier
        """
        X, y = validate_data(self, X, y, dtype=np.float32)
        X = self._writable(X)
        y_enc = encode_labels(self, y).astype(np.int64)
        eval_set = self._check_eval_set(eval_set)
        weight = self._validated_weights(sample_weight, X)
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(self.class_weight, y_enc if isinstance(
                self.class_weight, str) else y).astype(np.float32)
        return self._fit_net(
            X, y_enc, weight, len(self.classes_), nn.CrossEntropyLoss, stratify=y_enc,
            eval_set=eval_set,
        )

    def _encode_eval_target(self, y_eval):
        try:
            y_eval = column_or_1d(_check_y(y_eval, estimator=self), warn=True)
        except ValueError as exc:
            raise ValueError(f"eval_set: y_eval is not a usable target: {exc}") from exc
        known = set(self.classes_.tolist())
        unseen = [label for label in dict.fromkeys(y_eval.tolist()) if label not in known]
        if unseen:
            raise ValueError(
                f"eval_set: y_eval holds labels that are not in y: {unseen[:10]!r}; the "
                f"classes seen in y are {self.classes_.tolist()!r}."
            )
        return self._label_encoder.transform(y_eval).astype(np.int64)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        return torch.softmax(self._forward(X).double(), dim=1).numpy()

    def predict_log_proba(self, X):
        return torch.log_softmax(self._forward(X).double(), dim=1).numpy()

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


class NetRegressor(RegressorMixin, _BaseNet):
    __doc__ = (
        """A neural-net regressor (PyTorch through skorch) usable as any scikit-learn one.

    Accepts float64/float32 arrays, pandas DataFrames and lists (cast to float32), one or
    several targets.

    Parameters (regressor only)
    ---------------------------
    criterion : {"squared_error", "huber", "absolute_error"}, default="squared_error"
    scale_target : bool, default=True
        Standardise each target before training (and undo it at predict), so ``lr`` and
        the Huber threshold need not depend on the scale of ``y``. Losses in
        ``history_`` are then in standardised units; R2 is unaffected.
"""
        + _FIT_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from ensembles import NetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = NetRegressor(max_epochs=50, lr=0.01, random_state=0).fit(scale(X), y)
    >>> reg.score(scale(X), y) > 0.3
    True
    """
    )

    _parameter_constraints = {
        **_BaseNet._parameter_constraints,
        "criterion": [StrOptions(set(_REGRESSION_CRITERIA))],
        "scale_target": ["boolean"],
    }
    _metric = ("r2", _r2, _r2_of)

    def __init__(
        self,
        *,
        criterion="squared_error",
        scale_target=True,
        module=None,
        module_params=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        lr_scheduler=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="auto",
        n_jobs=1,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            module=module,
            module_params=module_params,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            lr_scheduler=lr_scheduler,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            callbacks=callbacks,
            device=device,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.criterion = criterion
        self.scale_target = scale_target

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, eval_set=None):
        """Fit the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights each row's loss.
        eval_set : (X_eval, y_eval) pair, default=None
            Rows to watch while training, such as a cross-validation fold's held-out
            part: after each epoch their loss (the training criterion, unweighted mean,
            in the standardised units of ``train_loss`` when ``scale_target=True``) and
            R2 go into ``history_["eval_loss"]`` and ``history_["eval_r2"]``. They are
            only watched: the fitted model is the one fitted without them (early
            stopping keeps to its own split).

        Returns
        -------
        self : NetRegressor
        """
        X, y = validate_data(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        X = self._writable(X)
        y = np.asarray(y, dtype=np.float32)
        self._y_ndim = y.ndim
        y2 = y.reshape(len(y), -1)
        weight = self._validated_weights(sample_weight, X)
        if self.scale_target:
            # Weighted moments, so that a weight of k is the same as k copies of a row.
            total = max(float(weight.sum()), np.finfo(np.float32).tiny)
            mean = (weight[:, None] * y2).sum(axis=0) / total
            scale = np.sqrt((weight[:, None] * (y2 - mean) ** 2).sum(axis=0) / total)
            self._y_mean = mean.astype(np.float32)
            self._y_scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        else:
            self._y_mean = np.zeros(y2.shape[1], dtype=np.float32)
            self._y_scale = np.ones(y2.shape[1], dtype=np.float32)
        y_std = (y2 - self._y_mean) / self._y_scale
        return self._fit_net(
            X, y_std, weight, y2.shape[1], _REGRESSION_CRITERIA[self.criterion],
            eval_set=self._check_eval_set(eval_set),
        )

    def _encode_eval_target(self, y_eval):
        try:
            y_eval = _check_y(y_eval, multi_output=True, y_numeric=True, estimator=self)
        except ValueError as exc:
            raise ValueError(f"eval_set: y_eval is not a usable target: {exc}") from exc
        y_eval = np.asarray(y_eval, dtype=np.float32).reshape(len(y_eval), -1)
        n_targets = len(self._y_mean)
        if y_eval.shape[1] != n_targets:
            raise ValueError(
                f"eval_set: y_eval must have {n_targets} target(s), as y has; got "
                f"{y_eval.shape[1]}."
            )
        return (y_eval - self._y_mean) / self._y_scale

    def predict(self, X):
        out = self._forward(X).double().numpy().reshape(-1, len(self._y_mean))
        out = out * self._y_scale + self._y_mean
        return out.ravel() if self._y_ndim == 1 else out
