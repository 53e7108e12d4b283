"""Bundled and generated data sets."""

import numpy as np
import pandas as pd
import pytest

from ensembles import datasets


def test_names():
    assert datasets.names() == ["breast_cancer", "diabetes", "digits", "hastie_10_2", "iris",
                                "waveform", "wine"]
    assert "diabetes" not in datasets.names("classification")
    with pytest.raises(ValueError, match="task must be 'classification', 'regression'"):
        datasets.names("clustering")


@pytest.mark.parametrize("name", datasets.names())
def test_every_data_set_loads(name):
    bunch = datasets.load(name)
    X, y = bunch.data, bunch.target
    assert X.ndim == 2 and len(X) == len(y) > 100
    assert len(bunch.feature_names) == X.shape[1]
    assert bunch.task == datasets.task_of(name)
    frame_X, frame_y = datasets.load(name, as_frame=True, return_X_y=True)
    assert isinstance(frame_X, pd.DataFrame) and isinstance(frame_y, pd.Series)
    np.testing.assert_allclose(frame_X.to_numpy(), X)


def test_hastie_follows_the_book():
    X, y = datasets.load("hastie_10_2", return_X_y=True)
    assert X.shape == (12_000, 10)
    np.testing.assert_array_equal(y, np.where((X**2).sum(axis=1) > 9.34, 1, -1))


def test_waveform_follows_breiman():
    X, y = datasets.load("waveform", return_X_y=True, n_samples=9_000, random_state=1)
    assert X.shape == (9_000, 21)
    assert np.all(np.abs(np.bincount(y) / len(y) - 1 / 3) < 0.03)
    # Class means are the average of two triangular waves (weight 1/2 each): h1 peaks at
    # column 10, h2 at 14, h3 at 6 (0-based), each 6 high with slopes of 1 per column.
    h1, h2, h3 = (np.maximum(6 - np.abs(np.arange(21) - peak), 0) for peak in (10, 14, 6))
    expected = np.stack([(h1 + h2) / 2, (h1 + h3) / 2, (h2 + h3) / 2])
    means = np.stack([X[y == c].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(means, expected, atol=0.25)
    same = datasets.load("waveform", return_X_y=True, n_samples=50, random_state=1)
    again = datasets.load("waveform", return_X_y=True, n_samples=50, random_state=1)
    np.testing.assert_array_equal(same[0], again[0])


def test_bad_names_and_arguments():
    with pytest.raises(ValueError, match="unknown data set 'mnist'; available: breast_cancer"):
        datasets.load("mnist")
    with pytest.raises(ValueError, match="n_samples applies to generated data sets only"):
        datasets.load("iris", n_samples=10)
