"""The language-model lab: train a char- or word-level RNN / LSTM / GRU with truncated BPTT.

Loss is the mean cross-entropy in nats per token on held-out text (characters: the last
10% of tiny Shakespeare; words: WikiText-2's own validation and test files):

    perplexity = exp(loss),   bits per character = loss / ln 2   (char level)

Word level reports validation and test perplexity with the vocabulary of words seen at
least 3 times in training (`WordTokenizer`), the release's 33,278 tokens on WikiText-2.
Evaluation cuts the held-out ids into `batch_size` streams and drops the remainder
(fewer than batch_size x (seq_len + 1) tokens), where the PyTorch example keeps all.

Training goes through `deepmap.train.fit` with the `Recurrent` task (the hidden state is
carried from batch to batch and detached), gradients clipped to the map's max_norm = 5.0.

One checkpoint format for language models, a folder:
    lm.json            {"kind": ..., "format": 1, "tokenizer": {...}, "config": {...}}
    model.safetensors  the weights
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from deepmap.errors import DataError, InputError
from deepmap.validate import check_float, check_int, check_seed

__all__ = ["LMConfig", "LMRun", "load_lm", "save_lm", "train_lm"]

FORMAT = 1
LEVELS = ("char", "word")
# the settings that differ by level; a flag left out takes its level's value
LEVEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "char": {"data": "tinyshakespeare", "hidden": 256, "dropout": 0.0, "seq_len": 100,
             "batch_size": 32, "lr": 2e-3, "eval_every": 200},
    "word": {"data": "wikitext2", "hidden": 256, "dropout": 0.2, "seq_len": 35,
             "batch_size": 20, "lr": 1e-3, "eval_every": 500},
}  # fmt: skip


@dataclass
class LMConfig:
    """Every setting of `deepmap lm train`, checked by `validate()` before any work."""

    model: str = "lstm"
    level: str = "char"
    data: str = "tinyshakespeare"
    layers: int = 2
    hidden: int = 256
    heads: int = 4  # attention heads (transformer models only)
    dropout: float = 0.0
    seq_len: int = 100
    batch_size: int = 32
    lr: float = 2e-3
    max_steps: int = 1000
    eval_every: int = 200
    clip_norm: float = 5.0  # the map's max_norm
    precision: str = "auto"  # auto: bf16 autocast on a GPU, float32 on the CPU; or no / bf16
    seed: int = 0
    out: str | None = None
    save_every: int | None = None  # checkpoint every N steps (None: at each evaluation)

    @classmethod
    def for_level(cls, level: str = "char", **given: Any) -> LMConfig:
        """A config with `level`'s defaults for every setting not `given` (or given None)."""
        if level not in LEVELS:
            raise InputError(f"--level must be char or word. Got {level!r}.")
        values = {**LEVEL_DEFAULTS[level], **{k: v for k, v in given.items() if v is not None}}
        return cls(level=level, **values)

    def validate(self) -> None:
        from deepmap.sequence.models import lm_spec

        lm_spec(self.model)
        if self.level not in LEVELS:
            raise InputError(f"--level must be char or word. Got {self.level!r}.")
        if self.save_every is not None:
            check_int("--save-every", self.save_every, low=1, high=10**9)
        check_int("--layers", self.layers, low=1, high=16)
        check_int("--hidden", self.hidden, low=1, high=8192)
        check_int("--heads", self.heads, low=1, high=1024)
        if self.precision not in ("auto", "no", "bf16"):
            raise InputError(f"--precision must be auto, no or bf16. Got {self.precision!r}.")
        check_float("--dropout", self.dropout, low=0.0, high=1.0, high_open=True)
        check_int("--seq-len", self.seq_len, low=1, high=100_000)
        check_int("--batch-size", self.batch_size, low=1, high=100_000)
        check_float("--lr", self.lr, low=0.0, low_open=True, high=10.0)
        check_int("--max-steps", self.max_steps, low=1, high=10**9)
        check_int("--eval-every", self.eval_every, low=1, high=10**9)
        check_float("--clip-norm", self.clip_norm, low=0.0, low_open=True)
        check_seed(self.seed)


@dataclass
class LMRun:
    """What `train_lm` returns: the model, its tokenizer, the result and the curves."""

    model: Any
    tokenizer: Any
    result: dict[str, Any]
    history: dict[str, Any] = field(default_factory=dict)
    data_path: Path | None = None


def loss_figures(loss: float, level: str = "char") -> dict[str, float]:
    """loss (nats/token) -> perplexity exp(loss) (and bits per char loss / ln 2, char level)."""
    out = {"val_loss": loss, "perplexity": math.exp(loss), "val_perplexity": math.exp(loss)}
    if level == "char":
        out["bits_per_char"] = loss / math.log(2)
    return out


def _corpus(config: LMConfig):
    """(tokenizer, train ids, validation ids, test ids or None, data path, sizes)."""
    from deepmap.sequence.corpus import load_splits, load_text, split_text
    from deepmap.sequence.tokenize import CharTokenizer, WordTokenizer

    if config.level == "char":
        text, path = load_text(config.data)
        train_text, val_text = split_text(text)
        tok = CharTokenizer.from_text(train_text)
        sizes = {"train_chars": len(train_text), "val_chars": len(val_text)}
        return tok, tok.encode(train_text), tok.encode(val_text, strict=False), None, path, sizes
    texts, path = load_splits(config.data)
    tok = WordTokenizer.from_text(texts["train"])
    ids = {s: tok.encode(t) for s, t in texts.items()}
    sizes = {f"{s}_tokens": len(v) for s, v in ids.items()}
    sizes["unk_rate_test"] = ids["test"].count(tok.unk_id) / max(len(ids["test"]), 1)
    return tok, ids["train"], ids["valid"], ids["test"], path, sizes


