"""Data sets to try ensembles on: scikit-learn's bundled ones and two classic generators.

Nothing is downloaded. The bundled sets ship with scikit-learn (BSD-3-Clause; their
sources are in scikit-learn's own descriptions, shown in ``DESCR``). The generators give
the synthetic problems on which the classic ensemble results were published:

- ``hastie_10_2``: Hastie, Tibshirani & Friedman, *The Elements of Statistical
  Learning*, eq. (10.2): ten standard normal features, ``y = 1`` if the sum of their
  squares exceeds the chi-square(10) median 9.34, else ``-1`` (12,000 rows: the book's
  2,000 for training and 10,000 for testing).
- ``waveform``: Breiman, Friedman, Olshen & Stone (1984), *Classification and Regression
  Trees*, section 2.6.2: 21 features, 3 equiprobable classes, each a random convex
  combination of two of three triangular waves plus unit Gaussian noise (Bayes error
  about 14%). Used by Breiman (1996), "Bagging predictors".
"""

import numpy as np
import sklearn.datasets as skd
from sklearn.utils import Bunch, check_random_state

__all__ = ["load", "names", "task_of"]

_BUNDLED = {
    "breast_cancer": ("classification", skd.load_breast_cancer),
    "digits": ("classification", skd.load_digits),
    "iris": ("classification", skd.load_iris),
    "wine": ("classification", skd.load_wine),
    "diabetes": ("regression", skd.load_diabetes),
}
_GENERATED = {
    "hastie_10_2": "classification",
    "waveform": "classification",
}


def names(task=None):
    """Names of the available data sets, optionally only those of one ``task``.

    Examples
    --------
    >>> from ensembles import datasets
    >>> datasets.names("regression")
    ['diabetes']
    """
    tasks = {**{k: v[0] for k, v in _BUNDLED.items()}, **_GENERATED}
    if task is not None and task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None; got {task!r}.")
    return sorted(name for name, kind in tasks.items() if task in (None, kind))


def task_of(name):
    """``"classification"`` or ``"regression"`` for a data set name."""
    _check_name(name)
    return _BUNDLED[name][0] if name in _BUNDLED else _GENERATED[name]


def _check_name(name):
    if name not in _BUNDLED and name not in _GENERATED:
        raise ValueError(f"unknown data set {name!r}; available: {', '.join(names())}.")


def _waveform(n_samples, rng):
    i = np.arange(1, 22)
    h1 = np.maximum(6 - np.abs(i - 11), 0)
    h2 = np.maximum(6 - np.abs(i - 15), 0)  # h1 shifted right by 4
    h3 = np.maximum(6 - np.abs(i - 7), 0)  # h1 shifted left by 4
    pairs = [(h1, h2), (h1, h3), (h2, h3)]
    y = rng.randint(3, size=n_samples)
    u = rng.uniform(size=(n_samples, 1))
    first = np.stack([pairs[c][0] for c in y])
    second = np.stack([pairs[c][1] for c in y])
    X = u * first + (1 - u) * second + rng.normal(size=(n_samples, 21))
    return X, y


def load(name, *, return_X_y=False, as_frame=False, n_samples=None, random_state=0):
    """Load a data set by name.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    as_frame : bool, default=False
        X as a DataFrame and y as a Series (needs pandas).
    n_samples : int, default=None
        Rows to generate (generators only): 12,000 for ``hastie_10_2``, 1,800 for
        ``waveform`` (Breiman's 300 training + 1,500 test rows).
    random_state : int, RandomState or None, default=0
        Seed of the generators.

    Returns
    -------
    Bunch with ``data``, ``target``, ``feature_names``, ``target_names``, ``task``,
    ``DESCR`` (and ``frame`` with ``as_frame``), or ``(X, y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from ensembles import datasets
    >>> X, y = datasets.load("waveform", return_X_y=True)
    >>> X.shape, np.unique(y).tolist()
    ((1800, 21), [0, 1, 2])
    """
    _check_name(name)
    if n_samples is not None and name in _BUNDLED:
        raise ValueError(f"n_samples applies to generated data sets only; {name!r} is bundled.")
    if name in _BUNDLED:
        task, loader = _BUNDLED[name]
        bunch = loader(as_frame=as_frame)
        bunch.task = task
        if not hasattr(bunch, "target_names"):
            bunch.target_names = ["target"]
        return (bunch.data, bunch.target) if return_X_y else bunch

    rng = check_random_state(random_state)
    if name == "hastie_10_2":
        X, y = skd.make_hastie_10_2(n_samples=n_samples or 12_000, random_state=rng)
        y = y.astype(int)
        target_names = [-1, 1]
    else:
        X, y = _waveform(n_samples or 1_800, rng)
        target_names = [0, 1, 2]
    feature_names = [f"x{i}" for i in range(X.shape[1])]
    bunch = Bunch(data=X, target=y, feature_names=feature_names, target_names=target_names,
                  task=_GENERATED[name], DESCR=__doc__)
    if as_frame:
        import pandas as pd

        bunch.data = pd.DataFrame(X, columns=feature_names)
        bunch.target = pd.Series(y, name="target")
        bunch.frame = bunch.data.assign(target=bunch.target)
    return (bunch.data, bunch.target) if return_X_y else bunch
