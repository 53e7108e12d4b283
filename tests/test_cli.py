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
    floats = tmp_path / "floats.csv"
    floats.write_text("x,mpg\n1,18.0\n2,15.5\n3,18.0\n")
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
        # issue 17, item 3: scorers that cannot score the task, before any fit
        (["benchmark", "--dataset", "iris", "--scoring", "f1"],
         "--scoring 'f1' cannot score these 3 classes (0, 1, 2): Target is multiclass but "
         "average='binary'. Please choose another average setting, one of [None, 'micro', "
         "'macro', 'weighted']. Use 'f1_macro' instead."),
        (["report", "--dataset", "iris", "--scoring", "roc_auc"],
         "--scoring 'roc_auc' cannot score these 3 classes (0, 1, 2): multi_class must be in "
         "('ovo', 'ovr'). Use 'roc_auc_ovr' instead."),
        (["benchmark", "--dataset", "iris", "--scoring", "accuracy,r2"],
         "--scoring 'r2' is a regression score (r2_score) but the task is classification; "
         "choose one such as 'accuracy', 'balanced_accuracy', 'f1_macro', 'neg_log_loss'."),
        (["benchmark", "--dataset", "diabetes", "--scoring", "roc_auc"],
         "--scoring 'roc_auc' is a classification score (roc_auc_score) but the task is "
         "regression; choose one such as 'r2', 'neg_root_mean_squared_error', "
         "'neg_mean_absolute_error'."),
        # plain numbers: 15.5, the first value that is not a whole number
        (["benchmark", "--csv", floats, "--target", "mpg", "--task", "classification"],
         "task 'classification' needs class labels; column 'mpg' holds non-integer numbers "
         "such as 15.5. Use task 'regression', or bin the target first."),
        (["benchmark", "--csv", data, "--target", "label", "--drop", "price"],
         f"cannot drop 'price': not a column of '{data}', whose columns are: x, z, colour, "
         "shop, label."),
        (["benchmark", "--csv", data, "--target", "label", "--drop", "label"],
         "cannot drop 'label': it is the target column."),
        (["report", "--csv", data, "--target", "label", "--drop", "x", "--drop", "z",
          "--drop", "colour", "--drop", "shop"],
         f"'{data}' has no feature columns besides the target 'label' and the dropped 'x', "
         "'z', 'colour', 'shop'."),
        (["benchmark", "--dataset", "iris", "--drop", "petal"],
         "cannot drop 'petal': not a column of data set 'iris', whose columns are: sepal "
         "length (cm), sepal width (cm), petal length (cm), petal width (cm)."),
        (["benchmark", "--dataset", "iris", "--dropna-target"],
         "--dropna-target goes with --csv; a bundled data set has no missing target."),
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
                     "--out", "--time-limit", "leaderboard.md", "--shuffle / --no-shuffle",
                     "--drop", "--dropna-target"]),
    (["report"], ["--dataset", "--csv", "--stack", "--models", "gap.png", "curves.png",
                  "--shuffle / --no-shuffle", "--drop", "--dropna-target"]),
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


