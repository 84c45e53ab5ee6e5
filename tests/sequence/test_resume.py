"""`deepmap lm train --resume`: N steps straight equal N/2, interrupted, then resumed to N
(weights, losses), through the lab and through the CLI's checkpoint beside OUT."""

from __future__ import annotations

import json

import pytest
import torch

from deepmap.cli import main
from deepmap.errors import DataError
from deepmap.sequence.lab import LMConfig, train_lm

TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind.\n" * 20


@pytest.fixture()
def text_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def _config(text_file, steps, **kw):
    return LMConfig(
        model=kw.pop("model", "lstm"), data=str(text_file), layers=2, hidden=12,
        dropout=0.1, seq_len=8, batch_size=4, max_steps=steps, eval_every=4,
        save_every=2, lr=1e-2, seed=3, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("model", ["lstm", "gru"])
def test_half_then_resume_equals_straight(text_file, tmp_path, model):
    straight = train_lm(_config(text_file, 8, model=model))
    ckpt = tmp_path / "ckpt"
    half = train_lm(_config(text_file, 4, model=model), checkpoint_dir=ckpt)
    assert half.result["steps"] == 4
    resumed = train_lm(_config(text_file, 8, model=model), checkpoint_dir=ckpt, resume=True)
    assert resumed.result["resumed_from_step"] == 4
    assert resumed.history["val_loss"] == straight.history["val_loss"]
    assert resumed.history["train_loss"] == straight.history["train_loss"]
    a, b = straight.model.state_dict(), resumed.model.state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_resume_refuses_another_run(text_file, tmp_path):
    ckpt = tmp_path / "ckpt"
    train_lm(_config(text_file, 2), checkpoint_dir=ckpt)
    with pytest.raises(DataError):  # another batch size: another data order
        cfg = _config(text_file, 4)
        cfg.batch_size = 2
        train_lm(cfg, checkpoint_dir=ckpt, resume=True)


def test_cli_resume_continues_the_checkpoint_beside_out(text_file, tmp_path, capsys):
    out = tmp_path / "o"
    base = ["lm", "train", "--data", str(text_file), "--layers", "1", "--hidden", "8",
            "--seq-len", "8", "--batch-size", "4", "--eval-every", "2", "--save-every", "2",
            "--out", str(out)]  # fmt: skip
    assert main([*base, "--max-steps", "2"]) == 0
    assert (tmp_path / ".o.checkpoint").is_dir()
    assert main([*base, "--max-steps", "4", "--resume"]) == 0
    result = json.loads((out / "results.json").read_text())
    assert result["resumed_from_step"] == 2 and result["steps"] == 4
    assert result["history"]["steps"] == [2, 4]
    capsys.readouterr()
