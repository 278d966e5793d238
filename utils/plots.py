"""One plotting style for the whole course: learning curves, confusion matrices, grids of images, filters and frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

FIGURE_DPI = 72
"""Modest resolution keeps committed notebooks small (the course checks each stays under 2 MB)."""


def set_style() -> None:
    """Apply the course's figure style (called by the set-up cell)."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI, "figure.figsize": (7, 3.5),
                         "axes.titlesize": "medium", "image.cmap": "gray"})


def _check(ok: Any, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok``: how every function here rejects bad input."""
    if not ok:
        raise ValueError(message)


def draw_image(ax: Any, image: np.ndarray, **imshow: Any) -> None:
    """``ax.imshow`` of one (h, w[, c]) image; a single channel is drawn as grey."""
    image = np.asarray(image)
    ax.imshow(image.squeeze(-1) if image.ndim == 3 and image.shape[-1] == 1 else image, **imshow)


def _image_grid(images: Sequence[np.ndarray], columns: int, cell: tuple[float, float], frame: bool = False,
                **imshow: Any) -> tuple[plt.Figure, np.ndarray]:
    """``images`` in rows of ``columns`` panels of ``cell`` inches, axes hidden unless ``frame``; axes in order."""
    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(cell[0] * columns, cell[1] * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set(xticks=[], yticks=[])
        if index < len(images):
            draw_image(ax, images[index], **imshow)
        if index >= len(images) or not frame:
            ax.axis("off")
    return fig, axes.ravel()


def _done(fig: plt.Figure, title: str = "", rect: tuple[float, ...] | None = None, **suptitle: Any) -> plt.Figure:
    if title:
        fig.suptitle(title, **suptitle)
    fig.tight_layout(rect=rect)
    return fig


def _one_axis_done(fig: plt.Figure, ax: Any, title: str, xlabel: str, ylabel: str, **legend: Any) -> plt.Figure:
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(**legend)
    return _done(fig)


def plot_history(history: Any, metrics: Sequence[str] | None = None, title: str = "") -> plt.Figure:
    """Learning curves: one panel per metric, training and validation together."""
    logs = getattr(history, "history", history)
    _check(isinstance(logs, Mapping) and logs,
           "plot_history needs a keras History or a non-empty dict of metric -> list of values")
    names = list(metrics) if metrics else [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    missing = [m for m in names if m not in logs]
    _check(not missing, f"metrics {missing} not in history; available: {sorted(logs)}")
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        epochs = np.arange(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], marker=".", label="training")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], marker=".", label="validation")
        ax.set(xlabel="epoch", ylabel=name)
        ax.legend()
    return _done(fig, title)


def plot_confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], class_names: Sequence[str],
                          title: str = "Confusion matrix", normalize: bool = False) -> plt.Figure:
    """Seaborn heat map of true (rows) vs predicted (columns) classes; ``normalize`` divides each row by its sum."""
    from sklearn.metrics import confusion_matrix

    true, pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    _check(true.shape == pred.shape, f"y_true and y_pred differ in length: {true.shape[0]} vs {pred.shape[0]}")
    k = len(class_names)
    matrix = confusion_matrix(true, pred, labels=np.arange(k), normalize="true" if normalize else None)
    size = max(3.5, 0.45 * k + 1.5)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    sns.heatmap(matrix, annot=k <= 12, fmt=".2f" if normalize else ".0f", cmap="Blues", cbar=False,
                xticklabels=class_names, yticklabels=class_names, ax=ax)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return _done(fig)


def show_image_grid(images: np.ndarray, true_labels: Sequence[int] | None = None,
                    predicted_labels: Sequence[int] | None = None, class_names: Sequence[str] | None = None,
                    columns: int = 8, title: str = "") -> plt.Figure:
    """A grid of images; titles show ``true`` or ``true→predicted`` (red when wrong)."""
    images = np.asarray(images)
    _check(images.ndim in (3, 4), f"images must be (n, h, w) or (n, h, w, c), got shape {images.shape}")
    fig, axes = _image_grid(images, columns, (1.3, 1.45))
    name = (lambda i: class_names[i]) if class_names is not None else str
    for index in range(len(images) if true_labels is not None else 0):
        label, wrong = name(int(true_labels[index])), False
        if predicted_labels is not None:
            wrong = int(predicted_labels[index]) != int(true_labels[index])
            label += f"→{name(int(predicted_labels[index]))}"
        axes[index].set_title(label, fontsize=8, color="crimson" if wrong else "black")
    return _done(fig, title)


def plot_feature_maps(maps: np.ndarray, columns: int = 8, title: str = "", max_maps: int = 16) -> plt.Figure:
    """Channels of one layer's output for one input: ``maps`` shaped (h, w, channels)."""
    maps = np.asarray(maps)
    _check(maps.ndim == 3, f"feature maps must be (height, width, channels) for one input, got shape {maps.shape}")
    return show_image_grid(np.moveaxis(maps[..., :max_maps], -1, 0), columns=columns, title=title)


def plot_filters(kernel: np.ndarray, columns: int = 8, title: str = "",
                 labels: Sequence[str] | None = None) -> plt.Figure:
    """Convolution kernels shaped (kh, kw, in_channels, filters), red positive and blue negative, on one colour
    scale; with ``labels``, each on its own scale (to compare shapes, not sizes) with its label below it."""
    kernel = np.asarray(kernel)
    _check(kernel.ndim == 4, f"kernel must be (kh, kw, in_channels, filters), got shape {kernel.shape}")
    if labels is not None and len(labels) != kernel.shape[-1]:
        raise ValueError(f"need one label per filter: {kernel.shape[-1]} filters, {len(labels)} labels")
    filters = np.moveaxis(kernel.mean(axis=2), -1, 0)
    if labels is None:
        limit = np.abs(filters).max()
        return _done(_image_grid(filters, columns, (1.1, 1.2), cmap="RdBu_r", vmin=-limit, vmax=limit)[0], title)
    limits = np.abs(filters).max(axis=(1, 2), keepdims=True)
    fig, axes = _image_grid(filters / np.where(limits > 0, limits, 1.0), columns, (1.15, 1.45), frame=True,
                            cmap="RdBu_r", vmin=-1, vmax=1)
    for ax, label in zip(axes, labels, strict=False):
        ax.set_xlabel(label, fontsize=7)
    return _done(fig, title, fontsize=9)


def show_frames(clip: np.ndarray, title: str = "", max_frames: int = 8) -> plt.Figure:
    """A video clip, shaped (frames, h, w[, c]), as a strip of evenly spaced frames."""
    clip = np.asarray(clip)
    _check(clip.ndim in (3, 4), f"clip must be (frames, h, w) or (frames, h, w, c), got shape {clip.shape}")
    picks = np.linspace(0, len(clip) - 1, min(max_frames, len(clip))).round().astype(int)
    fig, axes = _image_grid(clip[picks], len(picks), (1.3, 1.6))
    for ax, index in zip(axes, picks, strict=False):
        ax.set_title(f"t={index}", fontsize=8)
    return _done(fig, title, fontsize=9)


def plot_series(series: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = "", xlabel: str = "time",
                ylabel: str = "value") -> plt.Figure:
    """Several named (x, y) lines on one axis, e.g. a series and its forecasts."""
    fig, ax = plt.subplots(figsize=(8, 3))
    for name, (x, y) in series.items():
        ax.plot(x, y, label=name)
    return _one_axis_done(fig, ax, title, xlabel, ylabel)


def results_table(rows: Sequence[Mapping[str, Any]], index: str | None = None, digits: int = 4) -> Any:
    """A pandas DataFrame of measured rows (one dict per model), rounded for display."""
    frame = pd.DataFrame(list(rows))
    return (frame.set_index(index) if index is not None else frame).round(digits)


def plot_gradient_norms(norms: Mapping[str, np.ndarray], title: str = "Gradient reaching each time step",
                        ylabel: str = r"$\|\partial L / \partial x_t\|$") -> plt.Figure:
    """Per-time-step gradient norms (one line per model) on a log scale: vanishing shows as a slope."""
    _check(norms, "norms must map a model name to a 1-D array of per-step gradient norms")
    fig, ax = plt.subplots(figsize=(7, 3))
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        _check(values.ndim == 1, f"norms[{name!r}] must be 1-D (one value per time step), got shape {values.shape}")
        ax.semilogy(np.arange(len(values)), np.maximum(values, 1e-30), label=name)
    return _one_axis_done(fig, ax, title, "time step $t$ (the loss is computed after the last step)", ylabel)

