"""The one image interface: the offline digits, the upstream-format parsers on fixture files, bad inputs."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import images
from utils.images import (
    SOURCES,
    SPLITS,
    ImageData,
    load_cifar10_batches,
    load_fashion_mnist_idx,
    load_images,
    load_mnist_npz,
    read_idx,
    resize_bilinear,
)

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- fixtures in the upstream formats

def write_mnist_npz(folder: Path, n_train: int = 100, n_test: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              "y_train": np.arange(n_train, dtype=np.uint8) % 10,
              "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              "y_test": np.arange(n_test, dtype=np.uint8) % 10}
    np.savez_compressed(folder / "mnist.npz", **arrays)
    return arrays


def idx_bytes(array: np.ndarray) -> bytes:
    """The idx format: two zero bytes, type 0x08 (ubyte), ndim, big-endian uint32 sizes, the data."""
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_fashion_idx(folder: Path, n_train: int = 100, n_test: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              "y_train": (np.arange(n_train) % 10).astype(np.uint8),
              "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              "y_test": (np.arange(n_test) % 10).astype(np.uint8)}
    for key, filename in images.FASHION_FILES.items():
        (folder / filename).write_bytes(gzip.compress(idx_bytes(arrays[key])))
    return arrays


def write_cifar_batches(folder: Path, per_batch: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``cifar-10-batches-py/`` as the upstream tarball extracts it: pickled dicts with bytes keys."""
    rng = np.random.default_rng(seed)
    batches = folder / "cifar-10-batches-py"
    batches.mkdir()
    all_images = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        pictures = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
        all_images.append(pictures)
        rows = pictures.transpose(0, 3, 1, 2).reshape(per_batch, -1)  # upstream: R plane, G plane, B plane
        batch = {b"batch_label": name.encode(), b"labels": [int(v) for v in np.arange(per_batch) % 10],
                 b"data": rows, b"filenames": [f"img_{i}.png".encode() for i in range(per_batch)]}
        with open(batches / name, "wb") as handle:
            pickle.dump(batch, handle, protocol=2)
    with open(batches / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": [n.encode() for n in images.CIFAR10_NAMES]}, handle, protocol=2)
    return np.concatenate(all_images[:5]), all_images[5]


# ---------------------------------------------------------------- parsers

def test_mnist_npz_parser(tmp_path: Path) -> None:
    arrays = write_mnist_npz(tmp_path)
    parsed = load_mnist_npz(tmp_path)
    for got, key in zip(parsed, ("x_train", "y_train", "x_test", "y_test"), strict=True):
        np.testing.assert_array_equal(got, arrays[key])


def test_mnist_npz_missing_array_is_rejected(tmp_path: Path) -> None:
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="missing"):
        load_mnist_npz(tmp_path)


def test_idx_parser_reads_fashion_files(tmp_path: Path) -> None:
    arrays = write_fashion_idx(tmp_path)
    for got, key in zip(load_fashion_mnist_idx(tmp_path), ("x_train", "y_train", "x_test", "y_test"), strict=True):
        np.testing.assert_array_equal(got, arrays[key])


@pytest.mark.parametrize("damage", ["magic", "type", "truncated"])
def test_idx_parser_rejects_damaged_files(tmp_path: Path, damage: str) -> None:
    data = bytearray(idx_bytes(np.zeros((3, 4, 4), np.uint8)))
    if damage == "magic":
        data[0] = 1
    elif damage == "type":
        data[2] = 0x0D
    else:
        data = data[:-5]
    path = tmp_path / "broken-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(ValueError):
        read_idx(path)


def test_cifar_parser_keeps_channel_order(tmp_path: Path) -> None:
    train, test = write_cifar_batches(tmp_path)
    x_train, y_train, x_test, y_test = load_cifar10_batches(tmp_path)
    np.testing.assert_array_equal(x_train, train)
    np.testing.assert_array_equal(x_test, test)
    assert x_train.shape == (100, 32, 32, 3) and y_train.shape == (100,) and y_test.dtype == np.int64


def test_cifar_parser_rejects_other_pickles(tmp_path: Path) -> None:
    write_cifar_batches(tmp_path)
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "wb") as handle:
        pickle.dump({b"something": 1}, handle)
    with pytest.raises(ValueError, match="CIFAR-10"):
        load_cifar10_batches(tmp_path)


