"""The CLI: figures, one-line errors with exit code 2, JSON output, and a lazy start."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deepmap.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("deepmap ")


def test_calc_conv_prints_28(capsys):
    code, out, _ = run(capsys, "calc", "conv", "--in", "28", "-k", "3", "-p", "1", "-s", "1")
    assert (code, out.strip()) == (0, "28")


def test_calc_conv_per_axis(capsys):
    code, out, _ = run(capsys, "calc", "conv", "--in", "224x200", "-k", "3", "-s", "2")
    assert (code, out.strip()) == (0, "111x99")


def test_calc_mlp_breakdown(capsys):
    code, out, _ = run(capsys, "calc", "mlp", "784-256-128-10")
    assert code == 0
    assert "200,960 + 32,896 + 1,290 = 235,146" in out


def test_calc_mlp_json(capsys):
    code, out, _ = run(capsys, "calc", "mlp", "784-256-128-10", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["total"] == 235_146
    assert [layer["total"] for layer in data["layers"]] == [200_960, 32_896, 1_290]


@pytest.mark.parametrize(
    "argv",
    [
        ["calc", "conv", "--in", "-3"],
        ["calc", "conv", "--in", "abc"],
        ["calc", "mlp", "784-abc-10"],
        ["calc", "conv", "--no-such-flag"],
        ["calc", "lora", "-r", "0"],
        ["calc", "transformer", "--d-model", "100", "--heads", "3"],
        ["diagnose", "/no/such/curves.json"],
        ["no-such-command"],
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("deepmap: error: ")
    assert "Traceback" not in out + err


def test_diagnose_command(capsys, tmp_path):
    f = tmp_path / "curves.json"
    f.write_text(json.dumps({"train_loss": [2.3, 2.29, 2.28], "val_loss": [2.3, 2.3, 2.29]}))
    code, out, _ = run(capsys, "diagnose", str(f))
    assert code == 0
    assert "underfitting" in out
    code, out, _ = run(capsys, "diagnose", str(f), "--json")
    assert json.loads(out)["verdict"] == "underfitting"


@pytest.mark.parametrize(
    ("argv", "key", "value"),
    [
        (["calc", "lora"], "reduction", 256.0),
        (["calc", "transformer"], "total", 109_482_240),
        (["calc", "dense-image"], "dense_params", 154_141_696),
        (["calc", "conv-params", "--cin", "3", "--cout", "32"], "params", 896),
    ],
)
def test_calc_json_figures(capsys, argv, key, value):
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0
    assert json.loads(out)[key] == value


def test_calc_rnn_ratios(capsys):
    code, out, _ = run(capsys, "calc", "rnn", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["lstm"]["vs_rnn"] == 4.0
    assert data["gru"]["vs_rnn"] == 3.0


def test_verify_json_and_out_file(capsys, tmp_path):
    target = tmp_path / "claims.json"
    code, out, _ = run(capsys, "verify", "--only", "ann.", "--json", "--out", str(target))
    assert code == 0
    data = json.loads(out)
    assert {d["id"] for d in data} == {"ann.mlp.layers", "ann.mlp.total"}
    assert json.loads(target.read_text()) == data


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from deepmap.cli import app; "
        "heavy = [m for m in ('torch', 'transformers', 'spacy', 'gensim', 'sklearn') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_nlp_clean_shows_each_stage(capsys):
    code, out, _ = run(capsys, "nlp", "clean", "<b>It's GREAT!</b> http://x.io", "--json")
    stages = json.loads(out)
    assert code == 0
    assert stages[0]["step"] == "lowercase"
    assert stages[-1] == {"step": "normalize whitespace", "text": "it s great"}


def test_nlp_tokenize_treebank_and_stop_words(capsys):
    code, out, _ = run(capsys, "nlp", "tokenize", "It's not good. Dr. No left!", "--json")
    assert code == 0
    sentences = json.loads(out)
    assert [s["tokens"] for s in sentences] == [
        ["It", "'s", "not", "good", "."],
        ["Dr.", "No", "left", "!"],
    ]
    code, out, _ = run(
        capsys, "nlp", "tokenize", "It is not good", "--remove-stop-words", "--keep-negations",
        "--json",
    )  # fmt: skip
    assert json.loads(out)[0]["tokens"] == ["not", "good"]


def test_nlp_agreement_on_real_reviews(capsys):
    code, out, _ = run(capsys, "nlp", "agreement", "--docs", "40", "--json")
    data = json.loads(out)
    assert code == 0 and data["documents"] == 40 and data["sentences"] > 200
    assert data["identical_share"] >= 0.99
