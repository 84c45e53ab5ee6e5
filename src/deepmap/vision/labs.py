"""The vision labs end to end: DigitCNN on MNIST, ChestCNN on chest X-rays (recall first)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from deepmap import metrics
from deepmap.errors import InputError
from deepmap.train.loop import TrainConfig, fit, predict

__all__ = ["binary_report", "choose_threshold", "run_chestcnn", "run_digitcnn"]


# ------------------------------------------------------------------ DigitCNN
def run_digitcnn(digits, config: TrainConfig, *, on_step=None, on_epoch=None):
    """Train the map's DigitCNN; return (results, test predictions)."""
    import torch

    from deepmap.vision.data import TensorImages
    from deepmap.vision.models import digitcnn, n_parameters

    torch.manual_seed(config.seed)
    model = digitcnn()
    train = TensorImages(digits.train_x, digits.train_y)
    val = TensorImages(digits.val_x, digits.val_y)
    history = fit(model, train, val, config, on_step=on_step, on_epoch=on_epoch)
    probs, y = predict(model, TensorImages(digits.test_x, digits.test_y))
    pred = probs.argmax(1)
    cm = metrics.confusion_matrix(y, pred, labels=list(range(10)))
    result = {
        "model": "digitcnn",
        "n_parameters": n_parameters(model),
        "data": digits.describe(),
        "test_accuracy": metrics.accuracy(y, pred),
        "misclassified": int((pred != y).sum()),
        "confusion_matrix": np.asarray(cm).tolist(),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(config).items()},
        "history": history.to_dict(),
    }
    return result, pred


# ------------------------------------------------------------------ ChestCNN
def choose_threshold(y_true: np.ndarray, p_pos: np.ndarray, target_recall: float) -> float:
    """The highest threshold whose recall on (y_true, p_pos) reaches target_recall.

    Lowering the threshold raises recall and lowers precision; the highest threshold that
    still reaches the target gives away the least precision.
    """
    if not 0 < target_recall <= 1:
        raise InputError(f"--target-recall must be in (0, 1]. Got {target_recall}.")
    pos = np.sort(p_pos[y_true == 1])[::-1]
    if len(pos) == 0:
        raise InputError("the validation split has no positive examples.")
    k = int(np.ceil(target_recall * len(pos)))  # this many positives must score >= threshold
    return float(pos[k - 1])


def binary_report(y: np.ndarray, p_pos: np.ndarray, threshold: float) -> dict[str, float]:
    pred = (p_pos >= threshold).astype(int)
    return {
        "threshold": threshold,
        "accuracy": metrics.accuracy(y, pred),
        "recall": metrics.recall(y, pred),
        "precision": metrics.precision(y, pred),
        "specificity": metrics.specificity(y, pred),
        "f1": metrics.f1(y, pred),
        "roc_auc": metrics.roc_auc(y, p_pos),
    }


def run_chestcnn(
    splits,
    config: TrainConfig,
    *,
    imbalance: str = "weighted",
    target_recall: float = 0.95,
    augment: bool = True,
    vflip: bool = False,
    on_step: Callable | None = None,
    on_epoch: Callable | None = None,
    model=None,
    model_name: str = "chestcnn",
    input_transform=None,
) -> dict:
    """Train ChestCNN (or `model`, for transfer learning) with the chosen imbalance remedy;
    pick the threshold on validation. `input_transform` (resize + ImageNet normalisation for
    pretrained models) runs on every split; augmentation on the training split only."""
    import torch

    from deepmap.vision.data import TensorImages, augmentation
    from deepmap.vision.models import chestcnn, n_parameters

    if imbalance not in ("weighted", "sampler", "none"):
        raise InputError(f"--imbalance must be weighted, sampler or none. Got {imbalance!r}.")
    transform = augmentation(vflip=vflip, medical=True) if augment else None
    if input_transform is not None:
        from torchvision.transforms import v2

        transform = v2.Compose([t for t in (transform, input_transform) if t is not None])
    torch.manual_seed(config.seed)
    if model is None:
        model = chestcnn(in_channels=splits.train_x.shape[1])
    counts = np.bincount(splits.train_y, minlength=2)
    loss_fn, sampler = None, None
    if imbalance == "weighted":  # weight_c = N / (K * n_c): rare classes count more
        w = torch.tensor(len(splits.train_y) / (2 * counts), dtype=torch.float32)
        loss_fn = torch.nn.CrossEntropyLoss(weight=w)
    elif imbalance == "sampler":  # draw each example with probability ~ 1 / n_class
        from torch.utils.data import WeightedRandomSampler

        weights = torch.tensor(1.0 / counts[splits.train_y], dtype=torch.double)
        gen = torch.Generator().manual_seed(config.seed)
        sampler = WeightedRandomSampler(weights, len(weights), replacement=True, generator=gen)
    train = TensorImages(splits.train_x, splits.train_y, transform)
    val = TensorImages(splits.val_x, splits.val_y, input_transform)
    history = fit(model, train, val, config, loss_fn=loss_fn, sampler=sampler,
                  on_step=on_step, on_epoch=on_epoch)  # fmt: skip
    p_val, y_val = predict(model, val)
    p_test, y_test = predict(model, TensorImages(splits.test_x, splits.test_y, input_transform))
    thr = choose_threshold(y_val, p_val[:, 1], target_recall)
    at_half = binary_report(y_test, p_test[:, 1], 0.5)
    at_thr = binary_report(y_test, p_test[:, 1], thr)
    result = {
        "model": model_name,
        "n_parameters": n_parameters(model),
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "data": splits.describe(),
        "imbalance": imbalance,
        "augment": augment,
        "target_recall": target_recall,
        "test_at_0.5": at_half,
        "test_at_threshold": at_thr,
        "precision_cost": at_half["precision"] - at_thr["precision"],
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(config).items()},
        "history": history.to_dict(),
    }
    pred = (p_test[:, 1] >= thr).astype(int)
    result["confusion_matrix_at_threshold"] = np.asarray(
        metrics.confusion_matrix(y_test, pred, labels=[0, 1])
    ).tolist()
    return result
