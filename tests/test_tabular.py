"""ensembles.cli.tabular: reading CSV files, and learners wrapped for categoricals and NaN."""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags

from ensembles import make_learners
from ensembles.cli.tabular import (
    MAX_ONEHOT,
    AsCategories,
    IdLikeColumnWarning,
    TablePipeline,
    id_like_columns,
    infer_task,
    preprocess,
    read_csv,
)


def messy_frame(n=120, seed=0):
    """Numeric and string columns, a bool column, missing values, a wide categorical."""
    rng = np.random.RandomState(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    x2[rng.rand(n) < 0.1] = np.nan
    colour = rng.choice(["red", "green", "blue"], size=n).astype(object)
    colour[rng.rand(n) < 0.1] = None
    city = np.array([f"city{k}" for k in rng.randint(MAX_ONEHOT + 5, size=n)], dtype=object)
    flag = rng.rand(n) < 0.5
    X = pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "city": city, "flag": flag})
    y = np.where(x1 + (colour == "red") > 0.5, "yes", "no")
    return X, y


# -- read_csv -----------------------------------------------------------------------------
def test_read_csv_splits_target_and_infers_task(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,x,no\n2,,yes\n,z,no\n")
    X, y, task = read_csv(path, "y")
    assert list(X.columns) == ["a", "b"]
    assert y.tolist() == ["no", "yes", "no"]
    assert task == "classification"
    assert X["a"].isna().sum() == 1 and X["b"].isna().sum() == 1


@pytest.mark.parametrize("values, task", [
    (["a", "b", "a"], "classification"),
    ([True, False, True], "classification"),
    ([0, 1, 2], "classification"),
    ([0.0, 1.0, 1.0], "classification"),
    ([0.5, 1.5, 2.0], "regression"),
    (list(range(50)), "regression"),
])
def test_infer_task(values, task):
    assert infer_task(values) == task


BAD_CSV = [
    # (file text or None for no file, target, task, error type, message pattern)
    (None, "y", None, FileNotFoundError, r"no such file: '.*nope\.csv'"),
    ("", "y", None, ValueError, r"the CSV file '.*' is empty"),
    ("a,b,y\n", "y", None, ValueError, r"has a header but no data rows"),
    ("a,b,y\n1,2,3\n", "z", None, ValueError,
     r"unknown target column 'z'; the columns of '.*' are: a, b, y\."),
    ("a,y\n1,x\n2,\n3,\n", "y", None, ValueError,
     r"the target column 'y' has 2 missing value\(s\) \(file lines 3, 4\); drop those rows "
     r"\(dropna_target=True; on the command line, --dropna-target\) or fill them first\."),
    ("y\n1\n2\n", "y", None, ValueError, r"no feature columns besides the target 'y'"),
    ("a,y\n1,x\n2,z\n", "y", "regression", ValueError, r"task 'regression' needs a numeric"),
    ("a,y\n1,0.5\n2,1.5\n", "y", "classification", ValueError,
     r"task 'classification' needs class labels"),
    ("a,y\n1,0\n", "y", "clustering", ValueError, r"task must be 'classification'"),
    # a plain number, and one that is not whole (18.0 is)
    ("a,y\n1,18.0\n2,15.5\n", "y", "classification", ValueError,
     r"task 'classification' needs class labels; column 'y' holds non-integer numbers such "
     r"as 15\.5\. Use task 'regression', or bin the target first\."),
    ("a,y\n1,\n2,\n", "y", None, ValueError, r"the target column 'y' has 2 missing"),
]


@pytest.mark.parametrize("text, target, task, error, pattern", BAD_CSV)
def test_read_csv_errors(tmp_path, text, target, task, error, pattern):
    path = tmp_path / "nope.csv"
    if text is not None:
        path.write_text(text)
    with pytest.raises(error, match=pattern):
        read_csv(path, target, task=task)


def test_read_csv_drop_and_dropna_target(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,a,b,y\n1,0.5,x,1\n2,1.5,y,\n3,2.5,x,0\n4,3.5,y,\n5,4.5,x,1\n")
    X, y, task = read_csv(path, "y", drop=["id", "b"], dropna_target=True)
    assert list(X.columns) == ["a"] and X["a"].tolist() == [0.5, 2.5, 4.5]
    # read as floats because of the gaps; whole numbers again once they are left out
    assert y.dtype == np.int64 and y.tolist() == [1, 0, 1] and task == "classification"
    assert X.index.tolist() == y.index.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=re.escape(
            f"cannot drop 'c': not a column of '{path}', whose columns are: id, a, b, y.")):
        read_csv(path, "y", drop=["c"], dropna_target=True)
    with pytest.raises(ValueError, match="^cannot drop 'y': it is the target column.$"):
        read_csv(path, "y", drop=["y"])
    with pytest.raises(ValueError, match=re.escape(
            f"'{path}' has no feature columns besides the target 'y' and the dropped 'id', "
            "'a', 'b'.")):
        read_csv(path, "y", drop=["id", "a", "b"], dropna_target=True)
    with pytest.raises(ValueError, match=re.escape(
            "the target column 'y' has no value at all: every one of its 2 rows is missing.")):
        (tmp_path / "empty_y.csv").write_text("a,y\n1,\n2,\n")
        read_csv(tmp_path / "empty_y.csv", "y", dropna_target=True)


# -- identifiers --------------------------------------------------------------------------
def test_id_like_columns():
    n = 40
    X = pd.DataFrame({
        "name": [f"car {k}" for k in range(n)],             # every value distinct
        "code": [f"c{k % 25}" for k in range(n)],           # 25 values in 40 rows: 0.62
        "colour": ["red", "blue"] * (n // 2),               # few levels: a category
        "shop": [f"s{k % 19}" for k in range(n)],           # 19 values: below 20
        "row": np.arange(n) + 100,                          # a row number
        "count": np.arange(n) * 2,                          # distinct, not consecutive
        "x": np.linspace(0, 1, n),                          # distinct floats: a feature
        "flag": [True, False] * (n // 2),
    })
    X.loc[0, "name"] = None  # 39 non-missing rows, 39 distinct
    found = id_like_columns(X)
    assert [(c, d, r) for c, d, r, _ in found] == [("name", 39, 39), ("code", 25, 40),
                                                   ("row", 40, 40)]
    assert found[1][3] == ("column 'code' looks like an identifier: 25 distinct values in "
                           "40 rows (ratio 0.62, above 0.5)")
    assert found[2][3] == ("column 'row' looks like a row number: 40 distinct consecutive "
                           "integers in 40 rows")
    # at the threshold, not above it: 20 distinct values in 40 rows
    assert id_like_columns(pd.DataFrame({"c": [f"c{k % 20}" for k in range(40)]})) == []


def test_preprocess_warns_of_id_like_columns():
    X = pd.DataFrame({"name": [f"car {k}" for k in range(30)], "x": np.arange(30) * 0.5})
    with pytest.warns(IdLikeColumnWarning) as caught:
        preprocess([("linear", LogisticRegression())], X)
    assert [str(w.message) for w in caught] == [
        "column 'name' looks like an identifier: 30 distinct values in 30 rows (ratio 1.00, "
        "above 0.5); a model can only memorise it. If it is one, drop it from X "
        "(X.drop(columns=['name']))."]


# -- preprocess ---------------------------------------------------------------------------
def test_notes_describe_data_and_each_member():
    X, _ = messy_frame()
    models, notes = preprocess(make_learners(device="cpu", random_state=0, size="small"), X)
    assert [n for n, _ in models] == ["net", "xgb", "lgbm", "rf", "et", "linear", "knn"]
    assert notes[0].startswith("data: 120 rows, 5 features: 2 numeric, 3 categorical")
    assert "city: 25 levels" in notes[0] and "x2: " in notes[0] and "colour: " in notes[0]
    by_name = dict(line.split(": ", 1) for line in notes[1:])
    for name in ("net", "linear", "knn"):
        assert "one-hot encoded colour, flag" in by_name[name]
        assert f"ordinal encoded city (more than {MAX_ONEHOT} levels)" in by_name[name]
        assert "median-imputed the numeric columns" in by_name[name]
    for name in ("rf", "et"):  # scikit-learn's forests take NaN: encoded, not imputed
        assert "ordinal encoded colour, city, flag (a tree model)" in by_name[name]
        assert "numeric missing values left as NaN" in by_name[name]
    for name in ("net", "linear", "knn", "rf", "et"):
        assert "missing values of colour are a level of their own" in by_name[name]
    assert "enable_categorical=True" in by_name["xgb"]
    assert "missing values left as NaN" in by_name["xgb"]
    assert "LightGBM's categorical splits" in by_name["lgbm"]


def test_native_members_get_category_dtype_and_nan():
    X, _ = messy_frame()
    models, _ = preprocess(make_learners(device="cpu", random_state=0, size="small"), X)
    xgb = dict(models)["xgb"]
    assert isinstance(xgb, TablePipeline) and xgb[-1].get_params()["enable_categorical"] is True
    seen = xgb[0].fit_transform(X)
    assert [str(seen[c].dtype) for c in ("colour", "city", "flag")] == ["category"] * 3
    assert seen["colour"].cat.categories.tolist() == ["blue", "green", "red"]
    assert seen["flag"].cat.categories.tolist() == ["False", "True"]
    assert seen["x2"].isna().sum() == X["x2"].isna().sum()  # no imputation
    assert seen["colour"].isna().sum() == X["colour"].isna().sum()


def test_nothing_to_do_returns_models_as_given():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0, 1, 0]})
    learner = LogisticRegression()
    models, notes = preprocess([("linear", learner)], X)
    assert models[0][1] is learner
    assert notes == ["data: 3 rows, 2 features: 2 numeric, 0 categorical; no missing values.",
                     "linear: no preprocessing needed."]


