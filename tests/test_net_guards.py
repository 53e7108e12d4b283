"""Numeric guards of the nets (issue 14, item 3): a fit that cannot train says why.

Each case was silent or misleading before: X near 1e30 trained to chance with no
warning; y near 1e30 predicted +-inf with only numpy's overflow warning; lr=1e6
diverged to a loss of 1e12 silently; a non-finite loss surfaced as "Input contains
NaN." from the net's own R2 scoring, on an X that holds no NaN.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from ensembles import BaggingRegressor, NetClassifier, NetRegressor

Xc, yc = make_classification(n_samples=120, n_features=5, random_state=0)
Xr, yr = make_regression(n_samples=120, n_features=5, noise=1.0, random_state=0)
SMALL = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, random_state=0)


def test_a_non_finite_loss_names_the_epoch_and_the_fix():
    # Unscaled X near 1e30: the first epoch's loss is nan. The error used to be
    # "Input contains NaN." from the R2 metric; X holds no NaN.
    with pytest.warns(UserWarning, match="X holds values up to"):
        with pytest.raises(ValueError) as info:
            NetRegressor(**SMALL).fit(Xr * 1e30, yr)
    message = str(info.value)
    assert "Input contains NaN" not in message
    assert re.search(r"The train loss of NetRegressor became (nan|inf) at epoch 1: "
                     r"training diverged", message)
    assert "smaller lr (now 0.01)" in message
    assert "scale_inputs=True" in message


@pytest.mark.parametrize("Net, X, y", [(NetClassifier, Xc, yc), (NetRegressor, Xr, yr)])
def test_a_diverging_lr_is_named_with_its_epoch(Net, X, y):
    with pytest.raises(ValueError, match=r"became (nan|inf) at epoch \d+: training diverged"
                                         r".* smaller lr \(now 1e\+06\)"):
        Net(**{**SMALL, "lr": 1e6}, optimizer="sgd").fit(X, y)


@pytest.mark.parametrize("Net, X, y", [(NetClassifier, Xc, yc), (NetRegressor, Xr, yr)])
def test_a_finite_divergence_warns(Net, X, y):
    # Adam with lr=1e6 stays finite, at a loss of 1e12 and more: it used to pass silently.
    with pytest.warns(ConvergenceWarning, match=r"did not converge: its training loss at "
                      r"epoch 30 is .* more than a million times the loss of predicting a "
                      r"constant .* smaller lr \(now 1e\+06\)"):
        Net(**{**SMALL, "lr": 1e6}).fit(X, y)


def test_huge_inputs_warn_and_scale_inputs_trains_on_them():
    X = Xc * 1e30
    with pytest.warns(UserWarning, match=r"X holds values up to .*e\+30 in magnitude "
                      r"\(feature \d\).* scale_inputs=True, or a StandardScaler"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            NetClassifier(**SMALL).fit(X, yc)
    scaled = NetClassifier(**SMALL, scale_inputs=True).fit(X, yc)  # no warning
    assert scaled.score(X, yc) > 0.85
    # The same model as a StandardScaler in front (float32 rounding apart).
    reference = NetClassifier(**SMALL).fit(StandardScaler().fit_transform(Xc), yc)
    np.testing.assert_allclose(scaled.predict_proba(X),
                               reference.predict_proba(StandardScaler().fit_transform(Xc)),
                               atol=1e-4)


def test_scale_inputs_scales_the_eval_set_and_predict():
    X = Xr * 1e8
    reg = NetRegressor(**SMALL, scale_inputs=True).fit(X, yr, eval_set=(X, yr))
    assert reg.score(X, yr) > 0.5
    np.testing.assert_allclose(reg.history_["eval_r2"][-1], reg.score(X, yr), atol=1e-3)


def test_a_huge_target_is_scaled_in_float64():
    # y near 1e30 squared overflowed float32 in the target scaling: predictions were
    # +-inf, with only numpy's "overflow encountered in square".
    reg = NetRegressor(**SMALL).fit(Xr, yr * 1e30)
    pred = reg.predict(Xr)
    assert np.isfinite(pred).all()
    assert reg.score(Xr, yr * 1e30) > 0.5


def test_an_unscaled_huge_target_names_scale_target():
    with pytest.raises(ValueError, match=r"became inf at epoch 1.* the target "
                                         r"\(scale_target=True\)"):
        NetRegressor(**SMALL, scale_target=False).fit(Xr, yr * 1e20)


def test_a_target_beyond_float32_is_refused():
    with pytest.raises(ValueError, match=r"y holds values up to .*e\+4\d in magnitude, "
                                         r"beyond float32's range"):
        NetRegressor(**SMALL).fit(Xr, yr * 1e40)


def test_the_batched_trainer_names_the_member_and_epoch():
    bag = BaggingRegressor(NetRegressor(**SMALL), n_estimators=3, random_state=0,
                           batch_nets=True)
    with pytest.warns(UserWarning, match="X holds values up to"):
        with pytest.raises(ValueError) as info:
            bag.fit(Xr * 1e30, yr)
    assert re.search(r"NetRegressor number [123] of the 3 trained together "
                     r"\(batch_nets\) became (nan|inf) at epoch 1: training diverged",
                     str(info.value)), str(info.value)


@pytest.mark.parametrize("Net, X, y", [(NetClassifier, Xc, yc), (NetRegressor, Xr, yr)])
def test_ordinary_data_fits_without_a_warning(Net, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Net(**SMALL).fit(X, y)
        Net(**SMALL, scale_inputs=True).fit(X * 1e3, y)
