"""The NumPy-only checks need no torch: run the gradient checks in a fresh pytest with torch
hidden (tests/scratch/_notorch.py makes `import torch` fail, as if it were not installed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gradient_checks_run_without_torch(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "tests.scratch._notorch",
           "-p", "no:cacheprovider", "-k", "gradcheck", "-rs",
           "tests/scratch/test_tensor.py", "tests/scratch/test_nn.py"]  # fmt: skip
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = run.stdout.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= 40, summary  # every gradcheck ran; none was skipped for want of torch
    assert "skipped" not in summary, summary
