"""Checks shared by the package's estimators, and how they warn."""

import os
import sys
import warnings

import sklearn
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._compat import _check_y

__all__ = ["encode_labels", "warn_user"]


def encode_labels(estimator, y):
    """Check classification targets and encode them once, as 0..K-1.

    Sets ``estimator._label_encoder`` and ``estimator.classes_`` (the user's labels, which
    ``predict`` returns) and returns the encoded ``y`` that members see. Raises a
    ``ValueError`` naming the estimator when ``y`` holds fewer than two classes.
    """
    y = column_or_1d(_check_y(y, estimator=estimator), warn=True)
    check_classification_targets(y)
    encoder = LabelEncoder().fit(y)
    if len(encoder.classes_) < 2:
        raise ValueError(
            f"{type(estimator).__name__} needs at least 2 classes in y; got 1 class "
            f"({encoder.classes_.tolist()[0]!r})."
        )
    estimator._label_encoder = encoder
    estimator.classes_ = encoder.classes_
    return encoder.transform(y)


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

