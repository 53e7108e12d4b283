"""The ``ensembles`` command: benchmarks, overfitting reports and data sets from a shell.

::

    ensembles datasets
    ensembles benchmark --dataset breast_cancer --out results/
    ensembles benchmark --csv data.csv --target y --models xgb,lgbm,linear --out results/
    ensembles report --dataset iris --stack --out report/

Tables go to standard output; progress bars and what was written go to standard error.
A bad argument (a missing file, an unknown data set, model or column, ...) ends the command
with exit code 2 and one line ``ensembles: error: ...`` on standard error; a failure while
fitting with exit code 1 and one line too (``ensembles --traceback ...`` shows the whole
trace). Built on click (``docs/cli.md``).
"""

import shlex
import sys
import time
import warnings
from pathlib import Path

import click

__all__ = ["cli", "main"]

_PROG = "ensembles"
_SIZES = ("small", "medium")


class _BadInput(click.UsageError):
    """A bad argument found after parsing: reported on one line, exit code 2."""


def _fail(message):
    raise _BadInput(message)


# -- shared options -----------------------------------------------------------------------
def _split(text):
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def _data_options(command):
    options = [
        click.option("--dataset", metavar="NAME",
                     help="A bundled data set (see 'ensembles datasets')."),
        click.option("--csv", "csv_path", metavar="PATH",
                     help="A CSV file with a header row; needs --target."),
        click.option("--target", metavar="COLUMN", help="The column of --csv to predict."),
        click.option("--drop", multiple=True, metavar="COLUMN",
                     help="Leave this column out of the features (an identifier, a leak of "
                          "the target); repeat for more."),
        click.option("--dropna-target", is_flag=True,
                     help="For --csv: leave out the rows whose target is missing (without "
                          "it they are an error)."),
        click.option("--task", type=click.Choice(["classification", "regression"]),
                     help="For --csv: default inferred from the target (text or at most 20 "
                          "distinct integers: classification)."),
        click.option("--models", metavar="A,B,...",
                     help="Base learners from the roster (ensembles.make_learners): net, "
                          "xgb, lgbm, rf, et, linear, knn. Default: all of them."),
        click.option("--size", type=click.Choice(_SIZES), default="medium", show_default=True,
                     help="Roster size: small (quick looks) or medium (real work)."),
        click.option("--cv", type=click.IntRange(min=2), default=5, show_default=True,
                     help="Cross-validation folds (stratified for classification)."),
        click.option("--shuffle/--no-shuffle", default=True, show_default=True,
                     help="Shuffle the rows before they are split into folds (seeded by "
                          "--random-state). --no-shuffle keeps the file's order: on a file "
                          "sorted by a column that drives the target, the folds then "
                          "differ and the scores measure that, not the models."),
        click.option("--scoring", metavar="S1,S2,...",
                     help="Scorer names (sklearn.metrics.get_scorer_names()); the first "
                          "ranks. Default: accuracy, neg_log_loss / r2, "
                          "neg_root_mean_squared_error."),
        click.option("--n-jobs", type=int, default=None,
                     help="Parallel (model, fold) fits; -1: all cores. Default: one."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
                     show_default=True, help="Where the net and XGBoost run."),
        click.option("--random-state", type=int, default=0, show_default=True,
                     help="Seed of the learners, the ensembles and the shuffled folds: "
                          "the same command gives the same numbers."),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     metavar="DIR", help="Write the files here (made if needed). Default: "
                                         "print only."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _load(dataset, csv_path, target, task, drop, dropna_target, notes):
    """(X DataFrame, y, task, description) from --dataset or --csv."""
    from .. import datasets
    from .tabular import _read_csv

    if (dataset is None) == (csv_path is None):
        _fail("give exactly one of --dataset NAME or --csv PATH"
              + ("; got both." if dataset is not None else "; got neither."))
    if dataset is not None:
        if target is not None or task is not None:
            _fail("--target and --task go with --csv; a bundled data set knows its own.")
        if dropna_target:
            _fail("--dropna-target goes with --csv; a bundled data set has no missing "
                  "target.")
        if dataset not in datasets.names():
            _fail(f"unknown data set '{dataset}'; choose from: {', '.join(datasets.names())}")
        X, y = datasets.load(dataset, return_X_y=True, as_frame=True)
        for column in drop:
            if column not in X.columns:
                _fail(f"cannot drop '{column}': not a column of data set '{dataset}', whose "
                      f"columns are: {', '.join(map(str, X.columns))}.")
        if len(set(drop)) == X.shape[1]:
            _fail(f"--drop leaves no feature of data set '{dataset}'.")
        return (X.drop(columns=list(drop)), y, datasets.task_of(dataset),
                f"data set '{dataset}'")
    if target is None:
        _fail("--csv needs --target COLUMN: the column to predict.")
    try:
        X, y, task, dropped = _read_csv(csv_path, target, task, drop, dropna_target, {})
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    if len(dropped):
        from .tabular import _lines

        notes.append(f"left out {len(dropped)} row(s) whose target '{target}' is missing "
                     f"(file lines {_lines(dropped)}; --dropna-target).")
    return X, y, task, f"'{csv_path}' (target '{target}')"


def _encode_labels(y, task, notes):
    """Classes as 0..K-1 (sorted): what XGBoost wants, and what lets 'f1' find class 1."""
    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    if task != "classification":
        return np.asarray(y, dtype=float)
    encoder = LabelEncoder().fit(np.asarray(y))
    classes = [str(c) for c in encoder.classes_]
    if classes != [str(k) for k in range(len(classes))]:
        shown = ", ".join(f"{k}={c}" for k, c in enumerate(classes[:10]))
        notes.append(f"class labels encoded in sorted order: {shown}"
                     + (", ..." if len(classes) > 10 else "") + ".")
    return encoder.transform(np.asarray(y))


def _check_folds(y, task, cv):
    import numpy as np

    if task == "classification":
        counts = np.bincount(y)
        if counts.min() < cv:
            _fail(f"--cv {cv} needs at least {cv} rows of each class; the smallest class has "
                  f"{counts.min()}. Lower --cv.")
    elif len(y) < cv:
        _fail(f"--cv {cv} needs at least {cv} rows; the data has {len(y)}.")


def _learners(task, models, size, device, random_state):
    from ..learners import DeviceUnavailableError, make_learners

    try:
        roster = make_learners(task, device=device, random_state=random_state, size=size)
    except DeviceUnavailableError as exc:
        _fail(str(exc))
    available = dict(roster)
    wanted = _split(models) if models is not None else list(available)
    if not wanted:
        _fail("--models needs at least one name; choose from: " + ", ".join(available))
    for name in wanted:
        if name not in available:
            _fail(f"unknown model '{name}'; choose from: {', '.join(available)}")
    if len(set(wanted)) != len(wanted):
        _fail(f"--models names a model twice: {models}")
    return [(name, available[name]) for name in wanted]


def _scoring(text):
    if text is None:
        return None
    from sklearn.metrics import get_scorer_names

    names = _split(text)
    known = get_scorer_names()
    for name in names:
        if name not in known:
            _fail(f"unknown scorer '{name}'; choose from sklearn.metrics.get_scorer_names(), "
                  "e.g. accuracy, balanced_accuracy, f1, roc_auc, neg_log_loss, r2, "
                  "neg_root_mean_squared_error")
    if not names:
        _fail("--scoring needs at least one scorer name.")
    return names


def _check_scoring(scorers, task, y, learners):
    """A scorer that cannot score the task fails here, before any fit (exit code 2)."""
    import numpy as np
    from sklearn.metrics import get_scorer

    from ..evaluation.scorers import check_scoring

    if scorers is None:
        return
    classification = task == "classification"
    try:
        check_scoring({n: get_scorer(n) for n in scorers}, classification,
                      all(hasattr(e, "predict_proba") for _, e in learners),
                      np.unique(y) if classification else None)
    except ValueError as exc:
        _fail(str(exc).replace("scoring ", "--scoring ", 1))


def _warn_id_columns(X, notes):
    from .tabular import id_like_columns

    for column, _, _, message in id_like_columns(X):
        text = (f"{message}; a model can only memorise it. If it is one, leave it out with "
                f"--drop {shlex.quote(str(column))}.")
        click.echo(f"{_PROG}: warning: {text}", err=True)
        notes.append(f"warning: {text}")


def _prepare(dataset, csv_path, target, task, models, size, device, random_state, cv,
             scoring, shuffle, drop, dropna_target):
    """Everything a command needs, every argument checked before anything is fitted."""
    from .tabular import IdLikeColumnWarning, preprocess

    scorers = _scoring(scoring)
    loaded = []
    X, y, task, source = _load(dataset, csv_path, target, task, drop, dropna_target, loaded)
    learners = _learners(task, models, size, device, random_state)
    order = (f"rows shuffled (seed {random_state})" if shuffle
             else "rows in their order (--no-shuffle)")
    notes = [f"{source}: {task}; roster size '{size}', device '{device}', "
             f"random_state {random_state}; {cv} folds, {order}."] + loaded
    if drop:
        notes.append(f"left out the column(s) {', '.join(map(repr, drop))} (--drop).")
    y = _encode_labels(y, task, notes)
    _check_folds(y, task, cv)
    _check_scoring(scorers, task, y, learners)
    _warn_id_columns(X, notes)
    with warnings.catch_warnings():
        # said once above, with the command line's way to drop the column
        warnings.simplefilter("ignore", IdLikeColumnWarning)
        learners, described = preprocess(learners, X)
    if all(line.endswith(": no preprocessing needed.") for line in described[1:]):
        described = [described[0][:-1] + "; no preprocessing needed."]
    notes += described
    click.echo(f"{_PROG}: {source}: {X.shape[0]} rows, {X.shape[1]} features, {task}; "
               f"models: {', '.join(n for n, _ in learners)}", err=True)
    return X, y, task, learners, scorers, notes


def _write(out, files):
    """Write each (file name, writer(path)); plots are skipped, with a line, when
    matplotlib is missing."""
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    written, skipped, reason = [], [], None
    for name, writer in files:
        try:
            writer(out / name)
        except ImportError as exc:
            skipped.append(name)
            reason = str(exc)
        else:
            written.append(name)
    click.echo(f"{_PROG}: wrote {', '.join(written)} in {out}", err=True)
    if skipped:
        click.echo(f"{_PROG}: skipped {', '.join(skipped)}: {reason}", err=True)


# -- commands -----------------------------------------------------------------------------
@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 99})
@click.option("--traceback", "show_traceback", is_flag=True,
              help="On a failure, show the whole Python traceback.")
