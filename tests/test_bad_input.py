"""Bad input, table by table: every public estimator and function, each case with the
exact message it gets (issue 14, acceptance item 2).

A row is ``(id, call, error, message)``: ``call()`` must raise ``error`` with exactly
``message`` (a ``str``), or a message matching ``message`` in full (a compiled pattern,
where scikit-learn prints a set of options in an order that changes with Python's hash
seed). Warnings have a table of their own. The last test checks that every public
estimator class and every public function has rows here, so a new one cannot be left
out.
"""

import re
import warnings

import numpy as np
import pytest
from instances import default_instance, public_estimators
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

import ensembles
from ensembles import (
    AdaBoostClassifier,
    BenchmarkResult,
    EnsembleSelectionClassifier,
    EnsembleSelectionRegressor,
    NetClassifier,
    NetRegressor,
    OverfittingReport,
    StackingClassifier,
    VotingClassifier,
    benchmark,
    cross_fit,
    make_learners,
    overfitting_report,
    resolve_device,
    set_device,
)

rng = np.random.RandomState(0)
X = rng.randn(30, 3)
Y_CLF = np.arange(30) % 2
Y_REG = X[:, 0].copy()
Y_THREE = np.arange(30) % 3
MEMBERS = [("lr", LogisticRegression()), ("tree", DecisionTreeClassifier())]
FOLDS = list(KFold(3).split(X))
NET = dict(hidden_layer_sizes=(4,), max_epochs=3, random_state=0)


def _options(param, owner, *options):
    """scikit-learn's message for a str option outside ``options``, in any order."""
    either = "|".join(re.escape(", ".join(repr(o) for o in order))
                      for order in (options, options[::-1]))
    return re.compile(rf"The '{param}' parameter of {owner} must be a str among "
                      rf"\{{({either})\}}\. Got 'ignore' instead\.")


def _cross_fit(**kwargs):
    args = {"estimators": MEMBERS, "X": X, "y": Y_CLF, "folds": FOLDS, **kwargs}
    return lambda: cross_fit(args.pop("estimators"), args.pop("X"), args.pop("y"), **args)


FOLDS_EVERY_ROW = (
    "folds must put every row in exactly one test fold (KFold, StratifiedKFold, "
    "GroupKFold, ... or such an iterable of (train, test) indices) so that each row gets "
    "one out-of-fold prediction; got splits where {} rows are never and {} rows are more "
    "than once in a test fold.")
ENCODE = ("y must hold the classes encoded as integers 0 to 1 (n_classes=2); got the "
          "labels {}. Encode them first, e.g. with "
          "sklearn.preprocessing.LabelEncoder().fit_transform(y).")

