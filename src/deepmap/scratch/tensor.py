"""A NumPy tensor with reverse-mode automatic differentiation.

Every operation computes its result from NumPy arrays and records a `backward` function:
given the gradient of the loss with respect to the result, it returns the gradient with
respect to each input (the chain rule, one local derivative at a time). `Tensor.backward`
visits the graph in reverse topological order and accumulates gradients in `.grad`.
Broadcasting is handled once, in `_unbroadcast`: a gradient is summed over the axes its
input was broadcast along.

>>> x = Tensor([2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
array([4., 6.])
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["Tensor", "concatenate", "grad_enabled", "no_grad", "stack", "where"]

_GRAD_ENABLED = True


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block no graph is recorded (inference, optimizer updates)."""
    global _GRAD_ENABLED
    before, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = before


def grad_enabled() -> bool:
    return _GRAD_ENABLED


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` down to `shape`, undoing NumPy broadcasting."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


Backward = Callable[[np.ndarray], Sequence[np.ndarray | None]]


class Tensor:
    """An n-dimensional array that remembers how it was computed.

    data: the NumPy array (float64 or float32 for anything differentiable).
    grad: d(loss)/d(self) after `backward`, same shape as data (None before).
    """

    __slots__ = ("_backward", "_prev", "data", "grad", "requires_grad")
    __array_priority__ = 1000  # numpy scalars and arrays defer to our operators

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        if isinstance(data, Tensor):
            data = data.data
        arr = np.asarray(data, dtype=dtype)
        if dtype is None and not np.issubdtype(arr.dtype, np.floating) and requires_grad:
            arr = arr.astype(np.float64)
        self.data = arr
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._prev: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4)}{flag})"

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return float(self.data)

    def detach(self) -> Tensor:
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None

    @staticmethod
    def _lift(x: Any, like: Tensor) -> Tensor:
        if isinstance(x, Tensor):
            return x
        return Tensor(np.asarray(x, dtype=like.data.dtype))

    @staticmethod
    def _result(data: np.ndarray, parents: tuple[Tensor, ...], backward: Backward) -> Tensor:
        out = Tensor(data)
        if _GRAD_ENABLED and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._prev = parents
            out._backward = backward
        return out

    # ------------------------------------------------------------------ autograd
    def backward(self, grad: np.ndarray | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (self must be a scalar
        unless `grad` is given)."""
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError("grad can be implicit only for a scalar output")
            grad = np.ones_like(self.data)
        order: list[Tensor] = []
        seen: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:  # iterative post-order DFS: deep graphs (RNNs) do not hit recursion
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._prev if p.requires_grad)
        grads: dict[int, np.ndarray] = {id(self): np.asarray(grad, dtype=self.data.dtype)}
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:  # a leaf: accumulate, as torch does
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            for parent, pg in zip(node._prev, node._backward(g), strict=True):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                grads[key] = pg if key not in grads else grads[key] + pg

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        o = self._lift(other, self)
        a, b = self.shape, o.shape
        return self._result(
            self.data + o.data,
            (self, o),
            lambda g: (_unbroadcast(g, a), _unbroadcast(g, b)),
        )

    __radd__ = __add__

    def __neg__(self) -> Tensor:
        return self._result(-self.data, (self,), lambda g: (-g,))

    def __sub__(self, other: Any) -> Tensor:
        o = self._lift(other, self)
        a, b = self.shape, o.shape
        return self._result(
            self.data - o.data,
            (self, o),
            lambda g: (_unbroadcast(g, a), _unbroadcast(-g, b)),
        )

    def __rsub__(self, other: Any) -> Tensor:
        return self._lift(other, self) - self

    def __mul__(self, other: Any) -> Tensor:
        o = self._lift(other, self)
        x, y = self.data, o.data
        return self._result(
            x * y,
            (self, o),
            lambda g: (_unbroadcast(g * y, x.shape), _unbroadcast(g * x, y.shape)),
        )

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Tensor:
        o = self._lift(other, self)
        x, y = self.data, o.data
        return self._result(
            x / y,
            (self, o),
            lambda g: (_unbroadcast(g / y, x.shape), _unbroadcast(-g * x / (y * y), y.shape)),
        )

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._lift(other, self) / self

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor):
            raise TypeError("only a constant exponent is supported; use exp(b * log(a))")
        x, p = self.data, float(exponent)
        return self._result(x**p, (self,), lambda g: (g * p * x ** (p - 1),))

    def __matmul__(self, other: Any) -> Tensor:
        o = self._lift(other, self)
        x, y = self.data, o.data

        def backward(g: np.ndarray):
            if x.ndim == 1 and y.ndim == 1:
                return g * y, g * x
            xx = x[None, :] if x.ndim == 1 else x
            yy = y[:, None] if y.ndim == 1 else y
            gg = g
            if x.ndim == 1:
                gg = np.expand_dims(gg, -2)
            if y.ndim == 1:
                gg = np.expand_dims(gg, -1)
            gx = gg @ np.swapaxes(yy, -1, -2)
            gy = np.swapaxes(xx, -1, -2) @ gg
            gx = _unbroadcast(gx, xx.shape).reshape(x.shape)
            gy = _unbroadcast(gy, yy.shape).reshape(y.shape)
            return gx, gy

        return self._result(x @ y, (self, o), backward)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._lift(other, self) @ self

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        out = np.exp(self.data)
        return self._result(out, (self,), lambda g: (g * out,))

    def log(self) -> Tensor:
        x = self.data
        return self._result(np.log(x), (self,), lambda g: (g / x,))

    def sqrt(self) -> Tensor:
        out = np.sqrt(self.data)
        return self._result(out, (self,), lambda g: (g / (2 * out),))

    def abs(self) -> Tensor:
        x = self.data
        return self._result(np.abs(x), (self,), lambda g: (g * np.sign(x),))

    def tanh(self) -> Tensor:
        out = np.tanh(self.data)
        return self._result(out, (self,), lambda g: (g * (1 - out * out),))

    def sigmoid(self) -> Tensor:
        x = self.data
        # stable in both tails: exp of a non-positive number only
        z = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
        return self._result(out, (self,), lambda g: (g * out * (1 - out),))

    def relu(self) -> Tensor:
        x = self.data
        mask = x > 0
        return self._result(x * mask, (self,), lambda g: (g * mask,))

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        shape = self.shape

        def backward(g: np.ndarray):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, shape),)

        return self._result(self.data.sum(axis=axis, keepdims=keepdims), (self,), backward)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        n = self.data.size // max(np.asarray(self.data.sum(axis=axis)).size, 1)
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / n)

    def var(
        self,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        unbiased: bool = False,
    ) -> Tensor:
        mu = self.mean(axis=axis, keepdims=True)
        d = self - mu
        n = self.data.size // max(np.asarray(self.data.sum(axis=axis)).size, 1)
        return (d * d).sum(axis=axis, keepdims=keepdims) * (1.0 / (n - 1 if unbiased else n))

    def max(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Maximum; the gradient goes to the first maximal element, as torch.max(dim) does."""
        x = self.data
        if axis is None:
            idx = np.argmax(x)
            out = x.reshape(-1)[idx]

            def backward_all(g: np.ndarray):
                grad = np.zeros(x.size, dtype=x.dtype)
                grad[idx] = g
                return (grad.reshape(x.shape),)

            return self._result(np.asarray(out), (self,), backward_all)
        idx = np.expand_dims(np.argmax(x, axis=axis), axis)
        out = np.take_along_axis(x, idx, axis=axis)

        def backward(g: np.ndarray):
            if not keepdims:
                g = np.expand_dims(g, axis)
            grad = np.zeros_like(x)
            np.put_along_axis(grad, idx, g, axis=axis)
            return (grad,)

        return self._result(out if keepdims else out.squeeze(axis), (self,), backward)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        old = self.shape
        return self._result(self.data.reshape(shape), (self,), lambda g: (g.reshape(old),))

    def transpose(self, *axes: int) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        axes = axes or tuple(reversed(range(self.ndim)))
        inverse = tuple(np.argsort(axes))
        return self._result(self.data.transpose(axes), (self,), lambda g: (g.transpose(inverse),))

    def swapaxes(self, a: int, b: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(tuple(axes))

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing and gathering (integer arrays allowed); repeated indices add up."""
        if isinstance(index, Tensor):
            index = index.data
        if isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        x = self.data

        def backward(g: np.ndarray):
            grad = np.zeros_like(x)
            np.add.at(grad, index, g)
            return (grad,)

        return self._result(x[index], (self,), backward)


# ---------------------------------------------------------------------- free functions
def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    sizes = [t.shape[axis] for t in tensors]
    cuts = np.cumsum(sizes)[:-1]

    def backward(g: np.ndarray):
        return tuple(np.split(g, cuts, axis=axis))

    return Tensor._result(
        np.concatenate([t.data for t in tensors], axis=axis), tuple(tensors), backward
    )


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    def backward(g: np.ndarray):
        return tuple(np.moveaxis(g, axis, 0))

    return Tensor._result(np.stack([t.data for t in tensors], axis=axis), tuple(tensors), backward)


def where(condition: Any, a: Tensor, b: Tensor | float) -> Tensor:
    """Elementwise: a where condition holds, else b."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition, dtype=bool)
    b = Tensor._lift(b, a)
    sa, sb = a.shape, b.shape
    return Tensor._result(
        np.where(cond, a.data, b.data),
        (a, b),
        lambda g: (_unbroadcast(np.where(cond, g, 0), sa), _unbroadcast(np.where(cond, 0, g), sb)),
    )
