"""The Module base class (parameters, sub-modules, buffers, train/eval, loading torch's
weights) and Sequential; PyTorch's parameter names throughout."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from deepmap.scratch.tensor import Tensor

__all__ = ["Module", "Parameter", "Sequential"]


def Parameter(data: np.ndarray) -> Tensor:
    return Tensor(data, requires_grad=True)


class Module:
    """Holds parameters (Tensors with requires_grad), sub-modules and buffers."""

    training: bool = True

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_parameters(f"{prefix}{name}.")
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item.named_parameters(f"{prefix}{name}.{i}.")

    def parameters(self) -> list[Tensor]:
        return [p for _, p in self.named_parameters()]

    def modules(self) -> Iterator[Module]:
        yield self
        for value in vars(self).values():
            items = value if isinstance(value, list | tuple) else [value]
            for item in items:
                if isinstance(item, Module):
                    yield from item.modules()

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def n_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def astype(self, dtype) -> Module:
        """Cast parameters and buffers (float64 for gradient checks, float32 for speed)."""
        for m in self.modules():
            for name, value in vars(m).items():
                if isinstance(value, Tensor):
                    value.data = value.data.astype(dtype)
                elif isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
                    setattr(m, name, value.astype(dtype))
        return self

    def load_torch(self, torch_module) -> Module:
        """Copy parameters (and BatchNorm running statistics) from the matching torch module."""
        ours = dict(self.named_parameters())
        theirs = {k: v.detach().cpu().numpy() for k, v in torch_module.named_parameters()}
        if set(ours) != set(theirs):
            raise ValueError(f"parameter names differ: {sorted(ours)} vs {sorted(theirs)}")
        for name, p in ours.items():
            if p.shape != theirs[name].shape:
                raise ValueError(f"{name}: shape {p.shape} vs {theirs[name].shape}")
            p.data = theirs[name].astype(p.data.dtype).copy()
        buffers = {k: v.detach().cpu().numpy() for k, v in torch_module.named_buffers()}
        for m_name, m in self._named_modules():
            for b in ("running_mean", "running_var"):
                key = f"{m_name}{b}"
                if key in buffers:
                    setattr(m, b, buffers[key].astype(getattr(m, b).dtype).copy())
        return self

    def _named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield from value._named_modules(f"{prefix}{name}.")
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item._named_modules(f"{prefix}{name}.{i}.")


class Sequential(Module):
    """Modules applied in order; parameter names follow torch's nn.Sequential (`0.weight`)."""

    def __init__(self, *layers: Module):
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}{i}.")

    def _named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for i, layer in enumerate(self.layers):
            yield from layer._named_modules(f"{prefix}{i}.")

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]
