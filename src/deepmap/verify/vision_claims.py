"""The map's transfer-learning table: parameter counts of the five architectures, as
deepmap builds them (ImageNet 1000-class head) beside torchvision's own models."""

from __future__ import annotations

from deepmap.verify.registry import Claim


def _ours(arch: str) -> int:
    from deepmap.vision.models import n_parameters
    from deepmap.vision.transfer import build

    return n_parameters(build(arch, 1000, pretrained=False))


def _torchvision(arch: str) -> int:
    import torchvision

    kwargs = {"aux_logits": False, "init_weights": False} if arch == "googlenet" else {}
    model = getattr(torchvision.models, arch)(weights=None, **kwargs)
    return sum(p.numel() for p in model.parameters())


def _claim(arch: str, words: str, value: float, rtol: float, differs: str = "") -> Claim:
    return Claim(
        f"cnn.transfer.{arch}",
        "CNN 7",
        words,
        value,
        lambda: _ours(arch),
        lambda: _torchvision(arch),
        f"torchvision.models.{arch}",
        map_rtol=rtol,
        differs=differs,
    )


CLAIMS: list[Claim] = [
    _claim("vgg16", "VGG16: 138M parameters", 138e6, 0.005),
    _claim(
        "googlenet",
        "GoogLeNet: 6.8M parameters",
        6.8e6,
        0.01,
        differs="torchvision's GoogLeNet (no auxiliary heads) has 6,624,904 = 6.6M; the 6.8M "
        "of the paper's table counts a slightly different network",
    ),
    _claim("resnet50", "ResNet50: 25M parameters", 25e6, 0.03),
    _claim(
        "mobilenet_v2",
        "MobileNetV2: 3.4M parameters",
        3.4e6,
        0.01,
        differs="torchvision's MobileNetV2 has 3,504,872 = 3.5M (the paper's table says 3.4M)",
    ),
    _claim("efficientnet_b0", "EfficientNet-B0: 5.3M parameters", 5.3e6, 0.01),
]
