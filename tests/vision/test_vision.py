"""The Accelerate loop and the vision labs on small generated images: CPU only, no network."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deepmap.cli import main
from deepmap.errors import InputError

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

from deepmap.data.chest import load_pneumoniamnist, resolve_chest  # noqa: E402
from deepmap.train import TrainConfig, evaluate, fit  # noqa: E402
from deepmap.vision.data import TensorImages, augmentation  # noqa: E402
from deepmap.vision.labs import binary_report, choose_threshold, run_chestcnn  # noqa: E402
from deepmap.vision.models import chestcnn, digitcnn, n_parameters  # noqa: E402


def stripes(n: int, size: int = 28, channels: int = 1, seed: int = 0, imbalance: float = 0.5):
    """Class 1: a bright vertical bar; class 0: a bright horizontal bar; plus noise."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < imbalance).astype(np.int64)
    x = rng.random((n, channels, size, size)).astype(np.float32) * 0.3
    for i, label in enumerate(y):
        k = rng.integers(4, size - 4)
        if label:
            x[i, :, :, k - 2 : k + 2] += 0.7
        else:
            x[i, :, k - 2 : k + 2, :] += 0.7
    return np.clip(x, 0, 1), y


def test_parameter_counts_match_calc():
    from deepmap import calc

    blocks = [calc.conv2d_params(1, 32, 3) + 64, calc.conv2d_params(32, 64, 3) + 128]
    dense = calc.mlp_params("3136-128-10").total
    assert n_parameters(digitcnn()) == sum(blocks) + dense == 421_834
    assert (
        n_parameters(chestcnn())
        == sum(
            calc.conv2d_params(a, b, 3) + 2 * b
            for a, b in [(3, 32), (32, 64), (64, 128), (128, 256)]
        )
        + calc.mlp_params("256-128-2").total
    )


def test_fit_learns_restores_best_and_resumes(tmp_path):
    x, y = stripes(256)
    xv, yv = stripes(64, seed=1)
    train, val = TensorImages(x, y), TensorImages(xv, yv)
    cfg = TrainConfig(epochs=2, batch_size=32, lr=3e-3, checkpoint_dir=tmp_path / "ck")
    torch.manual_seed(0)
    model = chestcnn(in_channels=1)
    h = fit(model, train, val, cfg)
    assert len(h.val_loss) == 2 and h.device == "cpu"
    assert (tmp_path / "ck" / "state" / "model.safetensors").is_file()
    loss, _ = evaluate(model, val, torch.nn.CrossEntropyLoss())
    assert loss == pytest.approx(min(h.val_loss), rel=1e-4)  # the best epoch was restored
    # resume: two more epochs continue the same history instead of starting over
    cfg2 = TrainConfig(
        epochs=4, batch_size=32, lr=3e-3, checkpoint_dir=tmp_path / "ck", resume=True
    )
    h2 = fit(chestcnn(in_channels=1), train, val, cfg2)
    assert h2.resumed_from_epoch == 2 and len(h2.val_loss) == 4
    assert h2.val_loss[:2] == h.val_loss
    assert max(h2.val_accuracy) > 0.8


def test_config_errors():
    with pytest.raises(InputError, match="bf16"):
        TrainConfig(mixed_precision="fp8").validate()
    with pytest.raises(InputError, match="checkpoint"):
        TrainConfig(resume=True).validate()


def test_augmentation_touches_training_data_only():
    x, y = stripes(8)
    aug = augmentation(rotation=10)
    train = TensorImages(x, y, aug)
    val = TensorImages(x, y)
    torch.manual_seed(0)
    changed = any(not torch.equal(train[i][0], torch.from_numpy(x[i])) for i in range(8))
    assert changed
    assert all(torch.equal(val[i][0], torch.from_numpy(x[i])) for i in range(8))
    with pytest.raises(InputError, match="vertical flips are refused"):
        augmentation(vflip=True, medical=True)


def test_threshold_reaches_target_recall():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    for target in (0.8, 0.95, 1.0):
        thr = choose_threshold(y, p, target)
        assert binary_report(y, p, thr)["recall"] >= target
        # any higher threshold would miss the target
        assert binary_report(y, p, np.nextafter(thr, 2))["recall"] < target
    with pytest.raises(InputError, match="target-recall"):
        choose_threshold(y, p, 1.5)


