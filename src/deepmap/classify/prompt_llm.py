"""A local instruction-tuned LLM as a text classifier, by prompting: no training at all.

    fit(X, y)   loads the generator (deepmap.llm: SmolLM2-135M-Instruct unless `llm` or
                $DEEPMAP_LLM names another), draws `shots` demonstrations from (X, y),
                seeded and stratified, and computes their key/value cache once
    predict(X)  per text: argmax over the labels' words of
                sum_j log p(word token j | demonstrations, text, word tokens < j)

The prompt and the scoring are `deepmap prompt eval`'s (deepmap.llm.prompting.LabelChooser):
labels pos/neg are asked as "positive or negative"; other labels are offered by name. The
map's point, measured on the ladder: prompting costs no training and no labelled data beyond
the demonstrations, and pays in latency (a forward pass of a 135M-parameter decoder per
text) and accuracy (a small model; see results/prompt-imdb).

Where we differ: the demonstrations are cut to `demo_tokens` tokens and the texts to
`max_tokens` (head + tail), so that k = 8 fits the model's context and a CPU's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from deepmap.errors import InputError

__all__ = ["PromptClassifier"]


class PromptClassifier:
    """Zero- or few-shot classification by constrained choice (see the module doc)."""

    def __init__(
        self,
        *,
        llm: str | None = None,
        shots: int = 0,
        max_tokens: int = 256,
        demo_tokens: int = 64,
        seed: int = 0,
        generator: Any = None,
    ) -> None:
        self.llm = llm
        self.shots = shots
        self.max_tokens = max_tokens
        self.demo_tokens = demo_tokens
        self.seed = seed
        self.generator = generator  # a ready LocalGenerator (tests); else loaded in fit

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {k: getattr(self, k) for k in
                ("llm", "shots", "max_tokens", "demo_tokens", "seed", "generator")}  # fmt: skip

    def set_params(self, **params: Any) -> PromptClassifier:
        for k, v in params.items():
            if k not in self.get_params():
                raise InputError(f"PromptClassifier has no setting {k!r}.")
            setattr(self, k, v)
        return self

    def fit(self, texts: Sequence[str], labels: Sequence[Any]) -> PromptClassifier:
        from deepmap.llm.prompting import IMDB_LABELS, LabelChooser, draw_demos

        labels = [str(y) for y in labels]
        if len(texts) != len(labels) or not labels:
            raise InputError("PromptClassifier.fit needs as many labels as texts (and some).")
        self.classes_ = np.array(sorted(set(labels)))
        if len(self.classes_) < 2:
            raise InputError("PromptClassifier needs at least two labels.")
        if self.generator is None:
            from deepmap.llm.generator import LocalGenerator

            self.generator = LocalGenerator.load(self.llm)
        words = {y: IMDB_LABELS.get(y, y) for y in self.classes_}
        demo_idx = draw_demos(labels, self.shots, self.seed + 1000 + self.shots)
        self.demo_indices_ = demo_idx
        demos = [(texts[i], labels[i]) for i in demo_idx]
        self.chooser_ = LabelChooser(self.generator, demos, words, max_tokens=self.max_tokens,
                                     demo_tokens=self.demo_tokens)  # fmt: skip
        self.trainable_parameters_ = 0
        self.total_parameters_ = sum(p.numel() for p in self.generator.model.parameters())
        return self

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        if getattr(self, "chooser_", None) is None:
            raise InputError("PromptClassifier: call fit before predict.")
        return np.array([self.chooser_.choose(t) for t in texts])

    def __getstate__(self) -> dict[str, Any]:
        # the demonstrations' cache is a by-product: rebuilt by fit, not pickled
        state = dict(self.__dict__)
        if "chooser_" in state:
            state["chooser_"] = None
        return state
