"""Pictures of the overfitting report: gap bars, learning curves, the HTML page."""

import base64
import io
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.metrics import make_scorer, median_absolute_error
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import ensembles
from ensembles import NetClassifier, OverfittingReport, overfitting_report

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import imread  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def report(data):
    """A tree (no curves), boosting (rounds) and an early-stopping net (epochs)."""
    X, y = data
    net = NetClassifier(hidden_layer_sizes=(16,), max_epochs=5, early_stopping=True,
                        random_state=0)
    return overfitting_report(
        [("tree", DecisionTreeClassifier(random_state=0)),
         ("gb", ensembles.GradientBoostingClassifier(n_estimators=10, random_state=0)),
         ("net", make_pipeline(StandardScaler(), net))],
        X, y, cv=3)


@pytest.fixture(scope="module")
def stack_report(data):
    X, y = data
    stack = ensembles.StackingClassifier(
        [("tree", DecisionTreeClassifier(max_depth=3, random_state=0)), ("nb", GaussianNB())],
        cv=3)
    return overfitting_report(stack, X, y, cv=3, curves=False)


def _assert_png(content):
    assert content[:8] == PNG_MAGIC
    pixels = imread(io.BytesIO(content), format="png")
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 0  # not a blank image


def _bars(figure):
    (ax,) = figure.axes
    return {c.get_label(): c for c in ax.containers if isinstance(c, BarContainer)}


# -- saving ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["gap", "curves"])
def test_plot_writes_a_png(report, tmp_path, kind):
    path = tmp_path / f"{kind}.png"
    figure = report.plot(kind, path=path)
    assert isinstance(figure, Figure)
    _assert_png(path.read_bytes())


def test_plot_rejects_an_unknown_kind(report):
    with pytest.raises(ValueError, match="kind must be 'gap' or 'curves'; got 'bars'"):
        report.plot("bars")


# -- gap bars -------------------------------------------------------------------------
def test_gap_has_one_bar_per_model_and_split_at_the_mean_score(report):
    bars = _bars(report.plot("gap"))
    assert set(bars) == {"train", "validation"}
    models = ["tree", "gb", "net", "baseline"]
    scores = report.scores.groupby("model", sort=False)
    for split, column in (("train", "train_accuracy"), ("validation", "valid_accuracy")):
        assert len(bars[split]) == len(models)
        heights = [bar.get_height() for bar in bars[split]]
        np.testing.assert_allclose(heights, scores[column].mean()[models].to_numpy())
        # error bars: one segment per bar, as long as twice the std over folds
        segments = bars[split].errorbar.lines[2][0].get_segments()
        lengths = [abs(s[1][1] - s[0][1]) for s in segments]
        np.testing.assert_allclose(lengths, 2 * scores[column].std(ddof=0)[models].to_numpy(),
                                   atol=1e-12)


def test_gap_writes_each_verdict_above_its_model(report):
    (ax,) = report.plot("gap").axes
    texts = [t.get_text() for t in ax.texts]
    verdicts = report.to_frame().set_index("model")["verdict"]
    assert texts == [verdicts[m] for m in ["tree", "gb", "net"]]
    assert verdicts["tree"] == "overfit"
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["tree", "gb", "net", "baseline\n(dummy)"]


def test_gap_tells_members_ensemble_and_baseline_apart(stack_report):
    bars = _bars(stack_report.plot("gap"))
    kinds = stack_report.scores.drop_duplicates("model")["kind"].tolist()
    assert kinds == ["member", "member", "ensemble", "baseline"]
    for split in ("train", "validation"):
        hatches = [bar.get_hatch() for bar in bars[split]]
        assert hatches == [None, None, "//", ".."]
        member, baseline = bars[split][0].get_facecolor(), bars[split][3].get_facecolor()
        assert baseline[0] == baseline[1] == baseline[2]  # grey
        assert member[:3] != baseline[:3]


