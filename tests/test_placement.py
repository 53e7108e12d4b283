"""Placement (issue 13, item 4): does the GPU pay for a net, and the engine's GPU lane.

There is no GPU here. The rule (:func:`gpu_pays`) is a pure function of sizes, tested at
the points it was calibrated on (an H200 against 16 CPU cores). Where a test needs torch
to see a CUDA device, or a member to run on one, it pretends: such tests say SIMULATION
in their name and docstring, and show that the logic is wired, not that a GPU is faster.
"""

import os
import time

import numpy as np
import pytest
import torch
from lightgbm import LGBMClassifier
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from skorch import NeuralNetClassifier
from xgboost import XGBClassifier, XGBRegressor

from ensembles import (
    BaggingClassifier,
    DeviceUnavailableError,
    NetClassifier,
    NetRegressor,
    StackingClassifier,
)
from ensembles.engine import oof
from ensembles.engine.oof import cross_fit, make_folds
from ensembles.learners import device as device_module
from ensembles.learners.device import (
    count_net_parameters,
    gpu_pays,
    place_net,
    resolve_net_device,
    runs_on_gpu,
)

# The measurements: (rows, parameters, batch size, epochs) of each net.
SMALL = (20_000, 3_502, 128, 5)  # 32 features, (100,), 2 classes: GPU 0.65x 16 threads
LARGE = (200_000, 592_386, 1024, 3)  # 128 features, 3 x 512: GPU 2.5x 16 threads, 12.7x one
BAGGED = (50_000, 74_754, 128, 4)  # one of 8 bagged (256, 256) nets, 32 features


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def simulated_cuda(monkeypatch):
    """SIMULATION: torch pretends to see one CUDA device; nothing runs on it."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


# -- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 16])
def test_small_net_stays_on_the_cpu(threads):
    rows, params, batch, epochs = SMALL
    assert not gpu_pays(rows, params, batch, n_epochs=epochs, n_threads=threads)


@pytest.mark.parametrize("threads", [1, 16])
def test_large_net_goes_to_the_gpu(threads):
    rows, params, batch, epochs = LARGE
    assert gpu_pays(rows, params, batch, n_epochs=epochs, n_threads=threads)


def test_one_bagged_net_stays_on_the_cpu():
    # On the GPU one after another the 8 nets took 6.1 s; on 4 one-thread CPU workers 2.6 s.
    rows, params, batch, epochs = BAGGED
    assert not gpu_pays(rows, params, batch, n_epochs=epochs, n_threads=1)


def test_more_work_tips_toward_the_gpu_and_more_threads_toward_the_cpu():
    rows, params, batch, epochs = BAGGED
    assert gpu_pays(rows, params, batch, n_epochs=10 * epochs)
    assert gpu_pays(10 * rows, params, batch, n_epochs=epochs)
    assert gpu_pays(rows, 10 * params, batch, n_epochs=epochs)
    rows, params, batch, epochs = LARGE
    assert not gpu_pays(rows, params, batch, n_epochs=1, n_threads=64)


def test_tiny_data_never_pays_for_the_cuda_start():
    # One batch of 100 rows through 3 x 512: each epoch costs the CPU ~2 ms.
    assert not gpu_pays(100, 592_386, 128, n_epochs=100, n_threads=1)


def test_on_one_thread_the_batch_size_does_not_matter():
    # One thread: the CPU's per-batch cost is taken equal to the GPU's, so they cancel.
    for rows, params in [(20_000, 3_502), (50_000, 74_754), (200_000, 592_386)]:
        for epochs in (1, 4, 20):
            verdicts = {gpu_pays(rows, params, batch, n_epochs=epochs) for batch in
                        (32, 128, 1024, 8192)}
            assert len(verdicts) == 1


def test_on_many_threads_small_batches_tip_toward_the_gpu():
    # 16 threads meet after every operation: 1.39 ms a batch against the GPU's 0.49 ms.
    rows, params, _, epochs = SMALL
    assert gpu_pays(rows, params, 32, n_epochs=epochs, n_threads=16)
    assert not gpu_pays(rows, params, 1024, n_epochs=epochs, n_threads=16)
    assert not gpu_pays(rows, params, 32, n_epochs=epochs, n_threads=1)


@pytest.mark.parametrize("kwargs", [
    {"n_rows": -1}, {"n_params": -5}, {"batch_size": 0}, {"n_epochs": 0}, {"n_threads": 0},
    {"n_rows": "10"}, {"batch_size": True},
])
def test_gpu_pays_rejects_bad_sizes(kwargs):
    args = dict(n_rows=10, n_params=10, batch_size=1, n_epochs=1, n_threads=1) | kwargs
    name, value = next(iter(kwargs.items()))
    with pytest.raises(ValueError, match=rf"^{name} must be a number >= \d; got "):
        gpu_pays(args.pop("n_rows"), args.pop("n_params"), args.pop("batch_size"), **args)


# -- counting a net's parameters ----------------------------------------------------------


def test_count_net_parameters_matches_the_built_module():
    assert count_net_parameters(NetClassifier(hidden_layer_sizes=(100,)), 32, 2) == 3_502
    large = NetClassifier(hidden_layer_sizes=(512, 512, 512))
    assert count_net_parameters(large, 128, 2) == 592_386
    for net, n_in, n_out in [(NetRegressor(hidden_layer_sizes=(7, 5), batch_norm=True), 4, 3),
                             (NetClassifier(module="tabm", hidden_layer_sizes=(16,)), 6, 3)]:
        built = net._build_module(n_in, n_out)
        assert count_net_parameters(net, n_in, n_out) == sum(
            p.numel() for p in built.parameters())


class _NoMeta(torch.nn.Module):
    """A module that cannot be built on the meta device (it reads a value back)."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = torch.nn.Linear(in_features, out_features)
        self.scale = float(self.linear.weight.abs().max())  # fails on meta