# -- functions ---------------------------------------------------------------------------
FUNCTION_CASES = [
    # cross_fit: the cases of issue 14, then the rest of its arguments
    ("cross_fit-folds-int", _cross_fit(folds=5), TypeError,
     "folds must be an iterable of (train, test) index arrays, such as "
     "list(KFold(5).split(X)) or make_folds(5, X, y, classifier=...); got 5."),
    ("cross_fit-folds-train-overlaps-test",
     _cross_fit(folds=[(np.arange(10, 30), np.arange(0, 15)),
                       (np.arange(0, 10), np.arange(15, 30))]), ValueError,
     "folds: fold 0 has 5 row(s) in both its train and test parts (first: row 10); a "
     "fold's test rows must be unseen by its fit."),
    ("cross_fit-folds-overlapping-tests",
     _cross_fit(folds=[(np.arange(20, 30), np.arange(0, 20)),
                       (np.arange(0, 10), np.arange(10, 30))]), ValueError,
     FOLDS_EVERY_ROW.format(0, 10)),
    ("cross_fit-folds-missing-rows",
     _cross_fit(folds=[(np.arange(20, 30), np.arange(0, 10)),
                       (np.arange(0, 20), np.arange(20, 30))]), ValueError,
     FOLDS_EVERY_ROW.format(10, 0)),
    ("cross_fit-folds-out-of-range",
     _cross_fit(folds=[(np.arange(15, 30), np.arange(0, 15)),
                       (np.arange(0, 15), np.arange(15, 31))]), ValueError,
     "folds: the test part of fold 1 holds row index 30, outside 0..29 (X has 30 rows)."),
    ("cross_fit-folds-empty", _cross_fit(folds=[]), ValueError,
     "folds must hold at least one (train, test) fold; got none."),
    ("cross_fit-folds-not-pairs", _cross_fit(folds=[np.arange(30)]), TypeError,
     "folds: fold 0 must be a (train, test) pair of index arrays; got an array of shape "
     "(30,) and dtype int64."),
    ("cross_fit-folds-masks",
     _cross_fit(folds=[(np.arange(30) < 15, np.arange(30) >= 15)]), TypeError,
     "folds: the train part of fold 0 must be a 1-d array of row indices (integers); got "
     "an array of shape (30,) and dtype bool."),
    ("cross_fit-methods-key-typo", _cross_fit(methods={"lrr": "predict_proba"}), ValueError,
     "methods names ['lrr'], not among the members ['lr', 'tree']; its keys must be member "
     "names."),
    ("cross_fit-methods-unknown-method", _cross_fit(methods={"lr": "predict_probability"}),
     ValueError,
     "methods['lr'] must be None or the name of a prediction method of member 'lr' "
     "(LogisticRegression), such as 'predict' or 'predict_proba'; got "
     "'predict_probability'."),
    ("cross_fit-string-labels", _cross_fit(y=np.where(Y_CLF, "yes", "no"), n_classes=2),
     ValueError, ENCODE.format("{'no', 'yes'}")),
    ("cross_fit-labels-1-2", _cross_fit(y=Y_CLF + 1, n_classes=2), ValueError,
     ENCODE.format("{1, 2}")),
    ("cross_fit-rows", _cross_fit(y=Y_CLF[:-1]), ValueError,
     "X and y must have the same number of rows; got 30 and 29."),
    ("cross_fit-negative-weight", _cross_fit(sample_weight=-np.ones(30)), ValueError,
     "Negative values in data passed to `sample_weight`: cross_fit expects weights >= 0, "
     "one a row of X; got -1 at row 0 (30 negative weights in all). Give those rows "
     "weight 0 or drop them."),
    ("cross_fit-weight-length", _cross_fit(sample_weight=np.ones(3)), ValueError,
     "sample_weight.shape == (3,), expected (30,)! (cross_fit expects sample_weight as "
     "one finite weight >= 0 a row of X, 30 rows, not all zero; got an array of shape "
     "(3,).)"),
    ("cross_fit-duplicate-names",
     _cross_fit(estimators=[("a", LogisticRegression()), ("a", Ridge())]), ValueError,
     "estimators of cross_fit must have distinct names; ['a'] appear more than once."),
    ("cross_fit-not-pairs", _cross_fit(estimators=[LogisticRegression()]), TypeError,
     "estimators of cross_fit must be a list of (name, estimator) pairs; got "
     "[LogisticRegression()]."),
    ("cross_fit-n_jobs", _cross_fit(n_jobs="two"), ValueError,
     "The 'n_jobs' parameter of cross_fit must be an instance of 'int' or None. Got 'two' "
     "instead."),
    ("cross_fit-n_classes", _cross_fit(n_classes=1), ValueError,
     "The 'n_classes' parameter of cross_fit must be an int in the range [2, inf) or "
     "None. Got 1 instead."),
    ("cross_fit-on_error", _cross_fit(on_error="ignore"), ValueError,
     _options("on_error", "cross_fit", "raise", "skip")),
    ("cross_fit-memory", _cross_fit(memory=3), ValueError,
     "The 'memory' parameter of cross_fit must be None, an instance of 'str', an instance "
     "of 'os.PathLike' or an object implementing 'cache'. Got 3 instead."),
    ("cross_fit-fit_params-key", _cross_fit(fit_params={"lrr": {}}), ValueError,
     "fit_params names ['lrr'], not among the members ['lr', 'tree']; its keys must be "
     "member names."),
    ("cross_fit-scorer-name", _cross_fit(scoring={"acc": "acuracy"}), ValueError,
     "scoring['acc']: 'acuracy' is not a valid scoring value. Use "
     "sklearn.metrics.get_scorer_names() to get valid options."),
    ("cross_fit-deadline", _cross_fit(deadline="soon"), ValueError,
     "The 'deadline' parameter of cross_fit must be an instance of 'float' or None. Got "
     "'soon' instead."),
    ("cross_fit-scorer-not-callable", _cross_fit(scoring={"acc": 3}), ValueError,
     "scoring['acc'] must be a scorer name or a callable scorer(estimator, X, y); got 3."),
    # benchmark
    ("benchmark-models", lambda: benchmark([LogisticRegression()], X, Y_CLF, verbose=0),
     TypeError, "models of benchmark must be a list of (name, estimator) pairs; got "
     "[LogisticRegression()]."),
    ("benchmark-on_error",
     lambda: benchmark(MEMBERS, X, Y_CLF, on_error="ignore", verbose=0), ValueError,
     _options("on_error", "benchmark", "raise", "skip")),
    ("benchmark-verbose", lambda: benchmark(MEMBERS, X, Y_CLF, verbose="loud"), ValueError,
     "The 'verbose' parameter of benchmark must be an int in the range [0, inf), an "
     "instance of 'bool' or an instance of 'numpy.bool'. Got 'loud' instead."),
    ("benchmark-rows", lambda: benchmark(MEMBERS, X, Y_CLF[:-1], verbose=0), ValueError,
     "X and y must have the same number of rows; got 30 and 29."),
    ("benchmark-cv", lambda: benchmark(MEMBERS, X, Y_CLF, cv=1, verbose=0), ValueError,
     "cv must be at least 2 folds; got cv=1."),
    ("benchmark-task", lambda: benchmark(MEMBERS, X, Y_CLF, task="clf", verbose=0),
     ValueError, "task must be None, 'classification' or 'regression'; got 'clf'."),
    ("benchmark-time_limit-zero",
     lambda: benchmark(MEMBERS, X, Y_CLF, time_limit=0, verbose=0), ValueError,
     "The 'time_limit' parameter of benchmark must be a float in the range (0.0, inf) or "
     "None. Got 0 instead."),
    ("benchmark-time_limit-text",
     lambda: benchmark(MEMBERS, X, Y_CLF, time_limit="60", verbose=0), ValueError,
     "The 'time_limit' parameter of benchmark must be a float in the range (0.0, inf) or "
     "None. Got '60' instead."),
    ("benchmark-shuffle", lambda: benchmark(MEMBERS, X, Y_CLF, shuffle="yes", verbose=0),
     ValueError, "The 'shuffle' parameter of benchmark must be an instance of 'bool' or an "
     "instance of 'numpy.bool'. Got 'yes' instead."),
    ("benchmark-ensembles-text",
     lambda: benchmark(MEMBERS, X, Y_CLF, ensembles="voting_soft,boosting", verbose=0),
     ValueError, "ensembles must be 'default', 'none', None, names from ['voting_soft', "
     "'voting_auto', 'stacking', 'selection'] (a list, or one str separated by commas) or "
     "(name, estimator) pairs; got 'voting_soft,boosting'."),
    # a missing target: named, counted and located (scikit-learn: "Input contains NaN.";
    # among string labels: "'<' not supported between instances of 'str' and 'NoneType'")
    ("benchmark-y-nan",
     lambda: benchmark(MEMBERS, X, np.where(np.arange(30) == 4, np.nan, Y_CLF), verbose=0),
     ValueError, "benchmark: y has 1 missing value(s) (NaN or None), in row(s) 4; every row "
     "needs a target: drop those rows from X and y first."),
    ("overfitting_report-y-none",
     lambda: overfitting_report(MEMBERS, X, np.array(["a", "b", None] * 10, dtype=object),
                                cv=2),
     ValueError, "overfitting_report: y has 10 missing value(s) (NaN or None), in row(s) "
     "2, 5, 8, 11, 14, ...; every row needs a target: drop those rows from X and y first."),
    # scorers that cannot score the task: refused before any fit
    ("benchmark-scoring-f1-three-classes",
     lambda: benchmark(MEMBERS, X, Y_THREE, scoring="f1", verbose=0), ValueError,
     "scoring 'f1' cannot score these 3 classes (0, 1, 2): Target is multiclass but "
     "average='binary'. Please choose another average setting, one of [None, 'micro', "
     "'macro', 'weighted']. Use 'f1_macro' instead."),
    ("benchmark-scoring-roc_auc-three-classes",
     lambda: benchmark(MEMBERS, X, Y_THREE, scoring="roc_auc", verbose=0), ValueError,
     "scoring 'roc_auc' cannot score these 3 classes (0, 1, 2): multi_class must be in "
     "('ovo', 'ovr'). Use 'roc_auc_ovr' instead."),
    ("benchmark-scoring-pos_label",
     lambda: benchmark(MEMBERS, X, np.where(Y_CLF, "yes", "no"), scoring="f1", verbose=0),
     ValueError, "scoring 'f1' cannot score these 2 classes (no, yes): pos_label=1 is not a "
     "valid label: It should be one of ['no' 'yes']. Say which class is the positive one "
     "with a scorer of your own: make_scorer(f1_score, pos_label='yes')."),
    ("benchmark-scoring-regression-score",
     lambda: benchmark(MEMBERS, X, Y_CLF, scoring=["accuracy", "r2"], verbose=0), ValueError,
     "scoring 'r2' is a regression score (r2_score) but the task is classification; choose "
     "one such as 'accuracy', 'balanced_accuracy', 'f1_macro', 'neg_log_loss'."),
    ("benchmark-scoring-classification-score",
     lambda: benchmark([("ridge", Ridge())], X, Y_REG, scoring="accuracy", verbose=0),
     ValueError, "scoring 'accuracy' is a classification score (accuracy_score) but the "
     "task is regression; choose one such as 'r2', 'neg_root_mean_squared_error', "
     "'neg_mean_absolute_error'."),
    ("benchmark-scoring-no-probabilities",
     lambda: benchmark([("svc", LinearSVC())], X, Y_CLF, scoring="neg_log_loss",
                       ensembles=None, verbose=0), ValueError,
     "scoring 'neg_log_loss' needs probabilities (predict_proba), which not every model "
     "gives; choose one such as 'accuracy', 'balanced_accuracy', 'f1_macro'."),
    # overfitting_report
    ("overfitting_report-shuffle",
     lambda: overfitting_report(LogisticRegression(), X, Y_CLF, shuffle=1.5), ValueError,
     "The 'shuffle' parameter of overfitting_report must be an instance of 'bool' or an "
     "instance of 'numpy.bool'. Got 1.5 instead."),
    ("overfitting_report-random_state",
     lambda: overfitting_report(LogisticRegression(), X, Y_CLF, random_state="seed"),
     ValueError, "The 'random_state' parameter of overfitting_report must be an int in the "
     "range [0, 4294967295], an instance of 'numpy.random.mtrand.RandomState' or None. Got "
     "'seed' instead."),
    ("overfitting_report-scoring-three-classes",
     lambda: overfitting_report(LogisticRegression(), X, Y_THREE, scoring="precision"),
     ValueError, "scoring 'precision' cannot score these 3 classes (0, 1, 2): Target is "
     "multiclass but average='binary'. Please choose another average setting, one of "
     "[None, 'micro', 'macro', 'weighted']. Use 'precision_macro' instead."),
    ("overfitting_report-scoring-classification-score",
     lambda: overfitting_report(Ridge(), X, Y_REG, scoring="balanced_accuracy"), ValueError,
     "scoring 'balanced_accuracy' is a classification score (balanced_accuracy_score) but "
     "the task is regression; choose one such as 'r2', 'neg_root_mean_squared_error', "
     "'neg_mean_absolute_error'."),
    # overfitting_report
    ("overfitting_report-estimator", lambda: overfitting_report("lr", X, Y_CLF), TypeError,
     "estimator must have a fit method; got 'lr'."),
    ("overfitting_report-overfit_gap",
     lambda: overfitting_report(LogisticRegression(), X, Y_CLF, overfit_gap=-0.1),
     ValueError, "The 'overfit_gap' parameter of overfitting_report must be a float in "
     "the range [0.0, inf). Got -0.1 instead."),
    ("overfitting_report-curves",
     lambda: overfitting_report(LogisticRegression(), X, Y_CLF, curves="yes"), ValueError,
     "The 'curves' parameter of overfitting_report must be an instance of 'bool' or an "
     "instance of 'numpy.bool'. Got 'yes' instead."),
    ("overfitting_report-rows",
     lambda: overfitting_report(LogisticRegression(), X, Y_CLF[:-1]), ValueError,
     "X and y must have the same number of rows; got 30 and 29."),
    # diversity
    ("diversity-rows", lambda: ensembles.diversity({"a": np.zeros(3)}, np.zeros(4)),
     ValueError, "diversity: the predictions of 'a' have 3 rows and y has 4; they must be "
     "of the same rows."),
    ("diversity-predictions", lambda: ensembles.diversity("x", np.zeros(3)), TypeError,
     "diversity: predictions must be a CrossFit (what cross_fit returns) or a dict of "
     "member name -> predictions; got str."),
    # tune
    ("tune-estimator",
     lambda: ensembles.tune(LogisticRegression(), X, Y_CLF, {"C": [1.0]}), TypeError,
     "tune: estimator must be one of the package's cross-validated ensembles "
     "(StackingClassifier/Regressor, VotingClassifier/Regressor, "
     "EnsembleSelectionClassifier/Regressor); got LogisticRegression."),
    ("tune-prefit",
     lambda: ensembles.tune(StackingClassifier(MEMBERS, cv="prefit"), X, Y_CLF,
                            {"final_estimator__C": [1.0]}), ValueError,
     "tune: estimator has cv='prefit', so no folds to score a trial on; give it cv=5 (or "
     "a splitter)."),
    # the rest
    ("make_learners-task", lambda: make_learners("clf"), ValueError,
     "task must be 'classification' or 'regression'; got 'clf'."),
    ("make_learners-size", lambda: make_learners(size="huge"), ValueError,
     "size must be 'small' or 'medium'; got 'huge'."),
    ("set_device-estimator", lambda: set_device("lr", "cpu"), TypeError,
     "set_device: estimator must be a scikit-learn compatible estimator (with "
     "get_params); got 'lr'."),
    ("set_device-device", lambda: set_device(LogisticRegression(), "tpu"), ValueError,
     "device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a GPU index); got 'tpu'."),
    ("resolve_device-device", lambda: resolve_device("tpu"), ValueError,
     "device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a GPU index); got 'tpu'."),
    ("BenchmarkResult-from_json", lambda: BenchmarkResult.from_json('{"format": "other"}'),
     ValueError, "from_json expects what BenchmarkResult.to_json wrote (format "
     "'ensembles.BenchmarkResult/1'); got format 'other'."),
    ("OverfittingReport-from_json",
     lambda: OverfittingReport.from_json('{"format": "other"}'), ValueError,
     "from_json expects what OverfittingReport.to_json wrote (format "
     "'ensembles.OverfittingReport/1'); got format 'other'."),
    # issue 14's numeric cases of nets (tests/test_net_guards.py has more)
    ("NetRegressor-target-beyond-float32",
     lambda: NetRegressor(**NET).fit(X, Y_REG * 1e40), ValueError,
     "y holds values up to 2.27e+40 in magnitude, beyond float32's range (3.4e+38), in "
     "which NetRegressor trains: rescale y (divide it by a power of ten) before fitting."),
    ("NetRegressor-diverging-lr",
     lambda: NetRegressor(**{**NET, "lr": 1e6}, optimizer="sgd").fit(X, Y_REG), ValueError,
     "The train loss of NetRegressor became inf at epoch 3: training diverged, and a net "
     "trained on from there predicts nothing but inf. Try a smaller lr (now 1e+06), or "
     "scale the inputs (scale_inputs=True, or a StandardScaler before the net)."),
    # time budgets of the estimators (tests/test_time_limit.py has the rest)
    ("EnsembleSelectionClassifier-time_limit",
     lambda: EnsembleSelectionClassifier(MEMBERS, time_limit=-1).fit(X, Y_CLF), ValueError,
     "The 'time_limit' parameter of EnsembleSelectionClassifier must be a float in the "
     "range (0.0, inf) or None. Got -1 instead."),
    ("EnsembleSelectionRegressor-time_limit",
     lambda: EnsembleSelectionRegressor([("ridge", Ridge())], time_limit=0).fit(X, Y_REG),
     ValueError, "The 'time_limit' parameter of EnsembleSelectionRegressor must be a float "
     "in the range (0.0, inf) or None. Got 0 instead."),
    # members fitted on other classes than y's, named
    ("VotingClassifier-frozen-member-classes",
     lambda: VotingClassifier([("lr", FrozenEstimator(LogisticRegression().fit(
         X, np.where(Y_CLF, "b", "c"))))]).fit(X, np.where(Y_CLF, "a", "b")), ValueError,
     "member 'lr' (LogisticRegression) was fitted on the classes ['b', 'c'], of which "
     "['c'] are not among y's classes ['a', 'b']; fit it on labels of the same set as y."),
    ("StackingClassifier-prefit-member-classes",
     lambda: StackingClassifier([("lr", LogisticRegression().fit(X, Y_CLF + 5))],
                                cv="prefit").fit(X, Y_CLF), ValueError,
     "member 'lr' (LogisticRegression) was fitted on the classes [5, 6], of which [5, 6] "
     "are not among y's classes [0, 1]; fit it on labels of the same set as y."),
    ("EnsembleSelectionClassifier-frozen-member-classes",
     lambda: EnsembleSelectionClassifier([("lr", FrozenEstimator(LogisticRegression().fit(
         X, Y_CLF + 5)))]).fit(X, Y_CLF), ValueError,
     "member 'lr' (LogisticRegression) was fitted on the classes [5, 6], of which [5, 6] "
     "are not among y's classes [0, 1]; fit it on labels of the same set as y."),
]


