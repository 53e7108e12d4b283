"""Where base learners run: resolve ``"auto"`` and set each library's device parameter.

Each library names its device differently: skorch nets and ours take ``device="cuda"``,
XGBoost takes ``device="cuda"``, LightGBM takes ``device_type="cuda"`` (a CUDA build) or
``"gpu"`` (an OpenCL build). :func:`set_device` hides this, walking through Pipelines and
ensembles so one call moves a whole model.
"""

import functools
import re

from sklearn.base import BaseEstimator

from .._validation import warn_user

__all__ = ["DeviceUnavailableError", "resolve_device", "set_device"]

_DEVICE_RE = re.compile(r"auto|cpu|cuda(:\d+)?")


class DeviceUnavailableError(RuntimeError):
    """A CUDA device was asked for explicitly and torch sees none (or not that one)."""


def resolve_device(device="auto"):
    """Turn a device request into a concrete torch device string.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or None, default="auto"
        ``"auto"`` (or None) picks ``"cuda"`` when torch sees a CUDA device, else ``"cpu"``.

    Returns
    -------
    str
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Raises
    ------
    ValueError
        ``device`` is not one of the accepted strings.
    DeviceUnavailableError
        ``"cuda"``/``"cuda:N"`` was asked for explicitly and torch sees no such device.
        We raise rather than fall back silently: a script that asks for the GPU and runs
        a hundred times slower on the CPU is worse than one that stops. Ask for
        ``"auto"`` to fall back.

    Examples
    --------
    >>> from ensembles import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    >>> resolve_device("auto") in ("cpu", "cuda")
    True
    """
    if device is None:
        device = "auto"
    # fullmatch, not match: ``$`` would also accept a trailing newline ("cpu\n").
    if not isinstance(device, str) or not _DEVICE_RE.fullmatch(device):
        raise ValueError(
            "device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a GPU index); "
            f"got {device!r}."
        )
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        return device
    if not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"device={device!r} was requested but torch sees no CUDA device "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda is not None}). "
            "Use device='auto' to fall back to the CPU, or device='cpu'."
        )
    index = int(device.split(":")[1]) if ":" in device else 0
    if index >= torch.cuda.device_count():
        raise DeviceUnavailableError(
            f"device={device!r} was requested but torch sees only "
            f"{torch.cuda.device_count()} CUDA device(s)."
        )
    return device


@functools.cache
def _lightgbm_gpu_device_type():
    """The GPU ``device_type`` this LightGBM build can train with, or None.

    PyPI wheels of LightGBM 4.x are built without CUDA; some include OpenCL ("gpu").
    Asking is the only reliable test, so train one tiny booster per candidate, once.
    """
    import lightgbm
    import numpy as np

    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.arange(20) % 2
    for device_type in ("cuda", "gpu"):
        try:
            lightgbm.train(
                {"device_type": device_type, "verbose": -1, "num_iterations": 1},
                lightgbm.Dataset(X, y),
            )
        except Exception:  # noqa: BLE001 - any failure means "this build can't"
            continue
        return device_type
    return None


def _set_lightgbm(estimator, device, warn):
    if device == "cpu":
        estimator.set_params(device_type="cpu")
        return
    gpu_type = _lightgbm_gpu_device_type()
    if gpu_type is None:
        if warn:
            warn_user(
                f"{type(estimator).__name__}: this LightGBM build cannot train on a GPU "
                "(PyPI wheels are built without CUDA, and no OpenCL device answered); "
                "it stays on the CPU. Build LightGBM with -DUSE_CUDA=ON to use the GPU.")
        estimator.set_params(device_type="cpu")
        return
    if gpu_type == "gpu" and estimator.get_params().get("device_type") != "gpu":
        # Only OpenCL here. On an H200 it fit 200,000 x 50, 100 trees, in 6.1 s against
        # 1.0 s on 16 CPU threads (issue 13): a GPU request leaves LightGBM on the CPU
        # unless the user asked for OpenCL on the model itself (device_type="gpu").
        if warn:
            warn_user(
                f"{type(estimator).__name__}: this LightGBM build has only the OpenCL "
                "learner (device_type='gpu'), slower than the CPU on the tabular sizes "
                "measured, so it stays on the CPU. Give the model device_type='gpu' to "
                "use it anyway.")
        estimator.set_params(device_type="cpu")
        return
    params = {"device_type": gpu_type}
    if ":" in device:
        index = int(device.split(":")[1])
        params["gpu_device_id"] = index
    estimator.set_params(**params)


def _children(estimator):
    """Sub-estimators held by ``estimator`` (Pipeline steps, ensemble members, ...)."""
    for value in estimator.get_params(deep=False).values():
        if isinstance(value, BaseEstimator):
            yield value
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, BaseEstimator):
                    yield item
                elif (
                    isinstance(item, tuple)
                    and len(item) >= 2
                    and isinstance(item[1], BaseEstimator)
                ):
                    yield item[1]


def set_device(estimator, device):
    """Set the device of every learner inside ``estimator``, in place.

    Sets ``device`` on our nets and on skorch nets, ``device`` on XGBoost models,
    ``device_type`` on LightGBM models, and walks into Pipelines, column
    transformers and ensembles. Estimators that have no device are left as they are.

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn compatible estimator (not fitted, or to be refitted).
    device : {"auto", "cpu", "cuda", "cuda:N"}
        Resolved with :func:`resolve_device` first, so an explicit ``"cuda"`` without a
        CUDA device raises :class:`DeviceUnavailableError` before anything is changed.
        When the installed LightGBM build cannot use a GPU, LightGBM models stay on the
        CPU: with a ``UserWarning`` when the GPU was asked for explicitly, silently under
        ``"auto"`` (which promises no more than "the GPU where it can be used").

    Returns
    -------
    estimator
        The same object, for chaining.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from xgboost import XGBClassifier
    >>> from ensembles import set_device
    >>> pipe = set_device(make_pipeline(StandardScaler(), XGBClassifier()), "cpu")
    >>> pipe[-1].get_params()["device"]
    'cpu'
    """
    explicit = not (device is None or (isinstance(device, str) and device == "auto"))
    device = resolve_device(device)
    _set_device(estimator, device, warn=explicit)
    return estimator


def _set_device(estimator, device, *, warn=True):
    module = type(estimator).__module__
    if module.startswith("lightgbm"):
        _set_lightgbm(estimator, device, warn)
        return
    if module.startswith(("xgboost", "skorch", "ensembles.learners")) and (
        "device" in estimator.get_params(deep=False)
    ):
        estimator.set_params(device=device)
        return
    if not isinstance(estimator, BaseEstimator):
        return
    params = estimator.get_params(deep=False)
    # Our meta-learners carry a ``device`` of their own that they apply to their
    # members at fit time; keep it in step with what we set on the members.
    if module.startswith("ensembles") and "device" in params:
        estimator.set_params(device=device)
    for child in _children(estimator):
        _set_device(child, device, warn=warn)