def test_count_net_parameters_falls_back_to_the_cpu_and_keeps_the_rng():
    state = torch.random.get_rng_state()
    assert count_net_parameters(NetClassifier(module=_NoMeta), 5, 2) == 12
    assert count_net_parameters(NetClassifier(hidden_layer_sizes=(8,)), 5, 2) == 66
    assert torch.equal(state, torch.random.get_rng_state())


# -- resolving a net's device -------------------------------------------------------------


def test_explicit_requests_resolve_as_resolve_device(no_cuda):
    rows, params, batch, epochs = LARGE
    assert resolve_net_device("cpu", rows, params, batch) == "cpu"
    assert resolve_net_device("auto", rows, params, batch, n_epochs=epochs) == "cpu"
    assert resolve_net_device(None, rows, params, batch, n_epochs=epochs) == "cpu"
    with pytest.raises(DeviceUnavailableError):
        resolve_net_device("cuda", *SMALL[:3])
    with pytest.raises(ValueError, match="device must be"):
        resolve_net_device("gpu", *SMALL[:3])


def test_auto_decides_by_size_SIMULATION(simulated_cuda):
    """SIMULATION (torch.cuda.is_available patched): "auto" with a CUDA device goes by
    gpu_pays; explicit requests are kept whatever the size."""
    rows, params, batch, epochs = SMALL
    assert resolve_net_device("auto", rows, params, batch, n_epochs=epochs,
                              n_threads=16) == "cpu"
    assert resolve_net_device("cuda", rows, params, batch, n_epochs=epochs) == "cuda"
    assert resolve_net_device("cuda:0", rows, params, batch) == "cuda:0"
    rows, params, batch, epochs = LARGE
    assert resolve_net_device("auto", rows, params, batch, n_epochs=epochs,
                              n_threads=16) == "cuda"
    assert resolve_net_device(None, rows, params, batch, n_epochs=epochs) == "cuda"
    assert resolve_net_device("cpu", rows, params, batch, n_epochs=epochs) == "cpu"


def test_place_net_reads_the_net_SIMULATION(simulated_cuda):
    """SIMULATION (torch.cuda.is_available patched): a net's own sizes, epochs and
    threads decide; the calibration nets land where they were measured to be faster."""
    small = NetClassifier(hidden_layer_sizes=(100,), batch_size=128, max_epochs=5, n_jobs=16)
    large = NetClassifier(hidden_layer_sizes=(512, 512, 512), batch_size=1024, max_epochs=3,
                          n_jobs=16)
    assert place_net(small, 20_000, 32, 2) == "cpu"
    assert place_net(large, 200_000, 128, 2) == "cuda"
    assert place_net(large.set_params(device="cpu"), 200_000, 128, 2) == "cpu"
    assert place_net(small.set_params(device="cuda"), 20_000, 32, 2) == "cuda"


