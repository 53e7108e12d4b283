"""GPU benchmark of the net learners: fit times on CUDA and CPU, bagged nets, CPU-only loading.

One script, meant to run in under 5 minutes on a machine with an NVIDIA GPU (written for
an H200 with 16 CPU cores), printing three tables (issue 13, item 6):

(a) a small net (20,000 x 32, hidden (100,), batch 128, 5 epochs) and a large net
    (200,000 x 128, hidden (512, 512, 512), batch 1024, 3 epochs): the fit time of
    ``NetClassifier`` on ``device="cuda"``, on ``device="cpu"`` with every CPU core
    (``n_jobs=os.cpu_count()`` torch threads), with ``device="auto"`` (same threads), and of a
    plain torch loop that keeps X and y on the GPU and indexes batches there (same MLP,
    Adam, same epochs and batch size); ratios ours-cuda / plain loop, cpu / cuda, auto / cpu.
(b) 8 bagged nets (``BaggingClassifier(NetClassifier(hidden_layer_sizes=(256, 256),
    max_epochs=4), n_estimators=8)`` on 50,000 x 32): batched (``batch_nets=True``) and
    one by one on the GPU (n_jobs 1 and 4), and on the CPU, against one net's fit alone on
    the GPU, for the target "8 batched nets <= 2x one net".
(c) persistence: a StackingClassifier with a CUDA NetClassifier member (final estimator
    LogisticRegression) and a lone CUDA NetClassifier with ``lr_scheduler="cosine"`` are
    pickled, each to its own file, loaded in a subprocess with ``CUDA_VISIBLE_DEVICES=""``
    and warnings as errors, and their predict_proba compared (rtol 1e-4).

Timings use ``time.perf_counter`` with ``torch.cuda.synchronize()`` before and after each
GPU fit; one untimed warm-up fit on the GPU comes first, so that CUDA's start-up is not
counted in the first timed fit. Each figure is one fit (the runs are long enough that
one is telling; add ``--repeats N`` for the median of N).

Run (GPU machine)::

    python benchmarks/gpu.py

``--smoke`` runs every part with tiny sizes and ``device="cpu"`` in place of ``"cuda"``, so
that the script can be checked on a machine without a GPU: its figures are NOT GPU
figures, and the output says so. ``--parts a,c`` runs some parts only;
``--no-device-check`` skips the check that torch sees a CUDA device.
"""

import argparse
import os
import pickle
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from ensembles import BaggingClassifier, NetClassifier, StackingClassifier
from ensembles.learners._torch import MLP

SMOKE_BANNER = "SMOKE RUN: device='cpu' stands in for 'cuda', tiny sizes -- NOT GPU figures"

# name: (rows, features, hidden, batch size, epochs)
NET_SIZES = {
    "small": (20_000, 32, (100,), 128, 5),
    "large": (200_000, 128, (512, 512, 512), 1024, 3),
}
SMOKE_NET_SIZES = {
    "small": (600, 8, (16,), 64, 2),
    "large": (1_000, 16, (32, 32, 32), 128, 2),
}
BAG = {"rows": 50_000, "features": 32, "hidden": (256, 256), "epochs": 4, "nets": 8}
SMOKE_BAG = {"rows": 600, "features": 8, "hidden": (16, 16), "epochs": 2, "nets": 8}
PERSIST = {"rows": 5_000, "features": 20, "epochs": 5}
SMOKE_PERSIST = {"rows": 300, "features": 6, "epochs": 2}


