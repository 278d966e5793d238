"""plot_seed_spread (utils.plots): every seed as a dot, the mean with one standard deviation, references as lines."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils.plots import plot_seed_spread


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_row_per_model_first_on_top_with_mean_and_sd() -> None:
    values = {"MLP": [0.95, 0.96, 0.97], "CNN": [0.98, 0.99, 0.985]}
    figure = plot_seed_spread(values, title="t", reference={"1-NN": 0.975})
    (ax,) = figure.axes
    rows = {tick.get_text(): position for tick, position in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    assert rows["MLP"] > rows["CNN"], "the first model is drawn on top"
    means = ax.containers[0].lines[0].get_xdata()  # the errorbar's data line: one mean per model
    assert np.allclose(sorted(means), [0.96, 0.985])
    caps = ax.containers[0].lines[2][0].get_segments()  # the horizontal error bars: mean ± sample sd (ddof=1)
    widths = sorted(segment[1][0] - segment[0][0] for segment in caps)
    assert np.allclose(widths, [2 * np.std([0.98, 0.99, 0.985], ddof=1), 2 * np.std([0.95, 0.96, 0.97], ddof=1)])
    assert any("1-NN (0.975)" in text.get_text() for text in ax.get_legend().get_texts())
    assert ax.get_xlim()[0] == pytest.approx(0.9), "zoomed in to 0.05 below the smallest value"


def test_a_single_seed_has_no_spread() -> None:
    figure = plot_seed_spread({"only": [0.5]})
    caps = figure.axes[0].containers[0].lines[2][0].get_segments()
    assert caps[0][1][0] - caps[0][0][0] == 0


@pytest.mark.parametrize("values", [{}, {"empty": []}])
def test_needs_numbers(values: dict) -> None:
    with pytest.raises(ValueError, match="at least one"):
        plot_seed_spread(values)
