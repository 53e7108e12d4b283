"""Checks shared by every classifier of the package."""

from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._compat import _check_y

__all__ = ["encode_labels"]


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
