"""The one place where scikit-learn's private helpers are imported.

scikit-learn moves its private modules between releases; keeping every such import here
means a new release breaks one file, not twenty.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_sample_weight,
    _check_y,
    _num_samples,
    validate_data,
)

__all__ = [
    "HasMethods",
    "_BaseComposition",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_check_feature_names_in",
    "_check_sample_weight",
    "_check_y",
    "_num_samples",
    "_fit_context",
    "validate_data",
]
