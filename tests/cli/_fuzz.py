"""What every bad-input test of the CLI checks: exit code 2, one line on stderr that starts
`deepmap: error: `, no longer than the cap, and no traceback."""

from __future__ import annotations

from deepmap.cli import MAX_ERROR_CHARS, main

__all__ = ["assert_one_line_error", "run"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, *needles):
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("deepmap: error: ")
    assert len(lines[0]) <= len("deepmap: error: ") + MAX_ERROR_CHARS
    assert "Traceback" not in out + err
    for needle in needles:
        assert needle in lines[0], lines[0]
