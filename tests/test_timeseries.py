"""Windowing, splits, the CO2 record and the Jena CSV parser (on a fixture in the upstream layout). The
forecasting baselines live in notebooks/08_time_series.ipynb, whose run checks them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.timeseries import (
    JENA_COLUMNS,
    chronological_split,
    load_co2_monthly,
    load_jena_csv,
    make_windows,
    windowed_dataset,
)

series_lengths = st.integers(2, 60)


@settings(max_examples=50, deadline=None)
@given(series_lengths, st.integers(1, 10), st.integers(1, 5))
def test_make_windows_pairs_past_with_future(n: int, window: int, horizon: int) -> None:
    series = np.arange(n, dtype=float) * 1.5
    if n < window + horizon:
        with pytest.raises(ValueError, match="too short"):
            make_windows(series, window, horizon)
        return
    x, y = make_windows(series, window, horizon)
    assert x.shape == (n - window - horizon + 1, window) and y.shape == (len(x), horizon)
    for i in range(len(x)):
        assert np.array_equal(x[i], series[i:i + window])
        assert np.array_equal(y[i], series[i + window:i + window + horizon])


@settings(max_examples=10, deadline=None)
@given(st.integers(8, 40), st.integers(1, 6), st.integers(1, 3), st.integers(1, 7), st.booleans())
def test_windowed_dataset_matches_numpy(n: int, window: int, horizon: int, batch: int, shuffle: bool) -> None:
    series = np.random.default_rng(n).normal(size=n)
    x, y = make_windows(series, window, horizon)
    batches = list(windowed_dataset(series, window, horizon, batch_size=batch, shuffle=shuffle, seed=1))
    xs = np.concatenate([b[0].numpy() for b in batches])
    ys = np.concatenate([b[1].numpy() for b in batches])
    assert xs.shape == (len(x), window, 1) and ys.shape == y.shape
    order = np.lexsort(xs[:, :, 0].T[::-1]) if shuffle else np.arange(len(xs))
    reference = np.lexsort(x.T[::-1]) if shuffle else np.arange(len(x))
    np.testing.assert_allclose(xs[order, :, 0], x[reference], rtol=1e-6)
    np.testing.assert_allclose(ys[order], y[reference], rtol=1e-6)  # targets stay with their windows


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 5000), st.floats(0.1, 0.8), st.floats(0.05, 0.15))
def test_chronological_split_covers_in_order(n: int, train: float, val: float) -> None:
    parts = chronological_split(n, (train, val, 1.0 - train - val))
    assert parts[0].start == 0 and parts[0].stop == parts[1].start and parts[1].stop == parts[2].start
    assert parts[2].stop == n and all(p.stop > p.start for p in parts)


def test_split_and_windows_reject_bad_input() -> None:
    with pytest.raises(ValueError):
        chronological_split(10, (0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="1-D"):
        make_windows(np.zeros((4, 2)), 2)
    with pytest.raises(ValueError, match="NaN"):
        make_windows(np.array([1.0, np.nan, 2.0]), 1)


def test_co2_is_the_real_monthly_record() -> None:
    co2 = load_co2_monthly()
    assert 500 < len(co2) < 540 and not co2.isna().any()
    assert 310 < co2.iloc[0] < 320 and 365 < co2.iloc[-1] < 375  # ppm in 1958 and 2001


def _write_jena(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        handle.write(",".join(f'"{c}"' for c in JENA_COLUMNS) + "\n")  # upstream quotes the header
        for i in range(rows):
            minutes = 10 * (i + 1)
            stamp = f"01.01.2009 {minutes // 60:02d}:{minutes % 60:02d}:00"
            writer.writerow([stamp, 996.5, -8.0 + 0.1 * i, 265.4, -8.9, 93.3, 3.33, 3.11, 0.22, 1.94, 3.12,
                             1307.75, 1.03, 1.75, 152.3])


def test_jena_parser_on_upstream_layout(tmp_path: Path) -> None:
    _write_jena(tmp_path / "jena_climate_2009_2016.csv", rows=12)
    frame = load_jena_csv(tmp_path, columns=("T (degC)", "p (mbar)"))
    assert frame.shape == (12, 2) and list(frame.columns) == ["T (degC)", "p (mbar)"]
    assert frame.index[0].minute == 10 and frame["T (degC)"].iloc[1] == pytest.approx(-7.9)
    nested = tmp_path / "extracted" / "jena"
    nested.mkdir(parents=True)
    _write_jena(nested / "jena_climate_2009_2016.csv", rows=3)
    assert len(load_jena_csv(tmp_path / "extracted")) == 3  # found one folder down, as some archives unpack
    hourly = load_jena_csv(tmp_path, every=6)
    assert len(hourly) == 2 and (hourly.index[1] - hourly.index[0]).seconds == 3600


def test_jena_parser_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="jena_climate"):
        load_jena_csv(tmp_path)
    _write_jena(tmp_path / "jena_climate_2009_2016.csv", rows=2)
    with pytest.raises(ValueError, match="unknown columns"):
        load_jena_csv(tmp_path, columns=("temperature",))
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_jena_csv(tmp_path / "bad.csv")


@pytest.fixture(scope="module")
def baselines() -> dict:
    """The forecasting baselines as notebook 08 writes them (its cell tagged from-scratch)."""
    from tests.notebook_cells import notebook_namespace

    return notebook_namespace("08_time_series")


def test_naive_and_seasonal_naive(baselines: dict) -> None:
    x = np.random.default_rng(0).normal(size=(5, 12))
    assert np.array_equal(baselines["naive_forecast"](x, 3), np.repeat(x[:, -1:], 3, axis=1))
    assert np.array_equal(baselines["seasonal_naive_forecast"](x, season=12, horizon=4), x[:, :4])
    with pytest.raises(ValueError):
        baselines["seasonal_naive_forecast"](x, season=13)


def test_seasonal_naive_with_drift_follows_trend_and_season(baselines: dict) -> None:
    series = np.tile([1.0, 3.0, 2.0, 5.0], 15) + 0.5 * np.arange(60.0)  # a season of 4 on a linear trend
    x, y = make_windows(series, window=8, horizon=3)
    assert np.abs(y - baselines["seasonal_naive_drift_forecast"](x, season=4, horizon=3)).max() < 1e-9
    assert np.abs(y - baselines["seasonal_naive_forecast"](x, season=4, horizon=3)).mean() == pytest.approx(2.0)
    with pytest.raises(ValueError, match="season < window"):
        baselines["seasonal_naive_drift_forecast"](x, season=8)


def test_holt_winters_matches_statsmodels(baselines: dict) -> None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    series = load_co2_monthly().to_numpy()[:200]
    params = baselines["fit_holt_winters"](series[:150], season=12)
    reference = ExponentialSmoothing(series[:150], trend="add", seasonal="add", seasonal_periods=12,
                                     initialization_method="estimated").fit()
    forecasts = baselines["holt_winters_forecasts"](series, params, season=12, horizon=12)
    # Row t forecasts t+1..t+12 from series[:t+1]: one step ahead it is statsmodels' fitted value ...
    np.testing.assert_allclose(forecasts[:149, 0], reference.fittedvalues[1:], rtol=1e-9)
    # ... and from the end of the training part it is statsmodels' own forecast.
    np.testing.assert_allclose(forecasts[149], reference.forecast(12), rtol=1e-9)
    changed = series.copy()
    changed[170:] += 100.0  # values after t never change the forecasts made at t (no peeking)
    np.testing.assert_array_equal(baselines["holt_winters_forecasts"](changed, params, 12, 12)[:170], forecasts[:170])
    with pytest.raises(ValueError, match="horizon"):
        baselines["holt_winters_forecasts"](series, params, season=12, horizon=13)
