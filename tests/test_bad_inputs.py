"""Bad input anywhere in ``utils`` gives a clear error that says what was wrong and what to do.

Each case is one distinct bad input, the exception it must raise and the message it must give.
``python tests/test_bad_inputs.py`` prints every case with the message it actually gives.
"""

from __future__ import annotations

import hashlib
import io
import socket
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from utils import downloads, hardware, plots, reproducibility, results, settings, training  # noqa: E402
from utils.downloads import DataSource, DownloadError, RemoteFile, UnsafeArchiveError  # noqa: E402


@dataclass
class Context:
    """What a case may need: a scratch folder and a way to set environment variables for the case only."""

    tmp: Path
    monkeypatch: pytest.MonkeyPatch


@dataclass(frozen=True)
class BadInput:
    area: str
    description: str
    call: Callable[[Context], object]
    error: type[BaseException]
    match: str


CASES: list[BadInput] = []


def case(area: str, description: str, error: type[BaseException], match: str):
    def register(call: Callable[[Context], object]) -> Callable[[Context], object]:
        CASES.append(BadInput(area, description, call, error, match))
        return call
    return register


# ---------------------------------------------------------------- helpers for the download cases


def _closed_port_url(name: str) -> str:
    """A URL on 127.0.0.1 where nothing listens: the port was just taken and released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def _one_file_manifest(data: bytes, filename: str = "x.bin", extract: bool = False) -> dict[str, DataSource]:
    remote = RemoteFile(filename, (_closed_port_url(filename),), hashlib.sha256(data).hexdigest(), len(data),
                        sha256_source="test", extract=extract)
    return {"toy": DataSource("toy", "toy", (remote,), "CC0", "nobody", "https://example.org/")}


def _good_remote(**changes: object) -> RemoteFile:
    fields = {"filename": "f.bin", "urls": ("https://example.org/f.bin",), "sha256": "0" * 64, "size": 10,
              "sha256_source": "test", **changes}
    return RemoteFile(**fields)  # type: ignore[arg-type]


def _tar_bytes(name: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return buffer.getvalue()


# ---------------------------------------------------------------- utils.downloads


@case("downloads", "unknown data set name 'mnsit'", ValueError,
      r"Unknown data set 'mnsit'\. Valid names: cifar10, fashion_mnist, imdb, jena_climate, mnist, ucf101_subset\.")
def _(ctx: Context) -> object:
    return downloads.fetch("mnsit", data_dir=ctx.tmp)


@case("downloads", "data set name that is not a string (None)", ValueError, r"Unknown data set None\. Valid names:")
def _(ctx: Context) -> object:
    return downloads.fetch(None, data_dir=ctx.tmp)  # type: ignore[arg-type]


@case("downloads", "manifest entry with a malformed sha256", ValueError,
      r"'f\.bin': sha256 must be 64 lower-case hex digits, got 'ABC'")
def _(ctx: Context) -> object:
    return _good_remote(sha256="ABC")


@case("downloads", "manifest entry without sha256 and without saying why", ValueError,
      r"sha256 is None, so unverified_reason must say why no published checksum exists")
def _(ctx: Context) -> object:
    return _good_remote(sha256=None, sha256_source=None)


@case("downloads", "manifest entry with an ftp:// URL", ValueError, r"URLs must start with http:// or https://")
def _(ctx: Context) -> object:
    return _good_remote(urls=("ftp://example.org/f.bin",))


@case("downloads", "manifest entry with urls given as one string", ValueError,
      r"urls must be a tuple of URLs, not one string")
def _(ctx: Context) -> object:
    return _good_remote(urls="https://example.org/f.bin")


@case("downloads", "manifest entry asking to extract a .csv", ValueError, r"'f\.csv': extract=True needs an archive")
def _(ctx: Context) -> object:
    return _good_remote(filename="f.csv", extract=True)


@case("downloads", "manifest entry with a negative size", ValueError,
      r"size must be a positive number of bytes or None, got -5")
def _(ctx: Context) -> object:
    return _good_remote(size=-5)


@case("downloads", "data set with no files", ValueError, r"data set 'empty' lists no files")
def _(ctx: Context) -> object:
    return DataSource("empty", "t", (), "CC0", "c", "https://example.org/")


@case("downloads", "manifest whose key differs from the data set name", ValueError,
      r"manifest key 'mnist' differs from the data set's name 'toy'")
def _(ctx: Context) -> object:
    return downloads.fetch("mnist", data_dir=ctx.tmp, manifest={"mnist": _one_file_manifest(b"x")["toy"]})


@case("downloads", "server down (nothing listens at the URL)", DownloadError,
      r"(?s)Could not download data set 'toy' \(file x\.bin\)\. Tried:\n  - http://127\.0\.0\.1:\d+/x\.bin: "
      r"server unreachable .*Cache path: .*toy/x\.bin\nIf you are offline or the server is down: download x\.bin "
      r"from one of the URLs above on a machine with internet access and place it at .*toy/x\.bin")
def _(ctx: Context) -> object:
    return downloads.fetch("toy", data_dir=ctx.tmp, manifest=_one_file_manifest(b"payload"))


@case("downloads", "corrupt cached download and no server to fetch it again", DownloadError,
      r"(?s)The cached copy at .*x\.bin is unusable: its sha256 is [0-9a-f]{64} but should be [0-9a-f]{64} "
      r"\(corrupt or a different file\)")
def _(ctx: Context) -> object:
    (ctx.tmp / "toy").mkdir()
    (ctx.tmp / "toy" / "x.bin").write_bytes(b"paYload")
    ctx.monkeypatch.setattr(downloads.warnings, "warn", lambda *a, **k: None)  # the warning is tested elsewhere
    return downloads.fetch("toy", data_dir=ctx.tmp, manifest=_one_file_manifest(b"payload"))


@case("downloads", "malicious archive (member '../../escape.txt')", UnsafeArchiveError,
      r"refusing to extract .*evil\.tar\.gz: archive member '\.\./\.\./escape\.txt' climbs out of the target folder")
def _(ctx: Context) -> object:
    data = _tar_bytes("../../escape.txt")
    (ctx.tmp / "toy").mkdir()
    (ctx.tmp / "toy" / "evil.tar.gz").write_bytes(data)
    return downloads.fetch("toy", data_dir=ctx.tmp, manifest=_one_file_manifest(data, "evil.tar.gz", True))


@case("downloads", "archive member with an absolute path", UnsafeArchiveError,
      r"archive member '/etc/cron\.d/x' has an absolute path; it would be written outside the target folder")
def _(ctx: Context) -> object:
    return downloads.safe_member_path("/etc/cron.d/x")


@case("downloads", "damaged (truncated) archive", ValueError,
      r"broken\.tar\.gz is damaged and cannot be extracted .*; delete it and fetch again")
def _(ctx: Context) -> object:
    path = ctx.tmp / "broken.tar.gz"
    path.write_bytes(_tar_bytes("a.txt" * 50)[:40])
    return downloads.extract_archive(path, ctx.tmp / "out")


# ---------------------------------------------------------------- utils.settings


@case("settings", "COURSE_PROFILE=fast", ValueError,
      r"Unknown course profile 'fast'\. Valid profiles: default, full\. Set COURSE_PROFILE=default \(offline, "
      r"CPU-sized\) or COURSE_PROFILE=full \(real data sets, GPU\)\.")
def _(ctx: Context) -> object:
    ctx.monkeypatch.setenv("COURSE_PROFILE", "fast")
    return settings.resolve_profile()


@case("settings", "COURSE_DATA_DIR set but empty", ValueError,
      r"COURSE_DATA_DIR is set but empty\. Unset it to use .*data, or give a folder\.")
def _(ctx: Context) -> object:
    ctx.monkeypatch.setenv("COURSE_DATA_DIR", "")
    return settings.data_dir()


@case("settings", "COURSE_DATA_DIR pointing at a file", ValueError,
      r"COURSE_DATA_DIR='.*notes\.txt' points to a file, not a folder\. Point it at a folder")
def _(ctx: Context) -> object:
    (ctx.tmp / "notes.txt").write_text("x")
    ctx.monkeypatch.setenv("COURSE_DATA_DIR", str(ctx.tmp / "notes.txt"))
    return settings.data_dir()


@case("settings", "COURSE_DATA_DIR that cannot be created (below a file)", ValueError,
      r"COURSE_DATA_DIR='.*notes\.txt/cache' cannot be created \(Not a directory\)\. Choose a writable folder\.")
def _(ctx: Context) -> object:
    (ctx.tmp / "notes.txt").write_text("x")
    ctx.monkeypatch.setenv("COURSE_DATA_DIR", str(ctx.tmp / "notes.txt" / "cache"))
    return settings.data_dir()


@case("settings", "COURSE_DATA_DIR that is not writable", ValueError,
      r"COURSE_DATA_DIR='.*locked' is not writable\. Choose a writable folder\.")
def _(ctx: Context) -> object:
    (ctx.tmp / "locked").mkdir()
    ctx.monkeypatch.setenv("COURSE_DATA_DIR", str(ctx.tmp / "locked"))
    ctx.monkeypatch.setattr(settings.os, "access", lambda path, mode: False)  # root ignores chmod
    return settings.data_dir()


# ---------------------------------------------------------------- utils.results


@case("results", "record a string", ValueError, r"result 'accuracy' must be a number, got str 'high'")
def _(ctx: Context) -> object:
    return results.ResultsRecorder("nb", ctx.tmp).record(accuracy="high")


@case("results", "record NaN", ValueError, r"result 'loss' is nan; only finite numbers can be recorded")
def _(ctx: Context) -> object:
    return results.ResultsRecorder("nb", ctx.tmp).record(loss=float("nan"))


@case("results", "record infinity", ValueError, r"result 'loss' is inf; only finite numbers can be recorded")
def _(ctx: Context) -> object:
    return results.ResultsRecorder("nb", ctx.tmp).record(loss=np.float32("inf"))


@case("results", "record a bool", ValueError, r"result 'passed' must be a number, got bool True")
def _(ctx: Context) -> object:
    return results.ResultsRecorder("nb", ctx.tmp).record(passed=True)


@case("results", "notebook stem with folder and suffix", ValueError,
      r"stem must be a notebook file name without folder or \.ipynb, got 'notebooks/01_x\.ipynb'")
def _(ctx: Context) -> object:
    return results.ResultsRecorder("notebooks/01_x.ipynb", ctx.tmp)


# ---------------------------------------------------------------- utils.hardware and utils.reproducibility


@case("hardware", "COURSE_MIXED_PRECISION=maybe", ValueError,
      r"COURSE_MIXED_PRECISION='maybe' is not valid; use one of auto, on, off\.")
def _(ctx: Context) -> object:
    ctx.monkeypatch.setenv("COURSE_MIXED_PRECISION", "maybe")
    return hardware.read_switch(hardware.MIXED_PRECISION_ENV)


@case("hardware", "COURSE_XLA=true", ValueError, r"COURSE_XLA='true' is not valid; use one of auto, on, off\.")
def _(ctx: Context) -> object:
    ctx.monkeypatch.setenv("COURSE_XLA", "true")
    return hardware.read_switch(hardware.XLA_ENV)


@case("hardware", "mixed-precision switch passed as True", ValueError,
      r"switch must be one of \('auto', 'on', 'off'\), got True")
def _(ctx: Context) -> object:
    return hardware.should_use_mixed_precision([], switch=True)  # type: ignore[arg-type]


@case("reproducibility", "negative seed", ValueError, r"seed must be a non-negative int, got -1")
def _(ctx: Context) -> object:
    return reproducibility.set_seeds(-1)


# ---------------------------------------------------------------- utils.plots


@case("plots", "image grid given one 2-D image", ValueError,
      r"images must be \(n, h, w\) or \(n, h, w, c\), got shape \(28, 28\)")
def _(ctx: Context) -> object:
    return plots.show_image_grid(np.zeros((28, 28)))


@case("plots", "feature maps of a whole batch (4-D)", ValueError,
      r"feature maps must be \(height, width, channels\) for one input, got shape \(2, 8, 8, 4\)")
def _(ctx: Context) -> object:
    return plots.plot_feature_maps(np.zeros((2, 8, 8, 4)))


@case("plots", "convolution kernel with 3 axes", ValueError,
      r"kernel must be \(kh, kw, in_channels, filters\), got shape \(3, 3, 8\)")
def _(ctx: Context) -> object:
    return plots.plot_filters(np.zeros((3, 3, 8)))


@case("plots", "confusion matrix with labels of different lengths", ValueError,
      r"y_true and y_pred differ in length: 3 vs 2")
def _(ctx: Context) -> object:
    return plots.plot_confusion_matrix([0, 1, 1], [0, 1], ["a", "b"])


@case("plots", "learning curves of an empty history", ValueError,
      r"plot_history needs a keras History or a non-empty dict of metric -> list of values")
def _(ctx: Context) -> object:
    return plots.plot_history({})


@case("plots", "learning curves of a metric that was not logged", ValueError,
      r"metrics \['accuracy'\] not in history; available: \['loss', 'val_loss'\]")
def _(ctx: Context) -> object:
    return plots.plot_history({"loss": [1.0], "val_loss": [1.1]}, metrics=["accuracy"])


# ---------------------------------------------------------------- utils.training


@case("training", "run_name that climbs out of the checkpoint folder", ValueError,
      r"run_name must be a simple folder name \(letters, digits, '_', '-', '\.'\), got '\.\./x'")
def _(ctx: Context) -> object:
    return training.fit_resumable(None, None, run_name="../x", epochs=1, checkpoint_root=ctx.tmp)


@case("training", "zero epochs", ValueError, r"epochs must be a positive int, got 0")
def _(ctx: Context) -> object:
    return training.fit_resumable(None, None, run_name="r", epochs=0, checkpoint_root=ctx.tmp)


def _tiny_model(build: bool = True, compile_it: bool = True) -> object:
    import keras

    layers = [keras.Input((3,)), keras.layers.Dense(1)] if build else [keras.layers.Dense(1)]
    model = keras.Sequential(layers)
    if compile_it:
        model.compile("sgd", "mse")
    return model


@case("training", "model that is not a keras.Model", ValueError, r"model must be a keras\.Model, got dict")
def _(ctx: Context) -> object:
    return training.fit_resumable({}, None, run_name="r", epochs=1, checkpoint_root=ctx.tmp)


@case("training", "model without an Input (not built)", ValueError,
      r"the model must be built before fit_resumable can back it up: start it with keras\.Input")
def _(ctx: Context) -> object:
    return training.fit_resumable(_tiny_model(build=False), None, run_name="r", epochs=1, checkpoint_root=ctx.tmp)


@case("training", "model that was not compiled", ValueError,
      r"compile the model \(optimizer and loss\) before fit_resumable")
def _(ctx: Context) -> object:
    return training.fit_resumable(_tiny_model(compile_it=False), None, run_name="r", epochs=1,
                                  checkpoint_root=ctx.tmp)


@case("training", "initial_epoch passed to a resumable fit", ValueError,
      r"fit_resumable sets initial_epoch itself \(a resumed run starts where it stopped\); remove initial_epoch=")
def _(ctx: Context) -> object:
    return training.fit_resumable(_tiny_model(), np.zeros((4, 3)), run_name="r", epochs=1, initial_epoch=1,
                                  checkpoint_root=ctx.tmp)


# ---------------------------------------------------------------- the course's data, model and video helpers
# (each module is imported inside its cases, so one module's import cost is paid only where it is used)


def _write_clip(path: Path, frames: int = 4, size: int = 16) -> Path:
    """A tiny real video file (PyAV, mpeg4) so loaders have a readable clip next to broken ones."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        for index in range(frames):
            image = np.full((size, size, 3), 40 * index, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@case("images", "unknown image data set 'imagenet'", ValueError,
      r"unknown image data set 'imagenet'; valid names: digits, mnist, fashion_mnist, cifar10")
def _(ctx: Context) -> object:
    from utils.images import load_images

    return load_images("imagenet")


@case("images", "resize a non-square batch", ValueError,
      r"images must be square \(n, h, w\[, c\]\); got shape \(2, 8, 6\)")
def _(ctx: Context) -> object:
    from utils.images import resize_bilinear

    return resize_bilinear(np.zeros((2, 8, 6), np.float32), 16)


@case("images", "resize to 0 pixels", ValueError, r"size must be a positive int, got 0")
def _(ctx: Context) -> object:
    from utils.images import resize_bilinear

    return resize_bilinear(np.zeros((2, 8, 8), np.float32), 0)


@case("images", "idx file with a wrong magic number", ValueError,
      r"labels\.idx is not an idx file \(bad magic number\)")
def _(ctx: Context) -> object:
    from utils.images import read_idx

    (ctx.tmp / "labels.idx").write_bytes(b"\x12\x34\x08\x01\x00\x00\x00\x01\x05")
    return read_idx(ctx.tmp / "labels.idx")


@case("images", "mnist.npz without the test arrays", ValueError,
      r"mnist\.npz is not a Keras mnist\.npz: arrays \['x_test', 'y_test'\] are missing")
def _(ctx: Context) -> object:
    from utils.images import load_mnist_npz

    np.savez(ctx.tmp / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8))
    return load_mnist_npz(ctx.tmp)