def write_npz(path, n=(120, 40, 40), imbalance=0.75):
    arrays = {}
    for split, size, seed in zip(("train", "val", "test"), n, (0, 1, 2), strict=True):
        x, y = stripes(size, seed=seed, imbalance=imbalance)
        arrays[f"{split}_images"] = (x[:, 0] * 255).astype(np.uint8)
        arrays[f"{split}_labels"] = y[:, None]
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("imbalance", ["weighted", "sampler"])
def test_chestcnn_lab(tmp_path, imbalance):
    splits = load_pneumoniamnist(write_npz(tmp_path / "p.npz"))
    assert splits.train_x.shape[1:] == (3, 28, 28)
    cfg = TrainConfig(epochs=2, batch_size=32, lr=3e-3)
    result = run_chestcnn(splits, cfg, imbalance=imbalance, target_recall=0.9)
    t = result["test_at_threshold"]
    assert t["roc_auc"] > 0.8  # vertical vs horizontal bars are easy to tell apart
    assert set(t) >= {"recall", "precision", "specificity", "f1", "accuracy"}
    cm = np.asarray(result["confusion_matrix_at_threshold"])
    assert cm.sum() == 40 and cm[1].sum() == int(splits.test_y.sum())
    assert t["recall"] == pytest.approx(cm[1, 1] / cm[1].sum())


def test_bad_npz(tmp_path):
    np.savez(tmp_path / "bad.npz", train_images=np.zeros((2, 28, 28)))
    with pytest.raises(Exception, match="missing arrays"):
        load_pneumoniamnist(tmp_path / "bad.npz")


def test_cli_chestcnn_and_refusals(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    assert main(["train", "chestcnn", "--out", str(tmp_path / "o")]) == 2
    assert "no chest X-ray data" in capsys.readouterr().err
    data = write_npz(tmp_path / "p.npz")
    assert main(["train", "chestcnn", "--data", str(data), "--vflip"]) == 2
    assert "vertical flips are refused" in capsys.readouterr().err
    code = main(["train", "chestcnn", "--data", str(data), "--epochs", "1", "--out",
                 str(tmp_path / "o"), "--json"])  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["imbalance"] == "weighted" and (tmp_path / "o" / "curves.png").is_file()


def test_cli_digitcnn_on_bundled_digits(tmp_path, capsys):
    code = main(["train", "digitcnn", "--data", "digits", "--epochs", "1", "--out",
                 str(tmp_path / "d"), "--json"])  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_parameters"] == 421_834 and 0 <= result["test_accuracy"] <= 1
    assert (tmp_path / "d" / "misclassified.png").is_file()
    assert np.asarray(result["confusion_matrix"]).sum() == 250


def test_resolve_chest_finds_deepmap_data(tmp_path, monkeypatch):
    (tmp_path / "pneumoniamnist").mkdir()
    write_npz(tmp_path / "pneumoniamnist" / "x.npz")
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path))
    splits, note = resolve_chest()
    assert "found" in note and splits.name == "pneumoniamnist"


# ------------------------------------------------------------------ transfer learning
from deepmap.vision.transfer import ARCHS, build, head_module, set_trainable  # noqa: E402


@pytest.mark.parametrize("arch", list(ARCHS))
def test_head_is_replaced_at_the_maps_attribute(arch):
    model = build(arch, 2, pretrained=False)
    head = head_module(model, arch)
    assert isinstance(head, torch.nn.Linear) and head.out_features == 2
    n_head = sum(p.numel() for p in head.parameters())
    assert set_trainable(model, arch, "feature") == n_head
    total = sum(p.numel() for p in model.parameters())
    assert set_trainable(model, arch, "finetune") == total
    partial = set_trainable(model, arch, "finetune", last_n=2)
    assert n_head < partial < total
    with pytest.raises(InputError, match="blocks with parameters"):
        set_trainable(model, arch, "finetune", last_n=999)