def make_data(n_rows, n_features, seed=0):
    """Synthetic binary rows, float64 as a user has them: a noisy linear rule plus a kink."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features))
    w = rng.standard_normal(n_features)
    score = X @ w + 0.5 * np.abs(X[:, 0]) + rng.standard_normal(n_rows)
    return X, (score > np.median(score)).astype(np.int64)


def synchronize(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fit, device, repeats):
    """Median seconds of ``repeats`` calls of ``fit()``, synchronized around GPU work."""
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        result = fit()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def print_table(title, header, rows):
    print(f"\n{title}")
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = " | ".join(str(h).ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def net(hidden, epochs, batch_size, device, n_jobs=1, **kwargs):
    return NetClassifier(hidden_layer_sizes=hidden, max_epochs=epochs, batch_size=batch_size,
                         lr=1e-3, optimizer="adam", device=device, n_jobs=n_jobs,
                         random_state=0, **kwargs)


def plain_loop(X, y, hidden, epochs, batch_size, device):
    """The reference: X and y moved to the device once, batches drawn by index there."""
    torch.manual_seed(0)
    Xd = torch.as_tensor(X, dtype=torch.float32, device=device)
    yd = torch.as_tensor(y, dtype=torch.int64, device=device)
    module = MLP(X.shape[1], int(yd.max()) + 1, hidden_layer_sizes=hidden).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(yd), device=device)
        for start in range(0, len(yd), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(Xd[idx]), yd[idx])
            loss.backward()
            optimizer.step()
    return module


def fmt(seconds):
    return f"{seconds:.2f}" if seconds is not None else "-"


# -- (a) ------------------------------------------------------------------------------------

def part_a(args, gpu):
    cores = os.cpu_count()
    sizes = SMOKE_NET_SIZES if args.smoke else NET_SIZES
    rows = []
    for name, (n_rows, n_features, hidden, batch_size, epochs) in sizes.items():
        X, y = make_data(n_rows, n_features)
        def fit_net(device, n_jobs=1, X=X, y=y, hidden=hidden, epochs=epochs,
                    batch_size=batch_size):
            return net(hidden, epochs, batch_size, device, n_jobs=n_jobs).fit(X, y)

        t_gpu, _ = timed(partial(fit_net, gpu), gpu, args.repeats)
        t_cpu, _ = timed(partial(fit_net, "cpu", cores), "cpu", args.repeats)
        auto_sync = "cuda" if torch.cuda.is_available() else "cpu"
        t_auto, auto = timed(partial(fit_net, "auto", cores), auto_sync, args.repeats)
        t_plain, _ = timed(partial(plain_loop, X, y, hidden, epochs, batch_size, gpu), gpu,
                           args.repeats)
        rows.append([
            f"{name} {n_rows}x{n_features} h={hidden} b={batch_size} e={epochs}",
            fmt(t_gpu), fmt(t_cpu), f"{fmt(t_auto)} ({auto.device_})", fmt(t_plain),
            ratio(t_gpu, t_plain), ratio(t_cpu, t_gpu), ratio(t_auto, t_cpu),
        ])
    print_table(
        f"(a) NetClassifier fit seconds: {gpu} vs cpu ({cores} threads) vs auto vs a plain "
        f"torch loop on {gpu} (targets: ours/plain <= 1.2x; large cpu/cuda >= 5x; "
        "small auto/cpu <= 1.0x)",
        ["net", f"ours {gpu}", f"ours cpu x{cores}", "ours auto (picked)", f"plain {gpu}",
         f"ours {gpu}/plain", f"cpu/{gpu}", "auto/cpu"],
        rows,
    )


# -- (b) ------------------------------------------------------------------------------------

def part_b(args, gpu):
    p = SMOKE_BAG if args.smoke else BAG
    X, y = make_data(p["rows"], p["features"], seed=1)

    def bag(device, n_jobs, batch_nets=False):
        member = NetClassifier(hidden_layer_sizes=p["hidden"], max_epochs=p["epochs"],
                               device=device, random_state=0)
        return BaggingClassifier(member, n_estimators=p["nets"], n_jobs=n_jobs,
                                 random_state=0, batch_nets=batch_nets).fit(X, y)

    # Untimed: start joblib's worker processes (they import torch) once, so that the first
    # n_jobs=4 row is not charged their start while the later one reuses them. Each GPU
    # worker's own CUDA start stays in its row: that cost is real.
    BaggingClassifier(NetClassifier(hidden_layer_sizes=(4,), max_epochs=1, device="cpu"),
                      n_estimators=4, n_jobs=4, random_state=0).fit(X[:200], y[:200])
    t_one, _ = timed(lambda: NetClassifier(hidden_layer_sizes=p["hidden"],
                                           max_epochs=p["epochs"], device=gpu,
                                           random_state=0).fit(X, y), gpu, args.repeats)
    rows = []
    for label, device, n_jobs, batched in [
            (f"{gpu} batched (batch_nets=True)", gpu, 1, True),
            (f"{gpu} one by one, n_jobs=1", gpu, 1, False),
            (f"{gpu} one by one, n_jobs=4", gpu, 4, False),
            ("cpu batched", "cpu", 1, True), ("cpu one by one, n_jobs=4", "cpu", 4, False)]:
        t, _ = timed(partial(bag, device, n_jobs, batched), device, args.repeats)
        rows.append([f"{p['nets']} bagged nets, {label}", fmt(t), ratio(t, t_one)])
    rows.append([f"one net alone, {gpu}", fmt(t_one), "1.00x"])
    print_table(
        f"(b) {p['nets']} bagged nets, {p['rows']}x{p['features']}, hidden={p['hidden']}, "
        f"{p['epochs']} epochs: fit seconds, worker pool pre-started (target: "
        f"{p['nets']} batched nets <= 2x one net)",
        ["fit", "seconds", "/ one net"],
        rows,
    )


# -- (c) ------------------------------------------------------------------------------------

_LOAD = r"""
import pickle, sys, warnings
import numpy as np
warnings.simplefilter("error")
import torch
print("cuda visible in loader:", torch.cuda.is_available())
loaded = failed = 0
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            name, model, X, expected = pickle.load(f)
        got = model.predict_proba(X)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
        loaded += 1
        print("LOADED", name)
    except Exception as exc:
        failed += 1
        print("FAILED", path, type(exc).__name__, str(exc)[:300].replace("\n", " "))