def test_given_models_are_not_changed():
    X, _ = messy_frame()
    learners = make_learners(device="cpu", random_state=0, size="small")
    before = [pickle.dumps(e) for _, e in learners]
    preprocess(learners, X)
    assert [pickle.dumps(e) for _, e in learners] == before


@pytest.mark.parametrize("name", ["net", "xgb", "lgbm", "rf", "et", "linear", "knn"])
def test_level_unseen_in_training_fold_does_not_crash(name):
    X, y = messy_frame()
    # "purple" and a new city appear only in the rows a fold validates on.
    held = np.arange(100, 120)
    X.loc[held[:5], "colour"] = "purple"
    X.loc[held[5:10], "city"] = "atlantis"
    models, _ = preprocess(make_learners(device="cpu", random_state=0, size="small"), X)
    model = clone(dict(models)[name])
    train = np.arange(100)
    y_enc = (y == "yes").astype(int)
    model.fit(X.iloc[train], y_enc[train])
    proba = model.predict_proba(X.iloc[held])
    assert proba.shape == (20, 2) and np.all(np.isfinite(proba))
    # On the fold, the encoded width is that of the full column: nothing differs by fold.
    if name in ("linear", "knn", "net"):
        width = model[:-2].transform(X.iloc[held]).shape[1]
        other = clone(dict(models)[name]).fit(X.iloc[held], y_enc[held])
        assert other[:-2].transform(X.iloc[train]).shape[1] == width


