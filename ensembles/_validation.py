"""Checks shared by the package's estimators, and how they warn."""

import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._compat import _check_sample_weight, _check_y, _num_samples

__all__ = ["check_numeric_target", "check_pairs", "check_same_rows", "check_sample_weight",
           "encode_labels", "label_encoder", "last_step", "name_failure", "warn_user"]


def label_encoder(y, owner, estimator=None, *, min_classes=2):
    """Check classification targets ``y``; return ``(encoder, y encoded as 0..K-1)``.

    Raises a ``ValueError`` naming ``owner`` when ``y`` holds fewer than ``min_classes``
    classes. Two is what a classifier needs to learn anything; AdaBoost takes one, as
    scikit-learn's does (its members then predict the only class).
    """
    y = column_or_1d(_check_y(y, estimator=estimator), warn=True)
    check_classification_targets(y)
    encoder = LabelEncoder().fit(y)
    if len(encoder.classes_) < min_classes:
        raise ValueError(
            f"{owner} needs at least {min_classes} classes in y; got 1 class "
            f"({encoder.classes_.tolist()[0]!r})."
        )
    return encoder, encoder.transform(y)


def encode_labels(estimator, y, *, min_classes=2):
    """Encode classification targets once, as 0..K-1, for ``estimator``.

    Sets ``estimator._label_encoder`` and ``estimator.classes_`` (the user's labels, which
    ``predict`` returns) and returns the encoded ``y`` that members see. ``min_classes``:
    see :func:`label_encoder`.
    """
    encoder, y_enc = label_encoder(y, type(estimator).__name__, estimator,
                                   min_classes=min_classes)
    estimator._label_encoder = encoder
    estimator.classes_ = encoder.classes_
    return y_enc


def check_sample_weight(sample_weight, X, owner, *, dtype=None, copy=False):
    """``sample_weight`` checked for ``owner``'s fit: one finite, non-negative weight a row
    of ``X``, not all zero; None (no weights) stays None. Returns a float array.

    The one check every estimator of the package makes, so a bad weight gets the same
    error everywhere, before any member is fitted (a negative weight otherwise reaches
    the members and the combiners' weighted means: a ``ZeroDivisionError`` or, worse,
    a fit that quietly subtracts rows). The error for a negative weight starts with
    scikit-learn's sentence (its tests match it) and goes on to name the first one and its
    row; a wrong shape, NaN or all zeros get scikit-learn's sentence, then ``owner`` and
    what it expects.
    """
    if sample_weight is None:
        return None
    try:
        weight = _check_sample_weight(sample_weight, X, dtype=dtype, copy=copy)
    except ValueError as exc:  # scikit-learn's sentence first (its tests match it)
        got = np.shape(sample_weight)
        raise ValueError(
            f"{exc} ({owner} expects sample_weight as one finite weight >= 0 a row of X, "
            f"{_num_samples(X)} rows, not all zero; got "
            f"{'a scalar' if got == () else f'an array of shape {got}'}.)") from None
    negative = np.flatnonzero(weight < 0)
    if negative.size:
        row = int(negative[0])
        raise ValueError(
            f"Negative values in data passed to `sample_weight`: {owner} expects weights "
            f">= 0, one a row of X; got {weight[row]:g} at row {row} ({negative.size} "
            f"negative weight{'s' if negative.size > 1 else ''} in all). Give those rows "
            "weight 0 or drop them."
        )
    return weight


def check_pairs(pairs, param, owner):
    """``pairs`` must be a non-empty list of (name, estimator) pairs with distinct str
    names and estimators that have ``fit``; return the names. ``param`` and ``owner``
    (the argument and the function taking it) are named in the errors."""
    if not isinstance(pairs, list | tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and hasattr(p[1], "fit")
        for p in pairs
    ):
        raise TypeError(f"{param} of {owner} must be a list of (name, estimator) pairs; "
                        f"got {pairs!r}.")
    if not pairs:
        raise ValueError(f"{param} of {owner} must be a non-empty list of (name, "
                         "estimator) pairs; got an empty list.")
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{param} of {owner} must have distinct names; {repeated} "
                         "appear more than once.")
    return names


def check_same_rows(X, y):
    """Raise a ``ValueError`` unless ``X`` and ``y`` have as many rows."""
    if _num_samples(X) != _num_samples(y):
        raise ValueError(f"X and y must have the same number of rows; got "
                         f"{_num_samples(X)} and {_num_samples(y)}.")


def check_numeric_target(y, owner, *, multi_output=False, estimator=None):
    """A regressor's target: numbers (scikit-learn's ``_check_y`` with ``y_numeric``, which
    turns an object array of numbers into floats), else a ``ValueError`` naming ``owner``
    and the labels found, rather than a member's "could not convert string to float"."""
    try:
        checked = _check_y(y, multi_output=multi_output, y_numeric=True, estimator=estimator)
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        checked = np.asarray(y)
    if checked.dtype.kind not in "biuf":
        labels = np.unique(np.asarray(checked).astype(str))
        shown = ", ".join(repr(str(v)) for v in labels[:3])
        raise ValueError(
            f"{owner} is a regressor: y must hold numbers; got labels such as {shown} "
            f"(dtype {checked.dtype}). For classes, use a classifier.")
    return checked


def last_step(estimator):
    """The estimator a Pipeline ends with (the estimator itself if it is not one)."""
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if isinstance(steps, list) and steps else estimator


def check_target_complete(y, where):
    """A ``ValueError`` naming ``where`` when ``y`` has missing values (NaN, None,
    ``pd.NA``), with how many and their first rows; else nothing.

    scikit-learn's own checks say "Input contains NaN." without naming ``y``, and a
    missing value among string labels fails as "'<' not supported between 'str' and
    'NoneType'" (sorting the classes)."""
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.dtype.kind == "f":
        missing = np.isnan(y)
    elif y.dtype.kind == "O":
        import pandas as pd  # only for object arrays: None, pd.NA, NaN alike

        missing = np.asarray(pd.isna(y), dtype=bool)
    else:
        return
    if missing.ndim > 1:
        missing = missing.any(axis=tuple(range(1, missing.ndim)))
    rows = np.flatnonzero(missing)
    if len(rows):
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        raise ValueError(
            f"{where}: y has {len(rows)} missing value(s) (NaN or None), in row(s) "
            f"{shown}; every row needs a target: drop those rows from X and y first.")


def name_failure(exc, where):
    """Put ``where`` ("member 'xgb' failed in fold 3") in front of ``exc``'s message, so
    that a failing base learner names itself; return ``exc`` to be raised."""
    if exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{where}: {exc.args[0]}",) + exc.args[1:]
    else:
        exc.args = (where,) + exc.args
    return exc


# Frames from these directories are ours or scikit-learn's plumbing (fit decorators,
# meta-estimators, search), never the line a user wrote.
_INTERNAL = tuple(os.path.dirname(os.path.abspath(module.__file__)) + os.sep
                  for module in (sys.modules[__package__], sklearn))


def warn_user(message, category=UserWarning):
    """``warnings.warn`` pointed at the first caller outside this package and scikit-learn.

    A fixed ``stacklevel`` is wrong as soon as a decorator (``_fit_context``) or a
    meta-estimator stands between the user's call and the warning; this is Python 3.12's
    ``skip_file_prefixes``, for 3.10 and 3.11 as well.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level - 1 if frame is None else level)

