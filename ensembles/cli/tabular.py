"""Tabular data from a CSV file, and base learners made ready for it.

:func:`read_csv` reads a table and splits off the target, with errors that say what is
wrong with the file. :func:`preprocess` wraps each base learner in what it needs to take
the table as it is, and says in words what it did:

- XGBoost, LightGBM and scikit-learn's histogram gradient boosting take categorical
  columns natively, as pandas ``"category"`` columns (XGBoost with
  ``enable_categorical=True``), and missing values as NaN: nothing is imputed for them.
- Every other learner gets a ``ColumnTransformer``. Categorical columns are one-hot
  encoded, or ordinal encoded when they have more than ``max_onehot`` levels (one-hot
  would add a column per level) or when the learner is a tree model (a tree splits an
  ordinal code as well as it needs to, and one-hot columns would only slow it down); a
  missing categorical value is a level of its own. Numeric columns are median imputed,
  with an indicator column per feature that had missing values, for learners that cannot
  take NaN (scikit-learn's ``allow_nan`` tag; its forests can, since 1.4 / 1.6). The
  learner's own steps (the roster's ``StandardScaler``) follow.

The levels of every categorical column are fixed from the whole column before any fold is
drawn, so a level missing from a fold's training part is not an unknown level in its
validation part (LightGBM refuses a different category list at predict time; one-hot
columns keep the same width). These lists come from the features only, never from the
target: no label leaks through them.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
    is_timedelta64_dtype,
)
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.tree import BaseDecisionTree
from sklearn.utils import get_tags

__all__ = ["AsCategories", "ID_MIN_DISTINCT", "ID_RATIO", "IdLikeColumnWarning", "MAX_ONEHOT",
           "TablePipeline", "id_like_columns", "infer_task", "preprocess", "read_csv"]

#: Categorical columns with more levels than this are ordinal encoded, not one-hot.
MAX_ONEHOT = 20
#: An integer target with at most this many distinct values is taken as class labels.
MAX_CLASSES = 20
#: The level a missing categorical value becomes for learners that get encoded columns.
MISSING = "(missing)"
#: A text column whose distinct values are more than this share of its (non-missing)
#: rows looks like an identifier (:func:`id_like_columns`)...
ID_RATIO = 0.5
#: ... when it has at least this many distinct values (a 3-level column in 4 rows is not).
ID_MIN_DISTINCT = 20


class IdLikeColumnWarning(UserWarning):
    """A feature column looks like an identifier (:func:`id_like_columns`)."""


# -- reading ------------------------------------------------------------------------------
def read_csv(path, target, task=None, *, drop=(), dropna_target=False, **read_kwargs):
    """Read a CSV file into features, target and task.

    Parameters
    ----------
    path : str or path-like
        A CSV file with a header row.
    target : str
        The column to predict.
    task : {"classification", "regression"} or None, default=None
        None infers it with :func:`infer_task`.
    drop : list of str, default=()
        Columns to leave out of the features (an identifier, a leak of the target).
    dropna_target : bool, default=False
        Leave out the rows whose target is missing; without it they are an error.
    **read_kwargs
        Passed to :func:`pandas.read_csv` (``sep``, ``na_values``, ...).

    Returns
    -------
    X : DataFrame
        Every column but the target and ``drop``.
    y : Series
        The target, as read (strings stay strings; whole numbers read as floats because
        of missing values left out by ``dropna_target`` become integers again).
    task : str

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        The file is empty or has no rows, the target or a column of ``drop`` is not a
        column (the message lists the columns), the target has missing values (and
        ``dropna_target`` is False), no feature column is left, or the task does not fit
        the target.

    Examples
    --------
    >>> import io
    >>> from ensembles.cli.tabular import read_csv
    >>> X, y, task = read_csv(io.StringIO("x,colour,y\\n1,red,a\\n2,blue,b\\n"), "y")
    >>> list(X.columns), y.tolist(), task
    (['x', 'colour'], ['a', 'b'], 'classification')
    """
    X, y, task, _ = _read_csv(path, target, task, drop, dropna_target, read_kwargs)
    return X, y, task


def _read_csv(path, target, task, drop, dropna_target, read_kwargs):
    """:func:`read_csv`, and the file lines of the rows ``dropna_target`` left out."""
    if task is not None and task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None; got {task!r}.")
    if isinstance(drop, str):
        drop = [drop]
    if isinstance(path, str | Path):
        if not Path(path).exists():
            raise FileNotFoundError(f"no such file: '{path}'.")
        if Path(path).is_dir():
            raise ValueError(f"'{path}' is a directory; expected a CSV file.")
    try:
        frame = pd.read_csv(path, **read_kwargs)
    except pd.errors.EmptyDataError:
        raise ValueError(f"the CSV file '{path}' is empty; expected a header row and "
                         "data rows.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read '{path}' as CSV: {str(exc).strip()}") from None
    if len(frame) == 0:
        raise ValueError(f"the CSV file '{path}' has a header but no data rows.")
    columns = ", ".join(map(str, frame.columns))
    if target not in frame.columns:
        raise ValueError(f"unknown target column '{target}'; the columns of '{path}' are: "
                         f"{columns}.")
    for column in drop:
        if column == target:
            raise ValueError(f"cannot drop '{column}': it is the target column.")
        if column not in frame.columns:
            raise ValueError(f"cannot drop '{column}': not a column of '{path}', whose "
                             f"columns are: {columns}.")
    missing = frame[target].isna().to_numpy()
    lines = np.flatnonzero(missing) + 2  # the header is line 1
    if missing.any() and not dropna_target:
        raise ValueError(f"the target column '{target}' has {len(lines)} missing value(s) "
                         f"(file lines {_lines(lines)}); drop those rows (dropna_target="
                         "True; on the command line, --dropna-target) or fill them first.")
    if missing.all():
        raise ValueError(f"the target column '{target}' has no value at all: every one of "
                         f"its {len(lines)} rows is missing.")
    frame = frame[~missing].reset_index(drop=True)
    y = frame[target]
    if missing.any() and y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)  # read as floats only because of the missing values
    X = frame.drop(columns=[target, *drop])
    if X.shape[1] == 0:
        raise ValueError(f"'{path}' has no feature columns besides the target '{target}'"
                         + (f" and the dropped {', '.join(map(repr, drop))}." if drop
                            else "."))
    if task is None:
        task = infer_task(y)
    elif task == "regression" and (is_bool_dtype(y) or not is_numeric_dtype(y)):
        raise ValueError(f"task 'regression' needs a numeric target; column '{target}' "
                         f"holds {y.dtype} values such as {_plain(y.iloc[0])!r}.")
    elif task == "classification" and is_numeric_dtype(y) and not is_bool_dtype(y):
        values = y.to_numpy(dtype=float)
        fractional = values[values != np.round(values)]
        if len(fractional):
            raise ValueError(f"task 'classification' needs class labels; column '{target}' "
                             f"holds non-integer numbers such as {_plain(fractional[0])}. "
                             "Use task 'regression', or bin the target first.")
    return X, y, task, lines


def _lines(lines):
    return ", ".join(str(r) for r in lines[:5]) + (", ..." if len(lines) > 5 else "")


def _plain(value):
    """A NumPy scalar as the Python number it holds: 18.5, not np.float64(18.5)."""
    return value.item() if isinstance(value, np.generic) else value


def infer_task(y):
    """``"classification"`` for a non-numeric target, or an integer-valued one with at most
    :data:`MAX_CLASSES` distinct values; ``"regression"`` otherwise.

    Examples
    --------
    >>> from ensembles.cli.tabular import infer_task
    >>> infer_task(["a", "b"]), infer_task([0, 1, 1]), infer_task([0.5, 1.7])
    ('classification', 'classification', 'regression')
    """
    y = pd.Series(y)
    if is_bool_dtype(y) or not is_numeric_dtype(y):
        return "classification"
    values = y.to_numpy(dtype=float)
    if np.all(values == np.round(values)) and len(np.unique(values)) <= MAX_CLASSES:
        return "classification"
    return "regression"


def id_like_columns(X):
    """The feature columns that look like identifiers, as ``(column, distinct values,
    rows, message)``; the message ends where a caller says how to drop the column.

    A text (or category) column looks like one when it has at least
    :data:`ID_MIN_DISTINCT` distinct values and they are more than :data:`ID_RATIO` of
    its non-missing rows (a name, a code per row); an integer column, when its values are
    all distinct and consecutive (a row number) and at least :data:`ID_MIN_DISTINCT`. A
    model cannot learn from such a column, only memorise it: one-hot or ordinal codes of
    hundreds of levels, or a row number that tracks the order of the file.

    Examples
    --------
    >>> import pandas as pd
    >>> from ensembles.cli.tabular import id_like_columns
    >>> X = pd.DataFrame({"car": [f"car {k % 25}" for k in range(30)],
    ...                   "row": range(30), "cylinders": [4, 6, 8] * 10})
    >>> for column, distinct, rows, message in id_like_columns(X):
    ...     print(message)
    column 'car' looks like an identifier: 25 distinct values in 30 rows (ratio 0.83, above 0.5)
    column 'row' looks like a row number: 30 distinct consecutive integers in 30 rows
    """
    found = []
    for column in X.columns:
        dtype = X[column].dtype
        if (is_bool_dtype(dtype) or is_datetime64_any_dtype(dtype)
                or is_timedelta64_dtype(dtype)):
            continue
        values = X[column].dropna()
        rows, distinct = len(values), int(values.nunique())
        if distinct < ID_MIN_DISTINCT:
            continue
        if not is_numeric_dtype(dtype) and distinct / rows > ID_RATIO:
            found.append((column, distinct, rows, (
                f"column '{column}' looks like an identifier: {distinct} distinct values "
                f"in {rows} rows (ratio {distinct / rows:.2f}, above {ID_RATIO:g})")))
        elif is_integer_dtype(dtype) and distinct == rows and np.all(
                np.diff(np.sort(values.to_numpy())) == 1):
            found.append((column, distinct, rows, (
                f"column '{column}' looks like a row number: {distinct} distinct "
                f"consecutive integers in {rows} rows")))
    return found


# -- the transformer that fixes category lists --------------------------------------------
class AsCategories(TransformerMixin, BaseEstimator):
    """Cast columns to pandas ``"category"`` with fixed levels (as strings).

    Fitting learns nothing: the levels are given, so every fold sees the same categories.
    A value that is not a level (one seen only at predict time) becomes missing.

    Parameters
    ----------
    categories : dict of str -> list of str
        Column name -> its levels.

    Examples
    --------
    >>> import pandas as pd
    >>> from ensembles.cli.tabular import AsCategories
    >>> X = pd.DataFrame({"c": ["b", "a", None]})
    >>> AsCategories({"c": ["a", "b", "z"]}).fit_transform(X)["c"].cat.categories.tolist()
    ['a', 'b', 'z']
    """

    def __init__(self, categories):
        self.categories = categories

    def fit(self, X, y=None):
        self._check(X)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        self._check(X)
        X = X.copy()
        for column, levels in self.categories.items():
            values = X[column].astype("string")
            # Unknown values become missing explicitly: pandas will refuse to do it quietly.
            values = values.where(values.isin(levels))
            X[column] = values.astype(pd.CategoricalDtype(levels))
        return X

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.feature_names_in_, dtype=object)

    def _check(self, X):
        if not hasattr(X, "columns"):
            raise TypeError(f"AsCategories needs a DataFrame; got {type(X).__name__}.")
        absent = [c for c in self.categories if c not in X.columns]
        if absent:
            raise ValueError(f"AsCategories: columns {absent} are not in X.")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


# -- wrapping learners --------------------------------------------------------------------
class TablePipeline(Pipeline):
    """A :class:`~sklearn.pipeline.Pipeline` made by :func:`preprocess`: its first steps
    take text columns and NaN, and its tags say so (a plain Pipeline's tags never claim
    ``allow_nan``, so an ensemble that checks its members' tags would refuse NaN that
    these members handle)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _steps(estimator):
    return [s for _, s in estimator.steps] if isinstance(estimator, Pipeline) else [estimator]


