"""The dataset registry and `deepmap data list`: every dataset deepmap loads, where it is."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from deepmap.cli import main
from deepmap.data import DATASETS, Dataset, get, register
from deepmap.errors import InputError

# Every loader deepmap has today, by the dataset name that stands for it.
LOADED_TODAY = {
    "imdb", "imdb-train-bundled", "text-file", "mnist", "digits-8x8", "pneumoniamnist", "kermany"
}  # fmt: skip
HEAVY = ("numpy", "scipy", "sklearn", "torch", "matplotlib", "pandas")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_dataset_deepmap_loads_is_registered_with_its_facts():
    assert set(DATASETS) >= LOADED_TODAY
    for d in DATASETS.values():
        assert d.description and d.license and d.source in ("bundled", "download", "local", "user")
        assert callable(d.loader)
        assert d.where().status in (
            "bundled", "cached", "$DEEPMAP_DATA", "downloadable", "not found", "user path"
        )  # fmt: skip
        if d.source == "download":
            assert d.files and all(f.sha256 and f.url.startswith("https://") for f in d.files)


def test_listing_imports_no_loader_and_no_heavy_library():
    code = (
        "import sys, deepmap.data as d\n"
        "rows = [(x.name, x.where().status) for x in d.DATASETS.values()]\n"
        f"mods = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}\n"
        "        or m in ('deepmap.data.text', 'deepmap.data.digits', 'deepmap.data.chest')]\n"
        "print(len(rows), sorted(mods))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split(" ", 1)[1].strip() == "[]", out.stdout


def test_declarations_match_the_loaders_files():
    from deepmap.data import digits, registry, text

    assert registry.MNIST_FILES is digits.MNIST_FILES
    assert registry.IMDB_FILE is text.IMDB_FILE
    assert get("imdb").files == (text.IMDB_FILE,)


def test_loader_modules_leave_the_declarations_alone():
    import importlib

    before = dict(DATASETS)
    for module in ("deepmap.data.chest", "deepmap.data.digits", "deepmap.data.text"):
        importlib.import_module(module)
    assert before == DATASETS
    with pytest.raises(InputError, match="registered twice"):
        register(Dataset("mnist", "x", "local", "y", lambda: None))


def test_unknown_duplicate_and_unknown_name_are_refused():
    d = Dataset("tmp-test-set", "x", "user", "y", lambda: None)
    register(d)
    try:
        with pytest.raises(InputError, match="registered twice"):
            register(d)
    finally:
        del DATASETS["tmp-test-set"]
    with pytest.raises(InputError, match=r"unknown dataset 'nope'; known: .*mnist"):
        get("nope")


def test_bundled_loader_loads_real_data():
    digits = get("digits-8x8").loader()
    assert digits.train_x.shape[1:] == (1, 28, 28)
    assert len(digits.train_x) + len(digits.val_x) + len(digits.test_x) == 1797


def test_status_follows_the_cache_and_deepmap_data(tmp_path, monkeypatch, bare_machine):
    home = tmp_path / "home"
    assert get("imdb").where().status == "downloadable"
    assert get("mnist").where().status == "downloadable"
    assert get("pneumoniamnist").where().status == "not found"
    assert get("kermany").where().status == "user path"
    assert get("digits-8x8").where().status == "bundled"
    assert get("digits-8x8").where().path.is_file()

    (home / "imdb").mkdir(parents=True)
    (home / "imdb" / "aclImdb_v1.tar.gz").write_bytes(b"x")
    loc = get("imdb").where()
    assert (loc.status, loc.path) == ("cached", home / "imdb" / "aclImdb_v1.tar.gz")

    data = tmp_path / "data"
    (data / "mnist").mkdir(parents=True)
    with gzip.open(data / "mnist" / "mnist.pkl.gz", "wb") as f:
        f.write(b"x")
    (data / "pneumoniamnist").mkdir()
    (data / "pneumoniamnist" / "p.npz").write_bytes(b"x")
    monkeypatch.setenv("DEEPMAP_DATA", str(data))
    assert get("mnist").where().status == "$DEEPMAP_DATA"
    assert get("pneumoniamnist").where().path == data / "pneumoniamnist" / "p.npz"

    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    assert get("imdb").where().status == "cached"  # still here offline
    (home / "imdb" / "aclImdb_v1.tar.gz").unlink()
    assert get("imdb").where().status == "not found"


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No cache, no $DEEPMAP_DATA, online: whatever the shell running the tests has set."""
    monkeypatch.setenv("DEEPMAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    monkeypatch.delenv("DEEPMAP_OFFLINE", raising=False)


def test_data_list_json(capsys, tmp_path, bare_machine):
    code, out, _ = run(capsys, "data", "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert {r["name"] for r in rows} == set(DATASETS)
    imdb = next(r for r in rows if r["name"] == "imdb")
    assert imdb["status"] == "downloadable"
    assert imdb["path"] == str(tmp_path / "home" / "imdb" / "aclImdb_v1.tar.gz")
    assert imdb["files"][0]["sha256"] == get("imdb").files[0].sha256
    bundled = next(r for r in rows if r["name"] == "digits-8x8")
    assert bundled["status"] == "bundled" and bundled["bytes_on_disk"] > 0


def test_data_list_text_and_filter(capsys, tmp_path, bare_machine):
    code, out, _ = run(capsys, "data", "list", "mnist")
    assert code == 0
    assert "mnist" in out and "[downloadable]" in out and "CC BY-SA 3.0" in out
    assert str(tmp_path / "home" / "mnist") in out
    assert "imdb" not in out
    code, _, err = run(capsys, "data", "list", "nope")
    assert code == 2 and err.startswith("deepmap: error: unknown dataset 'nope'")
