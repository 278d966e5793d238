"""Every course notebook follows the written conventions (README, "Notebook conventions")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT
from utils import notebook_format as fmt

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_NOTEBOOK_BYTES = 2_000_000

# Headline results each notebook must record (the issues that asked for them name the keys).
REQUIRED_RESULTS: dict[str, tuple[str, ...]] = {
    "00": ("tiny_model_test_accuracy",),
    "01": ("conv_max_abs_error",),
    "02": ("cnn_test_accuracy", "mlp_test_accuracy"),
    "03": ("cnn_accuracy_at_max_shift", "mlp_accuracy_at_max_shift"),
    "04": ("localization_mean_iou", "segmentation_mean_iou"),
    "05": ("rnn_max_abs_error", "lstm_max_abs_error"),
    "06": ("long_lag", "long_lag_accuracy_simplernn", "long_lag_accuracy_lstm", "long_lag_accuracy_gru"),
    "07": ("order_task_accuracy_rnn", "order_task_accuracy_bow", "seq2seq_sequence_accuracy"),
    "08": ("forecast_mae_naive", "forecast_mae_best"),
    "10": ("cnn1d_accuracy", "lstm_sequence_accuracy", "row_lstm_image_accuracy", "row_cnn_image_accuracy"),
    "11": ("video_hybrid_test_accuracy", "video_frame_baseline_test_accuracy", "video_conv3d_test_accuracy",
           "video_convlstm_test_accuracy", "video_num_classes"),
    "12": ("throughput_cnn_fp32", "throughput_cnn_tfdata", "throughput_cnn_naive_input",
           "throughput_lstm_cudnn_eligible", "throughput_lstm_fallback", "throughput_video_fp32", "mirrored_replicas"),
}


def _code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request) -> tuple[Path, nbformat.NotebookNode]:
    path: Path = request.param
    return path, nbformat.read(path, as_version=4)


def test_there_are_notebooks_numbered_without_gaps():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers, "no notebooks found"
    assert numbers == list(range(len(numbers))), f"notebook numbers must run 00, 01, ... without gaps: {numbers}"


def test_file_name(notebook):
    path, _ = notebook
    assert fmt.NOTEBOOK_NAME.match(path.name), f"{path.name} is not NN_short_title.ipynb"


def test_header(notebook):
    path, nb = notebook
    header = nb.cells[0]
    assert header.cell_type == "markdown" and header.source.startswith("# "), "first cell must be the '# Title' header"
    for phrase in fmt.REQUIRED_HEADER_PHRASES:
        assert phrase in header.source, f"header lacks '{phrase}'"
    assert "2-core CPU" in header.source and "GPU" in header.source, "header must give run time on CPU and on GPU"
    badges = re.findall(r"\(https://colab\.research\.google\.com/github/[^)]+\)", header.source)
    assert badges == [f"({fmt.colab_url(path.stem)})"], "the Colab badge must point at this notebook's own path"


def test_setup_and_parameters_cells(notebook):
    path, nb = notebook
    code = _code_cells(nb)
    assert code[0].source == fmt.setup_cell_source(path.stem), "first code cell must be the shared set-up cell"
    assert fmt.PARAMETERS_TAG in code[1].metadata.get("tags", []), "second code cell must be tagged 'parameters'"
    assert re.search(r"^PROFILE = ", code[1].source, re.MULTILINE), "parameters cell must set PROFILE"
    assert "course.use_profile(PROFILE)" in code[2].source, "the cell after the parameters must call course.use_profile"


def test_closing_sections(notebook):
    _, nb = notebook
    closing = nb.cells[-1]
    assert closing.cell_type == "markdown"
    for heading in fmt.REQUIRED_CLOSING_HEADINGS:
        assert f"## {heading}" in closing.source, f"last cell lacks '## {heading}'"
    assert "<details><summary>Solution</summary>" in closing.source, "exercises need collapsible solutions"
    assert "course.finish()" in _code_cells(nb)[-1].source, "the last code cell must call course.finish()"


def test_executed_top_to_bottom_without_errors(notebook):
    path, nb = notebook
    counts = [cell.execution_count for cell in _code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execute it top to bottom once (make notebooks)"
    for cell in _code_cells(nb):
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: committed with an error output"
            text = "".join(output.get("text", "")) if output.output_type == "stream" else ""
            assert "Traceback (most recent call last)" not in text, f"{path.name}: a traceback was printed"


def test_checked_cells_exist(notebook):
    path, nb = notebook
    checked = [cell for cell in _code_cells(nb) if cell.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked, f"{path.name}: mark the outputs that must not drift with '# NBVAL_CHECK_OUTPUT'"
    assert all(cell.outputs for cell in checked), f"{path.name}: a checked cell has no output to check"


def test_size(notebook):
    path, _ = notebook
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.name} is over 2 MB: lower figure dpi or trim outputs"


def test_required_results_are_recorded(notebook):
    path, _ = notebook
    recorded = json.loads((ROOT / "results" / f"{path.stem}.json").read_text())
    missing = [key for key in REQUIRED_RESULTS.get(path.name[:2], ()) if key not in recorded]
    assert not missing, f"results/{path.stem}.json lacks {missing}"
    assert "runtime_seconds" in recorded
