"""The real-video loader: decoding several containers/codecs, errors naming the file, caching,
group-aware splitting and the tf.data stream."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.video_io import (
    ClipSettings,
    cache_path,
    clip_group,
    crop_and_resize,
    find_videos,
    group_split,
    load_clip,
    load_video_folder,
    read_video,
    sample_indices,
    video_dataset,
)

av = pytest.importorskip("av")

CODECS = [(".mp4", "libx264", "yuv420p"), (".avi", "mjpeg", "yuvj420p"), (".avi", "mpeg4", "yuv420p"),
          (".mkv", "ffv1", "yuv420p")]
SMALL = ClipSettings(frames=4, height=16, width=16)


def write_clip(path: Path, codec: str = "mjpeg", pix_fmt: str = "yuvj420p", frames: int = 10,
               height: int = 32, width: int = 48) -> Path:
    """A clip whose frame i is a flat grey of brightness 20 * i, so the sampled frames can be checked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        for index in range(frames):
            image = np.full((height, width, 3), 20 * index + 10, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize(("suffix", "codec", "pix_fmt"), CODECS)
def test_reads_each_container_and_codec(tmp_path: Path, suffix: str, codec: str, pix_fmt: str) -> None:
    if codec not in av.codecs_available:
        pytest.skip(f"this FFmpeg build has no {codec} encoder")
    clip = read_video(write_clip(tmp_path / f"clip{suffix}", codec, pix_fmt), SMALL)
    assert clip.shape == SMALL.shape and clip.dtype == np.uint8
    brightness = clip.reshape(len(clip), -1).mean(axis=1)
    expected = 20 * sample_indices(10, SMALL.frames) + 10
    assert np.all(np.abs(brightness - expected) < 8), (brightness, expected)  # evenly spaced frames, in order


def test_corrupt_and_empty_clips_name_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    good = write_clip(tmp_path / "good.mp4", "libx264", "yuv420p")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[:200])
    for bad in (empty, garbage, truncated, tmp_path / "missing.avi"):
        with pytest.raises(ValueError, match=re.escape(bad.name)):
            read_video(bad, SMALL)


def test_folder_layout_labels_and_errors(tmp_path: Path) -> None:
    for action in ("Archery", "Bowling"):
        for group in (1, 2):
            write_clip(tmp_path / "ucf" / action / f"v_{action}_g{group:02d}_c01.avi", frames=3)
    paths, labels, names = find_videos(tmp_path / "ucf")
    assert names == ("Archery", "Bowling") and labels.tolist() == [0, 0, 1, 1] and len(paths) == 4
    # train/ and test/ folders of UCF101-named clips (the keras.io subset's layout) give the same classes.
    write_clip(tmp_path / "flat" / "train" / "v_Archery_g01_c01.avi", frames=2)
    write_clip(tmp_path / "flat" / "test" / "v_Bowling_g03_c02.avi", frames=2)
    assert find_videos(tmp_path / "flat")[2] == ("Archery", "Bowling")
    (tmp_path / "nothing" / "class_a").mkdir(parents=True)
    with pytest.raises(ValueError, match="no classes found"):
        find_videos(tmp_path / "nothing")
    with pytest.raises(ValueError, match="does not exist"):
        find_videos(tmp_path / "absent")


def test_skip_or_fail_on_unreadable_clip(tmp_path: Path) -> None:
    for index in range(2):
        write_clip(tmp_path / "walk" / f"walk{index}.avi", frames=3)
    write_clip(tmp_path / "run" / "run0.avi", frames=3)
    (tmp_path / "run" / "broken.avi").write_bytes(b"not a video at all")
    with pytest.raises(ValueError, match=re.escape("broken.avi")):
        load_video_folder(tmp_path, SMALL, on_error="raise")
    folder = load_video_folder(tmp_path, SMALL, on_error="skip")
    assert [path.name for path, _ in folder.failures] == ["broken.avi"]
    assert len(folder.paths) == 3 and folder.class_names == ("run", "walk")
    with pytest.raises(ValueError, match="on_error"):
        load_video_folder(tmp_path, SMALL, on_error="ignore")


def test_progress_bar_counts_every_clip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("walk/a.avi", "walk/b.avi", "run/c.avi"):
        write_clip(tmp_path / name, frames=4)
    folder = load_video_folder(tmp_path, SMALL, on_error="skip", progress=True)
    assert len(folder.paths) == 3
    assert re.search(r"decoding clips: 100%.*3/3", capsys.readouterr().err), "the bar reaches 3 of 3 clips"
    load_video_folder(tmp_path, SMALL, on_error="skip")
    assert "decoding clips" not in capsys.readouterr().err, "no bar unless asked"


