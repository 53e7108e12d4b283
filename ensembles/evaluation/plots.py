"""Pictures of an :class:`~ensembles.OverfittingReport`: the gap bars, the learning curves
and one self-contained HTML page holding both.

matplotlib is optional (``pip install ensembles-ml[plot]``) and imported only here, inside the
functions. Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot:
no global figure registry, no interactive backend, so they work headless, in threads and in
worker processes, and are freed like any other object.
"""

import base64
import html
import io
import math

import numpy as np

from .._version import __version__
from .scorers import _perfect_score

_KIND_COLORS = {"base": "tab:blue", "ensemble": "tab:orange"}


def _figure(width, height):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("plots need matplotlib: pip install ensembles-ml[plot]") from exc
    return Figure(figsize=(width, height), layout="constrained")


def plot_scores(result, scorer):
    """The validation ``scorer`` of every fold, per model: a box with the folds as points,
    best model first. Returns a ``matplotlib.figure.Figure``."""
    board = result.to_frame()
    figure = _figure(max(5.0, 0.7 * len(board) + 2), 4.5)
    ax = figure.add_subplot()
    folds = result.fold_scores
    for i, (model, kind) in enumerate(zip(board["model"], board["kind"])):
        values = folds.loc[folds["model"] == model, scorer].to_numpy()
        ax.boxplot([values], positions=[i], widths=0.5, showfliers=False,
                   medianprops={"color": "black"})
        ax.scatter(i + np.linspace(-0.12, 0.12, len(values)), values, s=14, zorder=3,
                   color=_KIND_COLORS[kind])
    for kind, color in _KIND_COLORS.items():
        ax.scatter([], [], color=color, label=kind)
    ax.set_xticks(range(len(board)), board["model"], rotation=30, ha="right")
    ax.set_ylabel(f"validation {scorer}")
    ax.set_title("Validation score per fold (best first)")
    ax.legend(loc="best")
    return figure


def plot_time(result, scorer):
    """Mean validation ``scorer`` (error bar: std over folds) against mean fit time per
    fold, one point per model; a log time axis when times span more than a decade."""
    board = result.to_frame()
    figure = _figure(6.5, 4.5)
    ax = figure.add_subplot()
    for kind, color in _KIND_COLORS.items():
        part = board[board["kind"] == kind]
        ax.errorbar(part["fit_time"], part[f"{scorer}_mean"], yerr=part[f"{scorer}_std"],
                    fmt="o", color=color, label=kind, capsize=3)
    times = board["fit_time"].to_numpy()
    if np.all(times > 0) and times.max() > 10 * times.min():
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter("")  # decades only: minor labels collide
    points = np.column_stack([times, board[f"{scorer}_mean"].to_numpy()])
    for first, names in _nearby(ax, points, board["model"].tolist()):
        ax.annotate(", ".join(names), points[first], xytext=(4, 4),
                    textcoords="offset points", fontsize=8)
    ax.set_xlabel("mean fit time per fold (s)")
    ax.set_ylabel(f"mean validation {scorer}")
    ax.set_title("Score against fit time")
    ax.legend(loc="best")
    return figure


def _nearby(ax, points, names, pixels=10.0):
    """[(index of a group's first point, its names)]: points within ``pixels`` of a
    group's first point on the drawn axes share one label, so that models with equal
    scores and times (ensembles built from the same fits often have them) do not print
    their names over each other."""
    ax.autoscale_view()
    on_screen = ax.transData.transform(points)
    groups = []
    for i, name in enumerate(names):
        for first, members in groups:
            if np.hypot(*(on_screen[i] - on_screen[first])) <= pixels:
                members.append(name)
                break
        else:
            groups.append((i, [name]))
    return groups


def benchmark_html(result):
    """The result as one self-contained HTML page: the leaderboard, the notes and both
    plots as embedded PNG (left out, with a line saying so, without matplotlib)."""
    header, rows = result._table()
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                    for r in rows)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Benchmark</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
        "td:nth-child(2),td:nth-child(3){text-align:left}</style></head><body>",
        "<h1>Benchmark: base models and ensembles</h1><table><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in header) + f"</tr>{cells}</table>",
        f"<p>{html.escape(result._legend())}</p><ul>"
        + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes) + "</ul>",
    ]
    try:
        for kind, title in (("scores", "Validation score per fold"),
                            ("time", "Score against fit time")):
            png = io.BytesIO()
            result.plot(kind).savefig(png, format="png", dpi=100)
            data = base64.b64encode(png.getvalue()).decode("ascii")
            parts.append(f"<h2>{title}</h2><img alt='{kind}' "
                         f"src='data:image/png;base64,{data}'>")
    except ImportError as exc:
        parts.append(f"<p>No plots: {html.escape(str(exc))}</p>")
    return "\n".join(parts) + "</body></html>\n"



