"""``python -m ensembles``: the ``ensembles`` command (:mod:`ensembles.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
