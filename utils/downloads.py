"""The data sets of the ``full`` profile: one manifest, verified downloads that recover, safe extraction.

Every notebook that reads a benchmark data set gets it with ``folder = fetch("mnist")``. What
``fetch`` promises:

* every file is checked against the sha256 (and size) recorded in :data:`MANIFEST` before it is
  used; a truncated or corrupt cached copy is reported and downloaded again;
* a download goes to a temporary file in the same folder and is renamed only once it is
  complete and verified, so an interrupted download never leaves a file that looks finished;
* a server that is down gives an error naming the data set, every URL tried and the cache path,
  and telling an offline learner where to put the file by hand (``fetch`` verifies it there);
* archives are extracted once (a marker file remembers it), never writing outside their folder:
  absolute paths, ``..``, links pointing out and device files are refused.

A file whose upstream publishes no sha256 is marked so in the manifest (``sha256=None`` with the
reason); ``fetch`` then checks what it can (size, a published md5) and warns loudly every time.
Run ``python -m utils.downloads --help`` to list, pre-fetch or locate the data sets.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import stat
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from utils.settings import DATA_DIR_ENV
from utils.settings import data_dir as default_data_dir

USER_AGENT = "cnn-rnn-course/1.0 (Python urllib; https://github.com)"
TIMEOUT_SECONDS = 60
"""Seconds without any data from the server before a download attempt is given up."""
CHUNK_BYTES = 1 << 20
MARKER_PREFIX = ".extracted-"
MAX_EXPANSION = 100
"""An archive may unpack to at most this many times its own size (the course's archives: 1-4x)."""
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz", ".zip")
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_MD5_RE = re.compile(r"[0-9a-f]{32}")


class DownloadError(ConnectionError):
    """No URL of a file delivered a verified copy (server down, offline, or wrong bytes)."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the extraction folder, or is a device file."""


class CorruptCacheWarning(UserWarning):
    """A cached file failed verification and is being downloaded again."""


class UnverifiedDataWarning(UserWarning):
    """A file was used without a sha256 check because upstream publishes none."""


# ----------------------------------------------------------------------------------------------
# The manifest
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set: where to get it and how to check it.

    ``sha256`` is the published checksum and ``sha256_source`` says where it was published. When
    no trustworthy sha256 exists, ``sha256`` is ``None`` and ``unverified_reason`` says why;
    ``size`` (bytes) and ``md5`` are then checked where known.
    """

    filename: str
    urls: tuple[str, ...]
    sha256: str | None
    size: int | None
    sha256_source: str | None = None
    unverified_reason: str | None = None
    md5: str | None = None
    extract: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.urls, str):
            raise ValueError(f"{self.filename!r}: urls must be a tuple of URLs, not one string {self.urls!r}")
        object.__setattr__(self, "urls", tuple(self.urls))
        validate_remote_file(self)

    @property
    def verified_upstream(self) -> bool:
        """True when a published sha256 protects this file."""
        return self.sha256 is not None


@dataclass(frozen=True)
class DataSource:
    """One downloadable data set: its files, licence and citation. Cached in ``<data dir>/<name>/``."""

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    licence: str
    citation: str
    homepage: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", tuple(self.files))
        validate_data_source(self)

    @property
    def cache_path(self) -> str:
        """The cache folder relative to the data folder (``data/`` or ``$COURSE_DATA_DIR``)."""
        return f"{self.name}/"

    @property
    def verified_upstream(self) -> bool:
        return all(f.verified_upstream for f in self.files)

    @property
    def total_size(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)


def _is_http_url(url: object) -> bool:
    return isinstance(url, str) and re.fullmatch(r"https?://[^\s/]+/\S*", url) is not None


def validate_remote_file(remote: RemoteFile) -> None:
    """Raise ``ValueError`` naming the field when a manifest file entry is malformed."""
    name = remote.filename
    if not isinstance(name, str) or not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise ValueError(f"manifest file name must be a plain file name (no folders), got {name!r}")
    if name.startswith(".") or "\x00" in name:
        raise ValueError(f"manifest file name {name!r} must not be hidden or contain NUL")
    if not remote.urls:
        raise ValueError(f"{name!r}: at least one URL is needed")
    bad = [u for u in remote.urls if not _is_http_url(u)]
    if bad:
        raise ValueError(f"{name!r}: URLs must start with http:// or https://, got {bad}")
    if len(set(remote.urls)) != len(remote.urls):
        raise ValueError(f"{name!r}: the same URL is listed twice in {list(remote.urls)}")
    if remote.sha256 is not None:
        if not isinstance(remote.sha256, str) or not _SHA256_RE.fullmatch(remote.sha256):
            raise ValueError(f"{name!r}: sha256 must be 64 lower-case hex digits, got {remote.sha256!r}")
        if not remote.sha256_source:
            raise ValueError(f"{name!r}: say where the sha256 was published (sha256_source)")
    elif not remote.unverified_reason:
        raise ValueError(
            f"{name!r}: sha256 is None, so unverified_reason must say why no published checksum exists"
        )
    if remote.size is not None and (isinstance(remote.size, bool) or not isinstance(remote.size, int)
                                    or remote.size <= 0):
        raise ValueError(f"{name!r}: size must be a positive number of bytes or None, got {remote.size!r}")
    if remote.md5 is not None and (not isinstance(remote.md5, str) or not _MD5_RE.fullmatch(remote.md5)):
        raise ValueError(f"{name!r}: md5 must be 32 lower-case hex digits, got {remote.md5!r}")
    if not isinstance(remote.extract, bool):
        raise ValueError(f"{name!r}: extract must be True or False, got {remote.extract!r}")
    if remote.extract and not name.lower().endswith(ARCHIVE_SUFFIXES):
        raise ValueError(f"{name!r}: extract=True needs an archive ({', '.join(ARCHIVE_SUFFIXES)})")


def validate_data_source(source: DataSource) -> None:
    """Raise ``ValueError`` naming the field when a manifest entry is malformed."""
    if not isinstance(source.name, str) or not _NAME_RE.fullmatch(source.name):
        raise ValueError(f"data set name must be lower-case letters, digits and '_', got {source.name!r}")
    if not source.files:
        raise ValueError(f"data set {source.name!r} lists no files; give it at least one RemoteFile")
    for remote in source.files:
        if not isinstance(remote, RemoteFile):
            raise ValueError(f"data set {source.name!r}: files must be RemoteFile entries, got {remote!r}")
    names = [f.filename for f in source.files]
    if len(set(names)) != len(names):
        raise ValueError(f"data set {source.name!r} lists a file twice: {names}")
    for field_name in ("title", "licence", "citation"):
        if not isinstance(getattr(source, field_name), str) or not getattr(source, field_name).strip():
            raise ValueError(f"data set {source.name!r} needs a {field_name}")
    if not _is_http_url(source.homepage):
        raise ValueError(f"data set {source.name!r}: homepage must be an http(s) URL, got {source.homepage!r}")


def validate_manifest(manifest: Mapping[str, DataSource]) -> None:
    """Every key must be the name of the :class:`DataSource` it maps to."""
    if not isinstance(manifest, Mapping) or not manifest:
        raise ValueError("the manifest must be a non-empty mapping of name -> DataSource")
    for key, source in manifest.items():
        if not isinstance(source, DataSource):
            raise ValueError(f"manifest entry {key!r} must be a DataSource, got {type(source).__name__}")
        if key != source.name:
            raise ValueError(f"manifest key {key!r} differs from the data set's name {source.name!r}; "
                             "key every entry by its own name")


_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_ZALANDO_MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_FASHION_SHA = "keras-team/keras, keras/src/datasets/fashion_mnist.py (FILE_HASHES)"


def _fashion(filename: str, sha256: str, size: int) -> RemoteFile:
    return RemoteFile(filename, (_KERAS_DATASETS + filename, _ZALANDO_MIRROR + filename), sha256, size,
                      sha256_source=_FASHION_SHA)


MANIFEST: dict[str, DataSource] = {source.name: source for source in (
    DataSource(
        name="mnist",
        title="MNIST handwritten digits (Keras npz: 60k train, 10k test, 28x28 grey)",
        files=(RemoteFile(
            "mnist.npz", (_KERAS_DATASETS + "mnist.npz",),
            "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1", 11_490_434,
            sha256_source="keras-team/keras, keras/src/datasets/mnist.py (file_hash)"),),
        licence="CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        citation="LeCun, Bottou, Bengio, Haffner (1998), Gradient-based learning applied to document "
                 "recognition, Proc. IEEE 86(11)",
        homepage="http://yann.lecun.com/exdb/mnist/",
    ),
    DataSource(
        name="fashion_mnist",
        title="Fashion-MNIST clothing images (four idx .gz files: 60k train, 10k test, 28x28 grey)",
        files=(
            _fashion("train-images-idx3-ubyte.gz",
                     "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26_421_880),
            _fashion("train-labels-idx1-ubyte.gz",
                     "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29_515),
            _fashion("t10k-images-idx3-ubyte.gz",
                     "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4_422_102),
            _fashion("t10k-labels-idx1-ubyte.gz",
                     "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5_148),
        ),
        licence="MIT (Zalando SE)",
        citation="Xiao, Rasul, Vollgraf (2017), Fashion-MNIST: a novel image dataset for benchmarking "
                 "machine learning algorithms, arXiv:1708.07747",
        homepage="https://github.com/zalandoresearch/fashion-mnist",
    ),
    DataSource(
        name="cifar10",
        title="CIFAR-10 colour images (python pickle batches: 50k train, 10k test, 32x32x3)",
        files=(RemoteFile(
            "cifar-10-python.tar.gz", ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce", 170_498_071,
            sha256_source="keras-team/keras, keras/src/datasets/cifar10.py (file_hash)", extract=True),),
        licence="no licence stated by the authors; free to use with the citation",
        citation="Krizhevsky (2009), Learning multiple layers of features from tiny images, "
                 "tech. report, University of Toronto",
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    ),
    DataSource(
        name="imdb",
        title="IMDB movie-review sentiment (Keras npz of word-index sequences + word index json)",
        files=(
            RemoteFile("imdb.npz", (_KERAS_DATASETS + "imdb.npz",),
                       "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f", 17_464_789,
                       sha256_source="keras-team/keras, keras/src/datasets/imdb.py (file_hash)"),
            RemoteFile("imdb_word_index.json", (_KERAS_DATASETS + "imdb_word_index.json",),
                       None, 1_641_221, md5="bfafd718b763782e994055a2d397834f",
                       unverified_reason="Keras publishes only an md5 for this file "
                                         "(keras/src/datasets/imdb.py); its md5 and size are checked"),
        ),
        licence="no licence stated; research use (reviews from IMDb)",
        citation="Maas, Daly, Pham, Huang, Ng, Potts (2011), Learning word vectors for sentiment "
                 "analysis, ACL",
        homepage="https://ai.stanford.edu/~amaas/data/sentiment/",
    ),
    DataSource(
        name="jena_climate",
        title="Jena climate 2009-2016 (14 weather variables every 10 minutes; one csv in a zip)",
        files=(RemoteFile(
            "jena_climate_2009_2016.csv.zip", (_KERAS_DATASETS + "jena_climate_2009_2016.csv.zip",),
            None, 13_568_290, extract=True,
            unverified_reason="no sha256 is published (Keras and TensorFlow tutorials download it "
                              "without a hash); only its size is checked"),),
        licence="no licence stated; data of the Max Planck Institute for Biogeochemistry, Jena",
        citation="Weather station of the MPI for Biogeochemistry, Jena; 2009-2016 extract prepared by "
                 "F. Chollet for Deep Learning with Python",
        homepage="https://www.bgc-jena.mpg.de/wetter/",
    ),
    DataSource(
        name="ucf101_subset",
        title="UCF101 top-5 action classes (train/ and test/ folders of .avi clips + csv lists)",
        files=(RemoteFile(
            "ucf101_top5.tar.gz",
            ("https://github.com/sayakpaul/Action-Recognition-in-TensorFlow/releases/download/v1.0.0/"
             "ucf101_top5.tar.gz",
             "https://storage.googleapis.com/demo-experiments/ucf101_top5.tar.gz"),
            None, None, extract=True,
            unverified_reason="neither the keras.io example nor its author publishes a checksum or size "
                              "for this subset; nothing but the archive's own integrity can be checked"),),
        licence="no licence stated; research use (clips from YouTube)",
        citation="Soomro, Zamir, Shah (2012), UCF101: a dataset of 101 human actions classes from videos "
                 "in the wild, arXiv:1212.0402; top-5 subset by S. Paul for the keras.io example "
                 "'Video Classification with a CNN-RNN Architecture'",
        homepage="https://www.crcv.ucf.edu/data/UCF101.php",
    ),
)}
"""The one list of everything the course downloads. The README's data table is generated from it."""

validate_manifest(MANIFEST)


# ----------------------------------------------------------------------------------------------
# Verification
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """What was measured of a file's bytes."""

    size: int
    sha256: str
    md5: str


def digest_file(path: Path) -> Digest:
    """Size, sha256 and md5 of a file in one pass."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    return Digest(size, sha.hexdigest(), md5.hexdigest())


def verification_problem(digest: Digest, remote: RemoteFile) -> str | None:
    """Why ``digest`` does not match the manifest entry, or ``None`` when it does."""
    if remote.size is not None and digest.size != remote.size:
        hint = "truncated or incomplete" if digest.size < remote.size else "longer than expected"
        return f"it has {digest.size:,} bytes but should have {remote.size:,} ({hint})"
    if remote.sha256 is not None and digest.sha256 != remote.sha256:
        return f"its sha256 is {digest.sha256} but should be {remote.sha256} (corrupt or a different file)"
    if remote.md5 is not None and digest.md5 != remote.md5:
        return f"its md5 is {digest.md5} but should be {remote.md5} (corrupt or a different file)"
    return None


def _warn_unverified(source: DataSource, remote: RemoteFile, path: Path, digest: Digest) -> None:
    checked = ", ".join(w for w, v in (("size", remote.size), ("md5", remote.md5)) if v) or "nothing"
    warnings.warn(
        f"UNVERIFIED DATA: {source.name}/{remote.filename} has no published sha256 "
        f"({remote.unverified_reason}). Checked: {checked}. Your copy at {path} has sha256 {digest.sha256}; "
        "if it looks wrong, delete it and fetch again.",
        UnverifiedDataWarning, stacklevel=4,
    )


# ----------------------------------------------------------------------------------------------
# Downloading
# ----------------------------------------------------------------------------------------------


class _AttemptFailed(Exception):
    """One URL did not deliver a verified file; the message says why."""


def _describe_network_error(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        text = getattr(reason, "strerror", None) or str(reason)
        return f"server unreachable ({text})"
    if isinstance(exc, TimeoutError):
        return f"no data for {TIMEOUT_SECONDS} s (timed out)"
    return f"{type(exc).__name__}: {exc}"


def _human_size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1000:
        return f"{size} B"
    exponent = min(3, (len(str(size)) - 1) // 3)
    return f"{size / 1000**exponent:.1f} {('kB', 'MB', 'GB')[exponent - 1]}"


def _download_once(url: str, remote: RemoteFile, destination: Path) -> Digest:
    """Stream ``url`` into a temporary file beside ``destination``; rename it only once verified."""
    handle, temporary_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.",
                                              suffix=".part")
    temporary = Path(temporary_name)
    try:
        sha, md5, received = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with os.fdopen(handle, "wb") as out, urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                announced = response.headers.get("Content-Length")
                while chunk := response.read(CHUNK_BYTES):
                    out.write(chunk)
                    sha.update(chunk)
                    md5.update(chunk)
                    received += len(chunk)
                    if remote.size is not None and received > remote.size:
                        raise _AttemptFailed(f"the server sent more than the expected {remote.size:,} bytes")
                out.flush()
                os.fsync(out.fileno())
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
            raise _AttemptFailed(_describe_network_error(exc)) from exc
        if announced is not None and announced.isdigit() and received != int(announced):
            raise _AttemptFailed(f"the connection ended after {received:,} of {int(announced):,} bytes")
        digest = Digest(received, sha.hexdigest(), md5.hexdigest())
        problem = verification_problem(digest, remote)
        if problem:
            raise _AttemptFailed(f"the downloaded file failed verification: {problem}")
        os.replace(temporary, destination)  # atomic: the final name only ever holds a verified file
        return digest
    finally:
        temporary.unlink(missing_ok=True)


def offline_instructions(source: DataSource, remote: RemoteFile, path: Path) -> str:
    """What an offline learner does: fetch the file elsewhere and put it exactly here."""
    check = f"its sha256 ({remote.sha256})" if remote.sha256 else "its size" if remote.size else "it"
    return (
        f"If you are offline or the server is down: download {remote.filename} from one of the URLs above "
        f"on a machine with internet access and place it at {path} (or point {DATA_DIR_ENV} at a folder "
        f"holding {source.name}/{remote.filename}). fetch({source.name!r}) checks {check} before using it."
    )


def _download(source: DataSource, remote: RemoteFile, path: Path, cached_problem: str | None) -> Digest:
    failures: list[str] = []
    for url in remote.urls:
        print(f"Downloading {source.name}: {remote.filename} ({_human_size(remote.size)}) from {url}", flush=True)
        try:
            digest = _download_once(url, remote, path)
        except (_AttemptFailed, OSError) as exc:
            failures.append(f"  - {url}: {exc}")
            continue
        print(f"  done: {_human_size(digest.size)}, "
              f"{'sha256 verified' if remote.sha256 else 'NOT verified by sha256'} -> {path}", flush=True)
        return digest
    cached = f"\nThe cached copy at {path} is unusable: {cached_problem}." if cached_problem else ""
    raise DownloadError(
        f"Could not download data set {source.name!r} (file {remote.filename}). Tried:\n"
        + "\n".join(failures)
        + f"\nCache path: {path}{cached}\n"
        + offline_instructions(source, remote, path)
    )


def _ensure_file(source: DataSource, remote: RemoteFile, folder: Path) -> tuple[Digest, bool]:
    """A verified copy of ``remote`` in ``folder`` and whether it was just downloaded."""
    path = folder / remote.filename
    problem: str | None = None
    if path.is_file():
        digest = digest_file(path)
        problem = verification_problem(digest, remote)
        if problem is None:
            if not remote.verified_upstream:
                _warn_unverified(source, remote, path, digest)
            return digest, False
        warnings.warn(f"{source.name}: the cached file {path} is damaged: {problem}. Downloading it again.",
                      CorruptCacheWarning, stacklevel=3)
    elif path.exists():
        raise ValueError(f"{path} should be the file {remote.filename} of {source.name!r} but is a folder; "
                         "remove it and fetch again.")
    digest = _download(source, remote, path, problem)
    if not remote.verified_upstream:
        _warn_unverified(source, remote, path, digest)
    return digest, True


# ----------------------------------------------------------------------------------------------
# Safe extraction
# ----------------------------------------------------------------------------------------------


def safe_member_path(name: str) -> PurePosixPath:
    """The relative path an archive member may be written to, or ``UnsafeArchiveError``.

    Refuses absolute paths (``/x``, ``\\x``, ``C:x``), any ``..`` component, NUL bytes and names
    that are empty once ``.`` components are dropped. Backslashes count as separators.
    """
    if not isinstance(name, str) or not name:
        raise UnsafeArchiveError(f"archive member has an empty name: {name!r}")
    if "\x00" in name:
        raise UnsafeArchiveError(f"archive member name contains a NUL byte: {name!r}")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"[A-Za-z]:", unified):
        raise UnsafeArchiveError(f"archive member {name!r} has an absolute path; it would be written outside "
                                 "the target folder")
    parts = [part for part in unified.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"archive member {name!r} climbs out of the target folder with '..'")
    if not parts:
        raise UnsafeArchiveError(f"archive member {name!r} names no file")
    return PurePosixPath(*parts)


def check_link_target(member: str, target: str) -> PurePosixPath:
    """Where a symbolic link ``member -> target`` points, relative to the archive root; refuse outside."""
    if not target or target.replace("\\", "/").startswith("/") or re.match(r"[A-Za-z]:", target):
        raise UnsafeArchiveError(f"link {member!r} points to the absolute path {target!r}, outside the target")
    resolved = os.path.normpath(os.path.join(os.path.dirname(safe_member_path(member).as_posix()),
                                             target.replace("\\", "/")))
    if resolved == ".." or resolved.startswith("../") or resolved.startswith("/"):
        raise UnsafeArchiveError(f"link {member!r} -> {target!r} points outside the target folder")
    return PurePosixPath(resolved)


def _check_tar_member(member: tarfile.TarInfo) -> None:
    safe_member_path(member.name)
    if member.issym():
        check_link_target(member.name, member.linkname)
    elif member.islnk():
        try:
            safe_member_path(member.linkname)
        except UnsafeArchiveError as exc:
            raise UnsafeArchiveError(f"hard link {member.name!r} -> {member.linkname!r} points outside "
                                     "the target folder") from exc
    elif member.isdev():
        raise UnsafeArchiveError(f"archive member {member.name!r} is a device file or pipe; data archives "
                                 "never need one")
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"archive member {member.name!r} has an unsupported type {member.type!r}")


def _check_expansion(archive: Path, unpacked: int) -> None:
    """Refuse an archive bomb: a small file that would unpack to fill the disk."""
    limit = MAX_EXPANSION * max(archive.stat().st_size, 1 << 20)
    if unpacked > limit:
        raise UnsafeArchiveError(f"it would unpack to {unpacked:,} bytes, more than {MAX_EXPANSION}x its own "
                                 "size (an archive bomb?)")


def _extract_tar(archive: Path, staging: Path) -> None:
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:  # check everything first, so a bad archive writes nothing at all
            _check_tar_member(member)
        _check_expansion(archive, sum(m.size for m in members if m.isfile()))
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
            # The stdlib "data" filter is a second line of defence (links through links, odd modes).
            tar.extractall(staging, members=members, filter="data")
        else:  # pragma: no cover - older patch releases; every member was checked above
            tar.extractall(staging, members=members)


def _extract_zip(archive: Path, staging: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        targets = []
        for info in infos:  # check everything first, so a bad archive writes nothing at all
            relative = safe_member_path(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                check_link_target(info.filename, zf.read(info).decode("utf-8", "replace"))
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
                raise UnsafeArchiveError(f"archive member {info.filename!r} is a device file or pipe")
            targets.append((info, staging.joinpath(*relative.parts)))
        _check_expansion(archive, sum(info.file_size for info in infos))
        root = staging.resolve()
        for info, target in targets:
            if not target.resolve().is_relative_to(root):  # a folder replaced by a link earlier: refuse
                raise UnsafeArchiveError(f"archive member {info.filename!r} would leave the target folder")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target, "wb") as out:  # symlinks become plain files here
                shutil.copyfileobj(source, out, CHUNK_BYTES)


_TAR_FILTER_ERRORS: tuple[type[Exception], ...] = tuple(
    error for error in (getattr(tarfile, "FilterError", None),) if error is not None)


def extract_archive(archive: Path, target: Path) -> list[str]:
    """Extract a tar or zip archive into ``target`` safely; return the top-level names it created.

    Members are checked before anything is written; extraction happens in a hidden staging folder
    inside ``target`` and the top-level entries are moved into place only when all succeeded.
    """
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target, prefix=".extracting-"))
    try:
        try:
            if zipfile.is_zipfile(archive):
                _extract_zip(archive, staging)
            elif tarfile.is_tarfile(archive):
                _extract_tar(archive, staging)
            else:
                raise ValueError(f"{archive} is neither a tar nor a zip archive; delete it and fetch again")
        except (UnsafeArchiveError, *_TAR_FILTER_ERRORS) as exc:
            raise UnsafeArchiveError(f"refusing to extract {archive}: {exc}. Nothing was written; delete the "
                                     "archive and do not use it.") from exc
        except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
            raise ValueError(f"{archive} is damaged and cannot be extracted ({exc}); "
                             "delete it and fetch again") from exc
        names = sorted(entry.name for entry in staging.iterdir())
        clash = [n for n in names if n == archive.name or n.startswith((MARKER_PREFIX, ".extracting-"))]
        if clash:
            raise UnsafeArchiveError(f"refusing to extract {archive}: its entries {clash} would replace "
                                     "the archive or the course's own bookkeeping files")
        for name in names:
            destination = target / name
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            elif destination.exists() or destination.is_symlink():
                destination.unlink()
            os.replace(staging / name, destination)
        return names
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _ensure_extracted(remote: RemoteFile, folder: Path, digest: Digest, fresh: bool) -> None:
    """Extract once: a marker records which archive (by sha256) was extracted and what it created.

    A freshly downloaded archive is always extracted again (its earlier copy was missing or damaged),
    and entries of an earlier extraction that the new archive lacks are removed.
    """
    marker = folder / f"{MARKER_PREFIX}{remote.filename}.json"
    previous: list[str] = []
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        previous = [str(n) for n in recorded["entries"]]
        if (not fresh and recorded.get("sha256") == digest.sha256
                and all((folder / n).exists() for n in previous)):
            return
    except (OSError, ValueError, KeyError, TypeError):
        pass
    marker.unlink(missing_ok=True)
    print(f"Extracting {remote.filename} into {folder}", flush=True)
    names = extract_archive(folder / remote.filename, folder)
    for stale in sorted(set(previous) - set(names)):
        try:
            path = folder / safe_member_path(stale)  # never trust the marker's names blindly
        except UnsafeArchiveError:
            continue
        if path.parent == folder and path.name not in {remote.filename, marker.name}:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    _write_atomically(marker, json.dumps({"archive": remote.filename, "sha256": digest.sha256,
                                          "entries": names}, indent=1) + "\n")


# ----------------------------------------------------------------------------------------------
# The public entry point
# ----------------------------------------------------------------------------------------------


def _lookup(name: object, manifest: Mapping[str, DataSource]) -> DataSource:
    if not isinstance(name, str) or name not in manifest:
        raise ValueError(f"Unknown data set {name!r}. Valid names: {', '.join(sorted(manifest))}. "
                         "python -m utils.downloads --list shows what each one is.")
    return manifest[name]


def expected_paths(name: str, *, data_dir: Path | None = None,
                   manifest: Mapping[str, DataSource] | None = None) -> list[Path]:
    """Where the files of data set ``name`` live (or must be placed by hand when offline)."""
    source = _lookup(name, MANIFEST if manifest is None else manifest)
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    return [root / source.name / remote.filename for remote in source.files]


def fetch(name: str, *, data_dir: Path | None = None, manifest: Mapping[str, DataSource] | None = None) -> Path:
    """Return the local folder holding the verified files of data set ``name``.

    Missing files are downloaded into ``<data dir>/<name>/`` (``data_dir`` defaults to
    ``settings.data_dir()``: ``data/`` or ``$COURSE_DATA_DIR``) and checked against the manifest;
    a damaged cached file is reported and downloaded again; archives are extracted safely into the
    same folder, once. Parsers read the upstream formats from that folder.

    Raises:
        ValueError: unknown ``name`` (the message lists the valid ones) or a malformed manifest.
        DownloadError: no URL delivered a verified file (the message says where to put it by hand).
        UnsafeArchiveError: an archive tries to write outside its folder.
    """
    sources = MANIFEST if manifest is None else manifest
    validate_manifest(sources)
    source = _lookup(name, sources)
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    folder = root / source.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create the cache folder {folder} for {name!r} ({exc.strerror}); "
                         f"set {DATA_DIR_ENV} to a writable folder") from exc
    for remote in source.files:
        digest, fresh = _ensure_file(source, remote, folder)
        if remote.extract:
            _ensure_extracted(remote, folder, digest, fresh)
    return folder


# ----------------------------------------------------------------------------------------------
# The README's data table and a small command line
# ----------------------------------------------------------------------------------------------


def _checksum_cell(remote: RemoteFile) -> str:
    if remote.sha256:
        return f"sha256 `{remote.sha256[:12]}…`"
    extra = f"md5 `{remote.md5[:12]}…`" if remote.md5 else ("size only" if remote.size else "none")
    return f"**unverified upstream** ({extra})"


def manifest_markdown(manifest: Mapping[str, DataSource] | None = None) -> str:
    """The manifest as a Markdown table (the README's data table is generated from it)."""
    sources = MANIFEST if manifest is None else manifest
    validate_manifest(sources)
    rows = [
        "| data set | files (first URL, then mirrors) | size | checksum | licence | citation | cache path |",
        "| --- | --- | ---: | --- | --- | --- | --- |",
    ]
    for source in sources.values():
        files = "<br>".join(
            f"[{remote.filename}]({remote.urls[0]})"
            + "".join(f" ([mirror]({url}))" for url in remote.urls[1:])
            for remote in source.files
        )
        checks = "<br>".join(_checksum_cell(remote) for remote in source.files)
        rows.append(
            f"| [`{source.name}`]({source.homepage}): {source.title} | {files} | {_human_size(source.total_size)} "
            f"| {checks} | {source.licence} | {source.citation} | `data/{source.cache_path}` |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.downloads",
                                     description="List, locate or pre-fetch the course's data sets.")
    parser.add_argument("names", nargs="*", help="data sets to fetch (default: none; see --list)")
    parser.add_argument("--list", action="store_true", help="print the manifest as a Markdown table")
    parser.add_argument("--where", action="store_true", help="print where each file must be (for offline use)")
    args = parser.parse_args(argv)
    if args.list or not args.names:
        print(manifest_markdown())
        return 0
    for name in args.names:
        if args.where:
            print("\n".join(str(p) for p in expected_paths(name)))
        else:
            print(fetch(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
