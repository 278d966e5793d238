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
    rows = -(-len(filters) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.1 * columns, 1.2 * rows), squeeze=False)
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


def show_scenes(images: np.ndarray, boxes: np.ndarray | None = None, predicted_boxes: np.ndarray | None = None,
                masks: np.ndarray | None = None, num_classes: int | None = None, columns: int = 6,
                title: str = "") -> plt.Figure:
    """Scenes with boxes drawn over them (true: green, predicted: dashed red) and, optionally, a row of masks.

    ``boxes`` / ``predicted_boxes``: (n, 4) or (n, k, 4) as ``(y0, x0, y1, x1)`` in pixels, end
    exclusive (all-zero rows are skipped); ``masks``: (n, h, w) integer labels, 0 = background.
    Introduced in ``04_beyond_classification``.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (n, h, w) or (n, h, w, c), got shape {images.shape}")
    n = min(len(images), columns)

    def as_box_sets(value: np.ndarray | None) -> np.ndarray | None:
        if value is None:
            return None
        value = np.asarray(value, dtype=float)
        value = value[:, None, :] if value.ndim == 2 else value
        if value.ndim != 3 or value.shape[-1] != 4 or len(value) < n:
            raise ValueError(f"boxes must be (n, 4) or (n, k, 4) for the {n} images shown, got {value.shape}")
        return value

    true_sets, predicted_sets = as_box_sets(boxes), as_box_sets(predicted_boxes)
    rows = 1 if masks is None else 2
    fig, axes = plt.subplots(rows, n, figsize=(1.9 * n, 2.0 * rows), squeeze=False)
    for index in range(n):
        ax = axes[0, index]
        image = images[index]
        ax.imshow(image.squeeze(-1) if image.ndim == 3 and image.shape[-1] == 1 else image, vmin=0, vmax=1)
        ax.axis("off")
        for box_set, style in ((true_sets, {"edgecolor": "limegreen", "linestyle": "-"}),
                               (predicted_sets, {"edgecolor": "red", "linestyle": "--"})):
            if box_set is None:
                continue
            for y0, x0, y1, x1 in box_set[index]:
                if y1 > y0 and x1 > x0:
                    ax.add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, linewidth=1.5,
                                               **style))
        if masks is not None:
            top = num_classes - 1 if num_classes else int(np.max(masks))
            axes[1, index].imshow(np.asarray(masks)[index], cmap="tab20", vmin=0, vmax=max(top, 1),
                                  interpolation="nearest")
            axes[1, index].axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_unrolled_rnn(steps: int = 4, title: str = "A recurrent layer unrolled in time") -> plt.Figure:
    """Draw one recurrent cell copied over ``steps`` time steps: inputs below, states to the right, outputs above.

    Introduced in ``05_rnns_from_scratch``.
    """
    if not 1 <= steps <= 12:
        raise ValueError(f"steps must be between 1 and 12 to stay readable, got {steps}")
    fig, ax = plt.subplots(figsize=(1.7 * steps + 1.2, 2.6))
    arrow = {"arrowstyle": "->", "color": "0.3", "lw": 1.2}
    for t in range(steps):
        x = 1.6 * t + 1.0
        ax.add_patch(plt.Rectangle((x - 0.45, 0.8), 0.9, 0.7, facecolor="#cfe2f3", edgecolor="0.3"))
        ax.text(x, 1.15, "cell", ha="center", va="center", fontsize=9)
        ax.text(x, 0.05, f"$x_{{{t + 1}}}$", ha="center", fontsize=11)
        ax.text(x, 2.25, f"$h_{{{t + 1}}}$", ha="center", fontsize=11)
        ax.annotate("", xy=(x, 0.8), xytext=(x, 0.3), arrowprops=arrow)
        ax.annotate("", xy=(x, 2.15), xytext=(x, 1.5), arrowprops=arrow)
        ax.annotate("", xy=(x - 0.45, 1.15), xytext=(x - 1.15, 1.15), arrowprops=arrow)
    ax.text(-0.1, 1.15, "$h_0$", ha="center", va="center", fontsize=11)
    ax.text(1.6 * steps - 0.2, 1.45, "same weights $W, U, b$ at every step", ha="right", fontsize=8, color="0.3")
    ax.set_xlim(-0.4, 1.6 * steps + 0.2)
    ax.set_ylim(-0.1, 2.6)
    ax.axis("off")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_gradient_norms(norms: Mapping[str, np.ndarray], title: str = "Gradient reaching each time step",
                        ylabel: str = r"$\|\partial L / \partial x_t\|$") -> plt.Figure:
    """Per-time-step gradient norms (one line per model) on a log scale: vanishing shows as a slope.

    Introduced in ``06_long_range_memory``.
    """
    if not norms:
        raise ValueError("norms must map a model name to a 1-D array of per-step gradient norms")
    fig, ax = plt.subplots(figsize=(7, 3))
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"norms[{name!r}] must be 1-D (one value per time step), got shape {values.shape}")
        ax.semilogy(np.arange(len(values)), np.maximum(values, 1e-30), label=name)
    ax.set_xlabel("time step $t$ (the loss is computed after the last step)")
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    return fig
