"""Interactive views for exploring models and clips, with a static fallback.

Where a widget-capable front end is running (JupyterLab, Colab, classic Notebook), these
helpers show ipywidgets controls: a drop-down to choose a layer, a slider to choose a
channel or a video frame. Everywhere else (nbval, papermill, a plain script, or
``COURSE_STATIC_WIDGETS=1``) they draw an ordinary matplotlib figure instead, so the
notebook still shows something meaningful and its saved outputs stay small.

Introduced in ``03_what_a_cnn_learns`` (feature maps) and ``11_video_classification`` (clips).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from utils.plots import plot_feature_maps, show_frames

STATIC_ENV = "COURSE_STATIC_WIDGETS"
"""Set to ``1`` to force the static fallback (``make test`` does, so nbval compares plain figures)."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _frontend_can_render_widgets() -> bool:
    """True when an IPython kernel with a live front end connection is running this code."""
    if "google.colab" in sys.modules:
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    # ZMQInteractiveShell means a Jupyter kernel; a terminal IPython cannot draw widgets.
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def widgets_enabled() -> bool:
    """Whether to show ipywidgets (True) or the static matplotlib fallback (False).

    ``$COURSE_STATIC_WIDGETS`` decides when set (``1``: static, ``0``: widgets); otherwise widgets
    are used when ipywidgets is importable and a Jupyter front end is attached.

    Raises:
        ValueError: if ``$COURSE_STATIC_WIDGETS`` is set to something other than a yes/no value.
    """
    raw = os.environ.get(STATIC_ENV, "").strip().lower()
    if raw and raw not in _TRUE | _FALSE:
        raise ValueError(f"{STATIC_ENV}={raw!r} is not understood; use 1 (static figures) or 0 (interactive widgets).")
    if raw in _TRUE:
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return raw in _FALSE or _frontend_can_render_widgets()


def _show(figure: Any) -> None:
    """Display a figure once (inline backends would otherwise draw it a second time at cell end)."""
    import matplotlib.pyplot as plt

    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with every Jupyter install
        return
    if get_ipython() is None:
        return  # a plain script: leave the figure open for plt.show() or savefig
    display(figure)
    plt.close(figure)


def conv_layer_names(model: Any) -> list[str]:
    """Names of the model's 2-D convolution layers (the ones with spatial feature maps), in order."""
    import keras

    names = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if not names:
        raise ValueError(f"model {model.name!r} has no Conv2D layers; feature maps need a convolutional model")
    return names


def feature_maps(model: Any, image: np.ndarray, layer_name: str) -> np.ndarray:
    """The output of ``layer_name`` for one ``image`` shaped like the model input without the batch axis.

    Returns a ``float32`` array shaped (height, width, channels), also when the model computes in
    ``float16`` (mixed precision), so that plots and statistics never see half precision.
    """
    import keras

    given = np.asarray(image)
    expected = tuple(model.inputs[0].shape[1:])
    grey_without_channel_axis = given.ndim == len(expected) - 1 and expected[-1] == 1
    image = given[..., None] if grey_without_channel_axis else given
    fits = image.ndim == len(expected) and all(
        want in (None, got) for want, got in zip(expected, image.shape, strict=True))
    if not fits:
        raise ValueError(f"image must be shaped {expected} (one input, no batch axis), got {given.shape}")
    layers = [layer.name for layer in model.layers]
    if layer_name not in layers:
        raise ValueError(f"model {model.name!r} has no layer {layer_name!r}; its layers are {layers}")
    probe = keras.Model(model.inputs[0], model.get_layer(layer_name).output)  # a single input: no structure warning
    return keras.ops.convert_to_numpy(probe(image[None].astype("float32"), training=False))[0].astype(np.float32)


def explore_feature_maps(model: Any, image: np.ndarray) -> None:
    """Look at what each convolution layer of ``model`` makes of ``image``.

    Interactive: a drop-down of the Conv2D layers and a slider over the channels, showing one
    feature map large next to the input. Static fallback: the first conv layer's maps as a grid
    (:func:`utils.plots.plot_feature_maps`).
    """
    names = conv_layer_names(model)
    maps = {names[0]: feature_maps(model, image, names[0])}  # validates the image early
    if not widgets_enabled():
        _show(plot_feature_maps(maps[names[0]], title=f"Feature maps of layer '{names[0]}'"))
        return

    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    def layer_maps(name: str) -> np.ndarray:
        if name not in maps:
            maps[name] = feature_maps(model, image, name)
        return maps[name]

    layer = widgets.Dropdown(options=names, value=names[0], description="layer")
    channel = widgets.IntSlider(value=0, min=0, max=maps[names[0]].shape[-1] - 1, description="channel",
                                continuous_update=False)
    shown = np.asarray(image)

    def draw(layer_name: str, channel_index: int) -> None:
        current = layer_maps(layer_name)
        channel_index = min(channel_index, current.shape[-1] - 1)
        figure, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
        left.imshow(shown.squeeze(-1) if shown.ndim == 3 and shown.shape[-1] == 1 else shown)
        left.set_title("input")
        right.imshow(current[..., channel_index], cmap="viridis")
        right.set_title(f"{layer_name}, channel {channel_index} of {current.shape[-1]}")
        for axis in (left, right):
            axis.axis("off")
        figure.tight_layout()
        _show(figure)

    def on_layer(change: dict[str, Any]) -> None:
        channel.max = layer_maps(change["new"]).shape[-1] - 1
        channel.value = min(channel.value, channel.max)

    layer.observe(on_layer, names="value")
    _display_interactive(draw, layer_name=layer, channel_index=channel)


def play_clip(clip: np.ndarray, title: str = "") -> None:
    """Scrub through a video ``clip`` shaped (frames, h, w[, c]) with a slider.

    Static fallback: a strip of evenly spaced frames (:func:`utils.plots.show_frames`).
    """
    clip = np.asarray(clip)
    if clip.ndim not in (3, 4) or len(clip) == 0:
        raise ValueError(f"clip must be a non-empty (frames, h, w) or (frames, h, w, c) array, got shape {clip.shape}")
    if clip.ndim == 4 and clip.shape[-1] not in (1, 3, 4):
        raise ValueError(f"clip frames need 1 (grey), 3 (RGB) or 4 (RGBA) channels, got shape {clip.shape}")
    if not widgets_enabled():
        _show(show_frames(clip, title=title))
        return

    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    frame_slider = widgets.IntSlider(value=0, min=0, max=len(clip) - 1, description="frame")
    player = widgets.Play(value=0, min=0, max=len(clip) - 1, interval=150, description="play")
    widgets.jslink((player, "value"), (frame_slider, "value"))

    def draw(frame: int) -> None:
        figure, axis = plt.subplots(figsize=(3.2, 3.2))
        image = clip[frame]
        axis.imshow(image.squeeze(-1) if image.ndim == 3 and image.shape[-1] == 1 else image)
        axis.set_title(f"{title + ': ' if title else ''}frame {frame + 1} of {len(clip)}", fontsize=9)
        axis.axis("off")
        figure.tight_layout()
        _show(figure)

    _display_interactive(draw, controls=[player], frame=frame_slider)


def _display_interactive(draw: Any, controls: Sequence[Any] = (), **sliders: Any) -> None:
    """Show ``sliders`` (and extra ``controls``) above an output area redrawn by ``draw``."""
    import ipywidgets as widgets
    from IPython.display import display

    output = widgets.interactive_output(draw, sliders)
    display(widgets.VBox([widgets.HBox([*controls, *sliders.values()]), output]))
