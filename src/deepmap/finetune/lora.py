"""LoRA from the map's formula: W' = W + (alpha / r) A B, with A (d x r) and B (r x k).

The map (Transformers 10): only r (d + k) parameters train instead of d k; for a
4096 x 4096 matrix with r = 8 that is 65,536 vs 16,777,216, a 256x reduction.

Layout. The map writes a layer as y = x W with W of shape d x k (d inputs, k outputs), so
the adapted layer is

    y = x W + (alpha / r) * dropout(x) A B          A: d x r,  B: r x k

and we store `lora_A` (d x r) and `lora_B` (r x k) exactly so. torch's nn.Linear stores
W transposed (`weight` is k x d, y = x weight^T + bias), and peft stores the adapter the
torch way: `lora_A` is nn.Linear(d, r) whose weight is r x d = A^T, `lora_B` is
nn.Linear(r, k) whose weight is k x r = B^T, and its delta is lora_B(lora_A(dropout(x))) *
alpha / r = dropout(x) A B * alpha / r: the same number. Merging adds
(alpha / r) (A B)^T = (alpha / r) B^T A^T (peft: scaling * lora_B.weight @ lora_A.weight)
to `weight`. `to_peft_state_dict` / `from_peft_state_dict` map the keys and transpose.

Initialisation as the paper and peft: A ~ kaiming-uniform(a = sqrt(5)) over fan_in = d,
i.e. U(-1/sqrt(d), 1/sqrt(d)) (torch's nn.Linear default); B = 0, so A B = 0 and the
wrapped model starts exactly equal to the base model. The gradient still reaches B
(dL/dB = (x A)^T dL/dy * alpha/r is non-zero); A's gradient is zero until B moves.

Where we differ from peft: one adapter per layer (no adapter names, no switching); the
rank must not exceed min(d, k) (peft allows it, but then LoRA trains more than full
fine-tuning would); `merge()` on a merged layer and `unmerge()` on an unmerged one do
nothing (peft warns); no bias on the adapter, no rsLoRA / DoRA variants.

>>> import torch
>>> layer = LoRALinear(torch.nn.Linear(16, 8), r=2, lora_alpha=4)
>>> layer.lora_A.shape, layer.lora_B.shape, layer.scaling, trainable_parameters(layer)
(torch.Size([16, 2]), torch.Size([2, 8]), 2.0, 48)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import torch

from deepmap.errors import InputError
from deepmap.validate import short

__all__ = [
    "LoRALinear",
    "apply_lora",
    "from_peft_state_dict",
    "load_lora_state_dict",
    "lora_layers",
    "lora_state_dict",
    "merge_lora",
    "to_peft_state_dict",
    "trainable_parameters",
    "unmerge_lora",
]

PEFT_PREFIX = "base_model.model."  # what peft's get_peft_model_state_dict puts before a name


def _param_error(owner: str, name: str, what: str, value: Any) -> InputError:
    """scikit-learn's wording: The 'r' parameter of LoRALinear must be ... Got 0 instead."""
    got = short(value)
    return InputError(f"The {name!r} parameter of {owner} must be {what}. Got {got} instead.")


def _check_hparams(owner: str, r: Any, lora_alpha: Any, lora_dropout: Any) -> None:
    if isinstance(r, bool) or not isinstance(r, int) or r <= 0:
        raise _param_error(owner, "r", "a positive int", r)
    ok_alpha = isinstance(lora_alpha, int | float) and not isinstance(lora_alpha, bool)
    if not ok_alpha or not math.isfinite(lora_alpha) or lora_alpha <= 0:
        raise _param_error(owner, "lora_alpha", "a positive float", lora_alpha)
    ok_p = isinstance(lora_dropout, int | float) and not isinstance(lora_dropout, bool)
    if not ok_p or not 0.0 <= lora_dropout < 1.0:
        raise _param_error(owner, "lora_dropout", "a float in the range [0, 1)", lora_dropout)


