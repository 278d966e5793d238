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
    clip_group,
    clip_shape,
    find_videos,
    group_split,
    load_video_folder,
    read_video,
    sample_indices,
)

av = pytest.importorskip("av")

CODECS = [(".mp4", "libx264", "yuv420p"), (".avi", "mjpeg", "yuvj420p"), (".avi", "mpeg4", "yuv420p"),
          (".mkv", "ffv1", "yuv420p")]
SMALL = {"frames": 4, "height": 16, "width": 16}
SHAPE = (4, 16, 16, 3)


def write_clip(path: Path, codec: str = "mjpeg", pix_fmt: str = "yuvj420p", frames: int = 10,
               height: int = 32, width: int = 48, picture: np.ndarray | None = None) -> Path:
    """A clip whose frame i is a flat grey of brightness 20 * i + 10, so the sampled frames can be checked (or
    ``picture`` in every frame)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        for index in range(frames):
            image = np.full((height, width, 3), 20 * index + 10, dtype=np.uint8) if picture is None else picture
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize(("suffix", "codec", "pix_fmt"), CODECS)
def test_reads_each_container_and_codec(tmp_path: Path, suffix: str, codec: str, pix_fmt: str) -> None:
    if codec not in av.codecs_available:
        pytest.skip(f"this FFmpeg build has no {codec} encoder")
    clip = read_video(write_clip(tmp_path / f"clip{suffix}", codec, pix_fmt), **SMALL)
    assert clip.shape == SHAPE and clip.dtype == np.uint8
    brightness = clip.reshape(len(clip), -1).mean(axis=1)
    expected = 20 * sample_indices(10, SHAPE[0]) + 10
    assert np.all(np.abs(brightness - expected) < 8), (brightness, expected)  # evenly spaced frames, in order


def test_corrupt_and_empty_clips_name_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    good = write_clip(tmp_path / "good.mp4", "libx264", "yuv420p")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[:200])
    sound = tmp_path / "sound.mkv"  # a valid file with an audio stream only
    with av.open(str(sound), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        samples = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        samples.sample_rate = 8000
        for packet in [*stream.encode(samples), *stream.encode()]:
            container.mux(packet)
    for bad in (empty, garbage, truncated, tmp_path / "missing.avi", sound):
        with pytest.raises(ValueError, match=re.escape(bad.name)):
            read_video(bad, **SMALL)
    with pytest.raises(ValueError, match="no video stream"):
        read_video(sound, **SMALL)


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
        load_video_folder(tmp_path, **SMALL, on_error="raise")
    folder = load_video_folder(tmp_path, **SMALL, on_error="skip")
    assert [path.name for path, _ in folder.failures] == ["broken.avi"]
    assert len(folder.paths) == 3 and folder.class_names == ("run", "walk")
    with pytest.raises(ValueError, match="on_error"):
        load_video_folder(tmp_path, **SMALL, on_error="ignore")


def test_progress_bar_counts_every_clip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("walk/a.avi", "walk/b.avi", "run/c.avi"):
        write_clip(tmp_path / name, frames=4)
    folder = load_video_folder(tmp_path, **SMALL, on_error="skip", progress=True)
    assert len(folder.paths) == 3
    assert re.search(r"decoding clips: 100%.*3/3", capsys.readouterr().err), "the bar reaches 3 of 3 clips"
    load_video_folder(tmp_path, **SMALL, on_error="skip")
    assert "decoding clips" not in capsys.readouterr().err, "no bar unless asked"


def test_cache_is_reused_keyed_by_settings_and_rebuilt_when_damaged(tmp_path: Path) -> None:
    clip_file, cache = write_clip(tmp_path / "a.avi"), tmp_path / "cache"
    first = read_video(clip_file, **SMALL, cache_dir=cache)
    [cached] = cache.glob("*.npy")
    np.save(cached, np.zeros_like(first))  # prove the second read comes from the cache, not the decoder
    assert not read_video(clip_file, **SMALL, cache_dir=cache).any()
    cached.write_bytes(b"half a file")
    assert np.array_equal(read_video(clip_file, **SMALL, cache_dir=cache), first)
    assert read_video(clip_file, 2, 16, 16, cache).shape == (2, 16, 16, 3) and len(list(cache.glob("*.npy"))) == 2


def test_tf_data_stream(tmp_path: Path) -> None:
    for name in ("walk/a.avi", "walk/b.avi", "run/c.avi"):
        write_clip(tmp_path / "clips" / name, frames=5)
    folder = load_video_folder(tmp_path / "clips", **SMALL, cache_dir=tmp_path / "cache", fractions=(1.0, 0.0, 0.0))
    batches = list(folder.dataset("train", batch_size=2, shuffle=False).as_numpy_iterator())
    assert [b[0].shape for b in batches] == [(2, *SHAPE), (1, *SHAPE)]
    assert batches[0][0].dtype == np.float32
    brightness = np.concatenate([b[0] for b in batches]).reshape(3, SHAPE[0], -1).mean(axis=2)
    assert np.all(np.abs(brightness - (20 * sample_indices(5, SHAPE[0]) + 10) / 255) < 8 / 255)  # in [0, 1]
    assert np.concatenate([b[1] for b in batches]).tolist() == [0, 1, 1]  # run/c, walk/a, walk/b


def test_frames_are_centre_cropped_then_resized(tmp_path: Path) -> None:
    picture = np.zeros((40, 80, 3), dtype=np.uint8)
    picture[:, 20:60] = 255  # the centre square is white, the sides black
    clip = read_video(write_clip(tmp_path / "wide.avi", frames=2, height=40, width=80, picture=picture),
                      frames=2, height=10, width=10)
    assert clip.shape == (2, 10, 10, 3) and clip.min() >= 250


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


def test_sample_indices_and_size_validation() -> None:
    assert sample_indices(100, 4).tolist() == [12, 37, 62, 87]
    assert sample_indices(2, 4).tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError):
        sample_indices(0, 4)
    with pytest.raises(ValueError, match="frames"):
        clip_shape(0, 16, 16)
    with pytest.raises(ValueError, match="positive ints"):
        load_video_folder(".", frames=4, height=16, width=16.5)  # type: ignore[arg-type]


def test_folder_splits_stream_and_a_clip_broken_later_is_named(tmp_path: Path) -> None:
    for action in ("Archery", "Bowling"):
        for group in (1, 2, 3):
            write_clip(tmp_path / "ucf" / action / f"v_{action}_g{group:02d}_c01.avi", frames=3)
    folder = load_video_folder(tmp_path / "ucf", **SMALL, cache_dir=tmp_path / "cache")
    assert {name: len(index) for name, index in folder.splits.items()} == {"train": 2, "validation": 2, "test": 2}
    clips, labels = next(folder.dataset("test", batch_size=4).as_numpy_iterator())
    assert clips.shape == (2, *SHAPE) and sorted(labels.tolist()) == [0, 1]
    with pytest.raises(ValueError, match="split"):
        folder.dataset("holdout")
    uncached = load_video_folder(tmp_path / "ucf", **SMALL)  # without a cache, the stream decodes again
    broken = uncached.paths[uncached.splits["test"][0]]
    broken.write_bytes(b"\x00" * 64)
    with pytest.raises(Exception, match=re.escape(broken.name)):
        list(uncached.dataset("test").as_numpy_iterator())
