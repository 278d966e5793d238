"""One interface for every image data set of Part 1, :func:`load_images`: train, validation and test splits of float32
images in [0, 1] shaped (n, h, w, c) with integer labels, from scikit-learn's digits (offline, resized to 16x16) or
MNIST, Fashion-MNIST and CIFAR-10 (read as ``keras.datasets`` reads them, cached by ``utils.downloads.fetch``)."""

from __future__ import annotations

import gzip
import pickle
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from utils.settings import resolve_profile

CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "digits": tuple("0123456789"), "mnist": tuple("0123456789"),
    "fashion_mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"),
    "cifar10": ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")}
SOURCES: tuple[str, ...] = tuple(CLASS_NAMES)
SPLITS: tuple[str, ...] = ("train", "validation", "test")
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
        lines += [f"  {split:<10} {len(self.split(split)[0]):>6} images" for split in SPLITS]
        return "\n".join(lines)


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
    # A (size, old) matrix holding the two bilinear weights of each output pixel; rows, then columns.
    coords = np.clip((np.arange(size) + 0.5) * old / size - 0.5, 0, old - 1)
    low = np.floor(coords).astype(int)
    frac = coords - low
    weights = np.zeros((size, old), dtype=np.float32)
    np.add.at(weights, (np.arange(size), low), 1 - frac)
    np.add.at(weights, (np.arange(size), np.minimum(low + 1, old - 1)), frac)
    rows = np.einsum("ij,nj...->ni...", weights, images)
    return np.einsum("kl,nil...->nik...", weights, rows).astype(np.float32)


def _split(x: np.ndarray, y: np.ndarray, fraction: float) -> list[np.ndarray]:
    """Stratified ``x_a, x_b, y_a, y_b`` with ``fraction`` of the images in ``b``."""
    return train_test_split(x, y, test_size=fraction, stratify=y, random_state=SPLIT_SEED)


def _subsample(x: np.ndarray, y: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= limit:
        return x, y
    keep = np.sort(np.random.default_rng(SPLIT_SEED).choice(len(x), size=limit, replace=False))
    return x[keep], y[keep]


Split = tuple[np.ndarray, np.ndarray]


def read_benchmark(name: str) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` of ``"mnist"``, ``"fashion_mnist"`` or ``"cifar10"`` exactly as
    ``keras.datasets.<name>.load_data()`` returns them, read from the files ``utils.downloads.fetch`` checked."""
    from utils.downloads import fetch  # imported here: the offline digits never need it

    folder = fetch(name)
    if name == "mnist":
        with np.load(folder / "mnist.npz", allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    if name == "fashion_mnist":  # four gzipped idx files: a header, then uint8 values

        def idx(file: str, header_bytes: int, *shape: int) -> np.ndarray:
            with gzip.open(folder / f"{file}-ubyte.gz", "rb") as f:
                return np.frombuffer(f.read(), np.uint8, offset=header_bytes).reshape(-1, *shape)

        return ((idx("train-images-idx3", 16, 28, 28), idx("train-labels-idx1", 8)),
                (idx("t10k-images-idx3", 16, 28, 28), idx("t10k-labels-idx1", 8)))

    def batch(file: str) -> Split:  # CIFAR-10: Python pickles, channels first, labels reshaped to (n, 1) as Keras does
        with open(folder / "cifar-10-python_extracted" / "cifar-10-batches-py" / file, "rb") as f:
            data = pickle.load(f, encoding="bytes")  # a pickle: safe only because fetch checked its sha256
        rows = np.asarray(data[b"data"], np.uint8)  # 1024 red, then 1024 green, then 1024 blue values per image
        return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.asarray(data[b"labels"], np.uint8)[:, None]

    train = [batch(f"data_batch_{i}") for i in range(1, 6)]
    return (np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train])), batch("test_batch")


def load_images(name: str, profile: str | None = None, *, image_size: int = 16) -> ImageData:
    """Image data set ``name`` in the course layout; ``profile`` ``"default"`` subsamples the benchmarks for a CPU
    (``None``: ``$COURSE_PROFILE``); ``image_size`` applies to ``"digits"`` only (8: the original scans)."""
    if name not in SOURCES:
        raise ValueError(f"unknown image data set {name!r}; valid names: {', '.join(SOURCES)}")
    profile = resolve_profile(profile)
    if name == "digits":
        digits = load_digits()
        x = resize_bilinear((digits.images / 16.0).astype(np.float32), image_size)[..., None]
        # 20 % test, then 15 % of the rest for validation: stratified, fixed seed.
        x_rest, x_test, y_rest, y_test = _split(x, digits.target.astype(np.int64), 0.2)
        x_train, x_val, y_train, y_val = _split(x_rest, y_rest, 0.15)
        return ImageData(name, x_train, y_train, x_val, y_val, x_test, y_test, CLASS_NAMES[name])
    (x_train, y_train), (x_test, y_test) = read_benchmark(name)
    x_train, x_test = (np.asarray(x, np.float32).reshape(*x.shape[:3], -1) / 255 for x in (x_train, x_test))
    y_train, y_test = y_train.reshape(-1), y_test.reshape(-1)
    if profile == "default":
        x_train, y_train = _subsample(x_train, y_train, DEFAULT_PROFILE_TRAIN_LIMIT)
        x_test, y_test = _subsample(x_test, y_test, DEFAULT_PROFILE_TRAIN_LIMIT // 4)
    x_train, x_val, y_train, y_val = _split(x_train, y_train, 0.1)
    return ImageData(name, x_train, y_train.astype(np.int64), x_val, y_val.astype(np.int64), x_test,
                     y_test.astype(np.int64), CLASS_NAMES[name])
