"""pytest plugin: torch made unimportable, as if not installed (import torch -> ImportError).

A meta-path finder rather than sys.modules["torch"] = None: scipy looks torch up in
sys.modules and would trip over a None there.
"""

import sys


class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden for this run)")
        return None


for key in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
    del sys.modules[key]
sys.meta_path.insert(0, _NoTorch())
