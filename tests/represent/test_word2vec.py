"""Word2Vec and FastText written here: each update step equals torch autograd's SGD step on
the SGNS loss; subsampling and the negative table equal gensim's; FastText's composition of
word and OOV vectors equals gensim's on gensim's own tables; training learns structure and is
repeatable; and (slow) analogy accuracy on real reviews is within 2 points of gensim's."""

from __future__ import annotations

import numpy as np
import pytest
from tests._reference import assert_matches_torch, torch

from deepmap.errors import InputError
from deepmap.represent._sgns import cbow_step, keep_probabilities, negative_table, sg_step
from deepmap.represent.fasttext import FastText, FastTextKeyedVectors, word_vectors
from deepmap.represent.word2vec import Word2Vec, build_vocab, encode


def _sgns_loss(h, syn1, target, negs):
    pos = torch.nn.functional.logsigmoid(syn1[target] @ h)
    neg = torch.nn.functional.logsigmoid(-(syn1[negs] @ h)).sum()
    return -(pos + neg)


def _setup(seed=0, n_words=12, n_rows=20, dim=7):
    rng = np.random.default_rng(seed)
    syn0 = rng.normal(0, 0.5, (n_rows, dim))
    syn1 = rng.normal(0, 0.5, (n_words, dim))
    # word w has rows: itself, plus (for some words) extra "subword" rows, as FastText
    rows = [[w] + ([12 + w % 8, 12 + (w + 3) % 8] if w % 2 else []) for w in range(n_words)]
    ptr = np.cumsum([0] + [len(r) for r in rows]).astype(np.int64)
    idx = np.array([r for rs in rows for r in rs], dtype=np.int64)
    return syn0, syn1, ptr, idx, rows


@pytest.mark.parametrize("centre", [2, 3])  # one row (Word2Vec) and three rows (FastText)
def test_skipgram_step_matches_torch_sgd(centre):
    syn0, syn1, ptr, idx, rows = _setup()
    target, negs, alpha = 5, np.array([1, 7, 9], dtype=np.int64), 0.1

    def ours():
        s0, s1 = syn0.copy(), syn1.copy()
        dim = s0.shape[1]
        sg_step(s0, s1, ptr, idx, centre, target, negs, alpha, np.empty(dim), np.empty(dim))
        return s0, s1

    def theirs():
        t0 = torch.tensor(syn0, requires_grad=True)
        t1 = torch.tensor(syn1, requires_grad=True)
        h = t0[rows[centre]].mean(0)
        _sgns_loss(h, t1, target, negs).backward()
        # every row of the centre gets the whole step for h: len(rows) x its own gradient
        return (t0 - alpha * len(rows[centre]) * t0.grad), (t1 - alpha * t1.grad)

    assert_matches_torch(ours, theirs, rtol=0, atol=1e-12, grad=False)
    assert not np.allclose(ours()[0], syn0)  # the step did move the centre's rows


def test_skipgram_step_skips_a_negative_equal_to_the_target():
    syn0, syn1, ptr, idx, _ = _setup()
    a0, a1 = syn0.copy(), syn1.copy()
    dim = syn0.shape[1]
    sg_step(syn0, syn1, ptr, idx, 2, 5, np.array([5, 7]), 0.1, np.empty(dim), np.empty(dim))
    sg_step(a0, a1, ptr, idx, 2, 5, np.array([7]), 0.1, np.empty(dim), np.empty(dim))
    np.testing.assert_allclose(syn0, a0, atol=1e-12)


def test_cbow_step_matches_torch_with_whole_error_to_each_context_word():
    syn0, syn1, ptr, idx, rows = _setup(seed=1)
    context = np.array([0, 3, 4, 8], dtype=np.int64)
    target, negs, alpha = 6, np.array([2, 10], dtype=np.int64), 0.05

    def ours():
        s0, s1 = syn0.copy(), syn1.copy()
        dim = s0.shape[1]
        cbow_step(s0, s1, ptr, idx, context, target, negs, alpha, np.empty(dim), np.empty(dim))
        return s0, s1

    def theirs():
        t0 = torch.tensor(syn0, requires_grad=True)
        t1 = torch.tensor(syn1, requires_grad=True)
        h = torch.stack([t0[rows[c]].mean(0) for c in context]).mean(0)
        _sgns_loss(h, t1, target, negs).backward()
        # word2vec.c / gensim cbow_mean=1: each context word gets len(context) x the
        # gradient, and each of its rows the whole of that (len(rows) x its share).
        scale = np.ones(len(syn0))
        for c in context:
            scale[rows[c]] = len(context) * len(rows[c])
        return t0 - alpha * torch.tensor(scale[:, None]) * t0.grad, t1 - alpha * t1.grad

    assert_matches_torch(ours, theirs, rtol=0, atol=1e-12, grad=False)


@pytest.fixture(scope="module")
def lee():
    pytest.importorskip("gensim")
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        return [line.lower().split() for line in f]


