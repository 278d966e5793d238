"""``utils.downloads`` through ``keras.utils.get_file``: fixtures served from 127.0.0.1 via the manifest override.

What the library must do for the course, each shown once: verify and extract, re-fetch a corrupt or truncated
cache, refuse a damaged transfer and an unsafe archive, fall back to a mirror, accept a file placed by hand,
and fail with a message that names the URL and the cache path.
"""

from __future__ import annotations

import io
import json
import socket
import tarfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_full_profile import GENERATORS, FileServer, build, sha256, tar_bytes, write_override, zip_bytes

from utils import downloads
from utils.downloads import DownloadError, UnsafeArchiveError, fetch, load_manifest, manifest_markdown

NAMES = ("mnist", "cifar10", "imdb", "jena_climate", "ucf101_subset")  # one of each kind: npz, tar.gz, md5, zip, tar


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("served"), NAMES)


@pytest.fixture
def server(served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    with FileServer(served) as srv:
        monkeypatch.setenv(downloads.OVERRIDE_ENV, str(write_override(tmp_path / "override.json", srv, NAMES)))
        yield srv


def _override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, filename: str, **entry: object) -> None:
    path = tmp_path / "custom.json"
    path.write_text(json.dumps({name: {filename: entry}}), encoding="utf-8")
    monkeypatch.setenv(downloads.OVERRIDE_ENV, str(path))


def _closed_port_url(name: str) -> str:
    with socket.socket() as sock:  # a port that was just free: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/{name}"


# ---------------------------------------------------------------- the normal path