def test_missing_file_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"mnist\.npz"):
        load_mnist_npz(tmp_path)


# ---------------------------------------------------------------- load_images: every source, one layout

def check_layout(data: ImageData, channels: int, num_classes: int = 10) -> None:
    for split in SPLITS:
        x, y = data.split(split)
        assert x.dtype == np.float32 and x.ndim == 4 and x.shape[-1] == channels
        assert 0.0 <= x.min() and x.max() <= 1.0
        assert y.dtype == np.int64 and y.shape == (len(x),) and set(np.unique(y)) <= set(range(num_classes))
    assert len(data.class_names) == num_classes


def test_digits_default_layout_and_determinism() -> None:
    data = load_images("digits", "default")
    check_layout(data, channels=1)
    assert data.image_shape == (16, 16, 1)
    assert len(data.x_train) + len(data.x_validation) + len(data.x_test) == 1797
    again = load_images("digits", "default")
    np.testing.assert_array_equal(data.x_test, again.x_test)
    assert load_images("digits", "default", image_size=8).image_shape == (8, 8, 1)


def test_digits_never_imports_the_downloader() -> None:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from utils.images import load_images; "
            "load_images('digits'); print('utils.downloads' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("source, writer, channels", [("mnist", write_mnist_npz, 1),
                                                      ("fashion_mnist", write_fashion_idx, 1),
                                                      ("cifar10", write_cifar_batches, 3)])
def test_full_sources_share_the_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source, writer,
                                       channels: int) -> None:
    writer(tmp_path)
    monkeypatch.setattr(images, "_fetch", lambda name: tmp_path if name == source else pytest.fail(name))
    data = load_images(source, "full")
    check_layout(data, channels)
    assert data.name == source and len(data.x_validation) > 0


def test_split_names_and_unknown_split() -> None:
    data = load_images("digits", "default")
    assert data.split("validation")[0] is data.x_validation
    with pytest.raises(ValueError, match="train, validation, test"):
        data.split("val")


def test_unknown_source_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError) as error:
        load_images("imagenet", "default")
    assert all(name in str(error.value) for name in SOURCES)


def test_unknown_profile_is_an_error() -> None:
    with pytest.raises(ValueError, match="profile"):
        load_images("digits", "huge")


def test_download_then_parse_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mnist.npz served from 127.0.0.1, fetched and verified by utils.downloads, parsed by load_images."""
    downloads = pytest.importorskip("utils.downloads")
    served = tmp_path / "served"
    served.mkdir()
    arrays = write_mnist_npz(served, n_train=120)
    payload = (served / "mnist.npz").read_bytes()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        remote = downloads.RemoteFile("mnist.npz", (f"http://127.0.0.1:{server.server_port}/mnist.npz",),
                                      hashlib.sha256(payload).hexdigest(), len(payload), sha256_source="test fixture")
        source = downloads.DataSource("mnist", "fixture", (remote,), "test", "test", "http://127.0.0.1/")
        monkeypatch.setattr(downloads, "MANIFEST", {"mnist": source})
        monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
        data = load_images("mnist", "full")
    finally:
        server.shutdown()
        server.server_close()
    check_layout(data, channels=1)
    assert len(data.x_train) + len(data.x_validation) == 120
    np.testing.assert_allclose(data.x_test[..., 0], arrays["x_test"] / 255.0, atol=1e-6)


# ---------------------------------------------------------------- resizing

@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 24), st.integers(1, 3), st.integers(0, 10_000))
def test_resize_shape_and_range(old: int, new: int, channels: int, seed: int) -> None:
    x = np.random.default_rng(seed).random((2, old, old, channels)).astype(np.float32)
    out = resize_bilinear(x, new)
    assert out.shape == (2, new, new, channels) and out.dtype == np.float32
    assert out.min() >= x.min() - 1e-6 and out.max() <= x.max() + 1e-6


@given(st.floats(0, 1), st.integers(1, 20))
def test_resize_keeps_constant_images(value: float, size: int) -> None:
    np.testing.assert_allclose(resize_bilinear(np.full((1, 8, 8), value), size), value, atol=1e-6)


@pytest.mark.parametrize("bad", [np.zeros((8, 8)), np.zeros((2, 8, 6)), np.zeros((1, 2, 3, 4, 5))])
def test_resize_rejects_non_square_batches(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        resize_bilinear(bad, 4)
