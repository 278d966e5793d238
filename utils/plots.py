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
                title: str = "", class_names: Sequence[str] | None = None,
                predicted_labels: np.ndarray | None = None) -> plt.Figure:
    """Scenes with boxes drawn over them (true: green, predicted: dashed red) and, optionally, a row of masks.

    ``boxes`` / ``predicted_boxes``: (n, 4) or (n, k, 4) as ``(y0, x0, y1, x1)`` in pixels, end
    exclusive (all-zero rows are skipped); ``predicted_labels``: (n, k) class indices written on
    the predicted boxes (-1: none); ``masks``: (n, h, w) integer labels, 0 = background, drawn
    with :func:`mask_colormap` and a legend naming ``class_names`` (background first).
    Introduced in ``04_beyond_classification``.
    """
    from matplotlib.patches import Patch

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
    if predicted_labels is not None:
        predicted_labels = np.asarray(predicted_labels).reshape(len(predicted_labels), -1)
        if predicted_sets is None or predicted_labels.shape[:2] != predicted_sets.shape[:2]:
            raise ValueError("predicted_labels must be (n, k) for (n, k, 4) predicted_boxes")
    classes = num_classes if num_classes else (int(np.max(masks)) + 1 if masks is not None else 0)
    rows = 1 if masks is None else 2
    fig, axes = plt.subplots(rows, n, figsize=(1.9 * n, 2.0 * rows + (0.35 if masks is not None else 0)),
                             squeeze=False)
    for index in range(n):
        ax = axes[0, index]
        image = images[index]
        ax.imshow(image.squeeze(-1) if image.ndim == 3 and image.shape[-1] == 1 else image, vmin=0, vmax=1)
        ax.axis("off")
        for box_set, style in ((true_sets, {"edgecolor": "limegreen", "linestyle": "-"}),
                               (predicted_sets, {"edgecolor": "red", "linestyle": "--"})):
            if box_set is None:
                continue
            for slot, (y0, x0, y1, x1) in enumerate(box_set[index]):
                if y1 > y0 and x1 > x0:
                    ax.add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, linewidth=1.5,
                                               **style))
                    if (box_set is predicted_sets and predicted_labels is not None
                            and predicted_labels[index, slot] >= 0):
                        label = int(predicted_labels[index, slot])
                        ax.text(x0 - 0.5, y0 - 1, class_names[label] if class_names else str(label), color="red",
                                fontsize=8, va="bottom", ha="left", fontweight="bold")
        if masks is not None:
            axes[1, index].imshow(np.asarray(masks)[index], cmap=mask_colormap(classes), vmin=-0.5,
                                  vmax=classes - 0.5, interpolation="nearest")
            axes[1, index].axis("off")
    if masks is not None:
        names = ["background", *(class_names or [str(c) for c in range(classes - 1)])]
        colours = mask_colormap(classes).colors
        fig.legend(handles=[Patch(facecolor=colours[c], edgecolor="0.5", label=names[c]) for c in range(classes)],
                   loc="lower center", ncol=min(classes, 11), fontsize=8, frameon=False, handlelength=1.0,
                   columnspacing=0.8)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08 if masks is not None else 0, 1, 1))
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


def mask_colormap(num_classes: int = 11) -> Any:
    """A qualitative colour map for label masks: black background, then one distinct colour per class.

    Ten classes use matplotlib's ``tab10`` (so digits 8 and 9 differ clearly); more use ``tab20``.
    Introduced in ``04_beyond_classification``.
    """
    from matplotlib.colors import ListedColormap

    if not 2 <= num_classes <= 21:
        raise ValueError(f"num_classes must be 2..21 (background + up to 20 classes), got {num_classes}")
    palette = plt.get_cmap("tab10" if num_classes <= 11 else "tab20").colors
    return ListedColormap([(0.0, 0.0, 0.0), *palette[:num_classes - 1]], name=f"mask{num_classes}")


