"""A time budget (issue 15, item 4): ``cross_fit(deadline=...)``, ``benchmark(time_limit=...)``,
``EnsembleSelection*(time_limit=...)`` and ``ensembles benchmark --time-limit``.

The members are fakes whose fit sleeps (``tests/sleeping.py``) and logs when it ran and on
which rows, so that what the result says was skipped is checked against the fits that
really ran, and the rule (no fit starts after the deadline, nor one that its member's mean
fit time says would end after it) against their start times. The scenarios leave half a
second or more between every decision and the deadline, so that they hold on a loaded
machine.

The acceptance's "20 s limit on a job that takes minutes" is the slow test at the end;
the others are the same claims scaled down to a few seconds.
"""

import importlib
import json
import re
import time
import warnings

import numpy as np
import pytest
from sleeping import SleepingClassifier, read_log

from ensembles import (
    BenchmarkResult,
    EnsembleSelectionClassifier,
    VotingClassifier,
    benchmark,
    cross_fit,
)
from ensembles.cli.main import main
from ensembles.engine import oof
from ensembles.engine.oof import make_folds

N = 60
#: The row number in the first column: a logged fit's rows tell its fold (read_log).
X = np.column_stack([np.arange(N, dtype=float), np.random.RandomState(0).randn(N, 2)])
Y = np.arange(N) % 2
FOLDS = make_folds(3, X, Y, classifier=True)  # what an ensemble's cv=3 makes
SLOW = 1.0  # seconds a slow member's fit sleeps


def proba(names=("fast", "slow", "fast2")):
    return dict.fromkeys(names, "predict_proba")

benchmark_module = importlib.import_module("ensembles.evaluation.benchmark")


def members(log, seconds=(0.0, SLOW, 0.0), names=("fast", "slow", "fast2")):
    log = None if log is None else str(log)
    return [(name, SleepingClassifier(s, shift=0.01 * k, tag=name, log=log))
            for k, (name, s) in enumerate(zip(names, seconds, strict=True))]


def not_started(log, names, fits):
    """{name: [fits of ``fits`` that the log does not have]}, the members with any."""
    ran = read_log(log, FOLDS)
    missing = {name: [f for f in fits if (name, f) not in ran] for name in names}
    return {name: lost for name, lost in missing.items() if lost}


@pytest.fixture(scope="module")
def warm_workers():
    """Start the two loky workers (and their imports) before anything is timed: a cold
    pool's start-up is no fit, and seconds on a loaded two-core machine."""
    cross_fit([("w", SleepingClassifier(0.0))], X, Y, folds=FOLDS, n_jobs=2)


@pytest.fixture
def spy_deadline(monkeypatch):
    """The deadline the benchmark hands the engine (its own clock's start + time_limit)."""
    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs["deadline"])
        return oof.cross_fit(*args, **kwargs)

    monkeypatch.setattr(benchmark_module, "cross_fit", spy)
    return seen


def overhead(n_jobs, **kwargs):
    """What the benchmark spends on the same job besides sleeping: joblib's hand-offs,
    the leaderboard and the four default ensembles rebuilt per fold from the kept
    outputs (members that fit in no time)."""
    start = time.perf_counter()
    benchmark(members(None, seconds=(0.0, 0.0, 0.0)), X, Y, cv=3, verbose=0,
              n_jobs=n_jobs, random_state=0, **kwargs)
    return time.perf_counter() - start


def margin(n_jobs):
    """The allowance on top of limit + one fit's time: twice the benchmark's own work on
    the same job (``overhead``), plus half a second for the scheduling of a machine that
    other work shares."""
    return 0.5 + 2 * overhead(n_jobs)


# -- the engine ---------------------------------------------------------------------------
def test_no_fit_starts_after_a_deadline_that_has_passed(tmp_path):
    log = tmp_path / "fits.log"
    result = cross_fit(members(log), X, Y, folds=FOLDS, methods=proba(), n_classes=2,
                       refit=True, deadline=time.time() - 1)
    every = [0, 1, 2, None]
    assert result.skipped == {"fast": every, "slow": every, "fast2": every}
    assert result.names == [] and result.oof == {} and result.full_estimators == {}
    assert not log.exists()  # no fit ran