# -- every estimator: the same cases, the same sentences ---------------------------------
def _estimator_cases(cls):
    name = cls.__name__
    est = default_instance(cls)
    if isinstance(est, NetClassifier | NetRegressor):
        est.set_params(**NET)
    y = Y_CLF if is_classifier(est) else Y_REG

    def fit(X_=X, y_=y, **kwargs):
        return lambda: clone(est).fit(X_, y_, **kwargs)

    cases = [
        (f"{name}-negative-weight", fit(sample_weight=np.r_[np.ones(29), -2.0]), ValueError,
         f"Negative values in data passed to `sample_weight`: {name} expects weights >= 0, "
         "one a row of X; got -2 at row 29 (1 negative weight in all). Give those rows "
         "weight 0 or drop them."),
        (f"{name}-weight-length", fit(sample_weight=np.ones(3)), ValueError,
         f"sample_weight.shape == (3,), expected (30,)! ({name} expects sample_weight as "
         "one finite weight >= 0 a row of X, 30 rows, not all zero; got an array of shape "
         "(3,).)"),
        (f"{name}-weight-nan", fit(sample_weight=np.r_[np.nan, np.ones(29)]), ValueError,
         f"Input sample_weight contains NaN. ({name} expects sample_weight as one finite "
         "weight >= 0 a row of X, 30 rows, not all zero; got an array of shape (30,).)"),
        (f"{name}-rows", fit(y_=y[:-1]), ValueError,
         "X and y must have the same number of rows; got 30 and 29."),
        (f"{name}-y-none", fit(y_=None), ValueError,
         f"This {name} estimator requires y to be passed, but the target y is None."),
        (f"{name}-not-fitted", lambda: clone(est).predict(X), NotFittedError,
         f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments "
         "before using this estimator."),
    ]
    if not is_classifier(est):
        cases.append((f"{name}-string-target", fit(y_=np.where(Y_CLF, "yes", "no")),
                      ValueError, f"{name} is a regressor: y must hold numbers; got labels "
                      "such as 'no', 'yes' (dtype <U3). For classes, use a classifier."))
    elif cls is not AdaBoostClassifier:  # takes one class, as scikit-learn's does
        cases.append((f"{name}-one-class", fit(y_=np.zeros(30, dtype=int)), ValueError,
                      f"{name} needs at least 2 classes in y; got 1 class (0)."))
    return cases


