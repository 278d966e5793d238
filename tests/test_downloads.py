"""Verified downloads that recover: served from a local HTTP server, then truncated, corrupted, stopped."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import re
import socket
import tarfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utils import downloads
from utils.downloads import (
    MANIFEST,
    CorruptCacheWarning,
    DataSource,
    DownloadError,
    RemoteFile,
    UnverifiedDataWarning,
    expected_paths,
    fetch,
    manifest_markdown,
)

# ------------------------------------------------------------------ a tiny file server on 127.0.0.1


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files``; ``server.modes[name]`` makes it misbehave: 404, corrupt or truncate."""

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        self.server.requests.append(name)  # type: ignore[attr-defined]
        data = self.server.files.get(name)  # type: ignore[attr-defined]
        mode = self.server.modes.get(name, "ok")  # type: ignore[attr-defined]
        if data is None or mode == "404":
            self.send_error(404, "Not Found")
            return
        if mode == "corrupt":  # same length, one byte flipped
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode == "stall":  # announce everything, then go silent
            self.wfile.flush()
            time.sleep(2)
            return
        if mode == "truncate":  # announce everything, send half, hang up
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


class FileServer:
    def __init__(self) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.files, self.httpd.modes, self.httpd.requests = {}, {}, []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    @property
    def files(self) -> dict[str, bytes]:
        return self.httpd.files  # type: ignore[attr-defined]

    @property
    def modes(self) -> dict[str, str]:
        return self.httpd.modes  # type: ignore[attr-defined]

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests  # type: ignore[attr-defined]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)
            self.running = False


@pytest.fixture
def server() -> Iterator[FileServer]:
    srv = FileServer()
    yield srv
    srv.stop()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


NUMBERS = bytes(range(256)) * 40
ARCHIVE = _tar_gz({"toy/train/a.txt": b"alpha\n", "toy/test/b.txt": b"beta\n", "readme.txt": b"hi\n"})


def _toy_manifest(srv: FileServer, *, numbers: bytes = NUMBERS, archive: bytes = ARCHIVE,
                  extra_urls: tuple[str, ...] = ()) -> dict[str, DataSource]:
    srv.files.update({"numbers.bin": numbers, "toy.tar.gz": archive})
    source = DataSource(
        name="toy", title="a toy data set", licence="CC0", citation="nobody (2026)", homepage="https://example.org/",
        files=(
            RemoteFile("numbers.bin", (*extra_urls, srv.url("numbers.bin")), _sha(numbers), len(numbers),
                       sha256_source="this test"),
            RemoteFile("toy.tar.gz", (srv.url("toy.tar.gz"),), _sha(archive), len(archive),
                       sha256_source="this test", extract=True),
        ),
    )
    return {"toy": source}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part") or ".extracting-" in p.name)


# ------------------------------------------------------------------ the happy path and the cache


