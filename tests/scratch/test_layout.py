"""The scratch engine's layout: one module per concept, every old import path kept, and no
source file past ~400 lines."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import deepmap.scratch
from deepmap.scratch import nn

SCRATCH = Path(deepmap.scratch.__file__).parent


@pytest.mark.parametrize("name", nn.__all__)
def test_every_layer_keeps_its_old_import_path(name):
    """`deepmap.scratch.nn.X` (the old single module) still names each layer, now defined in
    the concept's own module."""
    obj = getattr(nn, name)
    home = importlib.import_module(obj.__module__)
    assert home.__name__.startswith("deepmap.scratch.nn.") and getattr(home, name) is obj
    assert name in home.__all__


def test_no_scratch_source_file_is_over_400_lines():
    sizes = {p.relative_to(SCRATCH): len(p.read_text().splitlines()) for p in SCRATCH.rglob("*.py")}
    assert len(sizes) >= 10
    assert max(sizes.values()) <= 400, {str(p): n for p, n in sizes.items() if n > 400}


def test_models_are_found_by_their_map_names():
    text = (SCRATCH / "models.py").read_text()
    assert "class MLP(" in text and "class DigitCNN(" in text
