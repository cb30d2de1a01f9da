"""The eval's metrics, each a small pure function over plain data (the ``Answer.to_dict()`` shape),
so answers produced by any system can be scored the same way.

Retrieval: :func:`evidence_rank`, :func:`hit_at_k`, :func:`mrr`.  Answers: :func:`fact_recall`,
:func:`abstention_scores`.  Grounding (ALCE-style, Gao et al. 2023): :func:`citation_recall` and
:func:`citation_precision` judged with ``rag.supports``; :func:`quote_integrity`.  Latency:
:func:`percentile`.  SQuAD: :func:`squad_normalize`, :func:`contains_answer`.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

__all__ = [
    "shown_sentences",
    "Span",
    "overlaps",
    "evidence_rank",
    "hit_at_k",
    "mrr",
    "fact_matches",
    "fact_recall",
    "AbstentionScores",
    "abstention_scores",
    "citation_recall",
    "citation_precision",
    "quote_integrity",
    "percentile",
    "mean",
    "squad_normalize",
    "contains_answer",
]

Judge = Callable[[str, str], Sequence]  # rag.supports: (passage, sentence) -> (supported, score, reason)
PassageText = Callable[[Mapping], str]  # citation dict -> the text it cites


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` of a corpus file."""

    source: str
    start: int
    end: int

    @classmethod
    def of(cls, obj: Mapping) -> "Span":
        return cls(str(obj["source"]), int(obj["start"]), int(obj["end"]))


def overlaps(a: Span, b: Span) -> bool:
    """Same file and the two ranges share at least one character."""
    return a.source == b.source and a.start < b.end and b.start < a.end


def evidence_rank(retrieved: Iterable[Span], gold: Iterable[Span]) -> int | None:
    """1-based rank of the first retrieved span that overlaps any gold span; None if none does."""
    gold = list(gold)
    for rank, span in enumerate(retrieved, 1):
        if any(overlaps(span, g) for g in gold):
            return rank
    return None


def hit_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose gold evidence is among the first ``k`` retrieved."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr(ranks: Sequence[int | None]) -> float:
    """Mean reciprocal rank; a miss counts 0."""
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else 0.0


_TRANSLATE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold().split())


def fact_matches(text: str, alternatives: Iterable[str]) -> bool:
    """True if any acceptable string occurs in ``text``.

    Case, quotes and dashes are normalised.  Long facts match ignoring spacing and punctuation
    (answers may quote glued text: "in2021", "CSTOSecretary-General"); facts of at most four
    letters/digits must stand alone, so "US" does not match "thus" and "140" not "1400".
    """
    norm = _norm(text)
    squashed = re.sub(r"[\W_]+", "", norm)
    for alt in alternatives:
        fact = _norm(alt)
        key = re.sub(r"[\W_]+", "", fact)
        if not key:
            continue
        if len(key) > 4:
            if key in squashed:
                return True
            continue
        before = r"(?<![0-9])" if fact[0].isdigit() else r"(?<![^\W\d_])" if fact[0].isalpha() else ""
        after = r"(?![0-9])" if fact[-1].isdigit() else r"(?![^\W\d_])" if fact[-1].isalpha() else ""
        if re.search(before + re.escape(fact) + after, norm):
            return True
    return False


def fact_recall(text: str, groups: Sequence[Sequence[str]]) -> float:
    """Share of gold fact groups (all required) that the answer text contains; 1.0 if there are none."""
    if not groups:
        return 1.0
    return sum(fact_matches(text, g) for g in groups) / len(groups)


@dataclass(frozen=True)
class AbstentionScores:
    """``precision``: abstentions that were right; ``recall``: unanswerable questions abstained on;
    ``false_abstention_rate``: answerable questions wrongly abstained on."""

    precision: float
    recall: float
    false_abstention_rate: float
    abstained: int
    unanswerable: int
    answerable: int