class LoRALinear(torch.nn.Module):
    """An nn.Linear with a LoRA adapter: y = base(x) + (alpha/r) dropout(x) A B.

    Parameters
    base: the nn.Linear to adapt (d = in_features, k = out_features). Its parameters are
        frozen (requires_grad False) and otherwise untouched until `merge()`.
    r: the rank, 1 <= r <= min(d, k). lora_alpha: the scale numerator (scaling = alpha/r).
    lora_dropout: dropout probability on the adapter's input x (train mode only).

    Attributes: lora_A (d x r), lora_B (r x k), scaling, merged, base_layer.
    Trainable: r (d + k) parameters against d k (and k for the bias) of the base.
    """

    def __init__(
        self, base: torch.nn.Linear, *, r: int, lora_alpha: float, lora_dropout: float = 0.0
    ) -> None:
        super().__init__()
        if not isinstance(base, torch.nn.Linear):
            raise _param_error(
                "LoRALinear", "base", "an instance of torch.nn.Linear", type(base).__name__
            )
        _check_hparams("LoRALinear", r, lora_alpha, lora_dropout)
        d, k = base.in_features, base.out_features
        if r > min(d, k):
            raise _param_error(
                "LoRALinear", "r", f"an int in the range [1, min(d, k) = {min(d, k)}]", r
            )
        self.base_layer = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.r, self.lora_alpha, self.lora_dropout = r, lora_alpha, float(lora_dropout)
        self.scaling = lora_alpha / r
        w = base.weight
        self.lora_A = torch.nn.Parameter(torch.empty(d, r, dtype=w.dtype, device=w.device))
        self.lora_B = torch.nn.Parameter(torch.zeros(r, k, dtype=w.dtype, device=w.device))
        self.dropout = torch.nn.Dropout(lora_dropout) if lora_dropout else torch.nn.Identity()
        self.merged = False
        self.reset_lora_parameters()

    def reset_lora_parameters(self) -> None:
        """A as peft: kaiming-uniform(a=sqrt(5)) drawn in torch's r x d layout, then
        transposed (the numbers kaiming_uniform_ gives an r x d tensor from the same RNG
        state; peft itself draws A twice, after lora_B's draw, so one seed does not give
        peft's values: copy them, as the tests do); B = 0."""
        d, r = self.lora_A.shape
        a_t = torch.empty(r, d, dtype=self.lora_A.dtype, device=self.lora_A.device)  # fan_in d
        torch.nn.init.kaiming_uniform_(a_t, a=math.sqrt(5))
        with torch.no_grad():
            self.lora_A.copy_(a_t.T)
            self.lora_B.zero_()

    def delta_weight(self) -> torch.Tensor:
        """(alpha / r) (A B)^T: the k x d update to the torch-layout weight."""
        return (self.lora_A @ self.lora_B).T * self.scaling

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """base(x) + dropout(x) A B * alpha / r; merged: base(x) alone."""
        out = self.base_layer(x)
        if self.merged:
            return out
        return out + (self.dropout(x) @ self.lora_A @ self.lora_B) * self.scaling

    def merge(self) -> LoRALinear:
        """W <- W + (alpha / r) (A B)^T in place; forward is then the base layer alone
        (no extra latency; dropout no longer applies). Nothing happens if merged."""
        if not self.merged:
            with torch.no_grad():
                self.base_layer.weight += self.delta_weight().to(self.base_layer.weight)
            self.merged = True
        return self

    def unmerge(self) -> LoRALinear:
        """W <- W - (alpha / r) (A B)^T: W back within float rounding."""
        if self.merged:
            with torch.no_grad():
                self.base_layer.weight -= self.delta_weight().to(self.base_layer.weight)
            self.merged = False
        return self

    def extra_repr(self) -> str:
        d, k = self.base_layer.in_features, self.base_layer.out_features
        return (
            f"d={d}, k={k}, r={self.r}, lora_alpha={self.lora_alpha}, "
            f"lora_dropout={self.lora_dropout}, merged={self.merged}"
        )


# --------------------------------------------------------------------- whole models
def _matches(name: str, target_modules: str | Iterable[str]) -> bool:
    """peft's rule: a string is a regex that must match the whole module name; a list
    matches a name equal to one of its entries or ending with "." + one of them."""
    if isinstance(target_modules, str):
        return re.fullmatch(target_modules, name) is not None
    return any(name == t or name.endswith("." + t) for t in target_modules)


def apply_lora(
    model: torch.nn.Module,
    target_modules: str | Iterable[str],
    *,
    r: int,
    lora_alpha: float,
    lora_dropout: float = 0.0,
) -> torch.nn.Module:
    """Wrap every nn.Linear of `model` named by `target_modules` in a LoRALinear, in place,
    and freeze every other parameter. Returns `model`.

    target_modules: module names or suffixes, as in peft's LoraConfig: "query" matches
    "encoder.layer.0.attention.self.query"; a single string is a regex over the full name.
    InputError when nothing matches or a matched module is not an nn.Linear.
    """
    _check_hparams("apply_lora", r, lora_alpha, lora_dropout)
    if not isinstance(target_modules, str):
        target_modules = list(target_modules)
        if not target_modules or not all(isinstance(t, str) and t for t in target_modules):
            raise _param_error(
                "apply_lora", "target_modules", "a non-empty list of module names", target_modules
            )
    chosen = [(n, m) for n, m in model.named_modules() if n and _matches(n, target_modules)]
    if not chosen:
        raise InputError(
            f"target_modules {short(target_modules, 60)}: no module of "
            f"{type(model).__name__} has such a name."
        )
    for name, module in chosen:
        if not isinstance(module, torch.nn.Linear):
            raise InputError(
                f"target_modules: {name!r} is a {type(module).__name__}, not an nn.Linear."
            )
    for p in model.parameters():
        p.requires_grad_(False)
    for name, module in chosen:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        wrapped = LoRALinear(module, r=r, lora_alpha=lora_alpha, lora_dropout=lora_dropout)
        setattr(parent, child, wrapped)
    return model


