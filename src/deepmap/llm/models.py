"""Where the local instruction-tuned model comes from, and loading it.

`resolve_model(spec)`: spec (or $DEEPMAP_LLM, else the default) is one of
    a .gguf file                  loaded with transformers + gguf (dequantised to float32)
    a folder holding one .gguf    the same
    a folder with config.json     an ordinary Hugging Face checkpoint
    a hub name (owner/name)       from_pretrained, cached by huggingface_hub (which checks
                                  the files' hashes); offline it fails with one line
The default: the GGUF extracted under $DEEPMAP_HOME/smollm2/ (see DATA.md) when present,
else the canonical hub repo HuggingFaceTB/SmolLM2-135M-Instruct (Apache-2.0).

Where we differ: the map's local-model tool is Ollama (`--backend ollama`, see
deepmap.llm.ollama); here the default runs in-process through transformers so that
deepmap's own decoding module and log-probabilities are available.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepmap.errors import DataError, InputError
from deepmap.validate import short

__all__ = ["DEFAULT_HUB", "ENV_VAR", "ModelSpec", "load_model", "resolve_model"]

DEFAULT_HUB = "HuggingFaceTB/SmolLM2-135M-Instruct"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ENV_VAR = "DEEPMAP_LLM"


@dataclass(frozen=True)
class ModelSpec:
    """`where`: a folder or a hub name; `gguf_file`: the file inside it, if GGUF."""

    where: str
    gguf_file: str | None = None
    local: bool = True

    @property
    def label(self) -> str:
        return f"{self.where}/{self.gguf_file}" if self.gguf_file else self.where


def _default_local() -> Path | None:
    from deepmap.data.cache import cache_dir

    for folder in (cache_dir() / "smollm2", Path("/work/cache/smollm2")):
        if (folder / DEFAULT_GGUF).is_file():
            return folder / DEFAULT_GGUF
    return None


def resolve_model(spec: str | None = None) -> ModelSpec:
    """The model that `spec` (else $DEEPMAP_LLM, else the default) names; see the module doc."""
    spec = (spec or os.environ.get(ENV_VAR) or "").strip()
    if not spec:
        found = _default_local()
        return (
            ModelSpec(str(found.parent), found.name)
            if found
            else ModelSpec(DEFAULT_HUB, local=False)
        )
    path = Path(spec).expanduser()
    if path.is_file():
        if path.suffix != ".gguf":
            raise InputError(f"--model {short(spec)}: a file must be a .gguf model.")
        return ModelSpec(str(path.parent), path.name)
    if path.is_dir():
        ggufs = sorted(p.name for p in path.glob("*.gguf"))
        if (path / "config.json").is_file():
            return ModelSpec(str(path))
        if len(ggufs) == 1:
            return ModelSpec(str(path), ggufs[0])
        if len(ggufs) > 1:
            raise InputError(f"--model {short(spec)}: several .gguf files; name one of them.")
        raise InputError(f"--model {short(spec)}: no config.json or .gguf in that folder.")
    if spec.count("/") == 1 and not spec.startswith((".", "/", "~")):
        return ModelSpec(spec, local=False)
    raise InputError(f"--model {short(spec)}: no such file or folder (nor a hub name owner/name).")


def load_model(spec: ModelSpec, *, local_only: bool = False) -> tuple[Any, Any]:
    """(model in eval mode, tokenizer). A hub name downloads once (huggingface_hub's cache);
    offline, or with local_only and nothing cached, one-line DataError."""
    import logging

    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict[str, Any] = {}
    if spec.gguf_file:
        kwargs["gguf_file"] = spec.gguf_file
    if local_only or spec.local:
        kwargs["local_files_only"] = True
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:
        tokenizer = AutoTokenizer.from_pretrained(spec.where, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(spec.where, **kwargs)
    except (OSError, ValueError) as e:
        why = str(e).splitlines()[0][:160] if str(e) else type(e).__name__
        hint = (
            ""
            if spec.local
            else " (offline? download it once with the network, or pass --model PATH)"
        )
        raise DataError(f"could not load model {short(spec.label)}: {why}{hint}.") from None
    model.eval()
    return model, tokenizer
