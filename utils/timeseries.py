"""Time-series data and forecasting baselines for ``08_time_series``: the Mauna Loa CO2 record (offline), the Jena
weather record (full profile), windows in NumPy and ``tf.data``, the naive and Holt–Winters baselines, and the
chronological split every forecaster must respect.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

JENA_FILE = "jena_climate_2009_2016.csv"
JENA_COLUMNS = ("Date Time", "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
                "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)",
                "max. wv (m/s)", "wd (deg)")  # the upstream header, in order; one row every 10 minutes
HOLT_WINTERS_KEYS = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "initial_level", "initial_trend",
                     "initial_seasons")


def load_co2_monthly():
    """Monthly mean CO2 (ppm) at Mauna Loa, 1958–2001, as a pandas Series: statsmodels' weekly record averaged
    per month, the few empty months interpolated."""
    from statsmodels.datasets import co2

    monthly = co2.load_pandas().data["co2"].resample("MS").mean().interpolate(limit_direction="both")
    monthly.name = "co2_ppm"
    return monthly


def _as_series(series: np.ndarray, window: int | None = None, horizon: int = 1) -> np.ndarray:
    """``series`` as float64 after checking it is 1-D and finite (and long enough for ``window + horizon``)."""
    values = np.asarray(series, dtype="float64")
    if values.ndim != 1:
        raise ValueError(f"series must be 1-D (one value per time step), got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("series contains NaN or infinite values; fill or drop them first")
    if window is not None and (window < 1 or horizon < 1):
        raise ValueError(f"window and horizon must be >= 1, got window={window}, horizon={horizon}")
    if window is not None and len(values) < window + horizon:
        raise ValueError(f"series of length {len(values)} is too short for window={window} + horizon={horizon}")
    return values


def make_windows(series: np.ndarray, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """All (past ``window`` values, next ``horizon`` values) pairs in time order: ``x`` (n, window), ``y`` (n, horizon)
    with ``x[i] = series[i : i + window]`` and ``y[i] = series[i + window : i + window + horizon]``."""
    values = _as_series(series, window, horizon)
    n = len(values) - window - horizon + 1
    x = np.lib.stride_tricks.sliding_window_view(values, window)[:n]
    return x.copy(), np.lib.stride_tricks.sliding_window_view(values[window:], horizon)[:n].copy()


def windowed_dataset(series: np.ndarray, window: int, horizon: int = 1, batch_size: int = 32,
                     shuffle: bool = False, seed: int | None = None):
    """The pairs of :func:`make_windows` as a batched ``tf.data.Dataset`` of ((b, window, 1), (b, horizon)).

    ``keras.utils.timeseries_dataset_from_array`` streams (and shuffles) the window *indices*, so that the
    targets gathered after each window stay with it.
    """
    import keras
    import tensorflow as tf

    values = _as_series(series, window, horizon).astype("float32")
    index = keras.utils.timeseries_dataset_from_array(np.arange(len(values) - horizon, dtype="int64"), None,
                                                      sequence_length=window, batch_size=batch_size,
                                                      shuffle=shuffle, seed=seed)
    table, futures = tf.constant(values), tf.constant(np.arange(horizon, dtype="int64"))
    return index.map(lambda idx: (tf.gather(table, idx)[..., None], tf.gather(table, idx[:, -1:] + 1 + futures)))


def _check_windows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype="float64")
    if x.ndim != 2 or x.shape[1] < 1:
        raise ValueError(f"x must be (n, window) windows, got shape {x.shape}")
    return x


def naive_forecast(x: np.ndarray, horizon: int = 1) -> np.ndarray:
    """Tomorrow equals today: repeat the last value of each window ``horizon`` times."""
    return np.repeat(_check_windows(x)[:, -1:], horizon, axis=1)


def seasonal_naive_forecast(x: np.ndarray, season: int, horizon: int = 1) -> np.ndarray:
    """Same time last season: step ``h`` ahead is the value ``season`` steps before it (needs window >= season)."""
    x = _check_windows(x)
    if not 1 <= horizon <= season <= x.shape[1]:
        raise ValueError(f"need 1 <= horizon <= season <= window, got horizon={horizon}, season={season}, "
                         f"window={x.shape[1]}")
    return x[:, x.shape[1] - season: x.shape[1] - season + horizon]


def seasonal_naive_drift_forecast(x: np.ndarray, season: int, horizon: int = 1) -> np.ndarray:
    """Seasonal naive plus the change over the last season, ``y[t + h - season] + (y[t] - y[t - season])``, so it
    follows a trend as well as the cycle (needs window > season)."""
    x = _check_windows(x)
    if not 1 <= horizon <= season < x.shape[1]:
        raise ValueError(f"need 1 <= horizon <= season < window, got horizon={horizon}, season={season}, "
                         f"window={x.shape[1]}")
    return seasonal_naive_forecast(x, season, horizon) + (x[:, -1:] - x[:, -1 - season:-season])


def fit_holt_winters(train_values: np.ndarray, season: int) -> dict[str, np.ndarray]:
    """Additive Holt–Winters (level + trend + season) fitted by statsmodels on the training part only: the
    smoothing weights and initial states that :func:`holt_winters_forecasts` runs with."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = _as_series(train_values)
    if season < 2 or len(values) < 2 * season + 2:
        raise ValueError(f"Holt-Winters needs season >= 2 and at least two seasons of data (+2), got "
                         f"season={season}, {len(values)} values")
    fitted = ExponentialSmoothing(values, trend="add", seasonal="add", seasonal_periods=season,
                                  initialization_method="estimated").fit()
    return {key: np.asarray(fitted.params[key], dtype="float64") for key in HOLT_WINTERS_KEYS}


