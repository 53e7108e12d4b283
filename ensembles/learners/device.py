"""Where base learners run: resolve ``"auto"`` and set each library's device parameter.

Each library names its device differently: skorch nets and ours take ``device="cuda"``,
XGBoost takes ``device="cuda"``, LightGBM takes ``device_type="cuda"`` (a CUDA build) or
``"gpu"`` (an OpenCL build). :func:`set_device` hides this, walking through Pipelines and
ensembles so one call moves a whole model.

A net asked for ``device="auto"`` goes to the GPU only when the GPU pays for its size
(:func:`gpu_pays`, :func:`place_net`), and the out-of-fold engine keeps the fits of members
that run on a GPU (:func:`runs_on_gpu`) in one lane rather than in many worker processes.
"""

import functools
import math
import re

from sklearn.base import BaseEstimator

from .._validation import warn_user

__all__ = [
    "DeviceUnavailableError",
    "count_net_parameters",
    "gpu_pays",
    "place_net",
    "resolve_device",
    "resolve_net_device",
    "runs_on_gpu",
    "set_device",
]

_DEVICE_RE = re.compile(r"auto|cpu|cuda(:\d+)?")


class DeviceUnavailableError(RuntimeError):
    """A CUDA device was asked for explicitly and torch sees none (or not that one)."""


def _check_device(device):
    """``device`` as a request (None is ``"auto"``), or the ``ValueError`` of a bad one."""
    if device is None:
        return "auto"
    # fullmatch, not match: ``$`` would also accept a trailing newline ("cpu\n").
    if not isinstance(device, str) or not _DEVICE_RE.fullmatch(device):
        raise ValueError(
            "device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a GPU index); "
            f"got {device!r}."
        )
    return device


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
    device = _check_device(device)
    if device == "cpu":
        return device
    import torch  # here, not above: "cpu" needs no torch (1.7 s to import)

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
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


# -- placing a net: does the GPU pay? -----------------------------------------------------
# The cost model of ``gpu_pays`` and where each constant comes from. All figures were
# measured with NetClassifier on an NVIDIA H200 against 16 CPU cores, torch 2.11+cu130
# (issue 13), before nets kept their data resident on the GPU: a GPU that no longer copies
# each batch pays sooner than this rule says, so it errs toward the CPU.
#
# GPU seconds a fit costs once: CUDA's start (context, libraries, first kernels). The small
# net (20,000 x 32, (100,), batch 128, 5 epochs = 785 batches) took 1.66 s on the GPU,
# of which 785 x 0.49 ms are batches: 1.66 - 0.38 = 1.3 s. CUDA starts once per process,
# so charging it to every fit overstates it for the second fit on: the rule errs toward
# the CPU for fits that last about a second.
_GPU_START_S = 1.3
# GPU seconds a batch costs, whatever its size (launching the kernels, not running them):
# 8 bagged nets ((256, 256), 50,000 rows, batch 128, 4 epochs: 8 x 4 x 391 = 12,512
# batches) took 6.1 s one after another on the GPU, CUDA started once: 0.49 ms a batch.
_GPU_BATCH_S = 0.49e-3
# CPU seconds a batch costs besides its arithmetic (skorch's Python loop, and torch's
# threads meeting after each operation): on one thread taken equal to the GPU's, the same
# Python loop; on 16 threads the small net measured 1.39 ms a batch (1.09 s / 785, its
# arithmetic a few microseconds), so each thread beyond the first adds
# (1.39 - 0.49) / 15 = 0.06 ms.
_CPU_BATCH_S = _GPU_BATCH_S
_CPU_BATCH_S_PER_THREAD = 0.06e-3
# CPU arithmetic, in row x parameter products a second on one torch thread: the same 8 nets
# on 4 one-thread workers took 2.6 s (1.3 s a net); less 1,564 batches x 0.49 ms leaves
# 0.53 s for 4 epochs x 50,000 rows x 74,754 parameters = 1.5e10 products: 2.8e10 a second
# (about 170 GFLOP/s at 6 floating-point operations a product, forward and backward).
_CPU_RATE = 2.8e10
# How threads speed up the CPU: the large net (200,000 x 128, (512, 512, 512), batch 1024)
# was 12.7x faster on the GPU than on one thread and 2.5x faster than on 16, so 16 threads
# are 5.1x one: speedup = threads ** 0.586 (16 ** 0.586 = 5.1).
_THREAD_EXPONENT = 0.586


