"""Bad input, as a new user would type it, across the core commands (calc, nlp, diagnose,
data, and the text loader behind ladder/embed): every case ends in exit code 2 and one line
`deepmap: error: ...` naming what is wrong, with nothing written; Ctrl-C ends in exit code
130 and `deepmap: interrupted`; `--json` is always valid JSON; user text is never markup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from tests.cli._fuzz import assert_one_line_error, run

from deepmap.errors import Interrupted

BIG = "9" * 5000


# ------------------------------------------------------------------ numbers and flags
@pytest.mark.parametrize(
    "argv",
    [
        ["calc", "conv", "--in", BIG],
        ["calc", "conv", "--in", "28", "-k", "99999999999999999999999"],
        ["calc", "mlp", f"784-{BIG}-10"],
        ["calc", "rnn", "--hidden", BIG],
        ["calc", "rnn", "--hidden", "0"],
        ["calc", "lora", "-r", "-1"],
        ["calc", "conv", "--in", "28", "-s", "0"],
        ["calc", "separable", "--out-size", "nan"],
        ["nlp", "agreement", "--docs", "0"],
        ["nlp", "agreement", "--docs", "-5"],
        ["data", "list", "no-such-set"],
        ["x" * 1_000_000],  # an unknown command a megabyte long: the line is cut
    ],
)
def test_bad_numbers_and_names(capsys, argv):
    assert_one_line_error(*run(capsys, *argv))


# ---------------------------------------------------------- user text is not markup
@pytest.mark.parametrize(
    "text", ["[/]", "[bold]x[/bold] [/]", "[link=x]y", ":smile: [red", "\\[/]"]
)
def test_user_text_is_shown_as_typed(capsys, text):
    code, out, err = run(capsys, "nlp", "clean", text)
    assert code == 0, err
    assert text in out  # the "input" row, exactly as typed
    code, out, err = run(capsys, "nlp", "tokenize", text)
    assert code == 0, err


# ------------------------------------------------------------------ strict JSON
def test_json_output_never_holds_bare_nan(capsys, tmp_path):
    f = tmp_path / "curves.json"
    f.write_text(json.dumps({"train_loss": [1.0, 0.0], "val_loss": [1.0, 0.5]}))
    code, out, _ = run(capsys, "diagnose", f, "--json")
    assert code == 0
    assert "Infinity" not in out and "NaN" not in out
    assert json.loads(out)["gap"] is None  # val/train gap is infinite when train reaches 0


def test_emit_json_is_strict(capsys):
    from deepmap.cli._common import emit_json

    emit_json({"a": float("nan"), "b": [float("inf")]})
    out = capsys.readouterr().out
    assert json.loads(out) == {"a": None, "b": [None]}
    json.loads(out, parse_constant=lambda c: pytest.fail(f"bare {c}"))


# ---------------------------------------------------------------------- Ctrl-C
def _interrupt_calc(monkeypatch, exc: BaseException):
    import deepmap.calc

    def boom(*a, **k):
        raise exc

    monkeypatch.setattr(deepmap.calc, "conv_output_size", boom)


def test_ctrl_c_says_interrupted_and_exits_130(capsys, monkeypatch):
    _interrupt_calc(monkeypatch, KeyboardInterrupt())
    code, _, err = run(capsys, "calc", "conv", "--in", "28")
    assert code == 130
    assert err.strip().splitlines()[-1] == "deepmap: interrupted."


def test_ctrl_c_says_what_the_lab_kept(capsys, monkeypatch):
    kept = "epoch 3's checkpoint kept in out/.ckpt; use --resume"
    _interrupt_calc(monkeypatch, Interrupted(kept))
    code, _, err = run(capsys, "calc", "conv", "--in", "28")
    assert code == 130
    assert err.strip().splitlines()[-1] == f"deepmap: interrupted; {kept}"
    plain = KeyboardInterrupt()
    plain.kept = "nothing was written"
    _interrupt_calc(monkeypatch, plain)
    code, _, err = run(capsys, "calc", "conv", "--in", "28")
    assert (code, err.strip()) == (130, "deepmap: interrupted; nothing was written")


def test_a_real_sigint_exits_130_with_one_line(tmp_path):
    # A shell without job control starts background jobs with SIGINT ignored, and Python
    # keeps an ignored SIGINT ignored: restore the default, as a terminal's process has it.
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "import deepmap.calc\n"
        "def slow(*a, **k):\n"
        "    print('ready', file=sys.stderr, flush=True)\n"
        "    time.sleep(60)\n"
        "deepmap.calc.conv_output_size = slow\n"
        "from deepmap.cli import main\n"
        "sys.exit(main(['calc', 'conv', '--in', '28']))\n"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert p.stderr.readline().strip() == "ready"
        time.sleep(0.1)
        os.kill(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        p.kill()
    assert p.returncode == 130
    assert err.strip() == "deepmap: interrupted."
    assert "Traceback" not in out + err


# ------------------------------------------------------------- diagnose's curves file
@pytest.mark.parametrize(
    "content, needle",
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b'{"train_loss": [1.0, 0.5], "val_loss": [1.0, \xff]}', "not UTF-8"),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (b'{"train_loss": [' + BIG.encode() + b', 1], "val_loss": [1, 1]}', "4,300 digits"),
        (b'{"train_loss": [1, NaN], "val_loss": [1, 1]}', "train_loss[1] is nan"),
        (b'{"train_loss": [1, 1e999], "val_loss": [1, 1]}', "train_loss[1] is inf"),
        (b'{"train_loss": [1, "' + b"x" * 100_000 + b'"], "val_loss": [1, 1]}', "train_loss[1]"),
        (b'{"train_loss": [1, 0.5], "val_loss": [1]}', "differ in length"),
        (b'{"train_loss": [], "val_loss": []}', "non-empty list"),
        (b'{"loss": [1, 2]}', "missing keys"),
        (b"[1, 2]", "expected a JSON object"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_bad_curves_file(capsys, tmp_path, content, needle):
    f = tmp_path / "curves.json"
    f.write_bytes(content)
    code, out, err = run(capsys, "diagnose", f)
    assert_one_line_error(code, out, err, needle, "curves.json")
    assert sorted(tmp_path.iterdir()) == [f]  # nothing written


def test_curves_path_that_is_a_folder_or_too_long(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "diagnose", tmp_path), "no such file")
    assert_one_line_error(*run(capsys, "diagnose", tmp_path / ("n" * 5000)))


# ------------------------------------------------- labelled text behind ladder / embed
TEXT_CASES = [
    ("d.csv", b"", "the file is empty"),
    ("d.csv", b"text,label\n", "no documents"),
    ("d.csv", b"body,label\nhi,pos\n", "missing column(s) 'text'"),
    ("d.csv", b'text,label\n"good",pos\n"caf\xe9",neg\n', "not UTF-8"),
    ("d.csv", b"text,label\n" + b"".join(b'"d%d",pos\n' % i for i in range(10)), "only one class"),
    ("d.csv", b'text,label\n"a",pos\n"b",nan\n"c",neg\n"d",neg\n', "d.csv:3: the label is nan"),
    ("d.jsonl", b'{"text": "a", "label": "pos"}\n{"text": "b", "label": NaN}\n', "d.jsonl:2"),
    ("d.jsonl", b'{"text": ' + b"[" * 100_000 + b"\n", "nested too deeply"),
    ("d.jsonl", b'{"text": "a", "label": ' + BIG.encode() + b"}\n", "4,300 digits"),
    # a header line of 8 MB (the fuzzer's was 60 MB): the error names it, cut
    ("d.csv", b",".join(b"c%d" % i for i in range(1_000_000)) + b"\nx\n", "missing column(s)"),
]


def _labelled_text_commands(path, out):
    """The commands that read labelled text with --data, and their output folders."""
    return [["ladder", "text", "--data", path, "--out", out, "--rungs", "bow"]]


@pytest.mark.parametrize(("name", "content", "needle"), TEXT_CASES, ids=lambda v: str(v)[:30])
def test_bad_labelled_text(capsys, tmp_path, name, content, needle):
    f = tmp_path / name
    f.write_bytes(content)
    for argv in _labelled_text_commands(f, tmp_path / "out"):
        code, out, err = run(capsys, *argv)
        assert_one_line_error(code, out, err, needle, name)
        assert sorted(tmp_path.iterdir()) == [f], argv  # nothing written