ESTIMATOR_CASES = [case for cls in public_estimators() for case in _estimator_cases(cls)]
CASES = FUNCTION_CASES + ESTIMATOR_CASES


@pytest.mark.parametrize("call, error, message",
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_bad_input_gets_its_message(call, error, message):
    with warnings.catch_warnings():
        # a case's own subject is its error; a net's input-scale warning is not
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(error) as info:
            call()
    if isinstance(message, re.Pattern):
        assert message.fullmatch(str(info.value)), str(info.value)
    else:
        assert str(info.value) == message


# -- warnings ------------------------------------------------------------------------------
def _left_out_member():
    class Broken(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise RuntimeError("boom")

    return cross_fit([("lr", LogisticRegression()), ("broken", Broken())], X, Y_CLF,
                     folds=FOLDS, on_error="skip")


WARNING_CASES = [
    ("cross_fit-on_error-skip", _left_out_member, UserWarning,
     "'broken' left out: RuntimeError: member 'broken' failed in fold 0: boom"),
    ("NetRegressor-huge-inputs",
     lambda: NetRegressor(**NET, scale_target=True).fit(X * 1e30, Y_REG), UserWarning,
     "X holds values up to 2.55e+30 in magnitude (feature 2): NetRegressor trains in "
     "float32 with weights started for inputs of order 1, and inputs of 1e+06 or more "
     "saturate its first layer (a classifier ends at chance). Standardise X: "
     "scale_inputs=True, or a StandardScaler before the net."),
    ("NetClassifier-finite-divergence",
     lambda: NetClassifier(**{**NET, "lr": 1e6}, optimizer="sgd").fit(X, Y_CLF),
     ConvergenceWarning, re.compile(
         r"NetClassifier did not converge: its training loss at epoch 3 is \S+, more than "
         r"a million times the loss of predicting a constant \(0\.6931\); training "
         r"diverged or never got going\. Try a smaller lr \(now 1e\+06\), or scale the "
         r"inputs \(scale_inputs=True, or a StandardScaler before the net\)\.")),
]


@pytest.mark.parametrize("call, category, message",
                         [pytest.param(*case[1:], id=case[0]) for case in WARNING_CASES])
def test_bad_input_gets_its_warning(call, category, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except ValueError:  # a net that diverged on huge inputs: its warning came first
            pass
    texts = [str(w.message) for w in caught if issubclass(w.category, category)]
    if isinstance(message, re.Pattern):
        assert any(message.fullmatch(text) for text in texts), texts
    else:
        assert message in texts, texts


def test_every_public_estimator_and_function_has_rows():
    ids = [case[0] for case in CASES + WARNING_CASES]
    public = [name for name in ensembles.__all__ if name != "__version__"]
    missing = [name for name in public if not any(i.startswith(name + "-") for i in ids)]
    # CrossFit and TuneResult are what cross_fit and tune return (records with no input
    # of their own); DeviceUnavailableError is an exception type
    assert sorted(missing) == ["CrossFit", "DeviceUnavailableError", "TuneResult"]
