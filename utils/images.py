"""One interface for every image data set of Part 1: :func:`load_images`.

Introduced in ``02_image_classification``; used by notebooks 01-04.

Whatever the source, :class:`ImageData` holds the same three splits (``train``,
``validation``, ``test``), images as ``float32`` in ``[0, 1]`` shaped ``(n, height, width,
channels)`` (channels last), integer labels and the class names. Sources:

* ``"digits"`` -- scikit-learn's 1,797 scanned handwritten digits, shipped offline (the
  default). The 8x8 scans are resized bilinearly to 16x16 so that a CNN has room for two
  convolution + pooling stages; pass ``image_size=8`` for the original scans.
* ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"`` -- the real benchmarks, downloaded once
  through ``utils.downloads.fetch`` (checksum-verified) and parsed here from their upstream
  formats (the Keras ``mnist.npz``, the Fashion-MNIST idx ``.gz`` files, the CIFAR-10 python
  pickle batches). In the ``default`` profile their training split is subsampled so a CPU
  copes; ``full`` keeps everything.
"""

from __future__ import annotations

import gzip
import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from utils.settings import resolve_profile

SOURCES: tuple[str, ...] = ("digits", "mnist", "fashion_mnist", "cifar10")
SPLITS: tuple[str, ...] = ("train", "validation", "test")
DIGIT_NAMES: tuple[str, ...] = tuple(str(d) for d in range(10))
FASHION_NAMES: tuple[str, ...] = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                  "Sneaker", "Bag", "Ankle boot")
CIFAR10_NAMES: tuple[str, ...] = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                  "truck")
DEFAULT_PROFILE_TRAIN_LIMIT = 12_000
"""Training images kept from a downloaded source in the ``default`` profile (CPU-sized)."""
SPLIT_SEED = 0
"""Fixed seed for splitting and subsampling, so every notebook sees the same split."""


@dataclass(frozen=True)
class ImageData:
    """Three splits of one image data set, in the course's single layout."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]

    def __post_init__(self) -> None:
        for split in SPLITS:
            x, y = self.split(split)
            if x.ndim != 4 or x.dtype != np.float32:
                raise ValueError(f"{split} images must be float32 (n, h, w, c); got {x.dtype} {x.shape}")
            if y.shape != (len(x),):
                raise ValueError(f"{split} labels must be shaped ({len(x)},); got {y.shape}")
        if not (self.x_train.shape[1:] == self.x_validation.shape[1:] == self.x_test.shape[1:]):
            raise ValueError("all splits must share one image shape")

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(images, labels)`` of split ``name`` (``train``, ``validation`` or ``test``)."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; valid splits: {', '.join(SPLITS)}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def summary(self) -> str:
        """One line per split: how many images of which shape."""
        lines = [f"{self.name}: {self.num_classes} classes, images {self.image_shape} float32 in [0, 1]"]
        for split in SPLITS:
            x, _ = self.split(split)
            lines.append(f"  {split:<10} {len(x):>6} images")
        return "\n".join(lines)


# ---------------------------------------------------------------- helpers shared by the sources

def _as_images(raw: np.ndarray, scale: float) -> np.ndarray:
    """uint8/int arrays -> float32 in [0, 1], channels last."""
    x = np.asarray(raw, dtype=np.float32) / scale
    return x[..., None] if x.ndim == 3 else x


def resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """Resize ``(n, h, w[, c])`` square images to ``size`` x ``size`` (bilinear, pixel centres aligned)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim not in (3, 4) or images.shape[1] != images.shape[2]:
        raise ValueError(f"images must be square (n, h, w[, c]); got shape {images.shape}")
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    old = images.shape[1]
    if old == size:
        return images.copy()
    weights = _bilinear_weights(old, size)
    # Interpolate rows, then columns: two small matrix products per image.
    rows = np.einsum("ij,nj...->ni...", weights, images)
    return np.einsum("kl,nil...->nik...", weights, rows).astype(np.float32)


