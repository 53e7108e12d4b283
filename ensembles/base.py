"""What every ensemble of named members shares: validation, labels, seeds, devices, folds.

Voting, stacking and ensemble selection hold ``estimators``, a list of (name, estimator)
pairs; this module gives them one way to check that list, to encode labels once, to draw
member seeds up front (so results do not depend on ``n_jobs``), to move members to a
device, and to build the cross-validation folds the out-of-fold engine runs on.
"""

from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils.validation import check_array

from ._compat import _BaseComposition, _check_y, _num_samples, validate_data
from ._validation import encode_labels
from .engine.oof import FoldAverage, check_folds, cross_fit
from .learners.device import set_device

__all__ = ["MembersMixin"]

_STACK_METHODS = ("predict_proba", "decision_function", "predict")


def draw_member_seeds(estimator, rng):
    """Give every unset ``random_state`` inside ``estimator`` a seed drawn from ``rng``.

    Seeds the user set are kept (so a member matches the same member fitted alone);
    unset ones are drawn here, before any parallel work, so that the result does not
    depend on ``n_jobs`` or scheduling order.
    """
    params = estimator.get_params(deep=True)
    seeds = {
        key: int(rng.randint(np.iinfo(np.int32).max))
        for key in sorted(params)
        if (key == "random_state" or key.endswith("__random_state")) and params[key] is None
    }
    if seeds:
        estimator.set_params(**seeds)
    return estimator


class MembersMixin(_BaseComposition):
    """Shared machinery of the ensembles whose members are a list of (name, estimator)."""

    _required_parameters = ["estimators"]

    # -- nested parameters, as scikit-learn's heterogeneous ensembles -----------------
    @property
    def named_estimators(self):
        """The members as given, by name (a ``Bunch``)."""
        return Bunch(**dict(self.estimators))

    def get_params(self, deep=True):
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        self._set_params("estimators", **params)
        return self

    # -- validation -------------------------------------------------------------------
    def _check_members(self):
        """Validate ``estimators``; return the (name, estimator) pairs not dropped."""
        owner = type(self).__name__
        if not isinstance(self.estimators, list | tuple) or len(self.estimators) == 0:
            raise ValueError(
                f"estimators must be a non-empty list of (name, estimator) tuples for "
                f"{owner}; got {self.estimators!r}."
            )
        for item in self.estimators:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise TypeError(
                    f"estimators must hold (name, estimator) tuples with str names for "
                    f"{owner}; got {item!r}."
                )
        names = [name for name, _ in self.estimators]
        self._validate_names(names)
        members = [(n, est) for n, est in self.estimators if est != "drop"]
        if not members:
            raise ValueError(
                f"All estimators of {owner} are 'drop'; at least one must be an estimator."
            )
        want = is_classifier if is_classifier(self) else is_regressor
        kind = "classifier" if is_classifier(self) else "regressor"
        for name, est in members:
            if not hasattr(est, "fit"):
                raise TypeError(
                    f"member {name!r} of {owner} must be an estimator with fit or 'drop'; "
                    f"got {est!r}."
                )
            if not want(est):
                raise ValueError(
                    f"member {name!r} must be a {kind} for {owner}; got {est!r}."
                )
        return members

    def _check_stack_method(self, name, estimator, method):
        """The prediction method a member contributes with (scikit-learn's "auto" rule)."""
        if not is_classifier(self):
            return "predict"
        candidates = _STACK_METHODS if method == "auto" else (method,)
        for candidate in candidates:
            if hasattr(estimator, candidate):
                return candidate
        raise ValueError(
            f"member {name!r} ({type(estimator).__name__}) has no {method!r} method, "
            f"needed by {type(self).__name__}."
        )

    # -- data -------------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            members = [est for _, est in self.estimators if est != "drop"]
            tags.input_tags.allow_nan = all(get_tags(e).input_tags.allow_nan for e in members)
            tags.input_tags.sparse = all(get_tags(e).input_tags.sparse for e in members)
        except Exception:  # noqa: BLE001 - malformed estimators are reported by fit
            pass
        return tags

    def _check_X(self, X, reset=True):
        """Check X's shape and record its columns; return X fit for the members.

        Members validate their own values (a LightGBM member may want a DataFrame with
        categoricals, a HistGradientBoosting member accepts NaN), so X keeps its type and
        values: a DataFrame stays a DataFrame; anything else becomes a 2-D array or a
        CSR/CSC matrix that can be indexed by rows.
        """
        if not hasattr(X, "iloc"):
            X = check_array(X, accept_sparse=["csr", "csc"], dtype=None,
                            ensure_all_finite=False)
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _check_target(self, X, y):
        """Check y against X; return it encoded as 0..K-1 for classifiers."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy()
        if _num_samples(X) != len(y):
            raise ValueError(
                f"X and y must have the same number of rows; got {_num_samples(X)} and "
                f"{len(y)}."
            )
        if not is_classifier(self):
            return _check_y(y, multi_output=False, y_numeric=True, estimator=self)
        return encode_labels(self, y)

    def _prepared_members(self, members):
        """Clones of ``members`` with seeds drawn and the ensemble's device applied."""
        rng = check_random_state(getattr(self, "random_state", None))
        prepared = []
        for name, est in members:
            est = draw_member_seeds(clone(est), rng)
            if getattr(self, "device", None) is not None:
                set_device(est, self.device)
            prepared.append((name, est))
        return prepared

    def _folds(self, X, y_enc, groups=None):
        cv = self.cv
        if isinstance(cv, Integral) and cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
        splitter = check_cv(cv, y_enc, classifier=is_classifier(self))
        if is_classifier(self) and isinstance(cv, Integral):
            smallest = int(np.bincount(y_enc).min())
            if smallest < cv:
                raise ValueError(
                    f"cv={cv} folds need at least {cv} rows of each class; the smallest "
                    f"class has {smallest}. Lower cv or pass a splitter."
                )
        return check_folds(splitter.split(X, y_enc, groups), _num_samples(X))

    # -- the engine -------------------------------------------------------------------
    def _run_engine(self, members, X, y_enc, sample_weight, folds, *, refit):
        """One run of the out-of-fold engine (sets ``cross_fit_``); return the fitted
        members (refitted on all rows, or their fold models averaged) and their
        out-of-fold predictions (None without folds)."""
        names = [name for name, _ in members]
        n_classes = len(self.classes_) if is_classifier(self) else None
        self.cross_fit_ = cross_fit(
            self._prepared_members(members), X, y_enc, folds=folds,
            methods=self._oof_methods(members) if folds else None,
            sample_weight=sample_weight, refit=refit, n_classes=n_classes,
            n_jobs=self.n_jobs, verbose=self.verbose, desc=type(self).__name__,
        )
        if refit:
            fitted = [self.cross_fit_.full_estimators[n] for n in names]
        else:
            fitted = [FoldAverage(self.cross_fit_.fold_estimators[n], n_classes)
                      for n in names]
        predictions = [self.cross_fit_.oof[n] for n in names] if folds else None
        return fitted, predictions