@click.version_option(package_name="ensembles", prog_name=_PROG)
@click.pass_context
def cli(ctx, show_traceback):
    """Ensembles of nets, XGBoost, LightGBM and scikit-learn models, from a shell.

    Run 'ensembles COMMAND --help' for the options of a command.
    """
    ctx.obj = {"traceback": show_traceback}


@cli.command()
def datasets():
    """List the bundled data sets: name, task, rows, features."""
    from .. import datasets as data

    rows = [("name", "task", "rows", "features")]
    for name in data.names():
        X, _ = data.load(name, return_X_y=True)
        rows.append((name, data.task_of(name), str(X.shape[0]), str(X.shape[1])))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for k, row in enumerate(rows):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        click.echo("  ".join(cells).rstrip())
        if k == 0:
            click.echo("  ".join("-" * w for w in widths))


@cli.command(short_help="Base learners against ensembles of them: a leaderboard.")
@_data_options
@click.option("--ensembles", "ensembles_", default="default", show_default=True,
              metavar="default|none|E1,E2,...",
              help="Ensembles of the models to compare them with: voting_soft, voting_auto, "
                   "stacking, selection; 'none' for the base models only.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS",
              help="A budget for the benchmark: no (model, fold) fit starts once it would be "
                   "exceeded; models with a fold not started are left out, with a note. "
                   "Default: no limit.")
