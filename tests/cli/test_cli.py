"""The CLI: figures, one-line errors with exit code 2, JSON output, and a lazy start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


# What `deepmap --help` must never import: each costs start-up time (numpy ~0.1 s, torch
# ~1 s), and a sub-command's module is imported only when that sub-command is used.
HEAVY = ("numpy", "scipy", "sklearn", "torch", "matplotlib", "pandas", "transformers", "spacy",
         "gensim", "accelerate", "rich.progress", "rich.markdown")  # fmt: skip


def _modules_after(argv: list[str]) -> list[str]:
    """The modules loaded by `deepmap ARGV` in a fresh interpreter (what a user's shell pays)."""
    code = (
        "import contextlib, io, json, sys\n"
        "from deepmap.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({argv!r})\n"
        "assert code == 0, code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("argv", [["--help"], [], ["--version"]])
def test_start_up_imports_nothing_heavy_and_no_sub_command(argv):
    from deepmap.cli import COMMANDS

    loaded = _modules_after(argv)
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    sub_modules = {c.target.split(":")[0] for c in COMMANDS}
    assert sub_modules.isdisjoint(loaded)


def test_running_one_command_imports_only_its_module():
    loaded = _modules_after(["calc", "conv", "--in", "28"])
    assert "deepmap.cli.calc" in loaded
    assert not {"deepmap.cli.train", "deepmap.cli.ladder", "deepmap.cli.embed"} & set(loaded)


def _all_command_paths() -> list[list[str]]:
    from deepmap.cli import COMMANDS, load_command

    paths = []
    for sub in COMMANDS:
        paths.append([sub.name])
        for name in getattr(load_command(sub), "commands", {}):
            paths.append([sub.name, name])
    return paths


@pytest.mark.parametrize("path", _all_command_paths(), ids=" ".join)
def test_every_registered_command_shows_its_help(capsys, path):
    code, out, err = run(capsys, *path, "--help")
    assert code == 0, err
    assert out.startswith(f"Usage: deepmap {' '.join(path)} "), out[:200]
    assert err == ""


def test_root_help_lists_every_command_with_its_line(capsys):
    from deepmap.cli import COMMANDS

    code, out, _ = run(capsys, "--help")
    assert code == 0
    listed = [line.split()[0] for line in out.split("Commands:")[1].strip().splitlines()]
    assert listed == [c.name for c in COMMANDS]
    assert all(c.help[:30] in out for c in COMMANDS)


def test_help_keeps_bracketed_text(capsys):
    # Rich markup ate "[default: results/scratch-MODEL]" from --out's help before.
    code, out, _ = run(capsys, "scratch", "train", "--help")
    assert code == 0 and "[default: results/scratch-MODEL]" in out


def test_a_typo_suggests_the_command(capsys):
    code, _, err = run(capsys, "clac")
    assert code == 2
    assert err.strip() == "deepmap: error: deepmap: No such command 'clac'. Did you mean 'calc'?"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_fails_when_no_test_is_collected(tmp_path):
    """`make test` (CI runs exactly this) must fail on pytest's exit 5, "no tests collected"."""
    repo = Path(__file__).resolve().parents[2]
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: make skips the install step
    empty, one = tmp_path / "empty", tmp_path / "one"
    empty.mkdir()
    one.mkdir()
    (one / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")

    def make_test(folder: Path) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTEST_ADDOPTS=f"-p no:cacheprovider --rootdir={folder} {folder}")
        bindir = Path(sys.executable).parent
        return subprocess.run(
            ["make", "-s", "-C", str(repo), "test", f"BIN={bindir}", f"STAMP={stamp}"],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip

    nothing = make_test(empty)
    assert nothing.returncode != 0, nothing.stdout + nothing.stderr
    assert "no tests ran" in nothing.stdout
    ran = make_test(one)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout


def test_ci_runs_make_test():
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines() if line.strip() and line[0] != "#"]
    assert commands[-1] == "make test"


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
