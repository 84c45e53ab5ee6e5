"""Our LoRA against peft's (the reference) on the same tiny randomly initialised BERT
(transformers' BertModel, hidden 32, 2 layers, 2 heads; no weights, no network), float64:
the same adapter values give the same outputs and gradients; the trainable counts agree with
each other and with r (d + k); merged = unmerged; adapter state dicts load both ways."""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
peft = pytest.importorskip("peft")

from deepmap.finetune import (  # noqa: E402  (after the importorskips on purpose)
    apply_lora,
    from_peft_state_dict,
    load_lora_state_dict,
    lora_layers,
    lora_state_dict,
    merge_lora,
    to_peft_state_dict,
    trainable_parameters,
    unmerge_lora,
)

# peft 0.21 calls a transformers 5.24 method that now warns; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated")

R, ALPHA, TARGETS = 4, 8, ["query", "value"]


@pytest.fixture(autouse=True)
def one_thread():
    """2 shared cores: torch's thread pool makes tiny ops ~50x slower under contention."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def tiny_bert(dropout: float = 0.0, dtype=torch.float64):
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=32,
        hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout,
    )  # fmt: skip
    return BertModel(cfg).to(dtype).eval()


def pair(targets=TARGETS, dropout: float = 0.0, dtype=torch.float64, bert_dropout: float = 0.0):
    """(ours, peft's) on copies of one base; our adapters random (B too), copied into peft's
    by hand: peft's lora_A.weight = our A^T (r x d), lora_B.weight = our B^T (k x r)."""
    from peft import LoraConfig, get_peft_model

    base = tiny_bert(bert_dropout, dtype)
    ours = apply_lora(copy.deepcopy(base), targets, r=R, lora_alpha=ALPHA, lora_dropout=dropout)
    cfg = LoraConfig(r=R, lora_alpha=ALPHA, target_modules=targets, lora_dropout=dropout)
    theirs = get_peft_model(copy.deepcopy(base), cfg)
    gen = torch.Generator().manual_seed(1)
    for name, lo in lora_layers(ours).items():
        with torch.no_grad():
            lo.lora_A.copy_(torch.randn(lo.lora_A.shape, generator=gen, dtype=dtype) * 0.3)
            lo.lora_B.copy_(torch.randn(lo.lora_B.shape, generator=gen, dtype=dtype) * 0.3)
            ref = theirs.base_model.model.get_submodule(name)
            ref.lora_A["default"].weight.copy_(lo.lora_A.T)
            ref.lora_B["default"].weight.copy_(lo.lora_B.T)
    return ours, theirs


def inputs(n=3, t=10):
    gen = torch.Generator().manual_seed(2)
    ids = torch.randint(0, 64, (n, t), generator=gen)
    mask = torch.ones(n, t, dtype=torch.long)
    mask[0, 7:] = 0
    return {"input_ids": ids, "attention_mask": mask}


def out(model, batch):
    return model(**batch).last_hidden_state


def test_same_adapters_same_outputs_and_gradients():
    ours, theirs = pair()
    batch = inputs()
    a, b = out(ours, batch), out(theirs, batch)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    w = torch.randn(a.shape, generator=torch.Generator().manual_seed(3), dtype=a.dtype)
    (a * w).sum().backward()
    (b * w).sum().backward()
    for name, lo in lora_layers(ours).items():
        ref = theirs.base_model.model.get_submodule(name)
        torch.testing.assert_close(lo.lora_A.grad, ref.lora_A["default"].weight.grad.T)
        torch.testing.assert_close(lo.lora_B.grad, ref.lora_B["default"].weight.grad.T)
        assert lo.lora_B.grad.abs().max() > 0


@pytest.mark.parametrize("targets", [TARGETS, ["dense"], ["query", "key", "value", "dense"]])
def test_same_layers_wrapped_and_trainable_counts_equal_peft_and_r_d_plus_k(targets):
    ours, theirs = pair(targets)
    wrapped = set(lora_layers(ours))
    assert wrapped == set(theirs.base_model.targeted_module_names)
    want = sum(R * (m.base_layer.in_features + m.base_layer.out_features) for m in
               lora_layers(ours).values())  # fmt: skip
    assert trainable_parameters(ours) == theirs.get_nb_trainable_parameters()[0] == want
    if targets == TARGETS:
        assert want == 2 * 2 * R * (32 + 32) == 1024  # 2 layers x {query, value}


def test_regex_target_matches_peft():
    ours, theirs = pair(r".*layer\.1\.attention\.self\.(query|key)")
    assert set(lora_layers(ours)) == set(theirs.base_model.targeted_module_names)
    assert len(lora_layers(ours)) == 2


def test_merged_equals_unmerged_and_peft_merged_float32():
    ours, theirs = pair(dtype=torch.float32)
    batch = inputs()
    with torch.no_grad():
        unmerged = out(ours, batch)
        merged = out(merge_lora(ours), batch)
        theirs.merge_adapter()
        peft_merged = out(theirs, batch)
        restored = out(unmerge_lora(ours), batch)
    assert (merged - unmerged).abs().max() < 1e-5
    assert (merged - peft_merged).abs().max() < 1e-5
    assert (restored - unmerged).abs().max() < 1e-5


def test_our_state_dict_loads_into_peft_and_peft_s_into_ours():
    from peft import get_peft_model_state_dict, set_peft_model_state_dict

    ours, theirs = pair()
    batch = inputs()
    _, fresh_peft = pair()
    for m in fresh_peft.modules():  # scramble peft's adapters so the load must do the work
        if hasattr(m, "lora_B") and isinstance(m.lora_B, torch.nn.ModuleDict):
            torch.nn.init.zeros_(m.lora_B["default"].weight)
    mapped = to_peft_state_dict(lora_state_dict(ours))
    assert mapped.keys() == get_peft_model_state_dict(theirs).keys()
    result = set_peft_model_state_dict(fresh_peft, mapped)
    assert not [k for k in result.unexpected_keys]
    assert torch.equal(out(fresh_peft, batch), out(ours, batch))

    fresh_ours, _ = pair()
    for lo in lora_layers(fresh_ours).values():
        torch.nn.init.zeros_(lo.lora_B)
    load_lora_state_dict(fresh_ours, from_peft_state_dict(get_peft_model_state_dict(theirs)))
    assert torch.equal(out(fresh_ours, batch), out(theirs, batch))


def test_dropout_in_train_mode_equals_peft_with_the_same_seed():
    """Both draw one mask per wrapped layer on x, in the order the layers run (query then
    value), so with the same seed the masks, outputs and gradients are the same; BERT's
    own dropout (0.1 here) draws in the same order in both."""
    ours, theirs = pair(dropout=0.3, bert_dropout=0.1)
    ours.train(), theirs.train()
    batch = inputs()
    torch.manual_seed(11)
    a = out(ours, batch)
    torch.manual_seed(11)
    b = out(theirs, batch)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    a.sum().backward()
    b.sum().backward()
    for name, lo in lora_layers(ours).items():
        ref = theirs.base_model.model.get_submodule(name)
        torch.testing.assert_close(lo.lora_A.grad, ref.lora_A["default"].weight.grad.T)
    torch.manual_seed(12)
    assert not torch.allclose(out(ours, batch), b)  # another seed, other masks
    ours.eval()
    assert not torch.allclose(out(ours, batch), b)