@case("images", "CIFAR-10 folder without its batches", FileNotFoundError,
      r"data_batch_1 not found under .*; the download looks incomplete")
def _(ctx: Context) -> object:
    from utils.images import load_cifar10_batches

    return load_cifar10_batches(ctx.tmp)


@case("images", "ImageData with float64 images", ValueError,
      r"train images must be float32 \(n, h, w, c\); got float64")
def _(ctx: Context) -> object:
    from utils.images import ImageData

    x, y = np.zeros((2, 4, 4, 1)), np.zeros(2, np.int64)
    return ImageData("bad", x, y, x, y, x, y, ("a", "b"))


@case("conv_numpy", "convolve a 2-D image (no channel axis)", ValueError,
      r"x must be \(height, width, channels\) or \(batch, height, width, channels\)")
def _(ctx: Context) -> object:
    from utils.conv_numpy import conv2d

    return conv2d(np.zeros((5, 5)), np.zeros((3, 3, 1, 1)))


@case("conv_numpy", "kernel with the wrong number of input channels", ValueError,
      r"kernel expects 3 input channels, the image has 1")
def _(ctx: Context) -> object:
    from utils.conv_numpy import conv2d

    return conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 3, 4)))


@case("conv_numpy", "unknown padding 'full'", ValueError, r"padding must be one of \('valid', 'same'\), got 'full'")
def _(ctx: Context) -> object:
    from utils.conv_numpy import conv2d

    return conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="full")


