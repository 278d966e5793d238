"""Bad input gives an error that says what was wrong: one typical case per ``utils`` module.

Each case matches the key fragment of the message, not the whole sentence. ``utils.settings`` has its
own file (tests/test_settings_errors.py); the download layer's errors are tested in tests/test_downloads.py, and
``utils.interactive``'s in tests/test_interactive.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

Z = np.zeros

CASES: dict[str, tuple[Callable[[ModuleType, Path], Any], str]] = {
    "results": (lambda m, tmp: m.ResultsRecorder("nb", tmp).record(loss=float("nan")), "only finite numbers"),
    "hardware": (lambda m, tmp: m.should_use_mixed_precision([], switch=True), "switch must be one of"),
    "setup": (lambda m, tmp: m.set_seeds(-1), "seed must be a non-negative int"),
    "training": (lambda m, tmp: m.fit_resumable(None, None, run_name="../x", epochs=1), "simple folder name"),
    "plots": (lambda m, tmp: m.plot_history({"loss": [1.0]}, metrics=["accuracy"]), r"\['accuracy'\] not in history"),
    "images": (lambda m, tmp: m.load_images("imagenet"), "unknown image data set 'imagenet'"),
    "conv_numpy": (lambda m, tmp: m.edge_images(4, size=2), "size must be an integer >= 4"),
    "sequence_tasks": (lambda m, tmp: m.remember_first_task(0, 10), "n must be an integer >= 1"),
    "timeseries": (lambda m, tmp: m.make_windows(Z((10, 2)), window=3), "series must be 1-D"),
    "text_data": (lambda m, tmp: m.cldr_names("en", kinds=("planets",)), "kinds must be a non-empty subset"),
    "video_io": (lambda m, tmp: m.sample_indices(0, 8), "need total >= 1"),
    "motion_video": (lambda m, tmp: m.make_motion_videos(0, seed=0), "num_clips must be a positive int"),
    "scenes": (lambda m, tmp: m.box_iou(Z((2, 4)), Z((3, 4))), "boxes must share one shape"),
    "models": (lambda m, tmp: m.build_image_cnn(filters=()), "at least one convolution width"),
    "video_models": (lambda m, tmp: m.pretrained_frame_encoder(16, 16, weights=None), "frames must be at least"),
    "benchmark": (lambda m, tmp: m.parse_config("float64"), "unknown configuration 'float64'"),
}


@pytest.mark.parametrize("module", CASES)
def test_bad_input_gives_a_clear_error(module: str, tmp_path: Path) -> None:
    call, fragment = CASES[module]
    with pytest.raises(ValueError, match=fragment):
        call(importlib.import_module(f"utils.{module}"), tmp_path)


def test_folder_loader_can_skip_and_report_unreadable_clips(tmp_path: Path) -> None:
    """The other choice of a folder loader: keep the good clips and name every bad one."""
    import av

    from utils.video_io import load_video_folder

    for name in ("Walk/v_Walk_g01_c01.avi", "Walk/v_Walk_g02_c01.avi", "Run/v_Run_g01_c01.avi",
                 "Run/v_Run_g02_c01.avi"):
        path = tmp_path / "clips" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with av.open(str(path), "w") as container:
            stream = container.add_stream("mpeg4", rate=8)
            stream.width = stream.height = 16
            stream.pix_fmt = "yuv420p"
            for index in range(4):
                frame = av.VideoFrame.from_ndarray(np.full((16, 16, 3), 40 * index, np.uint8), format="rgb24")
                container.mux(stream.encode(frame))
            container.mux(stream.encode())
    (tmp_path / "clips" / "Run" / "v_Run_g03_c01.avi").write_bytes(b"")
    (tmp_path / "clips" / "Walk" / "v_Walk_g03_c01.avi").write_bytes(b"not a video" * 20)
    folder = load_video_folder(tmp_path / "clips", frames=2, height=8, width=8, on_error="skip",
                               fractions=(0.5, 0.25, 0.25))
    reasons = {path.name: reason for path, reason in folder.failures}
    assert sorted(reasons) == ["v_Run_g03_c01.avi", "v_Walk_g03_c01.avi"]
    assert "is empty (0 bytes)" in reasons["v_Run_g03_c01.avi"]
    assert len(folder.paths) == 4 and folder.class_names == ("Run", "Walk")