def lora_layers(model: torch.nn.Module) -> dict[str, Any]:
    """The LoRALinear modules of `model` by name ("" for the model itself)."""
    return {n: m for n, m in model.named_modules() if isinstance(m, LoRALinear)}


def merge_lora(model: torch.nn.Module) -> torch.nn.Module:
    """Merge every adapter into its base weight (see LoRALinear.merge). Returns `model`."""
    for layer in lora_layers(model).values():
        layer.merge()
    return model


def unmerge_lora(model: torch.nn.Module) -> torch.nn.Module:
    """Undo `merge_lora`. Returns `model`."""
    for layer in lora_layers(model).values():
        layer.unmerge()
    return model


def trainable_parameters(model: torch.nn.Module) -> int:
    """How many parameters `model` trains (requires_grad True), shared ones counted once."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _key(layer_name: str, which: str) -> str:
    return f"{layer_name}.{which}" if layer_name else which


def lora_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The adapters alone: "<layer>.lora_A" (d x r) and "<layer>.lora_B" (r x k), detached
    copies in the map's layout. A few hundred KB where the model is hundreds of MB."""
    out = {}
    for name, layer in lora_layers(model).items():
        out[_key(name, "lora_A")] = layer.lora_A.detach().clone()
        out[_key(name, "lora_B")] = layer.lora_B.detach().clone()
    return out


def load_lora_state_dict(model: torch.nn.Module, state: Mapping[str, Any]) -> torch.nn.Module:
    """Copy adapters saved by `lora_state_dict` into `model` (wrapped the same way).

    Strict: the keys must be exactly the model's adapter keys, with the same shapes.
    InputError otherwise, and when an adapter is merged (unmerge first). Returns `model`.
    """
    layers = lora_layers(model)
    expected = {_key(n, w): (layer, w) for n, layer in layers.items() for w in ("lora_A", "lora_B")}
    missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or extra:
        raise InputError(
            f"LoRA state dict does not fit the model: missing {short(missing, 120)}, "
            f"unexpected {short(extra, 120)}."
        )
    if any(layer.merged for layer in layers.values()):
        raise InputError("LoRA state dict: the model's adapters are merged; unmerge_lora first.")
    for key, (layer, which) in expected.items():
        value, param = torch.as_tensor(state[key]), getattr(layer, which)
        if value.shape != param.shape:
            raise InputError(
                f"LoRA state dict: {key!r} has shape {tuple(value.shape)}, "
                f"the model's is {tuple(param.shape)}."
            )
    with torch.no_grad():
        for key, (layer, which) in expected.items():
            getattr(layer, which).copy_(torch.as_tensor(state[key]))
    return model


def to_peft_state_dict(state: Mapping[str, Any]) -> dict[str, Any]:
    """Our adapter keys and layout -> peft's (what `get_peft_model_state_dict` returns and
    `set_peft_model_state_dict` loads): "<layer>.lora_A" (d x r) becomes
    "base_model.model.<layer>.lora_A.weight" (r x d), "<layer>.lora_B" (r x k) becomes
    "base_model.model.<layer>.lora_B.weight" (k x r): the prefix, ".weight", a transpose."""
    out = {}
    for key, value in state.items():
        if not key.endswith((".lora_A", ".lora_B")) and key not in ("lora_A", "lora_B"):
            raise InputError(f"to_peft_state_dict: {key!r} is not a LoRA key (…lora_A/lora_B).")
        out[f"{PEFT_PREFIX}{key}.weight"] = value.T.contiguous()
    return out


def from_peft_state_dict(state: Mapping[str, Any]) -> dict[str, Any]:
    """peft's adapter state dict -> ours: the inverse of `to_peft_state_dict`."""
    out = {}
    for key, value in state.items():
        ok = key.startswith(PEFT_PREFIX) and key.endswith((".lora_A.weight", ".lora_B.weight"))
        if not ok:
            raise InputError(
                f"from_peft_state_dict: {short(key, 80)!r} is not a peft LoRA key "
                f"({PEFT_PREFIX}<layer>.lora_A.weight); a lora_bias or another method?"
            )
        out[key[len(PEFT_PREFIX) : -len(".weight")]] = value.T.contiguous()
    return out
