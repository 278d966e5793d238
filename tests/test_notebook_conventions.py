"""Every course notebook follows the written conventions (README, "Notebook conventions")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests import notebook_format as fmt
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_NOTEBOOK_BYTES = 2_000_000
HEADER_PHRASES = ("What you will learn", "Prerequisites", "**Data:**", "Run time")  # Data: the syllabus reads it
CLOSING_HEADINGS = ("Key takeaways", "Exercises")
CHECK_TAG = "nbval-check-output"  # nbval compares the outputs of the cells tagged so (it runs with --nbval-lax)

# Headline results each notebook must record (the issues that asked for them name the keys).
REQUIRED_RESULTS: dict[str, tuple[str, ...]] = {
    "00": ("tiny_model_test_accuracy", "knn_test_accuracy", "svm_test_accuracy"),
    "01": ("conv_max_abs_error", "pool_max_abs_error", "conv_loops_vs_vectorised_max_abs_error",
           "border_ratio_zero_padding", "sobel_similarity_random_init", "sobel_similarity_digits",
           "sobel_similarity_edges", "blob_similarity_digits", "blob_similarity_edges", "knn_test_accuracy",
           "tiny_cnn_test_accuracy"),
    "02": ("knn_test_accuracy", "logreg_test_accuracy", "cnn_test_accuracy_mean", "cnn_test_accuracy_sd",
           "mlp_test_accuracy_mean", "mlp_test_accuracy_sd", "svm_test_accuracy"),
    "03": ("cnn_accuracy_at_max_shift", "mlp_accuracy_at_max_shift", "transfer_accuracy_finetuned",
           "transfer_accuracy_from_scratch", "transfer_accuracy_knn_recentred"),
    "04": ("localization_mean_iou", "segmentation_mean_iou", "localization_mean_iou_dense_mse_baseline",
           "segmentation_mean_iou_ce_only", "detection_ap50", "detection_ap50_from_segmentation",
           "localization_mean_iou_hand_rule_opening"),
    "05": ("rnn_max_abs_error", "lstm_max_abs_error", "gru_max_abs_error", "bptt_max_abs_error",
           "order_task_accuracy_rnn", "order_task_accuracy_bag_of_tokens", "order_task_accuracy_skip_bigrams"),
    "06": ("long_lag", "long_lag_accuracy_simplernn", "long_lag_accuracy_lstm", "long_lag_accuracy_gru",
           "long_lag_accuracy_lstm_keras_default", "long_lag_accuracy_gru_keras_default",
           "long_lag_accuracy_sign_of_sum"),
    "07": ("order_task_accuracy_rnn", "order_task_accuracy_bow", "seq2seq_sequence_accuracy", "lm_perplexity_bigram",
           "lm_perplexity_best", "lm_perplexity_gru", "order_task_duplicates_removed",
           "order_task_accuracy_ngrams_1_4"),
    "08": ("forecast_mae_naive", "forecast_mae_seasonal_drift", "forecast_mae_ets", "forecast_mae_best"),
    "09": ("speech_keyword_accuracy", "speech_keyword_bag_of_frames_accuracy", "speech_keyword_one_frame_accuracy",
           "speech_num_keywords", "speech_ctc_digit_error_rate", "speech_ctc_exact_accuracy", "speech_voices_train",
           "speech_voices_test", "speech_keyword_accuracy_seen_voices", "speech_ctc_digit_error_rate_seen_voices",
           "speech_keyword_centred_window_accuracy", "speech_keyword_bag_of_normalised_frames_accuracy"),
    "10": ("cnn1d_accuracy", "lstm_sequence_accuracy", "row_lstm_image_accuracy", "row_cnn_image_accuracy",
           "order_task_accuracy_position_rule", "order_task_accuracy_logreg", "order_task_accuracy_hand_rule",
           "cnn1d_flatten_accuracy", "cnn1d_dilated_flatten_accuracy", "order_task_accuracy_logreg_squared"),
    "11": ("video_hybrid_test_accuracy", "video_frame_baseline_test_accuracy", "video_conv3d_test_accuracy",
           "video_convlstm_test_accuracy", "video_num_classes", "video_frame_average_baseline_accuracy",
           "video_mean_frame_accuracy", "video_single_frame_accuracy", "video_cross_correlation_logreg_accuracy",
           "video_frame_average_frames_mixed_accuracy"),
    "12": ("throughput_repeats", "throughput_cnn_fp32_median", "throughput_cnn_fp32_iqr", "throughput_cnn_mixed_median",
           "throughput_cnn_xla_median", "throughput_lstm_fp32_median", "throughput_video_fp32_median",
           "throughput_input_tfdata_median", "throughput_input_naive_median", "throughput_lstm_fallback_median",
           "throughput_input_tfdata_no_cache_median", "cpu_ms_per_step_cnn_mixed", "cpu_ms_per_step_cnn_fp32"),
    "13": ("mirrored_replicas", "multiworker_identical_weights", "multiworker_own_shards",
           "mirrored_held_out_accuracy"),
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
    for phrase in HEADER_PHRASES:
        assert phrase in header.source, f"header lacks '{phrase}'"
    assert "2-core CPU" in header.source and "GPU" in header.source, "header must give run time on CPU and on GPU"
    badges = re.findall(r"\(https://colab\.research\.google\.com/github/[^)]+\)", header.source)
    assert badges == [f"({fmt.colab_url(path.stem)})"], "the Colab badge must point at this notebook's own path"


def test_setup_and_parameters_cells(notebook):
    path, nb = notebook
    code = _code_cells(nb)
    assert code[0].source == fmt.setup_cell_source(path.stem), "first code cell must be the shared set-up cell"
    assert "parameters" in code[1].metadata.get("tags", []), "second code cell must be tagged 'parameters'"
    assert re.search(r"^PROFILE = ", code[1].source, re.MULTILINE), "parameters cell must set PROFILE"
    assert "course.use_profile(PROFILE)" in code[2].source, "the cell after the parameters must call course.use_profile"


def test_closing_sections(notebook):
    _, nb = notebook
    closing = nb.cells[-1]
    assert closing.cell_type == "markdown"
    for heading in CLOSING_HEADINGS:
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
    checked = [cell for cell in _code_cells(nb) if CHECK_TAG in cell.metadata.get("tags", [])]
    assert checked, f"{path.name}: tag the cells whose outputs must not drift '{CHECK_TAG}'"
    assert all(cell.outputs for cell in checked), f"{path.name}: a checked cell has no output to check"
    commented = [cell.source.splitlines()[0] for cell in _code_cells(nb) if "NBVAL_CHECK_OUTPUT" in cell.source]
    assert not commented, f"{path.name}: use the cell tag '{CHECK_TAG}' instead of the comment: {commented}"


def test_size(notebook):
    path, _ = notebook
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.name} is over 2 MB: lower figure dpi or trim outputs"


def test_required_results_are_recorded(notebook):
    path, _ = notebook
    recorded = json.loads((ROOT / "results" / f"{path.stem}.json").read_text())
    missing = [key for key in REQUIRED_RESULTS.get(path.name[:2], ()) if key not in recorded]
    assert not missing, f"results/{path.stem}.json lacks {missing}"
    assert "runtime_seconds" in recorded


RUN_TIME = re.compile(r"\*\*Run time:\*\*\s*about (\d+(?:\.\d+)?)\s*(min|s)\b")


def test_header_run_time_matches_the_recorded_run(notebook):
    path, nb = notebook
    stated = RUN_TIME.search(nb.cells[0].source)
    assert stated, "the header's run time reads '**Run time:** about N min' (or 'about N s')"
    seconds = float(stated.group(1)) * (60 if stated.group(2) == "min" else 1)
    recorded = json.loads((ROOT / "results" / f"{path.stem}.json").read_text())["runtime_seconds"]
    assert 0.6 <= seconds / recorded <= 1.67, (
        f"header says about {stated.group(1)} {stated.group(2)}, the committed run took {recorded:.0f} s")
