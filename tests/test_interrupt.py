"""Ctrl-C stops any fit, and the estimator is left as it was (issue 14, item 1).

skorch's ``NeuralNet.partial_fit`` swallows ``KeyboardInterrupt``, its callbacks' way to
stop training (EarlyStopping raises it): a real Ctrl-C there returned an under-trained
net from ``fit``. Each test runs a fit in a child process and sends it a real SIGINT
once the net is training; the child checks that ``KeyboardInterrupt`` came out of
``fit`` and that the model fitted before is unchanged to the last byte of its pickle
and of its predictions.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

# Importable by the child's joblib workers, which cannot unpickle a class of __main__.
_HELPERS = textwrap.dedent('''
    import os
    from skorch.callbacks import Callback
    from ensembles.learners import _batched

    class Marker(Callback):
        """Before the file ``go`` exists: stops training after 2 epochs, as EarlyStopping
        does (skorch's way, a KeyboardInterrupt that fit must still take as a stop).
        After: writes the file ``training``, and lets the net train on."""

        def __init__(self, workdir):
            self.workdir = workdir

        def on_epoch_end(self, net, **kwargs):
            if os.path.exists(os.path.join(self.workdir, "go")):
                mark(self.workdir)
            elif len(net.history) == 2:
                raise KeyboardInterrupt

    def mark(workdir):
        with open(os.path.join(workdir, "training"), "w"):
            pass

    def patch_batched(workdir):
        """The batched trainer has no callbacks: mark its epochs instead."""
        record = _batched._Batch.record

        def record_and_mark(self, *args):
            record(self, *args)
            if os.path.exists(os.path.join(workdir, "go")):
                mark(workdir)

        _batched._Batch.record = record_and_mark
''')

_CHILD = textwrap.dedent('''
    import os, pickle, sys
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from ensembles import BaggingClassifier, NetClassifier, StackingClassifier
    from helpers import Marker, patch_batched

    case, workdir = sys.argv[1], sys.argv[2]
    patch_batched(workdir)

    def net(n_jobs=1, callbacks=True):
        return NetClassifier(hidden_layer_sizes=(8,), max_epochs=100_000, batch_size=16,
                             callbacks=[Marker(workdir)] if callbacks else None,
                             n_jobs=n_jobs, random_state=0)

    kind, n_jobs = case.rsplit("-", 1)
    n_jobs = int(n_jobs)
    if kind == "net":
        model = net(n_jobs)
    elif kind == "stack":
        model = StackingClassifier([("lr", LogisticRegression()), ("net", net())], cv=2,
                                   n_jobs=n_jobs)
    else:  # batched bagging (one process) or bagged nets one by one (two)
        model = BaggingClassifier(net(callbacks=n_jobs > 1), n_estimators=2,
                                  n_jobs=n_jobs, random_state=0, batch_nets=n_jobs == 1)
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    batched = kind == "bag" and n_jobs == 1
    if batched:  # no callback stops the batched trainer: a short fit first
        model.estimator.max_epochs = 2
    model.fit(X, y)
    # predict first: it puts the net in eval mode, which its pickle records
    proba = model.predict_proba(X)
    before = pickle.dumps(model)
    X2, y2 = make_classification(n_samples=60, n_features=4, random_state=1)
    with open(os.path.join(workdir, "go"), "w"):
        pass
    try:
        if batched:
            model.estimator.max_epochs = 100_000
        model.fit(X2, y2)
    except KeyboardInterrupt:
        if batched:
            model.estimator.max_epochs = 2
        intact = pickle.dumps(model) == before
        same = np.array_equal(model.predict_proba(X), proba)
        print(f"interrupted intact={intact} same_predictions={same}", flush=True)
    else:
        print("fit returned normally", flush=True)
''')


def _interrupt(case, tmp_path):
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    (tmp_path / "helpers.py").write_text(_HELPERS)
    marker = tmp_path / "training"
    child = subprocess.Popen([sys.executable, str(script), case, str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None:
                break
            assert time.monotonic() < deadline, "the child never started training"
            time.sleep(0.02)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    return out, err


@pytest.mark.parametrize("case", ["net-1", "net-2", "stack-1", "stack-2", "bag-1", "bag-2"])
def test_sigint_propagates_and_leaves_the_fitted_model_intact(case, tmp_path):
    out, err = _interrupt(case, tmp_path)
    assert "interrupted intact=True same_predictions=True" in out, (out, err[-3000:])
