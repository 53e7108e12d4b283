"""The one place where scikit-learn's private helpers are imported.

scikit-learn moves its private modules between releases; keeping every such import here
means a new release breaks one file, not twenty.
"""

import copy
import functools

import numpy as np
from sklearn.base import _fit_context as _sklearn_fit_context
from sklearn.ensemble._gradient_boosting import predict_stages as _predict_stages
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils._user_interface import _message_with_time
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_method_params,
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
    "MetadataRouter",
    "MethodMapping",
    "_check_method_params",
    "_message_with_time",
    "_raise_for_params",
    "_routing_enabled",
    "process_routing",
    "StrOptions",
    "_check_feature_names_in",
    "_check_sample_weight",
    "_safe_indexing",
    "_check_y",
    "_num_samples",
    "_predict_stages",
    "_fit_context",
    "validate_data",
    "validate_params",
]


def _fit_context(*, prefer_skip_nested_validation):
    """scikit-learn's ``fit`` decorator, and one promise more: a ``fit`` that raises (or is
    interrupted) leaves the estimator as it was before the call.

    A refit of a fitted ensemble that fails in one member (or a warm start that fails in
    a new one) would otherwise leave new ``classes_`` or ``n_features_in_`` over the old
    fitted members, a model that predicts nothing. Fitted attributes are rebound, not
    changed in place, by our ``fit`` methods, so a shallow snapshot of the instance
    (lists, dicts and arrays copied one level) is enough to restore it. The very objects
    are put back, their contents restored in place only where a fit changed them (a
    warm start appends to ``estimators_``): an attribute shared with another object (as
    ``classes_`` with a label encoder) stays shared, so the estimator pickles to the
    same bytes as before the call.
    """
    sklearn_decorator = _sklearn_fit_context(
        prefer_skip_nested_validation=prefer_skip_nested_validation)

    def decorator(fit_method):
        checked_fit = sklearn_decorator(fit_method)

        @functools.wraps(fit_method)
        def wrapper(estimator, *args, **kwargs):
            before = dict(vars(estimator))
            contents = {key: copy.copy(value) for key, value in before.items()
                        if isinstance(value, (list, dict, np.ndarray))}
            try:
                return checked_fit(estimator, *args, **kwargs)
            except BaseException:
                vars(estimator).clear()
                vars(estimator).update(before)
                for key, saved in contents.items():
                    _restore_contents(before[key], saved)
                raise

        return wrapper

    return decorator



def _restore_contents(container, saved):
    """Give ``container`` (a list, dict or array) the contents of ``saved``, its shallow
    copy, if it no longer has them."""
    if isinstance(container, np.ndarray):
        if container.shape != saved.shape or container.dtype != saved.dtype:
            return  # resized in place: nothing of ours does that
        if container.tobytes() != saved.tobytes():
            container[...] = saved
    elif isinstance(container, list):
        if len(container) != len(saved) or any(
                a is not b for a, b in zip(container, saved, strict=True)):
            container[:] = saved
    elif list(container) != list(saved) or any(
            container[key] is not saved[key] for key in saved):
        container.clear()
        container.update(saved)