def test_a_late_start_is_skipped_and_the_rest_is_kept(tmp_path):
    """Fast's fits, slow's folds 0 and 1 (ending at about 2 s) run; slow's fold 2 would
    end at about 3 s, past the deadline at 2.8 s, by the estimate of slow's finished fits
    (1 s): skipped, though the deadline had not come; fast2's fits, quick by its own
    estimate, run. (Two workers: the benchmark's test.)"""
    log = tmp_path / "fits.log"
    start = time.time()
    deadline = start + 2.8
    result = cross_fit(members(log), X, Y, folds=FOLDS, methods=proba(), n_classes=2,
                       deadline=deadline)
    assert result.skipped == {"slow": [2]}
    assert result.skipped == not_started(log, ["fast", "slow", "fast2"], [0, 1, 2])
    assert result.names == [n for n in ["fast", "slow", "fast2"] if n not in result.skipped]
    assert set(result.oof) == set(result.names)
    assert max(s for s, _ in read_log(log, FOLDS).values()) <= deadline
    assert time.time() - start <= 2.8 + SLOW + 0.5


def test_batched_net_fits_start_together_or_not_at_all():
    from ensembles import NetClassifier

    net = NetClassifier(hidden_layer_sizes=(4,), max_epochs=2, random_state=0)
    result = cross_fit([("net", net)], X, Y, folds=FOLDS, refit=True, batch_nets=True,
                       deadline=time.time() - 1)
    assert result.skipped == {"net": [0, 1, 2, None]}
    assert result.names == []


def test_each_fit_of_the_gpu_lane_is_judged_when_it_would_start(tmp_path, monkeypatch,
                                                                  warm_workers):
    """SIMULATION of a GPU member (``runs_on_gpu`` patched): its fits run one after
    another in one worker (the lane, handed out at once, so without an estimate). Fold 1
    starts at about 1 s, before the deadline at 1.6 s; fold 2 would start at about 2 s:
    skipped."""
    monkeypatch.setattr(oof, "runs_on_gpu", lambda estimator, **sizes: estimator.tag == "gpu")
    log = tmp_path / "fits.log"
    deadline = time.time() + 1.6
    result = cross_fit(members(log, seconds=(0.0, SLOW), names=("fast", "gpu")), X, Y,
                       folds=FOLDS, methods=proba(("fast", "gpu")), n_classes=2, deadline=deadline,
                       n_jobs=2)
    assert result.skipped == {"gpu": [2]} == not_started(log, ["fast", "gpu"], [0, 1, 2])
    assert result.names == ["fast"]


# -- the benchmark ------------------------------------------------------------------------
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_benchmark_returns_within_the_limit_and_names_what_it_skipped(
        tmp_path, n_jobs, warm_workers, spy_deadline):
    """Sequentially (limit 2.8 s): slow's fold 2 is skipped (see the engine's test), the
    default ensembles are rebuilt on fast and fast2. With two workers (limit 0.8 s, less
    than one slow fit): slow's first two folds start at once and end after the limit,
    so at least its third fold and fast2's fits find the budget spent."""
    limit = 2.8 if n_jobs == 1 else 0.8
    allowance = margin(n_jobs)
    log = tmp_path / "fits.log"
    start = time.perf_counter()
    # shuffle=False: the folds of FOLDS, which read the log
    result = benchmark(members(log), X, Y, cv=3, shuffle=False, verbose=0, n_jobs=n_jobs,
                       random_state=0, time_limit=limit)
    elapsed = time.perf_counter() - start
    deadline = spy_deadline[-1]
    assert elapsed <= limit + SLOW + allowance, (elapsed, allowance)

    skipped = not_started(log, ["fast", "slow", "fast2"], [0, 1, 2])
    assert result.skipped == skipped
    if n_jobs == 1:
        assert skipped == {"slow": [2]}
    else:
        assert "slow" in skipped and 2 in skipped["slow"]
    # no fit started after the deadline
    assert max(s for s, _ in read_log(log, FOLDS).values()) <= deadline
    # the leaderboard: every model that finished, with every fold, and the ensembles
    board = result.to_frame()
    finished = [n for n in ["fast", "slow", "fast2"] if n not in skipped]
    ensembles = ["voting_soft", "voting_auto", "stacking", "selection"]
    assert sorted(board["model"]) == sorted(finished + ensembles)
    assert (result.fold_scores.groupby("model")["fold"].nunique() == 3).all()
    assert board["accuracy_mean"].notna().all() and board["p_value"].notna().all()
    notes = [f"{name!r} left out: not started within time_limit={limit:g} s: "
             + ("fold " if len(fits) == 1 else "folds ") + ", ".join(map(str, fits)) + "."
             for name, fits in skipped.items()]
    assert result.notes == notes + [
        "'voting_soft', 'voting_auto', 'stacking', 'selection': built on the base models "
        "that finished within time_limit."]
    # the same as if the models left out had never been given
    alone = benchmark([m for m in members(None) if m[0] in finished], X, Y, cv=3,
                      shuffle=False, verbose=0, random_state=0)
    columns = ["model", "fold", "accuracy", "neg_log_loss"]
    assert result.fold_scores[columns].equals(alone.fold_scores[columns])
    # the files keep it
    again = BenchmarkResult.from_json(result.to_json())
    assert again.skipped == skipped and again.notes == result.notes
    assert json.loads(result.to_json())["skipped"] == skipped


