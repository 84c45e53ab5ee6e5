"""The prompted-LLM classifier and its ladder rungs, on a tiny random Llama (no downloads)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.llm._tiny_lm import tiny_generator

from deepmap.classify.prompt_llm import PromptClassifier
from deepmap.data.text import TextCorpus
from deepmap.errors import InputError
from deepmap.llm.prompting import IMDB_ASK

TRAIN = [f"the film was {'wonderful and moving' if i % 2 else 'dull and boring'} {i}"
         for i in range(20)]  # fmt: skip
LABELS = ["pos" if i % 2 else "neg" for i in range(20)]
TEST = ["a wonderful film", "a boring movie", "the capital of france", "janet has 16 eggs"]


@pytest.fixture(scope="module")
def gen():
    return tiny_generator()


def test_zero_shot_predicts_the_likelier_label_word(gen):
    clf = PromptClassifier(generator=gen, shots=0).fit(TRAIN, LABELS)
    got = clf.predict(TEST)
    want = []
    for text in TEST:
        prompt = gen.chat([{"role": "user", "content": IMDB_ASK.format(text=text)}])
        scores = gen.choice_logprobs(prompt, ["negative", "positive"])  # classes_ sorted
        want.append(["neg", "pos"][int(np.argmax(scores))])
    assert list(got) == want
    assert list(clf.classes_) == ["neg", "pos"] and clf.trainable_parameters_ == 0


def test_few_shot_demonstrations_come_from_training_data_and_change_predictions(gen):
    zero = PromptClassifier(generator=gen, shots=0).fit(TRAIN, LABELS)
    few = PromptClassifier(generator=gen, shots=4, seed=3).fit(TRAIN, LABELS)
    assert len(few.demo_indices_) == 4 and all(0 <= i < len(TRAIN) for i in few.demo_indices_)
    assert sorted(LABELS[i] for i in few.demo_indices_) == ["neg", "neg", "pos", "pos"]
    assert few.chooser_.prefix_tokens > 0 and zero.chooser_.prefix_tokens == 0
    s0 = [zero.chooser_.scores(t) for t in TEST]
    s4 = [few.chooser_.scores(t) for t in TEST]
    assert not np.allclose(s0, s4)  # the demonstrations are in the context


def test_other_labels_are_offered_by_name(gen):
    labels = ["sport" if i % 2 else "politics" for i in range(20)]
    clf = PromptClassifier(generator=gen).fit(TRAIN, labels)
    assert set(clf.predict(TEST)) <= {"sport", "politics"}
    assert "sport or politics" in clf.chooser_.ask or "politics or sport" in clf.chooser_.ask


def test_bad_use_is_refused(gen):
    with pytest.raises(InputError, match="two labels"):
        PromptClassifier(generator=gen).fit(TRAIN, ["pos"] * 20)
    with pytest.raises(InputError, match="fit before predict"):
        PromptClassifier(generator=gen).predict(TEST)
    with pytest.raises(InputError, match="no setting"):
        PromptClassifier().set_params(temperature=2)


def test_pickles_without_its_cache(gen):
    clf = PromptClassifier(generator=gen, shots=2).fit(TRAIN, LABELS)
    back = pickle.loads(pickle.dumps(clf))
    assert back.chooser_ is None and back.demo_indices_ == clf.demo_indices_


def test_llm_rungs_run_on_the_ladder(gen):
    from deepmap.ladder.runner import run_text_ladder

    corpus = TextCorpus("tiny", TRAIN, LABELS, TEST, ["pos", "neg", "neg", "pos"], "t", "t")
    result = run_text_ladder(corpus, ["llm-zero-shot", "llm-few-shot"], latency_docs=2,
                             diagnostics=False, settings={"generator": gen})  # fmt: skip
    rows = {r.rung: r for r in result.rungs}
    assert set(rows) == {"llm-zero-shot", "llm-few-shot"}
    for r in rows.values():
        assert 0.0 <= r.accuracy <= 1.0 and r.trainable_params == 0 and r.latency_p50_ms > 0


def test_ladder_llm_flag_needs_an_llm_rung():
    from deepmap.ladder.config import LadderConfig

    with pytest.raises(InputError, match="--llm applies to the llm-"):
        LadderConfig(rungs=["tfidf"], llm="some/model").validate()
    cfg = LadderConfig(rungs=["llm-zero-shot"], llm="some/model").validate()
    assert cfg.settings()["llm"] == "some/model"
