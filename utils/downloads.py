"""The data sets of the ``full`` profile (introduced in ``02_image_classification``): ``fetch(name)``.

``keras.utils.get_file`` downloads, verifies the sha256 (or md5) and extracts; this module adds the manifest
(``data/manifest.toml``, also the README's data table), errors naming the URLs tried and the cache path,
``$COURSE_MANIFEST_OVERRIDE`` (data/README.md) and ``python -m utils.downloads --list | --where NAME | NAME``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tarfile
import tomllib
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from utils import settings

MANIFEST_PATH = settings.repo_root() / "data" / "manifest.toml"
OVERRIDE_ENV = "COURSE_MANIFEST_OVERRIDE"


class DownloadError(ConnectionError):
    """No URL delivered a file that passed its checks (server down, offline, or wrong bytes)."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside its folder (refused; nothing is kept)."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set: where to get it (first URL, then mirrors) and how to check it."""

    name: str
    urls: tuple[str, ...]
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    source: str = ""  # where the checksum was published
    unverified: str = ""  # why no checksum is pinned
    extract: bool = False

    def __post_init__(self) -> None:
        if not self.urls or isinstance(self.urls, str) or not (self.sha256 or self.md5 or self.unverified):
            raise ValueError(f"{self.name}: give a list of 'urls' and a 'sha256' (or 'md5'), or say in "
                             "'unverified' why there is none")
        object.__setattr__(self, "urls", tuple(self.urls))

    @property
    def checksum(self) -> str | None:
        return self.sha256 or self.md5

    def checks(self) -> str:
        """What is checked, in words (the README's data table)."""
        if self.checksum:
            return f"{'sha256' if self.sha256 else 'md5'} `{self.checksum[:12]}…` ({self.source})"
        return f"**unverified**: {self.unverified}" + ("; size checked" if self.size else "")


@dataclass(frozen=True)
class DataSource:
    """One data set of the manifest; cached in ``<data dir>/<name>/``."""

    name: str
    title: str
    homepage: str
    licence: str
    citation: str
    files: tuple[RemoteFile, ...]


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, DataSource]:
    """The course's manifest (``data/manifest.toml``), without any override."""
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return {name: DataSource(name=name, **{k: v for k, v in entry.items() if k != "files"},
                             files=tuple(RemoteFile(**f) for f in entry["files"]))
            for name, entry in raw.items()}


def manifest() -> dict[str, DataSource]:
    """``data/manifest.toml`` with ``$COURSE_MANIFEST_OVERRIDE`` applied: a JSON object
    ``{data set: {file name: {"urls": [...], "sha256": ..., "size": ...}}}`` whose fields replace the manifest's."""
    sources = load_manifest()
    override_path = os.environ.get(OVERRIDE_ENV, "").strip()
    if not override_path:
        return sources
    try:
        override = json.loads(Path(override_path).read_text(encoding="utf-8"))
        for name, files in override.items():
            source = _lookup(name, sources)
            unknown = set(files) - {f.name for f in source.files}
            if unknown:
                raise ValueError(f"data set {name!r} has no file {sorted(unknown)}")
            changed = (RemoteFile(**{**vars(f), **files.get(f.name, {})}) for f in source.files)
            sources[name] = replace(source, files=tuple(changed))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{OVERRIDE_ENV}={override_path!r} is not a usable manifest override ({exc}); it must be "
                         'a JSON object {data set: {file name: {"urls": [...], "sha256": "...", "size": n}}}') from exc
    return sources


def _lookup(name: object, sources: dict[str, DataSource]) -> DataSource:
    if not isinstance(name, str) or name not in sources:
        raise ValueError(f"Unknown data set {name!r}. Valid names: {', '.join(sorted(sources))}.")
    return sources[name]


