"""
On a GPU, and back on a CPU
===========================

``device="auto"`` (the default of every net) trains on a GPU when torch sees one *and* the
GPU pays for the net's size; :func:`ensembles.set_device` moves every learner of a
Pipeline or an ensemble (our nets, skorch, XGBoost, LightGBM) at once; and a model fitted
on a GPU loads and predicts on a machine without one. On a machine without a GPU this
example runs everything on the CPU and says so: the figures on this page come from the
docs build, which has none.

Run: ``python examples/gpu.py [--quick]`` (about 20 s on 2 cores without a GPU;
``--quick``, the budget of the docs build: fewer epochs and trees).
"""

# %%
import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

from ensembles import NetClassifier, StackingClassifier, resolve_device, set_device

# (sphinx-gallery runs a script without its docstring: no __doc__ here)
parser = argparse.ArgumentParser(description="On a GPU, and back on a CPU")
parser.add_argument("--quick", action="store_true", help="fewer epochs and trees")
args, _ = parser.parse_known_args()  # known only: sphinx-gallery passes its own arguments
epochs, trees = (5, 20) if args.quick else (30, 200)

# %%
# Which device?
# -------------
# ``resolve_device("auto")`` is ``"cuda"`` where torch sees a GPU, else ``"cpu"``; an
# explicit ``"cuda"`` on a machine without one raises ``DeviceUnavailableError`` rather
# than running far slower on the CPU.
device = resolve_device("auto")
print(f"this machine: {device}")

# %%
# One call places a whole stack
# -----------------------------
X, y = make_classification(n_samples=4_000, n_features=20, n_informative=10,
                           random_state=0)
stack = StackingClassifier(
    [
        ("net", NetClassifier(hidden_layer_sizes=(256, 256), max_epochs=epochs,
                              batch_size=256, random_state=0)),
        ("xgb", XGBClassifier(n_estimators=trees, max_depth=4, random_state=0)),
    ],
    final_estimator=LogisticRegression(),
    cv=3,
    random_state=0,
)
set_device(stack, device)
stack.fit(X[:3_000], y[:3_000])
print(f"the net trained on: {stack.named_estimators_['net'].device_}")
print(f"XGBoost trained on: {stack.named_estimators_['xgb'].get_params()['device'] or 'cpu'}")
print(f"held-out accuracy: {stack.score(X[3_000:], y[3_000:]):.3f}")

# %%
# Loaded where there is no GPU
# ----------------------------
# A pickle of a model fitted on a GPU holds its tensors on the GPU; our nets map them to
# the CPU when the machine that loads them has none. A fresh process with CUDA hidden
# loads the stack and predicts what it predicted here.
folder = Path(tempfile.mkdtemp(prefix="ensembles_gpu_"))
(folder / "stack.pkl").write_bytes(pickle.dumps(stack))
np.save(folder / "X.npy", X[3_000:])
loader = (
    "import pickle, sys, numpy as np, torch\n"
    "stack = pickle.loads(open(sys.argv[1], 'rb').read())\n"
    "print('CUDA visible in the loading process:', torch.cuda.is_available())\n"
    "np.save(sys.argv[3], stack.predict_proba(np.load(sys.argv[2])))\n"
)
run = subprocess.run(
    [sys.executable, "-c", loader, str(folder / "stack.pkl"), str(folder / "X.npy"),
     str(folder / "proba.npy")],
    env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    capture_output=True, text=True, check=True,
)
print(run.stdout.strip())
same = np.allclose(np.load(folder / "proba.npy"), stack.predict_proba(X[3_000:]), atol=1e-5)
print(f"the CPU-only process predicts the same probabilities: {same}")
