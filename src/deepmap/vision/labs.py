"""The vision labs end to end: DigitCNN on MNIST, ChestCNN on chest X-rays (recall first).

Each lab is one call that the CLI makes: a config dataclass whose `validate()` checks every
number and the output folder before any data is read or any model is built, then
`digitcnn_lab(config)` / `chestcnn_lab(config)` (and `deepmap.vision.transfer.run_transfer`)
load the data, train on `deepmap.train`, evaluate, and return a `LabRun` (the JSON-ready
result and what the figures need). Writing the folder is the caller's (the CLI's) step.

    >>> cfg = DigitCNNConfig(data="digits", epochs=1, out=Path("results/d"))
    >>> run = digitcnn_lab(cfg)  # doctest: +SKIP
    >>> run.result["test_accuracy"]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from deepmap import metrics
from deepmap.data.identity import data_identity
from deepmap.errors import InputError
from deepmap.train import TrainConfig, fit, predict
from deepmap.validate import check_float, check_int, check_out_path, check_seed
from deepmap.vision.checkpoint import check_fits, fit_guarded, start_checkpoint

__all__ = [
    "ChestCNNConfig",
    "DigitCNNConfig",
    "LabConfig",
    "LabRun",
    "binary_report",
    "chestcnn_lab",
    "choose_threshold",
    "digitcnn_lab",
    "run_chestcnn",
    "run_digitcnn",
]

log = logging.getLogger(__name__)

MAX_EPOCHS = 100_000
MAX_BATCH = 65_536
MAX_LR = 10.0  # beyond any optimizer's useful range; a typo, not a setting
IMBALANCE = ("weighted", "sampler", "none")

StepFn = Callable[[int, int, float], None]
EpochFn = Callable[[int, dict[str, float]], None]
InfoFn = Callable[[str], None]


# ------------------------------------------------------------------ configs
@dataclass
class LabConfig:
    """What every vision lab takes. `validate()` refuses, before any work: a non-integer or
    out-of-range --epochs [1, 100000], --batch-size [1, 65536], --patience [1, 100000],
    --seed [0, 2**32-1]; an --lr that is not finite or outside (0, 10]; a --mixed-precision
    other than no/bf16; an --out that is a file, lies under a file, is not writable, or is a
    non-empty folder without an earlier results.json; --resume without a checkpoint."""

    data: str = "auto"
    epochs: int = 5
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 0
    patience: int = 5
    mixed_precision: str = "no"
    resume: bool = False
    out: Path = Path("results/run")

    def __post_init__(self) -> None:
        self.out = Path(self.out)

    @property
    def effective_lr(self) -> float:
        """The learning rate the run uses (a lab may choose it when none is given)."""
        return self.lr

    @property
    def checkpoint_dir(self) -> Path:
        """The hidden sibling of --out that holds the checkpoint `--resume` continues from."""
        return self.out.parent / f".{self.out.name}.checkpoint"

    def validate(self) -> None:
        check_int("--epochs", self.epochs, low=1, high=MAX_EPOCHS)
        check_int("--batch-size", self.batch_size, low=1, high=MAX_BATCH)
        check_float("--lr", self.effective_lr, low=0, low_open=True, high=MAX_LR)
        check_seed(self.seed)
        check_int("--patience", self.patience, low=1, high=MAX_EPOCHS)
        if self.mixed_precision not in ("no", "bf16"):
            raise InputError(f"--mixed-precision must be no or bf16. Got {self.mixed_precision!r}.")
        if not str(self.data).strip():
            raise InputError("--data must not be empty.")
        self._check_out()

    def _check_out(self) -> None:
        from deepmap.validate import check_out_dir  # the one output-folder rule

        check_out_path(self.out, "--out")
        check_out_dir(self.out)
        ck = self.checkpoint_dir
        if ck.exists() and not ck.is_dir():
            raise InputError(f"--out {self.out}: {ck} (its checkpoint) is a file; remove it.")
        if self.resume and not (ck.is_dir() and any(ck.iterdir())):
            raise InputError(
                f"--resume: no checkpoint in {ck} (none was written: the earlier run ended "
                "before its first epoch, or used another --out); run without --resume."
            )

    def train_config(self) -> TrainConfig:
        """The loop's settings, the checkpoint beside --out."""
        return TrainConfig(
            epochs=self.epochs, batch_size=self.batch_size, lr=self.effective_lr,
            seed=self.seed, patience=self.patience, mixed_precision=self.mixed_precision,
            resume=self.resume, checkpoint_dir=self.checkpoint_dir,
        )  # fmt: skip


@dataclass
class DigitCNNConfig(LabConfig):
    """`deepmap train digitcnn`. data: auto, mnist, digits (bundled 8x8) or a path."""

    out: Path = Path("results/digitcnn")


@dataclass
class ChestCNNConfig(LabConfig):
    """`deepmap train chestcnn`. Adds the imbalance remedy (weighted, sampler, none), the
    recall to reach on validation, in (0, 1], and augmentation (vertical flips refused)."""

    epochs: int = 10
    imbalance: str = "weighted"
    target_recall: float = 0.95
    augment: bool = True
    vflip: bool = False
    out: Path = Path("results/chestcnn")

    def validate(self) -> None:
        check_imbalance(self.imbalance)
        check_float("--target-recall", self.target_recall, low=0, low_open=True, high=1)
        if self.vflip:
            from deepmap.vision.data import augmentation

            augmentation(vflip=True, medical=True)  # raises before importing torchvision
        super().validate()