_COLORS = {"train": "#1f77b4", "validation": "#ff7f0e", "early_stopping": "#2ca02c"}
_BASELINE = {"train": "#b0b0b0", "validation": "#7a7a7a"}
_VERDICT_COLORS = {"overfit": "#c0392b", "underfit": "#d68910", "ok": "#1e8449"}
_SPLIT_LABELS = {"train": "train", "validation": "validation",
                 "early_stopping": "early-stopping hold-out"}


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "OverfittingReport.plot and .to_html need matplotlib, which is not installed; "
            "install it with: pip install ensembles-ml[plot]"
        ) from exc
    return Figure


def _fold_stats(report, name):
    """Per model: (kind, mean and std over folds of the train and validation score)."""
    scores = report.scores
    out = {}
    for model, group in scores.groupby("model", sort=False):
        out[model] = {
            "kind": group["kind"].iloc[0],
            "train": (group[f"train_{name}"].mean(), group[f"train_{name}"].std(ddof=0)),
            "validation": (group[f"valid_{name}"].mean(), group[f"valid_{name}"].std(ddof=0)),
        }
    return out


# -- gap bars ---------------------------------------------------------------------------
def plot_gap(report):
    """Bars of the mean train and validation score (first scorer) per model, error bars
    the standard deviation over folds, the verdict above each model.

    Members, the ensemble and the baseline are told apart: the ensemble's bars are hatched
    with a heavy edge, the baseline (a dummy model cross-validated on the same folds) is
    grey and hatched. Returns a ``matplotlib.figure.Figure``.
    """
    Figure = _figure_class()
    from matplotlib.patches import Patch

    name = report.scoring[0]
    stats = _fold_stats(report, name)
    summary = report.to_frame()
    verdicts = dict(zip(summary["model"], summary["verdict"]))
    models = list(stats)
    labels = [m + "\n(dummy)" if stats[m]["kind"] == "baseline" else m for m in models]
    n = len(models)
    long_labels = n > 6 or max(len(m) for m in models) > 14

    figure = Figure(figsize=(max(6.0, 1.15 * n + 2.0), 4.8), layout="constrained")
    ax = figure.add_subplot()
    x = np.arange(n, dtype=float)
    width = 0.38
    for offset, split in ((-width / 2, "train"), (width / 2, "validation")):
        means = [stats[m][split][0] for m in models]
        stds = [stats[m][split][1] for m in models]
        bars = ax.bar(x + offset, means, width, yerr=stds, capsize=3, label=split,
                      color=_COLORS[split], edgecolor="black", linewidth=0.6,
                      error_kw={"elinewidth": 1.0, "ecolor": "black"})
        for bar, model in zip(bars, models):
            kind = stats[model]["kind"]
            if kind == "baseline":
                bar.set_facecolor(_BASELINE[split])
                bar.set_hatch("..")
            elif kind == "ensemble":
                bar.set_hatch("//")
                bar.set_linewidth(1.8)

    # Verdicts sit just above the plotting area (x in data, y in axes units), so they stay
    # readable whatever the sign and range of the scores.
    for xi, model in zip(x, models):
        verdict = verdicts.get(model, "")
        if verdict:
            ax.text(xi, 1.01, verdict, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=10, fontweight="bold",
                    color=_VERDICT_COLORS.get(verdict, "black"))
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_ylim(*_score_limits(stats))
    ax.set_xticks(x, labels, rotation=30 if long_labels else 0,
                  ha="right" if long_labels else "center")
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylabel(f"{name} (greater is better)")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    folds = report.scores["fold"].nunique()
    ax.set_title(f"Train vs validation {name}: mean ± std over {folds} folds", pad=22)

    handles = [Patch(facecolor=_COLORS["train"], edgecolor="black", label="train"),
               Patch(facecolor=_COLORS["validation"], edgecolor="black", label="validation")]
    kinds = {s["kind"] for s in stats.values()}
    if "ensemble" in kinds:
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="//",
                             linewidth=1.8, label="ensemble"))
    if "baseline" in kinds:
        handles.append(Patch(facecolor=_BASELINE["train"], edgecolor="black", hatch="..",
                             label="baseline (dummy)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def _score_limits(stats):
    """y limits that hold every bar and error bar, with zero and some headroom."""
    ends = np.array([m + sign * sd for s in stats.values() for split in ("train", "validation")
                     for m, sd in [s[split]] for sign in (-1, 1)], dtype=float)
    ends = ends[np.isfinite(ends)]  # a scorer may give NaN on a fold; draw the rest
    low, high = min(0.0, *ends), max(0.0, *ends)
    pad = 0.06 * ((high - low) or 1.0)
    return (low - pad if low < 0 else 0.0), high + pad


# -- learning curves --------------------------------------------------------------------
def _loss_label(report):
    return "log-loss" if report.task == "classification" else "mean squared error"


def plot_curves(report):
    """One panel per model that has learning curves: the loss against epochs or rounds,
    train and validation (mean over folds, band from the lowest to the highest fold), the
    early-stopping hold-out dashed when a member kept one, and where it stopped (median
    over the folds). Returns a
    ``matplotlib.figure.Figure``; one that says why when no model has curves."""
    Figure = _figure_class()
    curves = report.curves
    loss = curves[curves["metric"] == "loss"] if len(curves) else curves
    names = [m for m in report.models if m in set(loss["model"])] if len(loss) else []
    if not names:
        figure = Figure(figsize=(6.0, 1.6))
        figure.text(
            0.5, 0.5,
            "no learning curves: none of the models records its training\n"
            "(nets, boosting, XGBoost and LightGBM do), or the report was made\n"
            "with curves=False.", ha="center", va="center", fontsize=11)
        return figure

    summary = report.to_frame()
    verdicts = dict(zip(summary["model"], summary["verdict"]))
    ncols = min(3, len(names))
    nrows = math.ceil(len(names) / ncols)
    figure = Figure(figsize=(4.6 * ncols, 3.4 * nrows + 0.4), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(names):]:
        figure.delaxes(ax)
    ragged = False
    stops = curves[curves["metric"] == "stopped"]
    for ax, model in zip(axes, names):
        ragged |= _curve_panel(ax, loss[loss["model"] == model],
                               stops[stops["model"] == model]["value"])
        verdict = verdicts.get(model, "")
        ax.set_title(f"{model}" + (f" ({verdict})" if verdict else ""),
                     color=_VERDICT_COLORS.get(verdict, "black"))
        ax.set_ylabel(_loss_label(report))
    figure.suptitle(f"{_loss_label(report).capitalize()}: mean over folds, band from the "
                    "lowest to the highest fold"
                    + ("; thin lines: folds that stopped early" if ragged else ""))
    return figure


def _curve_panel(ax, frame, stops=()):
    """Draw one model's loss curves on ``ax``; ``stops``: where each fold's early
    stopping stopped (a line at their median). Returns whether folds were ragged."""
    from matplotlib.ticker import MaxNLocator

    step_name = frame["step_name"].iloc[0]
    positive, ragged = True, False
    for split in ("train", "validation", "early_stopping"):
        part = frame[frame["split"] == split]
        if part.empty:
            continue
        table = part.pivot_table(index="step", columns="fold", values="value",
                                 aggfunc="mean").sort_index()
        # Boosting curves are sampled at up to 50 rounds spread over each fold's own
        # number of rounds, so folds of different lengths hold different steps: each fold
        # is interpolated onto the others' steps, never past its own ends.
        table = table.interpolate(method="index", limit_area="inside")
        steps = table.index.to_numpy(dtype=float)
        positive = positive and bool(np.all(table.min(axis=1).to_numpy() > 0))
        style = {"color": _COLORS[split], "linestyle": "--" if split == "early_stopping"
                 else "-"}
        complete = table.notna().all(axis=1).to_numpy()
        if complete.all():
            if table.shape[1] > 1:
                ax.fill_between(steps, table.min(axis=1), table.max(axis=1),
                                color=_COLORS[split], alpha=0.18, linewidth=0)
        else:
            ragged = True
            # Folds stopped at different steps (early stopping): a mean over the folds
            # still running would jump each time one stops, so each fold gets a thin line
            # of its own and the mean is drawn only while all folds run.
            for fold in table.columns:
                column = table[fold].dropna()
                ax.plot(column.index.to_numpy(dtype=float), column.to_numpy(),
                        linewidth=0.7, alpha=0.45, **style)
        mean = table[complete].mean(axis=1).to_numpy()
        ax.plot(steps[complete], mean, linewidth=1.8, label=_SPLIT_LABELS[split], **style)
        if split == "validation" and len(mean) > 1:
            best = steps[complete][int(np.argmin(mean))]
            ax.axvline(best, color=_COLORS[split], linestyle=":", linewidth=1.0,
                       label=f"lowest validation ({step_name} {best:g})")
    if len(stops):
        stop = float(np.median(np.asarray(stops, dtype=float)))
        ax.axvline(stop, color=_COLORS["early_stopping"], linestyle="-.", linewidth=1.0,
                   label=f"early stopping stopped ({step_name} {stop:g}, median of folds)")
    values = frame["value"].to_numpy(dtype=float)
    # A training loss that heads for zero while the validation loss climbs is the picture
    # of overfitting; on a linear axis the train curve flattens against zero and hides it.
    if positive and values.size and values.max() / max(values.min(), 1e-12) > 30:
        ax.set_yscale("log")
    ax.set_xlabel(step_name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    return ragged


# -- html -------------------------------------------------------------------------------
def _png_base64(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.meta { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th { background: #f2f2f2; }
td:first-child, th:first-child { text-align: left; }
tr.baseline td { color: #777; font-style: italic; }
tr.ensemble td { font-weight: bold; }
td.overfit { color: #c0392b; font-weight: bold; }
td.underfit { color: #d68910; font-weight: bold; }
td.ok { color: #1e8449; font-weight: bold; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
code { background: #f5f5f5; padding: 0 0.2em; }
details { margin-top: 0.8em; }
"""


def _summary_table(report):
    header, rows, kinds = report._table()
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
           + "</tr></thead>", "<tbody>"]
    for row, kind in zip(rows, kinds):
        cells = [f"<td>{html.escape(str(c))}</td>" for c in row[:-1]]
        verdict = str(row[-1])
        cells.append(f'<td class="{html.escape(verdict)}">{html.escape(verdict)}</td>')
        out.append(f'<tr class="{html.escape(kind)}">' + "".join(cells)
                   + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _verdict_rules(report):

    name = html.escape(report.scoring[0])
    gap, skill = report.overfit_gap, report.underfit_skill
    if _perfect_score(report.scoring[0]) is None:
        return (f"<p>The verdict reads <code>{name}</code>, whose best possible value is "
                f"not known, so it uses the gap in score units: <b>overfit</b> when the mean "
                f"train score exceeds the mean validation score by more than "
                f"<code>overfit_gap={gap}</code>, else <b>ok</b>.</p>")
    return (
        f"<p>The verdict reads <code>{name}</code> in <i>skill</i> units, where 0 is the "
        f"baseline's mean validation score (a dummy model predicting the training prior or "
        f"mean, cross-validated on the same folds) and 1 a perfect score: "
        f"skill = (score &minus; baseline) / (perfect &minus; baseline).</p><ul>"
        f"<li><b>overfit</b>: train skill exceeds validation skill by more than "
        f"<code>overfit_gap={gap}</code>;</li>"
        f"<li><b>underfit</b> (otherwise): train skill below "
        f"<code>underfit_skill={skill}</code>: the model does not even learn the rows it "
        f"sees;</li><li><b>ok</b>: neither.</li></ul>"
        f"<p>Scores follow scikit-learn's convention (greater is better; log-loss appears as "
        f"<code>neg_log_loss</code>); gap = train &minus; validation, ± its standard "
        f"deviation over folds.</p>"
    )


def _without_curves(report):
    curves = report.curves
    have = set(curves.loc[curves["metric"] == "loss", "model"]) if len(curves) else set()
    missing = [m for m in report.models if m not in have]
    if not missing:
        return ""
    return (f"<p>No curves for: {html.escape(', '.join(missing))} (they keep no record of "
            "training: only nets, boosting models, XGBoost and LightGBM do; an ensemble's "
            "curves are its members').</p>")


def report_html(report):
    """The report as one self-contained HTML page (inline CSS, figures as base64 PNG):
    the summary table, the verdict rules, the gap bars, the learning curves, the notes and
    the per-fold scores. Nothing is fetched from anywhere when it is opened."""
    gap_png = _png_base64(plot_gap(report))
    curves_png = _png_base64(plot_curves(report))
    folds = report.scores["fold"].nunique()
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in report.notes)
    per_fold = report.to_frame(per="fold").to_html(
        index=False, float_format=lambda v: f"{v:.4f}", border=0)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Overfitting report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Overfitting report</h1>",
        f'<p class="meta">{html.escape(report.task)}; {len(report.models)} models; '
        f"{folds} cross-validation folds; scorers: "
        f"{html.escape(', '.join(report.scoring))}; made by ensembles {__version__}.</p>",
        "<h2>Train vs validation</h2>",
        _summary_table(report),
        _verdict_rules(report),
        f'<img alt="train vs validation {html.escape(report.scoring[0])} per model" '
        f'src="data:image/png;base64,{gap_png}">',
        "<h2>Learning curves</h2>",
        "<p>Loss against epochs (nets) or rounds (boosting); the validation curve is the "
        "fold's held-out part, which nets only watch. A falling train curve with a rising "
        "validation curve is overfitting; the dotted line marks the lowest validation "
        "loss.</p>",
        _without_curves(report),
        f'<img alt="learning curves" src="data:image/png;base64,{curves_png}">',
    ]
    if notes:
        parts += ["<h2>Notes</h2>", f"<ul>{notes}</ul>"]
    parts += ["<details><summary>Scores per fold</summary>", per_fold, "</details>",
              "</body></html>"]
    return "\n".join(parts) + "\n"


# -- diversity heat-map -------------------------------------------------------------------
#: (title, colour map, fixed range or None, which way is more diverse) of each measure.
_DIVERSITY = {
    "disagreement": ("Disagreement: share of rows exactly one member gets right",
                     "viridis", None, "higher: more diverse"),
    "q_statistic": ("Q-statistic of right/wrong", "RdBu_r", (-1.0, 1.0),
                    "lower: more diverse"),
    "error_correlation": ("Correlation of errors", "RdBu_r", (-1.0, 1.0),
                          "lower: more diverse"),
    "double_fault": ("Double fault: share of rows both members get wrong", "viridis_r",
                     None, "lower: more diverse"),
}


def diversity_heatmap(names, matrix, measure):
    """A heat-map of one pairwise diversity ``measure``: ``matrix[i, j]`` between members
    ``names[i]`` and ``names[j]``, each cell written out; the diagonal (a member with
    itself) and undefined values (NaN) are left blank and marked ``n/a`` off the
    diagonal. Returns a ``matplotlib.figure.Figure``."""
    title, cmap, limits, direction = _DIVERSITY[measure]
    n = len(names)
    side = max(4.0, 0.75 * n + 2.5)
    figure = _figure(side + 1.2, side)
    ax = figure.add_subplot()
    values = np.ma.masked_invalid(matrix)
    if limits is None:
        finite = matrix[np.isfinite(matrix)]
        limits = (0.0, max(float(finite.max()) if finite.size else 1.0, 1e-12))
    from matplotlib import colormaps

    image = ax.imshow(values, cmap=colormaps[cmap].with_extremes(bad="#f0f0f0"),
                      vmin=limits[0], vmax=limits[1])
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            value = matrix[i, j]
            if np.isnan(value):
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=8, color="#555")
                continue
            # black on the light parts of the colour map, white on the dark ones
            share = (value - limits[0]) / ((limits[1] - limits[0]) or 1.0)
            light = {"RdBu_r": 0.25 < share < 0.75, "viridis": share > 0.5,
                     "viridis_r": share < 0.5}[cmap]
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9,
                    color="black" if light else "white")
    ax.set_xticks(range(n), names, rotation=30 if n > 3 else 0,
                  ha="right" if n > 3 else "center")
    ax.set_yticks(range(n), names)
    colorbar = figure.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label(f"{measure} ({direction})")
    ax.set_title(title)
    return figure
