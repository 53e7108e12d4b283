"""Run scikit-learn's own ensemble test files against our classes (issue 12).

Each ``test_sklearn_<name>.py`` beside this file stands for scikit-learn's
``sklearn/ensemble/tests/test_<name>.py``, read from the installed wheel (an upgrade of
scikit-learn brings its new tests; no copy lives here). The file is compiled with every
``from sklearn.ensemble import`` of the names in ``OURS`` turned into an import from
``ensembles``, so that everything the module builds, at import time (parametrize lists)
and in its tests, is our class. The source is rewritten rather than the names patched
after import because parametrize lists are built while the module executes; a name
reached any other way stops the collection rather than silently testing scikit-learn's
class.

Every test gets the marker ``peer``. The default run (and so CI) runs them: all 292
pass against our classes. The dev extra pins the scikit-learn release they come from
(setup.py), so a new release's test files change CI only when the pin is bumped.
``-m "not peer"`` leaves them out, and the files are then not even read. Run them alone
with ``python -m pytest tests/peer -m peer``, or ``python tests/peer/report.py`` for
the pass table (docs/peer_tests.md).

``KNOWN_DIFFERENCES`` lists the tests we knowingly fail, each with its reason (the
issue allows only scikit-learn internals: private attributes, identical random draws).
Each is a strict expected failure: one that starts passing fails the run, so the list
cannot go stale. It is empty: no test of the four files needs an entry.

``ENSEMBLES_PEER_CLASSES=sklearn`` runs the same files, compiled the same way, with
scikit-learn's classes: the control run, in which every test passes (a failure there is
the harness's, not ours).

Warnings: scikit-learn writes these files for its own regime (``DeprecationWarning`` and
``FutureWarning`` are errors, other warnings are shown), not for ours (every warning is an
error), so its tests run under its regime. The control run shows why: under ours,
scikit-learn's own classes fail 19 of its tests, on a ``ConvergenceWarning``, a
``RuntimeWarning`` of NumPy or a ``UserWarning`` that the test does not ask about.
"""

import ast
import importlib.util
import os
import sys
import types
import warnings
from pathlib import Path

import pytest

# scikit-learn's test fixtures. This conftest is loaded by every run, so a scikit-learn
# whose conftest fails to import (its pytest pin, say) must only cost the peer tests.
try:
    import sklearn.conftest as _sklearn_conftest
except Exception:  # noqa: BLE001
    _sklearn_conftest = None
# Scoped to this directory: the peer modules ask for them by name.
for _name in ("global_dtype", "hide_available_pandas", "pyplot"):
    if hasattr(_sklearn_conftest, _name):
        globals()[_name] = getattr(_sklearn_conftest, _name)

OURS = (
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "StackingClassifier",
    "StackingRegressor",
    "VotingClassifier",
    "VotingRegressor",
)
PREFIX = "test_sklearn_"
#: node id under tests/peer (``test_sklearn_bagging.py::test_x[param]``) -> why we
#: differ. Only scikit-learn internals belong here (see the module docstring).
KNOWN_DIFFERENCES = {}
AGAINST = os.environ.get("ENSEMBLES_PEER_CLASSES", "ensembles")
# pytest's deprecations of how a file is written (a generator given to parametrize,
# deprecated in pytest 9) are for scikit-learn to fix and say nothing of our classes.
_PYTEST_DEPRECATIONS = "default::pytest.PytestRemovedIn10Warning"


def sklearn_file(stub):
    """scikit-learn's test file that ``tests/peer/test_sklearn_<name>.py`` stands for."""
    spec = importlib.util.find_spec("sklearn.ensemble.tests")
    if spec is None or not spec.submodule_search_locations:
        raise pytest.Collector.CollectError("this scikit-learn ships no ensemble tests")
    folder = Path(list(spec.submodule_search_locations)[0])
    return folder / ("test_" + Path(stub).name[len(PREFIX) :])


def _is_stub(path):
    path = Path(path)
    return path.parent == Path(__file__).parent and path.name.startswith(PREFIX)


class _Rebind(ast.NodeTransformer):
    """Import the names in ``OURS`` from ``ensembles`` instead of ``sklearn.ensemble``."""

    def visit_ImportFrom(self, node):
        if node.module != "sklearn.ensemble" or node.level:
            return node
        ours = [alias for alias in node.names if alias.name in OURS]
        if not ours:
            return node
        rest = [alias for alias in node.names if alias.name not in OURS]
        new = [ast.ImportFrom(module="ensembles", names=ours, level=0)]
        if rest:
            new.insert(0, ast.ImportFrom(module="sklearn.ensemble", names=rest, level=0))
        return [ast.copy_location(stmt, node) for stmt in new]


