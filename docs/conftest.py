"""pytest in docs/: the Markdown pages are doctested (``--doctest-glob=*.md``); the Sphinx
configuration and what a local build writes here are not tests."""

collect_ignore = ["conf.py", "sphinxext"]
collect_ignore_glob = ["_build*", "auto_examples*", "generated*"]