def benchmark(dataset, csv_path, target, drop, dropna_target, task, models, size, cv,
              shuffle, scoring, n_jobs, device, random_state, out, ensembles_, time_limit):
    """Cross-validate base learners and ensembles of them; print the leaderboard.

    With --out DIR, writes leaderboard.md, leaderboard.html, leaderboard.csv,
    leaderboard.json, scores.png and time.png there.
    """
    from ..evaluation.benchmark import ENSEMBLE_NAMES
    from ..evaluation.benchmark import benchmark as run_benchmark

    if ensembles_ == "default":
        chosen = "default"
    elif ensembles_ == "none":
        chosen = None
    else:
        chosen = _split(ensembles_)
        for name in chosen:
            if name not in ENSEMBLE_NAMES:
                _fail(f"unknown ensemble '{name}'; choose from: default, none, "
                      f"{', '.join(ENSEMBLE_NAMES)}")
    X, y, task, learners, scorers, notes = _prepare(
        dataset, csv_path, target, task, models, size, device, random_state, cv, scoring,
        shuffle, drop, dropna_target)
    start = time.perf_counter()
    result = run_benchmark(learners, X, y, cv=cv, shuffle=shuffle, scoring=scorers,
                           ensembles=chosen, n_jobs=n_jobs, random_state=random_state,
                           verbose=1, device=device, task=task, time_limit=time_limit)
    result.notes.extend(notes)
    click.echo(f"{_PROG}: benchmark took {time.perf_counter() - start:.1f} s", err=True)
    click.echo(result.summary())
    _write(out, [
        ("leaderboard.md", lambda p: p.write_text(result.to_markdown(), encoding="utf-8")),
        ("leaderboard.csv", result.to_csv),
        ("leaderboard.json", result.to_json),
        ("leaderboard.html", result.to_html),
        ("scores.png", lambda p: result.plot("scores", path=p)),
        ("time.png", lambda p: result.plot("time", path=p)),
    ])