def test_cache_is_reused_and_keyed_by_settings(tmp_path: Path) -> None:
    clip_file = write_clip(tmp_path / "a.avi")
    first = load_clip(clip_file, SMALL, tmp_path / "cache")
    cached = cache_path(clip_file, SMALL, tmp_path / "cache")
    assert cached.is_file()
    np.save(cached, np.zeros_like(first))  # prove the second read comes from the cache, not the decoder
    assert not load_clip(clip_file, SMALL, tmp_path / "cache").any()
    other = ClipSettings(frames=2, height=16, width=16)
    assert cache_path(clip_file, other, tmp_path / "cache") != cached
    assert load_clip(clip_file, other, tmp_path / "cache").shape == other.shape


def test_tf_data_stream(tmp_path: Path) -> None:
    paths = [write_clip(tmp_path / f"c{i}.avi", frames=5) for i in range(3)]
    data = video_dataset(paths, [0, 1, 0], SMALL, tmp_path / "cache", batch_size=2)
    batches = list(data.as_numpy_iterator())
    assert [b[0].shape for b in batches] == [(2, *SMALL.shape), (1, *SMALL.shape)]
    assert batches[0][0].dtype == np.float32 and 0.0 <= batches[0][0].min() <= batches[0][0].max() <= 1.0
    assert np.concatenate([b[1] for b in batches]).tolist() == [0, 1, 0]


def test_crop_and_resize_keeps_the_centre() -> None:
    frame = np.zeros((40, 80, 3), dtype=np.uint8)
    frame[:, 20:60] = 255  # the centre square is white, the sides black
    out = crop_and_resize(frame, 10, 10)
    assert out.shape == (10, 10, 3) and out.min() == 255


def test_clip_group_parses_ucf101_names() -> None:
    assert clip_group("data/Archery/v_Archery_g08_c01.avi") == "Archery/g08"
    assert clip_group("x/v_Archery_g8_c03.mp4") == "Archery/g08"
    assert clip_group("walk/my_clip.mp4") == "walk/my_clip"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 8)), min_size=1, max_size=80), st.integers(0, 10_000))
def test_group_split_never_leaks_a_group(pairs: list[tuple[int, int]], seed: int) -> None:
    labels = [label for label, _ in pairs]
    groups = [clip_group(f"v_A{label}_g{group:02d}_c01.avi") for label, group in pairs]
    splits = group_split(groups, labels, seed=seed)
    combined = np.concatenate(list(splits.values()))
    assert sorted(combined.tolist()) == list(range(len(pairs)))  # every clip once
    sides = [{groups[i] for i in index} for index in splits.values()]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    for label in set(labels):
        groups_of_class = {g for g, y in zip(groups, labels, strict=True) if y == label}
        present = [any(labels[i] == label for i in index) for index in splits.values()]
        if len(groups_of_class) >= 3:
            assert all(present), (label, groups_of_class)  # no class emptied from a split
        elif len(groups_of_class) == 2:
            assert present[0] and present[2]
    assert group_split(groups, labels, seed=seed).keys() == splits.keys()
    again = group_split(groups, labels, seed=seed)
    assert all(np.array_equal(again[k], splits[k]) for k in splits)


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.0, 0.5, 0.5), (0.6, 0.6, -0.2), (0.5, 0.2, 0.2)])
def test_group_split_rejects_bad_fractions(fractions: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="fractions"):
        group_split(["a", "b"], [0, 0], fractions)  # type: ignore[arg-type]


def test_sample_indices_and_settings_validation() -> None:
    assert sample_indices(100, 4).tolist() == [12, 37, 62, 87]
    assert sample_indices(2, 4).tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError):
        sample_indices(0, 4)
    with pytest.raises(ValueError, match="frames"):
        ClipSettings(frames=0)


def test_stream_names_an_unreadable_clip_and_folder_splits_stream(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 64)
    data = video_dataset([broken], [0], SMALL, batch_size=1)
    with pytest.raises(Exception, match=re.escape("broken.mp4")):
        list(data.as_numpy_iterator())
    for action in ("Archery", "Bowling"):
        for group in (1, 2, 3):
            write_clip(tmp_path / "ucf" / action / f"v_{action}_g{group:02d}_c01.avi", frames=3)
    folder = load_video_folder(tmp_path / "ucf", SMALL, cache_dir=tmp_path / "cache")
    assert {name: len(index) for name, index in folder.splits.items()} == {"train": 2, "validation": 2, "test": 2}
    clips, labels = next(folder.dataset("test", batch_size=4).as_numpy_iterator())
    assert clips.shape == (2, *SMALL.shape) and sorted(labels.tolist()) == [0, 1]
    with pytest.raises(ValueError, match="split"):
        folder.dataset("holdout")