def fetch(name: str, *, data_dir: Path | None = None) -> Path:
    """The folder ``<data dir>/<name>/`` holding data set ``name``'s files (archives extracted beside them).

    Missing or damaged files are downloaded with ``keras.utils.get_file`` and checked against the manifest;
    ``data_dir`` defaults to ``settings.data_dir()`` (``data/`` or ``$COURSE_DATA_DIR``). Raises ``ValueError``
    (unknown name, bad override), ``DownloadError`` (no URL gave a good file) or ``UnsafeArchiveError``.
    """
    source = _lookup(name, manifest())
    folder = (Path(data_dir) if data_dir is not None else settings.data_dir()) / source.name
    folder.mkdir(parents=True, exist_ok=True)  # get_file would silently fall back to /tmp/.keras otherwise
    for remote in source.files:
        _get(source, remote, folder)
    return folder


def _get(source: DataSource, remote: RemoteFile, folder: Path) -> None:
    import keras  # here, not at the top: the offline default profile never needs it

    path = folder / remote.name
    extracted = folder / f"{remote.name[:remote.name.find('.')]}_extracted"  # where get_file extracts to
    if remote.size is not None and path.is_file() and path.stat().st_size != remote.size:
        path.unlink()  # a truncated cached copy (get_file checks only the hash): download it again
    failures = []
    for url in remote.urls:
        try:
            with warnings.catch_warnings():  # get_file only warns about what it skips: make that an error
                warnings.filterwarnings("error", message="(Skipping invalid path|Could not extract)")
                keras.utils.get_file(remote.name, url, file_hash=remote.checksum, cache_dir=str(folder.parent),
                                     cache_subdir=folder.name, extract=remote.extract)
        except Exception as exc:  # get_file raises a bare Exception (network), ValueError (hash), TarError; warnings
            shutil.rmtree(extracted, ignore_errors=True)
            path.unlink(missing_ok=True)
            if isinstance(exc, tarfile.FilterError) or "Skipping invalid path" in str(exc):
                raise UnsafeArchiveError(f"refusing to extract {path} ({exc}): a member would land outside {extracted}"
                                         ", or is a link out or a device file. The archive was deleted.") from exc
            failures.append(f"  - {url}: {exc}")
            continue
        if remote.size is not None and path.stat().st_size != remote.size:
            failures.append(f"  - {url}: {path.stat().st_size:,} bytes instead of {remote.size:,} (truncated?)")
            path.unlink()
            continue
        if not remote.checksum:
            warnings.warn(f"UNVERIFIED DATA: {path} has no published checksum ({remote.unverified}).", stacklevel=3)
        return
    raise DownloadError(
        f"Could not download {remote.name} of data set {source.name!r}. Tried:\n" + "\n".join(failures)
        + f"\nCache path: {path}\nOffline? Download it from one of the URLs above and place it at that path "
        f"(`python -m utils.downloads --where {source.name}`); fetch({source.name!r}) checks it before use.")


def manifest_markdown(sources: dict[str, DataSource] | None = None) -> str:
    """The manifest as the README's data table (what is checked for each file is spelled out)."""
    rows = ["| data set | files (first URL, then mirrors) | size | checked | licence | citation | cache path |",
            "| --- | --- | ---: | --- | --- | --- | --- |"]
    for source in (sources or load_manifest()).values():
        files = "<br>".join(f"[{f.name}]({f.urls[0]})" + "".join(f" ([mirror]({u}))" for u in f.urls[1:])
                            for f in source.files)
        sizes = [f.size or 0 for f in source.files]
        size = f"{sum(sizes) / 1e6:,.1f} MB" if all(sizes) else "unknown"
        rows.append(f"| [`{source.name}`]({source.homepage}): {source.title} | {files} | {size} "
                    f"| {'<br>'.join(f.checks() for f in source.files)} | {source.licence} | {source.citation} "
                    f"| `data/{source.name}/` |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.downloads", description="Fetch or locate the data sets.")
    parser.add_argument("names", nargs="*", help="data sets to download (see --list)")
    parser.add_argument("--list", action="store_true", help="print the manifest as a Markdown table")
    parser.add_argument("--where", action="store_true", help="print where each file must be placed for offline use")
    args = parser.parse_args(argv)
    if args.list or not args.names:
        print(manifest_markdown())
    for name in args.names:
        paths = [settings.data_dir() / name / f.name for f in _lookup(name, manifest()).files]
        if args.where:
            print("\n".join(map(str, paths)))
        else:
            print(fetch(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