@case("conv_numpy", "kernel larger than the image with padding='valid'", ValueError,
      r"a \(7, 7\) window does not fit a \(5, 5\) image with padding='valid'")
def _(ctx: Context) -> object:
    from utils.conv_numpy import conv2d

    return conv2d(np.zeros((5, 5, 1)), np.zeros((7, 7, 1, 1)))


@case("conv_numpy", "pooling window of size 0", ValueError,
      r"must be a positive int or a pair of positive ints, got 0")
def _(ctx: Context) -> object:
    from utils.conv_numpy import max_pool2d

    return max_pool2d(np.zeros((4, 4, 1)), pool_size=0)


@case("rnn_numpy", "sequence without a batch axis", ValueError,
      r"inputs must be \(batch, time, features\), got shape \(5, 3\); add a batch axis with x\[None\]")
def _(ctx: Context) -> object:
    from utils.rnn_numpy import simple_rnn_forward

    return simple_rnn_forward(np.zeros((5, 3)), np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))


@case("rnn_numpy", "sequence with the wrong number of features", ValueError,
      r"inputs have 5 features but the kernel expects 3")
def _(ctx: Context) -> object:
    from utils.rnn_numpy import lstm_forward

    return lstm_forward(np.zeros((1, 4, 5)), np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8))


