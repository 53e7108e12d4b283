"""The out-of-fold engine: the one place where cross-validated training happens.

:func:`cross_fit` fits every (member, fold) pair exactly once, in parallel, and keeps what
every consumer needs: the out-of-fold predictions (stacking, ensemble selection, learned
voting weights, the benchmark), the fold models (bagged prediction without a refit), the
train and validation scores of each fold (the overfitting report) and the fit times.
Optionally it also fits each member on all rows in the same parallel batch, so a stack
with ``refit=True`` costs one scheduling round, not two.

The fold models are what weighs: a random forest of a fold is as large as the one refitted
on all rows, so keeping them all makes a stack hold ``cv + 1`` forests. With
``keep_models=False`` each is dropped in its worker once it has predicted and been scored;
a :class:`DroppedModel` of a few bytes is left in its place.
"""

import dataclasses
import inspect
import time
from dataclasses import dataclass, field
from numbers import Integral, Number, Real

import joblib
import numpy as np
from joblib import delayed
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import (
    ClassifierTags,
    InputTags,
    RegressorTags,
    Tags,
    TargetTags,
    TransformerTags,
    check_random_state,
    get_tags,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import has_fit_parameter

from .._compat import (
    Interval,
    StrOptions,
    _check_method_params,
    _num_samples,
    _safe_indexing,
    validate_params,
)
from .._validation import (
    check_pairs,
    check_same_rows,
    check_sample_weight,
    name_failure,
    warn_user,
)
from ..learners.device import runs_on_gpu
from .cache import MEMORY, fit_cache
from .parallel import Several, batches_nets, learner_modules, run
from .replay import NotKeptError, Replay, _predict
from .stopping import fit_stopping, stopped_refit, stopper

__all__ = [
    "CrossFit",
    "DroppedModel",
    "FoldAverage",
    "check_accepts_sample_weight",
    "check_folds",
    "make_folds",
    "cross_fit",
    "fingerprint",
    "fit_member",
]


@dataclass
class CrossFit:
    """What :func:`cross_fit` returns.

    Attributes
    ----------
    names : list of str
        Member names, in the order given.
    folds : list of (train, test) index arrays
        The splits every member was fitted on (the same for all members).
    methods : dict
        Member name -> prediction method used for ``oof`` (or None: no predictions).
    oof : dict
        Member name -> out-of-fold predictions, rows in the order of ``X``.
    fold_estimators : dict
        Member name -> list of fitted estimators, one per fold; with
        ``keep_models=False``, one :class:`DroppedModel` per fold in their place.
    full_estimators : dict
        Member name -> estimator fitted on all rows (only when ``refit=True``).
    scores : dict
        Member name -> {"train_<scorer>" / "test_<scorer>": array of one score per fold}.
    fit_times, score_times : dict
        Member name -> array of seconds per fold.
    refit_times : dict
        Member name -> seconds of its fit on all rows (only when ``refit=True``).
    fingerprint : str
        :func:`fingerprint` of ``(X, y)``, to check that a reused record matches the data.
    outputs : dict
        Member name -> one ``{"train": {method: output}, "test": {...}}`` per fold: the raw
        outputs of the fold model computed while scoring (``keep_outputs=True`` only), so
        that an ensemble of the fold models can be scored without predicting again.
    errors : dict
        Member name -> its first error, for members left out by ``on_error="skip"``.
    stopping_points : dict
        Member name -> the rounds (epochs, stages) each fold model kept, for members that
        early-stop (:mod:`ensembles.engine.stopping`); a refit on all rows trained for
        their median.
    skipped : dict
        Member name -> its fits that ``deadline`` did not let start (fold numbers, in
        order; None for the fit on all rows), for the members left out for it: a member
        with a fit missing has no complete out-of-fold predictions (or no refit), so it
        is not in ``names`` nor in any other field.
    """

    names: list
    folds: list
    methods: dict
    oof: dict = field(default_factory=dict)
    fold_estimators: dict = field(default_factory=dict)
    full_estimators: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    fit_times: dict = field(default_factory=dict)
    score_times: dict = field(default_factory=dict)
    refit_times: dict = field(default_factory=dict)
    fingerprint: str = None
    outputs: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    stopping_points: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)


def fingerprint(X, y):
    """A cheap hash of the data a cross-fit ran on: its shape, ``y`` and up to 1,000 rows
    of ``X`` spread over it (to tell a reused record from one made on other data)."""
    n = _num_samples(X)
    rows = np.unique(np.linspace(0, n - 1, num=min(n, 1000)).astype(int)) if n else []
    return joblib.hash((n, getattr(X, "shape", None), np.asarray(y),
                        _safe_indexing(X, rows)))


def _weight_target(estimator):
    """(object whose fit takes the weight, keyword to pass it under)."""
    if isinstance(estimator, Pipeline):
        step_name, last = estimator.steps[-1]
        return last, f"{step_name}__sample_weight"
    return estimator, "sample_weight"


def _takes_sample_weight(estimator):
    """Whether ``estimator.fit`` takes ``sample_weight``: by name, or through
    ``**kwargs`` (scikit-learn's voting and stacking pass it to such a ``fit`` too)."""
    if has_fit_parameter(estimator, "sample_weight"):
        return True
    try:
        parameters = inspect.signature(estimator.fit).parameters.values()
    except (AttributeError, TypeError, ValueError):
        return False
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def check_accepts_sample_weight(estimator, name):
    """Raise a ``TypeError`` naming ``name`` if ``estimator.fit`` takes no sample_weight."""
    target, _ = _weight_target(estimator)
    if target == "passthrough" or not _takes_sample_weight(target):
        kind = type(target).__name__
        raise TypeError(
            f"Underlying estimator {kind} does not support sample weights: {name} "
            f"({kind}) does not accept sample_weight in fit; drop it, give no "
            "sample_weight, or wrap it so that it does."
        )