def abstention_scores(outcomes: Iterable[tuple[bool, bool]]) -> AbstentionScores:
    """``outcomes`` = (answerable, abstained) per question."""
    outcomes = list(outcomes)
    abstained = [ans for ans, ab in outcomes if ab]
    unanswerable = [ab for ans, ab in outcomes if not ans]
    answerable = [ab for ans, ab in outcomes if ans]
    return AbstentionScores(
        precision=sum(1 for ans in abstained if not ans) / len(abstained) if abstained else 1.0,
        recall=sum(unanswerable) / len(unanswerable) if unanswerable else 1.0,
        false_abstention_rate=sum(answerable) / len(answerable) if answerable else 0.0,
        abstained=len(abstained),
        unanswerable=len(unanswerable),
        answerable=len(answerable),
    )


def _quote(citation: Mapping) -> str:
    return str(citation.get("quote", ""))


def _cited(answer: Mapping, sentence: Mapping) -> list[Mapping]:
    by_n = {c.get("n"): c for c in answer.get("citations", [])}
    return [by_n[n] for n in sentence.get("citations", []) if n in by_n]


def _supported(judge: Judge, texts: Sequence[str], sentence: str) -> bool:
    return bool(texts) and bool(judge("\n\n".join(texts), sentence)[0])


def shown_sentences(answer: Mapping) -> list:
    """The sentences a user was shown: a generated answer lists the ones its verifier removed too
    (``supported: false``, counted in ``removed``); those were never shown, so they are not scored."""
    sentences = list(answer.get("sentences") or [])
    if answer.get("mode") == "generative" and int(answer.get("removed") or 0) > 0:
        return [s for s in sentences if s.get("supported", True)]
    return sentences


def citation_recall(answer: Mapping, judge: Judge, passage_text: PassageText = _quote) -> float | None:
    """Share of the answer's sentences that their cited passages (together) support.

    A sentence without a citation, or citing a number the answer does not list, is unsupported.
    None for an answer without sentences (an abstention)."""
    sentences = shown_sentences(answer)
    if not sentences:
        return None
    ok = sum(_supported(judge, [passage_text(c) for c in _cited(answer, s)], s["text"]) for s in sentences)
    return ok / len(sentences)


def citation_precision(answer: Mapping, judge: Judge, passage_text: PassageText = _quote) -> float | None:
    """Share of citations that are not irrelevant to their sentence (ALCE): a citation counts if it
    supports the sentence alone, or if the sentence is supported by all its citations but not
    without this one.  None when the answer has no citations at all."""
    good = total = 0
    for sentence in shown_sentences(answer):
        refs = sentence.get("citations", [])
        cited = _cited(answer, sentence)
        total += len(refs)
        texts = [passage_text(c) for c in cited]
        together = _supported(judge, texts, sentence["text"])
        for i, text in enumerate(texts):
            alone = _supported(judge, [text], sentence["text"])
            needed = together and not _supported(judge, texts[:i] + texts[i + 1 :], sentence["text"])
            good += alone or needed
    return good / total if total else None


def quote_integrity(citations: Iterable[Mapping], file_text: Callable[[str], str | None]) -> tuple[int, int]:
    """(intact, total): citations whose ``quote`` equals the file's text at ``[start, end)``.
    ``file_text(source)`` returns the file's text or None when there is no such file (not intact)."""
    intact = total = 0
    for c in citations:
        total += 1
        text = file_text(str(c.get("source", "")))
        start, end = int(c.get("start", -1)), int(c.get("end", -1))
        if text is not None and 0 <= start <= end <= len(text) and text[start:end] == c.get("quote"):
            intact += 1
    return intact, total


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation between closest ranks (numpy's default)."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None if there are none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def squad_normalize(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def contains_answer(answer_text: str, gold_answers: Iterable[str]) -> bool:
    """True if any gold answer (normalised) occurs in the answer (normalised) on word boundaries."""
    hay = f" {squad_normalize(answer_text)} "
    return any(g and f" {g} " in hay for g in (squad_normalize(a) for a in gold_answers))
