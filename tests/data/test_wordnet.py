"""WordNet for users: found in $DEEPMAP_DATA, $NLTK_DATA, NLTK's folders or the cache (in that
order); otherwise NLTK's wordnet.zip downloaded (here: a fake archive made by the test,
served from a file:// URL, the network blocked), its structure checked, and unpacked into
the cache; offline, one clear error naming the URL and where to put the files."""

from __future__ import annotations

import zipfile

import pytest

from deepmap.data import registry
from deepmap.data import wordnet as dw
from deepmap.data.cache import RemoteFile, cache_dir
from deepmap.errors import DataError, DataUnavailableError
from deepmap.text.lemmatize import WordNetLemmatizer

FILES = {
    "index.noun": "  1 licence  \ndog n 1 0 1 0 02084071  \ngoose n 1 0 1 0 01855672  \n",
    "index.verb": "run v 1 0 1 0 01926311  \n",
    "index.adj": "good a 1 0 1 0 01123148  \n",
    "index.adv": "well r 1 0 1 0 00011093  \n",
    "noun.exc": "geese goose\n",
    "verb.exc": "ran run\n",
    "adj.exc": "better good\n",
    "adv.exc": "",
}


def make_folder(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder


def make_zip(path, files=FILES, top="wordnet"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{top}/", "")
        for name, text in files.items():
            zf.writestr(f"{top}/{name}", text)
    return path


@pytest.fixture(autouse=True)
def _nowhere(monkeypatch):
    """No WordNet anywhere but where a test puts it."""
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.delenv("DEEPMAP_OFFLINE", raising=False)
    monkeypatch.setattr(dw, "_nltk_default_roots", lambda: [])
    dw._load.cache_clear()


def test_search_order(tmp_path, monkeypatch):
    cached = make_folder(cache_dir() / "nltk_data" / "corpora" / "wordnet")
    assert dw.find_wordnet() == ("cached", cached)
    nltk_root = tmp_path / "nltk"
    make_folder(nltk_root / "corpora" / "wordnet")
    monkeypatch.setattr(dw, "_nltk_default_roots", lambda: [nltk_root])
    assert dw.find_wordnet()[0] == "nltk_data"
    env = tmp_path / "env"
    make_folder(env / "corpora" / "wordnet")
    monkeypatch.setenv("NLTK_DATA", f"{tmp_path / 'empty'}:{env}")
    assert dw.find_wordnet() == ("$NLTK_DATA", env / "corpora" / "wordnet")
    data = tmp_path / "data"
    make_folder(data / "nltk_data" / "corpora" / "wordnet")
    monkeypatch.setenv("DEEPMAP_DATA", str(data))
    assert dw.find_wordnet() == ("$DEEPMAP_DATA", data / "nltk_data" / "corpora" / "wordnet")
    assert registry.get("wordnet").where().status == "$DEEPMAP_DATA"


def test_a_folder_missing_a_file_does_not_count(tmp_path, monkeypatch):
    data = tmp_path / "data"
    folder = make_folder(data / "nltk_data" / "corpora" / "wordnet")
    (folder / "verb.exc").unlink()
    monkeypatch.setenv("DEEPMAP_DATA", str(data))
    assert dw.find_wordnet() is None
    with pytest.raises(DataError, match="not a WordNet folder"):
        dw.load_wordnet_data(folder)


def test_download_checks_and_unpacks_into_the_cache(tmp_path, monkeypatch):
    archive = make_zip(tmp_path / "wordnet.zip")
    monkeypatch.setattr(dw, "WORDNET_FILE", RemoteFile(archive.as_uri(), "wordnet.zip"))
    assert registry.get("wordnet").where().status == "downloadable"
    wnl = WordNetLemmatizer()
    assert wnl.lemmatize("ran", "v") == "run" and wnl.lemmatize("ran") == "ran"
    assert wnl.lemmatize("geese") == "goose" and wnl.lemmatize("better", "a") == "good"
    folder = cache_dir() / "nltk_data" / "corpora" / "wordnet"
    assert wnl.wordnet_.folder == folder.resolve()
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert dw.find_wordnet() == ("cached", folder)
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("files", "top", "why"),
    [
        ({k: v for k, v in FILES.items() if k != "index.verb"}, "wordnet", "no wordnet/index"),
        (FILES, "WordNet-3.0", "not under wordnet/"),
        ({**FILES, "../../evil": "x"}, "wordnet", "unsafe member path"),
    ],
)
def test_a_foreign_archive_is_refused_and_nothing_unpacked(tmp_path, files, top, why):
    archive = make_zip(tmp_path / "wordnet.zip", files, top)
    parent = tmp_path / "out"
    with pytest.raises(DataError, match=why):
        dw.extract_wordnet(archive, parent)
    assert not parent.exists() or list(parent.iterdir()) == []


def test_a_damaged_zip_is_refused(tmp_path):
    bad = tmp_path / "wordnet.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="not a readable zip"):
        dw.extract_wordnet(bad, tmp_path / "out")


def test_a_zip_placed_by_hand_is_checked_and_unpacked_offline(tmp_path, monkeypatch):
    import hashlib

    archive = make_zip(tmp_path / "wordnet.zip")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(dw, "WORDNET_FILE", RemoteFile(dw.WORDNET_URL, "wordnet.zip", digest))
    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    placed = cache_dir() / "nltk_data" / "corpora" / "wordnet.zip"
    placed.parent.mkdir(parents=True)
    placed.write_bytes(archive.read_bytes())
    assert dw.wordnet_folder() == placed.parent / "wordnet"
    placed.write_bytes(archive.read_bytes() + b"x")  # damaged: the checksum refuses it
    (placed.parent / "wordnet" / "index.noun").unlink()
    with pytest.raises(DataError, match="checksum mismatch"):
        dw.wordnet_folder()


def test_the_canonical_file_is_pinned():
    assert dw.WORDNET_FILE.sha256 == dw.WORDNET_SHA256 and len(dw.WORDNET_SHA256) == 64
    assert dw.WORDNET_FILE.url.startswith("https://raw.githubusercontent.com/nltk/nltk_data/")


def test_offline_error_names_url_and_folder(monkeypatch):
    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    assert registry.get("wordnet").where().status == "not found"
    with pytest.raises(DataUnavailableError) as e:
        WordNetLemmatizer().lemmatize("ran", "v")
    message = str(e.value)
    assert dw.WORDNET_URL in message and "DEEPMAP_OFFLINE=1" in message
    assert str(cache_dir() / "nltk_data" / "corpora") in message and dw.WORDNET_SHA256 in message
    assert "\n" not in message


def test_network_blocked_is_the_same_clear_error():
    # the real URL, with the test suite's socket guard: a DataUnavailableError, no traceback
    with pytest.raises(DataUnavailableError, match="cannot download https://raw"):
        dw.wordnet_folder()
    assert not (cache_dir() / "nltk_data" / "corpora" / "wordnet.zip").exists()


def test_registered_for_data_list():
    d = registry.get("wordnet")
    assert d.files[0].url == dw.WORDNET_URL and d.source == "download"