# -- folds, columns and rows (issue 17, item 3) --------------------------------------------
def _driven_by_x(n=200, seed=0):
    """y = x + noise, and a column of noise: x drives the target."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(0, 10, n)
    return pd.DataFrame({"x": x, "w": rng.normal(size=n), "y": x + rng.normal(size=n)})


def _board(tmp_path, csv, *args):
    out = tmp_path / f"out{sum(p.name.startswith('out') for p in tmp_path.iterdir())}"
    assert main(["benchmark", "--csv", str(csv), "--target", "y", "--models", "linear,knn",
                 "--size", "small", "--ensembles", "none", "--out", str(out), *args]) == 0
    return pd.read_csv(out / "leaderboard.csv").set_index("model")


def test_a_file_sorted_by_the_target_driver(tmp_path, capsys):
    """The acceptance test: on a file sorted by the column that drives the target, the
    default leaderboard matches the one on the same rows in random order (within the
    folds' noise); --no-shuffle gives each fold one slice of x, and the scores measure
    that shift (r2 within a slice is low, and a neighbour model cannot reach the slice's
    end)."""
    frame = _driven_by_x()
    frame.sort_values("x").to_csv(tmp_path / "sorted.csv", index=False)
    frame.sample(frac=1, random_state=1).to_csv(tmp_path / "random.csv", index=False)
    folds = 5
    default = _board(tmp_path, tmp_path / "sorted.csv")
    random_order = _board(tmp_path, tmp_path / "random.csv")
    in_order = _board(tmp_path, tmp_path / "sorted.csv", "--no-shuffle")
    for model in ("linear", "knn"):
        a, b = default.loc[model], random_order.loc[model]
        # within twice the standard error of the difference of two 5-fold means
        noise = 2 * np.sqrt((a["r2_std"] ** 2 + b["r2_std"] ** 2) / folds)
        assert abs(a["r2_mean"] - b["r2_mean"]) < noise, (model, a["r2_mean"], b["r2_mean"])
        assert a["r2_mean"] > 0.8
    assert in_order.loc["linear", "r2_mean"] < 0.4
    assert in_order.loc["knn", "r2_mean"] < 0
    # seeded: the same command gives the same leaderboard; another seed, other folds
    pd.testing.assert_frame_equal(
        _board(tmp_path, tmp_path / "sorted.csv").drop(
            columns=["fit_time", "predict_time", "peak_memory_mb"]),
        default.drop(columns=["fit_time", "predict_time", "peak_memory_mb"]))
    other_seed = _board(tmp_path, tmp_path / "sorted.csv", "--random-state", "1")
    assert other_seed.loc["linear", "r2_mean"] != default.loc["linear", "r2_mean"]
    doc = json.loads((tmp_path / "out0" / "leaderboard.json").read_text())
    assert any(note.endswith("random_state 0; 5 folds, rows shuffled (seed 0).")
               for note in doc["notes"])


def test_report_on_a_sorted_file_does_not_call_the_shift_overfitting(tmp_path, capsys):
    from ensembles import OverfittingReport

    _driven_by_x().sort_values("x").to_csv(tmp_path / "sorted.csv", index=False)
    verdicts = {}
    for flag in ("--shuffle", "--no-shuffle"):
        out = tmp_path / flag
        assert main(["report", "--csv", str(tmp_path / "sorted.csv"), "--target", "y",
                     "--models", "knn", "--size", "small", "--out", str(out), flag]) == 0
        frame = OverfittingReport.from_json(out / "report.json").to_frame()
        verdicts[flag] = frame.set_index("model").loc["knn", "verdict"]
    assert verdicts == {"--shuffle": "ok", "--no-shuffle": "overfit"}


def _with_ids(path, n=60):
    rng = np.random.RandomState(0)
    x = rng.normal(size=n)
    pd.DataFrame({"car name": [f"car {k}" for k in range(n)], "id": np.arange(1, n + 1),
                  "x": x, "y": x + rng.normal(scale=0.3, size=n)}).to_csv(path, index=False)
    return path


def test_id_like_columns_are_named_with_the_way_to_drop_them(tmp_path, capsys):
    path = _with_ids(tmp_path / "cars.csv")
    args = ["benchmark", "--csv", str(path), "--target", "y", "--models", "linear", "--size",
            "small", "--ensembles", "none", "--cv", "3"]
    assert main([*args, "--out", str(tmp_path / "all")]) == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if line.startswith("ensembles: warning: ")]
    assert warned == [
        "ensembles: warning: column 'car name' looks like an identifier: 60 distinct values "
        "in 60 rows (ratio 1.00, above 0.5); a model can only memorise it. If it is one, "
        "leave it out with --drop 'car name'.",
        "ensembles: warning: column 'id' looks like a row number: 60 distinct consecutive "
        "integers in 60 rows; a model can only memorise it. If it is one, leave it out with "
        "--drop id.",
    ]
    doc = json.loads((tmp_path / "all" / "leaderboard.json").read_text())
    assert sum(note.startswith("warning: column ") for note in doc["notes"]) == 2

    assert main([*args, "--drop", "car name", "--drop", "id", "--out",
                 str(tmp_path / "dropped")]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err
    assert f"ensembles: '{path}' (target 'y'): 60 rows, 1 features, regression" in err
    doc = json.loads((tmp_path / "dropped" / "leaderboard.json").read_text())
    assert "left out the column(s) 'car name', 'id' (--drop)." in doc["notes"]
    assert any(note.startswith("data: 60 rows, 1 features: 1 numeric, 0 categorical")
               for note in doc["notes"])


def test_dropna_target(tmp_path, capsys):
    path = tmp_path / "gaps.csv"
    frame = _driven_by_x(n=40)
    frame.loc[[1, 7], "y"] = np.nan
    frame.to_csv(path, index=False)
    args = ["benchmark", "--csv", str(path), "--target", "y", "--models", "linear",
            "--size", "small", "--ensembles", "none", "--cv", "3"]
    assert main(args) == 2
    assert assert_clean_failure(capsys.readouterr().err) == (
        "ensembles: error: the target column 'y' has 2 missing value(s) (file lines 3, 9); "
        "drop those rows (dropna_target=True; on the command line, --dropna-target) or "
        "fill them first.")
    assert main([*args, "--dropna-target", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"ensembles: '{path}' (target 'y'): 38 rows, 2 features, regression" in err
    doc = json.loads((tmp_path / "out" / "leaderboard.json").read_text())
    assert ("left out 2 row(s) whose target 'y' is missing (file lines 3, 9; "
            "--dropna-target).") in doc["notes"]
    assert set(doc["fold_scores"]["n_test"]) <= {12, 13}  # 38 rows in 3 folds


def test_scorer_errors_come_before_any_fit(capsys, monkeypatch):
    calls = []
    module = importlib.import_module("ensembles.evaluation.benchmark")
    monkeypatch.setattr(module, "benchmark", lambda *a, **k: calls.append(a))
    assert main(["benchmark", "--dataset", "iris", "--models", "linear", "--scoring",
                 "f1"]) == 2
    assert calls == []
    assert assert_clean_failure(capsys.readouterr().err).startswith(
        "ensembles: error: --scoring 'f1' cannot score these 3 classes")
    # the same command with a scorer that fits reaches the benchmark (then fails: the
    # stand-in returns no result)
    assert main(["benchmark", "--dataset", "iris", "--models", "linear", "--scoring",
                 "f1_macro"]) == 1
    assert len(calls) == 1
