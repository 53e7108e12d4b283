"""The ``ensembles`` command, end to end in subprocesses, and its argument errors.

Every subprocess imports torch, XGBoost and LightGBM (a few seconds each on two cores), so
the end-to-end runs use small rosters, few models and three folds; the table of bad
arguments runs ``main()`` in this process, and two of its cases again in a subprocess to
see what a shell sees.
"""

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ensembles.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DATASETS = "breast_cancer, diabetes, digits, hastie_10_2, iris, waveform, wine"
ROSTER = "net, xgb, lgbm, rf, et, linear, knn"


def run(*args, env=None, command=None):
    """Run the command in a subprocess from the repository root."""
    command = command or [sys.executable, "-m", "ensembles"]
    return subprocess.run([*command, *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=600)


def assert_clean_failure(result_or_err, code=2):
    err = result_or_err if isinstance(result_or_err, str) else result_or_err.stderr
    assert "Traceback" not in err and "Usage:" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("ensembles: error: ")
    return lines[0]


def small_csv(path, n=150, seed=0):
    """Numeric and text columns, missing values in both, a text target."""
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    frame = pd.DataFrame({
        "x": x,
        "z": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(size=n)),
        "colour": rng.choice(["red", "green", "blue", ""], size=n),
        "shop": [f"shop{k}" for k in rng.randint(30, size=n)],
        "label": np.where(x + rng.normal(scale=0.5, size=n) > 0, "high", "low"),
    })
    frame.loc[frame["colour"] == "", "colour"] = None
    frame.to_csv(path, index=False)
    return path