def holt_winters_forecasts(series: np.ndarray, params: dict, season: int, horizon: int = 1) -> np.ndarray:
    """Run additive Holt–Winters with fixed ``params`` along ``series``; forecasts from every origin.

    Row ``t`` of the (n, horizon) result forecasts ``series[t + 1 : t + 1 + horizon]`` from ``series[: t + 1]``
    only (no refitting, no peeking). Equations (statsmodels' convention)::

        level_t  = a (y_t - s_{t-m}) + (1 - a) (level_{t-1} + trend_{t-1})
        trend_t  = b (level_t - level_{t-1}) + (1 - b) trend_{t-1}
        s_t      = g (y_t - level_{t-1} - trend_{t-1}) + (1 - g) s_{t-m}
        forecast = level_t + h trend_t + s_{t+h-m}           (h <= m)
    """
    values = _as_series(series)
    missing = [key for key in HOLT_WINTERS_KEYS if key not in params]
    if missing:
        raise ValueError(f"params lacks {missing}; get them from fit_holt_winters")
    seasons = np.asarray(params["initial_seasons"], dtype="float64")
    if len(seasons) != season or not 1 <= horizon <= season:
        raise ValueError(f"need {season} initial seasons and 1 <= horizon <= season, got {len(seasons)} "
                         f"and horizon={horizon}")
    alpha, beta, gamma = (float(params[k]) for k in HOLT_WINTERS_KEYS[:3])
    level, trend = float(params["initial_level"]), float(params["initial_trend"])
    season_terms = np.concatenate([seasons, np.zeros(len(values))])  # season_terms[k] is s_{k-m}
    steps = np.arange(1, horizon + 1)
    out = np.empty((len(values), horizon))
    for t, y in enumerate(values):
        previous_season = season_terms[t]
        new_level = alpha * (y - previous_season) + (1 - alpha) * (level + trend)
        new_trend = beta * (new_level - level) + (1 - beta) * trend
        season_terms[t + season] = gamma * (y - level - trend) + (1 - gamma) * previous_season
        level, trend = new_level, new_trend
        out[t] = level + steps * trend + season_terms[t + steps]
    return out


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """MAE in the units of the series (scikit-learn's)."""
    from sklearn.metrics import mean_absolute_error as sklearn_mae

    return float(sklearn_mae(y_true, y_pred))


def chronological_split(n: int, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
                        ) -> tuple[slice, slice, slice]:
    """Train/validation/test slices of ``range(n)``, in time order, with no overlap and no gaps."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be three positive numbers summing to 1, got {fractions}")
    if n < 3:
        raise ValueError(f"need at least 3 time steps to split, got {n}")
    train_end = max(1, round(n * fractions[0]))
    val_end = min(n - 1, max(train_end + 1, round(n * (fractions[0] + fractions[1]))))
    return slice(0, train_end), slice(train_end, val_end), slice(val_end, n)


def load_jena_csv(path: str | Path, columns: tuple[str, ...] = ("T (degC)",), every: int = 1):
    """The upstream Jena climate CSV (or a folder holding it, ``__MACOSX/`` skipped) as a pandas DataFrame indexed
    by time; ``columns`` picks the measurements, ``every=6`` keeps one row per hour (the file has one per 10 min)."""
    import pandas as pd

    path = Path(path)
    if path.is_dir():  # the extracted archive: the csv at its top level or below
        found = sorted((len(p.parts), p) for p in path.rglob(JENA_FILE) if "__MACOSX" not in p.parts)
        path = found[0][1] if found else path / JENA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; get it with utils.downloads.fetch('jena_climate')")
    unknown = [c for c in columns if c not in JENA_COLUMNS[1:]]
    if unknown or every < 1:
        raise ValueError(f"unknown columns {unknown} (choose from {JENA_COLUMNS[1:]}) or every={every} < 1")
    header = tuple(pd.read_csv(path, nrows=0).columns)
    if header != JENA_COLUMNS:
        raise ValueError(f"{path} does not have the Jena climate header; got {header[:3]}...")
    frame = pd.read_csv(path, usecols=[JENA_COLUMNS[0], *columns]).iloc[::every]
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop(JENA_COLUMNS[0]), format="%d.%m.%Y %H:%M:%S"), name=None)
    return frame[list(columns)].astype("float64")


def fetch_jena_climate(columns: tuple[str, ...] = ("T (degC)",), every: int = 6):
    """Full profile: download (once) and parse the Jena climate record (no checksum is published for it)."""
    from utils.downloads import fetch  # here, so the offline default profile never needs it

    return load_jena_csv(fetch("jena_climate"), columns=columns, every=every)
