"""BERT-family classifiers on raw texts: frozen features, full fine-tuning, or LoRA.

    mode "frozen":   v = pool(encoder(ids))  ([CLS] or mean, `deepmap.finetune.features`,
                     cached on disk) -> standardise -> logistic regression (C)
    mode "finetune": p(y | d) = softmax(W tanh(W_p h_CLS + b_p) + b)  every weight trained
                     (AutoModelForSequenceClassification), cross-entropy
    mode "lora":     the same network, the encoder frozen; LoRA adapters (r, alpha) on every
                     attention query and value projection (W' = W + (alpha/r) A B) and the
                     new classification head are trained

The map's fine-tuning recipe: AdamW, lr 2e-5 to 5e-5 (default 3e-5; LoRA's default 5e-4, as
adapters start at zero and need a larger step), linear warmup over `warmup_ratio` of the
steps then linear decay to 0, `epochs` 3, weight decay 0.01, gradients clipped to 1.0,
`max_length` 256 WordPieces kept head+tail (first (max_length-2)//4, the rest from the end;
`deepmap.finetune.encoders`). Training runs on `deepmap.train.fit` (Accelerate: CPU, one
GPU with bf16 via `mixed_precision`, or several GPUs with `accelerate launch`); batches
group reviews of similar length. `max_steps` bounds a run (a CPU budget).

A fine-tuned model (full or LoRA, the adapters merged into the weights) is cached under
$DEEPMAP_HOME/finetuned/<key> (key: encoder, data, labels, settings): a second fit with the
same everything loads it instead of training. `save(folder)` writes a standalone Hugging Face
folder (weights, tokenizer, deepmap.json with the classes and the truncation) that
`deepmap predict --model FOLDER "text"` and `load_saved` read.

Where we differ from the map: the map fine-tunes with the HF Trainer; we use deepmap.train
(the same loop as every torch rung). No validation split or early stopping: the map's recipe
is a fixed number of epochs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from deepmap.classify._checks import (
    check_fitted,
    check_labels,
    check_param_choice,
    check_param_float,
    check_param_int,
    check_seed_param,
)
from deepmap.errors import DataError, InputError

__all__ = ["BertClassifier", "load_saved"]

MODES = ("frozen", "finetune", "lora")
POOLINGS = ("mean", "cls", "cls+mean")
LORA_TARGETS = ("query", "value")
CACHE_MIN_DOCS = 64
META = "deepmap.json"


def _collate(items: list[tuple[list[int], int]]) -> dict[str, Any]:
    import torch

    from deepmap.finetune.encoders import pad_batch

    batch = pad_batch([ids for ids, _ in items])
    batch["labels"] = torch.tensor([y for _, y in items], dtype=torch.int64)
    return batch


def _unwrap_lora(model: Any) -> Any:
    """Merge every adapter into its weight and put the plain nn.Linear back, so the model
    saves and loads as an ordinary Hugging Face model."""
    from deepmap.finetune.lora import lora_layers

    for name, layer in lora_layers(model).items():
        layer.merge()
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child, layer.base_layer)
    for p in model.parameters():
        p.requires_grad_(True)
    return model


def _logits(model: Any, ids: list[list[int]], batch_size: int = 64) -> np.ndarray:
    import torch

    from deepmap.finetune.encoders import pad_batch

    device = next(model.parameters()).device
    order = np.argsort([len(x) for x in ids], kind="stable")
    out = np.zeros((len(ids), model.config.num_labels), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            batch = {k: v.to(device) for k, v in pad_batch([ids[i] for i in idx]).items()}
            out[idx] = model(**batch).logits.float().cpu().numpy()
    return out


class BertClassifier(ClassifierMixin, BaseEstimator):
    """A BERT-family encoder as a text classifier: `fit(texts, labels)`, `predict(texts)`.

    Parameters: `mode` "frozen" | "finetune" | "lora"; `model` a name or folder (None: the
    bundled MiniLM); `max_length`, `head_tokens` (None: (max_length-2)//4); frozen:
    `pooling` "mean" | "cls" | "cls+mean", `C`; training: `epochs`, `max_steps` (None: no
    step bound), `batch_size`, `lr` (None: 3e-5 finetune, 5e-4 lora), `warmup_ratio`,
    `weight_decay`, `lora_r`, `lora_alpha`, `lora_dropout`, `mixed_precision` "no" | "bf16";
    `cache` (features / fine-tuned weights on disk); `save_every` (with `cache`: a checkpoint
    every N steps, and an interrupted fit resumes from it); `seed`.
    Learned: `classes_`, `trainable_parameters_`, `total_parameters_`; frozen: `scaler_`,
    `head_`; finetune / lora: `network_`, `tokenizer_`, `history_`, `cached_` (loaded).
    """

    def __init__(
        self, *, mode: Literal["frozen", "finetune", "lora"] = "frozen", model: str | None = None,
        max_length: int = 256, head_tokens: int | None = None,
        pooling: Literal["mean", "cls", "cls+mean"] = "mean", C: float = 1.0, epochs: int = 3,
        max_steps: int | None = None, batch_size: int = 16, lr: float | None = None,
        warmup_ratio: float = 0.1, weight_decay: float = 0.01, lora_r: int = 8,
        lora_alpha: float = 16.0, lora_dropout: float = 0.1, mixed_precision: str = "no",
        cache: bool = True, save_every: int | None = None, seed: int = 0,
    ):  # fmt: skip
        self.mode = mode
        self.model = model
        self.max_length = max_length
        self.head_tokens = head_tokens
        self.pooling = pooling
        self.C = C
        self.epochs = epochs
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.lr = lr
        self.warmup_ratio = warmup_ratio
        self.weight_decay = weight_decay
        self.lora_r = lora_r
        self.lora_alpha = lora_alpha
        self.lora_dropout = lora_dropout
        self.mixed_precision = mixed_precision
        self.cache = cache
        self.save_every = save_every
        self.seed = seed

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        from deepmap.finetune.encoders import head_tail_split, locate_encoder

        check_param_choice(self, "mode", MODES)
        check_param_choice(self, "pooling", POOLINGS)
        check_param_choice(self, "mixed_precision", ("no", "bf16"))
        locate_encoder(self.model)
        check_param_int(self, "max_length", low=3, high=100_000)
        head_tail_split(self.max_length, self.head_tokens)
        check_param_float(self, "C", low=0.0, low_open=True, high=1e6)
        check_param_int(self, "epochs", low=1, high=10_000)
        if self.max_steps is not None:
            check_param_int(self, "max_steps", low=1, high=10**9)
        check_param_int(self, "batch_size", low=1, high=100_000)
        if self.lr is not None:
            check_param_float(self, "lr", low=0.0, low_open=True, high=10.0)
        check_param_float(self, "warmup_ratio", low=0.0, high=1.0)
        check_param_float(self, "weight_decay", low=0.0, high=10.0)
        check_param_int(self, "lora_r", low=1, high=100_000)
        check_param_float(self, "lora_alpha", low=0.0, low_open=True, high=1e6)
        check_param_float(self, "lora_dropout", low=0.0, high=0.99)
        if self.save_every is not None:
            check_param_int(self, "save_every", low=1, high=10**9)
        check_seed_param(self, "seed")

    # ------------------------------------------------------------------ frozen
    def _features(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled features; the disk cache only for sets of CACHE_MIN_DOCS or more (a single
        document is encoded directly: its latency is the model's, not a file lookup)."""
        from deepmap.finetune.encoders import inference_device, load_encoder, load_tokenizer
        from deepmap.finetune.features import frozen_features

        if getattr(self, "encoder_", None) is None:
            self.tokenizer_ = load_tokenizer(self.model)
            self.encoder_ = load_encoder(self.model).to(inference_device())
        cache = bool(self.cache) and len(texts) >= CACHE_MIN_DOCS
        loaded = (self.tokenizer_, self.encoder_)
        f = frozen_features(texts, self.model, max_length=self.max_length, cache=cache,
                            head_tokens=self.head_tokens, loaded=loaded)  # fmt: skip
        return np.hstack([f[k] for k in self.pooling.split("+")])

    def _fit_frozen(self, texts: Sequence[str], yi: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        self.encoder_ = None  # (re)loaded for this fit's model
        X = self._features(texts)
        self.scaler_ = StandardScaler().fit(X)
        self.head_ = LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed)
        self.head_.fit(self.scaler_.transform(X), yi)
        self.trainable_parameters_ = int(self.head_.coef_.size + self.head_.intercept_.size)
        enc_size = sum(p.numel() for p in self.encoder_.parameters())
        self.total_parameters_ = int(enc_size) + self.trainable_parameters_

    # ------------------------------------------------------------------ fine-tuning
    def _cache_key(self, texts: Sequence[str], yi: np.ndarray) -> str:
        import hashlib

        from deepmap.finetune.encoders import encoder_fingerprint

        p = self.get_params()
        p.pop("cache")
        p.pop("save_every")  # checkpoints resume exactly: the result does not depend on it
        h = hashlib.sha256(json.dumps([encoder_fingerprint(self.model), p, 1], default=str,
                                      sort_keys=True).encode())  # fmt: skip
        for t in texts:
            h.update(t.encode("utf-8", "surrogatepass") + b"\0")
        h.update(np.asarray(yi, dtype=np.int64).tobytes())
        return h.hexdigest()[:32]

    def _fit_network(self, texts: Sequence[str], yi: np.ndarray) -> None:
        import torch

        from deepmap.classify.batching import LengthBuckets
        from deepmap.data.cache import cache_dir
        from deepmap.finetune.encoders import (
            encode_head_tail,
            inference_device,
            load_classifier,
            load_tokenizer,
        )
        from deepmap.finetune.lora import apply_lora, trainable_parameters
        from deepmap.train import HFTask, TrainConfig, adamw, fit
        from deepmap.train.schedules import warmup_linear

        self.tokenizer_ = load_tokenizer(self.model)
        folder = Path(cache_dir()) / "finetuned" / self._cache_key(texts, yi)
        torch.manual_seed(self.seed)
        net = load_classifier(self.model, num_labels=len(self.classes_))
        self.total_parameters_ = int(sum(p.numel() for p in net.parameters()))
        if self.mode == "lora":
            apply_lora(net, list(LORA_TARGETS), r=self.lora_r, lora_alpha=float(self.lora_alpha),
                       lora_dropout=float(self.lora_dropout))  # fmt: skip
            for p in net.classifier.parameters():  # the new head (peft: modules_to_save)
                p.requires_grad_(True)
        self.trainable_parameters_ = int(trainable_parameters(net))
        if self.cache and (folder / META).is_file():
            self.network_ = _load_folder(folder)[0].to(inference_device())
            self.history_, self.cached_ = json.loads((folder / META).read_text())["history"], True
            return
        ids = encode_head_tail(self.tokenizer_, texts, self.max_length, self.head_tokens)
        train_set = [(x, int(y)) for x, y in zip(ids, yi, strict=True)]
        steps_per_epoch = -(-len(train_set) // self.batch_size)
        total = steps_per_epoch * self.epochs
        if self.max_steps is not None:
            total = min(total, self.max_steps)
        lr = self.lr if self.lr is not None else (3e-5 if self.mode == "finetune" else 5e-4)
        # with a cache and save_every: checkpoints beside the cached model, so a fit that was
        # interrupted resumes where it stopped when run again with the same data and settings
        ckpt = folder.with_name(folder.name + ".ckpt") if self.cache and self.save_every else None
        config = TrainConfig(
            epochs=self.epochs, max_steps=self.max_steps, batch_size=self.batch_size, lr=lr,
            weight_decay=self.weight_decay, clip_norm=1.0, patience=None, restore_best=False,
            seed=self.seed, mixed_precision=self.mixed_precision, eval_batch_size=64,
            checkpoint_dir=ckpt, resume=ckpt is not None, save_every=self.save_every,
        )  # fmt: skip
        sampler = LengthBuckets(np.array([len(x) for x in ids]), self.batch_size,
                                 torch.Generator().manual_seed(self.seed))  # fmt: skip
        history = fit(
            net, train_set, [], config, task=HFTask(), sampler=sampler, collate_fn=_collate,
            optimizer=adamw(lr, weight_decay=self.weight_decay),
            scheduler=warmup_linear(min(round(self.warmup_ratio * total), total), total),
        )  # fmt: skip
        self.history_ = history.to_dict()
        if self.mode == "lora":
            _unwrap_lora(net)
        self.network_ = net.to(inference_device()).eval()
        self.cached_ = False
        if self.cache:
            self.save(folder)
        if ckpt is not None:
            import shutil

            shutil.rmtree(ckpt, ignore_errors=True)

    # ------------------------------------------------------------------ API
    def fit(self, texts: Sequence[str], y: Any) -> BertClassifier:
        """Train on raw `texts` and their labels `y` (at least two classes)."""
        self._check_params()
        y = check_labels(self, texts, y, min_classes=2)
        self.classes_, yi = np.unique(y, return_inverse=True)
        texts = [str(t) for t in texts]
        if self.mode == "frozen":
            self._fit_frozen(texts, yi)
        else:
            self._fit_network(texts, yi)
        return self

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Logits, shape (n_documents, n_classes) (frozen, two classes: (n_documents,))."""
        texts = [str(t) for t in texts]
        if getattr(self, "mode", None) == "frozen":
            check_fitted(self, "head_")
            return self.head_.decision_function(self.scaler_.transform(self._features(texts)))
        check_fitted(self, "network_")
        from deepmap.finetune.encoders import encode_head_tail

        ids = encode_head_tail(self.tokenizer_, texts, self.max_length, self.head_tokens)
        return _logits(self.network_, ids)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape (n_documents, n_classes)."""
        check_fitted(self, "classes_")
        if self.mode == "frozen":
            check_fitted(self, "head_")
            return self.head_.predict_proba(self.scaler_.transform(self._features(texts)))
        z = self.decision_function(texts)
        z = np.exp(z - z.max(1, keepdims=True))
        return z / z.sum(1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most likely class of each document."""
        check_fitted(self, "classes_")
        return self.classes_[self.predict_proba(texts).argmax(1)]

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write a standalone model folder (fine-tuned or LoRA-merged weights, tokenizer,
        deepmap.json). Frozen mode has no network of its own to save: InputError."""
        if self.mode == "frozen":
            raise InputError("a frozen-feature BertClassifier has no model folder to save; "
                             "use mode 'finetune' or 'lora'.")  # fmt: skip
        check_fitted(self, "network_")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        from deepmap.finetune.encoders import hf_quiet

        with hf_quiet():
            self.network_.save_pretrained(folder)
            self.tokenizer_.save_pretrained(folder)
        meta = {"classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
                "max_length": self.max_length, "head_tokens": self.head_tokens,
                "mode": self.mode, "base_model": str(self.model or "minilm"),
                "trainable_parameters": self.trainable_parameters_,
                "history": getattr(self, "history_", None)}  # fmt: skip
        (folder / META).write_text(json.dumps(meta, indent=1, default=str))
        return folder


def _load_folder(folder: Path) -> tuple[Any, dict[str, Any]]:
    from deepmap.finetune.encoders import load_classifier

    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError) as e:
        raise DataError(f"--model {folder}: no readable {META} ({type(e).__name__}).") from None
    net = load_classifier(str(folder), num_labels=len(meta["classes"]))
    return net.eval(), meta


def load_saved(folder: str | os.PathLike[str]) -> BertClassifier:
    """A fitted BertClassifier from a folder written by `save` (deepmap predict's reader)."""
    from deepmap.finetune.encoders import load_tokenizer

    p = Path(folder).expanduser()
    if not p.is_dir():
        raise InputError(f"--model {folder}: no such folder.")
    if not (p / META).is_file():
        raise InputError(f"--model {folder}: not a deepmap model folder (no {META}).")
    net, meta = _load_folder(p)
    clf = BertClassifier(
        mode=meta.get("mode", "finetune"), model=str(p), max_length=int(meta["max_length"]),
        head_tokens=meta.get("head_tokens"),
    )  # fmt: skip
    clf.classes_ = np.array(meta["classes"])
    clf.network_, clf.tokenizer_ = net, load_tokenizer(str(p))
    clf.trainable_parameters_ = meta.get("trainable_parameters")
    return clf