print("RESULT", loaded, failed)
"""


def part_c(args, gpu):
    p = SMOKE_PERSIST if args.smoke else PERSIST
    X, y = make_data(p["rows"], p["features"], seed=2)
    models = {
        "stack(net cuda, tree) -> LogisticRegression": StackingClassifier(
            [("net", NetClassifier(hidden_layer_sizes=(32,), max_epochs=p["epochs"],
                                   device=gpu, random_state=0)),
             ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))],
            final_estimator=LogisticRegression(), cv=3, random_state=0),
        "NetClassifier cuda, lr_scheduler='cosine'": NetClassifier(
            hidden_layer_sizes=(32,), max_epochs=p["epochs"], lr_scheduler="cosine",
            device=gpu, random_state=0),
    }
    rows, loaded, failed = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (name, model) in enumerate(models.items()):
            model.fit(X, y)
            path = os.path.join(tmp, f"model{i}.pkl")
            with open(path, "wb") as f:
                X_new = X[:200]
                pickle.dump((name.replace("cuda", gpu), model, X_new,
                             model.predict_proba(X_new)), f)
            paths.append(path)
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONWARNINGS": "error"}
        run = subprocess.run([sys.executable, "-c", _LOAD, *paths], env=env,
                             capture_output=True, text=True, timeout=600)
    outcome = {}
    for line in run.stdout.splitlines():
        if line.startswith("LOADED "):
            outcome[line[len("LOADED "):]] = "loaded"
        elif line.startswith("FAILED "):
            outcome[line.split()[1]] = "FAILED: " + line.split(" ", 2)[2]
        elif line.startswith("RESULT "):
            loaded, failed = map(int, line.split()[1:])
    for i, name in enumerate(models):
        shown = name.replace("cuda", gpu)
        rows.append([shown, outcome.get(shown) or outcome.get(paths[i], "no result")])
    if run.returncode != 0 or "RESULT" not in run.stdout:
        failed = len(models) - loaded
        rows.append(["loader process", f"exit {run.returncode}: {run.stderr[-500:]!r}"])
    rows.append(["TOTAL", f"loaded {loaded}, failed {failed} (target: 0 failed)"])
    print_table(
        f"(c) fitted on {gpu}, pickled, loaded with CUDA_VISIBLE_DEVICES='' and warnings as "
        "errors, predict_proba compared (rtol 1e-4)",
        ["model", "outcome"],
        rows,
    )
    return failed


# -- main -----------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, device='cpu' in place of 'cuda' (NOT GPU figures)")
    parser.add_argument("--parts", default="a,b,c", help="comma-separated subset of a,b,c")
    parser.add_argument("--device-check", action=argparse.BooleanOptionalAction, default=True,
                        help="stop unless torch sees a CUDA device (default on; off in --smoke)")
    parser.add_argument("--repeats", type=int, default=1, help="timed fits per figure (median)")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(args.parts) - {"a", "b", "c"}
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose among a, b, c")
    return args


def main(argv=None):
    args = parse_args(argv)
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    print(f"command: {command}")
    print(f"torch {torch.__version__}, CUDA build {torch.version.cuda}, "
          f"cuda available: {torch.cuda.is_available()}, CPU cores: {os.cpu_count()}")
    if torch.cuda.is_available():
        print(f"device: {torch.cuda.get_device_name(0)}")
    if args.smoke:
        print(SMOKE_BANNER)
        gpu = "cpu"
    else:
        gpu = "cuda"
        if args.device_check and not torch.cuda.is_available():
            sys.exit("torch sees no CUDA device: run on a GPU machine, or use --smoke "
                     "(tiny sizes on the CPU) to check the script itself.")
    # Untimed warm-up: the CUDA context, cuBLAS handles and kernels (on the CPU, in a
    # smoke run: imports and first-call costs), so that the first timed fit is not charged.
    X, y = make_data(2_000, 32)
    net((100,), 1, 128, gpu).fit(X, y)
    net((100,), 1, 128, "cpu", n_jobs=os.cpu_count()).fit(X, y)  # torch's thread pool
    plain_loop(X, y, (100,), 1, 128, gpu)
    synchronize(gpu)
    start = time.perf_counter()
    failed = 0
    for part in args.parts:
        if part == "a":
            part_a(args, gpu)
        elif part == "b":
            part_b(args, gpu)
        else:
            failed = part_c(args, gpu)
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    if args.smoke:
        print(SMOKE_BANNER)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
