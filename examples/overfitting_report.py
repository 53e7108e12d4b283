"""
Overfitting report: which member of a stack learns its training rows by heart?
==============================================================================

A stack of a wide neural net trained far too long, the same net with dropout and early
stopping, and XGBoost, on the breast-cancer data bundled with scikit-learn.
:func:`ensembles.overfitting_report` cross-validates the stack once and reports every
member *and* the stack, fold by fold, train against validation, with the nets' and
XGBoost's learning curves. The plots and a self-contained HTML page go to a folder
(``--out``; a fresh temporary folder by default), whose paths are printed.

Run: ``python examples/overfitting_report.py [--out DIR] [--n-jobs N] [--quick]`` (about
25 s on 2 cores; ``--quick``, the budget of the docs build: 3 folds).
"""

# %%
import argparse
import tempfile
import time
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier, overfitting_report

# (sphinx-gallery runs a script without its docstring: no __doc__ here)
parser = argparse.ArgumentParser(
    description="Overfitting report: which member of a stack learns its training rows by heart?")
parser.add_argument("--out", type=Path, default=None,
                    help="folder for the PNGs and the HTML (default: a new temporary one)")
parser.add_argument("--n-jobs", type=int, default=1,
                    help="joblib workers over the (member, fold) fits (default 1)")
parser.add_argument("--quick", action="store_true", help="3 folds instead of 5")
args, _ = parser.parse_known_args()  # known only: sphinx-gallery passes its own arguments
out = args.out or Path(tempfile.mkdtemp(prefix="overfitting_report_"))
out.mkdir(parents=True, exist_ok=True)

# %%
# The members
# -----------
# ``net`` is built to overfit: wide, a high-ish learning rate, small batches, many epochs,
# no weight decay, no dropout. ``net_es`` is the same net with dropout that stops when
# the loss on a 10% hold-out of its training rows has not improved for 10 epochs. The
# nets get standardised inputs through a Pipeline; the report finds the net at its end.
X, y = load_breast_cancer(return_X_y=True)
wide = {"hidden_layer_sizes": (128, 128), "lr": 3e-3, "batch_size": 32, "max_epochs": 40,
        "n_jobs": 1, "random_state": 0}
stack = StackingClassifier(
    [
        ("net", make_pipeline(StandardScaler(), NetClassifier(**wide))),
        ("net_es", make_pipeline(StandardScaler(), NetClassifier(
            **wide, dropout=0.3, early_stopping=True, n_iter_no_change=10))),
        ("xgb", XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1,
                              n_jobs=1, random_state=0)),
    ],
    final_estimator=LogisticRegression(),
    random_state=0,
)

# %%
# One pass of cross-validation for the members and the stack
# ----------------------------------------------------------
# Each member is fitted once per fold; the stack of fold ``k`` is rebuilt from those fits
# and a final estimator learned on the other folds' out-of-fold predictions.
#
# The verdict reads the first scorer. Accuracy saturates: a net that is right on 97% of
# the validation rows looks fine even when it has grown wildly over-confident on the rows
# it got wrong. Log-loss sees that, so it comes first here.
start = time.perf_counter()
report = overfitting_report(stack, X, y, cv=3 if args.quick else 5,
                            scoring=["neg_log_loss", "accuracy"], n_jobs=args.n_jobs)
print(report)
print(f"\n(report made in {time.perf_counter() - start:.1f} s)")

# %%
# What the curves say about the overfitting net
# ---------------------------------------------
# Mean over folds of the log-loss per epoch; from the epoch of its lowest validation loss
# to the last epoch, the train loss keeps falling while the validation loss climbs.
curves = report.curves
loss = curves[(curves["model"] == "net") & (curves["metric"] == "loss")]
mean = loss.groupby(["split", "step"])["value"].mean().unstack("split")
best = int(mean["validation"].idxmin())
last = int(mean.index.max())
train_falls = mean.loc[last, "train"] < mean.loc[best, "train"]
valid_rises = mean.loc[last, "validation"] > mean.loc[best, "validation"]
print(f"\nnet: lowest mean validation log-loss at epoch {best} of {last}. From there to the "
      f"last epoch, train log-loss {mean.loc[best, 'train']:.4f} -> "
      f"{mean.loc[last, 'train']:.4f} ({'falls' if train_falls else 'does not fall'}), "
      f"validation log-loss {mean.loc[best, 'validation']:.4f} -> "
      f"{mean.loc[last, 'validation']:.4f} ({'rises' if valid_rises else 'does not rise'}).")
stopped = curves[(curves["model"] == "net_es") & (curves["split"] == "train")
                 & (curves["metric"] == "loss")].groupby("fold")["step"].max()
print(f"net_es: early stopping ended training at epochs {stopped.tolist()} (one per fold).")

# %%
# Pictures and the HTML page
# --------------------------
# ``plot`` returns matplotlib Figures (no pyplot state, so this runs headless);
# ``to_html`` writes one file with both pictures embedded, to open anywhere.
gap_png = out / "gap.png"
curves_png = out / "curves.png"
page = out / "overfitting_report.html"
gap = report.plot("gap", path=gap_png)  # a Figure, also saved
curves_figure = report.plot("curves", path=curves_png)
report.to_html(page)
print("\nwritten:")
for path in (gap_png, curves_png, page):
    print(f"  {path}  ({path.stat().st_size // 1024} KB)")