def test_preprocessed_model_round_trips_through_pickle():
    X, y = messy_frame()
    models, _ = preprocess([("linear", LogisticRegression())], X)
    fitted = models[0][1].fit(X, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))


def test_level_unknown_at_predict_time_is_missing():
    cast = AsCategories({"c": ["a", "b"]}).fit(pd.DataFrame({"c": ["a", "b"]}))
    out = cast.transform(pd.DataFrame({"c": ["a", "zzz", None]}))
    assert out["c"].isna().tolist() == [False, True, True]


@pytest.mark.parametrize("X, error, pattern", [
    (np.zeros((3, 2)), TypeError, "preprocess needs X as a DataFrame; got ndarray"),
    (pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-01-02"])}), TypeError,
     "column 'd' holds datetime64"),
])
def test_preprocess_errors(X, error, pattern):
    with pytest.raises(error, match=re.escape(pattern)):
        preprocess([("linear", LogisticRegression())], X)


@pytest.mark.parametrize("name", ["net", "xgb", "lgbm", "rf", "et", "linear", "knn"])
def test_wrapped_models_take_nan_anywhere_as_their_tags_say(name):
    X, y = messy_frame()
    models, _ = preprocess(make_learners(device="cpu", random_state=0, size="small"), X)
    model = dict(models)[name]
    tags = get_tags(model).input_tags
    assert tags.allow_nan and tags.string
    model.fit(X, (y == "yes").astype(int))
    # x1 had no missing value when fitted; a NaN there must still be taken.
    blank = X.iloc[:3].astype({"flag": object})
    blank.loc[:, :] = np.nan
    assert np.all(np.isfinite(model.predict_proba(blank)))
