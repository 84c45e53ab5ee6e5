"""The labs' checkpoints through the CLI: Ctrl-C says what was kept, --resume continues it
(train and transfer), and a damaged or mismatched checkpoint is refused in one line naming
it. Tiny generated chest images; CPU only."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from deepmap.cli import main

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

import deepmap.vision.labs as labs  # noqa: E402
from deepmap.errors import InputError  # noqa: E402
from deepmap.vision.checkpoint import META, check_fits  # noqa: E402


def tiny_npz(path: Path, n: int = 16) -> Path:
    """n images a split (28x28, both classes), so batch 8 gives 2 steps an epoch."""
    rng = np.random.default_rng(0)
    arrays = {}
    for s in ("train", "val", "test"):
        arrays[f"{s}_images"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{s}_labels"] = np.arange(n) % 2
    np.savez(path, **arrays)
    return path


def chest(data, out, *more):
    return ["train", "chestcnn", "--data", str(data), "--out", str(out), "--batch-size", "8",
            "--no-augment", *more]  # fmt: skip


def one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: "), lines
    return lines[0]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One finished 1-epoch chestcnn run: its data and its kept checkpoint, to copy."""
    root = tmp_path_factory.mktemp("trained")
    data = tiny_npz(root / "p.npz")
    assert main(chest(data, root / "o", "--epochs", "1", "--json")) == 0
    return data, root / ".o.checkpoint"


@pytest.fixture
def copy(trained, tmp_path):
    data, ck = trained
    shutil.copytree(ck, tmp_path / ".o.checkpoint")
    return data, tmp_path / "o", tmp_path / ".o.checkpoint"


def test_ctrl_c_names_the_checkpoint_and_resume_continues(tmp_path, capsys, monkeypatch):
    from deepmap.report.provenance import data_checksum

    data, out = tiny_npz(tmp_path / "p.npz"), tmp_path / "o"
    real, seen = labs.fit, []

    def interrupted(model, train, val, config, *, on_step=None, on_epoch=None, **kw):
        steps = []

        def step(*a):
            steps.append(a)
            if len(steps) == 3:  # the first step of epoch 2: the user presses Ctrl-C
                raise KeyboardInterrupt
            on_step(*a)

        def epoch(e, m):
            seen.append(m["val_loss"])
            on_epoch(e, m)

        return real(model, train, val, config, on_step=step, on_epoch=epoch, **kw)

    monkeypatch.setattr(labs, "fit", interrupted)
    assert main(chest(data, out, "--epochs", "2")) == 130
    line = one_error_line(capsys)
    ck = tmp_path / ".o.checkpoint"
    assert line == (f"deepmap: interrupted; the checkpoint {ck} is kept (epoch 1 done): run "
                    "the same command with --resume to continue.")  # fmt: skip
    assert not out.exists() and ck.is_dir() and len(seen) == 1
    monkeypatch.setattr(labs, "fit", real)
    assert main(chest(data, out, "--epochs", "2", "--resume", "--json")) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["history"]["val_loss"]) == 2
    assert result["history"]["val_loss"][0] == seen[0]  # epoch 1 came from the checkpoint
    assert result["checkpoint"] == str(ck)
    saved = json.loads((out / "results.json").read_text())
    assert saved["provenance"]["seed"] == 0
    assert saved["provenance"]["data_sha256"] == data_checksum(data)


def test_ctrl_c_before_any_checkpoint(tmp_path, capsys, monkeypatch):
    def at_once(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(labs, "fit", at_once)
    assert main(chest(tiny_npz(tmp_path / "p.npz"), tmp_path / "o")) == 130
    assert "nothing was kept" in one_error_line(capsys)
    assert not (tmp_path / "o").exists()


def test_damaged_model_weights(copy, capsys):
    data, out, ck = copy
    weights = next(ck.rglob("model*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])
    assert main(chest(data, out, "--resume")) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"deepmap: error: --resume: the checkpoint {ck}") and "damaged" in line
    assert weights.name in line and not out.exists()
    # without --resume the damaged checkpoint is replaced by a fresh run
    assert main(chest(data, out, "--epochs", "1", "--json")) == 0
    capsys.readouterr()
    assert next(ck.rglob("model*.safetensors")).stat().st_size > 1000


def test_damaged_json(copy, capsys):
    data, out, ck = copy
    record = next(p for p in ck.rglob("*.json") if p.name != META)
    record.write_text('{"epoch": 1, "hist')
    assert main(chest(data, out, "--resume")) == 2
    line = one_error_line(capsys)
    assert "damaged" in line and record.name in line


def test_damaged_optimizer_or_rng_state_with_a_pickle_payload(copy, capsys, tmp_path):
    class Payload:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    data, out, ck = copy
    victims = [p for p in ck.rglob("*") if p.suffix in (".bin", ".pt", ".pth", ".pkl")]
    if not victims:
        pytest.skip("the loop keeps no pickled state (all safetensors/JSON, checked above)")
    for p in victims:
        p.write_bytes(pickle.dumps(Payload()))
    assert main(chest(data, out, "--resume")) == 2
    line = one_error_line(capsys)
    assert line.startswith("deepmap: error: ") and str(ck) in line  # names the checkpoint
    assert re.search("cannot restore|damaged|refused", line), line
    assert not (tmp_path / "pwned").exists() and not out.exists()


def test_resume_with_other_settings_or_model(copy, capsys):
    data, out, ck = copy
    assert main(chest(data, out, "--resume", "--imbalance", "none")) == 2
    assert "was written with imbalance 'weighted', not imbalance 'none'" in one_error_line(capsys)
    transfer = ["transfer", "mobilenet_v2", "--no-pretrained", "--data", str(data), "--size",
                "32", "--batch-size", "8", "--out", str(out), "--resume"]  # fmt: skip
    assert main(transfer) == 2
    assert "model 'chestcnn'" in one_error_line(capsys)
    (ck / META).unlink()  # without the lab's record, the weights' shapes still tell
    assert main(transfer) == 2
    line = one_error_line(capsys)
    assert "does not fit this model" in line and "model.safetensors" in line


def test_check_fits_compares_names_and_shapes(copy):
    from deepmap.vision.models import chestcnn

    _, _, ck = copy
    check_fits(ck, chestcnn(in_channels=3))  # the model it was written by
    with pytest.raises(InputError, match="1 differently shaped"):
        check_fits(ck, chestcnn(in_channels=1))


def test_transfer_resumes(tmp_path, capsys):
    data = tiny_npz(tmp_path / "p.npz")
    argv = ["transfer", "mobilenet_v2", "--no-pretrained", "--data", str(data), "--size",
            "32", "--batch-size", "8", "--out", str(tmp_path / "t"), "--json"]  # fmt: skip
    assert main([*argv, "--epochs", "1"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["checkpoint"] == str(tmp_path / ".t.checkpoint")
    assert main([*argv, "--epochs", "2", "--resume"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert len(second["history"]["val_loss"]) == 2
    assert second["history"]["val_loss"][0] == first["history"]["val_loss"][0]
    assert second["lr"] == 1e-3 and second["mode"] == "feature"
