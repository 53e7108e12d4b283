"""A real dask cluster (issue 16, item 1): two worker processes of a LocalCluster on the
loopback interface, reached through joblib's dask backend, fit the same models as
n_jobs=1, to the last bit.

dask hands tasks their arrays as views into the bytes it received, often not aligned to
their item size; NumPy and BLAS then round in another order, and a stack fitted on the
cluster differed from n_jobs=1 in the last bit (2e-16). ``engine.parallel`` gives such
arrays an aligned copy (``test_misaligned_arrays_get_an_aligned_copy``).
"""

import re

import joblib
import numpy as np
import pytest
from lightgbm import LGBMClassifier
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from xgboost import XGBClassifier

from ensembles import BaggingClassifier, NetClassifier, StackingClassifier, benchmark
from ensembles.engine.parallel import _aligned

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install ensembles-ml[dask])")

X, Y = make_classification(n_samples=200, n_features=6, n_informative=4, random_state=0)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _stack(n_jobs):
    return StackingClassifier(
        [("lr", LogisticRegression()),
         ("tree", DecisionTreeClassifier(max_depth=3)),
         ("net", NetClassifier(hidden_layer_sizes=(8,), max_epochs=5)),
         ("xgb", XGBClassifier(n_estimators=10, max_depth=2, n_jobs=1)),
         ("lgbm", LGBMClassifier(n_estimators=10, num_leaves=4, verbose=-1, n_jobs=1))],
        cv=3, random_state=0, n_jobs=n_jobs)


def _bagging(n_jobs):
    return BaggingClassifier(LogisticRegression(), n_estimators=6, random_state=0,
                             n_jobs=n_jobs)


def _net_bagging(n_jobs):
    return BaggingClassifier(NetClassifier(hidden_layer_sizes=(8,), max_epochs=5),
                             n_estimators=3, random_state=0, n_jobs=n_jobs,
                             batch_nets=False)


@pytest.mark.parametrize("make", [_stack, _bagging, _net_bagging],
                         ids=["stack", "bagging", "bagged-nets"])
def test_the_cluster_fits_what_n_jobs_1_fits(cluster, make):
    alone = make(1).fit(X, Y)
    with joblib.parallel_backend("dask"):
        spread = make(2).fit(X, Y)
    np.testing.assert_array_equal(spread.predict_proba(X), alone.predict_proba(X))
    if hasattr(alone, "cross_fit_"):
        for name, oof in alone.cross_fit_.oof.items():
            np.testing.assert_array_equal(spread.cross_fit_.oof[name], oof)


def test_the_work_runs_on_the_workers(cluster):
    before = sum(cluster.run(lambda dask_worker: len(dask_worker.state.log)).values())
    with joblib.parallel_backend("dask"):
        _bagging(2).fit(X, Y)
    after = sum(cluster.run(lambda dask_worker: len(dask_worker.state.log)).values())
    assert after > before


def test_a_members_own_joblib_calls_stay_in_its_task(cluster):
    """joblib's dask backend sends nested calls to the cluster again, whatever their
    n_jobs: a forest's trees became tasks of their own beside the (member, fold) fits
    (1.3-1.4x loky's time for a stack of forests). They now run inside the task, as in
    a loky worker."""
    stack = StackingClassifier(
        [("extra", ExtraTreesClassifier(n_estimators=8, n_jobs=1, random_state=0)),
         ("forest", RandomForestClassifier(n_estimators=8, n_jobs=2, random_state=0))],
        cv=3, random_state=0, n_jobs=2)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(cluster) as stream:
        spread = stack.fit(X, Y)
    keys = [task["key"] for task in stream.data]
    assert not any("build_trees" in key for key in keys), keys
    # joblib batches quick calls: "batch_of__task_2_calls-..." holds two of ours
    calls = [re.fullmatch(r"batch_of__task_(\d+)_calls-\w+", key) for key in keys]
    assert all(calls), keys
    assert sum(int(call[1]) for call in calls) == 2 * (3 + 1)  # (member, fold) fits, refits
    alone = clone(stack).set_params(n_jobs=1).fit(X, Y)
    np.testing.assert_array_equal(spread.predict_proba(X), alone.predict_proba(X))


def test_a_benchmark_on_the_cluster(cluster):
    models = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=3))]
    # random_state=0: None draws fresh seeds for the unseeded models and ensembles
    alone = benchmark(models, X, Y, cv=3, verbose=0, n_jobs=1, random_state=0).to_frame()
    with joblib.parallel_backend("dask"):
        spread = benchmark(models, X, Y, cv=3, verbose=0, n_jobs=2,
                           random_state=0).to_frame()
    assert list(spread["model"]) == list(alone["model"])
    np.testing.assert_array_equal(spread["accuracy_mean"], alone["accuracy_mean"])


def test_misaligned_arrays_get_an_aligned_copy():
    buffer = np.zeros(8 * 20 + 1, dtype=np.uint8)
    odd = buffer[1:].view(np.float64)  # starts one byte past an 8-byte boundary
    odd[:] = np.arange(20.0)
    assert not odd.flags.aligned
    copy = _aligned(odd)
    assert copy.flags.aligned and copy is not odd
    np.testing.assert_array_equal(copy, odd)
    fine = np.arange(20.0)
    assert _aligned(fine) is fine and _aligned("text") == "text"
