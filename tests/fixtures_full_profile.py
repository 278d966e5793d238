"""Small, format-faithful stand-ins for every file of ``data/manifest.toml``, served from 127.0.0.1.

Each generator writes the files of one manifest entry, under the manifest's file names, in the upstream
layout and encoding (Keras' ``mnist.npz``, idx ``.gz`` files, a tarball of CIFAR pickles, ``imdb.npz`` with its
word index, the Jena zip with its real header, UCF101 ``.avi`` clips, Speech Commands ``.wav`` files, Keras'
legacy ``.h5`` weights), including the awkward variants real files have: a ``__MACOSX/`` entry in a zip, an
uncompressed tar named ``.tar.gz``, a label-sorted IMDB file. Nothing here is committed: the files are
generated in a temporary folder. :func:`write_override` points ``$COURSE_MANIFEST_OVERRIDE`` at them.
Used by ``test_downloads.py``, ``test_images.py``, ``test_text_data.py`` and ``test_full_profile.py``.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import http.server
import io
import json
import pickle
import struct
import tarfile
import threading
import wave
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

import numpy as np

SEED = 0
CLASSES_UCF = ("CricketShot", "PlayingCello", "Punch", "ShavingBeard", "TennisSwing")  # keras.io's top 5
SPEECH_WORDS = ("backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four", "go",
                "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right", "seven",
                "sheila", "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero")
MINI_WORDS = ("down", "go", "left", "no", "right", "stop", "up", "yes")
JENA_HEADER = ("Date Time", "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
               "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)",
               "max. wv (m/s)", "wd (deg)")


# ---------------------------------------------------------------- small helpers

def digit_images(n: int, size: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``n`` real handwritten digits (scikit-learn's scans) resized to ``size`` x ``size``, as uint8 0-255."""
    from sklearn.datasets import load_digits

    from utils.images import resize_bilinear

    digits = load_digits()
    pick = np.random.default_rng(seed).choice(len(digits.images), size=n, replace=n > len(digits.images))
    images = resize_bilinear((digits.images[pick] / 16.0).astype(np.float32), size)
    return np.clip(images * 255, 0, 255).astype(np.uint8), digits.target[pick].astype(np.uint8)


