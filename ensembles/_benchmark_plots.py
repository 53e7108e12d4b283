"""Pictures of a :class:`~ensembles.BenchmarkResult`: validation scores per fold, score
against fit time, and one self-contained HTML page holding the leaderboard and both.

matplotlib is optional (``pip install ensembles[plot]``) and imported only here, inside the
functions. Figures are ``matplotlib.figure.Figure`` objects, never made through pyplot, so
they work headless, in threads and in worker processes (as :mod:`ensembles._report_plots`).
"""

import base64
import html
import io

import numpy as np

_COLORS = {"base": "tab:blue", "ensemble": "tab:orange"}


def _figure(width, height):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("plots need matplotlib: pip install ensembles[plot]") from exc
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
                   color=_COLORS[kind])
    for kind, color in _COLORS.items():
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
    for kind, color in _COLORS.items():
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
