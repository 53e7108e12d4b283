"""Scheduling: every parallel fit of the package goes through :func:`run`.

The out-of-fold engine's (member, fold) fits and bagging's members are independent tasks
run by joblib, so they work under any joblib backend: loky (the default), threading, or
dask through ``joblib.parallel_backend("dask")``. Worker functions are module-level (loky
and dask pickle them). Thread caps: loky limits the BLAS/OpenMP pools of each worker to
its share of the cores; the nets cap their own torch threads (``NetClassifier(n_jobs=1)``)
and the roster gives XGBoost and LightGBM one thread each, so that parallel tasks do not
spin on each other's cores. Sequential loops (boosting rounds) share the progress bar.

GPU work gets one lane: the tasks passed as ``lane`` (the engine's members that run on a
GPU) run one after another inside a single task, so one process holds one CUDA context,
while the other tasks run in parallel beside it. Spread over worker processes, each
starts its own CUDA context and they contend for the device: 8 bagged nets took 19.8 s
with 4 GPU workers against 6.1 s one after another (NVIDIA H200, issue 13).

Several fits of one net (bagging's members, a stack member's folds) may run as one task,
trained as one batched model: :func:`batches_nets` decides it for both.
"""

import contextlib
import importlib
import itertools
import sys

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs, parallel, parallel_config

__all__ = ["Several", "batches_nets", "learner_modules", "progress", "run"]

# Libraries a worker imports in its first task whenever the calling process has them.
_HEAVY = ("torch", "skorch", "xgboost", "lightgbm")


def learner_modules(estimators):
    """The modules defining every (nested) estimator of ``estimators``, (name, estimator)
    pairs: what a worker needs imported to unpickle any of them."""
    modules = set()
    for _, estimator in estimators:
        try:
            nested = estimator.get_params(deep=True).values()
        except Exception:  # noqa: BLE001 - not a scikit-learn estimator: itself only
            nested = ()
        modules.update(type(obj).__module__ for obj in (estimator, *nested)
                       if hasattr(obj, "fit"))
    return sorted(modules)


def _aligned(value):
    """``value``, or a copy of it if it is a NumPy array whose data does not start at a
    multiple of its item size.

    dask hands a task its arrays as views into the bytes it received, at any offset
    (seen: 47 and 63 bytes for float64): on such data NumPy and BLAS take their unaligned
    code paths, which round in another order, so a fit in a dask worker differed from
    the same fit anywhere else in the last bit (2e-16, issue 16). An aligned copy gives
    the same numbers as loky, threads and n_jobs=1; aligned arrays are passed as they
    are. (Pandas frames are passed as they are.)"""
    if isinstance(value, np.ndarray) and not value.flags.aligned:
        return np.require(value, requirements=["A"])
    return value


def _task(modules, function, args, kwargs):
    """A task as every worker runs it: ``modules`` imported, arrays aligned, and the
    task's own joblib calls kept inside it (:func:`_nested_config`)."""
    for module in modules:
        importlib.import_module(module)
    with _nested_config():
        return function(*map(_aligned, args), **{k: _aligned(v) for k, v in kwargs.items()})


def _nested_config():
    """Where a task's own joblib calls (a forest's trees, a grid search as a member) run:
    as they would in a loky worker, in threads of the task's process, with the
    ``n_jobs`` the estimator asks for (1: in turn), when the task runs on dask.

    joblib's dask backend hands nested calls to the cluster again and ignores their
    ``n_jobs``: an ``ExtraTreesClassifier(n_jobs=1)`` fitted in a task sent each of its
    trees to the scheduler as a task of its own, which ran beside the other (member,
    fold) fits on the same cores; a stack of forests then took 1.3-1.4x as long as
    under loky (issue 16, ``benchmarks/scaling.py``). Other backends are left as
    they are."""
    backend, _ = parallel.get_active_backend()
    if type(backend).__name__ == "DaskDistributedBackend":
        return parallel_config(backend="threading")
    return contextlib.nullcontext()