def test_place_net_without_cuda_is_the_cpu_or_an_error(no_cuda):
    large = NetClassifier(hidden_layer_sizes=(512, 512, 512), batch_size=1024, max_epochs=3)
    assert place_net(large, 200_000, 128, 2) == "cpu"
    with pytest.raises(DeviceUnavailableError):
        place_net(large.set_params(device="cuda"), 200_000, 128, 2)


# -- which members run on a GPU -----------------------------------------------------------


def _skorch(device):
    return NeuralNetClassifier(torch.nn.Linear, module__in_features=4,
                               module__out_features=2, device=device)


def _gpu_members():
    """Real estimators configured for a GPU (none is fitted)."""
    return {
        "net": NetClassifier(device="cuda"),
        "net_index": NetRegressor(device="cuda:1"),
        "skorch": _skorch("cuda"),
        "xgb": XGBClassifier(device="cuda"),
        "xgb_gpu_alias": XGBRegressor(device="gpu"),
        "xgb_gpu_hist": XGBClassifier(tree_method="gpu_hist"),
        "lgbm_opencl": LGBMClassifier(device_type="gpu"),
        "lgbm_cuda_alias": LGBMClassifier(device="cuda"),
        "pipeline": make_pipeline(StandardScaler(), XGBClassifier(device="cuda")),
        "stack_member": StackingClassifier([("tree", DecisionTreeClassifier()),
                                            ("net", NetClassifier(device="cuda"))]),
        "stack_final": StackingClassifier([("tree", DecisionTreeClassifier())],
                                          final_estimator=XGBClassifier(device="cuda")),
        "bag_placed": BaggingClassifier(NetClassifier(device="cpu"), device="cuda"),
    }


def _cpu_members():
    return {
        "net": NetClassifier(device="cpu"),
        "skorch": _skorch("cpu"),
        "xgb": XGBClassifier(),
        "xgb_cpu": XGBClassifier(device="cpu"),
        "lgbm": LGBMClassifier(),
        "lr": LogisticRegression(),
        "pipeline": make_pipeline(StandardScaler(), LogisticRegression()),
        "stack": StackingClassifier([("tree", DecisionTreeClassifier())]),
        "stack_placed_cpu": StackingClassifier([("net", NetClassifier(device="cuda"))],
                                               device="cpu"),
        "bag_placed_trees": BaggingClassifier(DecisionTreeClassifier(), device="cuda"),
    }


@pytest.mark.parametrize("name", list(_gpu_members()))
def test_members_configured_for_cuda_run_on_it(name):
    estimator = _gpu_members()[name]
    before = estimator.get_params(deep=True)
    assert runs_on_gpu(estimator)
    assert estimator.get_params(deep=True).keys() == before.keys()


@pytest.mark.parametrize("name", list(_cpu_members()))
def test_members_on_the_cpu_do_not(name, no_cuda):
    assert not runs_on_gpu(_cpu_members()[name])


def test_auto_nets_need_a_cuda_device_and_the_size(no_cuda):
    assert not runs_on_gpu(NetClassifier())
    assert not runs_on_gpu(make_pipeline(StandardScaler(), NetClassifier()))


def test_auto_nets_go_by_their_size_SIMULATION(simulated_cuda):
    """SIMULATION (torch.cuda.is_available patched): an "auto" net counts as a GPU member
    where place_net would send it there for the data's size."""
    large = NetClassifier(hidden_layer_sizes=(512, 512, 512), batch_size=1024, max_epochs=3,
                          n_jobs=16)
    small = NetClassifier(hidden_layer_sizes=(100,), max_epochs=5, n_jobs=16)
    assert runs_on_gpu(large, n_rows=200_000, n_features=128, n_outputs=2)
    assert not runs_on_gpu(small, n_rows=20_000, n_features=32, n_outputs=2)
    assert runs_on_gpu(small)  # sizes unknown: where torch sees a GPU
    # An ensemble of ours placing its members on "auto" sets "cuda" on them (set_device).
    assert runs_on_gpu(StackingClassifier([("net", small)], device="auto"),
                       n_rows=20_000, n_features=32, n_outputs=2)


