"""Time-series data for ``08_time_series``: the Mauna Loa CO2 record (offline), the Jena weather record (full
profile), windows in NumPy and ``tf.data``, and the chronological split every forecaster must respect. The
baselines (naive, seasonal, Holt–Winters) are written out in the notebook itself.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

JENA_FILE = "jena_climate_2009_2016.csv"
JENA_COLUMNS = ("Date Time", "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
                "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)",
                "max. wv (m/s)", "wd (deg)")  # the upstream header, in order; one row every 10 minutes


def load_co2_monthly():
    """Monthly mean CO2 (ppm) at Mauna Loa, 1958–2001, as a pandas Series: statsmodels' weekly record averaged
    per month, the few empty months interpolated."""
    from statsmodels.datasets import co2

    monthly = co2.load_pandas().data["co2"].resample("MS").mean().interpolate(limit_direction="both")
    monthly.name = "co2_ppm"
    return monthly


def _as_series(series: np.ndarray, window: int, horizon: int) -> np.ndarray:
    """``series`` as float64 after checking it is 1-D, finite and long enough for ``window + horizon``."""
    values = np.asarray(series, dtype="float64")
    if values.ndim != 1:
        raise ValueError(f"series must be 1-D (one value per time step), got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("series contains NaN or infinite values; fill or drop them first")
    if window < 1 or horizon < 1:
        raise ValueError(f"window and horizon must be >= 1, got window={window}, horizon={horizon}")
    if len(values) < window + horizon:
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


def chronological_split(n: int, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
                        ) -> tuple[slice, slice, slice]:
    """Train/validation/test slices of ``range(n)``, in time order, with no overlap and no gaps."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be three positive numbers summing to 1, got {fractions}")
    if n < 3:
        raise ValueError(f"need at least 3 time steps to split, got {n}")
    train_end = min(n - 2, max(1, round(n * fractions[0])))  # leaves a step each for validation and test
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
