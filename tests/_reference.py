"""The one place tests compare with a reference: torch, and finite differences.

- `assert_matches_torch(ours_fn, torch_fn, *inputs)`: the same inputs (float64) into ours
  and torch's; the outputs must have the same shapes, dtypes and values, and (grad=True)
  the same gradients of sum_k <w_k, output_k> for a fixed random weighting w, with respect
  to every float input and, given `modules=(ours, theirs)`, every parameter. In the spirit
  of tinygrad's `helper_test_op`: one helper, many one-line tests.
- `gradcheck(f, *arrays)`: our backward against central differences,
  df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), NumPy only (runs without torch).
- `torch`: a lazy stand-in for the torch module. Touching it imports torch, or skips the
  one test that touched it when torch is not installed, so a module can mix NumPy-only
  tests with torch comparisons and still run the NumPy-only ones without torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from deepmap.scratch import Tensor

__all__ = ["assert_matches_torch", "gradcheck", "torch"]


class _LazyTorch:
    """`torch.X` imports torch on first use, or skips the calling test without it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # pytest's probes (fixture markers, __test__) import nothing
            raise AttributeError(name)
        module = pytest.importorskip("torch")
        return getattr(module, name)


torch: Any = _LazyTorch()


# ------------------------------------------------------------------ helpers
def _as_list(out: Any) -> list[Any]:
    """Outputs flattened: (out, (h, c)) -> [out, h, c]."""
    if isinstance(out, tuple | list):
        return [leaf for item in out for leaf in _as_list(item)]
    return [out]


def _ours_array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _torch_array(x: Any) -> np.ndarray:
    t = pytest.importorskip("torch")
    if isinstance(x, t.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _is_float(a: np.ndarray) -> bool:
    return np.issubdtype(a.dtype, np.floating)


def assert_matches_torch(
    ours_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    *inputs: Any,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    grad: bool = True,
    grad_rtol: float | None = None,
    grad_atol: float | None = None,
    modules: tuple[Any, Any] | None = None,
    seed: int = 0,
) -> None:
    """Ours equals torch's on the same inputs, in float64: shapes, dtypes, values, gradients.

    inputs: float arrays become float64 leaves that require grad (a scratch Tensor for
    ours, a torch tensor for torch's); integer and bool arrays are passed as they are (a
    NumPy array to ours, a torch tensor to torch's). Either function may return one output
    or a tuple; outputs may be scratch Tensors, torch tensors, NumPy arrays or numbers
    (with grad=False, e.g. an optimizer's weight trajectory).
    modules: (ours, theirs): torch's weights are first copied into ours (float64) with
    `load_torch`, and every parameter's gradient is compared by name.
    """
    t = pytest.importorskip("torch")
    grad_rtol = rtol if grad_rtol is None else grad_rtol
    grad_atol = atol if grad_atol is None else grad_atol
    if modules is not None:
        ours_module, torch_module = modules
        torch_module.double().zero_grad(set_to_none=True)
        ours_module.astype(np.float64).load_torch(torch_module)
        ours_module.zero_grad()
    arrays = [np.asarray(x) for x in inputs]
    arrays = [a.astype(np.float64) if _is_float(a) else a for a in arrays]
    ours_in = [Tensor(a.copy(), requires_grad=grad) if _is_float(a) else a for a in arrays]
    torch_in = [
        t.tensor(a.copy(), requires_grad=grad) if _is_float(a) else t.as_tensor(a) for a in arrays
    ]
    ours_out = _as_list(ours_fn(*ours_in))
    torch_out = _as_list(torch_fn(*torch_in))
    assert len(ours_out) == len(torch_out), f"{len(ours_out)} outputs vs {len(torch_out)}"
    for k, (o, r) in enumerate(zip(ours_out, torch_out, strict=True)):
        a, b = _ours_array(o), _torch_array(r)
        assert a.shape == b.shape, f"output {k}: shape {a.shape} vs torch's {b.shape}"
        assert a.dtype == b.dtype, f"output {k}: dtype {a.dtype} vs torch's {b.dtype}"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"output {k}")
    if not grad:
        return
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(_ours_array(o).shape) for o in ours_out]
    ours_loss = sum((o * w).sum() for o, w in zip(ours_out, weights, strict=True))
    torch_loss = sum((r * t.tensor(w)).sum() for r, w in zip(torch_out, weights, strict=True))
    ours_loss.backward()
    torch_loss.backward()
    for k, (o, r) in enumerate(zip(ours_in, torch_in, strict=True)):
        if isinstance(o, Tensor):
            np.testing.assert_allclose(
                o.grad, r.grad.numpy(), rtol=grad_rtol, atol=grad_atol, err_msg=f"input {k} grad"
            )
    if modules is not None:
        theirs = dict(modules[1].named_parameters())
        for name, p in modules[0].named_parameters():
            assert p.grad is not None, f"{name}: no gradient reached it"
            np.testing.assert_allclose(
                p.grad, theirs[name].grad.numpy(), rtol=grad_rtol, atol=grad_atol, err_msg=name
            )


def gradcheck(
    f: Callable[..., Tensor],
    *arrays: Any,
    eps: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    params: Sequence[Tensor] = (),
    seed: int = 1,
) -> None:
    """Our backward equals central finite differences, in float64, NumPy only.

    Checks d/dx sum(w * f(x)) for a fixed random weighting w, for every element of every
    input array and of every tensor in `params` (e.g. `module.parameters()`, cast to
    float64 first), each perturbed in place by +-eps.
    """
    xs = [np.array(a, dtype=np.float64) for a in arrays]
    for p in params:
        assert p.data.dtype == np.float64, "cast the parameters to float64 first"

    def value(w: np.ndarray) -> float:
        return float((f(*[Tensor(x) for x in xs]).data * w).sum())

    out = f(*[Tensor(x) for x in xs])
    w = np.random.default_rng(seed).standard_normal(out.shape)
    leaves = [Tensor(x.copy(), requires_grad=True) for x in xs]
    for p in params:
        p.grad = None
    f(*leaves).backward(w)
    checked = [
        (f"input {k}", x, leaf.grad) for k, (x, leaf) in enumerate(zip(xs, leaves, strict=True))
    ]
    checked += [(f"parameter {k}", p.data, p.grad) for k, p in enumerate(params)]
    for name, data, analytic in checked:
        assert analytic is not None, f"{name}: no gradient reached it"
        numeric = np.zeros_like(data)
        flat, num = data.reshape(-1), numeric.reshape(-1)
        assert np.shares_memory(flat, data), f"{name}: not contiguous, cannot perturb in place"
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = value(w)
            flat[i] = old - eps
            down = value(w)
            flat[i] = old
            num[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol, err_msg=name)
