"""Interactive views (utils.interactive): widgets where a front end can draw them, static figures otherwise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from utils.interactive import (
    STATIC_ENV,
    conv_layer_names,
    explore_feature_maps,
    feature_maps,
    play_clip,
    widgets_enabled,
)
from utils.settings import repo_root


@pytest.fixture(scope="module")
def conv_model() -> keras.Model:
    return keras.Sequential([keras.Input((12, 12, 1)), keras.layers.Conv2D(5, 3, name="conv_a"),
                             keras.layers.MaxPooling2D(name="pool"), keras.layers.Conv2D(7, 3, name="conv_b"),
                             keras.layers.Flatten(), keras.layers.Dense(3)], name="tiny_cnn")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(("value", "expected"), [("1", False), ("true", False), ("0", True), ("off", True)])
def test_environment_variable_decides(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv(STATIC_ENV, value)
    assert widgets_enabled() is expected


def test_without_a_jupyter_front_end_the_output_is_static(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STATIC_ENV, raising=False)
    assert widgets_enabled() is False


def test_unknown_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATIC_ENV, "sometimes")
    with pytest.raises(ValueError, match=STATIC_ENV):
        widgets_enabled()


def test_feature_maps_of_each_conv_layer(conv_model: keras.Model) -> None:
    assert conv_layer_names(conv_model) == ["conv_a", "conv_b"]
    image = np.random.default_rng(0).random((12, 12), dtype=np.float32)
    assert feature_maps(conv_model, image, "conv_a").shape == (10, 10, 5)
    assert feature_maps(conv_model, image[..., None], "conv_b").shape == (3, 3, 7)


def test_feature_maps_are_float32_under_mixed_precision() -> None:
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(3, 3, name="conv")], name="half")
        assert model.get_layer("conv").compute_dtype == "float16"
        maps = feature_maps(model, np.ones((8, 8, 1), dtype="float32"), "conv")
    finally:
        keras.config.set_dtype_policy(previous)
    assert maps.dtype == np.float32 and maps.shape == (6, 6, 3)


def test_bad_inputs_are_explained(conv_model: keras.Model) -> None:
    with pytest.raises(ValueError, match="shaped"):
        feature_maps(conv_model, np.zeros((1, 12, 12, 1)), "conv_a")
    with pytest.raises(ValueError, match="no layer 'nope'"):
        feature_maps(conv_model, np.zeros((12, 12, 1)), "nope")
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="dense_only")
    with pytest.raises(ValueError, match="no Conv2D"):
        conv_layer_names(dense)


def test_static_feature_maps_show_the_first_conv_layer(conv_model: keras.Model,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATIC_ENV, "1")
    explore_feature_maps(conv_model, np.ones((12, 12, 1), dtype="float32"))
    figure = plt.gcf()
    assert "conv_a" in figure.texts[0].get_text()
    assert sum(bool(ax.images) for ax in figure.axes) == 5, "one panel per channel of conv_a"


def _captured_widget(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    import IPython.display

    shown: list[object] = []
    monkeypatch.setenv(STATIC_ENV, "0")
    monkeypatch.setattr(IPython.display, "display", lambda *objects, **_: shown.extend(objects))
    return shown


def test_feature_map_widget_follows_the_chosen_layer(conv_model: keras.Model, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipywidgets as widgets

    shown = _captured_widget(monkeypatch)
    explore_feature_maps(conv_model, np.ones((12, 12, 1), dtype="float32"))
    (box,) = shown
    layer, channel = box.children[0].children
    assert isinstance(layer, widgets.Dropdown) and list(layer.options) == ["conv_a", "conv_b"]
    assert isinstance(channel, widgets.IntSlider) and channel.max == 4
    channel.value = 4
    layer.value = "conv_b"
    assert channel.max == 6 and channel.value == 4


def test_clip_widget_has_a_frame_slider_and_player(monkeypatch: pytest.MonkeyPatch) -> None:
    import ipywidgets as widgets

    shown = _captured_widget(monkeypatch)
    play_clip(np.zeros((9, 6, 6, 3)), title="clip")
    player, frame = shown[0].children[0].children
    assert isinstance(player, widgets.Play) and isinstance(frame, widgets.IntSlider)
    assert frame.max == player.max == 8


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=5))
def test_play_clip_accepts_exactly_clips(shape: list[int]) -> None:
    import os

    os.environ[STATIC_ENV] = "1"
    try:
        clip = np.zeros(shape)
        if len(shape) == 3 or (len(shape) == 4 and shape[-1] in (1, 3, 4)):
            play_clip(clip)
            assert len(plt.gcf().axes) == min(8, shape[0])
        else:
            with pytest.raises(ValueError, match="clip"):
                play_clip(clip)
    finally:
        os.environ.pop(STATIC_ENV)
        plt.close("all")


def test_in_a_real_kernel_widgets_by_default_and_one_static_figure_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two situations that matter: a learner in Jupyter (widgets) and nbval/runner (static, no duplicates)."""
    monkeypatch.delenv(STATIC_ENV, raising=False)
    notebook = new_notebook(cells=[
        new_code_cell("import numpy as np\nfrom utils.interactive import play_clip, widgets_enabled\n"
                      "print(widgets_enabled())"),
        new_code_cell("play_clip(np.zeros((4, 6, 6)))"),
        new_code_cell(f"import os\nos.environ[{STATIC_ENV!r}] = '1'\nplay_clip(np.zeros((4, 6, 6)))"),
    ])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(repo_root())}}).execute()
    first, widget, static = (cell.outputs for cell in notebook.cells)
    assert first[0]["text"].strip() == "True"
    assert any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in widget)
    assert [("image/png" in output.get("data", {})) for output in static] == [True], "exactly one figure"
    nbformat.validate(notebook)