def _other_routes(tree):
    """Places that would reach scikit-learn's classes past ``_Rebind``:
    ``sklearn.ensemble.StackingClassifier``, ``from sklearn.ensemble._stacking import``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in OURS:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module != "ensembles":
            found += [
                f"line {node.lineno}: from {node.module} import {alias.name}"
                for alias in node.names
                if alias.name in OURS
            ]
    return found


def _compile(path, config):
    source = path.read_bytes()
    tree = ast.parse(source, filename=str(path))
    if AGAINST == "ensembles":
        tree = ast.fix_missing_locations(_Rebind().visit(tree))
        if missed := _other_routes(tree):
            raise pytest.Collector.CollectError(
                f"{path} reaches scikit-learn's ensembles another way than "
                f"`from sklearn.ensemble import`: {'; '.join(missed)}. Teach "
                "tests/peer/conftest.py::_Rebind that way."
            )
    try:
        # pytest's assertion rewriting, so that a failing assert shows its values (what
        # the failure classification reads); a private function, hence the fallback.
        from _pytest.assertion.rewrite import rewrite_asserts

        rewrite_asserts(tree, source, str(path), config)
    except ImportError:
        pass
    return compile(tree, str(path), "exec", dont_inherit=True)


def _sklearn_warning_regime():
    """scikit-learn's warning filters as (action, message, category) strings: every
    warning shown, then its errors, then its exceptions, then ours (lowest precedence
    first)."""
    from sklearn.utils._testing import get_pytest_filterwarning_lines

    return ["default", *get_pytest_filterwarning_lines(), _PYTEST_DEPRECATIONS]


class PeerModule(pytest.Module):
    """A stub's module object: scikit-learn's test module, compiled by ``_compile``."""

    def _getobj(self):
        import ensembles

        path = sklearn_file(self.path)
        if not path.exists():
            raise self.CollectError(f"the installed scikit-learn has no {path}")
        # scikit-learn's own module name: pickle finds the module's classes (its test
        # estimators) by it, as when scikit-learn runs the file.
        name = f"sklearn.ensemble.tests.{path.stem}"
        module = types.ModuleType(name)
        module.__file__ = str(path)
        module.__package__ = "sklearn.ensemble.tests"
        code = _compile(path, self.config)
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            exec(code, module.__dict__)
        except BaseException:
            if previous is None:
                del sys.modules[name]
            else:
                sys.modules[name] = previous
            raise
        if AGAINST == "ensembles":
            names = vars(module)
            wrong = [n for n in OURS if n in names and names[n] is not getattr(ensembles, n)]
            if wrong:
                raise self.CollectError(f"{path}: not rebound to ensembles: {wrong}")
        return module

    def collect(self):
        # Parametrize lists are read here: the same regime as the tests' run.
        with warnings.catch_warnings():
            from sklearn.utils._testing import turn_warnings_into_errors

            warnings.simplefilter("default")
            turn_warnings_into_errors()
            warnings.filterwarnings("default", category=pytest.PytestRemovedIn10Warning)
            return super().collect()


def _peer_selected(config):
    """Whether ``-m`` can select a test marked only ``peer``."""
    expression = config.option.markexpr
    if not expression:
        return True
    from _pytest.mark.expression import Expression

    return Expression.compile(expression).evaluate(lambda name, **kwargs: name == "peer")


def pytest_configure(config):
    # A marker of scikit-learn's (pytest-run-parallel's), used by its test files.
    config.addinivalue_line("markers", "thread_unsafe: scikit-learn's; no effect here")


def pytest_ignore_collect(collection_path, config):
    if _is_stub(collection_path) and not _peer_selected(config):
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if not _is_stub(module_path):
        return None
    module = PeerModule.from_parent(parent, path=module_path)
    module.add_marker(pytest.mark.peer)
    return module


def pytest_generate_tests(metafunc):
    # scikit-learn's parametrization of ``global_random_seed`` (42 unless
    # SKLEARN_TESTS_GLOBAL_RANDOM_SEED says otherwise).
    hook = getattr(_sklearn_conftest, "pytest_generate_tests", None)
    if hook is not None:
        hook(metafunc)


def pytest_collection_modifyitems(config, items):
    peer = [item for item in items if _is_stub(item.path)]
    if not peer:
        return
    # Added first, so applied before the tests' own filterwarnings marks (those still
    # win) and after the ini's "error" (which it replaces).
    regime = pytest.mark.filterwarnings(*_sklearn_warning_regime())
    for item in peer:
        item.add_marker(regime, append=False)
        reason = KNOWN_DIFFERENCES.get(item.nodeid.split("tests/peer/")[-1])
        if reason is not None and AGAINST == "ensembles":
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