def test_fetch_downloads_verifies_and_extracts_once(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert folder == tmp_path / "toy"
    assert (folder / "numbers.bin").read_bytes() == NUMBERS
    assert (folder / "toy" / "train" / "a.txt").read_text() == "alpha\n"
    assert (folder / "readme.txt").read_text() == "hi\n"
    marker = json.loads((folder / ".extracted-toy.tar.gz.json").read_text())
    assert marker["sha256"] == _sha(ARCHIVE) and marker["entries"] == ["readme.txt", "toy"]
    assert sorted(server.requests) == ["numbers.bin", "toy.tar.gz"]
    assert _leftovers(folder) == []

    # Second call: nothing downloaded, nothing extracted again (a learner's edit survives).
    (folder / "readme.txt").write_text("edited\n")
    assert fetch("toy", data_dir=tmp_path, manifest=manifest) == folder
    assert len(server.requests) == 2
    assert (folder / "readme.txt").read_text() == "edited\n"


def test_fetch_reextracts_when_an_extracted_entry_is_missing(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    (folder / "readme.txt").unlink()
    fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert (folder / "readme.txt").read_text() == "hi\n"
    assert len(server.requests) == 2  # the verified archive was reused


def test_default_data_dir_comes_from_settings(server: FileServer, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    folder = fetch("toy", manifest=_toy_manifest(server))
    assert folder == tmp_path / "cache" / "toy"
    assert expected_paths("toy", manifest=_toy_manifest(server))[0] == folder / "numbers.bin"


# ------------------------------------------------------------------ damaged cache: detected, reported, fetched again


def test_truncated_cached_file_is_reported_and_fetched_again(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    cached = folder / "numbers.bin"
    cached.write_bytes(NUMBERS[:1000])
    with pytest.warns(CorruptCacheWarning, match=r"numbers\.bin is damaged: it has 1,000 bytes .*truncated"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert cached.read_bytes() == NUMBERS
    assert server.requests.count("numbers.bin") == 2


def test_corrupt_cached_file_same_size_is_detected_by_sha256(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    cached = folder / "numbers.bin"
    cached.write_bytes(b"X" + NUMBERS[1:])
    with pytest.warns(CorruptCacheWarning, match=r"its sha256 is [0-9a-f]{64} but should be " + _sha(NUMBERS)):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert cached.read_bytes() == NUMBERS


def test_corrupt_cached_archive_is_fetched_and_extracted_again(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    (folder / "toy.tar.gz").write_bytes(ARCHIVE[:-10])
    (folder / "toy" / "train" / "a.txt").write_text("stale")
    with pytest.warns(CorruptCacheWarning, match="toy.tar.gz is damaged"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert (folder / "toy" / "train" / "a.txt").read_text() == "alpha\n"  # a fresh archive is extracted again


def test_a_new_archive_version_replaces_the_old_extraction(server: FileServer, tmp_path: Path) -> None:
    fetch("toy", data_dir=tmp_path, manifest=_toy_manifest(server))
    newer = _tar_gz({"toy/train/a.txt": b"alpha 2\n"})
    (tmp_path / "toy" / "toy.tar.gz").unlink()
    fetch("toy", data_dir=tmp_path, manifest=_toy_manifest(server, archive=newer))
    assert (tmp_path / "toy" / "toy" / "train" / "a.txt").read_text() == "alpha 2\n"
    assert not (tmp_path / "toy" / "toy" / "test").exists()  # the old tree was replaced, not merged
    assert not (tmp_path / "toy" / "readme.txt").exists()  # and entries the new archive lacks are gone


# ------------------------------------------------------------------ a misbehaving or absent server


def test_server_sending_corrupt_bytes_is_refused_and_nothing_is_kept(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    server.modes["numbers.bin"] = "corrupt"
    with pytest.raises(DownloadError, match=r"(?s)data set 'toy'.*numbers\.bin.*failed verification: its sha256"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert not (tmp_path / "toy" / "numbers.bin").exists()
    assert _leftovers(tmp_path) == []


def test_truncated_transfer_never_leaves_a_file_that_looks_complete(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    server.modes["numbers.bin"] = "truncate"
    with pytest.raises(DownloadError, match=r"(?s)data set 'toy'.*(connection ended after|IncompleteRead|bytes)"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert not (tmp_path / "toy" / "numbers.bin").exists()
    assert _leftovers(tmp_path) == []


def test_a_server_that_stalls_times_out(server: FileServer, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(downloads, "TIMEOUT_SECONDS", 0.3)
    manifest = _toy_manifest(server)
    server.modes["numbers.bin"] = "stall"
    with pytest.raises(DownloadError, match=r"numbers\.bin: no data for 0\.3 s \(timed out\)"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "toy" / "numbers.bin").exists()


def test_interrupted_download_leaves_nothing_behind(server: FileServer, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = _toy_manifest(server)

    def interrupt(_fd: int) -> None:  # the learner presses stop just before the file is complete
        raise KeyboardInterrupt

    monkeypatch.setattr(downloads.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert list((tmp_path / "toy").iterdir()) == []


def test_server_down_gives_dataset_url_cache_path_and_offline_instructions(server: FileServer,
                                                                           tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    url = server.url("numbers.bin")
    server.stop()
    cache = tmp_path / "toy" / "numbers.bin"
    with pytest.raises(DownloadError) as caught:
        fetch("toy", data_dir=tmp_path, manifest=manifest)
    message = str(caught.value)
    assert "Could not download data set 'toy' (file numbers.bin)" in message
    assert f"{url}: server unreachable" in message
    assert f"Cache path: {cache}" in message
    assert "If you are offline or the server is down: download numbers.bin from one of the URLs above" in message
    assert f"place it at {cache}" in message and "COURSE_DATA_DIR" in message


def test_offline_learner_places_the_file_by_hand(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    server.stop()
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "numbers.bin").write_bytes(NUMBERS)
    (tmp_path / "toy" / "toy.tar.gz").write_bytes(ARCHIVE)
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert (folder / "toy" / "test" / "b.txt").read_text() == "beta\n"


def test_corrupt_cache_and_server_down_says_both(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    fetch("toy", data_dir=tmp_path, manifest=manifest)
    (tmp_path / "toy" / "numbers.bin").write_bytes(b"garbage")
    server.stop()
    with pytest.warns(CorruptCacheWarning), pytest.raises(
            DownloadError, match=r"(?s)server unreachable.*cached copy at .*numbers\.bin is unusable: it has 7 bytes"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)


def test_unreachable_first_url_then_a_working_mirror(server: FileServer, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/numbers.bin"
    manifest = _toy_manifest(server, extra_urls=(dead,))
    folder = fetch("toy", data_dir=tmp_path, manifest=manifest)
    assert (folder / "numbers.bin").read_bytes() == NUMBERS


def test_http_404_everywhere_is_reported(server: FileServer, tmp_path: Path) -> None:
    manifest = _toy_manifest(server)
    server.modes["numbers.bin"] = "404"
    with pytest.raises(DownloadError, match=r"HTTP 404 Not Found"):
        fetch("toy", data_dir=tmp_path, manifest=manifest)


def test_a_folder_where_the_file_should_be(server: FileServer, tmp_path: Path) -> None:
    (tmp_path / "toy" / "numbers.bin").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"numbers\.bin of 'toy' but is a folder"):
        fetch("toy", data_dir=tmp_path, manifest=_toy_manifest(server))


# ------------------------------------------------------------------ files upstream publishes no sha256 for


def _unverified_manifest(srv: FileServer, size: int | None) -> dict[str, DataSource]:
    srv.files["plain.csv"] = b"a,b\n1,2\n"
    remote = RemoteFile("plain.csv", (srv.url("plain.csv"),), None, size,
                        unverified_reason="upstream publishes no checksum")
    return {"plain": DataSource("plain", "plain csv", (remote,), "CC0", "nobody", "https://example.org/")}


def test_unverified_file_warns_loudly_and_still_checks_its_size(server: FileServer, tmp_path: Path) -> None:
    manifest = _unverified_manifest(server, size=8)
    with pytest.warns(UnverifiedDataWarning, match=r"UNVERIFIED DATA: plain/plain.csv has no published sha256 "
                                                   r"\(upstream publishes no checksum\)\. Checked: size"):
        fetch("plain", data_dir=tmp_path, manifest=manifest)
    (tmp_path / "plain" / "plain.csv").write_bytes(b"a,b\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fetch("plain", data_dir=tmp_path, manifest=manifest)
    kinds = {type(w.message) for w in caught}
    assert {CorruptCacheWarning, UnverifiedDataWarning} <= kinds
    assert (tmp_path / "plain" / "plain.csv").read_bytes() == b"a,b\n1,2\n"


def test_unverified_wrong_size_from_server_is_refused(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="the server sent more than the expected 3 bytes"):
        fetch("plain", data_dir=tmp_path, manifest=_unverified_manifest(server, size=3))


# ------------------------------------------------------------------ the real manifest


def test_manifest_lists_the_course_data_sets_with_sources() -> None:
    assert set(MANIFEST) == {"mnist", "fashion_mnist", "cifar10", "imdb", "jena_climate", "ucf101_subset"}
    extracted = {name for name, source in MANIFEST.items() if any(f.extract for f in source.files)}
    assert extracted == {"cifar10", "jena_climate", "ucf101_subset"}
    assert [f.filename for f in MANIFEST["fashion_mnist"].files] == [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz"]
    assert [f.filename for f in MANIFEST["imdb"].files] == ["imdb.npz", "imdb_word_index.json"]
    for source in MANIFEST.values():
        for remote in source.files:
            assert remote.urls[0].startswith("https://")
            assert remote.sha256_source if remote.sha256 else remote.unverified_reason
    # the checksums Keras publishes
    assert MANIFEST["mnist"].files[0].sha256.startswith("731c5ac6")
    assert MANIFEST["cifar10"].files[0].sha256.startswith("6d958be0")


def test_manifest_markdown_has_a_row_per_data_set_with_every_url() -> None:
    table = manifest_markdown()
    lines = table.splitlines()
    assert lines[0].startswith("| data set |") and len(lines) == 2 + len(MANIFEST)
    for source in MANIFEST.values():
        assert f"[`{source.name}`]" in table and source.licence in table and f"`data/{source.name}/`" in table
        for remote in source.files:
            for url in remote.urls:
                assert url in table
    assert table.count("**unverified upstream**") == sum(
        not f.verified_upstream for s in MANIFEST.values() for f in s.files)


def test_command_line_lists_and_locates(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert downloads.main(["--list"]) == 0
    assert "| data set |" in capsys.readouterr().out
    assert downloads.main(["--where", "imdb"]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "imdb" / "imdb.npz"),
                                               str(tmp_path / "imdb" / "imdb_word_index.json")]


# ------------------------------------------------------------------ manifest validation (property tests)

_GOOD = {"filename": "f.bin", "urls": ("https://example.org/f.bin",), "sha256": "0" * 64, "size": 1,
         "sha256_source": "here"}


@given(st.text(max_size=80))
def test_sha256_must_be_64_lower_hex(value: str) -> None:
    valid = len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    if valid:
        assert RemoteFile(**{**_GOOD, "sha256": value}).sha256 == value
    else:
        with pytest.raises(ValueError, match="sha256 must be 64 lower-case hex digits"):
            RemoteFile(**{**_GOOD, "sha256": value})


@given(st.binary(min_size=0, max_size=64))
def test_any_real_sha256_is_accepted(data: bytes) -> None:
    assert RemoteFile(**{**_GOOD, "sha256": _sha(data)}).verified_upstream


@given(st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), st.booleans(), st.text(max_size=5)))
def test_size_must_be_a_positive_int(value: object) -> None:
    with pytest.raises(ValueError, match="size must be a positive number of bytes"):
        RemoteFile(**{**_GOOD, "size": value})


@given(st.one_of(st.sampled_from([".", ".."]),
                 st.builds(lambda a, sep, b: a + sep + b, st.text(max_size=10), st.sampled_from("/\\"),
                           st.text(max_size=10))))
def test_file_names_must_not_contain_folders(name: str) -> None:
    with pytest.raises(ValueError, match="manifest file name must be a plain file name"):
        RemoteFile(**{**_GOOD, "filename": name})


@given(st.text(max_size=30).filter(lambda s: not s.startswith(("http://", "https://"))))
def test_urls_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="URLs must start with http:// or https://"):
        RemoteFile(**{**_GOOD, "urls": (url,)})


@given(st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True))
def test_valid_data_set_names_are_accepted(name: str) -> None:
    source = DataSource(name, "t", (RemoteFile(**_GOOD),), "CC0", "c", "https://example.org/")
    assert source.cache_path == f"{name}/"
    downloads.validate_manifest({name: source})


@given(st.text(max_size=20).filter(lambda s: re.fullmatch(r"[a-z][a-z0-9_]*", s) is None))
def test_invalid_data_set_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="data set name must be lower-case letters, digits and '_'"):
        DataSource(name, "t", (RemoteFile(**_GOOD),), "CC0", "c", "https://example.org/")


@given(st.binary(min_size=1, max_size=256), st.data())
def test_verification_accepts_the_exact_bytes_and_rejects_any_change(data: bytes, draw: st.DataObject) -> None:
    remote = RemoteFile(**{**_GOOD, "sha256": _sha(data), "size": len(data)})
    digest = downloads.Digest(len(data), _sha(data), hashlib.md5(data).hexdigest())
    assert downloads.verification_problem(digest, remote) is None
    index = draw.draw(st.integers(0, len(data) - 1))
    changed = data[:index] + bytes([data[index] ^ draw.draw(st.integers(1, 255))]) + data[index + 1:]
    problem = downloads.verification_problem(downloads.Digest(len(changed), _sha(changed), ""), remote)
    assert problem is not None and "sha256" in problem
    cut = data[: draw.draw(st.integers(0, len(data) - 1))]
    problem = downloads.verification_problem(downloads.Digest(len(cut), _sha(cut), ""), remote)
    assert problem is not None and "truncated or incomplete" in problem