def _fit_kwargs(estimator, sample_weight, name, fit_params):
    """The keyword arguments :func:`fit_member` passes to ``estimator.fit``."""
    kwargs = dict(fit_params or {})
    if sample_weight is not None:
        check_accepts_sample_weight(estimator, name)
        _, key = _weight_target(estimator)
        kwargs[key] = sample_weight
    return kwargs


def fit_member(estimator, X, y, sample_weight=None, name="estimator", eval_set=None,
               watch=None, fit_params=None):
    """Fit ``estimator`` with ``sample_weight`` routed to where it can be used.

    A Pipeline gets the weight on its last step (``<step>__sample_weight``), as a user
    would write it; an estimator whose ``fit`` has no ``sample_weight`` gets a clear
    ``TypeError`` naming it, rather than having the weights silently ignored.

    ``eval_set=(X_val, y_val)`` is handed to ``watch(estimator, X, y, eval_set,
    fit_params)``, which fits while recording curves on it (the overfitting report passes
    :func:`ensembles.evaluation.monitor.fit_watched`); without ``watch`` it is unused.

    ``fit_params`` (routed metadata, see :meth:`ensembles.base.BaseCombiner._route_fit`)
    are passed to ``fit`` as they are.

    A member that early-stops and needs its validation rows given (XGBoost, LightGBM;
    :mod:`ensembles.engine.stopping`) early-stops on an inner split of ``X``: within a
    fold, of the fold's training rows only.
    """
    kwargs = _fit_kwargs(estimator, sample_weight, name, fit_params)
    stop = stopper(estimator)
    if stop is not None and stop.splits:  # stops on an inner split of X, never eval_set
        return fit_stopping(stop, estimator, X, y, kwargs)
    if eval_set is None or watch is None:
        return estimator.fit(X, y, **kwargs)
    return watch(estimator, X, y, eval_set, kwargs)


def _fold_data(X, y, train, sample_weight, fit_params):
    """(X, y, sample_weight, fit_params) of a fold's training rows (all rows: None)."""
    if train is None:
        return X, y, sample_weight, fit_params
    if fit_params:  # sample-aligned metadata: the fold's rows
        fit_params = _check_method_params(X, fit_params, indices=train)
    w_train = None if sample_weight is None else sample_weight[train]
    return _safe_indexing(X, train), y[train], w_train, fit_params


def _score_fold(record, estimator, X, y, X_train, y_train, test, method, scorers,
                n_classes, keep_outputs, keep_model=True, test_outputs=()):
    """Predict and score a fitted fold model into ``record`` (a refit has no test).

    ``keep_model=False``: the record gets a :class:`DroppedModel` in place of the fold
    model (with its outputs of ``test_outputs`` on the test rows), or None after an
    error, so that the model is freed in the worker and never sent back."""
    record["estimator"] = estimator
    if test is None:
        return record
    if not keep_model:
        record["estimator"] = None  # what is left after an error: nothing
    start = time.perf_counter()
    try:
        X_test = _safe_indexing(X, test)
        on_test, on_train = Replay(estimator, X_test), Replay(estimator, X_train)
        if method is not None:
            record["predictions"] = _predict(on_test, X_test, method, n_classes)
        scores = {}
        for scorer_name, scorer in (scorers or {}).items():
            scores[f"test_{scorer_name}"] = scorer(on_test, X_test, y[test])
            scores[f"train_{scorer_name}"] = scorer(on_train, X_train, y_train)
        record["scores"] = scores
        if keep_outputs:
            record["outputs"] = {"train": on_train.outputs, "test": on_test.outputs}
        record["score_time"] = time.perf_counter() - start
        if not keep_model:  # not timed: what the model would have been asked later
            record["estimator"] = DroppedModel(estimator, on_test, X_test, test_outputs,
                                               record["name"], record["fold"])
    except Exception as exc:  # noqa: BLE001
        record["error"] = exc
        record.pop("score_time", None)
    return record


def _too_late(deadline, expected):
    """Whether a fit must not start: ``deadline`` (a ``time.time()``) is passed, or would be
    by the end of a fit that takes ``expected`` seconds. Read in the worker, just before
    the fit, so that a task that waited in a queue is judged when it would start."""
    return deadline is not None and time.time() + expected > deadline


def _fit_task(name, fold, estimator, X, y, train, test, sample_weight, method, scorers,
              n_classes, monitor=None, keep_outputs=False, fit_params=None,
              keep_model=True, test_outputs=(), deadline=None, expected=0.0):
    """One (member, fold) fit; module-level so that loky and dask can pickle it.

    ``estimator`` is the member as given, cloned here: the caller's list of tasks then
    never holds a fitted model, so a fold model dropped after scoring
    (``keep_model=False``) is freed at once, also when the tasks run in this process."""
    if _too_late(deadline, expected):
        return {"name": name, "fold": fold, "skipped": True}
    estimator = clone(estimator)
    record = {"name": name, "fold": fold}
    X_train, y_train, w_train, fit_params = _fold_data(X, y, train, sample_weight,
                                                       fit_params)
    eval_set = None
    if monitor and test is not None:
        eval_set = (_safe_indexing(X, test), y[test])
    start = time.perf_counter()
    try:
        fit_member(estimator, X_train, y_train, w_train, eval_set=eval_set, watch=monitor,
                   fit_params=fit_params)
    except Exception as exc:  # noqa: BLE001 - re-raised by the caller, with the member named
        record["error"] = exc
        return record
    record["fit_time"] = time.perf_counter() - start
    _note_stopping_point(record, estimator)
    return _score_fold(record, estimator, X, y, X_train, y_train, test, method, scorers,
                       n_classes, keep_outputs, keep_model, test_outputs)