# -- end to end ---------------------------------------------------------------------------
def test_benchmark_dataset_writes_every_file(tmp_path):
    out = tmp_path / "out"
    result = run("benchmark", "--dataset", "breast_cancer", "--models", "linear,knn,rf",
                 "--size", "small", "--cv", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    names = {"leaderboard.md", "leaderboard.html", "leaderboard.csv", "leaderboard.json",
             "scores.png", "time.png"}
    assert names <= {p.name for p in out.iterdir()}
    assert all((out / name).stat().st_size > 0 for name in names)
    for model in ("linear", "knn", "rf", "voting_soft", "stacking"):
        assert model in result.stdout
    assert "benchmark: 100%" in result.stderr  # the progress bar
    doc = json.loads((out / "leaderboard.json").read_text())
    assert any("data set 'breast_cancer'" in note for note in doc["notes"])
    # the corrected t-test against the best: on the screen and in every file
    assert "p vs best" in result.stdout
    board = pd.read_csv(out / "leaderboard.csv")
    assert board["p_value"].iloc[0] == 1.0 and board["p_value"].between(0, 1).all()
    assert [row["p_value"] for row in doc["leaderboard"]] == pytest.approx(
        board["p_value"].tolist(), rel=1e-12)
    assert "| p vs best |" in (out / "leaderboard.md").read_text()
    assert (out / "scores.png").read_bytes()[:4] == b"\x89PNG"


def test_benchmark_csv_with_text_and_missing_values(tmp_path):
    """End to end on text categoricals, NaN and a text target; with matplotlib hidden,
    the tables are still written and the plots are skipped with a line saying so."""
    path = small_csv(tmp_path / "data.csv")
    hide = tmp_path / "hide"
    (hide / "matplotlib").mkdir(parents=True)
    (hide / "matplotlib" / "__init__.py").write_text(
        "raise ImportError('No module named matplotlib (hidden by a test)')\n")
    out = tmp_path / "out"
    result = run("benchmark", "--csv", path, "--target", "label", "--models", "linear,lgbm",
                 "--size", "small", "--cv", "3", "--scoring", "accuracy,f1", "--out", out,
                 env={"PYTHONPATH": str(hide)})
    assert result.returncode == 0, result.stderr
    written = {p.name for p in out.iterdir()}
    assert written == {"leaderboard.md", "leaderboard.html", "leaderboard.csv",
                       "leaderboard.json"}
    assert "ensembles: skipped scores.png, time.png: plots need matplotlib" in result.stderr
    board = pd.read_csv(out / "leaderboard.csv")
    assert {"linear", "lgbm", "selection"} <= set(board["model"])
    # What was done to the data is in the result, not only on the screen.
    markdown = (out / "leaderboard.md").read_text()
    assert "class labels encoded in sorted order: 0=high, 1=low." in markdown
    assert "linear: one-hot encoded colour; ordinal encoded shop (more than 20 levels)" \
        in markdown
    assert "lgbm: colour, shop as pandas 'category' columns" in markdown
    assert "missing values in z: " in result.stdout


def test_report_dataset_writes_every_file(tmp_path):
    out = tmp_path / "out"
    result = run("report", "--dataset", "iris", "--models", "linear,xgb", "--size", "small",
                 "--cv", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    names = {"report.md", "report.html", "report.json", "gap.png", "curves.png"}
    assert names <= {p.name for p in out.iterdir()}
    assert "verdict" in result.stdout and "baseline (dummy)" in result.stdout
    assert "overfitting report: 100%" in result.stderr
    assert (out / "gap.png").read_bytes()[:4] == b"\x89PNG"


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "ensembles"
    assert script.exists(), "no 'ensembles' script: run pip install -e . (setup.py entry point)"
    result = run("datasets", command=[str(script)])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "task", "rows", "features"]
    assert lines[2].split() == ["breast_cancer", "classification", "569", "30"]
    assert len(lines) == 2 + len(DATASETS.split(", "))


def test_bad_argument_in_a_shell():
    result = run("benchmark", "--dataset", "foo")
    assert result.returncode == 2
    assert assert_clean_failure(result) == (
        f"ensembles: error: unknown data set 'foo'; choose from: {DATASETS}")
    assert result.stdout == ""


# -- in this process ----------------------------------------------------------------------
def bad_cases(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("a,b,y\n")
    data = small_csv(tmp_path / "data.csv", n=20)
    return [
        (["benchmark", "--dataset", "foo"],
         f"unknown data set 'foo'; choose from: {DATASETS}"),
        (["report", "--dataset", "foo"], f"unknown data set 'foo'; choose from: {DATASETS}"),
        (["benchmark", "--csv", "nope.csv", "--target", "y"], "no such file: 'nope.csv'."),
        (["benchmark", "--csv", empty, "--target", "y"],
         f"the CSV file '{empty}' is empty; expected a header row and data rows."),
        (["report", "--csv", header, "--target", "y"],
         f"the CSV file '{header}' has a header but no data rows."),
        (["benchmark", "--csv", data, "--target", "price"],
         f"unknown target column 'price'; the columns of '{data}' are: x, z, colour, shop, "
         "label."),
        (["benchmark", "--dataset", "iris", "--models", "linear,boost"],
         f"unknown model 'boost'; choose from: {ROSTER}"),
        (["report", "--dataset", "iris", "--models", "svm"],
         f"unknown model 'svm'; choose from: {ROSTER}"),
        (["benchmark", "--dataset", "iris", "--csv", data, "--target", "label"],
         "give exactly one of --dataset NAME or --csv PATH; got both."),
        (["benchmark", "--models", "linear"],
         "give exactly one of --dataset NAME or --csv PATH; got neither."),
        (["report"], "give exactly one of --dataset NAME or --csv PATH; got neither."),
        (["benchmark", "--csv", data], "--csv needs --target COLUMN: the column to predict."),
        (["benchmark", "--dataset", "iris", "--target", "y"],
         "--target and --task go with --csv; a bundled data set knows its own."),
        (["benchmark", "--dataset", "iris", "--ensembles", "bagging"],
         "unknown ensemble 'bagging'; choose from: default, none, voting_soft, voting_auto, "
         "stacking, selection"),
        (["benchmark", "--dataset", "iris", "--scoring", "accuracy,acc"],
         "unknown scorer 'acc'; choose from sklearn.metrics.get_scorer_names(), e.g. "
         "accuracy, balanced_accuracy, f1, roc_auc, neg_log_loss, r2, "
         "neg_root_mean_squared_error"),
        # click's own messages (their wording is click's), with a pointer to the help.
        (["benchmark", "--dataset", "iris", "--cv", "1"],
         re.compile(r"Invalid value for '--cv': .*1.* \(see 'ensembles benchmark --help'\)")),
        (["benchmark", "--dataset", "iris", "--time-limit", "0"],
         re.compile(r"Invalid value for '--time-limit': 0(\.0)? is not in the range x>0\. "
                    r"\(see 'ensembles benchmark --help'\)")),
        (["benchmark", "--dataset", "iris", "--time-limit", "soon"],
         re.compile(r"Invalid value for '--time-limit': 'soon' is not a valid float range\. "
                    r"\(see 'ensembles benchmark --help'\)")),
        (["benchmark", "--dataset", "iris", "--device", "tpu"],
         re.compile(r"Invalid value for '--device': .*'tpu'.* \(see 'ensembles benchmark "
                    r"--help'\)")),
        (["benchmark", "--dataset", "iris", "--bogus"],
         re.compile(r"No such option.*--bogus.* \(see 'ensembles benchmark --help'\)")),
        (["frobnicate"], re.compile(r"No such command.*frobnicate.* \(see 'ensembles --help'\)")),
    ]


def test_bad_arguments(tmp_path, capsys):
    for args, message in bad_cases(tmp_path):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        assert code == 2, (args, captured.err)
        line = assert_clean_failure(captured.err)
        if isinstance(message, str):
            assert line == f"ensembles: error: {message}", args
        else:
            assert message.fullmatch(line.removeprefix("ensembles: error: ")), (args, line)
        assert captured.out == ""


def test_too_many_folds_for_a_class(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("x,y\n" + "".join(f"{k},{'a' if k < 8 else 'b'}\n" for k in range(10)))
    assert main(["benchmark", "--csv", str(path), "--target", "y", "--cv", "3"]) == 2
    assert assert_clean_failure(capsys.readouterr().err) == (
        "ensembles: error: --cv 3 needs at least 3 rows of each class; the smallest class "
        "has 2. Lower --cv.")


@pytest.mark.parametrize("command, words", [
    ([], ["benchmark", "report", "datasets", "--traceback"]),
    (["benchmark"], ["--dataset", "--csv", "--target", "--task", "--models", "--ensembles",
                     "--cv", "--scoring", "--n-jobs", "--device", "--random-state", "--size",
                     "--out", "--time-limit", "leaderboard.md"]),
    (["report"], ["--dataset", "--csv", "--stack", "--models", "gap.png", "curves.png"]),
    (["datasets"], ["name, task, rows, features"]),
])
def test_help(command, words, capsys):
    assert main([*command, "--help"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Usage: ensembles")
    for word in words:
        assert word in captured.out
    assert captured.err == ""


def test_no_arguments_prints_help(capsys):
    assert main([]) == 0
    assert "Commands:" in capsys.readouterr().out


def test_failure_while_fitting_is_one_line_with_code_1(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("member 'xgb' failed in fold 2: out of memory")

    # The module, not the function that ensembles/__init__.py exports under its name.
    monkeypatch.setattr(importlib.import_module("ensembles.evaluation.benchmark"), "benchmark",
                        broken)
    assert main(["benchmark", "--dataset", "iris", "--models", "linear"]) == 1
    line = assert_clean_failure(capsys.readouterr().err.splitlines()[-1])
    assert line == ("ensembles: error: RuntimeError: member 'xgb' failed in fold 2: out of "
                    "memory (run 'ensembles --traceback ...' for the whole trace)")
    with pytest.raises(RuntimeError, match="out of memory"):
        main(["--traceback", "benchmark", "--dataset", "iris", "--models", "linear"])


def test_regression_dataset(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["benchmark", "--dataset", "diabetes", "--models", "linear,knn", "--size",
                 "small", "--cv", "3", "--ensembles", "voting_soft,stacking", "--out",
                 str(out)]) == 0
    captured = capsys.readouterr()
    assert "r2" in captured.out and "stacking" in captured.out
    assert "selection" not in captured.out
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board["model"]) == {"linear", "knn", "voting_soft", "stacking"}


def test_report_of_a_stack_on_a_csv(tmp_path, capsys):
    path = small_csv(tmp_path / "data.csv")
    out = tmp_path / "out"
    assert main(["report", "--csv", str(path), "--target", "label", "--models", "linear,knn",
                 "--size", "small", "--cv", "3", "--stack", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    for row in ("linear", "knn", "StackingClassifier", "baseline (dummy)"):
        assert row in stdout
    doc = json.loads((out / "report.json").read_text())
    assert "StackingClassifier of linear, knn (default final estimator)." in doc["notes"]
    assert {"report.md", "report.html", "report.json", "gap.png", "curves.png"} == {
        p.name for p in out.iterdir()}
