"""The classic ensemble results, reproduced side by side with scikit-learn and the papers.

Runs the three parts one after another, each printing its tables (ours, scikit-learn,
paper, seconds); each part also runs on its own with more options:

- ``classic_adaboost.py``: ESL Figure 10.2 (stump, 243-node tree, SAMME, SAMME.R at 400
  rounds), AdaBoost fit-time ratio, AdaBoost.R2, AdaBoost of a small net;
- ``classic_bagging.py``: Breiman (1996) waveform, bagging's n_jobs speedup, bagging of a
  small net;
- ``classic_gb.py``: gradient boosting of trees vs scikit-learn's, boosted nets.

Run (about 10 minutes on 2 cores)::

    python benchmarks/classic.py
    python benchmarks/classic.py --only adaboost gb
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

PARTS = {
    "adaboost": "classic_adaboost.py",
    "bagging": "classic_bagging.py",
    "gb": "classic_gb.py",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(PARTS), default=sorted(PARTS))
    args = parser.parse_args()
    here = Path(__file__).parent
    for part in args.only:
        print(f"\n# {part} ({PARTS[part]})\n", flush=True)
        start = time.perf_counter()
        # Each part in its own process: torch and BLAS thread pools start fresh, and one
        # part's warm caches do not flatter the next one's timings.
        subprocess.run([sys.executable, str(here / PARTS[part])], check=True)
        print(f"\n({part}: {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
