"""Device plumbing: resolving a device request and setting it on every learner inside a model.

There is no GPU here, so most tests reach the GPU branches by pretending: they patch
``torch.cuda`` or the LightGBM probe, or call the private ``_set_device`` with a resolved
device directly. The one real GPU round trip is marked ``gpu``.
"""

import pickle
import re

import numpy as np
import pytest
import torch
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier, StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier
from xgboost import XGBClassifier, XGBRegressor

from ensembles import (
    DeviceUnavailableError,
    NetClassifier,
    NetRegressor,
    resolve_device,
    set_device,
)
from ensembles.learners import device as device_module
from ensembles.learners.device import _set_device


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def one_cuda(monkeypatch):
    """Pretend torch sees one CUDA device."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


@pytest.fixture
def lightgbm_gpu(monkeypatch):
    """Set which GPU ``device_type`` the LightGBM build pretends to support."""

    def pretend(device_type):
        monkeypatch.setattr(device_module, "_lightgbm_gpu_device_type", lambda: device_type)

    return pretend


def _skorch_net(device):
    return NeuralNetClassifier(
        torch.nn.Linear, module__in_features=4, module__out_features=2, device=device
    )


# -- resolve_device ----------------------------------------------------------------------


@pytest.mark.parametrize("request_", ["auto", None])
def test_resolve_auto_picks_what_torch_sees(request_):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(request_) == expected


def test_resolve_auto_is_cpu_without_cuda(no_cuda):
    assert resolve_device("auto") == "cpu"
    assert resolve_device() == "cpu"


def test_resolve_auto_is_cuda_with_cuda(one_cuda):
    assert resolve_device("auto") == "cuda"


def test_resolve_cpu():
    assert resolve_device("cpu") == "cpu"


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_resolve_cuda_when_present(one_cuda, device):
    assert resolve_device(device) == device


# ids are positions: tests/conftest.py skips any test whose keywords (ids included) say
# "gpu".
_BAD_DEVICES = ["gpu", "cuda:x", "cuda:", "CPU", "cpu\n", " cpu", "", "mps", 3, 0, True, ["cpu"]]


@pytest.mark.parametrize("device", _BAD_DEVICES, ids=[f"bad{i}" for i in range(len(_BAD_DEVICES))])
def test_resolve_rejects_unknown(device):
    message = f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a GPU index); got {device!r}."
    with pytest.raises(ValueError, match=re.escape(message)):
        resolve_device(device)


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_resolve_cuda_without_cuda_raises(no_cuda, device):
    with pytest.raises(DeviceUnavailableError, match=r"no CUDA device.*Use device='auto'"):
        resolve_device(device)


def test_resolve_cuda_index_out_of_range(one_cuda):
    with pytest.raises(DeviceUnavailableError, match=r"'cuda:1'.*only 1 CUDA device"):
        resolve_device("cuda:1")


def test_device_unavailable_is_a_runtime_error():
    assert issubclass(DeviceUnavailableError, RuntimeError)


def test_set_device_checks_before_changing_anything(no_cuda):
    net = NetClassifier(device="cpu")
    with pytest.raises(DeviceUnavailableError):
        set_device(make_pipeline(StandardScaler(), net), "cuda")
    assert net.device == "cpu"
    with pytest.raises(ValueError, match="device must be"):
        set_device(net, "gpu")
    assert net.device == "cpu"


# -- set_device: each library's own spelling ----------------------------------------------


def _gpu_pipelines():
    """One Pipeline per library, each learner set to a GPU."""
    return {
        "net": make_pipeline(StandardScaler(), NetClassifier(device="cuda")),
        "net_reg": make_pipeline(StandardScaler(), NetRegressor(device="cuda")),
        "skorch": make_pipeline(StandardScaler(), _skorch_net("cuda")),
        "xgb": make_pipeline(StandardScaler(), XGBClassifier(device="cuda")),
        "xgb_reg": make_pipeline(StandardScaler(), XGBRegressor(device="cuda")),
        "lgbm": make_pipeline(StandardScaler(), LGBMClassifier(device_type="gpu")),
        "lgbm_reg": make_pipeline(StandardScaler(), LGBMRegressor(device_type="gpu")),
    }


def _device_of(learner):
    params = learner.get_params(deep=False)
    return params["device_type"] if "device_type" in params else params["device"]


@pytest.mark.parametrize("name", list(_gpu_pipelines()))
def test_set_device_cpu_inside_pipeline(name):
    pipe = _gpu_pipelines()[name]
    assert _device_of(pipe[-1]) != "cpu"
    assert set_device(pipe, "cpu") is pipe
    assert _device_of(pipe[-1]) == "cpu"


@pytest.mark.parametrize(
    "learner, param",
    [
        (NetClassifier(device="cpu"), "device"),
        (NetRegressor(device="cpu"), "device"),
        (_skorch_net("cpu"), "device"),
        (XGBClassifier(device="cpu"), "device"),
        (XGBRegressor(device="cpu"), "device"),
    ],
    ids=["net", "net_reg", "skorch", "xgb", "xgb_reg"],
)
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_set_device_cuda_spelling(learner, param, device):
    # Past resolve_device (no GPU here), to check what each library is told.
    pipe = make_pipeline(StandardScaler(), learner)
    _set_device(pipe, device)
    assert pipe[-1].get_params()[param] == device


def test_set_device_recurses_into_ensembles():
    stack = StackingClassifier(
        estimators=[
            ("net", make_pipeline(StandardScaler(), NetClassifier(device="cuda"))),
            ("skorch", _skorch_net("cuda")),
            (
                "vote",
                VotingClassifier(
                    [
                        ("xgb", XGBClassifier(device="cuda")),
                        ("lgbm", LGBMClassifier(device_type="gpu")),
                        ("gone", "drop"),
                    ]
                ),
            ),
        ],
        final_estimator=StackingClassifier(
            estimators=[("xgb", XGBClassifier(device="cuda"))],
            final_estimator=LGBMClassifier(device_type="gpu"),
        ),
    )
    set_device(stack, "cpu")
    params = stack.get_params()
    assert params["net__netclassifier__device"] == "cpu"
    assert params["skorch"].device == "cpu"
    assert params["vote__xgb__device"] == "cpu"
    assert params["vote__lgbm__device_type"] == "cpu"
    assert params["vote__gone"] == "drop"
    assert params["final_estimator__xgb__device"] == "cpu"
    assert params["final_estimator__final_estimator__device_type"] == "cpu"


def test_set_device_works_in_place_like_set_params():
    """The documented contract: set_device changes the estimator it is given (all of its
    sub-estimators, shared objects included) and returns that same object, as set_params
    does; a clone taken first is the way to keep the original."""
    from ensembles import StackingClassifier as OurStack

    net, final = NetClassifier(), NetClassifier()
    stack = OurStack([("net", net)], final_estimator=final)
    kept = clone(stack)
    assert set_device(stack, "cpu") is stack
    by_params = clone(kept).set_params(device="cpu", net__device="cpu",
                                       final_estimator__device="cpu")
    assert _leaf_params(stack) == _leaf_params(by_params)
    assert net.device == final.device == "cpu"  # the objects inside, in place
    assert kept.get_params()["net__device"] == kept.final_estimator.device == "auto"


class _FakeMetaLearner(BaseEstimator):
    """Stands in for a meta-learner of ours: it has a device of its own, and members."""

    __module__ = "ensembles.fake"

    def __init__(self, estimators, device=None):
        self.estimators = estimators
        self.device = device


def test_set_device_keeps_our_meta_learners_device_in_step():
    meta = _FakeMetaLearner([("net", NetClassifier(device="cuda"))], device="cuda")
    set_device(meta, "cpu")
    assert meta.device == "cpu"
    assert meta.estimators[0][1].device == "cpu"


def _leaf_params(estimator):
    """get_params without the sub-estimators (which compare by identity)."""
    return {
        key: value
        for key, value in estimator.get_params(deep=True).items()
        if not isinstance(value, BaseEstimator | list)
    }


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticRegression(C=0.5),
        RandomForestClassifier(n_estimators=3),
        make_pipeline(StandardScaler(), LogisticRegression()),
        VotingClassifier([("lr", LogisticRegression()), ("rf", RandomForestClassifier())]),
    ],
    ids=["lr", "rf", "pipeline", "voting"],
)
@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_set_device_leaves_unknown_estimators_alone(estimator, device):
    before = _leaf_params(estimator)
    _set_device(estimator, device)
    assert _leaf_params(estimator) == before


def test_set_device_cpu_on_everything():
    stack = StackingClassifier(
        estimators=[(name, pipe) for name, pipe in _gpu_pipelines().items()]
        + [("lr", LogisticRegression())],
        final_estimator=LogisticRegression(),
    )
    set_device(stack, "cpu")
    for name in _gpu_pipelines():
        assert _device_of(stack.named_estimators[name][-1]) == "cpu", name


# -- LightGBM: which GPU the build supports, and the fallback -----------------------------


@pytest.mark.parametrize("cls", [LGBMClassifier, LGBMRegressor])
def test_lightgbm_without_gpu_build_warns_and_stays_on_cpu(lightgbm_gpu, cls):
    lightgbm_gpu(None)
    est = cls(device_type="gpu")
    with pytest.warns(UserWarning, match=f"{cls.__name__}: this LightGBM build cannot train"):
        _set_device(est, "cuda")
    assert est.get_params()["device_type"] == "cpu"


def test_lightgbm_fallback_warns_through_set_device_when_asked_explicitly(one_cuda, lightgbm_gpu):
    lightgbm_gpu(None)
    pipe = make_pipeline(StandardScaler(), LGBMClassifier())
    with pytest.warns(UserWarning, match="cannot train on a GPU"):
        set_device(pipe, "cuda")
    assert pipe[-1].get_params()["device_type"] == "cpu"


def test_lightgbm_fallback_is_silent_under_auto(one_cuda, lightgbm_gpu):
    # "auto" asks for the GPU only where it can be used: no warning (warnings are
    # errors here), while the net next to it does move to the GPU.
    lightgbm_gpu(None)
    vote = VotingClassifier([("lgbm", LGBMClassifier()), ("net", NetClassifier())])
    set_device(vote, "auto")
    assert vote.get_params()["lgbm__device_type"] == "cpu"
    assert vote.get_params()["net__device"] == "cuda"


def test_lightgbm_opencl_only_stays_on_cpu_unless_asked_on_the_model(one_cuda, lightgbm_gpu):
    lightgbm_gpu("gpu")  # a build with only the OpenCL learner (PyPI's, on the H200)
    est = LGBMClassifier()
    with pytest.warns(UserWarning, match=r"LGBMClassifier: this LightGBM build has only "
                      r"the OpenCL learner .* stays on the CPU\. Give the model "
                      r"device_type='gpu'"):
        _set_device(est, "cuda")
    assert est.get_params()["device_type"] == "cpu"
    vote = VotingClassifier([("lgbm", LGBMClassifier()), ("net", NetClassifier())])
    set_device(vote, "auto")  # silent under "auto", as every fallback
    assert vote.get_params()["lgbm__device_type"] == "cpu"


@pytest.mark.parametrize("build", ["gpu", "cuda"], ids=["opencl", "cuda"])
def test_lightgbm_with_gpu_build(lightgbm_gpu, build):
    lightgbm_gpu(build)
    # OpenCL only when asked for on the model itself; a CUDA build for any GPU request
    est = LGBMClassifier(device_type="gpu" if build == "gpu" else "cpu")
    _set_device(est, "cuda")
    params = est.get_params()
    assert params["device_type"] == build
    assert "gpu_device_id" not in params

    _set_device(est, "cuda:1")
    params = est.get_params()
    assert params["device_type"] == build
    assert params["gpu_device_id"] == 1

    _set_device(est, "cpu")
    assert est.get_params()["device_type"] == "cpu"


def test_lightgbm_probe_runs_here():
    # The real probe trains a tiny booster per candidate; on a CPU-only wheel both
    # fail (LightGBM logs a fatal line to stderr) and it answers None.
    answer = device_module._lightgbm_gpu_device_type()
    assert answer is None or answer in ("cuda", "gpu")
    assert device_module._lightgbm_gpu_device_type() == answer  # cached, same answer


# -- a real GPU ---------------------------------------------------------------------------


@pytest.mark.gpu
def test_net_fitted_on_cuda_unpickles_and_predicts_the_same():
    X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    clf = NetClassifier(hidden_layer_sizes=(16,), max_epochs=5, device="cuda", random_state=0).fit(
        X, y
    )
    assert clf.device_ == "cuda"
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict(X), clf.predict(X))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
