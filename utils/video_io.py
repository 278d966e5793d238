"""Real video for ``11_video_classification``: read a folder in the UCF101 layout with PyAV, cache the decoded clips
as ``.npy``, split them without leaking a group of clips across splits, and stream them through ``tf.data``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

VIDEO_SUFFIXES: tuple[str, ...] = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v")
UCF101_NAME = re.compile(r"^v_(?P<action>.+)_g(?P<group>\d+)_c(?P<clip>\d+)$")  # clips of a group: same actor, scene
SPLITS: tuple[str, ...] = ("train", "validation", "test")


@dataclass(frozen=True)
class ClipSettings:
    """How a clip becomes an array: ``frames`` sampled evenly, each ``height`` x ``width`` RGB uint8."""

    frames: int = 16
    height: int = 112
    width: int = 112

    def __post_init__(self) -> None:
        for name in ("frames", "height", "width"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"ClipSettings.{name} must be a positive int, got {value!r}")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (self.frames, self.height, self.width, 3)


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


def crop_and_resize(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    """Centre-crop an RGB ``frame`` to the target aspect ratio, then resize it (bilinear)."""
    from PIL import Image

    rows, cols = frame.shape[:2]
    if rows * width > cols * height:  # too tall: crop rows
        keep = max(1, round(cols * height / width))
        frame = frame[(rows - keep) // 2:(rows - keep) // 2 + keep]
    else:
        keep = max(1, round(rows * width / height))
        frame = frame[:, (cols - keep) // 2:(cols - keep) // 2 + keep]
    return np.asarray(Image.fromarray(np.ascontiguousarray(frame)).resize((width, height), Image.BILINEAR))


def read_video(path: str | Path, settings: ClipSettings = ClipSettings()) -> np.ndarray:
    """Decode ``path`` into a uint8 array shaped ``settings.shape``; a ValueError names a missing, empty or
    corrupt file, or one without video frames."""
    import av

    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise ValueError(f"video file {str(path)!r} " + ("is empty (0 bytes)" if path.is_file() else "does not exist"))
    decoded: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError(f"video file {str(path)!r} has no video stream")
            for frame in container.decode(video=0):
                # Shrink while decoding so a long clip never holds full-size frames in memory.
                decoded.append(crop_and_resize(frame.to_ndarray(format="rgb24"), settings.height, settings.width))
    except Exception as error:  # PyAV raises many types (InvalidDataError, EOFError, ...): name the file
        if isinstance(error, ValueError) and not isinstance(error, av.FFmpegError):
            raise  # our own message, e.g. "has no video stream"
        if not decoded:
            raise ValueError(f"could not decode video file {str(path)!r}: {error}") from error
        # A clip truncated mid-stream still yields its first frames; keep what decoded.
    if not decoded:
        raise ValueError(f"video file {str(path)!r} contains no decodable frames (corrupt or truncated?)")
    return np.stack([decoded[i] for i in sample_indices(len(decoded), settings.frames)])


def cache_path(path: str | Path, settings: ClipSettings, cache_dir: str | Path) -> Path:
    """Where the decoded clip lives: a hash of the file's path, mtime, size and the settings."""
    path = Path(path).resolve()
    stat = path.stat()
    key = f"{path}|{stat.st_mtime_ns}|{stat.st_size}|{settings.frames}x{settings.height}x{settings.width}"
    return Path(cache_dir) / f"{path.stem}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.npy"


