"""One interface for every image data set of Part 1: :func:`load_images`.

Introduced in ``02_image_classification``; used by notebooks 01-04.

Whatever the source, :class:`ImageData` holds the same three splits (``train``,
``validation``, ``test``), images as ``float32`` in ``[0, 1]`` shaped ``(n, height, width,
channels)`` (channels last), integer labels and the class names. Sources:

* ``"digits"`` -- scikit-learn's 1,797 scanned handwritten digits, shipped offline (the
  default). The 8x8 scans are resized bilinearly to 16x16 so that a CNN has room for two
  convolution + pooling stages; pass ``image_size=8`` for the original scans.
* ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"`` -- the real benchmarks, read by
  :func:`load_mnist`, :func:`load_fashion_mnist` and :func:`load_cifar10` exactly as
  ``keras.datasets.<name>.load_data()`` reads them, but cached in the course's data folder
  (``utils.downloads.fetch``, checksum-verified). In the ``default`` profile their training
  split is subsampled so a CPU copes; ``full`` keeps everything.
"""

from __future__ import annotations

import gzip
import pickle
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


# ---------------------------------------------------------------- the benchmarks, read like keras.datasets

Split = tuple[np.ndarray, np.ndarray]


def load_mnist() -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` exactly as ``keras.datasets.mnist.load_data()`` returns them,
    downloaded into the course's data folder (``utils.downloads.fetch``, sha256-checked)."""
    with np.load(_fetch("mnist") / "mnist.npz", allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_fashion_mnist() -> tuple[Split, Split]:
    """As ``keras.datasets.fashion_mnist.load_data()``: four gzipped idx files, a header then uint8 values."""
    folder = _fetch("fashion_mnist")

    def read(name: str, header_bytes: int) -> np.ndarray:
        with gzip.open(folder / name, "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=header_bytes)

    y_train, y_test = read("train-labels-idx1-ubyte.gz", 8), read("t10k-labels-idx1-ubyte.gz", 8)
    x_train = read("train-images-idx3-ubyte.gz", 16).reshape(len(y_train), 28, 28)
    x_test = read("t10k-images-idx3-ubyte.gz", 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)


def load_cifar10() -> tuple[Split, Split]:
    """As ``keras.datasets.cifar10.load_data()``: channels last, labels shaped ``(n, 1)``."""
    folder = _fetch("cifar10") / "cifar-10-python_extracted" / "cifar-10-batches-py"

    def batch(name: str) -> Split:
        with open(folder / name, "rb") as f:
            data = pickle.load(f, encoding="bytes")  # a pickle: safe only because fetch checked its sha256
        rows = np.asarray(data[b"data"], np.uint8)  # 1024 red, then 1024 green, then 1024 blue values per image
        return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.asarray(data[b"labels"], np.uint8)[:, None]

    train = [batch(f"data_batch_{i}") for i in range(1, 6)]
    return (np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train])), batch("test_batch")


def _fetch(name: str) -> Path:
    from utils.downloads import fetch  # imported here: the offline default never needs it

    return fetch(name)


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


def _load_benchmark(name: str, profile: str) -> ImageData:
    loader = {"mnist": load_mnist, "fashion_mnist": load_fashion_mnist, "cifar10": load_cifar10}[name]
    (x_train, y_train), (x_test, y_test) = loader()
    names = {"mnist": DIGIT_NAMES, "fashion_mnist": FASHION_NAMES, "cifar10": CIFAR10_NAMES}[name]
    return _from_train_test(name, _as_images(x_train, 255), y_train.reshape(-1), _as_images(x_test, 255),
                            y_test.reshape(-1), names, profile)


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
    return _load_benchmark(name, profile)