def test_weights_file_and_offline_errors(tmp_path, monkeypatch):
    import torchvision

    from deepmap.errors import DataUnavailableError

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    with pytest.raises(DataUnavailableError, match="--no-pretrained"):
        build("mobilenet_v2", 2)
    good = tmp_path / "m.pth"
    torch.save(torchvision.models.mobilenet_v2(weights=None).state_dict(), good)
    model = build("mobilenet_v2", 2, weights=good)
    assert head_module(model, "mobilenet_v2").out_features == 2
    from safetensors.torch import save_file

    state = torchvision.models.mobilenet_v2(weights=None).state_dict()
    save_file({k: v.contiguous() for k, v in state.items()}, tmp_path / "m.safetensors")
    model = build("mobilenet_v2", 2, weights=tmp_path / "m.safetensors")
    torch.testing.assert_close(model.features[0][0].weight, state["features.0.0.weight"])
    wrong = tmp_path / "r.pth"
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), wrong)
    with pytest.raises(InputError, match="does not fit"):
        build("mobilenet_v2", 2, weights=wrong)


def test_cli_transfer_small(tmp_path, capsys):
    data = write_npz(tmp_path / "p.npz", n=(48, 24, 24))
    code = main(["transfer", "mobilenet_v2", "--no-pretrained", "--data", str(data), "--size",
                 "32", "--epochs", "1", "--batch-size", "16", "--mode", "finetune", "--out",
                 str(tmp_path / "t"), "--json"])  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "mobilenet_v2" and result["size"] == 32
    assert main(["transfer", "alexnet"]) == 2
    assert "unknown architecture" in capsys.readouterr().err


def test_kermany_folder_layout(tmp_path):
    from PIL import Image

    from deepmap.data.chest import load_kermany_folder

    rng = np.random.default_rng(0)
    for split in ("train", "val", "test"):
        for cls in ("NORMAL", "PNEUMONIA"):
            d = tmp_path / "chest_xray" / split / cls
            d.mkdir(parents=True)
            for i in range(2):
                Image.fromarray(rng.integers(0, 255, (40, 50), dtype=np.uint8)).save(
                    d / f"{i}.jpeg"
                )
    splits = load_kermany_folder(tmp_path / "chest_xray", size=32)
    assert splits.train_x.shape == (4, 3, 32, 32) and list(splits.test_y) == [0, 0, 1, 1]
    (tmp_path / "chest_xray" / "val" / "NORMAL" / "broken.jpeg").write_bytes(b"no image")
    with pytest.raises(Exception, match="not a readable image"):
        load_kermany_folder(tmp_path / "chest_xray", size=32)


def test_lab_configs_validate_every_setting(tmp_path):
    from pathlib import Path

    from deepmap.vision.labs import ChestCNNConfig, DigitCNNConfig
    from deepmap.vision.transfer import TransferConfig

    out = tmp_path / "o"
    for cls in (DigitCNNConfig, ChestCNNConfig, TransferConfig):
        cls(out=out).validate()  # the defaults are valid
    assert TransferConfig(mode="finetune").effective_lr == 1e-5
    assert TransferConfig().effective_lr == 1e-3 and TransferConfig(lr=0.1).effective_lr == 0.1
    assert TransferConfig(arch="vgg16").out == Path("results/transfer-vgg16")
    assert DigitCNNConfig(out=out).checkpoint_dir == tmp_path / ".o.checkpoint"
    bad = [
        (DigitCNNConfig, {"epochs": 2.5}, "--epochs must be an integer"),
        (DigitCNNConfig, {"seed": True}, "--seed must be an integer"),
        (DigitCNNConfig, {"data": " "}, "--data must not be empty"),
        (ChestCNNConfig, {"target_recall": float("inf")}, "--target-recall must be a finite"),
        (ChestCNNConfig, {"imbalance": "smote"}, "--imbalance"),
        (TransferConfig, {"lr": float("nan")}, "--lr must be a finite"),
        (TransferConfig, {"mode": "finetune", "last_n": 3, "size": 31}, "--size"),
        (TransferConfig, {"arch": "alexnet"}, "unknown architecture"),
    ]
    for cls, kw, match in bad:
        with pytest.raises(InputError, match=match):
            cls(out=out, **kw).validate()
    assert not out.exists() and not (tmp_path / ".o.checkpoint").exists()
