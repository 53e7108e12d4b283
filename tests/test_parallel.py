"""ensembles.engine.parallel: what every parallel fit goes through.

The engine's workers import the learners' libraries in their first task, so that loky
does not take a later torch import (about 300 MB) for a memory leak and restart the
worker. A restart shows as loky's "A worker stopped while some jobs were given to the
executor" warning; under warnings-as-errors that warning, raised in loky's manager
thread, hangs the fit instead of failing it, so the check runs in a fresh process with
a time limit and records warnings rather than raising them.
"""

import subprocess
import sys
import textwrap

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from ensembles.engine.parallel import learner_modules, run

SCRIPT = textwrap.dedent("""
    import warnings

    from sklearn.datasets import make_classification
    from sklearn.tree import DecisionTreeClassifier

    from ensembles import BaggingClassifier, NetClassifier, StackingClassifier

    X, y = make_classification(n_samples=240, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    net = NetClassifier(hidden_layer_sizes=(8,), max_epochs=5, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # A worker whose first task fits a tree, and a later one a net.
        for _ in range(2):
            StackingClassifier([("tree", DecisionTreeClassifier()), ("net", net)],
                               n_jobs=2, random_state=0).fit(X, y)
        BaggingClassifier(net, n_estimators=2, n_jobs=2, random_state=0).fit(X, y)
    stopped = [str(w.message) for w in caught if "worker stopped" in str(w.message)]
    print("STOPPED", len(stopped), stopped)
""")

def test_workers_are_not_restarted_when_a_net_comes_after_trees():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "STOPPED 0 []" in done.stdout, done.stdout + done.stderr[-2000:]


def test_learner_modules_reach_nested_estimators():
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    modules = learner_modules([("pipe", pipe), ("tree", DecisionTreeClassifier())])
    assert modules == sorted({"sklearn.pipeline", "sklearn.preprocessing._data",
                              "sklearn.linear_model._logistic", "sklearn.tree._classes"})


def _square(x):
    return x * x


def test_run_yields_in_order_and_preloads():
    from joblib import delayed

    jobs = (delayed(_square)(i) for i in range(5))
    assert list(run(jobs, total=5, n_jobs=1, preload=["json"])) == [0, 1, 4, 9, 16]