def test_benchmark_leaves_out_a_given_ensemble_of_a_skipped_model(tmp_path):
    log = tmp_path / "fits.log"
    models = members(log)
    vote = VotingClassifier(models, voting="soft")
    result = benchmark(models, X, Y, cv=3, verbose=0, time_limit=2.8,
                       ensembles=[("vote", vote), "stacking"])
    assert result.skipped == {"slow": [2]}
    assert set(result.fold_scores["model"]) == {"fast", "fast2", "stacking"}
    assert result.notes[-3:] == [
        "'slow' left out: not started within time_limit=2.8 s: fold 2.",
        "'vote' left out: its member(s) ['slow'] did not finish within time_limit.",
        "'stacking': built on the base models that finished within time_limit."]


def test_benchmark_without_a_finished_model_says_so(tmp_path):
    with pytest.raises(ValueError) as info:
        benchmark(members(tmp_path / "fits.log", seconds=(SLOW,), names=("slow",)), X, Y,
                  cv=3, verbose=0, time_limit=0.5)
    assert str(info.value) == (
        "time_limit=0.5 s: no base model finished all its fits; not started: 'slow' folds "
        "1, 2. Raise time_limit (None: no limit).")


def test_benchmark_within_its_limit_is_the_benchmark_without_one():
    models = members(None, seconds=(0.0, 0.0, 0.0))
    limited = benchmark(models, X, Y, cv=3, verbose=0, random_state=0, time_limit=60)
    free = benchmark(models, X, Y, cv=3, verbose=0, random_state=0)
    columns = ["model", "fold", "accuracy", "neg_log_loss"]
    assert limited.fold_scores[columns].equals(free.fold_scores[columns])
    assert limited.skipped == {} and limited.notes == free.notes


# -- ensemble selection -------------------------------------------------------------------
def test_selection_leaves_out_a_member_that_did_not_finish(tmp_path):
    """Sequentially (limit 2.8 s, refit on all rows inside the budget): slow's fold 2 and
    its fit on all rows would end past the limit; the selection is the one made from
    fast and fast2 alone."""
    log = tmp_path / "fits.log"
    selection = EnsembleSelectionClassifier(members(log), cv=3, n_iter=5, n_init=3)
    start = time.perf_counter()
    with pytest.warns(UserWarning) as caught:
        selection.set_params(time_limit=2.8).fit(X, Y)
    elapsed = time.perf_counter() - start
    assert [str(w.message) for w in caught] == [
        "EnsembleSelectionClassifier: time_limit=2.8 s: member(s) ['slow'] left out, their "
        "fits not all started (not started: 'slow' fold 2 and the fit on all rows); the "
        "selection is made from ['fast', 'fast2']."]
    assert elapsed <= 2.8 + SLOW + 0.5
    assert selection.skipped_ == {"slow": [2, None]}
    assert selection.skipped_ == not_started(log, ["fast", "slow", "fast2"],
                                             [0, 1, 2, None])
    assert list(selection.named_estimators_) == ["fast", "fast2"]
    assert len(selection.estimators_) == len(selection.weights_) == 2
    # n_init=3 > the 2 members left: the selection starts from both
    alone = EnsembleSelectionClassifier([m for m in members(None) if m[0] != "slow"], cv=3,
                                        n_iter=5, n_init=2).fit(X, Y)
    np.testing.assert_array_equal(selection.selection_counts_, alone.selection_counts_)
    np.testing.assert_array_equal(selection.predict_proba(X), alone.predict_proba(X))


