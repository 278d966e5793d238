"""Real video for ``11_video_classification``: read a folder in the UCF101 layout with PyAV, cache the decoded clips
as ``.npy``, split them without leaking a group of clips across splits, and stream them through ``tf.data``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

VIDEO_SUFFIXES: tuple[str, ...] = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v")
UCF101_NAME = re.compile(r"^v_(?P<action>.+)_g(?P<group>\d+)_c(?P<clip>\d+)$")  # clips of a group: same actor, scene
SPLITS: tuple[str, ...] = ("train", "validation", "test")


def clip_shape(frames: int, height: int, width: int) -> tuple[int, int, int, int]:
    """The array a clip becomes, ``(frames, height, width, 3)`` RGB uint8; a ValueError unless all are positive ints."""
    if not all(isinstance(value, int) and value >= 1 for value in (frames, height, width)):
        raise ValueError(f"frames, height and width must be positive ints, got {frames!r}, {height!r}, {width!r}")
    return (frames, height, width, 3)


def find_videos(folder: str | Path) -> tuple[list[Path], np.ndarray, tuple[str, ...]]:
    """The clips under ``folder`` as ``(paths, labels, class_names)``, classes sorted by name.

    A clip's class is its UCF101 action when every clip is named like UCF101 (``v_Archery_g01_c01.avi``, so
    ``train/`` and ``test/`` folders work too), otherwise the name of its sub-folder (one per class).
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"video folder {str(root)!r} does not exist or is not a folder")
    clips = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    by_name = [UCF101_NAME.match(p.stem) for p in clips]
    if clips and all(by_name):
        classes = [match["action"] for match in by_name if match]
    else:
        clips = [p for p in clips if p.parent != root]  # loose files in the root belong to no class
        classes = [p.parent.name for p in clips]
    if not clips:
        raise ValueError(
            f"no classes found in {str(root)!r}: expected one sub-folder per class holding video files "
            f"({', '.join(VIDEO_SUFFIXES)}), like UCF101 (e.g. Archery/v_Archery_g01_c01.avi)")
    class_names = tuple(sorted(set(classes)))
    return clips, np.array([class_names.index(name) for name in classes], dtype="int32"), class_names


def sample_indices(total: int, frames: int) -> np.ndarray:
    """``frames`` frame numbers spread evenly over ``total`` frames (repeats when the clip is short)."""
    if total < 1 or frames < 1:
        raise ValueError(f"need total >= 1 and frames >= 1, got total={total}, frames={frames}")
    # The centre of each of `frames` equal segments: evenly spaced and never the first black frame only.
    return np.minimum(((np.arange(frames) + 0.5) * total / frames).astype(int), total - 1)


def read_video(path: str | Path, frames: int = 16, height: int = 112, width: int = 112,
               cache_dir: str | Path | None = None) -> np.ndarray:
    """Decode ``path`` into a uint8 array shaped (frames, height, width, 3): ``frames`` frames sampled evenly, each
    centre-cropped to the target aspect ratio and resized (bilinear). A ValueError names a missing, empty or corrupt
    file, or one without video frames.

    With a ``cache_dir`` the clip is decoded once and kept there as ``.npy``, keyed by a hash of the file's path,
    mtime, size and the three sizes.
    """
    import av
    from PIL import Image

    shape, path = clip_shape(frames, height, width), Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise ValueError(f"video file {str(path)!r} " + ("is empty (0 bytes)" if path.is_file() else "does not exist"))
    if cache_dir is not None:
        resolved, stat = path.resolve(), path.stat()
        key = f"{resolved}|{stat.st_mtime_ns}|{stat.st_size}|{frames}x{height}x{width}"
        cached = Path(cache_dir) / f"{resolved.stem}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.npy"
        with contextlib.suppress(OSError, ValueError):  # no cache file yet, or a damaged one: (re)build it
            clip = np.load(cached)
            if clip.shape == shape and clip.dtype == np.uint8:
                return clip
    decoded: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError("it has no video stream")
            for frame in container.decode(video=0):
                # Crop and shrink while decoding, so a long clip never holds full-size frames in memory.
                image = frame.to_image()
                cols, rows = image.size
                keep_rows = min(rows, max(1, round(cols * height / width)))  # one of the two stays full length
                keep_cols = min(cols, max(1, round(rows * width / height)))
                top, left = (rows - keep_rows) // 2, (cols - keep_cols) // 2
                image = image.crop((left, top, left + keep_cols, top + keep_rows))
                decoded.append(np.asarray(image.resize((width, height), Image.BILINEAR)))
    except Exception as error:  # PyAV raises many types (InvalidDataError, EOFError, ...): name the file
        if not decoded:  # (a clip truncated mid-stream keeps the frames it yielded)
            raise ValueError(f"could not decode video file {str(path)!r}: {error}") from error
    if not decoded:
        raise ValueError(f"video file {str(path)!r} contains no decodable frames (corrupt or truncated?)")
    clip = np.stack([decoded[i] for i in sample_indices(len(decoded), frames)])
    if cache_dir is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.{id(clip)}.tmp")
        with open(partial, "wb") as handle:
            np.save(handle, clip)
        os.replace(partial, cached)  # atomic: parallel readers never see half a file
    return clip


