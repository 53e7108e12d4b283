"""Saving and loading fitted estimators with ``skops.io``, which loads only trusted types.

``pickle`` and ``joblib.load`` run code: a pickle names functions to call on load, so a
file made by someone else can do anything your user account can. ``skops.io`` writes a
file that names the types it holds and, on load, builds only the types it is told to trust
(scikit-learn's and NumPy's by default); anything else stops the load with the list of
types it met. :func:`trusted_types` lists the types that the package's estimators and its
default members (:func:`ensembles.make_learners`) put in such a file beyond skops' own, so
that a file of ours loads with ``skops.io.load(path, trusted=trusted_types())``; the types
of members you chose yourself are yours to review (``skops.io.get_untrusted_types``).

Nets are the exception. skorch keeps a fitted net's torch objects (module, optimizer,
criterion) as a pickle inside the net's state and unpickles it, with plain ``pickle``, when
the net is rebuilt: a file holding a net runs that pickle on load, whatever ``trusted``
says, so it is safe only if you trust whoever wrote it. Their types are therefore left out
unless asked for (``trusted_types(nets=True)``), and ``skops.io.load`` refuses such a file
by default. ``tests/test_persistence.py`` shows a crafted net file running code through
``skops.io.load`` (a strict expected failure, for as long as skorch does this).
"""

__all__ = ["dump", "load", "trusted_types"]

# The package's own types that a fitted estimator holds (estimators, the out-of-fold
# engine's record and stand-ins, gradient boosting's losses).
_OWN = (
    "ensembles.classic.adaboost.AdaBoostClassifier",
    "ensembles.classic.adaboost.AdaBoostRegressor",
    "ensembles.classic.bagging.BaggingClassifier",
    "ensembles.classic.bagging.BaggingRegressor",
    "ensembles.classic.gradient_boosting.GradientBoostingClassifier",
    "ensembles.classic.gradient_boosting.GradientBoostingRegressor",
    "ensembles.classic.losses.AbsoluteError",
    "ensembles.classic.losses.BinomialLoss",
    "ensembles.classic.losses.HuberLoss",
    "ensembles.classic.losses.MultinomialLoss",
    "ensembles.classic.losses.SquaredError",
    "ensembles.combine.guard.GuardDecision",
    "ensembles.combine.selection.EnsembleSelectionClassifier",
    "ensembles.combine.selection.EnsembleSelectionRegressor",
    "ensembles.combine.stacking.StackingClassifier",
    "ensembles.combine.stacking.StackingRegressor",
    "ensembles.combine.voting.VotingClassifier",
    "ensembles.combine.voting.VotingRegressor",
    "ensembles.engine.oof.CrossFit",
    "ensembles.engine.oof.DroppedModel",
    "ensembles.engine.oof.FoldAverage",
    "ensembles.engine.replay.UserLabels",
)

# What the default members hold beyond skops' defaults: scikit-learn's trees (the classic
# ensembles' default learner; forests), ``named_estimators_`` (a Bunch), the roster's
# k-nearest neighbours, XGBoost and LightGBM (each Booster is stored as its own model
# format, read back by the library's loader, not by pickle).
_MEMBERS = (
    "collections.OrderedDict",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "lightgbm.sklearn.LGBMRegressor",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.tree._tree.Tree",
    "sklearn.utils._bunch.Bunch",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
)

# A fitted net: the estimator, its skorch net and what skops sees of skorch's state. The
# module, optimizer and criterion themselves are inside skorch's pickle (see above).
_NETS = (
    "ensembles.learners._torch.WeightedNet",
    "ensembles.learners.net.NetClassifier",
    "ensembles.learners.net.NetRegressor",
    "functools.partial",
    "skorch.dataset.Dataset",
    "skorch.history.History",
    "skorch.setter.optimizer_setter",
    "skorch.utils._indexing_dict",
    "skorch.utils._indexing_other",
    "skorch.utils._make_split",
    "torch.nn.modules.loss.CrossEntropyLoss",
    "torch.nn.modules.loss.HuberLoss",
    "torch.nn.modules.loss.L1Loss",
    "torch.nn.modules.loss.MSELoss",
    "torch.optim.adam.Adam",
    "torch.optim.adamw.AdamW",
    "torch.optim.rmsprop.RMSprop",
    "torch.optim.sgd.SGD",
    "torch.utils.data.dataloader.DataLoader",
)


def trusted_types(*, nets=False):
    """The types to pass as ``skops.io.load(..., trusted=...)`` for this package's models.

    Parameters
    ----------
    nets : bool, default=False
        Also the types of fitted nets (``NetClassifier``, ``NetRegressor``, and any
        ensemble of them). Loading a net runs a pickle inside the file (skorch's), so
        pass True only for files you trust as you would a pickle.

    Returns
    -------
    list of str
        Sorted type names: the package's estimators and the objects they hold, and what
        the default members of :func:`ensembles.make_learners` hold (scikit-learn's
        trees, XGBoost, LightGBM, ...). Members of other types need adding.

    Examples
    --------
    >>> from ensembles.persistence import trusted_types
    >>> "ensembles.combine.stacking.StackingClassifier" in trusted_types()
    True
    >>> "ensembles.learners.net.NetClassifier" in trusted_types()
    False
    >>> "ensembles.learners.net.NetClassifier" in trusted_types(nets=True)
    True
    """
    return sorted(_OWN + _MEMBERS + (_NETS if nets else ()))


def _skops_io():
    try:
        import skops.io
    except ImportError as exc:  # an extra: skops is not needed to fit or predict
        raise ImportError(
            "saving and loading with skops needs the skops package: "
            "pip install ensembles-ml[skops]"
        ) from exc
    return skops.io


def dump(estimator, file):
    """Write ``estimator`` to ``file`` (a path or a file object) with ``skops.io.dump``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ensembles import VotingClassifier
    >>> from ensembles.persistence import dump, load
    >>> X, y = load_iris(return_X_y=True)
    >>> vote = VotingClassifier([("lr", LogisticRegression(max_iter=500))]).fit(X, y)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vote.skops"
    >>> dump(vote, path)
    >>> bool((load(path).predict(X) == vote.predict(X)).all())
    True
    """
    _skops_io().dump(estimator, file)


def load(file, *, trusted=(), nets=False):
    """Read an estimator written by :func:`dump` (or ``skops.io.dump``).

    Builds only :func:`trusted_types` (with ``nets``) and the type names in ``trusted``;
    a file holding any other type raises skops' ``UntrustedTypesFoundException``, which
    lists them: review them (``skops.io.get_untrusted_types(file=...)``) and add the ones
    you expect to ``trusted``.

    Parameters
    ----------
    file : str, path or file object
    trusted : sequence of str, default=()
        Further type names to build (your members' types).
    nets : bool, default=False
        Build fitted nets too; this runs the pickle skorch keeps inside each net, so only
        for files you trust as you would a pickle (see :func:`trusted_types`).

    Returns
    -------
    estimator
    """
    return _skops_io().load(file, trusted=trusted_types(nets=nets) + list(trusted))