def test_selection_within_its_limit_is_the_selection_without_one():
    models = members(None, seconds=(0.0, 0.0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning when nothing is left out
        limited = EnsembleSelectionClassifier(models, cv=3, time_limit=60).fit(X, Y)
    free = EnsembleSelectionClassifier(models, cv=3).fit(X, Y)
    assert limited.skipped_ == {} == free.skipped_
    np.testing.assert_array_equal(limited.weights_, free.weights_)


def test_selection_without_a_finished_member_says_so():
    selection = EnsembleSelectionClassifier(
        [("slow", SleepingClassifier(SLOW))], cv=3, time_limit=0.5)
    with pytest.raises(ValueError) as info:
        selection.fit(X, Y)
    assert str(info.value) == (
        "EnsembleSelectionClassifier: time_limit=0.5 s: no member finished all its fits "
        "(not started: 'slow' folds 1, 2 and the fit on all rows); the selection needs at "
        "least one. Raise time_limit (None: no limit).")


# -- the command line ---------------------------------------------------------------------
def test_cli_time_limit_end_to_end(tmp_path, capsys, monkeypatch):
    """``ensembles benchmark --time-limit`` on a bundled data set, with the roster's
    learners replaced by sleeping fakes (the command's own code runs as it is)."""
    import ensembles.learners

    def roster(task, **kwargs):
        return [("linear", SleepingClassifier(0.0)),
                ("knn", SleepingClassifier(SLOW, shift=0.01))]

    monkeypatch.setattr(ensembles.learners, "make_learners", roster)
    out = tmp_path / "out"
    code = main(["benchmark", "--dataset", "iris", "--models", "linear,knn", "--cv", "3",
                 "--ensembles", "voting_soft", "--time-limit", "2.6", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # knn's fold 0 (from ~0 s) and fold 1 (from ~1 s) run; fold 2 would end at ~3 s
    assert "note: 'knn' left out: not started within time_limit=2.6 s: fold 2." \
        in captured.out
    doc = json.loads((out / "leaderboard.json").read_text())
    assert doc["skipped"] == {"knn": [2]}
    assert sorted(row["model"] for row in doc["leaderboard"]) == ["linear", "voting_soft"]
    took = re.search(r"ensembles: benchmark took ([0-9.]+) s", captured.err)
    assert float(took.group(1)) <= 2.6 + SLOW + margin(1), captured.err


# -- the acceptance, full size ------------------------------------------------------------
@pytest.mark.slow
def test_a_20_s_limit_on_a_job_of_minutes(tmp_path, spy_deadline):
    """Seven models, 5 folds: one quick, six that sleep 3 s a fit (90 s of fits, one
    after another). With time_limit=20: quick and slow1 (15 s) finish; slow2's fold 0
    (15-18 s) runs, its fold 1 would end at 21 s: skipped, and so its other folds;
    slow3's fold 0 starts at 18 s (no estimate yet) and ends at 21 s; from then on the
    budget is spent. The call returns by about 21 s: within limit + one fit's time."""
    names = ["quick"] + [f"slow{k}" for k in range(1, 7)]
    log = tmp_path / "fits.log"
    models = [(name, SleepingClassifier(0.0 if name == "quick" else 3.0, shift=0.01 * k,
                                        tag=name, log=str(log)))
              for k, name in enumerate(names)]
    X5 = X.copy()
    start = time.perf_counter()
    result = benchmark(models, X5, Y, cv=5, verbose=0, random_state=0, time_limit=20)
    elapsed = time.perf_counter() - start
    deadline = spy_deadline[-1]
    assert elapsed <= 20 + 3.0 + 1.0, elapsed
    folds = make_folds(5, X5, Y, classifier=True)
    ran = read_log(log, folds)
    assert result.skipped == {
        "slow2": [1, 2, 3, 4], "slow3": [1, 2, 3, 4], "slow4": [0, 1, 2, 3, 4],
        "slow5": [0, 1, 2, 3, 4], "slow6": [0, 1, 2, 3, 4]}
    assert result.skipped == {
        name: [k for k in range(5) if (name, k) not in ran] for name in names
        if any((name, k) not in ran for k in range(5))}
    assert max(s for s, _ in ran.values()) <= deadline
    assert set(result.fold_scores["model"]) == {
        "quick", "slow1", "voting_soft", "voting_auto", "stacking", "selection"}
