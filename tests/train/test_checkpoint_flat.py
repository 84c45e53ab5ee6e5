"""Weights that are views of one flat buffer (cuDNN's RNN layout on a GPU) save and load."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from deepmap.train.checkpoint import load_weights, save_checkpoint  # noqa: E402


class Flat(torch.nn.Module):
    """Two parameters sharing one storage, neither covering all of it (as cuDNN's LSTM)."""

    def __init__(self, seed: int):
        super().__init__()
        flat = torch.randn(10, generator=torch.Generator().manual_seed(seed))
        self.a = torch.nn.Parameter(flat[:4])
        self.b = torch.nn.Parameter(flat[4:])


def test_flat_buffer_weights_round_trip(tmp_path):
    from safetensors.torch import save_model

    src = Flat(0)
    with pytest.raises(RuntimeError, match="storage"):  # what the fallback is for
        save_model(src, str(tmp_path / "plain.safetensors"))
    state = save_checkpoint(tmp_path / "ckpt", model=src, meta={}, blob={}, best_state=None)
    dst = Flat(1)
    assert not torch.equal(dst.a, src.a)
    load_weights(dst, state / "model.safetensors")
    assert torch.equal(dst.a, src.a) and torch.equal(dst.b, src.b)
    assert dst.a.untyped_storage().data_ptr() == dst.b.untyped_storage().data_ptr()  # still flat