@pytest.mark.parametrize("build, placed_cuda", [("cuda", True), ("gpu", False), (None, False)])
def test_lightgbm_placed_on_cuda_follows_its_build_SIMULATION(monkeypatch, build, placed_cuda):
    """SIMULATION (the LightGBM build probe patched): an ensemble placing LightGBM on a
    GPU moves it there only as set_device would for that build."""
    monkeypatch.setattr(device_module, "_lightgbm_gpu_device_type", lambda: build)
    bag = BaggingClassifier(LGBMClassifier(), device="cuda")
    assert runs_on_gpu(bag) is placed_cuda
    asked_opencl = BaggingClassifier(LGBMClassifier(device_type="gpu"), device="cuda")
    assert runs_on_gpu(asked_opencl) is (build is not None)


# -- the engine's GPU lane ----------------------------------------------------------------


class Recorder(ClassifierMixin, BaseEstimator):
    """Records the process and the time span of its fit; predicts the class prior."""

    def __init__(self, seconds=0.0, pretend_cuda=False):
        self.seconds = seconds
        self.pretend_cuda = pretend_cuda

    def fit(self, X, y):
        self.start_ = time.time()
        self.pid_ = os.getpid()
        time.sleep(self.seconds)
        self.classes_ = np.unique(y)
        self.prior_ = np.bincount(y, minlength=len(self.classes_)) / len(y)
        self.end_ = time.time()
        return self

    def predict_proba(self, X):
        return np.tile(self.prior_, (len(X), 1))


@pytest.fixture
def pretend_cuda_members(monkeypatch):
    """SIMULATION: the engine takes members with ``pretend_cuda=True`` for GPU members."""
    monkeypatch.setattr(
        oof, "runs_on_gpu",
        lambda estimator, **sizes: getattr(estimator, "pretend_cuda", False))


def _data():
    X, y = make_classification(n_samples=90, n_features=4, random_state=0)
    return X, y, make_folds(3, X, y, classifier=True)


def test_cuda_member_runs_in_one_lane_beside_cpu_workers_SIMULATION(pretend_cuda_members):
    """SIMULATION: a member flagged as a GPU member has all its fits (3 folds and the
    refit) in one process, one after another, while the CPU members' fits run in other
    worker processes at the same time."""
    X, y, folds = _data()
    members = [("gpu", Recorder(seconds=0.6, pretend_cuda=True)),
               ("cpu_a", Recorder(seconds=0.2)), ("cpu_b", Recorder(seconds=0.2))]
    result = cross_fit(members, X, y, folds=folds, refit=True, n_classes=2, n_jobs=2)

    def fits(name):
        return result.fold_estimators[name] + [result.full_estimators[name]]

    lane = fits("gpu")
    assert len({fit.pid_ for fit in lane}) == 1
    lane_pid = lane[0].pid_
    assert lane_pid != os.getpid()
    spans = sorted((fit.start_, fit.end_) for fit in lane)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))
    cpu = fits("cpu_a") + fits("cpu_b")
    assert all(fit.pid_ != os.getpid() for fit in cpu)
    lane_start, lane_end = spans[0][0], spans[-1][1]
    beside = [fit for fit in cpu if fit.pid_ != lane_pid
              and fit.start_ < lane_end and fit.end_ > lane_start]
    assert beside, "no CPU member's fit ran while the lane was busy"


def test_lane_off_or_one_worker_runs_as_before_SIMULATION(pretend_cuda_members):
    """SIMULATION: with ``gpu_lane=False`` a flagged member's fits spread over the workers
    again; with one worker everything runs in this process, as it always did."""
    X, y, folds = _data()
    members = [("gpu", Recorder(seconds=0.3, pretend_cuda=True)),
               ("cpu", Recorder(seconds=0.3))]
    one = cross_fit(members, X, y, folds=folds, n_classes=2, n_jobs=1)
    assert {fit.pid_ for name in ("gpu", "cpu") for fit in one.fold_estimators[name]} == {
        os.getpid()}
    spread = cross_fit(members, X, y, folds=folds, n_classes=2, n_jobs=2, gpu_lane=False)
    assert len({fit.pid_ for fit in spread.fold_estimators["gpu"]}) >= 1
    assert os.getpid() not in {fit.pid_ for fit in spread.fold_estimators["gpu"]}