def _native(step):
    """Takes pandas categoricals and NaN as they are."""
    module = type(step).__module__
    return (module.startswith(("xgboost", "lightgbm"))
            or type(step).__name__.startswith("HistGradientBoosting"))


def _tree(step):
    return isinstance(step, BaseDecisionTree) or isinstance(
        getattr(step, "estimator", None), BaseDecisionTree)


def _takes_nan(estimator):
    return all(get_tags(s).input_tags.allow_nan for s in _steps(estimator)
               if s not in (None, "passthrough"))


def _names(columns, limit=6):
    shown = ", ".join(map(str, columns[:limit]))
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


class _Columns:
    """What preprocessing needs to know of a table."""

    def __init__(self, X, max_onehot):
        if not hasattr(X, "columns"):
            raise TypeError(f"preprocess needs X as a DataFrame; got {type(X).__name__}.")
        self.categorical, self.numeric = [], []
        for column in X.columns:
            dtype = X[column].dtype
            if is_bool_dtype(dtype) or not is_numeric_dtype(dtype):
                if is_datetime64_any_dtype(dtype) or is_timedelta64_dtype(dtype):
                    raise TypeError(
                        f"column '{column}' holds {dtype} values; convert it to numbers "
                        "(e.g. days since a date) or drop it.")
                self.categorical.append(column)
            else:
                self.numeric.append(column)
        self.levels = {c: sorted(X[c].dropna().astype("string").unique().tolist())
                       for c in self.categorical}
        counts = X.isna().sum()
        self.missing = {c: int(counts[c]) for c in X.columns if counts[c] > 0}
        self.numeric_missing = [c for c in self.numeric if c in self.missing]
        self.wide = [c for c in self.categorical if len(self.levels[c]) > max_onehot]
        self.narrow = [c for c in self.categorical if c not in self.wide]
        self.max_onehot = max_onehot
        self.n_rows = len(X)

    def describe(self):
        n_cat, n_num = len(self.categorical), len(self.numeric)
        text = (f"data: {self.n_rows} rows, {n_num + n_cat} features: {n_num} numeric, "
                f"{n_cat} categorical")
        if self.categorical:
            text += " (" + _names([f"{c}: {len(self.levels[c])} levels"
                                   for c in self.categorical]) + ")"
        if self.missing:
            text += "; missing values in " + _names(
                [f"{c}: {n}" for c, n in self.missing.items()])
        else:
            text += "; no missing values"
        return text + "."

    def encoder(self, one_hot, cat_missing, impute):
        """A ColumnTransformer; ``one_hot`` for the narrow columns (else ordinal)."""
        def levels(columns):
            return [self.levels[c] + ([MISSING] if c in cat_missing else []) for c in columns]

        fill = SimpleImputer(strategy="constant", fill_value=MISSING)
        onehot_cols = self.narrow if one_hot else []
        ordinal_cols = [c for c in self.categorical if c not in onehot_cols]
        parts = []
        if onehot_cols:
            parts.append(("onehot", Pipeline([
                ("fill", clone(fill)),
                ("encode", OneHotEncoder(categories=levels(onehot_cols),
                                         handle_unknown="ignore", sparse_output=False)),
            ]), onehot_cols))
        if ordinal_cols:
            parts.append(("ordinal", Pipeline([
                ("fill", clone(fill)),
                ("encode", OrdinalEncoder(categories=levels(ordinal_cols),
                                          handle_unknown="use_encoded_value",
                                          unknown_value=-1)),
            ]), ordinal_cols))
        if impute and self.numeric:
            parts.append(("impute", SimpleImputer(strategy="median", add_indicator=True),
                          self.numeric))
        return ColumnTransformer(parts, remainder="passthrough"), onehot_cols, ordinal_cols