@case("rnn_numpy", "GRU weights that are not matrices", ValueError,
      r"kernel and recurrent_kernel must be 2-D matrices, as returned by layer\.get_weights\(\)")
def _(ctx: Context) -> object:
    from utils.rnn_numpy import gru_forward

    return gru_forward(np.zeros((1, 4, 3)), np.zeros(9), np.zeros((3, 9)), np.zeros(9))


@case("sequence_tasks", "task with 0 examples", ValueError, r"n must be an integer >= 1, got 0")
def _(ctx: Context) -> object:
    from utils.sequence_tasks import remember_first_task

    return remember_first_task(0, 10)


@case("sequence_tasks", "NaN noise level", ValueError, r"noise must be a finite number >= 0, got nan")
def _(ctx: Context) -> object:
    from utils.sequence_tasks import remember_first_task

    return remember_first_task(4, 10, noise=float("nan"))


@case("sequence_tasks", "characters outside the alphabet", ValueError, r"characters \['x'\] are not in the alphabet")
def _(ctx: Context) -> object:
    from utils.sequence_tasks import encode_chars

    return encode_chars(["abx"], "abc", 5)


@case("sequence_tasks", "string longer than the encoding length", ValueError,
      r"string 'abcabc' is longer than length=3; raise length")
def _(ctx: Context) -> object:
    from utils.sequence_tasks import encode_chars

    return encode_chars(["abcabc"], "abc", 3)