def clip_group(path: str | Path) -> str:
    """The leak unit of a clip: ``Action/gNN`` for UCF101 names, else the clip itself."""
    stem = Path(path).stem
    match = UCF101_NAME.match(stem)
    return f"{match['action']}/g{int(match['group']):02d}" if match else f"{Path(path).parent.name}/{stem}"


def group_split(groups: Sequence[str], labels: Sequence[int], fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
                seed: int = 0) -> dict[str, np.ndarray]:
    """Split clip indices into train/validation/test so that no group is on two sides.

    Groups are dealt out class by class, so a class with at least three groups appears in every split, and one
    with two groups in train and test. Deterministic given ``seed``.
    """
    groups, labels = list(groups), np.asarray(labels)
    if len(groups) != len(labels):
        raise ValueError(f"groups and labels differ in length: {len(groups)} vs {len(labels)}")
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0) or fractions[0] == 0:
        raise ValueError(f"fractions must be three non-negative numbers summing to 1 with train > 0, got {fractions}")
    rng = np.random.default_rng(seed)
    sides = np.zeros(len(groups), dtype=int)
    for label in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == label)
        names = sorted({groups[i] for i in members})
        rng.shuffle(names)
        n = len(names)
        n_val = max(1, round(n * fractions[1])) if fractions[1] > 0 and n >= 3 else 0
        n_test = max(1, round(n * fractions[2])) if fractions[2] > 0 and n >= 2 else 0
        while n - n_val - n_test < 1:  # train keeps at least one group
            if n_val >= n_test and n_val > 0:
                n_val -= 1
            else:
                n_test -= 1
        side = dict(zip(names, [0] * (n - n_val - n_test) + [1] * n_val + [2] * n_test, strict=True))
        sides[members] = [side[groups[i]] for i in members]
    return {name: np.flatnonzero(sides == index) for index, name in enumerate(SPLITS)}


@dataclass
class VideoFolder:
    """A UCF101-layout folder, checked and split: what :func:`load_video_folder` returns. ``failures`` lists the
    clips left out as ``(path, reason)``."""

    shape: tuple[int, int, int, int]  # of one clip: (frames, height, width, 3)
    class_names: tuple[str, ...]
    paths: list[Path]
    labels: np.ndarray
    splits: dict[str, np.ndarray]
    cache_dir: Path | None
    failures: list[tuple[Path, str]]

    def dataset(self, split: str, batch_size: int = 8, shuffle: bool | None = None, seed: int = 0) -> Any:
        """A ``tf.data.Dataset`` of ``(clips float32 in [0, 1], labels)`` batches for one split (train: shuffled),
        clips shaped (batch, *shape), decoded or read from the cache in parallel; a clip that has become
        unreadable stops it with an error naming the file."""
        import tensorflow as tf

        if split not in self.splits:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        index = self.splits[split]

        def load(path: Any, label: Any) -> tuple[Any, Any]:
            clip = tf.numpy_function(lambda p: read_video(p.decode(), *self.shape[:3], cache_dir=self.cache_dir),
                                     [path], tf.uint8, stateful=False)
            clip.set_shape(self.shape)
            return tf.cast(clip, tf.float32) / 255.0, label

        data = tf.data.Dataset.from_tensor_slices(([str(self.paths[i]) for i in index], self.labels[index]))
        if split == "train" if shuffle is None else shuffle:
            data = data.shuffle(len(index), seed=seed, reshuffle_each_iteration=True)
        return data.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).batch(batch_size).prefetch(
            tf.data.AUTOTUNE)


def load_video_folder(folder: str | Path, frames: int = 16, height: int = 112, width: int = 112,
                      cache_dir: str | Path | None = None, on_error: str = "skip",
                      fractions: tuple[float, float, float] = (0.7, 0.15, 0.15), seed: int = 0,
                      progress: bool = False) -> VideoFolder:
    """Find, decode once in parallel (cached), check and split a UCF101-layout folder; each clip becomes ``frames``
    frames of ``height`` x ``width`` (:func:`read_video`).

    ``on_error="skip"`` leaves unreadable clips out and lists them in ``.failures`` as ``(path, reason)``;
    ``on_error="raise"`` stops with a ValueError naming the first one. ``progress=True`` shows a progress bar.
    """
    from tqdm import tqdm

    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    shape = clip_shape(frames, height, width)
    paths, labels, class_names = find_videos(folder)

    def attempt(path: Path) -> str | None:
        try:
            read_video(path, frames, height, width, cache_dir)
        except ValueError as error:
            if on_error == "raise":
                raise
            return str(error)
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:  # PyAV releases the GIL while decoding
        outcomes = list(tqdm(pool.map(attempt, paths), total=len(paths), desc="decoding clips", unit="clip",
                             mininterval=1.0, disable=not progress))
    failures = [(path, reason) for path, reason in zip(paths, outcomes, strict=True) if reason is not None]
    keep = np.array([i for i, reason in enumerate(outcomes) if reason is None], dtype=int)
    if len(keep) == 0:
        raise ValueError(f"none of the {len(paths)} clips in {str(folder)!r} could be decoded; first: {failures[0]}")
    splits = group_split([clip_group(paths[i]) for i in keep], labels[keep], fractions, seed)
    return VideoFolder(shape, class_names, [paths[i] for i in keep], labels[keep], splits,
                       Path(cache_dir) if cache_dir is not None else None, failures)