def test_subsampling_and_negative_table_equal_gensim(lee):
    from gensim.models import Word2Vec as GensimW2V

    g = GensimW2V(min_count=2, sample=1e-3)
    g.build_vocab(lee)
    vocab = build_vocab(lee, 2)
    assert set(vocab.words) == set(g.wv.index_to_key)
    order = [g.wv.key_to_index[w] for w in vocab.words]
    sample_int = np.array([g.wv.get_vecattr(w, "sample_int") for w in vocab.words])
    keep = keep_probabilities(vocab.counts, 1e-3)
    np.testing.assert_allclose(keep * 2**32, sample_int, rtol=1e-6, atol=2)
    # cumulative unigram^0.75 table: ours in our order, gensim's in its own
    ours = np.diff(negative_table(vocab.counts), prepend=0)
    theirs = np.diff(g.cum_table, prepend=0)[order]
    np.testing.assert_allclose(ours, theirs, atol=2)
    assert keep_probabilities(vocab.counts, 0).min() == 1.0


def test_vocab_and_encoding():
    v = build_vocab([["b", "a", "b"], ["c", "b", "a"]], min_count=2)
    assert v.words == ["b", "a"] and v.counts.tolist() == [3, 2]
    ids, ptr = encode([["b", "z", "a"], ["z"], ["a"]], v)
    assert ids.tolist() == [0, 1, 1] and ptr.tolist() == [0, 2, 3]  # empty sentence dropped
    with pytest.raises(InputError, match="empty"):
        build_vocab([[], []], 1)
    with pytest.raises(InputError, match="min_count=5"):
        build_vocab([["a", "b"]], 5)
    with pytest.raises(InputError, match="sg"):
        Word2Vec(sg=2)
    with pytest.raises(InputError, match="window"):
        Word2Vec(window=0)


@pytest.mark.parametrize("sg", [1, 0])
def test_word2vec_learns_topics_and_is_repeatable(sg, topic_corpus):
    sents = topic_corpus()
    kw = dict(vector_size=16, window=3, sg=sg, min_count=1, epochs=5, sample=0, workers=1)
    m = Word2Vec(sents, seed=3, **kw)
    same = np.mean([m.wv.similarity("cat", w) for w in ["dog", "pet", "fur"]])
    other = np.mean([m.wv.similarity("cat", w) for w in ["car", "road", "fuel"]])
    assert same > other + 0.3, (same, other)
    again = Word2Vec(sents, seed=3, **kw)
    np.testing.assert_array_equal(m.wv.vectors, again.wv.vectors)
    assert not np.array_equal(m.wv.vectors, Word2Vec(sents, seed=4, **kw).wv.vectors)
    assert m.effective_words == m.raw_words  # sample=0 keeps every word


def test_word2vec_reports_progress(topic_corpus):
    seen = []
    Word2Vec(topic_corpus(n=100), vector_size=8, min_count=1, epochs=2, workers=1,
             progress=lambda done, total, wps: seen.append((done, total)))  # fmt: skip
    assert seen[-1][0] == seen[-1][1] == 2 * 1200
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_fasttext_composition_equals_gensim(lee):
    from gensim.models import FastText as GensimFT

    g = GensimFT(lee[:100], vector_size=12, min_count=3, epochs=1, bucket=5000, seed=1, workers=1)
    ours = FastText(vector_size=12, min_count=3, bucket=5000)
    vocab = build_vocab(lee[:100], 3)
    assert set(vocab.words) == set(g.wv.index_to_key)
    _, ptr, idx = ours._input_rows(vocab)
    order = [g.wv.key_to_index[w] for w in vocab.words]
    syn0 = np.concatenate([g.wv.vectors_vocab[order], g.wv.vectors_ngrams])
    np.testing.assert_allclose(word_vectors(syn0, ptr, idx), g.wv.vectors[order], atol=1e-6)
    kv = FastTextKeyedVectors(vocab.words, word_vectors(syn0, ptr, idx), g.wv.vectors_ngrams,
                              min_n=3, max_n=6, bucket=5000)  # fmt: skip
    for oov in ["governmentt", "xyzzy", "australiaa"]:
        assert oov not in kv
        np.testing.assert_allclose(kv[oov], g.wv[oov], atol=1e-6)


def test_fasttext_gives_unseen_words_a_vector_near_their_stem(topic_corpus):
    sents = topic_corpus(seed=1)
    sents = [[{"cat": "kitten", "car": "automobile"}.get(w, w) for w in s] for s in sents]
    m = FastText(sents, vector_size=16, window=3, min_count=1, epochs=5, sample=0, bucket=20_000,
                 workers=1, seed=0)  # fmt: skip
    assert "kittens" not in m.wv.key_to_index
    assert m.wv.most_similar("kittens", topn=1)[0][0] == "kitten"
    assert m.wv.similarity("automobiles", "automobile") > m.wv.similarity("automobiles", "kitten")
    with pytest.raises(InputError, match="min_n"):
        FastText(min_n=4, max_n=3)


@pytest.mark.slow
@pytest.mark.parametrize("sg", [1, 0])
def test_word2vec_within_two_points_of_gensim_on_reviews(sg):
    pytest.importorskip("gensim")
    from gensim.models import Word2Vec as GensimW2V

    from deepmap.represent.embeddings import corpus_sentences, evaluate_vectors
    from deepmap.represent.vectors import KeyedVectors

    sents = corpus_sentences("bundled")
    ours = evaluate_vectors(Word2Vec(sents, sg=sg, seed=0).wv)["analogy_accuracy"]
    g = GensimW2V(sents, sg=sg, seed=0, workers=3).wv
    theirs = evaluate_vectors(KeyedVectors(g.index_to_key, g.vectors))["analogy_accuracy"]
    assert ours > theirs - 0.02, (ours, theirs)
