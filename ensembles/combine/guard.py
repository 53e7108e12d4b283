"""The stacked-overfitting guard of ``StackingClassifier/Regressor(guard=...)``.

A final estimator trained on out-of-fold predictions can still overfit them: with few
rows, a final estimator that can memorise (a deep tree, 1-nearest-neighbour) or
``passthrough=True`` with many features, the stack scores worse on new rows than its
best member or a plain vote of its members, while its out-of-fold estimate promises
more (AutoGluon calls it *stacked overfitting* and guards against it with a holdout,
"dynamic stacking"). The guard checks this on rows the stack never saw:

1. it holds out a slice of the rows (``guard``: a fraction, stratified and seeded for a
   classifier, or a splitter's first split) and fits the whole stack (members
   cross-fitted, refitted, and the final estimator) on the rest;
2. it scores three candidates on the holdout with the estimator's default score
   (accuracy, or R² for a regressor; weighted by ``sample_weight`` when given): the
   stack; a vote of the members (the mean of their probabilities when every member
   stacks ``predict_proba``, else a majority vote of their labels; the mean prediction
   for regressors); and the best member, the one with the best out-of-fold score on the
   rest (chosen out of fold, not on the holdout, so that the small holdout compares three
   candidates rather than picking among many);
3. the stack is kept unless the vote or the best member scores strictly higher on the
   holdout; then the higher of the two is taken (the vote on a tie).

Out-of-fold estimates on the rest are reported next to the holdout scores: a member's and
the vote's from the out-of-fold outputs the stack learns from (their argmax for a
classifier), the stack's from its final estimator cross-validated on those outputs with
the same folds. A stack whose out-of-fold estimate beats the best fallback's while its
holdout score is lower shows *stacked overfitting* in AutoGluon's sense.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import is_regressor
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

from .._compat import _num_samples, _safe_indexing
from ..base import MAX_SEED
from ..engine.oof import _predict, fit_member

__all__ = ["GuardDecision"]


@dataclass(frozen=True, eq=False)
class GuardDecision:
    """What the guard of a stack saw and decided (``stack.guard_``).

    Attributes
    ----------
    decision : {"stack", "voting", "member"}
        What the fitted estimator predicts with: the stack, the vote of its members, or
        its best member (``member``).
    member : str
        The best member out of fold on the rest: the member candidate (whether chosen
        or not).
    voting : {"soft", "hard", "mean"}
        How the vote combines the members: the mean of their probabilities, a majority of
        their labels (ties to the first class), or the mean of their predictions
        (regressors).
    scoring : {"accuracy", "r2"}
        The score compared on the holdout (weighted by ``sample_weight`` when given).
    candidates : list of (str, str)
        (``candidate``, ``member``) of each candidate scored: ``("stack", "")``,
        ``("voting", "")``, then ``("member", name)`` for every member. The vote is
        missing when fewer than two members can vote (a regressor member of a
        ``StackingClassifier`` gives no labels).
    oof_scores, holdout_scores : ndarray of float
        Each candidate's out-of-fold estimate on the rest and its holdout score.
    chosen : int
        The position of the chosen candidate in ``candidates``.
    rest, holdout : ndarray of int
        The rows (positions in ``X``) the decision was fitted on and scored on.
    stacked_overfitting : bool
        The stack's out-of-fold estimate is above the best fallback's while its holdout
        score is below (AutoGluon's test, ties aside).
    reason : str
        The decision in a sentence, with its numbers.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.neighbors import KNeighborsRegressor
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from ensembles import StackingRegressor
    >>> X, y = make_regression(n_samples=60, n_features=5, noise=20.0, random_state=0)
    >>> stack = StackingRegressor(
    ...     [("lin", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=2))],
    ...     final_estimator=KNeighborsRegressor(1), cv=3, guard=0.25,
    ...     random_state=0).fit(X, y)
    >>> stack.guard_.decision, stack.guard_.member
    ('member', 'lin')
    >>> bool((stack.predict(X) == stack.named_estimators_["lin"].predict(X)).all())
    True
    """

    decision: str
    member: str
    voting: str
    scoring: str
    candidates: list
    oof_scores: np.ndarray
    holdout_scores: np.ndarray
    chosen: int
    rest: np.ndarray
    holdout: np.ndarray
    stacked_overfitting: bool
    reason: str

    @property
    def scores(self):
        """The candidates as a DataFrame, one row each: ``candidate`` ("stack",
        "voting", "member"), ``member`` (its name, "" for the stack and the vote),
        ``oof_score``, ``holdout_score``, ``chosen``. (Kept as arrays, so that a guarded
        stack saves with skops.)"""
        kinds, members = zip(*self.candidates)
        return pd.DataFrame({
            "candidate": list(kinds), "member": list(members),
            "oof_score": np.asarray(self.oof_scores, dtype=float),
            "holdout_score": np.asarray(self.holdout_scores, dtype=float),
            "chosen": np.arange(len(self.candidates)) == self.chosen})

    def _score(self, candidate, column):
        rows = self.scores[self.scores["candidate"] == candidate]
        if candidate == "member":
            rows = rows[rows["member"] == self.member]
        return float(rows[column].iloc[0]) if len(rows) else float("nan")

    def as_row(self, model):
        """The decision and its numbers as one row of the overfitting report's
        ``guard`` table (``model`` names the stack)."""
        row = {"model": model, "decision": self.decision, "best_member": self.member,
               "voting": self.voting, "scoring": self.scoring,
               "n_rest": len(self.rest), "n_holdout": len(self.holdout)}
        for candidate, prefix in (("stack", "stack"), ("voting", "voting"),
                                  ("member", "member")):
            row[f"{prefix}_oof"] = self._score(candidate, "oof_score")
            row[f"{prefix}_holdout"] = self._score(candidate, "holdout_score")
        row["stacked_overfitting"] = self.stacked_overfitting
        row["reason"] = self.reason
        return row

    def __repr__(self):
        chosen = f"member {self.member!r}" if self.decision == "member" else self.decision
        return (f"GuardDecision(decision={chosen}, scoring={self.scoring!r}, "
                f"n_holdout={len(self.holdout)})")


#: Columns of the report's ``guard`` table (:meth:`GuardDecision.as_row`).
GUARD_COLUMNS = ["model", "decision", "best_member", "voting", "scoring", "n_rest",
                 "n_holdout", "stack_oof", "stack_holdout", "voting_oof", "voting_holdout",
                 "member_oof", "member_holdout", "stacked_overfitting", "reason"]


# -- the split ------------------------------------------------------------------------
def holdout_split(guard, X, y_enc, *, classifier, random_state, owner):
    """(rest, holdout) row indices of ``guard`` (a fraction or a splitter) on ``X``.

    A fraction holds out that share of the rows, stratified for a classifier, with a
    seed drawn from ``random_state``; a splitter's first ``(train, test)`` split is
    taken as (rest, holdout). Every class must keep a row in the rest.
    """
    n_samples = _num_samples(X)
    if isinstance(guard, Real):
        seed = int(random_state.randint(MAX_SEED))
        kind = StratifiedShuffleSplit if classifier else ShuffleSplit
        splitter = kind(n_splits=1, test_size=guard, random_state=seed)
        what = f"guard={guard!r} of {n_samples} rows"
    else:
        splitter = guard
        what = f"guard={guard!r}"
    try:
        rest, holdout = next(iter(splitter.split(X, y_enc)))
    except StopIteration:
        raise ValueError(f"{owner}: {what} gave no (rest, holdout) split.") from None
    except ValueError as exc:
        raise ValueError(f"{owner}: cannot hold out {what}: {exc}") from exc
    rest, holdout = np.asarray(rest, dtype=np.intp), np.asarray(holdout, dtype=np.intp)
    if rest.size == 0 or holdout.size == 0:
        raise ValueError(
            f"{owner}: {what} must leave rows on both sides; got {rest.size} rows to fit "
            f"and {holdout.size} to hold out.")
    if np.intersect1d(rest, holdout).size:
        raise ValueError(f"{owner}: {what} puts rows both in the rest and in the holdout; "
                         "they must be disjoint.")
    if classifier:
        missing = np.setdiff1d(np.unique(y_enc), np.unique(y_enc[rest]))
        if missing.size:
            raise ValueError(
                f"{owner}: {what} leaves {missing.size} class(es) with no row outside "
                "the holdout; every class needs rows to fit on. Hold out fewer rows or "
                "use a stratified splitter.")
    return rest, holdout


# -- the candidates' outputs ----------------------------------------------------------
def labels_from(output, method):
    """Encoded labels from a member's ``method`` output (``predict``, probabilities or
    decision values)."""
    output = np.asarray(output)
    if method == "predict":
        return output.reshape(len(output)).astype(np.intp)
    if output.ndim == 1:  # a binary decision function
        return (output > 0).astype(np.intp)
    return output.argmax(axis=1)


def vote(outputs, mode, n_classes):
    """(prediction, probabilities or None) of the members' ``outputs``: probabilities
    averaged ("soft"), labels counted ("hard", ties to the first class), predictions
    averaged ("mean")."""
    if mode == "mean":
        return np.mean(outputs, axis=0), None
    if mode == "soft":
        proba = np.mean(outputs, axis=0)
        return proba.argmax(axis=1), proba
    labels = np.column_stack(outputs).astype(np.intp)
    counts = np.zeros((len(labels), n_classes))
    rows = np.arange(len(labels))
    for column in labels.T:
        counts[rows, column] += 1
    return counts.argmax(axis=1), None


def voting_mode(methods, n_classes):
    """How the members vote: "mean" for a regressor, "soft" when every member stacks
    probabilities, else "hard"."""
    if n_classes is None:
        return "mean"
    return "soft" if all(m == "predict_proba" for m in methods) else "hard"


def voters(stack):
    """Names and indices (in ``estimators_``) of the members that can be fallbacks: in a
    ``StackingClassifier`` a regressor member gives no labels and is left out."""
    members = [(n, e) for n, e in stack.estimators if e != "drop"]
    classifier = stack._n_classes_out() is not None
    return [(i, name) for i, (name, est) in enumerate(members)
            if not (classifier and is_regressor(est))]


def fallback_output(stack, X, decision, member, voting, method):
    """The fitted ``stack``'s fallback (``decision``: "voting", with the ``voting``
    mode, or "member", named ``member``) answering ``method`` ("predict": encoded labels
    or values; "predict_proba"; "decision_function") on ``X``."""
    n_classes = stack._n_classes_out()
    if decision == "member":
        est = stack.named_estimators_[member]
        if method == "predict" and n_classes is not None:
            return np.asarray(est.predict(X)).reshape(-1).astype(np.intp)
        return _predict(est, X, method, n_classes)
    chosen = [stack.estimators_[i] for i, _ in voters(stack)]
    if voting == "soft":
        outputs = [_predict(e, X, "predict_proba", n_classes) for e in chosen]
    else:
        outputs = [np.asarray(e.predict(X)) for e in chosen]
    prediction, proba = vote(outputs, voting, n_classes)
    return proba if method == "predict_proba" else prediction


def _score(y, prediction, sample_weight, classifier):
    if classifier:
        return float(accuracy_score(y, prediction, sample_weight=sample_weight))
    return float(r2_score(y, prediction, sample_weight=sample_weight))


# -- the decision ---------------------------------------------------------------------
def decide(inner, X, y_enc, sample_weight, rest, holdout):
    """Score the candidates of ``inner`` (the stack fitted on the ``rest`` rows, guard
    off) on the ``holdout`` rows and out of fold on the rest; return the
    :class:`GuardDecision`."""
    n_classes = inner._n_classes_out()
    classifier = n_classes is not None
    y_rest, y_hold = y_enc[rest], y_enc[holdout]
    w_rest = None if sample_weight is None else sample_weight[rest]
    w_hold = None if sample_weight is None else sample_weight[holdout]
    X_rest, X_hold = _safe_indexing(X, rest), _safe_indexing(X, holdout)
    names = [n for n, e in inner.estimators if e != "drop"]
    oof = [inner.cross_fit_.oof[n] for n in names]
    methods = inner._methods
    can_vote = voters(inner)
    mode = voting_mode([methods[i] for i, _ in can_vote], n_classes)

    rows = []  # (candidate, member, oof score, holdout score)
    # the stack: its final estimator cross-validated on the out-of-fold outputs
    meta = inner._concatenate(oof, methods, X_rest)
    tests, predictions = [], []
    for train, test in inner.cross_fit_.folds:
        final = inner._prepare(inner._check_final(), inner._side_rng(1))
        final = fit_member(final, meta[train], y_rest[train],
                           None if w_rest is None else w_rest[train],
                           name="final_estimator")
        tests.append(test)
        predictions.append(np.asarray(final.predict(meta[test])))
    predictions = np.concatenate(predictions)
    stack_oof = np.empty_like(predictions)
    stack_oof[np.concatenate(tests)] = predictions
    stack_hold = inner.final_estimator_.predict(inner.transform(X_hold))
    rows.append(("stack", "", _score(y_rest, stack_oof, w_rest, classifier),
                 _score(y_hold, stack_hold, w_hold, classifier)))

    if len(can_vote) >= 2:
        if mode == "soft" or mode == "mean":
            votes_oof = [oof[i] for i, _ in can_vote]
        else:
            votes_oof = [labels_from(oof[i], methods[i]) for i, _ in can_vote]
        rows.append(("voting", "",
                     _score(y_rest, vote(votes_oof, mode, n_classes)[0], w_rest,
                            classifier),
                     _score(y_hold, fallback_output(inner, X_hold, "voting", None, mode,
                                                    "predict"), w_hold, classifier)))
    for i, name in can_vote:
        member_oof = labels_from(oof[i], methods[i]) if classifier else oof[i]
        rows.append(("member", name, _score(y_rest, member_oof, w_rest, classifier),
                     _score(y_hold, fallback_output(inner, X_hold, "member", name, mode,
                                                    "predict"), w_hold, classifier)))
    scores = pd.DataFrame(rows, columns=["candidate", "member", "oof_score",
                                         "holdout_score"])
    return _choose(scores, mode, "accuracy" if classifier else "r2", rest, holdout)


def _choose(scores, mode, scoring, rest, holdout):
    stack = scores.iloc[0]
    members = scores[scores["candidate"] == "member"]
    best = members.loc[members["oof_score"].idxmax()] if len(members) else None
    fallbacks = [row for _, row in scores[scores["candidate"] == "voting"].iterrows()]
    if best is not None:
        fallbacks.append(best)
    # the vote first: on a tie between the two fallbacks it is taken
    top = max(fallbacks, key=lambda row: row["holdout_score"], default=None)
    chosen_index = 0
    if top is not None and top["holdout_score"] > stack["holdout_score"]:
        chosen_index = top.name
    scores = scores.assign(chosen=scores.index == chosen_index)
    chosen = scores.loc[chosen_index]
    decision = chosen["candidate"]
    overfitting = bool(
        top is not None and stack["oof_score"] > max(r["oof_score"] for r in fallbacks)
        and stack["holdout_score"] < top["holdout_score"])
    reason = _reason(decision, scores, stack, top, best, scoring, overfitting)
    return GuardDecision(
        decision=str(decision), member="" if best is None else str(best["member"]),
        voting=mode, scoring=scoring,
        candidates=[(str(c), str(m)) for c, m in zip(scores["candidate"], scores["member"])],
        oof_scores=scores["oof_score"].to_numpy(dtype=float),
        holdout_scores=scores["holdout_score"].to_numpy(dtype=float),
        chosen=int(chosen_index), rest=rest, holdout=holdout,
        stacked_overfitting=overfitting, reason=reason)


def _name(row):
    return f"member {row['member']!r}" if row["candidate"] == "member" else \
        f"the {'vote' if row['candidate'] == 'voting' else 'stack'}"


def _reason(decision, scores, stack, top, best, scoring, overfitting):
    s = f"{stack['holdout_score']:.4f}"
    stack_text = f"the stack's {s} (out-of-fold estimate {stack['oof_score']:.4f})"
    if top is None:
        return f"kept the stack: no member can stand in for it (holdout {scoring} {s})."
    others = [r for _, r in scores.iterrows()
              if r["candidate"] == "voting" or (best is not None and r.name == best.name)]
    if decision == "stack":
        listed = " and ".join(f"{_name(r)}'s {r['holdout_score']:.4f}" for r in others)
        return (f"kept the stack: its holdout {scoring} {s} (out-of-fold estimate "
                f"{stack['oof_score']:.4f}) is not below {listed}.")
    why = ("stacked overfitting: the stack's out-of-fold estimate was the highest" if
           overfitting else "stacking does not pay here")
    return (f"fell back to {_name(top)}: holdout {scoring} {top['holdout_score']:.4f} > "
            f"{stack_text}; {why}.")