def _note_stopping_point(record, estimator):
    """Where a member that early-stops stopped (``record["stopped_at"]``), for the refit
    on all rows (:func:`ensembles.engine.stopping.stopped_refit`)."""
    stop = stopper(estimator)
    if stop is not None:
        record["stopped_at"] = stop.stopping_point(estimator)


def _fit_batch_task(name, fits, X, y, sample_weight, method, scorers, n_classes,
                    keep_outputs=False, fit_params=None, keep_model=True, test_outputs=(),
                    deadline=None, expected=0.0):
    """A net member's fold fits (and its refit), ``fits`` = [(fold, estimator, train,
    test), ...], trained as one batched model (:func:`ensembles.learners._batched.
    fit_together`), then each predicted and scored as :func:`_fit_task` does.

    Each record's ``fit_time`` is the batch's time split evenly over its fits: the fits
    share every step, so no one of them has a time of its own.

    An error of the batch as a whole (one exception returned for several fits) does not
    say which fold caused it: those fits are then made again one by one, so that each
    fold gets its own result and a failure names its own fold, as fold by fold.
    """
    from ..learners._batched import fit_together

    if _too_late(deadline, expected):  # one batch: all its fits or none
        return Several({"name": name, "fold": fold, "skipped": True} for fold, *_ in fits)
    data = [_fold_data(X, y, train, sample_weight, fit_params) for _, _, train, _ in fits]
    # cloned here, as in _fit_task: the caller keeps only the member as given
    tasks = [(clone(estimator), X_train, y_train,
              _fit_kwargs(estimator, w_train, name, params))
             for (_, estimator, _, _), (X_train, y_train, w_train, params) in zip(
                 fits, data, strict=True)]
    start = time.perf_counter()
    fitted = fit_together(tasks)
    shared = [i for i, result in enumerate(fitted)
              if isinstance(result, Exception) and sum(r is result for r in fitted) > 1]
    for i in shared:
        estimator, X_train, y_train, kwargs = tasks[i]
        try:
            fitted[i] = clone(estimator).fit(X_train, y_train, **kwargs)
        except Exception as exc:  # noqa: BLE001 - named by the caller
            fitted[i] = exc
    share = (time.perf_counter() - start) / len(fits)
    records = Several()
    for (fold, _, _, test), (X_train, y_train, _, _), result in zip(fits, data, fitted,
                                                                  strict=True):
        record = {"name": name, "fold": fold}
        if isinstance(result, Exception):
            record["error"] = result
        else:
            record["fit_time"] = share
            _note_stopping_point(record, result)
            _score_fold(record, result, X, y, X_train, y_train, test, method, scorers,
                        n_classes, keep_outputs, keep_model, test_outputs)
        records.append(record)
    return records


def _first_member_has(method):
    return lambda self: hasattr(self.estimators[0], method)


class FoldAverage(BaseEstimator):
    """The k fold models of one member, used as one: their predictions are averaged.

    What ``refit=False`` keeps instead of a member refitted on all rows (AutoGluon's
    bagged mode): one fit per member fewer, and a prediction that averages k models.
    """

    def __init__(self, estimators, n_classes=None):
        self.estimators = estimators
        self.n_classes = n_classes

    def _mean(self, method, X):
        return np.mean([_predict(e, X, method, self.n_classes) for e in self.estimators],
                       axis=0)

    @available_if(_first_member_has("predict_proba"))
    def predict_proba(self, X):
        return self._mean("predict_proba", X)

    @available_if(_first_member_has("decision_function"))
    def decision_function(self, X):
        return self._mean("decision_function", X)

    def predict(self, X):
        if self.n_classes is None:
            return self._mean("predict", X)
        if hasattr(self.estimators[0], "predict_proba"):
            return self._mean("predict_proba", X).argmax(axis=1)
        votes = np.stack([e.predict(X) for e in self.estimators]).astype(int)
        counts = np.apply_along_axis(np.bincount, 0, votes, minlength=self.n_classes)
        return counts.argmax(axis=0)


_PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")
#: What a dropped fold model keeps besides its fitted numbers: small, and read by scorers
#: and ensembles (columns of probabilities, the width and names of X).
_DESCRIBING = ("classes_", "n_features_in_", "feature_names_in_")


def _had(method):
    return lambda self: method in self.methods


def _output(model, method, X):
    """``model``'s ``method`` on ``X``; a log of probability 0 (a tree's leaf) is -inf
    without numpy's divide warning, as asked for a scorer that may never read it."""
    if method != "predict_log_proba":
        return getattr(model, method)(X)
    with np.errstate(divide="ignore"):
        return model.predict_log_proba(X)