def load_clip(path: str | Path, settings: ClipSettings = ClipSettings(),
              cache_dir: str | Path | None = None) -> np.ndarray:
    """:func:`read_video`, through the ``.npy`` cache in ``cache_dir`` when one is given."""
    if cache_dir is None or not Path(path).is_file():
        return read_video(path, settings)  # (a missing file: read_video names it)
    target = cache_path(path, settings, cache_dir)
    try:
        clip = np.load(target)
        if clip.shape == settings.shape and clip.dtype == np.uint8:
            return clip
    except (OSError, ValueError):
        pass  # no cache file yet, or a damaged one: (re)build it
    clip = read_video(path, settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.{id(clip)}.tmp")
    with open(partial, "wb") as handle:
        np.save(handle, clip)
    os.replace(partial, target)  # atomic: parallel readers never see half a file
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
    side_of_group: dict[tuple[int, str], int] = {}
    for label in sorted(set(labels.tolist())):
        names = sorted({g for g, y in zip(groups, labels.tolist(), strict=True) if y == label})
        rng.shuffle(names)
        n = len(names)
        n_val = max(1, round(n * fractions[1])) if fractions[1] > 0 and n >= 3 else 0
        n_test = max(1, round(n * fractions[2])) if fractions[2] > 0 and n >= 2 else 0
        while n - n_val - n_test < 1:  # train keeps at least one group
            if n_val >= n_test and n_val > 0:
                n_val -= 1
            else:
                n_test -= 1
        for position, name in enumerate(names):
            side_of_group[(label, name)] = 0 if position < n - n_val - n_test else (1 if position < n - n_test else 2)
    sides = np.array([side_of_group[(y, g)] for g, y in zip(groups, labels.tolist(), strict=True)], dtype=int)
    return {name: np.flatnonzero(sides == index) for index, name in enumerate(SPLITS)}


@dataclass
class VideoFolder:
    """A UCF101-layout folder, checked and split: what :func:`load_video_folder` returns."""

    root: Path
    settings: ClipSettings
    class_names: tuple[str, ...]
    paths: list[Path]
    labels: np.ndarray
    splits: dict[str, np.ndarray]
    cache_dir: Path | None
    failures: list[tuple[Path, str]] = field(default_factory=list)

    def dataset(self, split: str, batch_size: int = 8, shuffle: bool | None = None, seed: int = 0) -> Any:
        """A ``tf.data.Dataset`` of ``(clips float32 in [0, 1], labels)`` batches for one split (train: shuffled)."""
        if split not in self.splits:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        index = self.splits[split]
        return video_dataset([self.paths[i] for i in index], self.labels[index], self.settings, self.cache_dir,
                             batch_size=batch_size, shuffle=split == "train" if shuffle is None else shuffle, seed=seed)


def load_video_folder(folder: str | Path, settings: ClipSettings = ClipSettings(), cache_dir: str | Path | None = None,
                      on_error: str = "skip", fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
                      seed: int = 0, progress: bool = False) -> VideoFolder:
    """Find, decode once in parallel (cached), check and split a UCF101-layout folder.

    ``on_error="skip"`` leaves unreadable clips out and lists them in ``.failures`` as ``(path, reason)``;
    ``on_error="raise"`` stops with a ValueError naming the first one. ``progress=True`` shows a progress bar.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    paths, labels, class_names = find_videos(folder)

    def attempt(path: Path) -> str | None:
        try:
            load_clip(path, settings, cache_dir)
        except ValueError as error:
            if on_error == "raise":
                raise
            return str(error)
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:  # PyAV releases the GIL while decoding
        results = pool.map(attempt, paths)
        if progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(paths), desc="decoding clips", unit="clip", mininterval=1.0)
        outcomes = list(results)
    failures = [(path, reason) for path, reason in zip(paths, outcomes, strict=True) if reason is not None]
    keep = np.array([i for i, reason in enumerate(outcomes) if reason is None], dtype=int)
    if len(keep) == 0:
        raise ValueError(f"none of the {len(paths)} clips in {str(folder)!r} could be decoded; first: {failures[0]}")
    paths = [paths[i] for i in keep]
    splits = group_split([clip_group(p) for p in paths], labels[keep], fractions, seed)
    return VideoFolder(Path(folder), settings, class_names, paths, labels[keep], splits,
                       Path(cache_dir) if cache_dir is not None else None, failures)


def video_dataset(paths: Sequence[str | Path], labels: Sequence[int], settings: ClipSettings,
                  cache_dir: str | Path | None = None, batch_size: int = 8, shuffle: bool = False,
                  seed: int = 0) -> Any:
    """Stream clips through ``tf.data`` (parallel decode or cache read, batch, prefetch) as ``(clips, labels)``,
    clips float32 in [0, 1] shaped (batch, *settings.shape); an unreadable clip stops it with an error naming it."""
    import tensorflow as tf

    if len(paths) != len(labels) or len(paths) == 0:
        raise ValueError(f"need as many labels as paths (and at least one), got {len(paths)} and {len(labels)}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")

    def load(path: Any, label: Any) -> tuple[Any, Any]:
        clip = tf.numpy_function(lambda p: load_clip(p.decode(), settings, cache_dir), [path], tf.uint8,
                                 stateful=False)
        clip.set_shape(settings.shape)
        return tf.cast(clip, tf.float32) / 255.0, label

    data = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], np.asarray(labels, dtype="int32")))
    if shuffle:
        data = data.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    return data.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).batch(batch_size).prefetch(
        tf.data.AUTOTUNE)
