"""Provenance: what produced a result, recorded in every results.json write_run writes."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sklearn

import deepmap
from deepmap.report import provenance as prov
from deepmap.report.figures import write_run
from deepmap.report.provenance import data_checksum, provenance

REPO = Path(__file__).resolve().parents[2]


def _head() -> str | None:
    if shutil.which("git") is None:
        return None
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip() if out.returncode == 0 else None


def test_versions_machine_and_seed():
    p = provenance(seed=7, data="abc", command="deepmap x")
    assert p["deepmap"] == deepmap.__version__
    assert p["python"] == platform.python_version()
    assert p["numpy"] == np.__version__
    assert p["scikit-learn"] == sklearn.__version__
    assert (p["seed"], p["data_sha256"], p["command"]) == (7, "abc", "deepmap x")
    assert isinstance(p["cpu"], str) and p["cpu"]
    assert isinstance(p["threads"], int) and p["threads"] >= 1
    json.dumps(p, allow_nan=False)  # plain JSON


def test_git_commit_in_a_checkout():
    head = _head()
    if head is None or not (REPO / ".git").exists():
        pytest.skip("not running from a git checkout")
    commit = provenance()["git_commit"]
    assert commit is not None and commit.removesuffix("-dirty") == head


def test_git_commit_is_none_outside_a_checkout(tmp_path, monkeypatch):
    # As if deepmap were installed from a wheel: its files are not in a git work tree.
    monkeypatch.setattr(prov, "__file__", str(tmp_path / "provenance.py"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert provenance()["git_commit"] is None


def test_data_checksum_files_and_strings(tmp_path):
    f = tmp_path / "d.csv"
    f.write_bytes(b"text,label\nhi,pos\n")
    import hashlib

    want = hashlib.sha256(b"text,label\nhi,pos\n" + b"\0").hexdigest()
    assert data_checksum(f) == want
    assert data_checksum("digits", "seed 0") != data_checksum("digits", "seed 1")


def test_write_run_adds_provenance(tmp_path):
    f = tmp_path / "train.csv"
    f.write_text("a,b\n")
    paths = write_run(tmp_path / "run", {"accuracy": 0.9}, {}, seed=3, data=f)
    data = json.loads(paths[0].read_text())
    assert data["accuracy"] == 0.9
    assert data["provenance"]["seed"] == 3
    assert data["provenance"]["data_sha256"] == data_checksum(f)
    assert data["provenance"]["numpy"] == np.__version__


def test_write_run_old_call_and_other_json_names(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    paths = write_run(tmp_path / "run", {"train_loss": [1.0, 0.5]}, {"c.png": fig}, "history.json")
    assert [p.name for p in paths] == ["history.json", "c.png"]
    data = json.loads(paths[0].read_text())
    assert data["train_loss"] == [1.0, 0.5] and data["provenance"]["seed"] is None
    assert (tmp_path / "run" / "c.png").stat().st_size > 0


def test_write_run_keeps_a_writers_own_provenance_and_writes_strict_json(tmp_path):
    own = provenance(seed=11, command="lab")
    result = {"loss": float("nan"), "best": float("inf"), "n": np.int64(4), "provenance": own}
    path = write_run(tmp_path / "run", result, {})[0]
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert (data["loss"], data["best"], data["n"]) == (None, None, 4)
    assert data["provenance"]["seed"] == 11 and data["provenance"]["command"] == "lab"


def test_command_is_recorded_as_typed(monkeypatch):
    monkeypatch.setattr("sys.argv", ["/x/src/deepmap/__main__.py", "train", "--out", "a b"])
    assert provenance()["command"] == "deepmap train --out 'a b'"
    monkeypatch.setattr("sys.argv", ["bench.py", "--n", "3"])
    assert provenance()["command"] == "bench.py --n 3"
