"""Transfer learning with the map's five architectures (torchvision).

| arch            | the map's params | head replaced at |
| vgg16           | 138M             | classifier[6]    |
| googlenet       | 6.8M             | fc               |
| resnet50        | 25M              | fc               |
| mobilenet_v2    | 3.4M             | classifier[1]    |
| efficientnet_b0 | 5.3M             | classifier[1]    |

Modes: feature extraction (backbone frozen, only the new head trains) or fine-tuning
(everything, or the last N top-level blocks of the backbone, with a small learning rate,
about 1e-5: pretrained weights are fragile). Pretrained weights come from torchvision's cache
(`$TORCH_HOME/hub/checkpoints`, the file name torchvision would download) or `--weights PATH`
(a state dict); offline without either, a clear error, or `--no-pretrained`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from deepmap.errors import DataUnavailableError, InputError

__all__ = ["ARCHS", "Arch", "build", "head_module", "set_trainable"]


@dataclass(frozen=True)
class Arch:
    name: str
    map_params: float  # the map's figure
    head: tuple[str, ...]  # attribute path of the final Linear
    weights_enum: str  # torchvision's default weights enum
    blocks: str  # attribute holding the backbone's top-level blocks, for partial unfreezing


ARCHS = {
    "vgg16": Arch("vgg16", 138e6, ("classifier", "6"), "VGG16_Weights", "features"),
    "googlenet": Arch("googlenet", 6.8e6, ("fc",), "GoogLeNet_Weights", ""),
    "resnet50": Arch("resnet50", 25e6, ("fc",), "ResNet50_Weights", ""),
    "mobilenet_v2": Arch(
        "mobilenet_v2", 3.4e6, ("classifier", "1"), "MobileNet_V2_Weights", "features"
    ),
    "efficientnet_b0": Arch(
        "efficientnet_b0", 5.3e6, ("classifier", "1"), "EfficientNet_B0_Weights", "features"
    ),
}


def _get(model, path: tuple[str, ...]):
    m = model
    for p in path:
        m = m[int(p)] if p.isdigit() else getattr(m, p)
    return m


def _set(model, path: tuple[str, ...], module) -> None:
    parent = _get(model, path[:-1]) if len(path) > 1 else model
    last = path[-1]
    if last.isdigit():
        parent[int(last)] = module
    else:
        setattr(parent, last, module)


def head_module(model, arch: str):
    return _get(model, ARCHS[arch].head)


def _cached_weights(arch: Arch) -> tuple[Path | None, str]:
    import torchvision

    weights = getattr(torchvision.models, arch.weights_enum).DEFAULT
    url = weights.url
    home = Path(os.environ.get("TORCH_HOME", Path.home() / ".cache" / "torch"))
    path = home / "hub" / "checkpoints" / url.rsplit("/", 1)[-1]
    return (path if path.is_file() else None), url


def build(arch: str, n_classes: int, *, pretrained: bool = True, weights: str | Path | None = None):
    """The torchvision model with its head replaced by a Linear(in, n_classes)."""
    import torch
    import torchvision

    if arch not in ARCHS:
        raise InputError(f"unknown architecture {arch!r}; known: {', '.join(ARCHS)}.")
    a = ARCHS[arch]
    kwargs = {"aux_logits": False, "init_weights": False} if arch == "googlenet" else {}
    model = getattr(torchvision.models, arch)(weights=None, **kwargs)
    if pretrained:
        path = Path(weights) if weights else None
        if path is None:
            path, url = _cached_weights(a)
            if path is None:
                raise DataUnavailableError(
                    f"no pretrained {arch} weights: not in torchvision's cache and the download "
                    f"({url}) is not attempted offline. Pass --weights PATH (a state dict), put "
                    f"the file in $TORCH_HOME/hub/checkpoints/, or use --no-pretrained."
                )
        elif not path.is_file():
            raise InputError(f"--weights {path}: no such file.")
        state = torch.load(path, map_location="cpu", weights_only=True)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if [k for k in missing if not k.startswith("aux")] or unexpected:
            raise InputError(
                f"--weights {path}: does not fit {arch} "
                f"({len(missing)} missing, {len(unexpected)} unexpected keys)."
            )
    old = _get(model, a.head)
    _set(model, a.head, torch.nn.Linear(old.in_features, n_classes))
    return model


def set_trainable(model, arch: str, mode: str, last_n: int = 0) -> int:
    """mode "feature": only the head trains; "finetune": all, or with last_n > 0 the head and
    the last N blocks (with parameters) of the backbone. Returns the trainable parameter count."""
    if mode not in ("feature", "finetune"):
        raise InputError(f"mode must be 'feature' or 'finetune'. Got {mode!r}.")
    a = ARCHS[arch]
    full = mode == "finetune" and last_n == 0
    for p in model.parameters():
        p.requires_grad = full
    for p in _get(model, a.head).parameters():
        p.requires_grad = True
    if mode == "finetune" and last_n > 0:
        if a.blocks:
            blocks = list(getattr(model, a.blocks).children())
        else:  # resnet / googlenet: the top-level children before the head
            blocks = [m for n, m in model.named_children() if n != "fc"]
        blocks = [b for b in blocks if any(True for _ in b.parameters())]  # skip ReLU, pools
        for block in blocks[-last_n:]:
            for p in block.parameters():
                p.requires_grad = True
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