@case("sequence_tasks", "decode a 1-D index array", ValueError, r"indices must be \(n, length\), got shape \(4,\)")
def _(ctx: Context) -> object:
    from utils.sequence_tasks import decode_chars

    return decode_chars(np.zeros(4, np.int32), "abc")


@case("timeseries", "2-D series passed to the windowing", ValueError,
      r"series must be 1-D \(one value per time step\), got shape \(10, 2\)")
def _(ctx: Context) -> object:
    from utils.timeseries import make_windows

    return make_windows(np.zeros((10, 2)), window=3)


@case("timeseries", "series with a NaN", ValueError,
      r"series contains NaN or infinite values; fill or drop them first")
def _(ctx: Context) -> object:
    from utils.timeseries import make_windows

    return make_windows(np.array([1.0, np.nan, 3.0, 4.0, 5.0]), window=2)


@case("timeseries", "series shorter than window + horizon", ValueError,
      r"series of length 5 is too short for window=4 \+ horizon=2")
def _(ctx: Context) -> object:
    from utils.timeseries import make_windows

    return make_windows(np.arange(5.0), window=4, horizon=2)


@case("timeseries", "split fractions that do not sum to 1", ValueError,
      r"fractions must be three positive numbers summing to 1, got \(0\.5, 0\.5, 0\.5\)")