class DroppedModel:
    """What :func:`cross_fit` keeps of a fold model it dropped (``keep_models=False``).

    The model is dropped in its worker once it has predicted (``CrossFit.oof``) and been
    scored; this stand-in of a few bytes stays in ``CrossFit.fold_estimators``. It keeps
    what a reader of the record asks of a fold model without predicting new rows:

    - ``model``: the class name of the model; ``member`` and ``fold``: whose it was;
    - its tags (``sklearn.utils.get_tags``), ``classes_``, ``n_features_in_``,
      ``feature_names_in_`` and its fitted attributes that are single numbers or strings
      (``n_iter_``, ``best_iteration_``, ...);
    - ``methods``: the prediction methods it had; each stays available as a method
      (``hasattr`` answers as for the model);
    - ``outputs``: the outputs on the fold's test rows of the methods ``cross_fit`` was
      asked to keep (``test_outputs``): such a method answers for those rows (as many of
      them), so the fold can still be scored, or an ensemble rebuilt from its record (the
      benchmark). Anything else raises a ``ValueError`` saying the model was dropped.

    Not an estimator: it cannot be fitted, cloned or asked about other rows.
    """

    def __init__(self, estimator, on_test, X_test, test_outputs, member, fold):
        # a wrapper that only watches its model (the benchmark's) names the model
        self.model = getattr(estimator, "_model_name", type(estimator).__name__)
        self.member, self.fold = member, fold
        self.methods = tuple(m for m in _PREDICT_METHODS if hasattr(estimator, m))
        self.n_rows = _num_samples(X_test)
        # as plain dicts: a pickle or a skops file of the record holds no sklearn class
        self._tags = dataclasses.asdict(get_tags(estimator))
        for key, value in vars(estimator).items():
            if (key.endswith("_") and not key.startswith("_")
                    and isinstance(value, Number | str | np.generic)):
                setattr(self, key, value)
        for key in _DESCRIBING:  # attributes or properties (a Pipeline's)
            value = getattr(estimator, key, None)
            if value is not None:
                setattr(self, key, value)
        # on_test (a Replay) computes each asked method once: the worker's own outputs
        self.outputs = {m: _output(on_test, m, X_test) for m in test_outputs
                        if m in self.methods}

    def __sklearn_tags__(self):
        parts = {"input_tags": InputTags, "target_tags": TargetTags,
                 "transformer_tags": TransformerTags, "classifier_tags": ClassifierTags,
                 "regressor_tags": RegressorTags}
        return Tags(**{key: parts[key](**value) if key in parts and value is not None
                       else value for key, value in self._tags.items()})

    def __repr__(self):
        return (f"DroppedModel({self.model}, member={self.member!r}, fold={self.fold}, "
                f"outputs={sorted(self.outputs)})")

    def _answer(self, method, X):
        if method in self.outputs and _num_samples(X) == self.n_rows:
            return self.outputs[method]
        kept = (f"it kept the outputs {sorted(self.outputs)} on its {self.n_rows} test rows"
                if self.outputs else "it kept no outputs")
        raise NotKeptError(
            f"the fold-{self.fold} model of member {self.member!r} ({self.model}) was "
            f"dropped after its fit (keep_models=False; keep_fold_models=False in an "
            f"ensemble) and cannot compute {method} on {_num_samples(X)} rows: {kept}. "
            "Fit with keep_fold_models=True (cross_fit(keep_models=True)) to keep the "
            "fold models.")

    @available_if(_had("predict"))
    def predict(self, X):
        return self._answer("predict", X)

    @available_if(_had("predict_proba"))
    def predict_proba(self, X):
        return self._answer("predict_proba", X)

    @available_if(_had("predict_log_proba"))
    def predict_log_proba(self, X):
        return self._answer("predict_log_proba", X)

    @available_if(_had("decision_function"))
    def decision_function(self, X):
        return self._answer("decision_function", X)


def check_folds(folds, n_samples, param="cv"):
    """Materialise ``folds`` (an iterable of ``(train, test)`` index arrays, as a
    splitter's ``split`` yields) and check them: integer indices of rows of ``X`` (0 to
    ``n_samples - 1``), a fold's train and test parts disjoint and its train part not
    empty, and every row in exactly one test part, so that each row gets one out-of-fold
    prediction. ``param`` is the argument the folds came from, named in the errors."""
    if isinstance(folds, Integral | str) or not hasattr(folds, "__iter__"):
        raise TypeError(
            f"{param} must be an iterable of (train, test) index arrays, such as "
            "list(KFold(5).split(X)) or make_folds(5, X, y, classifier=...); got "
            f"{folds!r}.")
    checked = []
    for i, fold in enumerate(folds):
        if not (isinstance(fold, tuple | list) and len(fold) == 2):
            raise TypeError(f"{param}: fold {i} must be a (train, test) pair of index "
                            f"arrays; got {_short(fold)}.")
        parts = []
        for part, indices in zip(("train", "test"), fold, strict=True):
            indices = np.asarray(indices)
            if indices.ndim != 1 or (indices.size and indices.dtype.kind not in "iu"):
                raise TypeError(
                    f"{param}: the {part} part of fold {i} must be a 1-d array of row "
                    f"indices (integers); got {_short(indices)}.")
            outside = indices[(indices < 0) | (indices >= n_samples)]
            if outside.size:
                raise ValueError(
                    f"{param}: the {part} part of fold {i} holds row index "
                    f"{int(outside[0])}, outside 0..{n_samples - 1} (X has {n_samples} "
                    "rows).")
            parts.append(indices.astype(np.intp, copy=False))
        train, test = parts
        if train.size == 0:
            raise ValueError(f"{param}: fold {i} has no training rows.")
        both = np.intersect1d(train, test)
        if both.size:
            raise ValueError(
                f"{param}: fold {i} has {both.size} row(s) in both its train and test "
                f"parts (first: row {int(both[0])}); a fold's test rows must be unseen "
                "by its fit.")
        checked.append((train, test))
    if not checked:
        raise ValueError(f"{param} must hold at least one (train, test) fold; got none.")
    counts = np.bincount(np.concatenate([test for _, test in checked]),
                         minlength=n_samples)
    if not np.all(counts == 1):
        raise ValueError(
            f"{param} must put every row in exactly one test fold (KFold, "
            "StratifiedKFold, GroupKFold, ... or such an iterable of (train, test) "
            "indices) so that each row gets one out-of-fold prediction; got splits where "
            f"{int(np.sum(counts == 0))} rows are never and {int(np.sum(counts > 1))} "
            "rows are more than once in a test fold."
        )
    return checked