def train_lm(
    config: LMConfig,
    *,
    on_step: Callable[[int, int, float], None] | None = None,
    on_eval: Callable[[int, dict], None] | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> LMRun:
    """Train, keep the best weights by validation loss, and report (word level: the test
    loss of those weights too). `checkpoint_dir`: checkpoints every `save_every` steps (and
    at each evaluation) that `resume=True` continues exactly (`deepmap.train.fit`)."""
    config.validate()
    import torch

    from deepmap.sequence.corpus import StreamBatches
    from deepmap.sequence.models import lm_spec, train_batches
    from deepmap.train import TrainConfig, fit
    from deepmap.train.evaluate import run_eval
    from deepmap.train.tasks import Recurrent

    tok, train_ids, val_ids, test_ids, path, sizes = _corpus(config)
    train_set = train_batches(train_ids, config)
    val_set = StreamBatches(val_ids, config.batch_size, config.seq_len)
    test_set = StreamBatches(test_ids, config.batch_size, config.seq_len) if test_ids else None
    torch.manual_seed(config.seed)
    spec = lm_spec(config.model)
    model = spec.build(config, tok.vocab_size)
    optimizer, scheduler = spec.optimizer(model, config) if spec.optimizer else (None, None)
    precision = config.precision
    if precision == "auto":
        precision = "bf16" if torch.cuda.is_available() else "no"
    train_config = TrainConfig(
        epochs=None, max_steps=config.max_steps, eval_every=config.eval_every,
        batch_size=config.batch_size, eval_batch_size=config.batch_size, lr=config.lr,
        clip_norm=config.clip_norm, patience=None, seed=config.seed, shuffle=False,
        drop_last=True, mixed_precision=precision, save_every=config.save_every,
        checkpoint_dir=Path(checkpoint_dir) if checkpoint_dir else None, resume=resume,
    )  # fmt: skip
    t0 = time.perf_counter()
    history = fit(
        model, train_set, val_set, train_config, task=Recurrent(), on_step=on_step,
        on_epoch=on_eval, optimizer=optimizer, scheduler=scheduler,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    best = min(history.val_loss)
    steps = history.steps[-1] if history.steps else 0
    trained = steps - history.resumed_from_step
    result = {
        "model": config.model, "level": config.level, "config": asdict(config),
        **loss_figures(best, config.level), "best_step": history.best_step,
        "steps": steps, "train_seconds": seconds,
        "tokens_per_second": trained * config.batch_size * config.seq_len / max(seconds, 1e-9),
        "resumed_from_step": history.resumed_from_step,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": tok.vocab_size, **sizes, "device": history.device,
    }  # fmt: skip
    if test_set is not None:
        device = next(model.parameters()).device
        test_loss = float(run_eval(Recurrent(), model, test_set, config.batch_size, device)["loss"])
        result.update(test_loss=test_loss, test_perplexity=math.exp(test_loss))
    return LMRun(model, tok, result, history.to_dict(), path)


def save_lm(folder: str | Path, model: Any, tokenizer: Any, config: LMConfig) -> Path:
    """Write the checkpoint folder atomically (a temporary folder renamed into place)."""
    from safetensors.torch import save_file

    folder = Path(folder)
    if folder.exists() and not (folder / "lm.json").is_file():
        raise InputError(f"{folder}: exists and is not a language-model checkpoint.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        from deepmap.sequence.models import lm_spec

        meta = {"kind": lm_spec(config.model).kind, "format": FORMAT,
                "tokenizer": tokenizer.to_dict(), "config": asdict(config)}  # fmt: skip
        (tmp / "lm.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(tmp / "model.safetensors"))
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def load_lm(folder: str | Path) -> tuple[Any, Any, LMConfig]:
    """(model in eval mode, tokenizer, config) from a `save_lm` folder; a bad one is a DataError."""
    from safetensors.torch import load_file

    from deepmap.sequence.models import LM_MODELS, lm_spec
    from deepmap.sequence.tokenize import tokenizer_from_dict

    folder = Path(folder)
    meta_path = folder / "lm.json"
    if not meta_path.is_file():
        raise DataError(f"--model {folder}: not a language-model checkpoint (no lm.json).")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        kinds = {spec.kind for spec in LM_MODELS.values()}
        if meta.get("kind") not in kinds or meta.get("format") != FORMAT:
            raise ValueError(f"kind {meta.get('kind')!r}, format {meta.get('format')!r}")
        known = {f.name for f in fields(LMConfig)}
        config = LMConfig(**{k: v for k, v in meta["config"].items() if k in known})
        config.validate()
        tok = tokenizer_from_dict(meta["tokenizer"])
        model = lm_spec(config.model).build(config, tok.vocab_size)
        model.load_state_dict(load_file(str(folder / "model.safetensors")))
    except Exception as e:
        msg = (str(e).splitlines() or [type(e).__name__])[0][:120]
        raise DataError(f"--model {folder}: unreadable checkpoint ({msg}).") from None
    model.eval()
    return model, tok, config
