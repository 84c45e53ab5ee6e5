"""The cleaning pipeline: each step on its own, the order of the stages, the options."""

from __future__ import annotations

import pytest

from deepmap.text.clean import (
    clean,
    clean_stages,
    normalize_whitespace,
    remove_html,
    remove_numbers,
    remove_punctuation,
    remove_urls,
)


def test_each_step():
    assert remove_html("great<br /><br />film") == "great  film"
    assert remove_urls("see https://x.io/a?b=1 and www.imdb.com now") == "see   and   now"
    assert remove_punctuation("wow!!! (really)") == "wow     really "
    assert remove_numbers("10/10, 3.5 stars, 1,000 fans") == " / ,   stars,   fans"
    assert normalize_whitespace("  a \n\t b  ") == "a b"


def test_keep_apostrophes_keeps_in_word_ones_only():
    assert remove_punctuation("don't 'quote'", keep_apostrophes=True).split() == [
        "don't",
        "quote",
    ]
    assert remove_punctuation("don't", keep_apostrophes=False).split() == ["don", "t"]


def test_pipeline_order_and_names():
    stages = clean_stages("<b>Visit HTTP://X.IO</b> It's 10/10!!", remove_digits=True)
    assert [s for s, _ in stages] == [
        "lowercase",
        "remove HTML",
        "remove URLs",
        "remove punctuation",
        "remove numbers",
        "normalize whitespace",
    ]
    # lowercase runs first, so the upper-case URL is still recognised and removed
    assert stages[-1][1] == "visit it s"


@pytest.mark.parametrize("keep", [False, True])
def test_clean_is_the_last_stage(keep):
    text = "<p>It's NOT good!!  See http://x.io</p> 42 times"
    stages = clean_stages(text, keep_apostrophes=keep)
    assert clean(text, keep_apostrophes=keep) == stages[-1][1]
    assert clean(text, keep_apostrophes=keep).startswith("it's not good" if keep else "it s not")
    assert "42" in clean(text) and "42" not in clean(text, remove_digits=True)