def gpu_pays(n_rows, n_params, batch_size, *, n_epochs=1, n_threads=1):
    """Whether training a net on the GPU beats training it on the CPU, by its size.

    A cost model whose constants were calibrated on an NVIDIA H200 against 16 CPU cores
    (issue 13; how each follows from the measurements is in the comments above this
    function and in the user guide, "Devices, GPUs and pickles")::

        batches     = n_epochs * ceil(n_rows / batch_size)
        gpu_seconds = 1.3 + batches * 0.49e-3
        cpu_seconds = batches * (0.49e-3 + (n_threads - 1) * 0.06e-3)
                      + n_epochs * n_rows * n_params / (2.8e10 * n_threads ** 0.586)

    and the GPU pays when ``gpu_seconds < cpu_seconds``. The GPU pays CUDA's start once
    (1.3 s) and its kernel launches per batch (0.49 ms), whatever the batch's size; the
    CPU pays per batch its Python loop and its threads meeting after each operation, and
    for the arithmetic ``rows x parameters`` products (``batch_size x n_params`` a batch)
    at a rate that grows with threads. On one thread the per-batch costs cancel and the
    GPU pays when the CPU's arithmetic outlasts CUDA's start; on many threads small
    batches tip toward the GPU. Measured before nets kept their data on the GPU (which
    saves a copy per batch), so it errs toward the CPU; ``benchmarks/gpu.py`` prints what
    ``"auto"`` picks next to both devices' times, to check it on your hardware.

    Parameters
    ----------
    n_rows : int
        Rows trained on.
    n_params : int
        Trainable parameters of the module (see :func:`count_net_parameters`).
    batch_size : int
        Rows per batch.
    n_epochs : int, default=1
        Passes over the rows (a net's ``max_epochs``: an upper bound under early stopping).
    n_threads : int, default=1
        Torch threads the fit would have on the CPU (a net's ``n_jobs``).

    Returns
    -------
    bool

    Examples
    --------
    The calibration points: a small net loses on the GPU (it measured 0.65x 16 CPU
    threads), a large one wins (2.5x 16 threads, 12.7x one).

    >>> from ensembles.learners.device import gpu_pays
    >>> gpu_pays(20_000, 3_502, 128, n_epochs=5, n_threads=16)
    False
    >>> gpu_pays(200_000, 592_386, 1024, n_epochs=3, n_threads=16)
    True
    """
    for name, value, low in (("n_rows", n_rows, 0), ("n_params", n_params, 0),
                             ("batch_size", batch_size, 1), ("n_epochs", n_epochs, 1),
                             ("n_threads", n_threads, 1)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
            raise ValueError(f"{name} must be a number >= {low}; got {value!r}.")
    batches = n_epochs * math.ceil(n_rows / batch_size)
    gpu_seconds = _GPU_START_S + batches * _GPU_BATCH_S
    cpu_batch = _CPU_BATCH_S + (n_threads - 1) * _CPU_BATCH_S_PER_THREAD
    cpu_seconds = batches * cpu_batch + n_epochs * n_rows * n_params / (
        _CPU_RATE * n_threads ** _THREAD_EXPONENT)
    return gpu_seconds < cpu_seconds


def resolve_net_device(device, n_rows, n_params, batch_size, *, n_epochs=1, n_threads=1):
    """The device a net trains on: :func:`resolve_device`, with ``"auto"`` by size.

    An explicit request (``"cpu"``, ``"cuda"``, ``"cuda:N"``) is resolved as
    :func:`resolve_device` does, raising where it does. ``"auto"`` (or None) gives
    ``"cpu"`` without a CUDA device, and with one ``"cuda"`` when :func:`gpu_pays` for
    these sizes, else ``"cpu"``.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or None
    n_rows, n_params, batch_size, n_epochs, n_threads : int
        As in :func:`gpu_pays`.

    Returns
    -------
    str

    Examples
    --------
    >>> from ensembles.learners.device import resolve_net_device
    >>> resolve_net_device("cpu", 200_000, 592_386, 1024)
    'cpu'
    >>> resolve_net_device("auto", 20_000, 3_502, 128, n_epochs=5)
    'cpu'
    """
    resolved = resolve_device(device)
    if device not in (None, "auto") or resolved == "cpu":
        return resolved
    pays = gpu_pays(n_rows, n_params, batch_size, n_epochs=n_epochs, n_threads=n_threads)
    return resolved if pays else "cpu"


def count_net_parameters(net, n_features, n_outputs):
    """Trainable parameters of the module ``net`` (one of our nets) builds for this data.

    The module is built on torch's ``meta`` device (no memory, no random draws), or, if
    it cannot be built there, on the CPU with torch's random state restored afterwards.

    Examples
    --------
    >>> from ensembles import NetClassifier
    >>> from ensembles.learners.device import count_net_parameters
    >>> count_net_parameters(NetClassifier(hidden_layer_sizes=(100,)), 32, 2)
    3502
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        try:
            with torch.device("meta"):
                module = net._build_module(n_features, n_outputs)
        except Exception:  # noqa: BLE001 - a module that cannot live on meta: build it
            module = net._build_module(n_features, n_outputs)
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _net_threads(n_jobs):
    """Torch threads a net with this ``n_jobs`` trains with (as ``net._torch_threads``)."""
    if n_jobs is None:
        import torch

        return torch.get_num_threads()
    import joblib

    return joblib.cpu_count() if n_jobs < 0 else max(int(n_jobs), 1)


def place_net(net, n_rows, n_features, n_outputs):
    """The device one of our nets trains on for data of this size (its ``device_``).

    :func:`resolve_net_device` with the net's ``device``, ``batch_size``, ``max_epochs``
    and ``n_jobs`` (torch threads) and the parameters of the module it builds for
    ``n_features`` inputs and ``n_outputs`` outputs (:func:`count_net_parameters`,
    counted only when ``"auto"`` meets a CUDA device).

    Examples
    --------
    >>> from ensembles import NetClassifier
    >>> from ensembles.learners.device import place_net
    >>> place_net(NetClassifier(device="cpu"), 1_000, 20, 2)
    'cpu'
    """
    device = net.device
    if device not in (None, "auto") or resolve_device(device) == "cpu":
        return resolve_device(device)
    n_params = count_net_parameters(net, n_features, n_outputs)
    # A TabM passes each row through its k members (shared weights, adapters of their
    # own): its work per row is about k times its parameters, which the rule counts.
    if isinstance(net.module, str) and net.module == "tabm":
        from .net import _tabm_k

        n_params *= _tabm_k(net.module_params)
    return resolve_net_device(
        device, n_rows, n_params, net.batch_size,
        n_epochs=net.max_epochs, n_threads=_net_threads(net.n_jobs))


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
        ``"auto"`` is resolved only when ``estimator`` holds a learner that has a
        device: scikit-learn-only models do not import torch, and the ``device`` of
        our ensembles among them stays ``"auto"``, resolved at their fit for any
        member that needs it. When the installed LightGBM build cannot use a GPU,
        LightGBM models stay on the CPU: with a ``UserWarning`` when the GPU was asked
        for explicitly, silently under ``"auto"`` (which promises no more than "the GPU
        where it can be used").

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
    if not hasattr(estimator, "get_params"):
        raise TypeError(f"set_device: estimator must be a scikit-learn compatible "
                        f"estimator (with get_params); got {estimator!r}.")
    explicit = not (device is None or (isinstance(device, str) and device == "auto"))
    _set_device(estimator, _placement(estimator, device), warn=explicit)
    return estimator


def _takes_device(estimator):
    """Whether :func:`set_device` sets a device on ``estimator`` itself (a learner: a
    net, an XGBoost or LightGBM model), rather than only walking into it."""
    module = type(estimator).__module__
    return module.startswith("lightgbm") or (
        module.startswith(("xgboost", "skorch", "ensembles.learners"))
        and "device" in estimator.get_params(deep=False)
    )


def _needs_device(estimator):
    """Whether ``estimator`` holds, at any depth, a learner that takes a device."""
    if not hasattr(estimator, "get_params"):
        return False
    if _takes_device(estimator):
        return True
    return isinstance(estimator, BaseEstimator) and any(
        _needs_device(child) for child in _children(estimator))


def _placement(estimator, device):
    """The device :func:`set_device` places ``estimator`` on: ``device`` resolved, as
    :func:`resolve_device` does and raising where it does, except that ``"auto"`` stays
    ``"auto"`` when nothing inside ``estimator`` takes a device. Resolving ``"auto"``
    imports torch (1.7 s, inside a benchmark's ``time_limit``), which scikit-learn-only
    models should not pay; our ensembles keep ``"auto"`` and pass it on at fit, where
    it is resolved if a member that takes a device has been set in since."""
    device = _check_device(device)
    if device == "auto" and not _needs_device(estimator):
        return device
    return resolve_device(device)


def _set_device(estimator, device, *, warn=True):
    if _takes_device(estimator):
        if type(estimator).__module__.startswith("lightgbm"):
            _set_lightgbm(estimator, device, warn)
        else:
            estimator.set_params(device=device)
        return
    module = type(estimator).__module__
    if not isinstance(estimator, BaseEstimator):
        return
    params = estimator.get_params(deep=False)
    # Our meta-learners carry a ``device`` of their own that they apply to their
    # members at fit time; keep it in step with what we set on the members.
    if module.startswith("ensembles") and "device" in params:
        estimator.set_params(device=device)
    for child in _children(estimator):
        _set_device(child, device, warn=warn)


# -- which members run on a GPU (the engine's GPU lane) ------------------------------------


def _is_cuda(device):
    """Whether a device value names a GPU (torch's ``cuda``/``cuda:N``, XGBoost's "gpu")."""
    if device is None:
        return False
    device = str(device)
    return device == "gpu" or device == "cuda" or device.startswith("cuda:")


def runs_on_gpu(estimator, *, n_rows=None, n_features=None, n_outputs=None):
    """Whether fitting ``estimator`` would train something on a GPU, without fitting it.

    Read from the parameters, inside Pipelines and ensembles: our nets and skorch nets
    with ``device="cuda"`` (or ``"cuda:N"``), our nets with ``device="auto"`` where torch
    sees a CUDA device and :func:`place_net` sends a net of these sizes there, XGBoost
    with ``device="cuda"``/``"gpu"`` (or the old ``tree_method="gpu_hist"``), LightGBM with
    ``device_type`` (or ``device``) ``"gpu"``/``"cuda"``, CatBoost with
    ``task_type="GPU"``. An ensemble of ours with a ``device`` of its own places its
    sub-estimators at fit (see :func:`set_device`), so that device counts for them.

    Parameters
    ----------
    estimator : estimator
        Not fitted; not changed.
    n_rows, n_features, n_outputs : int, default=None
        The size of the data a net with ``device="auto"`` would train on. Without them
        such a net counts as on the GPU whenever torch sees one.

    Returns
    -------
    bool

    Examples
    --------
    >>> from xgboost import XGBClassifier
    >>> from ensembles.learners.device import runs_on_gpu
    >>> runs_on_gpu(XGBClassifier(device="cuda")), runs_on_gpu(XGBClassifier())
    (True, False)
    """
    sizes = (n_rows, n_features, n_outputs)
    return _runs_on_gpu(estimator, None, sizes)


def _runs_on_gpu(estimator, placed, sizes):
    """``placed``: the device an enclosing ensemble of ours sets at fit (None: none)."""
    if not hasattr(estimator, "get_params"):
        return False
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # noqa: BLE001 - not a scikit-learn estimator: no device to read
        return False
    module = type(estimator).__module__
    if module.startswith("lightgbm"):
        own = params.get("device_type") or params.get("device")
        if placed is None:
            return own in ("gpu", "cuda")
        if not _is_cuda(placed):
            return False
        # What _set_lightgbm does with a GPU request for this build.
        gpu_type = _lightgbm_gpu_device_type()
        return gpu_type == "cuda" or (gpu_type == "gpu" and own == "gpu")
    if module.startswith("xgboost"):
        device = placed if placed is not None else params.get("device")
        return _is_cuda(device) or (placed is None and params.get("tree_method") == "gpu_hist")
    if module.startswith("catboost"):
        return str(params.get("task_type") or "").upper() == "GPU"
    if module.startswith("skorch") and "device" in params:
        return _is_cuda(placed if placed is not None else params["device"])
    if hasattr(estimator, "_build_module") and "device" in params:  # one of our nets
        device = placed if placed is not None else params["device"]
        if _is_cuda(device):
            return True
        if device not in (None, "auto"):
            return False  # "cpu", or a bad value that its fit will report
        if resolve_device("auto") == "cpu":
            return False
        if None in sizes:
            return True
        n_rows, n_features, n_outputs = sizes
        try:
            return place_net(estimator, n_rows, n_features, n_outputs) != "cpu"
        except Exception:  # noqa: BLE001 - a net that cannot be sized fails in its fit
            return False
    if module.startswith("ensembles") and params.get("device") is not None:
        try:
            placed = _placement(estimator, params["device"])
        except DeviceUnavailableError:
            placed = params["device"]  # asked for a GPU; its fit will say there is none
        except ValueError:
            pass  # a bad device, reported by the ensemble's fit
    return any(_runs_on_gpu(child, placed, sizes) for child in _children(estimator))