def test_gap_of_a_regressor_with_negative_scores():
    X, y = load_diabetes(return_X_y=True)
    report = overfitting_report(
        [("gb", ensembles.GradientBoostingRegressor(n_estimators=5, random_state=0))],
        X, y, cv=3, scoring=["neg_root_mean_squared_error", "r2"])
    figure = report.plot("gap")
    (ax,) = figure.axes
    low, high = ax.get_ylim()
    assert low < report.scores["valid_neg_root_mean_squared_error"].min() and high > 0
    curves = report.plot("curves")
    assert [a.get_ylabel() for a in curves.axes] == ["mean squared error"]


# -- curves ---------------------------------------------------------------------------
def test_curves_have_one_panel_per_model_with_curves(report):
    figure = report.plot("curves")
    titles = [ax.get_title().split(" (")[0] for ax in figure.axes]
    assert titles == ["gb", "net"]  # the tree records no training
    gb, net = figure.axes
    assert gb.get_xlabel() == "round" and net.get_xlabel() == "epoch"
    assert gb.get_ylabel() == net.get_ylabel() == "log-loss"
    for ax in (gb, net):
        labels = [line.get_label() for line in ax.get_lines()]
        assert "train" in labels and "validation" in labels


def test_curves_plot_the_mean_over_folds(report):
    gb = report.plot("curves").axes[0]
    (train,) = [line for line in gb.get_lines() if line.get_label() == "train"]
    frame = report.curves.query("model == 'gb' and split == 'train' and metric == 'loss'")
    expected = frame.groupby("step")["value"].mean()
    np.testing.assert_allclose(train.get_xdata(), expected.index.to_numpy())
    np.testing.assert_allclose(train.get_ydata(), expected.to_numpy())


def test_curves_draw_the_early_stopping_hold_out_dashed(report):
    net = report.plot("curves").axes[1]
    (line,) = [line for line in net.get_lines()
               if line.get_label() == "early-stopping hold-out"]
    assert line.get_linestyle() == "--"
    (train,) = [line for line in net.get_lines() if line.get_label() == "train"]
    assert train.get_linestyle() == "-"


def test_curves_of_folds_that_stop_at_different_steps(report):
    """A fold that stopped early gets a thin line; the mean covers only common steps."""
    curves = report.curves[~((report.curves["model"] == "gb")
                             & (report.curves["fold"] == 0) & (report.curves["step"] > 5))]
    cut = OverfittingReport(report.scores, curves, scoring=report.scoring, task=report.task)
    gb = cut.plot("curves").axes[0]
    (train,) = [line for line in gb.get_lines() if line.get_label() == "train"]
    assert train.get_xdata().max() == 5
    thin = [line for line in gb.get_lines() if line.get_label().startswith("_")
            and line.get_linewidth() < 1]
    assert len(thin) == 2 * 3  # train and validation, one per fold
    assert max(line.get_xdata().max() for line in thin) == 10


def test_curves_of_folds_sampled_at_different_steps(report):
    """Boosting folds with different numbers of rounds are sampled at different steps:
    the mean interpolates each fold between its own points and stops where one ends."""
    steps = {0: range(1, 11), 1: range(1, 20, 2), 2: range(2, 12)}
    rows = [("gb", fold, "round", step, split, "loss", 1.0 + fold - 0.01 * step)
            for fold, fold_steps in steps.items() for step in fold_steps
            for split in ("train", "validation")]
    curves = pd.DataFrame(rows, columns=report.curves.columns)
    made_up = OverfittingReport(report.scores, curves, scoring=report.scoring,
                                task=report.task)
    (gb,) = made_up.plot("curves").axes
    (train,) = [line for line in gb.get_lines() if line.get_label() == "train"]
    np.testing.assert_allclose(train.get_xdata(), np.arange(2, 11))  # all folds have run
    np.testing.assert_allclose(train.get_ydata(), 2.0 - 0.01 * np.arange(2, 11))


