"""LoRALinear and apply_lora on their own: the map's formula, initialisation, merge, dropout,
state dicts, target matching, errors, and a toy task learnt with only the adapters training.
The comparisons with peft are in test_lora_peft.py."""

from __future__ import annotations

import copy
import math

import pytest

torch = pytest.importorskip("torch")

from deepmap import calc  # noqa: E402  (after the importorskip on purpose)
from deepmap.errors import InputError  # noqa: E402
from deepmap.finetune import (  # noqa: E402
    LoRALinear,
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

nn = torch.nn


@pytest.fixture(autouse=True)
def one_thread():
    """2 shared cores: torch's thread pool makes tiny ops ~50x slower under contention."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def layer(d=12, k=7, r=3, alpha=6.0, p=0.0, seed=0, dtype=torch.float64, random_b=True):
    torch.manual_seed(seed)
    lo = LoRALinear(nn.Linear(d, k).to(dtype), r=r, lora_alpha=alpha, lora_dropout=p)
    if random_b:
        with torch.no_grad():
            lo.lora_B.normal_()
    return lo


class MLP(nn.Module):
    def __init__(self, d=10, h=16, k=3):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, h), nn.Tanh())
        self.query = nn.Linear(h, h)
        self.myquery = nn.Linear(h, h)
        self.head = nn.Linear(h, k)

    def forward(self, x):
        h = self.encoder(x)
        return self.head(torch.tanh(self.query(h) + self.myquery(h)))


# ------------------------------------------------------------------- the formula
def test_start_equals_the_base_model():
    torch.manual_seed(1)
    base = nn.Linear(9, 5)
    x = torch.randn(4, 9)
    want = base(x)
    lo = LoRALinear(base, r=2, lora_alpha=16)
    assert torch.count_nonzero(lo.lora_B) == 0
    assert torch.equal(lo(x), want)


def test_forward_is_x_w_plus_alpha_over_r_x_a_b():
    lo = layer()
    x = torch.randn(5, 4, 12, dtype=torch.float64)
    W = lo.base_layer.weight.T  # the map's W: d x k
    want = x @ W + lo.base_layer.bias + (6.0 / 3) * x @ lo.lora_A @ lo.lora_B
    torch.testing.assert_close(lo(x), want, rtol=1e-12, atol=1e-12)
    assert lo.scaling == 2.0 and lo.lora_A.shape == (12, 3) and lo.lora_B.shape == (3, 7)


def test_base_frozen_and_gradients_reach_the_adapter():
    lo = layer(random_b=False)
    assert not any(p.requires_grad for p in lo.base_layer.parameters())
    lo(torch.randn(8, 12, dtype=torch.float64)).pow(2).sum().backward()
    assert lo.base_layer.weight.grad is None
    assert torch.count_nonzero(lo.lora_A.grad) == 0  # B = 0 blocks A's gradient at the start
    assert torch.count_nonzero(lo.lora_B.grad) > 0


def test_gradients_against_autograd_of_the_formula():
    lo = layer()
    x = torch.randn(6, 12, dtype=torch.float64)
    A = lo.lora_A.detach().clone().requires_grad_()
    B = lo.lora_B.detach().clone().requires_grad_()
    w = torch.randn(6, 7, dtype=torch.float64)
    (lo(x) * w).sum().backward()
    ((x @ lo.base_layer.weight.T + lo.base_layer.bias + 2.0 * x @ A @ B) * w).sum().backward()
    torch.testing.assert_close(lo.lora_A.grad, A.grad)
    torch.testing.assert_close(lo.lora_B.grad, B.grad)


def test_init_as_peft_kaiming_uniform_in_the_r_by_d_layout():
    lo = layer(d=64, k=32, r=4, random_b=False, dtype=torch.float32, seed=3)
    assert lo.lora_A.abs().max() <= 1 / math.sqrt(64)  # bound 1/sqrt(fan_in = d)
    torch.manual_seed(3)
    nn.Linear(64, 32)  # the base draws first
    want = torch.empty(4, 64)
    nn.init.kaiming_uniform_(want, a=math.sqrt(5))
    assert torch.equal(lo.lora_A, want.T)


@pytest.mark.parametrize(("d", "k", "r"), [(12, 7, 3), (4096, 4096, 8), (768, 3072, 16)])
def test_trainable_count_is_r_times_d_plus_k(d, k, r):
    lo = LoRALinear(nn.Linear(d, k, device="meta"), r=r, lora_alpha=r)
    assert trainable_parameters(lo) == r * (d + k) == calc.lora_params(d, k, r).lora


# ----------------------------------------------------------------------- merging
def test_merged_equals_unmerged_and_unmerge_restores_w():
    lo = layer(d=64, k=48, r=8, alpha=16, dtype=torch.float32)
    w0 = lo.base_layer.weight.detach().clone()
    x = torch.randn(32, 64)
    with torch.no_grad():
        before = lo(x)
        lo.merge()
        merged = lo(x)
        assert torch.equal(merged, lo.base_layer(x))  # merged: the base layer alone
        lo.merge()  # nothing happens a second time
        assert torch.equal(lo(x), merged)
        lo.unmerge()
        after = lo(x)
    assert (merged - before).abs().max() < 1e-5
    torch.testing.assert_close(after, before)
    torch.testing.assert_close(lo.base_layer.weight, w0, rtol=0, atol=1e-6)
    assert not lo.merged


def test_merge_adds_scaling_times_ab_transposed_to_the_torch_weight():
    lo = layer()
    w0 = lo.base_layer.weight.detach().clone()
    lo.merge()
    want = w0 + 2.0 * (lo.lora_A @ lo.lora_B).T
    torch.testing.assert_close(lo.base_layer.weight, want.detach())


def test_merge_lora_on_a_model():
    torch.manual_seed(0)
    model = apply_lora(MLP().double(), ["query", "head"], r=2, lora_alpha=4)
    for lo in lora_layers(model).values():
        nn.init.normal_(lo.lora_B)
    x = torch.randn(5, 10, dtype=torch.float64)
    with torch.no_grad():
        want = model(x)
        merge_lora(model)
        assert all(lo.merged for lo in lora_layers(model).values())
        torch.testing.assert_close(model(x), want)
        unmerge_lora(model)
        torch.testing.assert_close(model(x), want)


# ----------------------------------------------------------------------- dropout
def test_dropout_on_the_adapter_input_in_train_mode_only():
    lo = layer(p=0.5)
    x = torch.randn(40, 12, dtype=torch.float64)
    lo.train()
    torch.manual_seed(7)
    got = lo(x)
    torch.manual_seed(7)
    dropped = nn.functional.dropout(x, 0.5, training=True)
    want = lo.base_layer(x) + 2.0 * dropped @ lo.lora_A @ lo.lora_B
    torch.testing.assert_close(got, want)
    assert not torch.allclose(got, lo.eval()(x))
    torch.testing.assert_close(lo(x), lo.base_layer(x) + 2.0 * x @ lo.lora_A @ lo.lora_B)
    assert isinstance(layer(p=0.0).dropout, nn.Identity)


# ------------------------------------------------------------------- apply_lora
def test_apply_lora_matches_names_and_suffixes_as_peft():
    model = apply_lora(MLP(), ["query"], r=2, lora_alpha=2)
    assert set(lora_layers(model)) == {"query"}  # not "myquery": a suffix after "."
    model = apply_lora(MLP(), ["0"], r=2, lora_alpha=2)
    assert set(lora_layers(model)) == {"encoder.0"}
    model = apply_lora(MLP(), r".*query", r=2, lora_alpha=2)  # a string: a full regex
    assert set(lora_layers(model)) == {"query", "myquery"}


def test_apply_lora_freezes_everything_else():
    model = apply_lora(MLP(d=10, h=16, k=3), ["query", "head"], r=2, lora_alpha=2)
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    assert names == {"query.lora_A", "query.lora_B", "head.lora_A", "head.lora_B"}
    assert trainable_parameters(model) == 2 * (16 + 16) + 2 * (16 + 3)


# ------------------------------------------------------------------ state dicts
def test_state_dict_round_trip_gives_identical_outputs():
    torch.manual_seed(0)
    base = MLP().double()
    a = apply_lora(copy.deepcopy(base), ["query", "head"], r=2, lora_alpha=4)
    b = apply_lora(copy.deepcopy(base), ["query", "head"], r=2, lora_alpha=4)
    for lo in lora_layers(a).values():
        nn.init.normal_(lo.lora_B)
    state = lora_state_dict(a)
    assert set(state) == {"query.lora_A", "query.lora_B", "head.lora_A", "head.lora_B"}
    x = torch.randn(4, 10, dtype=torch.float64)
    assert not torch.allclose(a(x), b(x))
    load_lora_state_dict(b, state)
    assert torch.equal(a(x), b(x))


def test_peft_key_mapping_round_trip():
    state = {"enc.query.lora_A": torch.randn(8, 2), "enc.query.lora_B": torch.randn(2, 5)}
    peft = to_peft_state_dict(state)
    assert peft["base_model.model.enc.query.lora_A.weight"].shape == (2, 8)
    assert peft["base_model.model.enc.query.lora_B.weight"].shape == (5, 2)
    back = from_peft_state_dict(peft)
    assert back.keys() == state.keys() and all(torch.equal(back[k], state[k]) for k in state)
    with pytest.raises(InputError, match="not a peft LoRA key"):
        from_peft_state_dict({"base_model.model.q.lora_B.bias": torch.zeros(2)})


def test_load_lora_state_dict_is_strict():
    model = apply_lora(MLP(), ["query"], r=2, lora_alpha=2)
    state = lora_state_dict(model)
    with pytest.raises(InputError, match="missing"):
        load_lora_state_dict(model, {"query.lora_A": state["query.lora_A"]})
    with pytest.raises(InputError, match=r"has shape \(16, 3\)"):
        load_lora_state_dict(model, state | {"query.lora_A": torch.zeros(16, 3)})
    merge_lora(model)
    with pytest.raises(InputError, match="unmerge_lora first"):
        load_lora_state_dict(model, state)


# ------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"r": 0}, "The 'r' parameter of LoRALinear must be a positive int. Got 0 instead."),
        ({"r": True}, "The 'r' parameter of LoRALinear must be a positive int. Got True instead."),
        ({"r": 2.0}, "The 'r' parameter of LoRALinear must be a positive int. Got 2.0 instead."),
        (
            {"r": 8},
            "The 'r' parameter of LoRALinear must be an int in the range [1, min(d, k) = 7]",
        ),
        ({"lora_alpha": 0}, "The 'lora_alpha' parameter of LoRALinear must be a positive float."),
        ({"lora_alpha": float("nan")}, "'lora_alpha' parameter of LoRALinear must be a positive"),
        ({"lora_dropout": 1.0}, "'lora_dropout' parameter of LoRALinear must be a float in the"),
    ],
)
def test_errors_in_scikit_learns_wording(kwargs, message):
    with pytest.raises(InputError) as e:
        LoRALinear(nn.Linear(12, 7), **({"r": 2, "lora_alpha": 4} | kwargs))
    assert message in str(e.value)


def test_errors_name_the_module():
    with pytest.raises(InputError, match="'base' parameter of LoRALinear must be an instance"):
        LoRALinear(nn.Conv1d(3, 3, 1), r=1, lora_alpha=1)
    with pytest.raises(InputError, match="no module of MLP has such a name"):
        apply_lora(MLP(), ["key"], r=2, lora_alpha=2)
    with pytest.raises(InputError, match=r"'encoder' is a Sequential, not an nn\.Linear"):
        apply_lora(MLP(), ["encoder"], r=2, lora_alpha=2)
    with pytest.raises(InputError, match="'target_modules' parameter of apply_lora"):
        apply_lora(MLP(), [], r=2, lora_alpha=2)
    with pytest.raises(InputError, match="'r' parameter of apply_lora must be a positive int"):
        apply_lora(MLP(), ["query"], r=-1, lora_alpha=2)


# ------------------------------------------------------------ learns a toy task
def test_learns_a_toy_task_with_only_the_adapters_training():
    from deepmap.finetune.lora_demo import lora_demo

    run = lora_demo(steps=100, seed=0)
    assert run.trainable == 2 * (32 + 64) * 2 and run.trainable < 0.1 * run.total
    assert run.losses[-1] < 0.1 * run.losses[0]
    assert run.frozen_unchanged


def test_demo_leaves_the_global_rng_alone_and_is_reproducible():
    from deepmap.finetune.lora_demo import lora_demo

    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = lora_demo(steps=3, seed=5)
    assert torch.equal(torch.get_rng_state(), state)
    assert a.losses == lora_demo(steps=3, seed=5).losses != lora_demo(steps=3, seed=6).losses
