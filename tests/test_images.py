"""The one image interface: the offline digits, and the benchmarks read like ``keras.datasets`` from
format-faithful fixtures served on 127.0.0.1 through the real download path."""

from __future__ import annotations

import pickle
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fixtures_full_profile import SEED, FileServer, build, digit_images, write_override
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import images
from utils.downloads import OVERRIDE_ENV
from utils.images import SOURCES, SPLITS, ImageData, load_images, resize_bilinear

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("mnist", "fashion_mnist", "cifar10")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("served"), BENCHMARKS)


@pytest.fixture
def online(served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The course pointed at the fixtures: manifest override on 127.0.0.1, a fresh data folder."""
    with FileServer(served) as server:
        monkeypatch.setenv(OVERRIDE_ENV, str(write_override(tmp_path / "override.json", server, BENCHMARKS)))
        monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
        yield tmp_path / "data"


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


@pytest.mark.parametrize("source, channels", [("mnist", 1), ("fashion_mnist", 1), ("cifar10", 3)])
def test_full_sources_share_the_layout(online: Path, source: str, channels: int) -> None:
    data = load_images(source, "full")
    check_layout(data, channels)
    assert data.name == source and len(data.x_validation) > 0
    assert (online / source).is_dir()  # downloaded into the course's data folder


@pytest.mark.parametrize("name, shapes", [
    ("mnist", [(600, 28, 28), (600,), (200, 28, 28), (200,)]),
    ("fashion_mnist", [(600, 28, 28), (600,), (200, 28, 28), (200,)]),
    ("cifar10", [(600, 32, 32, 3), (600, 1), (200, 32, 32, 3), (200, 1)]),  # labels (n, 1), as Keras
])
def test_benchmarks_come_back_as_keras_datasets_returns_them(online: Path, name: str, shapes) -> None:
    (x_train, y_train), (x_test, y_test) = images.read_benchmark(name)
    assert [a.shape for a in (x_train, y_train, x_test, y_test)] == shapes
    assert all(a.dtype == np.uint8 for a in (x_train, y_train, x_test, y_test))


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_benchmarks_equal_what_keras_datasets_reads_from_the_same_files(online: Path, name: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """keras.datasets.<name>.load_data() on the very files fetch downloaded (its own download bypassed)."""
    import importlib

    ours = sum(images.read_benchmark(name), ())
    module = importlib.import_module(f"keras.src.datasets.{name}")
    monkeypatch.setattr(module, "get_file", lambda fname=None, *a, **k: str(online / name / fname))
    for mine, theirs in zip(ours, sum(module.load_data(), ()), strict=True):
        np.testing.assert_array_equal(mine, theirs)
        assert mine.dtype == theirs.dtype


def test_cifar_batches_equal_what_keras_reads(online: Path) -> None:
    """Keras' own batch reader (a restricted unpickler in Keras 3.15) on the fetched Python 2 pickles."""
    from keras.src.datasets.cifar import load_batch

    (x_train, _), (x_test, y_test) = images.read_benchmark("cifar10")
    folder = online / "cifar10" / "cifar-10-python_extracted" / "cifar-10-batches-py"
    data, labels = load_batch(str(folder / "test_batch"))
    np.testing.assert_array_equal(x_test, data.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test[:, 0], labels)
    first, _ = load_batch(str(folder / "data_batch_1"))
    np.testing.assert_array_equal(x_train[: len(first)], first.transpose(0, 2, 3, 1))


def test_fashion_idx_and_cifar_pickles_decode_to_the_pixels_written(online: Path, served: Path) -> None:
    (_, _), (x_test, y_test) = images.read_benchmark("fashion_mnist")
    expected, labels = digit_images(200, 28, SEED + 3)
    np.testing.assert_array_equal(x_test, expected)
    np.testing.assert_array_equal(y_test, labels)
    (_, _), (x_cifar, _) = images.read_benchmark("cifar10")
    with tarfile.open(served / "cifar-10-python.tar.gz") as tar:
        batch = pickle.load(tar.extractfile("cifar-10-batches-py/test_batch"), encoding="bytes")
    red_plane = np.asarray(batch[b"data"])[:, :1024].reshape(-1, 32, 32)  # upstream rows: all red, green, blue
    np.testing.assert_array_equal(x_cifar[..., 0], red_plane)


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