def _short(value, limit=80):
    """``value`` described in a line: an array by its shape and dtype, else its repr
    (cut at ``limit`` characters)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[:limit - 4] + " ..."


def make_folds(cv, X, y, *, classifier, groups=None, every_class=False, shuffle=False,
               random_state=None):
    """The checked (train, test) splits of ``cv`` on ``X``, ``y`` (see :func:`check_folds`).

    An int ``cv`` means stratified k-fold for a classifier (plain k-fold otherwise, and
    for a multilabel target), as scikit-learn's ``check_cv``: in row order, unless
    ``shuffle`` (what :func:`~ensembles.benchmark` and
    :func:`~ensembles.overfitting_report` ask for), which shuffles the rows first, seeded
    by ``random_state`` (an int; None means :data:`FOLD_SEED`, so the folds are the same
    on every call; a ``RandomState`` draws the seed). A splitter or an iterable of splits
    is used as it is, whatever ``shuffle`` says. A class with fewer rows
    than folds gets scikit-learn's warning (some folds then miss it; members' outputs
    are aligned on all classes), and only ``cv`` above every class's count is an error,
    as in scikit-learn's ensembles. ``every_class=True`` (the report and the benchmark,
    which score every fold, where a test part without a class breaks probability
    scorers) refuses an int ``cv`` above the smallest class's count instead. ``y`` is
    integer-encoded for classifiers.
    """
    if isinstance(cv, Integral):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
        if classifier and every_class and np.ndim(y) == 1:
            _, counts = np.unique(y, return_counts=True)
            if counts.min() < cv:
                raise ValueError(
                    f"cv={cv} folds need at least {cv} rows of each class; the smallest "
                    f"class has {int(counts.min())}. Lower cv or pass a splitter."
                )
    splitter = check_cv(cv, y, classifier=classifier)
    if shuffle and isinstance(cv, Integral):
        splitter = type(splitter)(n_splits=int(cv), shuffle=True,
                                  random_state=fold_seed(random_state))
    return check_folds(splitter.split(X, y, groups), _num_samples(X))


#: The seed of shuffled folds when ``random_state`` is None (:func:`make_folds`).
FOLD_SEED = 0


def fold_seed(random_state):
    """The int that seeds shuffled folds: ``random_state`` itself when an int,
    :data:`FOLD_SEED` for None, one drawn from a ``RandomState``."""
    if random_state is None:
        return FOLD_SEED
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _name_the_member(exc, name, fold):
    return name_failure(exc, f"member {name!r} failed " + (
        "in the refit on all rows" if fold is None else f"in fold {fold}"))


def _left_out(name, exc):
    return f"{name!r} left out: {type(exc).__name__}: {exc}"


def note_failures(errors, notes, left):
    """Note each member that ``on_error="skip"`` left out (``errors``: ``CrossFit.errors``;
    :func:`cross_fit` warned about each); raise the first error when no member is
    ``left``."""
    notes += [_left_out(name, exc) for name, exc in errors.items()]
    if errors and not left:
        raise next(iter(errors.values()))


def describe_fits(fits):
    """``CrossFit.skipped``'s fits of a member in words: ``"folds 3, 4 and the fit on all
    rows"``."""
    folds = [str(f) for f in fits if f is not None]
    parts = [("fold " if len(folds) == 1 else "folds ") + ", ".join(folds)] if folds else []
    if None in fits:
        parts.append("the fit on all rows")
    return " and ".join(parts)