def preprocess(models, X, *, max_onehot=MAX_ONEHOT):
    """Wrap each learner in what it needs to take the table ``X`` as it is.

    See the module docstring for what each kind of learner gets. Categorical columns are
    those of object, string, category or bool dtype.

    Parameters
    ----------
    models : list of (str, estimator)
        Unfitted learners, e.g. from :func:`ensembles.make_learners`. Not changed: the
        wrapped ones are new objects (clones, within new Pipelines).
    X : DataFrame
        The features the models will be fitted on (all of them, before any split: the
        category levels are read from it).
    max_onehot : int, default=20
        Categorical columns with more levels are ordinal encoded.

    Returns
    -------
    models : list of (str, estimator)
        Same names and order. A learner that needs nothing is returned as given.
    notes : list of str
        A description of the data, then one line per learner saying what was done.

    Warns
    -----
    IdLikeColumnWarning
        For each column of ``X`` that looks like an identifier (:func:`id_like_columns`):
        encoded, it would be a feature a model can only memorise.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ensembles.cli.tabular import preprocess
    >>> X = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0], "c": ["a", "b", "a", None]})
    >>> models, notes = preprocess([("linear", LogisticRegression())], X)
    >>> for note in notes:
    ...     print(*note.split("; "), sep="\\n  ")
    data: 4 rows, 2 features: 1 numeric, 1 categorical (c: 2 levels)
      missing values in x: 1, c: 1.
    linear: one-hot encoded c
      missing values of c are a level of their own
      median-imputed the numeric columns, with missing-value indicators (x had missing values).
    >>> models[0][1].fit(X, [0, 1, 0, 1]).predict(X).shape
    (4,)
    """
    info = _Columns(X, max_onehot)
    for column, _, _, message in id_like_columns(X):
        warnings.warn(f"{message}; a model can only memorise it. If it is one, drop it "
                      f"from X (X.drop(columns=[{column!r}])).", IdLikeColumnWarning,
                      stacklevel=2)
    notes = [info.describe()]
    wrapped = []
    for name, estimator in models:
        model, note = _wrap(estimator, info)
        wrapped.append((name, model))
        notes.append(f"{name}: {note}")
    return wrapped, notes