def tar_bytes(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono PCM, as Speech Commands and the Free Spoken Digit Dataset store their clips."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def _word_clip(word_index: int, rate: int, seconds: float, rng: np.random.Generator) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    pitch = 200 + 40 * word_index
    return wav_bytes(0.4 * np.sin(2 * np.pi * pitch * t) * np.hanning(t.size) + 0.02 * rng.normal(size=t.size), rate)


# ---------------------------------------------------------------- one generator per manifest entry

def mnist(folder: Path, n_train: int = 600, n_test: int = 200) -> None:
    x_train, y_train = digit_images(n_train, 28, SEED)
    x_test, y_test = digit_images(n_test, 28, SEED + 1)
    np.savez_compressed(folder / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def idx_gz(array: np.ndarray) -> bytes:
    """An idx file (magic 0x0000, type 0x08 = unsigned byte, ndim; big-endian sizes; data), gzipped."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def fashion_mnist(folder: Path, n_train: int = 600, n_test: int = 200) -> None:
    x_train, y_train = digit_images(n_train, 28, SEED + 2)
    x_test, y_test = digit_images(n_test, 28, SEED + 3)
    for name, array in (("train-images-idx3-ubyte.gz", x_train), ("train-labels-idx1-ubyte.gz", y_train),
                        ("t10k-images-idx3-ubyte.gz", x_test), ("t10k-labels-idx1-ubyte.gz", y_test)):
        (folder / name).write_bytes(idx_gz(array))


class Python2Pickler(pickle._Pickler):
    """Protocol 2 with byte strings written as Python 2 ``str`` (BINSTRING), as the CIFAR-10 batches were pickled.

    Python 3 would write bytes through ``_codecs.encode``, which Keras' restricted unpickler rightly refuses.
    """

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)  # type: ignore[attr-defined]

    def save_python2_str(self, obj: bytes) -> None:
        head = pickle.SHORT_BINSTRING + bytes([len(obj)]) if len(obj) < 256 else \
            pickle.BINSTRING + struct.pack("<i", len(obj))
        self.write(head + obj)  # type: ignore[attr-defined]
        self.memoize(obj)  # type: ignore[attr-defined]

    dispatch[bytes] = save_python2_str


def cifar_batch(images: np.ndarray, labels: np.ndarray, label: str) -> bytes:
    """One CIFAR-10 python batch: a Python 2 pickle of a dict with byte-string keys, rows R then G then B."""
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3 * 32 * 32)
    buffer = io.BytesIO()
    Python2Pickler(buffer, protocol=2).dump({
        b"batch_label": label.encode(), b"labels": labels.astype(int).tolist(), b"data": rows,
        b"filenames": [f"img_{i:05d}.png".encode() for i in range(len(images))]})
    return buffer.getvalue()


def cifar10(folder: Path, per_batch: int = 120, n_test: int = 200) -> None:
    members = {}
    for batch in range(6):
        grey, labels = digit_images(n_test if batch == 5 else per_batch, 32, SEED + 10 + batch)
        tint = np.stack([1.0 - labels / 20, 0.5 + labels / 20, np.full(len(labels), 0.8)], axis=1)
        images = (grey[..., None] * tint[:, None, None, :]).astype(np.uint8)
        name = "test_batch" if batch == 5 else f"data_batch_{batch + 1}"
        members[f"cifar-10-batches-py/{name}"] = cifar_batch(images, labels, name.replace("_", " "))
    meta = io.BytesIO()
    Python2Pickler(meta, protocol=2).dump({b"label_names": [b"airplane", b"automobile", b"bird", b"cat", b"deer",
                                                            b"dog", b"frog", b"horse", b"ship", b"truck"]})
    members["cifar-10-batches-py/batches.meta"] = meta.getvalue()
    members["cifar-10-batches-py/readme.html"] = b"<meta http-equiv='refresh' content='0;url=...'>\n"
    (folder / "cifar-10-python.tar.gz").write_bytes(tar_bytes(members))


IMDB_WORDS = ("the", "a", "and", "of", "to", "is", "film", "movie", "this", "it", "was", "story", "acting",
              "plot", "great", "wonderful", "loved", "best", "superb", "bad", "awful", "boring", "worst", "waste")


def imdb(folder: Path, n_train: int = 400, n_test: int = 200) -> None:
    """Reviews as word ranks in object arrays (as Keras stores them), label-sorted like the awkward real case."""
    rng = np.random.default_rng(SEED)
    ranks = {word: rank for rank, word in enumerate(IMDB_WORDS, start=1)}

    def reviews(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.repeat([0, 1], [n // 2, n - n // 2])  # sorted by label
        rows = np.empty(n, dtype=object)
        for i, label in enumerate(labels):
            mood = IMDB_WORDS[14:19] if label else IMDB_WORDS[19:]
            words = rng.choice(IMDB_WORDS[:14], size=rng.integers(15, 40)).tolist() + rng.choice(mood, 3).tolist()
            rows[i] = [ranks[w] for w in rng.permutation(words)]
        return rows, labels.astype(np.int64)

    (x_train, y_train), (x_test, y_test) = reviews(n_train), reviews(n_test)
    np.savez(folder / "imdb.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    (folder / "imdb_word_index.json").write_text(json.dumps(ranks), encoding="utf-8")


def jena_csv(days: int = 60) -> bytes:
    """The upstream csv: quoted header, one row every 10 minutes, day-first timestamps."""
    rng = np.random.default_rng(SEED)
    steps = np.arange(1, days * 144 + 1)
    hours = steps / 6
    temperature = 5 - 8 * np.cos(2 * np.pi * hours / 24) + np.cumsum(rng.normal(0, 0.05, steps.size))
    lines = [",".join(f'"{c}"' for c in JENA_HEADER)]
    start = datetime.datetime(2009, 1, 1)
    for step, temp in zip(steps, temperature, strict=True):
        stamp = (start + datetime.timedelta(minutes=10 * int(step))).strftime("%d.%m.%Y %H:%M:%S")
        lines.append(f"{stamp},996.52,{temp:.2f},265.40,-8.90,93.30,3.33,3.11,0.22,1.94,3.12,1307.75,1.03,1.75,152.30")
    return ("\n".join(lines) + "\n").encode()


def jena_climate(folder: Path, days: int = 60) -> None:
    members = {"jena_climate_2009_2016.csv": jena_csv(days),
               "__MACOSX/._jena_climate_2009_2016.csv": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "}
    (folder / "jena_climate_2009_2016.csv.zip").write_bytes(zip_bytes(members))


def avi_bytes(frames: np.ndarray, path: Path) -> bytes:
    """An MPEG-4 .avi clip written with PyAV (the decoder the course uses)."""
    import av

    with av.open(str(path), "w", format="avi") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    return path.read_bytes()


def ucf101_subset(folder: Path, groups: int = 4, clips: int = 2, frames: int = 20, compressed: bool = False) -> None:
    """UCF101 top-5 layout: ``train/`` and ``test/`` clips named ``v_Action_gNN_cNN.avi`` plus csv lists.

    ``compressed=False`` writes the awkward variant: an uncompressed tar under the name ``.tar.gz``.
    """
    rng = np.random.default_rng(SEED)
    members, lists = {}, {"train": ["video_name,tag"], "test": ["video_name,tag"]}
    scratch = folder / ".clip.avi"
    for label, action in enumerate(CLASSES_UCF):
        for group in range(1, groups + 1):
            split = "test" if group <= max(1, groups // 4) else "train"
            for clip in range(1, clips + 1):
                video = np.zeros((frames, 48, 64, 3), np.uint8)
                start = rng.integers(0, 20)
                for t in range(frames):  # a bright square moving in a class-specific direction
                    y, x = (10 + (t * (label - 2)) // 2) % 36, (start + t * (label + 1)) % 52
                    video[t, y:y + 12, x:x + 12] = (200, 60 + 30 * label, 40)
                name = f"v_{action}_g{group:02d}_c{clip:02d}.avi"
                members[f"{split}/{name}"] = avi_bytes(video, scratch)
                lists[split].append(f"{name},{action}")
    scratch.unlink()
    for split, rows in lists.items():
        members[f"{split}.csv"] = ("\n".join(rows) + "\n").encode()
    (folder / "ucf101_top5.tar.gz").write_bytes(tar_bytes(members, "w:gz" if compressed else "w"))


def mini_speech_commands(folder: Path, per_word: int = 4) -> None:
    rng = np.random.default_rng(SEED)
    members = {"mini_speech_commands/README.md": b"Speech Commands excerpt for the TensorFlow audio tutorial.\n"}
    for index, word in enumerate(MINI_WORDS):
        for i in range(per_word):
            members[f"mini_speech_commands/{word}/{i:08x}_nohash_0.wav"] = _word_clip(index, 16_000, 1.0, rng)
    members["__MACOSX/mini_speech_commands/._README.md"] = b"\x00\x05\x16\x07Mac OS X"
    (folder / "mini_speech_commands.zip").write_bytes(zip_bytes(members))


def speech_commands(folder: Path, per_word: int = 3) -> None:
    """Speech Commands v0.02: one folder per word (no top folder), background noise, validation/test lists."""
    rng = np.random.default_rng(SEED)
    members, validation, testing = {}, [], []
    for index, word in enumerate(SPEECH_WORDS):
        for i in range(per_word):
            name = f"{word}/{i:08x}_nohash_0.wav"  # speaker i says every word, as real speakers do
            members[name] = _word_clip(index, 16_000, 1.0, rng)
            (validation if i == 1 else testing if i == 2 else []).append(name)
    members["_background_noise_/white_noise.wav"] = wav_bytes(0.1 * rng.normal(size=16_000 * 3), 16_000)
    members["validation_list.txt"] = ("\n".join(validation) + "\n").encode()
    members["testing_list.txt"] = ("\n".join(testing) + "\n").encode()
    members["LICENSE"] = b"Creative Commons Attribution 4.0 International\n"
    members["README.md"] = b"# Speech Commands Data Set v0.02\n"
    (folder / "speech_commands_v0.02.tar.gz").write_bytes(tar_bytes(members))


def free_spoken_digits(folder: Path, per_speaker: int = 2) -> None:
    rng = np.random.default_rng(SEED)
    root = "free-spoken-digit-dataset-1.0.9"
    members = {f"{root}/README.md": b"# Free Spoken Digit Dataset (FSDD)\n"}
    for digit in range(10):
        for speaker in ("george", "jackson", "lucas", "nicolas", "theo", "yweweler"):
            for i in range(per_speaker):
                seconds = rng.uniform(0.3, 0.7)
                members[f"{root}/recordings/{digit}_{speaker}_{i}.wav"] = _word_clip(digit, 8_000, seconds, rng)
    (folder / "free-spoken-digit-dataset.tar.gz").write_bytes(tar_bytes(members))


def mobilenet_v2_imagenet(folder: Path) -> None:
    """Keras' legacy ``.h5`` weight layout for MobileNetV2 (alpha 1.0, 128 x 128, no top), randomly initialised."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format  # the writer of the format Keras' weight files use

    with keras.device("cpu"):
        model = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(128, 128, 3))
    with h5py.File(folder / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_128_no_top.h5", "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)


GENERATORS: dict[str, Callable[[Path], None]] = {
    "mnist": mnist, "fashion_mnist": fashion_mnist, "cifar10": cifar10, "imdb": imdb, "jena_climate": jena_climate,
    "ucf101_subset": ucf101_subset, "mini_speech_commands": mini_speech_commands, "speech_commands": speech_commands,
    "free_spoken_digits": free_spoken_digits, "mobilenet_v2_imagenet": mobilenet_v2_imagenet,
}


def build(folder: Path, names: Iterable[str] | None = None) -> Path:
    """Write the fixture files of ``names`` (default: every data set) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or GENERATORS:
        GENERATORS[name](folder)
    return folder


# ---------------------------------------------------------------- serving them, and pointing the course at them

class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files``; ``server.modes[name]`` makes one file misbehave: 404, corrupt or truncate."""

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        self.server.requests.append(name)  # type: ignore[attr-defined]
        path = self.server.root / name  # type: ignore[attr-defined]
        mode = self.server.modes.get(name, "ok")  # type: ignore[attr-defined]
        if mode == "404" or "/" in name or not path.is_file():
            self.send_error(404, "Not Found")
            return
        data = path.read_bytes()
        if mode == "corrupt":  # same length, one byte flipped
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if mode == "truncate" else data)  # truncate: announce all, send half

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