def _(ctx: Context) -> object:
    from utils.timeseries import chronological_split

    return chronological_split(100, (0.5, 0.5, 0.5))


@case("timeseries", "Jena csv that is missing", FileNotFoundError,
      r"jena_climate_2009_2016\.csv not found; get it with utils\.downloads\.fetch\('jena_climate'\)")
def _(ctx: Context) -> object:
    from utils.timeseries import load_jena_csv

    return load_jena_csv(ctx.tmp / "jena_climate_2009_2016.csv")


@case("timeseries", "csv that is not the Jena record", ValueError,
      r"weather\.csv does not have the Jena climate header")
def _(ctx: Context) -> object:
    from utils.timeseries import load_jena_csv

    (ctx.tmp / "weather.csv").write_text("day,temp\n1,2\n")
    return load_jena_csv(ctx.tmp / "weather.csv")


@case("text_data", "IMDB folder without its files", FileNotFoundError,
      r"lacks .*imdb.*; get the IMDB files with utils\.downloads\.fetch\('imdb'\)")
def _(ctx: Context) -> object:
    from utils.text_data import load_imdb_npz

    return load_imdb_npz(ctx.tmp)


@case("video_io", "empty (0-byte) video file", ValueError, r"video file '.*empty\.avi' is empty \(0 bytes\)")
def _(ctx: Context) -> object:
    from utils.video_io import read_video

    (ctx.tmp / "empty.avi").write_bytes(b"")
    return read_video(ctx.tmp / "empty.avi")


@case("video_io", "unreadable (garbage) video file", ValueError, r"'.*garbage\.avi'")  # the message names the file
def _(ctx: Context) -> object:
    from utils.video_io import read_video

    (ctx.tmp / "garbage.avi").write_bytes(b"this is not a video" * 50)
    return read_video(ctx.tmp / "garbage.avi")


@case("video_io", "video file that does not exist", ValueError, r"video file '.*missing\.avi' does not exist")
def _(ctx: Context) -> object:
    from utils.video_io import read_video

    return read_video(ctx.tmp / "missing.avi")


@case("video_io", "video folder with no classes", ValueError,
      r"no classes found in '.*videos': expected one sub-folder per class holding video files")
def _(ctx: Context) -> object:
    from utils.video_io import find_videos

    (ctx.tmp / "videos").mkdir()
    (ctx.tmp / "videos" / "loose.avi").write_bytes(b"x")
    return find_videos(ctx.tmp / "videos")


@case("video_io", "video folder that does not exist", ValueError,
      r"video folder '.*nowhere' does not exist or is not a folder")
def _(ctx: Context) -> object:
    from utils.video_io import find_videos

    return find_videos(ctx.tmp / "nowhere")


@case("video_io", "folder loader told to fail on an unreadable clip", ValueError,
      r"video file '.*Run/broken\.avi' is empty \(0 bytes\)")
def _(ctx: Context) -> object:
    from utils.video_io import ClipSettings, load_video_folder

    _write_clip(ctx.tmp / "clips" / "Walk" / "good.avi")
    (ctx.tmp / "clips" / "Run").mkdir()
    (ctx.tmp / "clips" / "Run" / "broken.avi").write_bytes(b"")
    return load_video_folder(ctx.tmp / "clips", ClipSettings(frames=2, height=8, width=8), on_error="raise")


@case("video_io", "folder whose every clip is unreadable", ValueError,
      r"none of the 2 clips in '.*clips' could be decoded; first: ")
def _(ctx: Context) -> object:
    from utils.video_io import ClipSettings, load_video_folder

    for name in ("Run/a.avi", "Walk/b.avi"):
        (ctx.tmp / "clips" / name).parent.mkdir(parents=True, exist_ok=True)
        (ctx.tmp / "clips" / name).write_bytes(b"")
    return load_video_folder(ctx.tmp / "clips", ClipSettings(frames=2, height=8, width=8))