def test_lane_changes_no_prediction_SIMULATION(pretend_cuda_members):
    """SIMULATION: the same members, one flagged as a GPU member, give the same
    out-of-fold predictions, fold models and refits with and without the lane."""
    X, y, folds = _data()

    class Flagged(DecisionTreeClassifier):
        pretend_cuda = True

    members = [("tree", Flagged(max_depth=3, random_state=0)),
               ("lr", LogisticRegression()),
               ("forest_like", DecisionTreeClassifier(max_features=2, random_state=1))]
    methods = dict.fromkeys(["tree", "lr", "forest_like"], "predict_proba")
    runs = [cross_fit(members, X, y, folds=folds, methods=methods, refit=True, n_classes=2,
                      n_jobs=n_jobs, gpu_lane=lane)
            for n_jobs, lane in [(1, False), (2, True), (2, False)]]
    for run in runs[1:]:
        for name in methods:
            assert_array_equal(run.oof[name], runs[0].oof[name])
            assert_array_equal(run.full_estimators[name].predict_proba(X),
                               runs[0].full_estimators[name].predict_proba(X))


def test_engine_finds_gpu_members_at_fold_size_SIMULATION(simulated_cuda):
    """SIMULATION (torch.cuda.is_available patched): the engine judges an "auto" net at
    the size of its largest training part, and an explicit "cuda" net regardless."""
    X = np.zeros((300_000, 128), dtype=np.float32)
    y = np.arange(300_000) % 2
    folds = [(np.arange(100_000, 300_000), np.arange(100_000))]
    large = NetClassifier(hidden_layer_sizes=(512, 512, 512), batch_size=1024, max_epochs=3,
                          n_jobs=16)
    small = NetClassifier(hidden_layer_sizes=(100,), max_epochs=5)
    members = [("large", large), ("small", small), ("cuda", NetClassifier(device="cuda")),
               ("lr", LogisticRegression())]
    found = oof._gpu_members(members, X, y, folds, refit=False, n_classes=2)
    assert found == {"large", "cuda"}
    # The same large net on a tenth of the rows (and one thread) does not pay.
    folds = [(np.arange(10_000, 30_000), np.arange(10_000))]
    large.set_params(n_jobs=1, max_epochs=1)
    found = oof._gpu_members(members, X[:30_000], y[:30_000], folds, refit=False,
                             n_classes=2)
    assert found == {"cuda"}


def _pid_of(x):
    return x, os.getpid()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_run_yields_the_lane_first_then_the_jobs(n_jobs):
    from joblib import delayed

    from ensembles.engine.parallel import run

    lane = [delayed(_pid_of)(f"lane{i}") for i in range(3)]
    jobs = [delayed(_pid_of)(i) for i in range(4)]
    results = list(run(jobs, total=7, n_jobs=n_jobs, lane=lane))
    assert [x for x, _ in results] == ["lane0", "lane1", "lane2", 0, 1, 2, 3]
    assert len({pid for _, pid in results[:3]}) == 1
    unordered = list(run(jobs, total=7, n_jobs=n_jobs, lane=lane, ordered=False))
    assert sorted(map(str, (x for x, _ in unordered))) == sorted(
        map(str, (x for x, _ in results)))


def test_a_tabm_counts_its_k_members_work_SIMULATION(simulated_cuda):
    """SIMULATION (torch.cuda.is_available patched): a TabM passes each row through its k
    members, so at a size where one MLP stays on the CPU, the TabM of the same layers
    goes to the GPU."""
    shape = dict(hidden_layer_sizes=(512, 512, 512), batch_size=1024, max_epochs=5,
                 n_jobs=16)
    assert place_net(NetClassifier(**shape), 40_000, 128, 2) == "cpu"
    assert place_net(NetClassifier(module="tabm", **shape), 40_000, 128, 2) == "cuda"
    assert place_net(NetClassifier(module="tabm", module_params={"k": 1}, **shape),
                     40_000, 128, 2) == "cpu"
