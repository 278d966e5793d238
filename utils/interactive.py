"""Interactive views of feature maps and clips: ipywidgets where a Jupyter front end can draw them, otherwise (nbval,
papermill, scripts, ``COURSE_STATIC_WIDGETS=1``) a static matplotlib figure, so saved outputs stay small."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from typing import Any

import IPython.display
import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np

from utils.plots import draw_image, plot_feature_maps, show_frames

STATIC_ENV = "COURSE_STATIC_WIDGETS"
"""Set to ``1`` to force the static fallback (``make test`` does, so nbval compares plain figures)."""


def widgets_enabled() -> bool:
    """Widgets (True) or the static fallback (False): ``$COURSE_STATIC_WIDGETS`` decides when set (``1``: static,
    ``0``: widgets); otherwise widgets when a Jupyter front end is attached (Colab or a Jupyter kernel)."""
    raw = os.environ.get(STATIC_ENV, "").strip().lower()
    static, interactive = raw in {"1", "true", "yes", "on"}, raw in {"0", "false", "no", "off"}
    if raw and not (static or interactive):
        raise ValueError(f"{STATIC_ENV}={raw!r} is not understood; use 1 (static figures) or 0 (interactive widgets).")
    # ZMQInteractiveShell is a Jupyter kernel; a terminal IPython cannot draw widgets.
    frontend = "google.colab" in sys.modules or type(IPython.get_ipython()).__name__ == "ZMQInteractiveShell"
    return not static and (interactive or frontend)


def _show(figure: Any) -> None:
    """Display a figure once (inline backends would otherwise draw it again at cell end); a script keeps it open."""
    if IPython.get_ipython() is not None:
        IPython.display.display(figure)
        plt.close(figure)


def conv_layer_names(model: Any) -> list[str]:
    """Names of the model's 2-D convolution layers (the ones with spatial feature maps), in order."""
    names = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if not names:
        raise ValueError(f"model {model.name!r} has no Conv2D layers; feature maps need a convolutional model")
    return names


def feature_maps(model: Any, image: np.ndarray, layer_name: str) -> np.ndarray:
    """The output of ``layer_name`` for one ``image`` (the model input without the batch axis), as float32
    (height, width, channels) also under mixed precision, so plots and statistics never see half precision."""
    given = np.asarray(image)
    expected = tuple(model.inputs[0].shape[1:])
    image = given[..., None] if given.ndim == len(expected) - 1 and expected[-1] == 1 else given
    fits = image.ndim == len(expected) and all(w in (None, g) for w, g in zip(expected, image.shape, strict=True))
    if not fits:
        raise ValueError(f"image must be shaped {expected} (one input, no batch axis), got {given.shape}")
    layers = [layer.name for layer in model.layers]
    if layer_name not in layers:
        raise ValueError(f"model {model.name!r} has no layer {layer_name!r}; its layers are {layers}")
    probe = keras.Model(model.inputs[0], model.get_layer(layer_name).output)  # a single input: no structure warning
    return keras.ops.convert_to_numpy(probe(image[None].astype("float32"), training=False))[0].astype(np.float32)


def explore_feature_maps(model: Any, image: np.ndarray) -> None:
    """What each Conv2D layer makes of ``image``: a layer drop-down and a channel slider showing one map next to the
    input; static fallback: the first conv layer's maps as a grid."""
    names = conv_layer_names(model)
    layer_maps = functools.cache(functools.partial(feature_maps, model, image))
    first = layer_maps(names[0])  # validates the image early
    if not widgets_enabled():
        _show(plot_feature_maps(first, title=f"Feature maps of layer '{names[0]}'"))
        return
    layer = widgets.Dropdown(options=names, value=names[0], description="layer")
    channel = widgets.IntSlider(value=0, min=0, max=first.shape[-1] - 1, description="channel",
                                continuous_update=False)

    def draw(layer_name: str, channel_index: int) -> None:
        current = layer_maps(layer_name)
        channel_index = min(channel_index, current.shape[-1] - 1)
        figure, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
        draw_image(left, image)
        right.imshow(current[..., channel_index], cmap="viridis")
        for axis, title in ((left, "input"), (right, f"{layer_name}, channel {channel_index} of {current.shape[-1]}")):
            axis.set_title(title)
            axis.axis("off")
        figure.tight_layout()
        _show(figure)

    def on_layer(change: dict[str, Any]) -> None:
        channel.max = layer_maps(change["new"]).shape[-1] - 1
        channel.value = min(channel.value, channel.max)

    layer.observe(on_layer, names="value")
    _display_interactive(draw, layer_name=layer, channel_index=channel)


def play_clip(clip: np.ndarray, title: str = "") -> None:
    """Scrub through a video ``clip`` shaped (frames, h, w[, c]) with a slider; static fallback: a strip of frames."""
    clip = np.asarray(clip)
    if clip.ndim not in (3, 4) or len(clip) == 0 or (clip.ndim == 4 and clip.shape[-1] not in (1, 3, 4)):
        raise ValueError("clip must be a non-empty (frames, h, w) or (frames, h, w, c) array with 1 (grey), 3 (RGB) "
                         f"or 4 (RGBA) channels, got shape {clip.shape}")
    if not widgets_enabled():
        _show(show_frames(clip, title=title))
        return
    frame_slider = widgets.IntSlider(value=0, min=0, max=len(clip) - 1, description="frame")
    player = widgets.Play(value=0, min=0, max=len(clip) - 1, interval=150, description="play")
    widgets.jslink((player, "value"), (frame_slider, "value"))

    def draw(frame: int) -> None:
        figure, axis = plt.subplots(figsize=(3.2, 3.2))
        draw_image(axis, clip[frame])
        axis.set_title(f"{title + ': ' if title else ''}frame {frame + 1} of {len(clip)}", fontsize=9)
        axis.axis("off")
        figure.tight_layout()
        _show(figure)

    _display_interactive(draw, controls=[player], frame=frame_slider)


def _display_interactive(draw: Any, controls: Sequence[Any] = (), **sliders: Any) -> None:
    """Show ``sliders`` (and extra ``controls``) above an output area redrawn by ``draw``."""
    output = widgets.interactive_output(draw, sliders)
    IPython.display.display(widgets.VBox([widgets.HBox([*controls, *sliders.values()]), output]))