def test_curves_without_any_curve_say_so(data, tmp_path):
    X, y = data
    report = overfitting_report([("tree", DecisionTreeClassifier(random_state=0))], X, y,
                                cv=3)
    assert report.curves.empty
    figure = report.plot("curves", path=tmp_path / "none.png")
    assert figure.axes == []
    assert [t.get_text() for t in figure.texts][0].startswith("no learning curves: ")
    assert (tmp_path / "none.png").read_bytes()[:8] == PNG_MAGIC


def test_figures_from_a_json_round_trip(report):
    again = OverfittingReport.from_json(report.to_json())
    assert len(_bars(again.plot("gap"))["train"]) == 4
    assert len(again.plot("curves").axes) == 2


def test_figures_in_threads(report):
    def draw(kind):
        buffer = io.BytesIO()
        report.plot(kind).savefig(buffer, format="png")
        return buffer.getvalue()

    with ThreadPoolExecutor(3) as pool:
        images = list(pool.map(draw, ["gap", "curves", "gap"]))
    for image in images:
        _assert_png(image)
    assert images[0] == images[2]


# -- html -----------------------------------------------------------------------------
def _embedded_pngs(text):
    return [base64.b64decode(m) for m in
            re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)]


def test_html_is_one_self_contained_file(report, tmp_path):
    path = tmp_path / "report.html"
    assert report.to_html(path) == path
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert text.count("data:image/png;base64,") == 2
    for external in ('src="http', "src='http", "<link", "<script", "url(", "@import"):
        assert external not in text
    images = _embedded_pngs(text)
    assert len(images) == 2
    for image in images:
        _assert_png(image)


def test_html_holds_the_table_notes_and_thresholds(report):
    strict = OverfittingReport(report.scores, report.curves, scoring=report.scoring,
                               task=report.task, overfit_gap=0.05, underfit_skill=0.5,
                               notes=["a note with <markup> & more"])
    text = strict.to_html()
    assert isinstance(text, str)
    rows = re.findall(r'<tr class="(\w*)">(.*?)</tr>', text)
    assert [kind for kind, _ in rows] == ["model", "model", "model", "baseline"]
    verdicts = strict.to_frame()["verdict"].tolist()
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row)[-1] for _, row in rows]
    assert cells == verdicts
    assert "overfit_gap=0.05" in text and "underfit_skill=0.5" in text
    assert "a note with &lt;markup&gt; &amp; more" in text
    assert "No curves for: tree" in text


def test_html_verdict_rule_for_a_scorer_without_a_known_best(report):
    X, y = load_diabetes(return_X_y=True)
    report = overfitting_report(
        [("gb", ensembles.GradientBoostingRegressor(n_estimators=5, random_state=0))],
        X, y, cv=3, scoring={"custom": make_scorer(median_absolute_error)}, curves=False)
    text = report.to_html()
    assert "gap in score units" in text and "skill units" not in text


# -- without matplotlib ---------------------------------------------------------------
@pytest.mark.parametrize("call", [lambda r: r.plot("gap"), lambda r: r.plot("curves"),
                                  lambda r: r.to_html()], ids=["gap", "curves", "html"])
def test_without_matplotlib_the_error_names_the_extra(report, monkeypatch, call):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=re.escape("pip install ensembles-ml[plot]")):
        call(report)


# -- a real browser (slow; only where a headless Chromium is installed) -----------------
@pytest.mark.slow
def test_html_renders_in_a_headless_browser(report, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no headless Chromium here (Debian: apt-get install chromium)")
    page = report.to_html(tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,2000",
                    page.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1200)
    assert pixels.std() > 0.05
    # the embedded pictures were drawn: some rows carry the bars' orange
    orange = np.all(np.abs(pixels[..., :3] - np.array([1.0, 0.498, 0.055])) < 0.03, axis=-1)
    assert orange.sum() > 1000
