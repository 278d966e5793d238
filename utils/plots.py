"""One plotting style for the whole course: learning curves, confusion matrices, image grids,
feature maps and filters, series and frame strips.

Introduced in ``02_image_classification``; reused by every later notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

FIGURE_DPI = 72
"""Modest resolution keeps committed notebooks small (the course checks each stays under 2 MB)."""


def set_style() -> None:
    """Apply the course's figure style (called by the set-up cell)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI, "figure.figsize": (7, 3.5),
                         "axes.titlesize": "medium", "image.cmap": "gray"})


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise ValueError("plot_history needs a keras History or a non-empty dict of metric -> list of values")
    return logs


def plot_history(history: Any, metrics: Sequence[str] | None = None, title: str = "") -> plt.Figure:
    """Learning curves: one panel per metric, training and validation together."""
    logs = _history_dict(history)
    names = list(metrics) if metrics else [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    missing = [m for m in names if m not in logs]
    if missing:
        raise ValueError(f"metrics {missing} not in history; available: {sorted(logs)}")
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        epochs = np.arange(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], marker=".", label="training")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], marker=".", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], class_names: Sequence[str],
                          title: str = "Confusion matrix", normalize: bool = False) -> plt.Figure:
    """Seaborn heat map of true (rows) vs predicted (columns) classes."""
    import seaborn as sns

    true, pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {true.shape[0]} vs {pred.shape[0]}")
    k = len(class_names)
    matrix = np.zeros((k, k), dtype=float)
    np.add.at(matrix, (true, pred), 1)
    if normalize:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = max(3.5, 0.45 * k + 1.5)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    sns.heatmap(matrix, annot=k <= 12, fmt=".2f" if normalize else ".0f", cmap="Blues", cbar=False,
                xticklabels=class_names, yticklabels=class_names, ax=ax)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def show_image_grid(images: np.ndarray, true_labels: Sequence[int] | None = None,
                    predicted_labels: Sequence[int] | None = None, class_names: Sequence[str] | None = None,
                    columns: int = 8, title: str = "") -> plt.Figure:
    """A grid of images; titles show ``true`` or ``true→predicted`` (red when wrong)."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (n, h, w) or (n, h, w, c), got shape {images.shape}")
    n = len(images)
    rows = max(1, -(-n // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.45 * rows), squeeze=False)
    name = (lambda i: class_names[i]) if class_names is not None else str
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= n:
            continue
        image = images[index]
        ax.imshow(image.squeeze(-1) if image.ndim == 3 and image.shape[-1] == 1 else image)
        if true_labels is not None:
            label = name(int(true_labels[index]))
            wrong = False
            if predicted_labels is not None:
                wrong = int(predicted_labels[index]) != int(true_labels[index])
                label += f"→{name(int(predicted_labels[index]))}"
            ax.set_title(label, fontsize=8, color="crimson" if wrong else "black")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_feature_maps(maps: np.ndarray, columns: int = 8, title: str = "", max_maps: int = 16) -> plt.Figure:
    """Channels of one layer's output for one input: ``maps`` shaped (h, w, channels)."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"feature maps must be (height, width, channels) for one input, got shape {maps.shape}")
    channels = min(maps.shape[-1], max_maps)
    return show_image_grid(np.moveaxis(maps[..., :channels], -1, 0), columns=columns, title=title)


def plot_filters(kernel: np.ndarray, columns: int = 8, title: str = "") -> plt.Figure:
    """First-layer convolution kernels, ``kernel`` shaped (kh, kw, in_channels, filters)."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"kernel must be (kh, kw, in_channels, filters), got shape {kernel.shape}")
    filters = np.moveaxis(kernel.mean(axis=2), -1, 0)
    fig, axes = plt.subplots(-(-len(filters) // columns), columns, figsize=(1.1 * columns, 1.2 * -(-len(filters) // columns)),
                             squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(filters):
            ax.imshow(filters[index], cmap="RdBu_r", vmin=-np.abs(filters).max(), vmax=np.abs(filters).max())
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_series(series: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = "", xlabel: str = "time",
                ylabel: str = "value") -> plt.Figure:
    """Several named (x, y) lines on one axis, e.g. a series and its forecasts."""
    fig, ax = plt.subplots(figsize=(8, 3))
    for name, (x, y) in series.items():
        ax.plot(x, y, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def show_frames(clip: np.ndarray, title: str = "", max_frames: int = 8) -> plt.Figure:
    """A video clip, shaped (frames, h, w[, c]), as a strip of evenly spaced frames."""
    clip = np.asarray(clip)
    if clip.ndim not in (3, 4):
        raise ValueError(f"clip must be (frames, h, w) or (frames, h, w, c), got shape {clip.shape}")
    picks = np.linspace(0, len(clip) - 1, min(max_frames, len(clip))).round().astype(int)
    fig, axes = plt.subplots(1, len(picks), figsize=(1.3 * len(picks), 1.6), squeeze=False)
    for ax, index in zip(axes[0], picks, strict=True):
        frame = clip[index]
        ax.imshow(frame.squeeze(-1) if frame.ndim == 3 and frame.shape[-1] == 1 else frame)
        ax.set_title(f"t={index}", fontsize=8)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def results_table(rows: Sequence[Mapping[str, Any]], index: str | None = None, digits: int = 4) -> Any:
    """A pandas DataFrame of measured rows (one dict per model), rounded for display."""
    import pandas as pd

    frame = pd.DataFrame(list(rows))
    if index is not None:
        frame = frame.set_index(index)
    return frame.round(digits)