def check_imbalance(imbalance: str) -> str:
    if imbalance not in IMBALANCE:
        raise InputError(f"--imbalance must be weighted, sampler or none. Got {imbalance!r}.")
    return imbalance


@dataclass
class LabRun:
    """What a lab returns: the JSON-ready result, the checkpoint folder it kept, what the
    data's checksum is taken over (its files, else its arrays' bytes), and the arrays the
    figures need."""

    result: dict[str, Any]
    checkpoint: Path | None
    data_files: tuple[Path | bytes | str, ...]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def jsonable(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as JSON values: numbers, strings, booleans and None kept, the rest as str."""
    plain = (int, float, str, bool, type(None))
    return {k: v if isinstance(v, plain) else str(v) for k, v in settings.items()}


def _say(on_info: InfoFn | None, text: str) -> None:
    log.info(text)
    if on_info:
        on_info(text)


def _train(model, train, val, config: TrainConfig, meta: Mapping[str, Any], **kwargs: Any):
    """fit(), with the checkpoint checked before a resume and named on Ctrl-C."""
    if config.checkpoint_dir is not None:
        start_checkpoint(config.checkpoint_dir, resume=config.resume, meta=meta)
        if config.resume:
            check_fits(config.checkpoint_dir, model)
    return fit_guarded(model, train, val, config, fit=fit, **kwargs)


def digitcnn_lab(
    config: DigitCNNConfig,
    *,
    on_info: InfoFn | None = None,
    on_step: StepFn | None = None,
    on_epoch: EpochFn | None = None,
) -> LabRun:
    """Validate, load the digits, train DigitCNN, evaluate on the test split."""
    from deepmap.data.digits import resolve_digits

    config.validate()
    digits, note = resolve_digits(config.data, seed=config.seed)
    _say(on_info, f"data: {digits.describe()}\n{note}")
    result, pred = run_digitcnn(digits, config.train_config(), on_step=on_step,
                                on_epoch=on_epoch)  # fmt: skip
    result.update(data_note=note, settings=jsonable(vars(config)))
    arrays = {"test_x": digits.test_x, "test_y": digits.test_y, "pred": pred}
    return LabRun(result, config.checkpoint_dir, data_identity(digits), arrays)


def chestcnn_lab(
    config: ChestCNNConfig,
    *,
    on_info: InfoFn | None = None,
    on_step: StepFn | None = None,
    on_epoch: EpochFn | None = None,
) -> LabRun:
    """Validate, load the chest X-rays, train ChestCNN, choose the threshold, evaluate."""
    from deepmap.data.chest import resolve_chest

    config.validate()
    splits, note = resolve_chest(config.data)
    _say(on_info, f"data: {splits.describe()}\n{note}")
    result = run_chestcnn(
        splits, config.train_config(), imbalance=config.imbalance,
        target_recall=config.target_recall, augment=config.augment, vflip=config.vflip,
        on_step=on_step, on_epoch=on_epoch,
    )  # fmt: skip
    result.update(data_note=note, settings=jsonable(vars(config)))
    return LabRun(result, config.checkpoint_dir, data_identity(splits))


# ------------------------------------------------------------------ DigitCNN
def run_digitcnn(digits, config: TrainConfig, *, on_step=None, on_epoch=None):
    """Train the map's DigitCNN on `digits`; return (results, test predictions)."""
    import torch

    from deepmap.vision.data import TensorImages
    from deepmap.vision.models import DigitCNN, n_parameters

    torch.manual_seed(config.seed)
    model = DigitCNN()
    train = TensorImages(digits.train_x, digits.train_y)
    val = TensorImages(digits.val_x, digits.val_y)
    meta = {"model": "digitcnn", "data": digits.name, "n_train": len(train),
            "batch_size": config.batch_size, "seed": config.seed}  # fmt: skip
    history = _train(model, train, val, config, meta, on_step=on_step, on_epoch=on_epoch)
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
        "config": jsonable(vars(config)),
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
    meta: Mapping[str, Any] | None = None,
) -> dict:
    """Train ChestCNN (or `model`, for transfer learning) with the chosen imbalance remedy;
    pick the threshold on validation. `input_transform` (resize + ImageNet normalisation for
    pretrained models) runs on every split; augmentation on the training split only."""
    import torch

    from deepmap.vision.data import TensorImages, augmentation
    from deepmap.vision.models import ChestCNN, n_parameters

    check_imbalance(imbalance)
    transform = augmentation(vflip=vflip, medical=True) if augment else None
    if input_transform is not None:
        from torchvision.transforms import v2

        transform = v2.Compose([t for t in (transform, input_transform) if t is not None])
    torch.manual_seed(config.seed)
    if model is None:
        model = ChestCNN(in_channels=splits.train_x.shape[1])
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
    meta = {"model": model_name, "data": splits.name, "n_train": len(train),
            "image_shape": list(splits.train_x.shape[1:]), "imbalance": imbalance,
            "augment": augment, "batch_size": config.batch_size, "seed": config.seed,
            **(meta or {})}  # fmt: skip
    history = _train(model, train, val, config, meta, loss_fn=loss_fn, sampler=sampler,
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
        "config": jsonable(vars(config)),
        "history": history.to_dict(),
    }
    pred = (p_test[:, 1] >= thr).astype(int)
    result["confusion_matrix_at_threshold"] = np.asarray(
        metrics.confusion_matrix(y_test, pred, labels=[0, 1])
    ).tolist()
    return result
