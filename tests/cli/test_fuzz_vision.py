"""Bad input to `deepmap train digitcnn|chestcnn` and `deepmap transfer`, as a new user types it.

Every case: exit code 2, one line on stderr starting `deepmap: error:`, nothing written, and
(for the settings) refused before any data is read, any model built or any training run:
those functions are replaced by ones that fail the test if called."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

from deepmap.cli import main

pytest.importorskip("torch")

NPZ = "chest.npz"
COMMANDS = {
    "digitcnn": ["train", "digitcnn", "--data", "digits"],
    "chestcnn": ["train", "chestcnn", "--data", NPZ],
    "transfer": ["transfer", "mobilenet_v2", "--no-pretrained", "--data", NPZ, "--size", "32"],
}
EVERY = list(COMMANDS)
CHEST = ["chestcnn", "transfer"]


def _never(*args, **kwargs):
    raise AssertionError("work started before the input was refused")


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder of its own (the current directory, so default --out paths land in it) with
    a valid chest .npz; loading, building and training fail the test if reached."""
    import deepmap.data.chest
    import deepmap.data.digits
    import deepmap.vision.labs
    import deepmap.vision.transfer

    w = tmp_path / "w"
    w.mkdir()
    monkeypatch.chdir(w)
    rng = np.random.default_rng(0)
    arrays = {}
    for s in ("train", "val", "test"):
        arrays[f"{s}_images"] = rng.integers(0, 256, (8, 28, 28), dtype=np.uint8)
        arrays[f"{s}_labels"] = np.arange(8) % 2
    np.savez(w / NPZ, **arrays)
    (w / "a-file").write_text("x")
    (w / "foreign").mkdir()
    (w / "foreign" / "notes.txt").write_text("someone else's")
    for module, name in [
        (deepmap.vision.labs, "fit"),
        (deepmap.data.digits, "resolve_digits"),
        (deepmap.data.chest, "resolve_chest"),
        (deepmap.vision.transfer, "build"),
    ]:
        monkeypatch.setattr(module, name, _never)
    return w


def refused(argv, work, capsys, match):
    before = _tree(work)
    code = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("deepmap: error:"), err
    assert re.search(match, lines[0]), lines[0]
    assert _tree(work) == before, "something was written"


SETTINGS = [
    (EVERY, ["--seed", "-1"], r"--seed must be an integer in \[0, 4294967295\]. Got -1"),
    (EVERY, ["--seed", str(2**32)], "--seed must be an integer in .* Got 4294967296"),
    (EVERY, ["--batch-size", "0"], r"--batch-size must be an integer in \[1, "),
    (EVERY, ["--batch-size", "10000000"], "--batch-size must be an integer in"),
    (EVERY, ["--epochs", "0"], r"--epochs must be an integer in \[1, "),
    (EVERY, ["--epochs", "-3"], "--epochs must be an integer"),
    (EVERY, ["--lr", "nan"], "--lr must be a finite number. Got nan"),
    (EVERY, ["--lr", "inf"], "--lr must be a finite number. Got inf"),
    (EVERY, ["--lr", "0"], r"--lr must be in \(0, 10\]. Got 0"),
    (EVERY, ["--lr", "-1"], r"--lr must be in \(0, 10\]. Got -1"),
    (EVERY, ["--lr", "1e9"], r"--lr must be in \(0, 10\]"),
    (EVERY, ["--patience", "-1"], r"--patience must be an integer in \[1, "),
    (EVERY, ["--patience", "0"], "--patience must be an integer"),
    (EVERY, ["--mixed-precision", "fp8"], "--mixed-precision must be no or bf16"),
    (EVERY, ["--epochs", "many"], "Invalid value for '--epochs'"),
    (EVERY, ["--resume"], r"--resume: no checkpoint in .*\.results-.*\.checkpoint"),
    (EVERY, ["--out", "a-file"], "--out a-file: exists and is not a folder"),
    (EVERY, ["--out", "a-file/run"], "--out a-file/run: a-file is a file, not a folder"),
    (EVERY, ["--out", "foreign"], "--out foreign: the folder is not empty"),
    (CHEST, ["--target-recall", "5"], r"--target-recall must be in \(0, 1\]. Got 5"),
    (CHEST, ["--target-recall", "0"], r"--target-recall must be in \(0, 1\]. Got 0"),
    (CHEST, ["--target-recall", "nan"], "--target-recall must be a finite number"),
    (CHEST, ["--imbalance", "oversample"], "--imbalance must be weighted, sampler or none"),
    (["chestcnn"], ["--vflip"], "vertical flips are refused"),
    (["transfer"], ["--last-n", "-1"], r"--last-n must be an integer in \[0, 1000\]. Got -1"),
    (["transfer"], ["--last-n", "2"], "--last-n applies to --mode finetune only"),
    (["transfer"], ["--mode", "frozen"], "--mode must be feature or finetune"),
    (["transfer"], ["--size", "nonsense"], "Invalid value for '--size'"),
    (["transfer"], ["--size", "8"], r"--size must be an integer in \[32, 1024\]. Got 8"),
    (["transfer"], ["--size", "100000"], r"--size must be an integer in \[32, 1024\]"),
    (["transfer"], ["--weights", "nowhere.pth"], "--weights nowhere.pth: no such file"),
    (["transfer"], ["--weights", NPZ], "--weights and --no-pretrained contradict"),
]
CASES = [
    pytest.param(cmd, flags, match, id=f"{cmd} {' '.join(flags)}")
    for cmds, flags, match in SETTINGS
    for cmd in cmds
]


