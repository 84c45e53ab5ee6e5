"""Fine-tuning pre-trained models: LoRA adapters from the map's formula (`lora`).

Needs the `torch` extra; peft (the `llm` extra) is the reference the tests compare with.
"""

from __future__ import annotations

from deepmap.finetune.lora import (
    LoRALinear,
    apply_lora,
    from_peft_state_dict,
    load_lora_state_dict,
    lora_layers,
    lora_state_dict,
    merge_lora,
    to_peft_state_dict,
    trainable_parameters,
    unmerge_lora,
)

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
