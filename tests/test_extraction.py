"""Safe extraction: malicious archives built here must write nothing outside (or inside) their target."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from utils import downloads
from utils.downloads import (
    DataSource,
    RemoteFile,
    UnsafeArchiveError,
    check_link_target,
    extract_archive,
    fetch,
    safe_member_path,
)


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _special(name: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.devmajor, info.devminor = 1, 3
    return info


def _zip(path: Path, members: list[tuple[str, bytes]], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name), data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(target, outside): ``target`` sits inside ``outside``'s parent, so an escape would land nearby."""
    target, outside = tmp_path / "box" / "target", tmp_path / "box"
    target.mkdir(parents=True)
    return target, outside


def _everything(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


MALICIOUS_TARS = {
    "dot-dot": ([("../evil.txt", b"x")], "climbs out of the target folder with '..'"),
    "nested dot-dot": ([("ok/../../evil.txt", b"x")], "climbs out of the target folder with '..'"),
    "absolute path": ([("/tmp/evil-course-test.txt", b"x")], "has an absolute path"),
    "symlink out": ([_link("link", "../../outside")], "points outside the target folder"),
    "absolute symlink": ([_link("passwd", "/etc/passwd")], "points to the absolute path '/etc/passwd'"),
    "symlink then write through it": ([_link("escape", ".."), ("escape/evil.txt", b"x")],
                                      "points outside the target folder"),
    "hard link out": ([_link("hard", "../secret", tarfile.LNKTYPE)], "hard link 'hard' -> '../secret' points outside"),
    "absolute hard link": ([_link("hard", "/etc/passwd", tarfile.LNKTYPE)], "points outside"),
    "character device": ([_special("dev/null", tarfile.CHRTYPE)], "is a device file or pipe"),
    "block device": ([_special("dev/sda", tarfile.BLKTYPE)], "is a device file or pipe"),
    "fifo": ([_special("pipe", tarfile.FIFOTYPE)], "is a device file or pipe"),
}


@pytest.mark.parametrize("case", sorted(MALICIOUS_TARS))
def test_malicious_tar_is_refused_and_writes_nothing(case: str, dirs: tuple[Path, Path], tmp_path: Path) -> None:
    members, message = MALICIOUS_TARS[case]
    target, outside = dirs
    archive = _tar(tmp_path / "evil.tar.gz", [("good.txt", b"fine"), *members])  # a good member first
    before = _everything(outside)
    with pytest.raises(UnsafeArchiveError, match=f"refusing to extract .*evil.tar.gz: .*{message}"):
        extract_archive(archive, target)
    assert _everything(outside) == before  # not even good.txt: members are checked before writing
    assert not Path("/tmp/evil-course-test.txt").exists()


MALICIOUS_ZIPS = {
    "dot-dot": ([("../evil.txt", b"x")], None, "climbs out of the target folder"),
    "absolute path": ([("/tmp/evil-course-test.txt", b"x")], None, "has an absolute path"),
    "windows drive": ([("C:\\evil.txt", b"x")], None, "has an absolute path"),
    "backslash dot-dot": ([("a\\..\\..\\evil.txt", b"x")], None, "climbs out"),
    "symlink out": ([], {"link": "../../etc"}, "points outside the target folder"),
    "absolute symlink": ([], {"link": "/etc/passwd"}, "points to the absolute path"),
}


@pytest.mark.parametrize("case", sorted(MALICIOUS_ZIPS))
def test_malicious_zip_is_refused_and_writes_nothing(case: str, dirs: tuple[Path, Path], tmp_path: Path) -> None:
    members, links, message = MALICIOUS_ZIPS[case]
    target, outside = dirs
    archive = _zip(tmp_path / "evil.zip", [("good.txt", b"fine"), *members], links)
    before = _everything(outside)
    with pytest.raises(UnsafeArchiveError, match=f"refusing to extract .*evil.zip: .*{message}"):
        extract_archive(archive, target)
    assert _everything(outside) == before


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_archive_bomb_is_refused(kind: str, dirs: tuple[Path, Path], tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target, _ = dirs
    monkeypatch.setattr(downloads, "MAX_EXPANSION", 2)  # the real limit, 100x, needs a bigger bomb
    zeros = [("zeros.bin", bytes(3 << 20))]  # 3 MiB of zeros compress to a few kB
    archive = _tar(tmp_path / "bomb.tar.gz", zeros) if kind == "tar" else _zip_deflated(tmp_path / "bomb.zip", zeros)
    assert archive.stat().st_size < 1 << 20
    with pytest.raises(UnsafeArchiveError, match=r"would unpack to 3,145,728 bytes, more than 2x its own size"):
        extract_archive(archive, target)
    assert list(target.iterdir()) == []


def _zip_deflated(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def test_benign_tar_with_an_inside_link_extracts(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    target, _ = dirs
    archive = _tar(tmp_path / "ok.tar.gz", [("data/a.txt", b"alpha"), _link("data/also_a.txt", "a.txt"),
                                            ("./data/sub/b.txt", b"beta")])
    assert extract_archive(archive, target) == ["data"]
    assert (target / "data" / "also_a.txt").read_text() == "alpha"
    assert (target / "data" / "sub" / "b.txt").read_text() == "beta"
    assert [p.name for p in target.iterdir()] == ["data"]  # the staging folder is gone


def test_benign_zip_extracts_and_symlinks_become_plain_files(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    target, _ = dirs
    archive = _zip(tmp_path / "ok.zip", [("jena/x.csv", b"1,2\n"), ("jena/", b"")], {"jena/link": "x.csv"})
    assert extract_archive(archive, target) == ["jena"]
    assert (target / "jena" / "x.csv").read_text() == "1,2\n"
    assert not (target / "jena" / "link").is_symlink()


def test_extraction_replaces_an_existing_tree(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    target, _ = dirs
    (target / "data").mkdir()
    (target / "data" / "old.txt").write_text("old")
    extract_archive(_tar(tmp_path / "a.tar.gz", [("data/new.txt", b"new")]), target)
    assert sorted(p.name for p in (target / "data").iterdir()) == ["new.txt"]


def test_an_archive_cannot_overwrite_itself_or_the_marker(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    target, _ = dirs
    archive = _tar(target / "self.tar.gz", [("self.tar.gz", b"boom")])
    with pytest.raises(UnsafeArchiveError, match="would replace the archive"):
        extract_archive(archive, target)
    assert tarfile.is_tarfile(archive)


def test_damaged_and_foreign_archives_give_clear_errors(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    target, _ = dirs
    good = _tar(tmp_path / "good.tar.gz", [("a.txt", b"a" * 5000)]).read_bytes()
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"damaged\.tar\.gz is damaged and cannot be extracted"):
        extract_archive(damaged, target)
    foreign = tmp_path / "notes.zip"
    foreign.write_text("not an archive at all")
    with pytest.raises(ValueError, match=r"notes\.zip is neither a tar nor a zip archive"):
        extract_archive(foreign, target)
    assert list(target.iterdir()) == []


def test_fetch_refuses_a_malicious_archive_even_with_a_matching_checksum(tmp_path: Path) -> None:
    evil = _tar(tmp_path / "evil.tar.gz", [("../../escaped.txt", b"x")]).read_bytes()
    cache = tmp_path / "cache"
    (cache / "evil").mkdir(parents=True)
    (cache / "evil" / "evil.tar.gz").write_bytes(evil)  # placed by hand, so no server is needed
    remote = RemoteFile("evil.tar.gz", ("http://127.0.0.1:9/evil.tar.gz",), hashlib.sha256(evil).hexdigest(),
                        len(evil), sha256_source="this test", extract=True)
    manifest = {"evil": DataSource("evil", "t", (remote,), "CC0", "c", "https://example.org/")}
    with pytest.raises(UnsafeArchiveError, match="climbs out of the target folder"):
        fetch("evil", data_dir=cache, manifest=manifest)
    assert not (tmp_path / "escaped.txt").exists() and not (cache / "escaped.txt").exists()
    assert sorted(p.name for p in (cache / "evil").iterdir()) == ["evil.tar.gz"]  # no marker, no staging


# ------------------------------------------------------------------ property tests for the pure path checks


def _inside(base: str, relative: str) -> bool:
    joined = os.path.normpath(os.path.join(base, relative))
    return joined == base or joined.startswith(base + os.sep)


NAME_CHARS = st.sampled_from([*"ab./\\:C\x00 ", "..", "../", "/..", "C:"])


@given(st.lists(NAME_CHARS, max_size=12).map("".join))
def test_safe_member_path_never_escapes(name: str) -> None:
    try:
        relative = safe_member_path(name)
    except UnsafeArchiveError as exc:
        assert str(exc)
        return
    assert not relative.is_absolute() and ".." not in relative.parts and relative.parts
    assert _inside("/target", relative.as_posix())


@given(st.lists(st.text(alphabet="abcXYZ019_-", min_size=1, max_size=8), min_size=1, max_size=5))
def test_plain_relative_names_are_kept(parts: list[str]) -> None:
    name = "/".join(parts)
    assert safe_member_path(name).as_posix() == name
    assert safe_member_path("./" + name + "/").as_posix() == name


@given(st.lists(NAME_CHARS, min_size=1, max_size=6).map("".join),
       st.lists(NAME_CHARS, max_size=10).map("".join))
def test_link_targets_never_escape(member: str, target: str) -> None:
    try:
        resolved = check_link_target(member, target)
    except UnsafeArchiveError as exc:
        assert str(exc)
        return
    assert _inside("/target", resolved.as_posix())
