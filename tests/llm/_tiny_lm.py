"""A tiny randomly initialised Llama and a byte-level BPE tokenizer with a chat template,
built in the test (no downloads)."""

from __future__ import annotations

CHAT = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "the film was wonderful and moving, a positive review",
    "the movie was dull and boring, a negative review",
    "question answer yes no passage the capital of france is paris",
    "janet has 16 eggs and sells 9 for 2 dollars each, the answer is 18",
] * 20


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", bos_token="<|endoftext|>",
        unk_token="<|endoftext|>", pad_token="<|endoftext|>",
    )  # fmt: skip
    fast.chat_template = CHAT
    return fast


def tiny_model(vocab_size: int, seed: int = 0):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(
        vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
    )  # fmt: skip
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():  # larger weights than the init: non-flat, varied distributions
        for p in model.parameters():
            p.mul_(8.0)
    return model.eval()


def tiny_generator():
    from deepmap.llm.generator import LocalGenerator

    tok = tiny_tokenizer()
    return LocalGenerator(tiny_model(len(tok)), tok, label="tiny")
