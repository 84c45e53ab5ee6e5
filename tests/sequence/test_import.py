"""`import deepmap.sequence` stays light: torch and transformers load only when used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_importing_the_package_loads_no_torch():
    code = (
        "import json, sys, deepmap.sequence\n"
        "print(json.dumps([m for m in ('torch', 'transformers') if m in sys.modules]))\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
