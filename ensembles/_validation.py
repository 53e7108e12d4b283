"""Checks shared by the package's estimators, and how they warn."""

import os
import sys
import warnings

import sklearn
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._compat import _check_y

__all__ = ["encode_labels", "label_encoder", "last_step", "name_failure", "warn_user"]


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


def last_step(estimator):
    """The estimator a Pipeline ends with (the estimator itself if it is not one)."""
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if isinstance(steps, list) and steps else estimator


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