@case("video_io", "unknown on_error choice", ValueError, r"on_error must be 'raise' or 'skip', got 'ignore'")
def _(ctx: Context) -> object:
    from utils.video_io import ClipSettings, check_clips

    return check_clips([], ClipSettings(), on_error="ignore")


@case("video_io", "sampling frames from an empty clip", ValueError,
      r"need total >= 1 and frames >= 1, got total=0, frames=8")
def _(ctx: Context) -> object:
    from utils.video_io import sample_indices

    return sample_indices(0, 8)


@case("video_io", "clip settings with 0 frames", ValueError, r"ClipSettings\.frames must be a positive int, got 0")
def _(ctx: Context) -> object:
    from utils.video_io import ClipSettings

    return ClipSettings(frames=0)


@case("motion_video", "motion clips with one frame", ValueError,
      r"frames must be >= 2 \(motion needs at least two frames\), got 1")
def _(ctx: Context) -> object:
    from utils.motion_video import MotionVideoConfig, make_motion_videos

    return make_motion_videos(4, seed=0, config=MotionVideoConfig(frames=1))


@case("motion_video", "zero motion clips", ValueError, r"num_clips must be a positive int, got 0")
def _(ctx: Context) -> object:
    from utils.motion_video import make_motion_videos

    return make_motion_videos(0, seed=0)


@case("scenes", "scenes from 2-D digit images", ValueError,
      r"digits must be \(n, h, w\) or \(n, h, w, 1\) grey images, got shape \(8, 8\)")
def _(ctx: Context) -> object:
    from utils.scenes import compose_scenes

    return compose_scenes(np.zeros((8, 8)), np.zeros(8, np.int64), 2)


@case("scenes", "digit images outside [0, 1]", ValueError, r"digit images must hold values in \[0, 1\]")
def _(ctx: Context) -> object:
    from utils.scenes import compose_scenes

    return compose_scenes(np.full((3, 8, 8), 255.0), np.zeros(3, np.int64), 2)


@case("scenes", "boxes of different shapes", ValueError,
      r"boxes must share one shape ending in 4, got \(2, 4\) and \(3, 4\)")
def _(ctx: Context) -> object:
    from utils.scenes import box_iou

    return box_iou(np.zeros((2, 4)), np.zeros((3, 4)))


@case("scenes", "mask value outside the classes", ValueError, r"mask values must lie in 0\.\.2")
def _(ctx: Context) -> object:
    from utils.scenes import per_class_iou

    return per_class_iou(np.full((1, 4, 4), 5), np.zeros((1, 4, 4), np.int64), num_classes=3)


@case("plots", "frame strip of a single image", ValueError,
      r"clip must be \(frames, h, w\) or \(frames, h, w, c\), got shape \(8, 8\)")
def _(ctx: Context) -> object:
    return plots.show_frames(np.zeros((8, 8)))


@case("models", "unknown recurrent cell 'transformer'", ValueError, r"cell must be one of .*, got 'transformer'")
def _(ctx: Context) -> object:
    from utils.models import build_sequence_classifier

    return build_sequence_classifier(cell="transformer")


@case("models", "image CNN with no convolution widths", ValueError,
      r"filters must name at least one convolution width")
def _(ctx: Context) -> object:
    from utils.models import build_image_cnn

    return build_image_cnn(filters=())


@case("video_models", "pretrained encoder on frames that are too small", ValueError,
      r"frames must be at least \d+ x \d+ for MobileNetV2, got 16 x 16; resize clips larger")
def _(ctx: Context) -> object:
    from utils.video_models import pretrained_frame_encoder

    return pretrained_frame_encoder(16, 16, weights=None)


@case("text_data", "IMDB word index that is a list, not a table", ValueError,
      r"imdb_word_index\.json is not a word -> integer rank JSON object")
def _(ctx: Context) -> object:
    from utils.text_data import load_imdb_word_index

    np.savez(ctx.tmp / "imdb.npz", x_train=np.zeros(1))
    (ctx.tmp / "imdb_word_index.json").write_text('["the", "a"]')
    return load_imdb_word_index(ctx.tmp)


@case("text_data", "vocabulary smaller than the reserved indices", ValueError,
      r"num_words must exceed index_from=3, got 2")
def _(ctx: Context) -> object:
    from utils.text_data import load_imdb_npz

    return load_imdb_npz(ctx.tmp, num_words=2)


