"""What every text classifier here does to a raw document first: lowercase, drop HTML tags.

IMDb reviews carry `<br />` line breaks; left in, "br" becomes the most frequent word of the
corpus. `preprocess("Great<br />film")` -> `"great film"`.
"""

from __future__ import annotations

from deepmap.text.clean import remove_html

__all__ = ["preprocess"]


def preprocess(text: str) -> str:
    """`remove_html(text.lower())`: the same for every rung, so rungs differ only in model."""
    return remove_html(text.lower())
