"""sphinx-gallery hooks of the documentation build (named in ``docs/conf.py``)."""

from pathlib import PurePosixPath


def reset_argv(gallery_conf, script_vars):
    """Every example runs with ``--quick``: the small budget of the docs build."""
    return ["--quick"]


def figure_scraper(block, block_vars, gallery_conf, **kwargs):
    """Save the matplotlib Figures a cell left in the example's namespace.

    The package draws without pyplot (``report.plot`` returns a ``Figure``), so
    sphinx-gallery's own scraper, which walks pyplot's figure list, sees none. Each
    Figure is shown once, after the first cell that holds it.
    """
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    shown = block_vars.setdefault("_ensembles_shown_figures", set())
    paths = []
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and id(value) not in shown:
            shown.add(id(value))
            path = PurePosixPath(next(block_vars["image_path_iterator"]))
            value.savefig(path, dpi=90, bbox_inches="tight")
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