@pytest.mark.parametrize("name, expected", [
    ("mnist", "mnist.npz"),
    ("cifar10", "cifar-10-python_extracted/cifar-10-batches-py/data_batch_5"),
    ("imdb", "imdb_word_index.json"),
    ("jena_climate", "jena_climate_2009_2016_extracted/jena_climate_2009_2016.csv"),  # zip with a __MACOSX/ entry
    ("ucf101_subset", "ucf101_top5_extracted/train.csv"),  # an uncompressed tar named .tar.gz
])
def test_fetch_downloads_checks_and_extracts(server: FileServer, tmp_path: Path, name: str, expected: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder = fetch(name, data_dir=tmp_path / "data")
    unverified = any(not f.checksum for f in load_manifest()[name].files)
    assert any("UNVERIFIED DATA" in str(w.message) for w in caught) == unverified  # said every time, only then
    assert folder == tmp_path / "data" / name and (folder / expected).is_file()
    requests = len(server.requests)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the unverified warning again, tested above
        fetch(name, data_dir=tmp_path / "data")  # cached: nothing is downloaded again
    assert len(server.requests) == requests


@pytest.mark.parametrize("damage, name, filename", [
    ("corrupt", "mnist", "mnist.npz"), ("truncated", "mnist", "mnist.npz"),  # sha256, through get_file
    ("corrupt", "imdb", "imdb_word_index.json"), ("truncated", "imdb", "imdb_word_index.json"),  # md5
    ("truncated", "jena_climate", "jena_climate_2009_2016.csv.zip"),  # no checksum published: the size
])  # (a same-size corruption of a file without a published checksum cannot be detected: say so in the README)
def test_damaged_cache_is_fetched_again(server: FileServer, served: Path, tmp_path: Path, damage: str, name: str,
                                        filename: str) -> None:
    cached = tmp_path / "data" / name / filename
    cached.parent.mkdir(parents=True)
    good = (served / filename).read_bytes()
    cached.write_bytes(good[: len(good) // 2] if damage == "truncated" else bytes([good[0] ^ 1]) + good[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # jena_climate is unverified: tested above
        fetch(name, data_dir=tmp_path / "data")
    assert cached.read_bytes() == good and filename in server.requests


def test_file_placed_by_hand_is_used_offline(served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _override(tmp_path, monkeypatch, "mnist", "mnist.npz", urls=[_closed_port_url("mnist.npz")],
              sha256=sha256(served / "mnist.npz"), size=(served / "mnist.npz").stat().st_size)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    downloads.main(["--where", "mnist"])
    where = Path(capsys.readouterr().out.strip())
    assert where == tmp_path / "data" / "mnist" / "mnist.npz"
    where.parent.mkdir(parents=True)
    where.write_bytes((served / "mnist.npz").read_bytes())
    assert fetch("mnist") == where.parent  # verified, and the server that is down is never asked


def test_a_mirror_is_tried_when_the_first_url_fails(server: FileServer, served: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _override(tmp_path, monkeypatch, "mnist", "mnist.npz", urls=[server.url("missing.npz"), server.url("mnist.npz")],
              sha256=sha256(served / "mnist.npz"), size=(served / "mnist.npz").stat().st_size)
    folder = fetch("mnist", data_dir=tmp_path / "data")
    assert (folder / "mnist.npz").read_bytes() == (served / "mnist.npz").read_bytes()
    assert server.requests == ["missing.npz", "mnist.npz"]


# ---------------------------------------------------------------- failures: one message test per mode

@pytest.mark.parametrize("mode, reason", [
    ("down", r"Connection refused"),
    ("404", r"404"),
    ("corrupt", r"Incomplete or corrupted file detected"),  # get_file's sha256 check
    ("truncate", r"retrieval incomplete"),  # urllib compares the bytes with Content-Length
])
def test_failed_download_names_url_cache_path_and_where(server: FileServer, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, mode: str,
                                                        reason: str) -> None:
    url = server.url("mnist.npz")
    if mode == "down":
        url = _closed_port_url("mnist.npz")
        _override(tmp_path, monkeypatch, "mnist", "mnist.npz", urls=[url])
    server.modes["mnist.npz"] = mode
    cached = tmp_path / "data" / "mnist" / "mnist.npz"
    with pytest.raises(DownloadError, match=rf"(?s)mnist\.npz of data set 'mnist'.*{url}: .*{reason}.*"
                                            rf"Cache path: {cached}.*--where mnist") as error:
        fetch("mnist", data_dir=tmp_path / "data")
    assert not cached.exists(), f"a failed download left a file that looks complete: {error.value}"


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def _device(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    return info


UNSAFE = {
    "parent folder": ("tar", tar_bytes({"train/ok.txt": b"fine", "../../escape.txt": b"evil"})),
    "absolute path": ("tar", tar_bytes({"/tmp/escape-absolute.txt": b"evil"})),
    "link pointing out": ("tar", None),
    "device file": ("tar", None),
    "zip parent folder": ("zip", zip_bytes({"../../escape.txt": b"evil"})),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_archive_is_refused_and_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    kind, data = UNSAFE[case]
    if data is None:
        member = _link("train/link", "../../../etc/passwd") if case.startswith("link") else _device("train/dev")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.addfile(member)
        data = buffer.getvalue()
    name, filename = ("ucf101_subset", "ucf101_top5.tar.gz") if kind == "tar" else \
        ("jena_climate", "jena_climate_2009_2016.csv.zip")
    root = tmp_path / "box"
    (root / "served").mkdir(parents=True)
    (root / "served" / filename).write_bytes(data)
    with FileServer(root / "served") as srv:
        archive = root / "served" / filename
        _override(tmp_path, monkeypatch, name, filename, urls=[srv.url(filename)], sha256=sha256(archive),
                  size=archive.stat().st_size)
        with pytest.raises(UnsafeArchiveError, match=rf"refusing to extract .*{filename}"):
            fetch(name, data_dir=root / "data" / "deep" / "er")
    assert not (root / "data" / "deep" / "er" / name / filename).exists()  # deleted, so never used again
    assert not list(root.rglob("escape*")) and not Path("/tmp/escape-absolute.txt").exists()


@pytest.mark.parametrize("content, match", [
    ("{not json", r"COURSE_MANIFEST_OVERRIDE=.*is not a usable manifest override"),
    ('{"mnsit": {}}', r"Unknown data set 'mnsit'\. Valid names: .*mnist"),
    ('{"mnist": {"mnist.zip": {}}}', r"data set 'mnist' has no file \['mnist\.zip'\]"),
    ('{"mnist": {"mnist.npz": {"url": "http://x"}}}', r"unexpected keyword argument 'url'"),
])
def test_bad_override_says_what_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str,
                                         match: str) -> None:
    (tmp_path / "o.json").write_text(content, encoding="utf-8")
    monkeypatch.setenv(downloads.OVERRIDE_ENV, str(tmp_path / "o.json"))
    with pytest.raises(ValueError, match=match):
        fetch("mnist", data_dir=tmp_path)


def test_unknown_data_set_lists_the_valid_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"Unknown data set 'mnsit'\. Valid names: cifar10, .*mnist"):
        fetch("mnsit", data_dir=tmp_path)


def test_imdb_texts_match_keras_datasets_imdb_on_the_fetched_file(server: FileServer, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Same shuffle as Keras (seed 113, the file is label-sorted), the same reviews decoded to words."""
    import numpy as np
    from keras.src.datasets import imdb as keras_imdb

    from utils.text_data import fetch_imdb_texts

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    folder = fetch("imdb")
    monkeypatch.setattr(keras_imdb, "get_file", lambda fname=None, *a, **k: str(folder / fname))
    (x_train, y_train), (x_test, y_test) = fetch_imdb_texts()
    (k_train, ky_train), (k_test, ky_test) = keras_imdb.load_data(num_words=10**9, start_char=None, index_from=0)
    words = {rank: word for word, rank in keras_imdb.get_word_index().items()}
    assert x_train == [" ".join(words[w] for w in r) for r in k_train]
    assert x_test == [" ".join(words[w] for w in r) for r in k_test]
    np.testing.assert_array_equal(y_train, ky_train)
    np.testing.assert_array_equal(y_test, ky_test)
    assert 0.2 < y_train[: len(y_train) // 10].mean() < 0.8, "a validation tail must not be one class"


def test_jena_record_parses_from_the_fetched_zip(server: FileServer, tmp_path: Path) -> None:
    from utils.timeseries import load_jena_csv

    with pytest.warns(UserWarning, match="UNVERIFIED DATA"):
        frame = load_jena_csv(fetch("jena_climate", data_dir=tmp_path / "data"), every=6)  # __MACOSX/ is skipped
    assert list(frame.columns) == ["T (degC)"] and len(frame) == 60 * 24
    assert (frame.index[1] - frame.index[0]).seconds == 3600 and frame.index.is_monotonic_increasing


# ---------------------------------------------------------------- the manifest and the README's table

MANIFEST = load_manifest()


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_manifest_entry_is_pinned_or_says_why_not(name: str) -> None:
    source = MANIFEST[name]
    assert source.title and source.licence and source.citation and source.homepage.startswith("http")
    assert name in GENERATORS, "every manifest entry needs a format-faithful fixture in fixtures_full_profile.py"
    for remote in source.files:
        assert all(url.startswith("https://") or "fashion-mnist.s3-website" in url for url in remote.urls)
        if remote.sha256:
            assert len(remote.sha256) == 64 and int(remote.sha256, 16) >= 0 and remote.source
        elif remote.md5:
            assert len(remote.md5) == 32 and int(remote.md5, 16) >= 0 and remote.source
        else:
            assert len(remote.unverified) > 30, "say exactly why no checksum is pinned"


def test_readme_table_says_what_is_checked_for_every_file() -> None:
    table = manifest_markdown()
    for source in MANIFEST.values():
        for remote in source.files:
            assert remote.urls[0] in table
            claim = f"`{remote.checksum[:12]}…`" if remote.checksum else f"**unverified**: {remote.unverified}"
            assert claim in table, remote.name
    assert table.count("**unverified**") == sum(not f.checksum for s in MANIFEST.values() for f in s.files)


def test_command_line_lists_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    downloads.main(["--list"])
    assert capsys.readouterr().out.strip() == manifest_markdown()


def test_zip_fixture_has_the_macosx_entry(served: Path) -> None:
    with zipfile.ZipFile(served / "jena_climate_2009_2016.csv.zip") as archive:
        assert any(name.startswith("__MACOSX/") for name in archive.namelist())