def batches_nets(estimator, n_fits, batch_nets, fit_params=None, *, fits, otherwise,
                 refusal=None, nets_only=False):
    """Whether the ``n_fits`` fits of ``estimator`` run as one task, trained as one
    batched model (``batch_nets``: "auto", True or False; see
    :mod:`ensembles.learners._batched`): bagging's members, a stack member's folds.

    ``refusal`` is the caller's own reason not to batch them (a sentence), if any. With
    ``nets_only``, an estimator that is not one of our nets is simply not batched,
    whatever ``batch_nets`` says (a stack's other members); else it is refused like a net
    that cannot be batched. A refusal under ``batch_nets=True`` is a ``ValueError``
    naming the fits (``fits``: "the members") and how they are fitted instead
    (``otherwise``: "one by one").
    """
    if batch_nets is False or n_fits < 2:
        return False
    # Our nets' module is loaded if the estimator is one of them (torch loads with it);
    # anything else is judged without loading torch.
    nets = sys.modules.get("ensembles.learners.net")
    if nets is None or not isinstance(estimator, nets._BaseNet):
        if nets_only:
            return False
        refusal = f"{type(estimator).__name__} is not one of our nets"
    elif refusal is None:
        from ..learners._batched import batch_refusal

        refusal = batch_refusal(estimator, fit_params)
    if refusal is not None and batch_nets is True:
        raise ValueError(
            f"batch_nets=True: {fits} cannot be trained as one batched model: {refusal}. "
            f"Set batch_nets='auto' to fit them {otherwise} in that case.")
    return refusal is None


class Several(list):
    """Several results returned together by one task (the lane's tasks; the fits of a
    member trained as one batched model): :func:`run` yields them one by one and counts
    each in the progress bar."""


def _in_lane(modules, jobs):
    results = Several()
    for function, args, kwargs in jobs:
        result = _task(modules, function, args, kwargs)
        if isinstance(result, Several):
            results.extend(result)
        else:
            results.append(result)
    return results


def run(jobs, *, total, n_jobs=None, verbose=0, desc="fitting", ordered=True, preload=(),
        lane=()):
    """Run joblib ``jobs`` (``delayed`` calls), yielding their results.

    Parameters
    ----------
    jobs : iterable of joblib delayed calls
    total : int
        Number of jobs, for the progress bar.
    n_jobs : int, default=None
        joblib workers (None: one, unless a ``parallel_backend`` context says otherwise).
    verbose : int, default=0
        A progress bar over the jobs when > 0.
    desc : str, default="fitting"
        The progress bar's label.
    ordered : bool, default=True
        Yield results in the order of ``jobs`` (else as they finish).
    preload : iterable of str, default=()
        Modules every task imports before it runs (see :func:`learner_modules`), with
        torch, skorch, XGBoost and LightGBM where this process has imported them.
    lane : iterable of joblib delayed calls, default=()
        Tasks to run one after another in a single task (one worker process, which
        then holds the only CUDA context), beside ``jobs`` spread over the other
        workers: the fits that run on a GPU. Their results come first when ``ordered``
        (in their order, then those of ``jobs``), else together when the lane is done.
        With one worker everything runs in turn, the lane first, as it would anyway.
        ``total`` counts them too.

    A task may return :class:`Several` results (a batched fit of several models): they
    are yielded one by one, and ``total`` counts each.

    Notes
    -----
    Why preload: loky measures a worker's memory after its first task and restarts the
    worker (with a warning) when it later grows by 300 MB, taking that for a leak. The
    package imports its heavy libraries lazily, so a worker whose first task fits a tree
    would import torch in a later net task (about 300 MB) and be restarted. Importing
    them in every task (a no-op after the first) puts them in the worker's reference.
    """
    modules = sorted(set(preload) | {name for name in _HEAVY if name in sys.modules})
    lane = list(lane)
    if lane and effective_n_jobs(n_jobs) > 1:
        lanes = [delayed(_in_lane)(modules, lane)]
    else:  # one worker: the lane's tasks are tasks like the others
        lanes, jobs = [], itertools.chain(lane, jobs)
    jobs = (delayed(_task)(modules, function, args, kwargs)
            for function, args, kwargs in jobs)
    parallel = Parallel(n_jobs=n_jobs,
                        return_as="generator" if ordered else "generator_unordered")
    with progress(total, verbose, desc) as bar:
        # The lane goes first, so that it starts at once and the GPU never waits.
        for result in parallel(itertools.chain(lanes, jobs)):
            for one in result if isinstance(result, Several) else (result,):
                bar.update(1)
                yield one


class _NoBar:
    def update(self, n):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress(total, verbose, desc):
    """A progress bar over ``total`` steps when ``verbose`` (tqdm), else one that is not."""
    if not verbose:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="fit")