class FileServer:
    """A tiny HTTP server on 127.0.0.1 (a free port) serving the files of one folder, in a thread."""

    def __init__(self, root: Path) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.root, self.httpd.modes, self.httpd.requests = Path(root), {}, []  # type: ignore[attr-defined]
        self.modes: dict[str, str] = self.httpd.modes  # type: ignore[attr-defined]
        self.requests: list[str] = self.httpd.requests  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> FileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_override(path: Path, server: FileServer, names: Iterable[str] | None = None) -> Path:
    """A ``$COURSE_MANIFEST_OVERRIDE`` file pointing ``names`` at ``server``'s copies.

    Files the manifest pins get the fixture's sha256; unverified ones keep their unverified status (URL and
    size only), so the smoke run goes through the same checks, and warnings, as a learner's download.
    """
    from utils.downloads import load_manifest

    manifest = load_manifest()
    override: dict[str, dict[str, dict]] = {}
    for name in names or GENERATORS:
        for remote in manifest[name].files:
            served = server.httpd.root / remote.name  # type: ignore[attr-defined]
            entry = {"urls": [server.url(remote.name)], "size": served.stat().st_size}
            if remote.sha256:
                entry["sha256"] = sha256(served)
            elif remote.md5:
                entry["md5"] = hashlib.md5(served.read_bytes(), usedforsecurity=False).hexdigest()
            override.setdefault(name, {})[remote.name] = entry
    path.write_text(json.dumps(override, indent=1), encoding="utf-8")
    return path