def _bilinear_weights(old: int, size: int) -> np.ndarray:
    """A ``(size, old)`` matrix whose rows hold the two bilinear weights of each output pixel."""
    coords = np.clip((np.arange(size) + 0.5) * old / size - 0.5, 0, old - 1)
    low = np.floor(coords).astype(int)
    high = np.minimum(low + 1, old - 1)
    frac = coords - low
    weights = np.zeros((size, old), dtype=np.float32)
    np.add.at(weights, (np.arange(size), low), 1 - frac)
    np.add.at(weights, (np.arange(size), high), frac)
    return weights


def _stratified_split(x: np.ndarray, y: np.ndarray, fraction: float, seed: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    a_x, b_x, a_y, b_y = train_test_split(x, y, test_size=fraction, stratify=y, random_state=seed)
    return a_x, a_y, b_x, b_y


def _subsample(x: np.ndarray, y: np.ndarray, limit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= limit:
        return x, y
    keep = np.sort(np.random.default_rng(seed).choice(len(x), size=limit, replace=False))
    return x[keep], y[keep]


def _from_train_test(name: str, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                     y_test: np.ndarray, class_names: tuple[str, ...], profile: str,
                     validation_fraction: float = 0.1) -> ImageData:
    """Carve a stratified validation split off an upstream train/test pair (and subsample for CPUs)."""
    if profile == "default":
        x_train, y_train = _subsample(x_train, y_train, DEFAULT_PROFILE_TRAIN_LIMIT, SPLIT_SEED)
        x_test, y_test = _subsample(x_test, y_test, DEFAULT_PROFILE_TRAIN_LIMIT // 4, SPLIT_SEED)
    x_tr, y_tr, x_val, y_val = _stratified_split(x_train, y_train, validation_fraction, SPLIT_SEED)
    return ImageData(name, x_tr, y_tr.astype(np.int64), x_val, y_val.astype(np.int64), x_test,
                     np.asarray(y_test, dtype=np.int64), class_names)


# ---------------------------------------------------------------- parsers of the upstream formats

def load_mnist_npz(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse Keras' ``mnist.npz`` (arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``; uint8)."""
    path = _find_file(folder, "mnist.npz")
    with np.load(path, allow_pickle=False) as archive:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(archive.files)
        if missing:
            raise ValueError(f"{path} is not a Keras mnist.npz: arrays {sorted(missing)} are missing")
        arrays = tuple(archive[key] for key in ("x_train", "y_train", "x_test", "y_test"))
    for images, labels in (arrays[:2], arrays[2:]):
        if images.ndim != 3 or len(images) != len(labels):
            raise ValueError(f"{path}: expected (n, 28, 28) images with n labels, got {images.shape}, {labels.shape}")
    return arrays  # type: ignore[return-value]


def read_idx(path: Path) -> np.ndarray:
    """Parse one idx file (plain or ``.gz``): magic ``0x0000`` + type byte + ndim byte, big-endian sizes, data."""
    opener: Callable = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path} is not an idx file (bad magic number)")
    if data[2] != 0x08:
        raise ValueError(f"{path}: only unsigned-byte idx data (type 0x08) is supported, got 0x{data[2]:02x}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated idx header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise ValueError(f"{path}: header promises {expected} bytes of data, file holds {len(data) - header}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


FASHION_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                 "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}


def load_fashion_mnist_idx(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse the four Fashion-MNIST idx ``.gz`` files (same layout as the original MNIST files)."""
    arrays = {key: read_idx(_find_file(folder, name)) for key, name in FASHION_FILES.items()}
    for split in ("train", "test"):
        if arrays[f"x_{split}"].ndim != 3 or len(arrays[f"x_{split}"]) != len(arrays[f"y_{split}"]):
            raise ValueError(f"Fashion-MNIST {split} images and labels do not match: "
                             f"{arrays[f'x_{split}'].shape} vs {arrays[f'y_{split}'].shape}")
    return arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"]


def _unpickle_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    # Only ever called on files whose sha256 utils.downloads.fetch has verified (or on test fixtures).
    with open(path, "rb") as handle:
        batch = pickle.load(handle, encoding="bytes")  # the checksum was verified before parsing
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise ValueError(f"{path} is not a CIFAR-10 python batch (needs b'data' and b'labels')")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(batch[b"labels"]) != len(data):
        raise ValueError(f"{path}: expected (n, 3072) uint8 data and n labels, got {data.shape}")
    # Rows are 1024 red, then 1024 green, then 1024 blue values: channels first -> channels last.
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, np.asarray(batch[b"labels"], dtype=np.int64)


def load_cifar10_batches(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse the CIFAR-10 python pickle batches (``data_batch_1..5`` and ``test_batch``)."""
    parts = [_unpickle_cifar_batch(_find_file(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_test, y_test = _unpickle_cifar_batch(_find_file(folder, "test_batch"))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), x_test, y_test


def _find_file(folder: Path, name: str) -> Path:
    """``folder/name`` or, for extracted archives, the one file of that name below ``folder``."""
    folder = Path(folder)
    if (folder / name).is_file():
        return folder / name
    found = sorted(folder.rglob(name))
    if not found:
        raise FileNotFoundError(f"{name} not found under {folder}; the download looks incomplete -- "
                                f"delete that folder and load the data set again")
    return found[0]


# ---------------------------------------------------------------- the sources

def _load_digits(profile: str, image_size: int) -> ImageData:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = resize_bilinear((digits.images / 16.0).astype(np.float32), image_size)[..., None]
    y = digits.target.astype(np.int64)
    # 20 % test, then 15 % of the rest for validation: stratified, fixed seed.
    x_rest, y_rest, x_test, y_test = _stratified_split(x, y, 0.2, SPLIT_SEED)
    x_train, y_train, x_val, y_val = _stratified_split(x_rest, y_rest, 0.15, SPLIT_SEED)
    return ImageData("digits", x_train, y_train, x_val, y_val, x_test, y_test, DIGIT_NAMES)


def _fetch(name: str) -> Path:
    from utils.downloads import fetch  # imported here: the offline default never needs it

    return Path(fetch(name))


def _load_mnist(profile: str) -> ImageData:
    x_train, y_train, x_test, y_test = load_mnist_npz(_fetch("mnist"))
    return _from_train_test("mnist", _as_images(x_train, 255), y_train, _as_images(x_test, 255), y_test,
                            DIGIT_NAMES, profile)


def _load_fashion_mnist(profile: str) -> ImageData:
    x_train, y_train, x_test, y_test = load_fashion_mnist_idx(_fetch("fashion_mnist"))
    return _from_train_test("fashion_mnist", _as_images(x_train, 255), y_train, _as_images(x_test, 255), y_test,
                            FASHION_NAMES, profile)


def _load_cifar10(profile: str) -> ImageData:
    x_train, y_train, x_test, y_test = load_cifar10_batches(_fetch("cifar10"))
    return _from_train_test("cifar10", _as_images(x_train, 255), y_train, _as_images(x_test, 255), y_test,
                            CIFAR10_NAMES, profile)


def load_images(name: str, profile: str | None = None, *, image_size: int = 16) -> ImageData:
    """Load image data set ``name`` in the course layout (see the module docstring).

    ``profile`` is ``"default"`` or ``"full"`` (``None``: ``$COURSE_PROFILE``). ``image_size``
    applies to ``"digits"`` only (8 = the original scans; default 16).

    Raises:
        ValueError: for an unknown ``name`` or profile (the message lists the valid ones).
    """
    if name not in SOURCES:
        raise ValueError(f"unknown image data set {name!r}; valid names: {', '.join(SOURCES)}")
    profile = resolve_profile(profile)
    if name == "digits":
        return _load_digits(profile, image_size)
    return {"mnist": _load_mnist, "fashion_mnist": _load_fashion_mnist, "cifar10": _load_cifar10}[name](profile)
