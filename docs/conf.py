"""Sphinx configuration of the documentation site.

Build it (the ``docs`` extra installs what it needs)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``-W`` turns every warning into an error, as CI does (``tests/test_docs.py``). The build
needs no network: no intersphinx, no remote images. It writes into the source folder the
API stubs (``generated/``) and the executed gallery (``auto_examples/``), both ignored by
git and by pytest (``docs/conftest.py``); the test builds a copy in a temporary folder.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

import ensembles  # noqa: E402

project = "ensembles"
author = "the ensembles developers"
copyright = "the ensembles developers"  # noqa: A001  (Sphinx's name)
release = ensembles.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# index.md is the docs folder's landing page on the repository host; the site's is
# index.rst. conftest.py and sphinxext/ are code, not pages.
exclude_patterns = ["_build", "index.md", "conftest.py", "sphinxext", "**/GALLERY_HEADER.rst"]
templates_path = ["_templates"]

# The Markdown pages link to each other's sections (`user_guide.md#saving-and-loading`):
# GitHub-style anchors for headings down to ####.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
# numpydoc lists a class's members itself; the class template does instead, with pages.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_{method}_request on every estimator (metadata routing);
    # their text links into scikit-learn's own site. The user guide covers routing.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Execute every example (the default runs only files named plot_*).
    "filename_pattern": r"\.py$",
    # ... on a small budget: every example takes --quick (fewer rows, folds, epochs).
    "reset_argv": "gallery_hooks.reset_argv",
    # The examples draw with matplotlib's object API (report.plot returns a Figure, with
    # no pyplot state): pick up the Figures each cell leaves in its namespace.
    "image_scrapers": ("gallery_hooks.figure_scraper",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    # No mini-gallery or backreference pages: the API pages link to the user guide.
    "backreferences_dir": None,
    "doc_module": (),
}

html_theme = "alabaster"
html_title = f"ensembles {release}"
html_theme_options = {
    "description": "Ensembles of nets, boosted trees and any estimator",
    "page_width": "1240px",  # the examples' output tables are about 110 characters wide
    "sidebar_width": "240px",
}
html_static_path = []