@case("interactive", "COURSE_STATIC_WIDGETS=maybe", ValueError,
      r"COURSE_STATIC_WIDGETS='maybe' is not understood; use 1 \(static figures\) or 0 \(interactive widgets\)\.")
def _(ctx: Context) -> object:
    from utils.interactive import widgets_enabled

    ctx.monkeypatch.setenv("COURSE_STATIC_WIDGETS", "maybe")
    return widgets_enabled()


@case("interactive", "clip with no frames", ValueError,
      r"clip must be a non-empty \(frames, h, w\) or \(frames, h, w, c\) array, got shape \(0, 8, 8, 3\)")
def _(ctx: Context) -> object:
    from utils.interactive import play_clip

    return play_clip(np.zeros((0, 8, 8, 3)))


@case("interactive", "clip with 2 colour channels", ValueError,
      r"clip frames need 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\) channels, got shape \(4, 8, 8, 2\)")
def _(ctx: Context) -> object:
    from utils.interactive import play_clip

    return play_clip(np.zeros((4, 8, 8, 2)))


@case("benchmark", "unknown precision 'float64'", ValueError,
      r"unknown configuration 'float64': use a precision from .*, optionally with '\+xla'")
def _(ctx: Context) -> object:
    from utils.benchmark import parse_config

    return parse_config("float64")


@case("distribute", "per-replica batch of 0", ValueError, r"per_replica_batch must be a positive integer, got 0")
def _(ctx: Context) -> object:
    from utils.distribute import scaled_hyperparameters

    return scaled_hyperparameters(0, 0.1, 2)


@case("distribute", "cluster with the same worker twice", ValueError,
      r"worker addresses must be distinct, got \['localhost:1', 'localhost:1'\]")
def _(ctx: Context) -> object:
    from utils.distribute import tf_config

    return tf_config(["localhost:1", "localhost:1"], 0)


def test_folder_loader_can_skip_and_report_unreadable_clips(tmp_path: Path) -> None:
    """The other choice of a folder loader: keep the good clips and name every bad one."""
    from utils.video_io import ClipSettings, load_video_folder

    for name in ("Walk/v_Walk_g01_c01.avi", "Walk/v_Walk_g02_c01.avi", "Run/v_Run_g01_c01.avi",
                 "Run/v_Run_g02_c01.avi"):
        _write_clip(tmp_path / "clips" / name)
    (tmp_path / "clips" / "Run" / "v_Run_g03_c01.avi").write_bytes(b"")
    (tmp_path / "clips" / "Walk" / "v_Walk_g03_c01.avi").write_bytes(b"not a video" * 20)
    folder = load_video_folder(tmp_path / "clips", ClipSettings(frames=2, height=8, width=8), on_error="skip",
                               fractions=(0.5, 0.25, 0.25))
    assert sorted(p.name for p, _ in folder.failures) == ["v_Run_g03_c01.avi", "v_Walk_g03_c01.avi"]
    reasons = dict((p.name, reason) for p, reason in folder.failures)
    assert "is empty (0 bytes)" in reasons["v_Run_g03_c01.avi"]
    assert "v_Walk_g03_c01.avi" in reasons["v_Walk_g03_c01.avi"]
    assert len(folder.paths) == 4 and folder.class_names == ("Run", "Walk")


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("bad", CASES, ids=[f"{c.area}: {c.description}" for c in CASES])
def test_bad_input_gives_a_clear_error(bad: BadInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    try:
        with pytest.raises(bad.error, match=bad.match):
            bad.call(Context(tmp_path, monkeypatch))
    finally:
        plt.close("all")


def test_enough_distinct_bad_inputs_are_covered() -> None:
    assert len({(c.area, c.description) for c in CASES}) == len(CASES) >= 20
    assert len({c.area for c in CASES}) >= 6


def _messages() -> list[tuple[str, str, str, str]]:
    """(area, bad input, exception, message) for every case, as the closing report lists them."""
    import tempfile

    rows = []
    for bad in CASES:
        with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as monkeypatch:
            try:
                bad.call(Context(Path(tmp), monkeypatch))
                outcome, message = "no error", ""
            except Exception as exc:  # report whatever happened
                outcome, message = type(exc).__name__, " ".join(str(exc).split())
                message = message.replace(tmp, "<tmp>")
        rows.append((bad.area, bad.description, outcome, message))
    return rows


if __name__ == "__main__":
    for area, description, outcome, message in _messages():
        print(f"| {area} | {description} | {outcome} | {message} |")
