"""Public names load on first use: ``import ensembles`` and the command's ``--help`` load no
torch, skorch, XGBoost or LightGBM (issue 11).

What a fresh interpreter loads is seen in subprocesses: this process has torch already
(``conftest.py``). One subprocess walks the stages from light to heavy and reports the heavy
libraries loaded after each, so the stages cost one interpreter start between them.
"""

import ast
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import ensembles
import ensembles.learners

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "skorch", "xgboost", "lightgbm")
NOT_NETS = ("StackingClassifier, VotingClassifier, BaggingClassifier, AdaBoostClassifier, "
            "GradientBoostingClassifier, EnsembleSelectionClassifier, benchmark, "
            "overfitting_report, cross_fit")

# (stage, statement), run in this order in one interpreter: each stage's libraries are
# those loaded by it and by every stage before it.
STAGES = [
    ("import ensembles", "import ensembles"),
    ("import ensembles.learners", "import ensembles.learners"),
    ("estimators that are not nets", f"from ensembles import {NOT_NETS}"),
    ("device helpers", "from ensembles.learners import DeviceUnavailableError, "
                       "resolve_device, set_device"),
    ("the roster, not called", "from ensembles import make_learners"),
    ("ensembles.NetClassifier", "ensembles.NetClassifier"),
]

_WALK = """
import json, sys
loaded = {}
for stage, statement in json.loads(sys.argv[1]):
    exec(statement)
    loaded[stage] = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
print(json.dumps(loaded))
"""

# What ``python -m ensembles --help`` runs, and then what it loaded.
_HELP = """
import json, runpy, sys
watched = json.loads(sys.argv[1])
sys.argv = ["ensembles", "--help"]
try:
    runpy.run_module("ensembles", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
else:
    code = "no SystemExit"
print(json.dumps({"code": code, "loaded": [m for m in watched if m in sys.modules]}))
"""


def python(*args):
    """Run a fresh interpreter from the repository root, warnings as errors."""
    result = subprocess.run([sys.executable, "-W", "error", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def loaded():
    result = python("-c", _WALK, json.dumps(STAGES), json.dumps(HEAVY))
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("stage", [stage for stage, _ in STAGES[:-1]])
def test_light_stages_load_no_heavy_library(loaded, stage):
    assert loaded[stage] == []


def test_a_net_loads_torch_and_skorch(loaded):
    # The walk above would pass with a broken probe; this stage shows that it sees torch.
    assert {"torch", "skorch"} <= set(loaded["ensembles.NetClassifier"])


# Placing scikit-learn-only models on "auto": nothing in them has a device to decide, so
# no torch (1.7 s, inside a benchmark's time_limit). Each stage reports what is loaded
# after it; a Pipeline and a stack of ours (a device of its own) show that the walk
# looks inside before resolving.
_SKLEARN_ONLY_AUTO = """
import json, sys
watched = json.loads(sys.argv[1])
loaded = {}
def report(stage):
    loaded[stage] = [name for name in watched if name in sys.modules]
import ensembles
report("import ensembles")
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
stack = ensembles.StackingClassifier(
    [("lr", make_pipeline(StandardScaler(), LogisticRegression())),
     ("tree", DecisionTreeClassifier(max_depth=2))], device="cpu")
ensembles.set_device(stack, "auto")
report("set_device")
X = [[float(i), float(i % 3)] for i in range(20)]
y = [i % 2 for i in range(20)]
models = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier(max_depth=2))]
ensembles.benchmark(models, X, y, ensembles="none", cv=2, verbose=0, device="auto")
report("benchmark")
print(json.dumps({"loaded": loaded, "stack_device": stack.device}))
"""


def test_auto_device_on_sklearn_only_models_loads_no_heavy_library():
    result = python("-c", _SKLEARN_ONLY_AUTO, json.dumps(HEAVY))
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["loaded"] == {"import ensembles": [], "set_device": [], "benchmark": []}
    # Nothing in the stack needs a device: it keeps the request, which its fit passes on.
    assert report["stack_device"] == "auto"


def test_help_loads_no_heavy_library():
    # Not even scikit-learn: the help is click and the command's own module.
    result = python("-c", _HELP, json.dumps(HEAVY + ("sklearn",)))
    report = json.loads(result.stdout.splitlines()[-1])
    assert report == {"code": 0, "loaded": []}
    assert "Commands:" in result.stdout


def test_python_m_ensembles_help_exits_0():
    result = python("-m", "ensembles", "--help")
    assert "benchmark" in result.stdout and "report" in result.stdout


@pytest.mark.parametrize("module", [ensembles, ensembles.learners], ids=lambda m: m.__name__)
def test_every_public_name_resolves_and_is_listed(module):
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        assert value is not None
        assert vars(module)[name] is value  # cached: the next look-up skips __getattr__
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("module", [ensembles, ensembles.learners], ids=lambda m: m.__name__)
def test_an_unknown_name_is_an_attribute_error_naming_it(module):
    with pytest.raises(AttributeError,
                       match=rf"^module '{module.__name__}' has no attribute 'no_such_name'$"):
        module.no_such_name  # noqa: B018
    with pytest.raises(ImportError, match="no_such_name"):
        exec(f"from {module.__name__} import no_such_name")


def test_names_are_the_defining_objects_and_pickle():
    from ensembles.combine.stacking import StackingClassifier
    from ensembles.learners.net import NetClassifier

    assert ensembles.StackingClassifier is StackingClassifier
    assert ensembles.NetClassifier is ensembles.learners.NetClassifier is NetClassifier
    assert pickle.loads(pickle.dumps(ensembles.StackingClassifier)) is StackingClassifier
    model = pickle.loads(pickle.dumps(ensembles.BaggingClassifier(n_estimators=3)))
    assert type(model) is ensembles.BaggingClassifier and model.n_estimators == 3


def test_datasets_submodule_is_an_attribute():
    import ensembles.datasets

    assert ensembles.datasets is sys.modules["ensembles.datasets"]
    assert "datasets" in dir(ensembles)
    assert "datasets" not in ensembles.__all__


@pytest.mark.parametrize("path", ["ensembles/__init__.py", "ensembles/learners/__init__.py"])
def test_type_checking_imports_match_the_lazy_table(path):
    # IDEs read the ``if TYPE_CHECKING:`` imports; __getattr__ reads _SOURCES. They must
    # name the same things, and from the same modules.
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and getattr(node.test, "id", None) == "TYPE_CHECKING")
    seen = {}
    for node in block.body:
        for alias in node.names:
            seen[alias.asname or alias.name] = "." * node.level + (node.module or "")
    module = ensembles if path == "ensembles/__init__.py" else ensembles.learners
    expected = dict(module._SOURCES)
    expected.update({name: "." for name in getattr(module, "_SUBMODULES", ())})
    assert seen == expected
    assert set(module._SOURCES) == set(module.__all__) - {"__version__"}
