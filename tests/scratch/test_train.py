"""Training the scratch networks: they learn real digits, outputs are written, errors are
one line; the MNIST figure itself is a slow test run where MNIST is at hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from tests._reference import assert_matches_torch, torch

from deepmap.cli import main
from deepmap.data.digits import load_bundled_digits, resolve_digits
from deepmap.errors import InputError
from deepmap.report.figures import curves_figure, write_run
from deepmap.scratch import models
from deepmap.scratch.train import evaluate, train_scratch


@pytest.fixture(scope="module")
def digits():
    return load_bundled_digits()


def test_models_are_classes_named_from_the_map():
    from deepmap import calc

    mlp, cnn = models.MLP(), models.DigitCNN()
    assert type(mlp).__name__ == "MLP" and type(cnn).__name__ == "DigitCNN"
    assert mlp.n_parameters() == calc.mlp_params("784-256-128-10").total + 2 * (256 + 128)
    assert cnn.n_parameters() == 421_834
    # the earlier function names build the same networks
    assert isinstance(models.mlp(), models.MLP) and isinstance(models.digitcnn(), models.DigitCNN)
    a, b = models.digitcnn(seed=4), models.DigitCNN(seed=4)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert na == nb and np.array_equal(pa.data, pb.data)
    with pytest.raises(InputError, match="dropout"):
        models.MLP(dropout=1.0)
    with pytest.raises(InputError, match="seed"):
        models.DigitCNN(seed=-1)


def test_digitcnn_equals_torch_layer_for_layer():
    t = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.BatchNorm2d(64), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25), torch.nn.Flatten(),
        torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(128, 10),
    )  # fmt: skip
    cnn = models.DigitCNN()
    assert cnn.n_parameters() == sum(p.numel() for p in t.parameters()) == 421_834
    cnn.eval()
    t.eval()
    x = load_bundled_digits().test_x[:4]
    assert_matches_torch(cnn, t, x, rtol=1e-9, modules=(cnn, t))


def test_mlp_learns_real_digits(digits):
    model, result = train_scratch("mlp", digits, epochs=4, seed=0)
    assert result.test_accuracy > 0.9  # chance is 0.1
    assert result.train_loss[-1] < result.train_loss[0]
    loss, acc = evaluate(model, digits.test_x, digits.test_y)
    assert acc == pytest.approx(result.test_accuracy) and loss == pytest.approx(result.test_loss)
    assert result.diagnosis["verdict"] in {"good", "overfitting", "underfitting", "large-gap"}


def test_training_is_reproducible(digits):
    small = digits.limit(300)
    _, a = train_scratch("mlp", small, epochs=2, seed=3)
    _, b = train_scratch("mlp", small, epochs=2, seed=3)
    assert a.train_loss == b.train_loss and a.test_accuracy == b.test_accuracy


def test_digitcnn_trains(digits):
    _, result = train_scratch("digitcnn", digits.limit(512), epochs=2, batch_size=64)
    assert result.train_loss[1] < result.train_loss[0]
    assert result.test_accuracy > 0.3  # chance is 0.1


def test_bad_arguments(digits):
    with pytest.raises(InputError, match="unknown model"):
        train_scratch("resnet", digits)
    with pytest.raises(InputError, match="epochs"):
        train_scratch("mlp", digits, epochs=0)
    with pytest.raises(InputError, match="batch_size"):
        train_scratch("mlp", digits, batch_size=1)
    with pytest.raises(InputError, match="lr"):
        train_scratch("mlp", digits, lr=float("nan"))
    with pytest.raises(InputError, match="at least 2 training images"):
        train_scratch("mlp", digits.limit(1))


def test_outputs_and_refusals(digits, tmp_path):
    _, result = train_scratch("mlp", digits.limit(200), epochs=2)

    def write(out):
        figures = {"curves.png": curves_figure(result.to_dict(), "mlp")}
        return write_run(out, result.to_dict(), figures, json_name="history.json")

    paths = write(tmp_path / "run")
    data = json.loads(paths[0].read_text())
    assert data["test_accuracy"] == result.test_accuracy and len(data["val_loss"]) == 2
    assert paths[1].read_bytes()[:4] == b"\x89PNG"
    write(tmp_path / "run")  # an earlier run's folder is replaced
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(InputError, match="not empty"):
        write(tmp_path / "mine")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "run"]  # no temp folders


def test_cli_train_json(tmp_path, capsys):
    out = tmp_path / "mlp"
    code = main(["scratch", "train", "mlp", "--data", "digits", "--epochs", "2", "--limit",
                 "400", "--out", str(out), "--json"])  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "mlp" and data["n_parameters"] == 235_914
    assert "not MNIST" in data["data"]
    assert (out / "curves.png").is_file()


@pytest.mark.parametrize("args, match", [
    (["scratch", "train", "vgg"], "unknown model 'vgg'"),
    (["scratch", "train", "mlp", "--limit", "-1"], "--limit"),
    (["scratch", "train", "mlp", "--data", "/nonexistent/mnist"], "no such file"),
])  # fmt: skip
def test_cli_errors(args, match, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert match in err and len(err.strip().splitlines()) == 1


def test_auto_falls_back_without_mnist(monkeypatch):
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    d, note = resolve_digits("auto")
    assert d.name == "digits-8x8" and "fell back" in note


def _mnist_dir() -> Path | None:
    root = os.environ.get("DEEPMAP_DATA")
    candidates = [Path(root)] if root else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "data")
    for c in candidates:
        if (c / "mnist").is_dir():
            return c
    return None


@pytest.mark.slow
@pytest.mark.skipif(_mnist_dir() is None, reason="MNIST not at hand (set DEEPMAP_DATA)")
def test_mlp_reaches_975_on_mnist(monkeypatch):
    monkeypatch.setenv("DEEPMAP_DATA", str(_mnist_dir()))
    d, _ = resolve_digits("mnist")
    _, result = train_scratch("mlp", d, epochs=5)
    assert result.test_accuracy >= 0.975
