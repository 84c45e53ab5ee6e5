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
(a state dict); offline without either, a clear error, or `--no-pretrained`. A weights file
is read without running pickle code (safetensors, or `torch.load(weights_only=True)`).

`run_transfer(TransferConfig(...))` is the lab in one call: validate every setting, build
the model, load the chest X-rays resized to `size` and normalised with ImageNet's
statistics, train with `deepmap.train` (resumable: `resume=True`), pick the threshold on
validation, evaluate on test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from deepmap.data.identity import data_identity
from deepmap.errors import DataUnavailableError, InputError
from deepmap.validate import check_float, check_int, short
from deepmap.vision.labs import (
    EpochFn,
    InfoFn,
    LabConfig,
    LabRun,
    StepFn,
    _say,
    check_imbalance,
    jsonable,
    run_chestcnn,
)

__all__ = [
    "ARCHS",
    "Arch",
    "TransferConfig",
    "build",
    "head_module",
    "imagenet_transform",
    "load_weights",
    "run_transfer",
    "set_trainable",
]

MODES = ("feature", "finetune")
DEFAULT_LR = {"feature": 1e-3, "finetune": 1e-5}  # pretrained weights are fragile


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
        state = load_weights(path)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if [k for k in missing if not k.startswith("aux")] or unexpected:
            raise InputError(
                f"--weights {path}: does not fit {arch} "
                f"({len(missing)} missing, {len(unexpected)} unexpected keys)."
            )
    old = _get(model, a.head)
    _set(model, a.head, torch.nn.Linear(old.in_features, n_classes))
    return model


def load_weights(path: str | Path) -> dict:
    """A state dict (parameter name -> tensor) from `path`, never running pickle code:
    `.safetensors` through safetensors, anything else through torch.load(weights_only=True),
    which refuses every object but tensors and plain containers. A checkpoint that wraps the
    state dict under "state_dict" or "model" is unwrapped. Anything else: one InputError."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--weights {path}: no such file.")
    if path.stat().st_size == 0:
        raise InputError(f"--weights {path}: the file is empty.")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path), device="cpu")
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # UnpicklingError, RuntimeError, EOFError, SafetensorError...
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise InputError(
            f"--weights {path}: not a state dict that can be read safely ({short(first, 100)})."
        ) from None
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if (
        not isinstance(state, dict)
        or not state
        or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items())
    ):
        raise InputError(
            f"--weights {path}: holds {type(state).__name__}, not a state dict "
            "(parameter names -> tensors)."
        )
    return state


def set_trainable(model, arch: str, mode: str, last_n: int = 0) -> int:
    """mode "feature": only the head trains; "finetune": all, or with last_n > 0 the head and
    the last N blocks (with parameters) of the backbone. Returns the trainable parameter count."""
    if mode not in MODES:
        raise InputError(f"--mode must be feature or finetune. Got {mode!r}.")
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
        if last_n > len(blocks):
            raise InputError(f"--last-n {last_n}: {arch} has {len(blocks)} blocks with parameters.")
        for block in blocks[-last_n:]:
            for p in block.parameters():
                p.requires_grad = True
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def imagenet_transform(size: int):
    """Resize to size x size and normalise with ImageNet's mean and std, as the pretrained
    weights expect (the map's section 8): x' = (x - mean_c) / std_c per channel c."""
    from torchvision.transforms import v2

    return v2.Compose(
        [
            v2.Resize((size, size), antialias=True),
            v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ]
    )


@dataclass
class TransferConfig(LabConfig):
    """`deepmap transfer ARCH`. Adds the architecture, the mode (feature: frozen backbone;
    finetune: all, or the last `last_n` blocks), a weights file, the input side `size` in
    [32, 1024], the imbalance remedy and the recall target in (0, 1]. `lr=None` picks 1e-3
    for feature extraction and 1e-5 for fine-tuning."""

    arch: str = "resnet50"
    mode: str = "feature"
    last_n: int = 0
    weights: Path | None = None
    pretrained: bool = True
    size: int = 224
    imbalance: str = "weighted"
    target_recall: float = 0.95
    epochs: int = 3
    batch_size: int = 32
    lr: float | None = None
    out: Path | None = None

    def __post_init__(self) -> None:
        self.out = Path(self.out) if self.out is not None else Path(f"results/transfer-{self.arch}")
        self.weights = Path(self.weights) if self.weights is not None else None

    @property
    def effective_lr(self) -> float:
        return self.lr if self.lr is not None else DEFAULT_LR.get(self.mode, 1e-3)

    def validate(self) -> None:
        if self.arch not in ARCHS:
            raise InputError(f"unknown architecture {self.arch!r}; known: {', '.join(ARCHS)}.")
        if self.mode not in MODES:
            raise InputError(f"--mode must be feature or finetune. Got {self.mode!r}.")
        check_int("--last-n", self.last_n, low=0, high=1000)
        if self.last_n and self.mode != "finetune":
            raise InputError("--last-n applies to --mode finetune only.")
        check_int("--size", self.size, low=32, high=1024)
        check_imbalance(self.imbalance)
        check_float("--target-recall", self.target_recall, low=0, low_open=True, high=1)
        if self.weights is not None:
            if not self.weights.is_file():
                raise InputError(f"--weights {self.weights}: no such file.")
            if self.weights.stat().st_size == 0:
                raise InputError(f"--weights {self.weights}: the file is empty.")
            if not self.pretrained:
                raise InputError("--weights and --no-pretrained contradict each other.")
        super().validate()


def run_transfer(
    config: TransferConfig,
    *,
    on_info: InfoFn | None = None,
    on_step: StepFn | None = None,
    on_epoch: EpochFn | None = None,
) -> LabRun:
    """Validate, build the pretrained model with a 2-class head, load the chest X-rays,
    train, choose the threshold on validation, evaluate on test."""
    from deepmap.data.chest import resolve_chest

    config.validate()
    model = build(config.arch, 2, pretrained=config.pretrained, weights=config.weights)
    trainable = set_trainable(model, config.arch, config.mode, config.last_n)
    splits, note = resolve_chest(config.data, size=config.size)
    if splits.train_x.shape[1] != 3:
        raise InputError("transfer learning needs 3-channel images.")
    _say(on_info, f"data: {splits.describe()}\n{note}")
    _say(on_info, f"{config.arch}: {config.mode}, {trainable:,} trainable parameters, "
                  f"lr {config.effective_lr:g}")  # fmt: skip
    defines_model = {"mode": config.mode, "last_n": config.last_n, "size": config.size,
                     "pretrained": config.pretrained}  # fmt: skip
    result = run_chestcnn(
        splits, config.train_config(), imbalance=config.imbalance,
        target_recall=config.target_recall, augment=True, on_step=on_step, on_epoch=on_epoch,
        model=model, model_name=config.arch, input_transform=imagenet_transform(config.size),
        meta=defines_model,
    )  # fmt: skip
    result.update(defines_model, data_note=note, lr=config.effective_lr,
                  settings=jsonable(vars(config)))  # fmt: skip
    return LabRun(result, config.checkpoint_dir, data_identity(splits))