@validate_params(
    {
        "estimators": [list, tuple],
        "methods": [dict, None],
        "scoring": [dict, str, list, tuple, None],
        "refit": ["boolean"],
        "n_classes": [Interval(Integral, 2, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "desc": [str],
        "monitor": [callable, None],
        "keep_outputs": ["boolean"],
        "on_error": [StrOptions({"raise", "skip"})],
        "fit_params": [dict, None],
        "gpu_lane": ["boolean"],
        "batch_nets": [StrOptions({"auto"}), "boolean"],
        "deadline": [Real, None],
        "memory": MEMORY,
        "on_record": [callable, None],
    },
    # members' own parameters are still checked when they are fitted
    prefer_skip_nested_validation=False,
)
def cross_fit(estimators, X, y, *, folds, methods=None, sample_weight=None, scoring=None,
              refit=False, n_classes=None, n_jobs=None, verbose=0, desc="fitting",
              monitor=None, keep_outputs=False, on_error="raise", fit_params=None,
              gpu_lane=True, batch_nets="auto", keep_models=True, test_outputs=(),
              deadline=None, memory=None, on_record=None):
    """Fit each (member, fold) pair once, in parallel, and gather what was learned.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Unfitted members (cloned here for each fold; the given objects are not touched).
    X : array-like or DataFrame
        Passed to members as given (a DataFrame stays a DataFrame).
    y : ndarray
        Targets; integer-encoded for classifiers (members see 0..K-1).
    folds : list of (train, test)
        The splits; every row must be in exactly one ``test`` part.
    methods : dict, default=None
        Member name -> prediction method for the out-of-fold predictions, or None.
    sample_weight : ndarray, default=None
        Routed to each member's ``fit`` (see :func:`fit_member`).
    scoring : dict of str -> scorer or scorer name, default=None
        Scored on each fold's train and test parts, inside the worker.
    refit : bool, default=False
        Also fit each member on all rows (``full_estimators``), in the same batch.
    n_classes : int, default=None
        Number of classes, to align prediction columns; None for regression.
    n_jobs : int, default=None
        joblib workers over all (member, fold) tasks.
    verbose : int, default=0
        A progress bar over the tasks when > 0.
    desc : str, default="fitting"
        The progress bar's label.
    monitor : callable, default=None
        ``monitor(estimator, X, y, eval_set, fit_params)`` fits a member while it watches
        the fold's validation part ``eval_set``: only watched, never used to fit or stop.
        The overfitting report passes :func:`ensembles.evaluation.monitor.fit_watched`
        (curves of nets, XGBoost and LightGBM); the engine knows nothing of reports.
    keep_outputs : bool, default=False
        Keep the fold models' raw outputs on their train and test parts computed while
        scoring (``CrossFit.outputs``).
    on_error : {"raise", "skip"}, default="raise"
        A member that fails in any fold (fit or scoring): ``"raise"`` its error, named
        (member and fold), after all tasks ran; ``"skip"`` leave the member out of the
        result and keep its error in ``CrossFit.errors``.
    fit_params : dict, default=None
        Member name -> extra parameters of its ``fit`` (metadata routed by an ensemble,
        e.g. ``{"lr": {"sample_weight": w, "groups": g}}``); those of length
        ``n_samples`` are sliced to each fold's training rows, as scikit-learn's
        ``cross_validate`` does.
    gpu_lane : bool, default=True
        With ``n_jobs`` above one, the tasks of members that run on a GPU
        (:func:`ensembles.learners.device.runs_on_gpu`, a net with ``device="auto"``
        judged at the size of a fold) run one after another in one worker, beside the
        other members' tasks spread over the remaining workers: one CUDA context, no
        contention for the device. False spreads them like the others. Where the
        tasks run never changes what they fit.
    batch_nets : {"auto", True, False}, default="auto"
        The fold models of a member that is one of our nets (:class:`~ensembles.
        NetClassifier`, :class:`~ensembles.NetRegressor`), and its fit on all rows with
        ``refit``, are trained together as one batched model, in one task (see
        :mod:`ensembles.learners._batched`): each equals its own fit to float32
        rounding. "auto" batches the nets that can be (the default MLP without dropout
        or batch normalisation, Adam or AdamW, no learning-rate schedule, extra
        callbacks, fit parameters besides ``sample_weight`` or ``monitor``) and fits
        the others fold by fold; True raises a ``ValueError`` saying why when a net
        member cannot be batched (other members are fitted as usual); False never
        batches. A batched member's ``fit_times`` (and ``refit_times``) are the batch's
        time split evenly over its fits.
    keep_models : bool, default=True
        Keep the fitted fold models in ``CrossFit.fold_estimators``. False drops each
        one in its worker as soon as it has made its out-of-fold predictions and been
        scored, so that only one fold model per worker is held at a time and none is
        sent back: ``fold_estimators`` then holds a :class:`DroppedModel` per fold
        (tags, ``classes_``, fitted numbers, the outputs of ``test_outputs``). The
        predictions, scores and times are the same either way; the fits on all rows
        (``refit``) are always kept. What the ensembles use when they refit their
        members (``keep_fold_models=False``), and the benchmark.
    test_outputs : tuple of str, default=()
        With ``keep_models=False``: prediction methods (``"predict"``,
        ``"predict_proba"``, ``"predict_log_proba"``, ``"decision_function"``) whose
        outputs on each fold's test rows are computed in the worker, after the timed
        prediction, and kept on its :class:`DroppedModel` (those the model has), for
        scorers to read later without the model.
    deadline : float, default=None
        A time budget's end, as a ``time.time()`` value (``time.time() + seconds``):
        no fit starts after it, nor one that would end after it by the estimate of its
        member's fits: a (member, fold) fit starts only if, in its worker just before
        it would start, ``time.time()`` plus the mean duration (fit and scoring) of the
        member's fits finished when the task was handed out (0 before the first) is
        not past ``deadline``. A member's batched fits (``batch_nets``) are one task:
        all start or none. Fits that started always run to the end (a fit is never
        stopped), so the run ends at most one fit's duration (the longest that
        started) after ``deadline``. A
        member with a fit that did not start is left out of the result (like a failed
        one with ``on_error="skip"``, but without a warning) and named in
        ``CrossFit.skipped`` with the fits it lacks. The clocks of the workers must
        agree with this process's (one machine; a dask cluster's machines synchronised).
        None: no limit.
    memory : str, joblib.Memory or None, default=None
        Where to keep each (member, fold) fit's record, so that a fit done once, on the
        same data, rows and parameters, is read back rather than done again
        (:mod:`ensembles.engine.cache`): a path or a ``joblib.Memory`` (its
        ``location``); None keeps nothing.
    on_record : callable, default=None
        Called in this process with each (member, fold) fit's record as it arrives (a
        dict with "name", "fold", and "predictions", "scores", "error"... as the fit
        gave them; those read from ``memory`` first): what a tuner watches to prune a
        trial (:func:`ensembles.tune`). An exception it raises stops the run: fits not
        yet started are not started, and it propagates.

    Returns
    -------
    CrossFit
    """
    # Everything is checked here, before any fit: a bad argument costs no fits and
    # gets a message naming it, not an error from inside a worker.
    names = check_pairs(estimators, "estimators", "cross_fit")
    check_same_rows(X, y)
    if refit and isinstance(folds, list | tuple) and not folds:
        folds = []  # only the fits on all rows
    else:
        folds = check_folds(folds, _num_samples(X), "folds")
    methods = _check_member_keys(methods, names, "methods")
    for name, method in methods.items():
        member = dict(estimators)[name]
        if method is not None and not (isinstance(method, str) and hasattr(member, method)):
            raise ValueError(
                f"methods[{name!r}] must be None or the name of a prediction method of "
                f"member {name!r} ({type(member).__name__}), such as 'predict' or "
                f"'predict_proba'; got {method!r}.")
    fit_params = _check_member_keys(fit_params, names, "fit_params")
    if n_classes is not None:
        _check_encoded(y, n_classes)
    sample_weight = check_sample_weight(sample_weight, X, "cross_fit")
    scoring = _check_scoring(scoring)
    if sample_weight is not None:  # fail before any fit, not after some
        for name, estimator in estimators:
            check_accepts_sample_weight(estimator, f"member {name!r}")
    test_outputs = _check_keep_models(keep_models, test_outputs)
    # A member that early-stops is refitted on all rows for the median of its folds'
    # stopping points (engine.stopping): after its folds, in a second round.
    stopping = {name: stop for name, estimator in estimators
                if refit and folds and (stop := stopper(estimator)) is not None}
    tasks, batches = [], []
    # the running estimate of each member's fit (deadline): durations of its finished fits
    durations = {}
    for name, estimator in estimators:
        # the member as given: each task fits its own clone (see _fit_task)
        fits = [(fold, estimator, train, test) for fold, (train, test) in enumerate(folds)]
        if refit and name not in stopping:
            fits.append((None, estimator, None, None))
        watched = None if monitor is None else "its folds are watched on an eval_set (monitor)"
        if batches_nets(estimator, len(fits), batch_nets, fit_params.get(name),
                        fits=f"the fold models of member {name!r}", otherwise="fold by fold",
                        refusal=watched, nets_only=True):
            batches.append((name, fits))
        else:
            tasks += [(name, *fit) for fit in fits]

    cache = fit_cache(memory, X, y, sample_weight)
    keys, hits = {}, []  # (name, fold) -> cache key; records read back
    if cache is not None:
        cache.set_context(n_classes=n_classes, scoring=scoring, keep_outputs=keep_outputs,
                          keep_models=keep_models, test_outputs=tuple(test_outputs),
                          monitor=monitor)
        tasks, batches = _read_cache(cache, tasks, batches, methods, fit_params, keys,
                                     hits)

    on_gpu = _gpu_members(estimators, X, y, folds, refit, n_classes) if gpu_lane else set()

    def expected(name):
        # tuple(): one step under the GIL, while this process's main thread may append
        done = tuple(durations.get(name, ()))
        return sum(done) / len(done) if done else 0.0

    def jobs(in_lane, tasks, batches=()):
        # A generator: joblib takes each task when a worker is about to be free (its
        # pre_dispatch), so each carries the estimate of its member's fit known then.
        # A batch is the longest task: first, so that the others fill the workers
        # around it. It runs in a worker like any task (beside the other members' fits;
        # in the GPU lane for a member on a GPU), not in this process, which only
        # gathers results.
        for name, fits in batches:
            if (name in on_gpu) == in_lane:
                yield delayed(_fit_batch_task)(
                    name, fits, X, y, sample_weight, methods.get(name), scoring, n_classes,
                    keep_outputs, fit_params.get(name), keep_models, test_outputs, deadline,
                    expected(name))
        for name, fold, est, train, test in tasks:
            if (name in on_gpu) == in_lane:
                yield delayed(_fit_task)(
                    name, fold, est, X, y, train, test, sample_weight, methods.get(name),
                    scoring, n_classes, monitor, keep_outputs, fit_params.get(name),
                    keep_models, test_outputs, deadline, expected(name))

    def gathered(results):
        for record in results:
            if "fit_time" in record:
                durations.setdefault(record["name"], []).append(
                    record["fit_time"] + record.get("score_time", 0.0))
            if cache is not None:  # kept as it comes: what finished before a stop stays
                cache.store(keys[(record["name"], record["fold"])], record)
            if on_record is not None:
                on_record(record)
            yield record

    preload = learner_modules(estimators)
    n_tasks = len(tasks) + sum(len(fits) for _, fits in batches)
    for record in hits if on_record is not None else ():
        on_record(record)
    records = hits + list(gathered(run(jobs(False, tasks, batches), total=n_tasks,
                                       n_jobs=n_jobs, verbose=verbose, desc=desc,
                                       ordered=False, preload=preload,
                                       lane=jobs(True, tasks, batches))))
    refits = [(name, None, stopped_refit(estimator, stopping[name], points), None, None)
              for name, estimator in estimators if name in stopping
              and (points := _stopping_points(records, name)) is not None]
    if cache is not None:
        refits, _ = _read_cache(cache, refits, [], methods, fit_params, keys, records)
    if refits:
        records += gathered(run(jobs(False, refits), total=len(refits), n_jobs=n_jobs,
                                verbose=verbose, desc=f"{desc} (refits)", ordered=False,
                                preload=preload, lane=jobs(True, refits)))

    failed = [r for r in records if "error" in r]
    failed.sort(key=lambda r: (names.index(r["name"]), len(folds) if r["fold"] is None
                               else r["fold"]))
    errors = {}
    for r in failed:  # a member's first failure, named
        if r["name"] not in errors:
            errors[r["name"]] = _name_the_member(r["error"], r["name"], r["fold"])
    if errors and on_error == "raise":
        raise next(iter(errors.values()))
    for name, exc in errors.items():
        warn_user(_left_out(name, exc))
    skipped = {}  # in the order of the members, then of their fits
    for r in sorted((r for r in records if r.get("skipped") and r["name"] not in errors),
                    key=lambda r: (names.index(r["name"]),
                                   len(folds) if r["fold"] is None else r["fold"])):
        skipped.setdefault(r["name"], []).append(r["fold"])

    names = [name for name in names if name not in errors and name not in skipped]
    result = _gather(names, folds, methods, [r for r in records if r["name"] in names], X)
    result.fingerprint, result.errors = fingerprint(X, y), errors
    result.skipped = skipped
    result.stopping_points = {
        name: [r["stopped_at"] for r in sorted(
            (r for r in records if r["name"] == name and r["fold"] is not None),
            key=lambda r: r["fold"])]
        for name in names if stopper(dict(estimators)[name]) is not None}
    return result


def _read_cache(cache, tasks, batches, methods, fit_params, keys, hits):
    """The ``tasks`` and ``batches`` whose records ``cache`` does not hold (a batch: all
    its fits'); the records it holds go to ``hits``, every fit's key to ``keys``."""
    def read(name, fold, estimator, train, test, batched):
        key = keys[(name, fold)] = cache.key(
            name, estimator, fold, train, test, method=methods.get(name),
            fit_params=fit_params.get(name), batched=batched)
        return cache.load(key)

    left = []
    for name, fold, estimator, train, test in tasks:
        record = read(name, fold, estimator, train, test, False)
        if record is None:
            left.append((name, fold, estimator, train, test))
        else:
            hits.append(record)
    left_batches = []
    for name, fits in batches:
        records = [read(name, fold, estimator, train, test, True)
                   for fold, estimator, train, test in fits]
        if any(record is None for record in records):
            left_batches.append((name, fits))
        else:
            hits += records
    return left, left_batches


def _stopping_points(records, name):
    """The stopping points of member ``name``'s fold models; None if a fold failed or
    did not start."""
    folds = [r for r in records if r["name"] == name and r["fold"] is not None]
    if any("error" in r or r.get("skipped") for r in folds):
        return None
    return [r["stopped_at"] for r in folds]


def _check_member_keys(mapping, names, param):
    """``mapping`` (member name -> value; None: empty) with keys that name members."""
    mapping = dict(mapping or {})
    unknown = [key for key in mapping if key not in names]
    if unknown:
        raise ValueError(f"{param} names {unknown}, not among the members {names}; its "
                         "keys must be member names.")
    return mapping


def _check_encoded(y, n_classes):
    """Classification targets must come encoded as 0..n_classes-1 (the ensembles encode
    them with a LabelEncoder before calling the engine)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-d array of encoded classes when n_classes is "
                         f"given; got an array of shape {y.shape}.")
    valid = y.dtype.kind in "iub" or (
        y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)))
    if valid and y.size:
        valid = y.min() >= 0 and y.max() < n_classes
    if not valid:
        labels = np.unique(y.astype(object) if y.dtype.kind == "O" else y)
        shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in labels[:5])
        raise ValueError(
            f"y must hold the classes encoded as integers 0 to {n_classes - 1} "
            f"(n_classes={n_classes}); got the labels {{{shown}"
            f"{', ...' if len(labels) > 5 else ''}}}. Encode them first, e.g. with "
            "sklearn.preprocessing.LabelEncoder().fit_transform(y).")


def _check_scoring(scoring):
    """``scoring`` as a dict of name -> scorer: a scorer name, a list of names or a
    dict of name -> scorer or scorer name, as scikit-learn's ``cross_validate`` takes
    (a name becomes its scorer here, not a "'str' is not callable" in a worker)."""
    if isinstance(scoring, str):
        scoring = {scoring: scoring}
    elif isinstance(scoring, list | tuple):
        if not all(isinstance(name, str) for name in scoring):
            raise ValueError(f"scoring given as a list must hold scorer names; got "
                             f"{scoring!r}.")
        scoring = {name: name for name in scoring}
    checked = {}
    for key, scorer in (scoring or {}).items():
        if isinstance(scorer, str):
            try:
                scorer = get_scorer(scorer)
            except ValueError as exc:
                raise ValueError(f"scoring[{key!r}]: {exc}") from None
        elif not callable(scorer):
            raise ValueError(f"scoring[{key!r}] must be a scorer name or a callable "
                             f"scorer(estimator, X, y); got {scorer!r}.")
        checked[key] = scorer
    return checked


def _check_keep_models(keep_models, test_outputs):
    """``test_outputs`` as a tuple of method names, checked with ``keep_models``."""
    if not isinstance(keep_models, bool | np.bool_):
        raise TypeError(f"keep_models must be True or False; got {keep_models!r}.")
    if isinstance(test_outputs, str) or not all(
            m in _PREDICT_METHODS for m in test_outputs):
        raise ValueError(f"test_outputs must be a tuple of prediction methods among "
                         f"{list(_PREDICT_METHODS)}; got {test_outputs!r}.")
    if keep_models and len(test_outputs):
        raise ValueError("test_outputs is kept on the stand-ins of dropped fold models: "
                         "it needs keep_models=False (with keep_models=True the fold "
                         f"models themselves are kept); got test_outputs={test_outputs!r}.")
    return tuple(test_outputs)


def _gpu_members(estimators, X, y, folds, refit, n_classes):
    """Names of the members whose fits run on a GPU (for the engine's GPU lane).

    A net with ``device="auto"`` is judged at the largest training part it gets (all rows
    with ``refit``) and the width of ``X`` (a Pipeline may change it before the net).
    """
    n_rows = max([len(train) for train, _ in folds] + ([_num_samples(X)] if refit else []),
                 default=_num_samples(X))
    n_features = X.shape[1] if len(getattr(X, "shape", ())) == 2 else None
    if n_classes is not None:
        n_outputs = n_classes
    else:
        n_outputs = 1 if np.ndim(y) < 2 else np.shape(y)[1]
    return {name for name, estimator in estimators
            if runs_on_gpu(estimator, n_rows=n_rows, n_features=n_features,
                           n_outputs=n_outputs)}


def _gather(names, folds, methods, records, X):
    result = CrossFit(names=names, folds=folds, methods=methods)
    by_key = {(r["name"], r["fold"]): r for r in records}
    n_samples = sum(len(test) for _, test in folds)
    for name in names:
        per_fold = [by_key[(name, k)] for k in range(len(folds))]
        result.fold_estimators[name] = [r["estimator"] for r in per_fold]
        result.fit_times[name] = np.array([r["fit_time"] for r in per_fold])
        result.score_times[name] = np.array([r["score_time"] for r in per_fold])
        keys = per_fold[0]["scores"].keys() if per_fold else ()
        result.scores[name] = {k: np.array([r["scores"][k] for r in per_fold]) for k in keys}
        if "outputs" in per_fold[0] if per_fold else False:
            result.outputs[name] = [r["outputs"] for r in per_fold]
        if (name, None) in by_key:
            result.full_estimators[name] = by_key[(name, None)]["estimator"]
            result.refit_times[name] = by_key[(name, None)]["fit_time"]
        if methods.get(name) is not None and per_fold:
            first = per_fold[0]["predictions"]
            # every fold's dtype: labels "a" of fold 0 would cut "bbb" of fold 1 to "b"
            dtype = np.result_type(*(r["predictions"].dtype for r in per_fold))
            oof = np.empty((n_samples,) + first.shape[1:], dtype=dtype)
            for (_, test), record in zip(folds, per_fold):
                oof[test] = record["predictions"]
            result.oof[name] = oof
    return result
