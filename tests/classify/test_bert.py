"""BertClassifier on a tiny random BERT: frozen, full fine-tuning, LoRA; saving; the rungs."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.finetune._tiny_bert import make_tiny_bert, toy_reviews  # noqa: E402

from deepmap.classify.bert import BertClassifier, load_saved  # noqa: E402
from deepmap.errors import InputError, NotFittedError  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_bert(tmp_path_factory.mktemp("tiny")))


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPMAP_HOME", str(tmp_path / "home"))


def _clf(tiny, mode, **kw):
    base = {"max_length": 16, "epochs": 8, "batch_size": 8, "seed": 0}
    return BertClassifier(mode=mode, model=tiny, **{**base, **kw})


def test_frozen_counts_only_the_head_as_trainable(tiny):
    X, y = toy_reviews(80)
    clf = _clf(tiny, "frozen", C=10.0).fit(X, y)
    assert clf.trainable_parameters_ == 32 + 1  # one logistic weight per hidden unit + bias
    assert clf.total_parameters_ > 20_000
    assert set(clf.predict(X)) <= {"pos", "neg"}
    assert clf.predict_proba(X[:3]).shape == (3, 2)
    # a single document (no cache) scores as it does inside the whole set (cache)
    np.testing.assert_allclose(clf.decision_function(X[:1]), clf.decision_function(X)[:1],
                               atol=1e-4)  # fmt: skip


def test_finetune_learns_the_toy_task_and_trains_everything(tiny):
    X, y = toy_reviews(64)
    clf = _clf(tiny, "finetune", lr=2e-3).fit(X, y)
    assert (clf.predict(X) == np.array(y)).mean() >= 0.9
    assert clf.trainable_parameters_ == clf.total_parameters_
    losses = clf.history_["train_loss"]
    assert losses[-1] < 0.5 * losses[0]


def test_lora_trains_adapters_and_head_only_and_matches_peft_count(tiny):
    peft = pytest.importorskip("peft")
    from transformers import AutoModelForSequenceClassification

    X, y = toy_reviews(64)
    clf = _clf(tiny, "lora", lr=3e-2, lora_r=4, lora_alpha=8.0).fit(X, y)
    assert (clf.predict(X) == np.array(y)).mean() >= 0.9
    # r (d + k) per adapted projection: 2 layers x (query, value) x 4 x (32 + 32), + head 32*2+2
    assert clf.trainable_parameters_ == 2 * 2 * 4 * 64 + 66
    base = AutoModelForSequenceClassification.from_pretrained(tiny, num_labels=2)
    config = peft.LoraConfig(r=4, lora_alpha=8, target_modules=["query", "value"],
                             modules_to_save=["classifier"])  # fmt: skip
    ref = peft.get_peft_model(base, config)
    assert clf.trainable_parameters_ == ref.get_nb_trainable_parameters()[0]
    # the encoder outside the adapted projections is untouched (LoRA merged into q, v only)
    fresh = AutoModelForSequenceClassification.from_pretrained(tiny, num_labels=2)
    got = dict(clf.network_.named_parameters())
    for name, p in fresh.named_parameters():
        if "classifier" in name or ".query." in name or ".value." in name:
            continue
        torch.testing.assert_close(got[name], p, rtol=0, atol=0, msg=name)


def test_saved_folder_predicts_the_same_and_the_cache_skips_training(tiny, tmp_path):
    X, y = toy_reviews(32)
    clf = _clf(tiny, "lora", lr=3e-2, epochs=2).fit(X, y)
    assert clf.cached_ is False
    folder = clf.save(tmp_path / "model")
    again = load_saved(folder)
    np.testing.assert_allclose(again.decision_function(X), clf.decision_function(X), atol=1e-5)
    second = _clf(tiny, "lora", lr=3e-2, epochs=2).fit(X, y)
    assert second.cached_ is True
    np.testing.assert_allclose(second.decision_function(X), clf.decision_function(X), atol=1e-5)


@pytest.mark.parametrize(
    ("params", "match"),
    [({"mode": "adapter"}, "'mode'"), ({"max_length": 2}, "max_length"),
     ({"pooling": "max"}, "'pooling'"), ({"lr": -1.0}, "'lr'"), ({"lora_r": 0}, "lora_r"),
     ({"head_tokens": 99, "max_length": 16}, "head-tokens"),
     ({"mixed_precision": "fp16"}, "mixed_precision")],
)  # fmt: skip
def test_bad_settings_are_one_line_errors(tiny, params, match):
    X, y = toy_reviews(8)
    with pytest.raises(InputError, match=match) as e:
        BertClassifier(model=tiny, **params).fit(X, y)
    assert "\n" not in str(e.value)


def test_unfitted_and_frozen_save_refuse(tiny, tmp_path):
    with pytest.raises(NotFittedError):
        BertClassifier(mode="finetune", model=tiny).predict(["x"])
    with pytest.raises(InputError, match="frozen"):
        BertClassifier(model=tiny).save(tmp_path)
    with pytest.raises(InputError, match="not a deepmap model folder"):
        load_saved(tiny)


def test_bert_rungs_are_registered_last_and_not_default():
    from deepmap.ladder.rungs import DEFAULT_RUNGS, RUNG_TABLE, get_rung

    names = [r.name for r in RUNG_TABLE if not r.name.startswith("llm-")]  # LLM rows last
    assert names[-3:] == ["bert-frozen", "bert-finetune", "bert-lora"]
    assert not set(names[-3:]) & set(DEFAULT_RUNGS)
    est = get_rung("bert-finetune").build(seed=3)
    assert isinstance(est, BertClassifier) and est.seed == 3 and est.mode == "finetune"
    assert 2e-5 <= est.lr <= 5e-5 and est.epochs == 3
    assert get_rung("bert-lora").build(0).mode == "lora"


def test_an_interrupted_fit_resumes_from_its_checkpoint(tiny, monkeypatch, tmp_path):
    import deepmap.train

    X, y = toy_reviews()
    straight = _clf(tiny, "finetune", lr=2e-3, epochs=2, cache=False).fit(X, y)
    real_fit = deepmap.train.fit

    def interrupted(*args, **kwargs):
        def stop(step, total, loss):
            if step == 5:
                raise KeyboardInterrupt

        return real_fit(*args, **{**kwargs, "on_step": stop})

    monkeypatch.setattr(deepmap.train, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _clf(tiny, "finetune", lr=2e-3, epochs=2, save_every=2).fit(X, y)
    ckpts = list((tmp_path / "home" / "finetuned").glob("*.ckpt"))
    assert len(ckpts) == 1
    monkeypatch.setattr(deepmap.train, "fit", real_fit)
    resumed = _clf(tiny, "finetune", lr=2e-3, epochs=2, save_every=2).fit(X, y)
    assert resumed.history_["resumed_from_step"] == 4  # the last checkpoint before step 5
    assert not ckpts[0].exists()  # removed once the model is saved
    np.testing.assert_allclose(resumed.decision_function(X), straight.decision_function(X),
                               atol=1e-5)  # fmt: skip