def _wrap(estimator, info):
    steps = _steps(estimator)
    last = steps[-1]
    cast = ("as_category", AsCategories(dict(info.levels)))
    own = (list(clone(estimator).steps) if isinstance(estimator, Pipeline)
           else [(type(estimator).__name__.lower(), clone(estimator))])

    if _native(last) and all(_native(s) or get_tags(s).input_tags.allow_nan
                             for s in steps):
        if not info.categorical:
            if info.missing:
                return estimator, "missing values left as NaN (handled natively)."
            return estimator, "no preprocessing needed."
        final = own[-1][1]
        if type(final).__module__.startswith("xgboost"):
            final.set_params(enable_categorical=True)
            how = "enable_categorical=True"
        elif type(final).__module__.startswith("lightgbm"):
            how = "LightGBM's categorical splits"
        else:
            final.set_params(categorical_features="from_dtype")
            how = "categorical_features='from_dtype'"
        note = (f"{_names(info.categorical)} as pandas 'category' columns with levels fixed "
                f"from the whole column ({how})")
        note += ("; missing values left as NaN (handled natively)." if info.missing
                 else ".")
        return TablePipeline([cast, *own]), note

    takes_nan = _takes_nan(estimator)
    if not info.categorical and (takes_nan or not info.numeric_missing):
        if info.missing:
            return estimator, "missing values left as NaN (it takes them natively)."
        return estimator, "no preprocessing needed."

    cat_missing = [c for c in info.categorical if c in info.missing]
    # The imputer goes in whenever the learner cannot take NaN, even if this table has
    # none: the pipeline's tags promise NaN is fine, for new data as well.
    encoder, onehot_cols, ordinal_cols = info.encoder(not _tree(last), cat_missing,
                                                      not takes_nan)
    parts = []
    if onehot_cols:
        parts.append(f"one-hot encoded {_names(onehot_cols)}")
    if ordinal_cols:
        why = ("a tree model" if _tree(last) else f"more than {info.max_onehot} levels")
        parts.append(f"ordinal encoded {_names(ordinal_cols)} ({why})")
    if cat_missing:
        parts.append(f"missing values of {_names(cat_missing)} are a level of their own")
    if not takes_nan and info.numeric_missing:
        parts.append("median-imputed the numeric columns, with missing-value indicators ("
                     f"{_names(info.numeric_missing)} had missing values)")
    elif info.numeric_missing:
        parts.append("numeric missing values left as NaN (it takes them natively)")
    return TablePipeline([cast, ("encode", encoder), *own]), "; ".join(parts) + "."
