"""The download cache: checksums, atomic writes, and a clear error offline."""

from __future__ import annotations

import hashlib

import pytest

from deepmap.data import RemoteFile, cache_dir, fetch
from deepmap.errors import DataError, DataUnavailableError


def _source(tmp_path, payload: bytes = b"real bytes\n" * 100):
    src = tmp_path / "src.bin"
    src.write_bytes(payload)
    return src, hashlib.sha256(payload).hexdigest()


def test_fetch_downloads_checks_and_caches(tmp_path):
    src, sha = _source(tmp_path)
    remote = RemoteFile(src.as_uri(), "data.bin", sha)
    seen = []
    path = fetch(remote, subdir="demo", progress=lambda done, total: seen.append(done))
    assert path == cache_dir() / "demo" / "data.bin"
    assert path.read_bytes() == src.read_bytes()
    assert seen and seen[-1] == src.stat().st_size
    src.unlink()  # second call is served from the cache
    assert fetch(remote, subdir="demo") == path


def test_checksum_mismatch_leaves_nothing_behind(tmp_path):
    src, _ = _source(tmp_path)
    remote = RemoteFile(src.as_uri(), "data.bin", "0" * 64)
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch(remote)
    assert list(cache_dir().iterdir()) == []


def test_offline_error_names_url_cache_and_fix():
    remote = RemoteFile("https://example.org/aclImdb_v1.tar.gz", "aclImdb_v1.tar.gz", "ab" * 32)
    with pytest.raises(DataUnavailableError) as e:
        fetch(remote, subdir="imdb")
    msg = str(e.value)
    assert "https://example.org/aclImdb_v1.tar.gz" in msg
    assert str(cache_dir() / "imdb" / "aclImdb_v1.tar.gz") in msg
    assert "place it at" in msg
    assert not (cache_dir() / "imdb" / "aclImdb_v1.tar.gz").exists()


def test_offline_switch(monkeypatch, tmp_path):
    src, sha = _source(tmp_path)
    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    with pytest.raises(DataUnavailableError, match="DEEPMAP_OFFLINE"):
        fetch(RemoteFile(src.as_uri(), "x.bin", sha))


def test_corrupt_cached_file_is_reported(tmp_path):
    src, sha = _source(tmp_path)
    remote = RemoteFile(src.as_uri(), "x.bin", sha)
    path = fetch(remote)
    path.write_bytes(b"tampered")
    with pytest.raises(DataError, match="checksum mismatch"):
        fetch(remote)
