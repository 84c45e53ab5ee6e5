"""Damaged, truncated, empty or mismatched checkpoints are refused in one line that names
the file, never with a traceback, and nothing in them is unpickled as code."""

from __future__ import annotations

import json
import shutil

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

from tests.train.toys import mlp  # noqa: E402

from deepmap.errors import DataError  # noqa: E402
from deepmap.train import TrainConfig, fit  # noqa: E402


class Payload:
    """What a malicious pickle would carry: running it would create a file."""

    def __reduce__(self):
        return (open, ("/tmp/deepmap-pwned", "w"))


@pytest.fixture
def good(tmp_path, blobs):
    train_set, val_set = blobs
    fit(mlp(), train_set, val_set,
        TrainConfig(epochs=2, batch_size=8, checkpoint_dir=tmp_path / "good"))  # fmt: skip
    return tmp_path / "good"


def damage(folder, how):
    state = folder / "state"
    if how == "truncated-weights":
        data = (state / "model.safetensors").read_bytes()
        (state / "model.safetensors").write_bytes(data[: len(data) // 2])
        return "model.safetensors"
    if how == "empty-weights":
        (state / "model.safetensors").write_bytes(b"")
        return "model.safetensors"
    if how == "garbage-weights":
        (state / "model.safetensors").write_bytes(b"\x00" * 8 + b"not a header")
        return "model.safetensors"
    if how == "missing-weights":
        (state / "model.safetensors").unlink()
        return "model.safetensors"
    if how == "truncated-trainer":
        data = (state / "trainer.pt").read_bytes()
        (state / "trainer.pt").write_bytes(data[:100])
        return "trainer.pt"
    if how == "empty-trainer":
        (state / "trainer.pt").write_bytes(b"")
        return "trainer.pt"
    if how == "pickle-payload":
        import pickle

        (state / "trainer.pt").write_bytes(pickle.dumps(Payload()))
        return "trainer.pt"
    if how == "torch-payload":
        torch.save({"optimizer": Payload(), "rng": {}, "generators": []}, state / "trainer.pt")
        return "trainer.pt"
    if how == "bad-json":
        (state / "trainer.json").write_text('{"format": 2, "step": ')
        return "trainer.json"
    if how == "empty-json":
        (state / "trainer.json").write_text("")
        return "trainer.json"
    if how == "deep-json":
        (state / "trainer.json").write_text("[" * 100_000 + "]" * 100_000)
        return "trainer.json"
    if how == "wrong-json":
        (state / "trainer.json").write_text(json.dumps({"format": 2, "step": 3}))
        return "trainer.json"
    if how == "no-json":
        (state / "trainer.json").unlink()
        return "trainer.json"
    if how == "old-format":
        shutil.rmtree(state)
        (folder / "state").mkdir()
        (folder / "trainer.json").write_text(json.dumps({"epoch": 2, "history": {}}))
        return "trainer.json"
    raise AssertionError(how)


HOW = ["truncated-weights", "empty-weights", "garbage-weights", "missing-weights",
       "truncated-trainer", "empty-trainer", "pickle-payload", "torch-payload", "bad-json",
       "empty-json", "deep-json", "wrong-json", "no-json", "old-format"]  # fmt: skip


def resume(folder, blobs, model=None, **kw):
    train_set, val_set = blobs
    cfg = TrainConfig(epochs=3, batch_size=kw.pop("batch_size", 8), checkpoint_dir=folder,
                      resume=True, **kw)  # fmt: skip
    return fit(model or mlp(), train_set, val_set, cfg)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("how", HOW)
def test_damaged_checkpoint_is_refused_in_one_line(good, blobs, how):
    name = damage(good, how)
    with pytest.raises(DataError) as info:
        resume(good, blobs)
    msg = str(info.value)
    assert "\n" not in msg and name in msg and len(msg) < 300
    assert not __import__("os").path.exists("/tmp/deepmap-pwned")


def test_mismatched_model_or_data_is_refused(good, blobs):
    with pytest.raises(DataError, match=r"model\.safetensors: the weights do not fit"):
        resume(good, blobs, model=mlp(hidden=12))
    extra = torch.nn.Sequential(*mlp(), torch.nn.Linear(2, 2))
    with pytest.raises(DataError, match=r"model\.safetensors: the weights do not fit"):
        resume(good, blobs, model=extra)
    with pytest.raises(DataError, match=r"trainer\.json: written with batch_size 8"):
        resume(good, blobs, batch_size=4)
    with pytest.raises(DataError, match=r"trainer\.json: written with seed 0"):
        resume(good, blobs, seed=1)


def test_a_crash_while_saving_keeps_the_previous_checkpoint(good, blobs):
    (good / "state").rename(good / ".state.prev")  # the swap was cut between its renames
    (good / ".state.next").mkdir()
    h = resume(good, blobs)
    assert h.resumed_from_epoch == 2 and len(h.val_loss) == 3


def test_cli_refuses_a_damaged_checkpoint_in_one_line(tmp_path, capsys):
    from deepmap.cli import main

    out = tmp_path / "run"
    state = tmp_path / ".run.checkpoint" / "state"
    state.mkdir(parents=True)
    (state / "trainer.json").write_text("not json")
    code = main(["train", "digitcnn", "--data", "digits", "--epochs", "1", "--resume",
                 "--out", str(out), "--json"])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2 and "trainer.json" in err and "Traceback" not in err
    assert len(err.splitlines()) == 1 and not out.exists()
