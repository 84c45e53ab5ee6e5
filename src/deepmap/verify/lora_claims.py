"""LoRA's claims checked on a real adapter: deepmap's LoRALinear against peft's LoRA.

calc_claims already checks the arithmetic (lora.params, lora.reduction: r (d + k) vs d k
from calc.lora_params against torch.nn.Linear pieces); these check that the adapter that
actually trains has that many parameters, and that merging it is exact; one measured claim
reads benchmarks/bench_lora_merge.py's results: a merged adapter adds no latency.
"""

from __future__ import annotations

from deepmap import calc
from deepmap.verify.measured import MeasuredClaim, Within
from deepmap.verify.registry import Claim

__all__ = ["CLAIMS"]

D = K = 4096
R = 8


def _one_linear(d: int, k: int, *, device: str = "meta", bias: bool = False):
    """A model holding one d x k nn.Linear named "proj" (on the meta device: no memory)."""
    import torch

    class One(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = torch.nn.Linear(d, k, bias=bias, device=device)

        def forward(self, x):
            return self.proj(x)

    return One()


def _ours_count() -> list[float]:
    """[trainable, base weight / trainable] of our LoRALinear on a 4096 x 4096 nn.Linear;
    raises if the count is not calc.lora_params' r (d + k)."""
    from deepmap.finetune import apply_lora, trainable_parameters

    model = apply_lora(_one_linear(D, K), ["proj"], r=R, lora_alpha=2 * R)
    n = trainable_parameters(model)
    if n != calc.lora_params(D, K, R).lora:
        raise AssertionError(
            f"LoRALinear trains {n}, calc.lora_params says {calc.lora_params(D, K, R).lora}"
        )
    return [n, model.proj.base_layer.weight.numel() / n]


def _peft_count() -> list[float]:
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(
        _one_linear(D, K), LoraConfig(r=R, lora_alpha=2 * R, target_modules=["proj"])
    )
    n = model.get_nb_trainable_parameters()[0]
    return [n, model.base_model.model.proj.base_layer.weight.numel() / n]


def _merge_case():
    """A 256 x 384 float32 layer with a random (non-zero) adapter, and its input."""
    import torch

    from deepmap.finetune import apply_lora, lora_layers

    torch.manual_seed(0)
    model = apply_lora(
        _one_linear(256, 384, device="cpu", bias=True), ["proj"], r=R, lora_alpha=2 * R
    )
    with torch.no_grad():
        lora_layers(model)["proj"].lora_B.normal_(0.0, 0.1)
    return model, torch.randn(64, 256)


def _ours_merge() -> bool:
    import torch

    from deepmap.finetune import merge_lora

    model, x = _merge_case()
    with torch.no_grad():
        unmerged = model(x)
        merged = merge_lora(model)(x)
    return bool((merged - unmerged).abs().max() < 1e-5)


def _peft_merge() -> bool:
    """peft's merge_and_unload on the same base and adapter values vs our unmerged output."""
    import copy

    import torch
    from peft import LoraConfig, get_peft_model

    model, x = _merge_case()
    ours = model.proj
    base = _one_linear(256, 384, device="cpu", bias=True)
    base.proj.load_state_dict(ours.base_layer.state_dict())
    ref = get_peft_model(
        copy.deepcopy(base), LoraConfig(r=R, lora_alpha=2 * R, target_modules=["proj"])
    )
    with torch.no_grad():
        layer = ref.base_model.model.proj
        layer.lora_A["default"].weight.copy_(ours.lora_A.T)
        layer.lora_B["default"].weight.copy_(ours.lora_B.T)
        merged = ref.merge_and_unload()(x)
        return bool((merged - model(x)).abs().max() < 1e-5)


BENCH_COMMAND = "python benchmarks/bench_lora_merge.py --out {out}"

CLAIMS: list[Claim | MeasuredClaim] = [
    Claim(
        "lora.adapter.trainable",
        "Transformers 10",
        "4096x4096, r=8: a real adapter trains 65,536 parameters, 256x fewer than W",
        [65_536, 256.0],
        _ours_count,
        _peft_count,
        "peft LoraConfig(r=8, target_modules=['proj']) on the same nn.Linear",
    ),
    Claim(
        "lora.merge.equal",
        "Transformers 10",
        "W' = W + (alpha/r) A B merges into W: merged output = unmerged (max diff < 1e-5)",
        True,
        _ours_merge,
        _peft_merge,
        "peft merge_and_unload on the same base and adapter (float32)",
    ),
    MeasuredClaim(
        "lora.merge.latency",
        "Transformers 10",
        "LoRA (Hu et al.): merged, the adapter adds no inference latency: merged / base "
        "forward time ~1.0 (MiniLM-shaped BERT, LoRA on query and value, 128 tokens, CPU)",
        1.0,
        source="bench-lora-merge",
        key=("rows", {"model": "minilm-bert"}, "merged_over_base_median"),
        command=BENCH_COMMAND,
        unit="x",
        agree=Within(0.05),
        plausible=Within(0.25),
        differs="wall-clock medians on a shared CPU move by a few percent either way",
        requires={"benchmark": "lora_merge"},
        reference_name="median of interleaved rounds, base model without LoRA",
    ),
]
