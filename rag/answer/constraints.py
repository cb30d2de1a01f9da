"""What a question pins down that the evidence of its answer must also say: its numbers, its negation,
and the words whose opposites a near miss would use.

A sentence on the question's topic can still answer a question nobody asked. Three cheap tells of such
a near miss, each a way SQuAD 2.0's writers made unanswerable questions out of answerable ones:

- **a number the evidence does not give**: "What happened to the fleet in 1805?" against a passage about
  the fleet in 1806. A number of the question (a year, a count, "Super Bowl 50") must appear in the
  answer's passage: as digits ("1,000" = "1000"), up to twenty as a word ("three", "third") or a Roman
  numeral ("class I"); a decade or century asked ("1970s", "16th century") is met by any year in it.
- **a negation the answer does not carry**: "What did the council *not* approve?" answered with a
  sentence saying what it approved. A negated question (not, never, n't) needs an answer sentence, or
  a sentence beside it, that negates, refuses, rejects, denies or lacks something.
- **an opposite in place of the question's word**: "What lies north of the river?" answered with a
  sentence about the south bank that never says "north" (:mod:`rag.text.opposites`).

Measured on SQuAD 2.0 dev by article half (docs/eval.md, "A number, a negation or an opposite the
evidence does not carry"): held-out unanswerable questions abstained on 0.168 → 0.315, false
abstentions 0.087 → 0.094.
"""

from __future__ import annotations

import re

from rag.text.normalize import stem, words
from rag.text.opposites import OPPOSITES
from rag.text.vocabulary import NEGATIONS, number_value

__all__ = ["missing_number", "negation_unmet", "opposite_instead"]

_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")  # "late2025" in a glued text still gives 2025
_ASKED = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)(s\b|th century|st century|nd century|rd century)?", re.I)
_ROMAN = re.compile(r"\b[IVX]{1,5}\b")
_QUESTION_NEGATION = re.compile(r"\b(?:not|never)\b|n[’']t\b", re.I)
_NOT_NEGATION = re.compile(r"\bor not\b", re.I)  # "whether or not" asks no negated question
#: Words that negate without "not": "Pakistan rejected the accusations", "the talks failed".
_NEGATING = frozenset(stem(w) for w in ("fail", "refuse", "reject", "deny", "lack", "unable", "absent"))
_SPELLED_UP_TO = 20
_CHOICE = re.compile(r"\bor\b", re.I)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _plain(number: str) -> str:
    return number.replace(",", "").rstrip(".")


def _roman(token: str) -> int:
    values = [_ROMAN_VALUES[c] for c in token]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _given(evidence: str) -> set[str]:
    """The numbers ``evidence`` gives: as digits, as words up to twenty ("three", "third") and as
    Roman numerals ("class II")."""
    out = {_plain(n) for n in _NUMBER.findall(evidence)}
    for w in words(evidence):
        value = number_value(w)
        if value is not None and value <= _SPELLED_UP_TO:
            out.add(str(value))
    out.update(str(_roman(t)) for t in _ROMAN.findall(evidence))
    return out


def _met(number: str, suffix: str, given: set[str]) -> bool:
    """Whether a number of the question, with what follows it ("1970s", "16th century"), is given."""
    if number in given:
        return True
    suffix = suffix.lower()
    years = [g for g in given if len(g) == 4 and g.isdigit()]
    if suffix == "s" and len(number) == 4:  # a decade: any year in it
        return any(y[:3] == number[:3] for y in years)
    if suffix.endswith("century") and number.isdigit():  # the 16th century: any year from 1500 to 1599
        return any(int(y) // 100 == int(number) - 1 for y in years)
    return len(number) == 2 and any(y.endswith(number) for y in years)  # "1755, 56, 57"


def missing_number(question: str, evidence: str) -> str | None:
    """The first number of ``question`` that ``evidence`` does not give, or None."""
    asked = [(_plain(m.group(1)), m.group(2) or "") for m in _ASKED.finditer(question)]
    if not asked:
        return None
    given = _given(evidence)
    return next((n for n, suffix in asked if not _met(n, suffix, given)), None)


def negation_unmet(question: str, evidence: str) -> bool:
    """Whether ``question`` is negated and ``evidence`` negates nothing."""
    if not _QUESTION_NEGATION.search(_NOT_NEGATION.sub("", question)):
        return False
    if re.search(r"n[’']t\b", evidence):
        return False
    tokens = words(evidence)
    return not any(w in NEGATIONS or stem(w) in _NEGATING for w in tokens)


def opposite_instead(question: str, evidence: str) -> tuple[str, str] | None:
    """``(word, opposite)``: a word of ``question`` that ``evidence`` does not use while it uses one of
    its opposites ("lost", "won"); None when there is none. A question that offers a choice ("Which is
    more costly, formal or informal?") or names both sides ("western and eastern") is not checked."""
    if _CHOICE.search(question):
        return None
    said = {stem(w): w for w in words(evidence)}
    question_words = words(question)
    asked = [stem(w) for w in question_words]
    for w, s in zip(question_words, asked):
        if s in said or OPPOSITES.get(s, set()) & set(asked):
            continue
        opposite = next((said[o] for o in sorted(OPPOSITES.get(s, ())) if o in said), None)
        if opposite is not None:
            return w, opposite
    return None
