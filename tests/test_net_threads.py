"""Nets fitted in threads of one process are not repeatable, and say so (issue 14, item 5).

Each fit seeds torch's process-wide random stream; two fits running at once in threads
draw from it in an order the scheduler decides. Processes (loky) are unaffected.
"""

import threading

import pytest
from joblib import Parallel, delayed
from sklearn.datasets import make_classification
from skorch.callbacks import Callback

from ensembles import NetClassifier

X, y = make_classification(120, 5, random_state=0)


class _Meet(Callback):
    """Holds each fit at its start until the other fit has started too, so the two
    overlap whatever the scheduler does."""

    def __init__(self, barrier):
        self.barrier = barrier

    def on_train_begin(self, net, **kwargs):
        self.barrier.wait(timeout=30)

    def __deepcopy__(self, memo):  # the net copies its callbacks: keep the one barrier
        return self


def _fit(seed, barrier):
    return NetClassifier(hidden_layer_sizes=(4,), max_epochs=2, random_state=seed,
                         callbacks=[_Meet(barrier)]).fit(X, y)


def test_two_nets_fitted_at_once_in_threads_warn():
    barrier = threading.Barrier(2)
    with pytest.warns(UserWarning, match="another thread .* neither fit is repeatable"):
        Parallel(n_jobs=2, backend="threading")(delayed(_fit)(s, barrier) for s in (0, 1))


def test_nets_fitted_one_after_another_in_threads_do_not_warn():
    # One thread at a time (n_jobs=1 under the threading backend): repeatable, no warning
    # (warnings are errors in this suite).
    barrier = threading.Barrier(1)
    first, second = Parallel(n_jobs=1, backend="threading")(
        delayed(_fit)(0, barrier) for _ in range(2))
    assert (first.predict_proba(X) == second.predict_proba(X)).all()
