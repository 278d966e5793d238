"""One plotting style for the whole course: learning curves, confusion matrices, grids of images, filters and frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

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


def _box_sets(value: np.ndarray | None, n: int) -> np.ndarray | None:
    if value is None:
        return None
    value = np.asarray(value, dtype=float)
    value = value[:, None, :] if value.ndim == 2 else value
    _check(value.ndim == 3 and value.shape[-1] == 4 and len(value) >= n,
           f"boxes must be (n, 4) or (n, k, 4) for the {n} images shown, got {value.shape}")
    return value


def show_scenes(images: np.ndarray, boxes: np.ndarray | None = None, predicted_boxes: np.ndarray | None = None,
                masks: np.ndarray | None = None, num_classes: int | None = None, columns: int = 6,
                title: str = "", class_names: Sequence[str] | None = None,
                predicted_labels: np.ndarray | None = None) -> plt.Figure:
    """Scenes with true boxes (green) and predicted ones (dashed red, named by ``predicted_labels``, -1: none) as
    (n, 4) or (n, k, 4) ``(y0, x0, y1, x1)`` pixels, end exclusive, empty rows skipped; below, optional label
    ``masks`` (n, h, w) in :func:`mask_colormap` colours with a legend of ``class_names`` after the background."""
    images = np.asarray(images)
    _check(images.ndim in (3, 4), f"images must be (n, h, w) or (n, h, w, c), got shape {images.shape}")
    n = min(len(images), columns)
    box_sets = (_box_sets(boxes, n), _box_sets(predicted_boxes, n))
    if predicted_labels is not None:
        predicted_labels = np.asarray(predicted_labels).reshape(len(predicted_labels), -1)
        _check(box_sets[1] is not None and predicted_labels.shape[:2] == box_sets[1].shape[:2],
               "predicted_labels must be (n, k) for (n, k, 4) predicted_boxes")
    classes = num_classes if num_classes else (int(np.max(masks)) + 1 if masks is not None else 0)
    rows = 1 if masks is None else 2
    fig, axes = plt.subplots(rows, n, figsize=(1.9 * n, 2.0 * rows + 0.35 * (rows - 1)), squeeze=False)
    for index, ax in enumerate(axes[0]):
        draw_image(ax, images[index], vmin=0, vmax=1)
        ax.axis("off")
        for predicted, box_set in enumerate(box_sets):
            for slot, (y0, x0, y1, x1) in enumerate(box_set[index] if box_set is not None else []):
                if y1 <= y0 or x1 <= x0:
                    continue
                ax.add_patch(plt.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, linewidth=1.5,
                                           edgecolor="red" if predicted else "limegreen",
                                           linestyle="--" if predicted else "-"))
                label = int(predicted_labels[index, slot]) if predicted and predicted_labels is not None else -1
                if label >= 0:
                    ax.text(x0 - 0.5, y0 - 1, class_names[label] if class_names else str(label), color="red",
                            fontsize=8, va="bottom", ha="left", fontweight="bold")
    if masks is not None:
        colours = mask_colormap(classes)
        for ax, mask in zip(axes[1], np.asarray(masks)[:n], strict=True):
            ax.imshow(mask, cmap=colours, vmin=-0.5, vmax=classes - 0.5, interpolation="nearest")
            ax.axis("off")
        names = ["background", *(class_names or [str(c) for c in range(classes - 1)])]
        patches = [Patch(facecolor=colours.colors[c], edgecolor="0.5", label=names[c]) for c in range(classes)]
        fig.legend(handles=patches, loc="lower center", ncol=min(classes, 11), fontsize=8, frameon=False,
                   handlelength=1.0, columnspacing=0.8)
    return _done(fig, title, rect=(0, 0.08 if masks is not None else 0, 1, 1))


def plot_unrolled_rnn(steps: int = 4, title: str = "A recurrent layer unrolled in time") -> plt.Figure:
    """Draw one recurrent cell copied over ``steps`` time steps: inputs below, states to the right, outputs above."""
    _check(1 <= steps <= 12, f"steps must be between 1 and 12 to stay readable, got {steps}")
    fig, ax = plt.subplots(figsize=(1.7 * steps + 1.2, 2.6))
    arrow = {"arrowstyle": "->", "color": "0.3", "lw": 1.2}
    for t in range(steps):
        x = 1.6 * t + 1.0
        ax.add_patch(plt.Rectangle((x - 0.45, 0.8), 0.9, 0.7, facecolor="#cfe2f3", edgecolor="0.3"))
        ax.text(x, 1.15, "cell", ha="center", va="center", fontsize=9)
        ax.text(x, 0.05, f"$x_{{{t + 1}}}$", ha="center", fontsize=11)
        ax.text(x, 2.25, f"$h_{{{t + 1}}}$", ha="center", fontsize=11)
        for start, end in (((x, 0.3), (x, 0.8)), ((x, 1.5), (x, 2.15)), ((x - 1.15, 1.15), (x - 0.45, 1.15))):
            ax.annotate("", xy=end, xytext=start, arrowprops=arrow)
    ax.text(-0.1, 1.15, "$h_0$", ha="center", va="center", fontsize=11)
    ax.text(1.6 * steps - 0.2, 1.45, "same weights $W, U, b$ at every step", ha="right", fontsize=8, color="0.3")
    ax.set(xlim=(-0.4, 1.6 * steps + 0.2), ylim=(-0.1, 2.6), title=title)
    ax.axis("off")
    return _done(fig)


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


def mask_colormap(num_classes: int = 11) -> Any:
    """Colours for label masks: black background, then ``tab10`` (``tab20`` beyond ten classes), one per class."""
    _check(2 <= num_classes <= 21, f"num_classes must be 2..21 (background + up to 20 classes), got {num_classes}")
    palette = plt.get_cmap("tab10" if num_classes <= 11 else "tab20").colors
    return ListedColormap([(0.0, 0.0, 0.0), *palette[:num_classes - 1]], name=f"mask{num_classes}")


def plot_precision_recall(curves: Mapping[str, tuple[np.ndarray, np.ndarray, float]],
                          title: str = "Precision-recall curves") -> plt.Figure:
    """Precision against recall, one step curve per model; ``curves`` maps a name to (recall, precision, AP)."""
    _check(curves, "curves must map a model name to (recall, precision, average precision)")
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for name, (recall, precision, ap) in curves.items():
        recall, precision = np.asarray(recall, dtype=float), np.asarray(precision, dtype=float)
        _check(recall.shape == precision.shape and recall.ndim == 1,
               f"curves[{name!r}]: recall and precision must be 1-D arrays of one length")
        first = precision[:1] if precision.size else np.ones(1)  # no detections at all: one point at recall 0
        ax.step(np.concatenate([[0.0], recall]), np.concatenate([first, precision]), where="post",
                label=f"{name} (AP {ap:.3f})")
    ax.set(xlim=(0, 1.0), ylim=(0, 1.02))
    return _one_axis_done(fig, ax, title, "recall (fraction of true objects found)",
                          "precision (fraction of detections correct)", loc="lower left", fontsize=8)


def plot_lag_sweep(means: Any, spreads: Any | None = None, title: str = "", chance: float | None = None,
                   ylabel: str = "test accuracy") -> plt.Figure:
    """Accuracy against the lag (DataFrames indexed by model, one column per lag), with ± spread bars where given."""
    _check(len(means) > 0, "means must hold at least one model (rows) and one lag (columns)")
    fig, ax = plt.subplots(figsize=(7.5, 3))
    lags = np.asarray(means.columns, dtype=float)
    markers, styles = "osD^v<>", ("-", "--", "-.", ":")
    for index, name in enumerate(means.index):  # distinct markers and dashes keep overlapping lines visible
        errors = None if spreads is None else np.asarray(spreads.loc[name], dtype=float)
        ax.errorbar(lags, np.asarray(means.loc[name], dtype=float), yerr=errors, marker=markers[index % len(markers)],
                    linestyle=styles[index % len(styles)], markersize=8 - index, capsize=3, label=name)
    if chance is not None:
        ax.axhline(chance, color="0.5", linestyle=":", label="chance")
    return _one_axis_done(fig, ax, title, "lag (time steps to remember across)", ylabel, fontsize=8,
                          loc="center left", bbox_to_anchor=(1.01, 0.5))


def plot_learning_curves(curves: Mapping[str, Sequence[Sequence[float]]], title: str = "",
                         ylabel: str = "accuracy") -> plt.Figure:
    """Per-epoch curves of several runs (e.g. seeds) per model: one colour per model, one thin line per run."""
    _check(curves, "curves must map a model name to a list of per-epoch value lists")
    fig, ax = plt.subplots(figsize=(7, 3.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (name, runs) in enumerate(curves.items()):
        for run_index, values in enumerate(runs):
            ax.plot(np.arange(1, len(values) + 1), values, color=colours[index % len(colours)], linewidth=1.2,
                    alpha=0.8, marker=".", label=name if run_index == 0 else None)
    return _one_axis_done(fig, ax, title, "epoch", ylabel, fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))


def plot_seed_spread(values: Mapping[str, Sequence[float]], title: str = "", xlabel: str = "accuracy",
                     reference: Mapping[str, float] | None = None) -> plt.Figure:
    """One row per model: each seed's value as a dot, the mean as a diamond with one standard deviation either side;
    ``reference`` draws single numbers (a deterministic baseline such as k-NN) as labelled vertical lines."""
    _check(values and all(len(v) > 0 for v in values.values()),
           "values needs at least one model, each with at least one number")
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
    return _one_axis_done(fig, ax, title, xlabel, "", loc="lower left", fontsize=8)


def motion_projections(clip: np.ndarray, differences: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Two stills of a clip (frames, h, w[, c]) in [0, 1]: its maximum over time (h, w), the path without direction,
    and each frame coloured by time (h, w, 3), early purple to late yellow. ``differences=True`` projects
    ``|frame[t+1] - frame[t]|`` instead (for real video, whose background would fill the picture)."""
    clip = np.asarray(clip, dtype="float32")
    _check(clip.ndim in (3, 4) and len(clip) >= 2, f"clip must be (frames >= 2, h, w) or (frames, h, w, c), got shape "
           f"{clip.shape}")
    frames = clip.mean(axis=-1) if clip.ndim == 4 else clip
    if differences:
        frames = np.abs(np.diff(frames, axis=0))
    frames = frames / max(float(frames.max()), 1e-6)
    colours = plt.get_cmap("plasma")(np.linspace(0.0, 0.9, len(frames)))[:, :3]
    coloured = (frames[..., None] * colours[:, None, None, :]).max(axis=0)
    return frames.max(axis=0), coloured


def show_motion(clips: np.ndarray, labels: Sequence[int], class_names: Sequence[str], title: str = "",
                differences: bool = False) -> plt.Figure:
    """The first clip of each class as :func:`motion_projections`: maximum (top), coloured by time (bottom)."""
    labels = np.asarray(labels)
    _check(len(clips) == len(labels), f"clips and labels differ in length: {len(clips)} vs {len(labels)}")
    shown = [(name, int(np.flatnonzero(labels == index)[0])) for index, name in enumerate(class_names)
             if np.any(labels == index)]
    _check(shown, "none of the classes has a clip to show")
    maxima, coloured = zip(*(motion_projections(clips[index], differences) for _, index in shown), strict=True)
    fig, axes = _image_grid([*maxima, *coloured], len(shown), (1.35, 1.5), frame=True, cmap="gray", vmin=0, vmax=1)
    for ax, (name, _) in zip(axes, shown, strict=False):
        ax.set_title(name, fontsize=8)
    axes[0].set_ylabel("max over time", fontsize=8)
    axes[len(shown)].set_ylabel("early → late", fontsize=8)
    return _done(fig, title, fontsize=9)
