"""LocalGenerator on a tiny random Llama (cache reuse vs full forwards, our decoding vs HF
generate), the model locator, and OllamaGenerator against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.llm._tiny_lm import tiny_generator  # noqa: E402

from deepmap.errors import DataError, InputError  # noqa: E402
from deepmap.llm.generator import LocalGenerator, OllamaGenerator, make_generator  # noqa: E402
from deepmap.llm.models import ENV_VAR, resolve_model  # noqa: E402


@pytest.fixture(scope="module")
def gen():
    return tiny_generator()


def _reference(gen, ids_before, option):
    """sum log p(option tokens | ids_before) from one plain forward of the whole sequence."""
    opt = gen.encode(option)
    full = torch.tensor([ids_before + opt])
    with torch.no_grad():
        logp = torch.log_softmax(gen.model(input_ids=full).logits[0].float(), -1)
    start = len(ids_before)
    return float(sum(logp[start - 1 + j, t] for j, t in enumerate(opt)))


OPTIONS = ["positive", " negative review", "yes", "no passage the"]


def test_choice_logprobs_equals_full_forward(gen):
    prompt = gen.chat([{"role": "user", "content": "the film was dull"}])
    got = gen.choice_logprobs(prompt, OPTIONS)
    want = [_reference(gen, gen.encode(prompt), o) for o in OPTIONS]
    assert any(len(gen.encode(o)) > 1 for o in OPTIONS)  # multi-token options exercised
    assert got == pytest.approx(want, abs=1e-4)
    assert len(set(round(x, 3) for x in got)) == len(got)  # not a flat model


def test_prefix_cache_reused_across_items_equals_full_forward(gen):
    prefix_text = gen.chat(
        [
            {"role": "user", "content": "a wonderful film"},
            {"role": "assistant", "content": "positive"},
        ],
        generation_prompt=False,
    )
    prefix = gen.prefix(prefix_text)
    n_prefix = len(prefix.ids)
    for item in ("the movie was boring", "sells 9 eggs", "paris"):
        prompt = gen.chat([{"role": "user", "content": item}])
        got = gen.choice_logprobs(prompt, OPTIONS, prefix=prefix)
        want = [_reference(gen, prefix.ids + gen.encode(prompt), o) for o in OPTIONS]
        assert got == pytest.approx(want, abs=1e-4)
        assert prefix.cache.get_seq_length() == n_prefix  # the shared prefix is left intact


def test_empty_prompt_after_prefix_uses_prefix_logprobs(gen):
    prefix = gen.prefix("the film was")
    got = gen.choice_logprobs("", ["positive", "dull"], prefix=prefix)
    want = [_reference(gen, prefix.ids, o) for o in ["positive", "dull"]]
    assert got == pytest.approx(want, abs=1e-4)


def test_choice_logprobs_refuses_bad_options(gen):
    with pytest.raises(InputError):
        gen.choice_logprobs("x", [])
    with pytest.raises(InputError):
        gen.choice_logprobs("x", [""])


def test_stream_equals_hf_generate_greedy(gen):
    prompt = gen.chat([{"role": "user", "content": "what is the capital of france"}])
    ids = gen.encode(prompt)
    pieces = list(gen.stream(prompt, max_new_tokens=12))
    with torch.no_grad():
        ref = gen.model.generate(
            torch.tensor([ids]), max_new_tokens=12, do_sample=False,
            eos_token_id=gen.tokenizer.eos_token_id, pad_token_id=gen.tokenizer.eos_token_id,
        )  # fmt: skip
    new = [t for t in ref[0, len(ids) :].tolist() if t != gen.tokenizer.eos_token_id]
    assert "".join(pieces) == gen.tokenizer.decode(new, skip_special_tokens=True)
    assert len(pieces) >= 2  # streamed, not one block


def test_chat_uses_the_tokenizers_template(gen):
    text = gen.chat([{"role": "user", "content": "hi"}])
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_load_from_a_saved_folder_and_env(tmp_path, gen, monkeypatch):
    gen.model.save_pretrained(tmp_path / "m")
    gen.tokenizer.save_pretrained(tmp_path / "m")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "m"))
    loaded = LocalGenerator.load()
    prompt = gen.chat([{"role": "user", "content": "the film"}])
    assert loaded.choice_logprobs(prompt, OPTIONS) == pytest.approx(
        gen.choice_logprobs(prompt, OPTIONS), abs=1e-5
    )


def test_resolve_model_cases(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "a.gguf").write_bytes(b"")
    assert resolve_model(str(tmp_path / "a.gguf")).gguf_file == "a.gguf"
    assert resolve_model(str(tmp_path)).gguf_file == "a.gguf"
    (tmp_path / "b.gguf").write_bytes(b"")
    with pytest.raises(InputError, match="several"):
        resolve_model(str(tmp_path))
    with pytest.raises(InputError, match="no such"):
        resolve_model(str(tmp_path / "nope"))
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(InputError, match=r"\.gguf"):
        resolve_model(str(tmp_path / "x.txt"))
    assert resolve_model("owner/name").local is False


def test_missing_hub_model_offline_is_one_line_dataerror():
    from deepmap.llm.models import ModelSpec, load_model

    with pytest.raises(DataError) as e:
        load_model(ModelSpec("deepmap-test/no-such-model", local=False), local_only=True)
    assert "\n" not in str(e.value) and "no-such-model" in str(e.value)


# ------------------------------------------------------------------- Ollama backend
class _Ollama(BaseHTTPRequestHandler):
    bodies: list = []  # noqa: RUF012

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Ollama.bodies.append((self.path, body))
        lines = [{"response": p, "done": False} for p in ["Paris", " is", " the capital."]]
        lines.append({"response": "", "done": True, "eval_count": 3, "eval_duration": 10**9})
        payload = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def ollama_url():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ollama)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_ollama_backend_streams_from_a_real_server(ollama_url):
    _Ollama.bodies.clear()
    g = make_generator("ollama", "smollm2:135m", ollama_url)
    assert isinstance(g, OllamaGenerator)
    pieces = list(g.stream("What is the capital of France?", max_new_tokens=7))
    assert pieces == ["Paris", " is", " the capital."]
    path, body = _Ollama.bodies[-1]
    assert path == "/api/generate" and body["model"] == "smollm2:135m"
    assert body["options"]["num_predict"] == 7 and body["options"]["temperature"] == 0.0
    with pytest.raises(InputError, match="log-probabilities"):
        g.choice_logprobs("x", ["yes", "no"])


def test_make_generator_refuses_bad_backend():
    with pytest.raises(InputError):
        make_generator("vllm", None, "http://x")
    with pytest.raises(InputError):
        make_generator("ollama", None, "http://x")


def test_generate_batch_equals_each_prompt_alone(gen):
    """Left-padded batch decoding gives each prompt's own greedy continuation (prompts of
    different lengths, so padding and positions matter)."""
    prompts = [
        gen.chat([{"role": "user", "content": "the film"}]),
        gen.chat([{"role": "user", "content": "janet has 16 eggs and sells 9 for 2 dollars"}]),
        gen.chat([{"role": "user", "content": "the capital of france is"}]),
    ]
    assert len({len(gen.encode(p)) for p in prompts}) == 3
    alone = [gen.generate(p, max_new_tokens=12) for p in prompts]
    batch = gen.generate_batch(prompts, max_new_tokens=12)
    assert batch == alone
    assert len(set(alone)) > 1  # the prompts lead somewhere different


def test_generate_batch_without_mask_would_differ(gen):
    """The check above can fail: the same padded batch with positions counted from the pad
    (no mask) decodes another continuation for the shortest prompt."""
    from deepmap.sequence.decoding import HFStepper, generate
    from deepmap.sequence.padded import left_pad

    prompts = [gen.encode("the film"), gen.encode("janet has 16 eggs and sells 9 for 2 dollars")]
    ids, _ = left_pad(prompts, gen.tokenizer.pad_token_id)
    unmasked = generate(HFStepper(gen.model), ids, max_new_tokens=8).new_tokens[0]
    alone = generate(HFStepper(gen.model), [prompts[0]], max_new_tokens=8).new_tokens[0]
    assert unmasked != alone


def test_generate_batch_refuses_an_empty_prompt(gen):
    with pytest.raises(InputError, match="empty"):
        gen.generate_batch(["the film", ""])


def test_plain_chat_fallback_writes_bos_and_cuts_the_next_turn():
    """A tokenizer with no chat template (a base model): the plain format starts with the
    BOS token where the tokenizer has its own (not its EOS reused, as GPT-2's), and a
    continuation is cut at "\nuser:"."""
    from tests.llm._tiny_lm import tiny_model, tiny_tokenizer

    tok = tiny_tokenizer()
    tok.chat_template = None
    plain = LocalGenerator(tiny_model(len(tok)), tok)
    text = plain.chat([{"role": "user", "content": "hi"}])
    assert text == "<|endoftext|>user: hi\nassistant:"
    assert plain.encode(text)[0] == tok.convert_tokens_to_ids("<|endoftext|>")  # one token
    tok.eos_token = "<|endoftext|>"  # GPT-2's way: one token for both
    assert plain.chat([{"role": "user", "content": "hi"}]) == "user: hi\nassistant:"
    assert plain.cut(" 18.\nuser: next question 7") == " 18."
    assert plain.cut(" 18. no turn") == " 18. no turn"


def test_templated_model_output_is_not_cut(gen):
    assert gen.cut(" 18.\nuser: next") == " 18.\nuser: next"


def _tiny_gemma3():
    from tests.llm._tiny_lm import tiny_tokenizer
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    tok = tiny_tokenizer()
    torch.manual_seed(0)
    cfg = Gemma3TextConfig(
        vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16, sliding_window=4,
        layer_types=["sliding_attention", "full_attention"], max_position_embeddings=256,
    )  # fmt: skip
    model = Gemma3ForCausalLM(cfg).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(4.0)
    return LocalGenerator(model, tok), cfg


def test_generate_batch_past_a_sliding_window():
    """Left padding with sliding-window layers: the batch still decodes each prompt as
    alone, prompts longer than the window and of different lengths."""
    g, cfg = _tiny_gemma3()
    prompts = [
        g.chat([{"role": "user", "content": "the film"}]),
        g.chat([{"role": "user", "content": "janet has 16 eggs and sells 9 for 2 dollars each"}]),
    ]
    assert len(g.encode(prompts[1])) > 4 * cfg.sliding_window
    alone = [g.generate(p, max_new_tokens=10) for p in prompts]
    assert g.generate_batch(prompts, max_new_tokens=10) == alone


def test_choice_logprobs_past_a_sliding_window():
    """A model with sliding-window layers (Gemma 3): the prompt's cache is cropped back
    after each option even when the prompt is longer than the window, and the scores equal
    a plain full forward (which applies the window itself)."""
    g, cfg = _tiny_gemma3()
    prompt = g.chat([{"role": "user", "content": "janet has 16 eggs and sells 9 for 2 dollars"}])
    assert len(g.encode(prompt)) > 4 * cfg.sliding_window
    prefix = g.prefix(g.chat([{"role": "user", "content": "the film was wonderful"}]))
    got = g.choice_logprobs(prompt, OPTIONS, prefix=prefix)
    want = [_reference(g, prefix.ids + g.encode(prompt), o) for o in OPTIONS]
    assert got == pytest.approx(want, abs=1e-4)