@pytest.mark.parametrize("cmd, flags, match", CASES)
def test_bad_settings_are_refused_before_any_work(work, capsys, cmd, flags, match):
    argv = COMMANDS[cmd] + flags
    if "--out" not in flags:
        argv += ["--out", "results-" + cmd]
    refused(argv, work, capsys, match)


def test_unknown_architecture(work, capsys):
    refused(["transfer", "alexnet", "--no-pretrained"], work, capsys, "unknown architecture")


def test_checkpoint_path_that_is_a_file(work, capsys):
    (work / ".run.checkpoint").write_text("x")
    refused(COMMANDS["digitcnn"] + ["--out", "run"], work, capsys, r"checkpoint\) is a file")


# ------------------------------------------------------------------ bad data, through the CLI
@pytest.fixture
def data_work(tmp_path, monkeypatch):
    """As `work`, but the loaders run (training still must not)."""
    import deepmap.vision.labs

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(deepmap.vision.labs, "fit", _never)
    return tmp_path


@pytest.mark.parametrize("cmd", CHEST)
def test_bad_chest_files(data_work, capsys, cmd):
    np.savez(data_work / "nan.npz", **{
        f"{s}_{k}": (np.full((4, 28, 28), np.nan) if k == "images" else np.arange(4) % 2)
        for s in ("train", "val", "test") for k in ("images", "labels")
    })  # fmt: skip
    (data_work / "empty.npz").write_bytes(b"")
    for name, match in [("nan.npz", "NaN or infinite"), ("empty.npz", "cannot read as .npz"),
                        ("missing.npz", "no such file or folder")]:  # fmt: skip
        argv = [a if a != NPZ else name for a in COMMANDS[cmd]] + ["--out", "r"]
        refused(argv, data_work, capsys, f"{re.escape(name)}: .*{match}")


def test_small_idx_set(data_work, capsys):
    import struct

    (data_work / "m").mkdir()
    for name, magic, shape in [("train-images-idx3-ubyte", 0x803, (20, 28, 28)),
                               ("train-labels-idx1-ubyte", 0x801, (20,)),
                               ("t10k-images-idx3-ubyte", 0x803, (5, 28, 28)),
                               ("t10k-labels-idx1-ubyte", 0x801, (5,))]:  # fmt: skip
        head = struct.pack(f">I{len(shape)}I", magic, *shape)
        (data_work / "m" / name).write_bytes(head + bytes(int(np.prod(shape))))
    argv = ["train", "digitcnn", "--data", "m", "--out", "r"]
    refused(argv, data_work, capsys, "20 training images, but 10,000 are held out")


# ------------------------------------------------------------------ weights files
class Payload:
    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_bad_weights_files(data_work, capsys):
    torch = pytest.importorskip("torch")
    target = data_work / "pwned"
    (data_work / "pickle.pth").write_bytes(pickle.dumps(Payload(target)))
    torch.save({"w": Payload(target)}, data_work / "torch-pickle.pth")
    (data_work / "garbage.pth").write_bytes(b"\x80\x04garbage" * 50)
    (data_work / "empty.pth").write_bytes(b"")
    torch.save([1, 2, 3], data_work / "list.pth")
    torch.save({"conv.weight": torch.zeros(3)}, data_work / "other.pth")
    (data_work / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    cases = [
        ("pickle.pth", "not a state dict that can be read safely"),
        ("torch-pickle.pth", "not a state dict that can be read safely"),
        ("garbage.pth", "not a state dict that can be read safely"),
        ("empty.pth", "the file is empty"),
        ("list.pth", "holds list, not a state dict"),
        ("other.pth", "does not fit mobilenet_v2"),
        ("bad.safetensors", "not a state dict that can be read safely"),
    ]
    for name, match in cases:
        argv = ["transfer", "mobilenet_v2", "--weights", name, "--out", "r"]
        refused(argv, data_work, capsys, f"--weights {re.escape(name)}: {match}")
    assert not target.exists()  # no pickle payload ran