def plot_precision_recall(curves: Mapping[str, tuple[np.ndarray, np.ndarray, float]],
                          title: str = "Precision-recall curves") -> plt.Figure:
    """Precision against recall, one step curve per model; ``curves`` maps a name to (recall, precision, AP).

    The legend gives each curve's average precision (the area under it). Introduced in
    ``04_beyond_classification``.
    """
    if not curves:
        raise ValueError("curves must map a model name to (recall, precision, average precision)")
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for name, (recall, precision, ap) in curves.items():
        recall, precision = np.asarray(recall, dtype=float), np.asarray(precision, dtype=float)
        if recall.shape != precision.shape or recall.ndim != 1:
            raise ValueError(f"curves[{name!r}]: recall and precision must be 1-D arrays of one length")
        first = precision[:1] if precision.size else np.ones(1)  # no detections at all: one point at recall 0
        ax.step(np.concatenate([[0.0], recall]), np.concatenate([first, precision]), where="post",
                label=f"{name} (AP {ap:.3f})")
    ax.set_xlabel("recall (fraction of true objects found)")
    ax.set_ylabel("precision (fraction of detections correct)")
    ax.set_xlim(0, 1.0)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_lag_sweep(means: Any, spreads: Any | None = None, title: str = "", chance: float | None = None,
                   ylabel: str = "test accuracy") -> plt.Figure:
    """Accuracy against the lag, one line per model, with ± spread bars where given.

    ``means`` and ``spreads`` are pandas DataFrames indexed by model with one column per lag.
    Introduced in ``06_long_range_memory``.
    """
    if len(means) == 0:
        raise ValueError("means must hold at least one model (rows) and one lag (columns)")
    fig, ax = plt.subplots(figsize=(7.5, 3))
    lags = np.asarray(means.columns, dtype=float)
    markers, styles = "osD^v<>", ("-", "--", "-.", ":")
    for index, name in enumerate(means.index):  # distinct markers and dashes keep overlapping lines visible
        errors = None if spreads is None else np.asarray(spreads.loc[name], dtype=float)
        ax.errorbar(lags, np.asarray(means.loc[name], dtype=float), yerr=errors, marker=markers[index % len(markers)],
                    linestyle=styles[index % len(styles)], markersize=8 - index, capsize=3, label=name)
    if chance is not None:
        ax.axhline(chance, color="0.5", linestyle=":", label="chance")
    ax.set_xlabel("lag (time steps to remember across)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def plot_learning_curves(curves: Mapping[str, Sequence[Sequence[float]]], title: str = "",
                         ylabel: str = "accuracy") -> plt.Figure:
    """Per-epoch curves of several runs (e.g. seeds) per model: one colour per model, one thin line per run.

    Introduced in ``06_long_range_memory``.
    """
    if not curves:
        raise ValueError("curves must map a model name to a list of per-epoch value lists")
    fig, ax = plt.subplots(figsize=(7, 3.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (name, runs) in enumerate(curves.items()):
        for run_index, values in enumerate(runs):
            ax.plot(np.arange(1, len(values) + 1), values, color=colours[index % len(colours)], linewidth=1.2,
                    alpha=0.8, marker=".", label=name if run_index == 0 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def plot_seed_spread(values: Mapping[str, Sequence[float]], title: str = "", xlabel: str = "accuracy",
                     reference: Mapping[str, float] | None = None) -> plt.Figure:
    """One row per model: each seed's value as a dot, the mean as a diamond with one standard deviation either side.

    Introduced in ``02_image_classification`` (several seeds per training recipe). ``reference``
    draws single numbers (a deterministic baseline such as k-NN) as labelled vertical lines.
    """
    if not values or any(len(v) == 0 for v in values.values()):
        raise ValueError("values needs at least one model, each with at least one number")
    names = list(values)
    means = np.array([np.mean(values[name]) for name in names])
    sds = np.array([np.std(values[name], ddof=1) if len(values[name]) > 1 else 0.0 for name in names])
    positions = np.arange(len(names))[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    for position, name in zip(positions, names, strict=True):
        ax.plot(values[name], np.full(len(values[name]), position), "o", color="#9ecae1", markersize=5,
                label="one seed" if position == positions[0] else None)
    ax.errorbar(means, positions, xerr=sds, fmt="D", color="#08306b", capsize=4, label="mean ± sd")
    for index, (label, number) in enumerate((reference or {}).items()):
        ax.axvline(number, color=f"C{index + 1}", linestyle="--", label=f"{label} ({number:.3f})")
    ax.set_yticks(positions, names)
    shown = [float(np.min(v)) for v in values.values()] + [float(v) for v in (reference or {}).values()]
    ax.set_xlim(left=max(0.0, min(shown) - 0.05))  # zoom in: the differences that matter are small
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower left", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_labelled_filters(kernel: np.ndarray, labels: Sequence[str], columns: int = 8,
                          title: str = "") -> plt.Figure:
    """First-layer kernels, ``kernel`` shaped (kh, kw, in_channels, filters), each with a caption below it.

    Introduced in ``01_convolutions_from_scratch``, where the captions give each filter's measured
    similarity to a Sobel (edge) kernel and to a flat (blob) kernel. Red is positive, blue negative.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"kernel must be (kh, kw, in_channels, filters), got shape {kernel.shape}")
    if len(labels) != kernel.shape[-1]:
        raise ValueError(f"need one label per filter: {kernel.shape[-1]} filters, {len(labels)} labels")
    filters = np.moveaxis(kernel.mean(axis=2), -1, 0)
    rows = -(-len(filters) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.15 * columns, 1.45 * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(filters):
            ax.axis("off")
            continue
        limit = np.abs(filters[index]).max() or 1.0
        ax.imshow(filters[index], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xlabel(labels[index], fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def motion_projections(clip: np.ndarray, differences: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Two still pictures of a clip (frames, h, w[, c]): its maximum over time, and each frame coloured by time.

    Introduced in ``11_video_classification``. The maximum forgets the order of the frames (it shows
    the path, not the direction); in the coloured picture early frames are dark purple and late
    frames yellow, so the direction shows. ``differences=True`` projects ``|frame[t+1] - frame[t]|``
    instead of the frames (for real video, where the background would fill the picture).
    Returns ``(maximum (h, w), coloured (h, w, 3))``, both in [0, 1].
    """
    clip = np.asarray(clip, dtype="float32")
    if clip.ndim not in (3, 4) or len(clip) < 2:
        raise ValueError(f"clip must be (frames >= 2, h, w) or (frames, h, w, c), got shape {clip.shape}")
    frames = clip.mean(axis=-1) if clip.ndim == 4 else clip
    if differences:
        frames = np.abs(np.diff(frames, axis=0))
    frames = frames / max(float(frames.max()), 1e-6)
    colours = plt.get_cmap("plasma")(np.linspace(0.0, 0.9, len(frames)))[:, :3]
    coloured = (frames[..., None] * colours[:, None, None, :]).max(axis=0)
    return frames.max(axis=0), coloured


def show_motion(clips: np.ndarray, labels: Sequence[int], class_names: Sequence[str], title: str = "",
                differences: bool = False) -> plt.Figure:
    """For the first clip of each class: the maximum over time (top row) and the time-coloured path (bottom).

    Introduced in ``11_video_classification``: the top row shows what an order-free model can use,
    the bottom row what only the order adds. See :func:`motion_projections`.
    """
    labels = np.asarray(labels)
    if len(clips) != len(labels):
        raise ValueError(f"clips and labels differ in length: {len(clips)} vs {len(labels)}")
    shown = [(name, int(np.flatnonzero(labels == index)[0])) for index, name in enumerate(class_names)
             if np.any(labels == index)]
    if not shown:
        raise ValueError("none of the classes has a clip to show")
    fig, axes = plt.subplots(2, len(shown), figsize=(1.35 * len(shown), 3.0), squeeze=False)
    for column, (name, index) in enumerate(shown):
        maximum, coloured = motion_projections(clips[index], differences=differences)
        axes[0, column].imshow(maximum, cmap="gray", vmin=0.0, vmax=1.0)
        axes[1, column].imshow(coloured)
        axes[0, column].set_title(name, fontsize=8)
        for ax in axes[:, column]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("max over time", fontsize=8)
    axes[1, 0].set_ylabel("early → late", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
