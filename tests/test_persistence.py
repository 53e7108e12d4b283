"""Pickles that travel: a model fitted on a GPU loads on a machine without one (issue 13).

torch can load a CUDA tensor on a CPU-only machine only through ``torch.load`` with a
``map_location``. skorch takes that road for what it saves itself (``module_``,
``optimizer_``, ``criterion_``, ...); a tensor, module or optimizer anywhere else in a
pickle is written by plain pickle with its CUDA storage, and the load fails there ("Attempting
to deserialize object on a CUDA device"). The invariant tested here, on the CPU: a
fitted estimator's pickle meets no such object outside skorch's saved attributes. The
load on a machine without CUDA itself is in tests/test_device.py (``gpu`` mark).
"""

import io
import pickle

import numpy as np
import pytest
import torch
from instances import SMALL
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge

from ensembles import (
    BaggingClassifier,
    BaggingRegressor,
    NetClassifier,
    NetRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
)

_TORCH = (torch.Tensor, torch.nn.Module, torch.optim.Optimizer)


class TorchFreePickler(pickle.Pickler):
    """Fails on any torch tensor, module or optimizer it is asked to pickle itself.

    skorch's ``__getstate__`` writes its saved attributes with its own pickler into a
    bytes blob (loaded back with a ``map_location``): those never reach this one."""

    def __init__(self, file, allowed=()):
        super().__init__(file)
        self.allowed = {id(obj) for obj in allowed}
        # a parameter pickles its data as another tensor object, on the same storage
        self.storages = {obj.untyped_storage().data_ptr() for obj in allowed
                         if isinstance(obj, torch.Tensor)}

    def _allowed(self, obj):
        return id(obj) in self.allowed or (
            isinstance(obj, torch.Tensor)
            and obj.untyped_storage().data_ptr() in self.storages)

    def reducer_override(self, obj):
        if isinstance(obj, _TORCH) and not self._allowed(obj):
            raise AssertionError(
                f"a {type(obj).__name__} is pickled outside skorch's saved attributes: "
                "it would keep its CUDA storage and not load without CUDA")
        return NotImplemented


def _dump(estimator, allowed=()):
    buffer = io.BytesIO()
    TorchFreePickler(buffer, allowed).dump(estimator)
    return buffer.getvalue()


def test_the_pickler_catches_a_tensor_and_a_module():  # the check can fail
    for obj in ({"w": torch.zeros(2)}, [torch.nn.Linear(2, 1)]):
        with pytest.raises(AssertionError, match="pickled outside skorch's saved"):
            _dump(obj)


_NET = dict(hidden_layer_sizes=(8,), max_epochs=3, random_state=0)
NETS = [
    NetClassifier(**_NET),
    NetClassifier(early_stopping=True, n_iter_no_change=2, **_NET),
    NetClassifier(lr_scheduler="cosine", **_NET),
    NetClassifier(lr_scheduler="plateau", **_NET),
    NetClassifier(module=torch.nn.Sequential(torch.nn.Linear(4, 3)), max_epochs=2,
                  random_state=0),
    NetRegressor(**_NET),
    NetRegressor(early_stopping=True, n_iter_no_change=2, **_NET),
    NetClassifier(module="tabm", module_params={"k": 3}, **_NET),
    NetClassifier(module="tabm", module_params={"k": 3}, early_stopping=True,
                  n_iter_no_change=2, **_NET),
    NetRegressor(module="tabm", module_params={"k": 3}, lr_scheduler="plateau", **_NET),
    StackingClassifier([("net", NetClassifier(**_NET)), ("lr", LogisticRegression())],
                       cv=3),
    StackingClassifier([("net", NetClassifier(**_NET))], cv=3, refit=False,
                       final_estimator=NetClassifier(**_NET)),
    StackingRegressor([("net", NetRegressor(**_NET)), ("ridge", Ridge())], cv=3),
    VotingClassifier([("net", NetClassifier(**_NET)), ("lr", LogisticRegression())],
                     weights="auto", cv=3),
    BaggingClassifier(NetClassifier(**_NET), n_estimators=2, random_state=0),
    BaggingRegressor(NetRegressor(**_NET), n_estimators=2, random_state=0),
]


def _fitted(estimator):
    if is_classifier(estimator):
        X, y = load_iris(return_X_y=True)
        X = X[:90] if estimator.__class__.__name__ != "NetClassifier" else X
        y = y[: len(X)]
    else:
        X, y = load_diabetes(return_X_y=True)
        X, y = X[:120, :4], y[:120] / 100
    rows = np.random.RandomState(0).permutation(len(y))
    X, y = X[rows], y[rows]
    if isinstance(getattr(estimator, "module", None), torch.nn.Module):
        X = X[:, :4]
    return clone(estimator).fit(X, y), X


@pytest.mark.parametrize("estimator", SMALL + NETS, ids=repr)
def test_no_torch_object_outside_skorchs_saved_attributes(estimator):
    fitted, X = _fitted(estimator)
    # A module instance the user gave as a parameter is theirs, as they gave it (never
    # trained or moved: the net trains a copy); only the fitted objects must travel.
    given = [obj for p in fitted.get_params(deep=True).values()
             if isinstance(p, torch.nn.Module)
             for obj in (*p.modules(), *p.parameters(), *p.buffers())]
    loaded = pickle.loads(_dump(fitted, allowed=given))
    method = "predict_proba" if hasattr(fitted, "predict_proba") else "predict"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(fitted, method)(X))


# -- the real thing, where a GPU is lent ---------------------------------------------------
_LOAD_ON_CPU = """
import pickle, sys, warnings
import numpy as np
import torch
warnings.simplefilter("error")  # "no warning" is part of the promise
assert not torch.cuda.is_available()
with open(sys.argv[1], "rb") as f:
    cases = pickle.load(f)
for name, (estimator, X, expected) in cases.items():
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    got = getattr(estimator, method)(X)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5, err_msg=name)
print(len(cases), "loaded")
"""


@pytest.mark.parametrize("device", [
    # The harness itself, checked on any machine: NOT a GPU test (a CPU-fitted model
    # loads anywhere); the gpu-marked run below is the one that shows the promise.
    "cpu",
    pytest.param("cuda", marks=pytest.mark.gpu),
])
def test_fitted_on_device_loads_and_predicts_in_a_cpu_only_process(tmp_path, device):
    import os
    import subprocess
    import sys

    from ensembles import set_device

    cases = {}
    for i, estimator in enumerate(NETS):
        fitted, X = _fitted(set_device(clone(estimator), device))
        method = "predict_proba" if hasattr(fitted, "predict_proba") else "predict"
        cases[f"{i}: {estimator!r}"] = (fitted, X, getattr(fitted, method)(X))
    path = tmp_path / "fitted_on_cuda.pkl"
    path.write_bytes(pickle.dumps(cases))
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    run = subprocess.run([sys.executable, "-c", _LOAD_ON_CPU, str(path)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"{len(NETS)} loaded" in run.stdout
