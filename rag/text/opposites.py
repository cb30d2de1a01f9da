"""Pairs of opposite words: "accepted"/"rejected", "north"/"south", "won"/"lost".

Two readers use them. The support judge refuses a sentence that says the opposite of the claim it is
cited for, and a yes/no question gets "No" when its evidence states the claim with one word turned into
its opposite (:mod:`rag.verify`). The extractive answerer refuses to answer "Who lost …?" with a
sentence that says who won (:mod:`rag.answer.constraints`).
"""

from __future__ import annotations

from rag.text.normalize import stem

__all__ = ["OPPOSITES", "antonyms"]

_PAIRS = (
    "major minor|increase decrease|increased decreased|increasing decreasing|rise fall|more less|more fewer|"
    "strengthen weaken|strengthened weakened|high low|higher lower|before after|accept reject|"
    "accepted rejected|confirm deny|confirmed denied|support oppose|supported opposed|agree disagree|"
    "agreed disagreed|north south|east west|northern southern|eastern western|northward southward|"
    "largest smallest|growing shrinking|above below|win lose|success failure|ally enemy|allies enemies|"
    "weak strong|stronger weaker|new old|ended began|end begin|lift impose|lifted imposed|accept deny|"
    "admit deny|acknowledge deny|confirm reject|admit reject|praise criticize|praise condemn"
)
#: stem -> the stems of its opposites
OPPOSITES: dict[str, set[str]] = {}
_WORDS: dict[str, set[str]] = {}  # stem -> its opposites as words
for _pair in _PAIRS.split("|"):
    _a, _b = _pair.split()
    _x, _y = stem(_a), stem(_b)
    OPPOSITES.setdefault(_x, set()).add(_y)
    OPPOSITES.setdefault(_y, set()).add(_x)
    _WORDS.setdefault(_x, set()).add(_b)
    _WORDS.setdefault(_y, set()).add(_a)


def antonyms(word: str) -> tuple[str, ...]:
    """The opposites known for ``word`` ("accepted" -> "reject"), as words, sorted."""
    return tuple(sorted(_WORDS.get(stem(word.lower()), ())))
