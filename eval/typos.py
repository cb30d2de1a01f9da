"""The gold questions with one or two misspelt words, made reproducibly from a seed.

Each question keeps its id, kind and gold; one or two of its words of five letters or more (two when
it has at least six such words) get one typing slip each — a dropped, doubled, swapped or replaced
letter, as people make them — chosen by ``random.Random(seed)``. Follow-up history is left as typed.
``rag eval --typos SEED`` scores the assistant on them exactly as on the clean questions.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Sequence

from eval.gold import GoldQuestion

__all__ = ["misspell", "with_typos"]

_WORD = re.compile(r"[A-Za-z]{5,}")
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def _slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # the first and last letters are rarely mistyped
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    letter = rng.choice([k for k in _KEYS if k != word[i].lower()])
    return word[:i] + (letter.upper() if word[i].isupper() else letter) + word[i + 1:]


def misspell(question: str, rng: random.Random) -> str:
    """``question`` with one or two of its longer words mistyped (unchanged if it has none)."""
    spans = [m.span() for m in _WORD.finditer(question)]
    if not spans:
        return question
    chosen = sorted(rng.sample(spans, 2 if len(spans) >= 6 else 1), reverse=True)
    for start, end in chosen:
        question = question[:start] + _slip(question[start:end], rng) + question[end:]
    return question


def with_typos(questions: Sequence[GoldQuestion], seed: int) -> list[GoldQuestion]:
    """Every question misspelt (same seed, same slips)."""
    rng = random.Random(seed)
    return [replace(q, question=misspell(q.question, rng)) for q in questions]