@cli.command(short_help="Train vs validation scores: how much each model overfits.")
@_data_options
@click.option("--stack", is_flag=True,
              help="Report a stacking ensemble of the models (each member and the "
                   "ensemble) instead of the models side by side.")
def report(dataset, csv_path, target, drop, dropna_target, task, models, size, cv, shuffle,
           scoring, n_jobs, device, random_state, out, stack):
    """Cross-validate models and print how much each overfits (train vs validation).

    With --out DIR, writes report.md, report.html, report.json, gap.png and curves.png
    there.
    """
    from ..combine.stacking import StackingClassifier, StackingRegressor
    from ..evaluation.report import overfitting_report

    X, y, task, learners, scorers, notes = _prepare(
        dataset, csv_path, target, task, models, size, device, random_state, cv, scoring,
        shuffle, drop, dropna_target)
    subject = learners
    if stack:
        stacking = StackingClassifier if task == "classification" else StackingRegressor
        subject = stacking(learners, cv=cv, n_jobs=n_jobs, random_state=random_state)
        notes.append(f"{stacking.__name__} of {', '.join(n for n, _ in learners)} "
                     "(default final estimator).")
    start = time.perf_counter()
    result = overfitting_report(subject, X, y, cv=cv, shuffle=shuffle,
                                random_state=random_state, scoring=scorers, n_jobs=n_jobs,
                                verbose=1)
    result.notes.extend(notes)
    click.echo(f"{_PROG}: report took {time.perf_counter() - start:.1f} s", err=True)
    click.echo(result.summary())
    _write(out, [
        ("report.md", lambda p: p.write_text(result.to_markdown(), encoding="utf-8")),
        ("report.json", result.to_json),
        ("report.html", result.to_html),
        ("gap.png", lambda p: result.plot("gap", path=p)),
        ("curves.png", lambda p: result.plot("curves", path=p)),
    ])


# -- entry point --------------------------------------------------------------------------
def _one_line(text):
    return " ".join(str(text).split())


def main(argv=None):
    """Run the command line; returns the exit code (0 success, 1 failure, 2 bad usage)."""
    args = sys.argv[1:] if argv is None else list(argv)
    show_traceback = "--traceback" in args[:1]
    if not args:
        click.echo(cli.get_help(click.Context(cli, info_name=_PROG, **cli.context_settings)))
        return 0
    try:
        code = cli.main(args=args, prog_name=_PROG, standalone_mode=False)
    except click.UsageError as exc:
        # click would print a usage box; one line says it as well.
        message = _one_line(exc.format_message())
        if not isinstance(exc, _BadInput) and exc.ctx is not None:
            message += f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"{_PROG}: error: {message}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"{_PROG}: error: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo(f"{_PROG}: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - a failure while fitting: one line by default
        if show_traceback:
            raise
        click.echo(f"{_PROG}: error: {type(exc).__name__}: {_one_line(exc)} (run "
                   f"'{_PROG} --traceback ...' for the whole trace)", err=True)
        return 1
    return code if isinstance(code, int) else 0
