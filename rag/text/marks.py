"""Citation marks in text: ``[1]``, ``[1][2]``, ``[1, 3]``, ``【2】``, ``[source 2]`` — found, read, removed.

One copy of this knowledge for everything that reads answers: the verifier (a generated reply),
the judge (a sentence with its marks), the page (marks turned into buttons) and the eval (answers
given only as text).
"""

from __future__ import annotations

import re

from rag.records import DraftSentence
from rag.text.sentences import split_sentences

__all__ = ["MARKER", "find_marks", "strip_markers", "hold_back", "split_reply", "draft", "parse_reply",
           "complete_sentences"]

MARKER = re.compile(
    r"\s*[\[\u3010](?:(?:sources?|passages?|refs?)\s*)?(\d{1,3}(?:\s*(?:,|;|and|-|\u2013)\s*\d{1,3})*)[\]\u3011]",
    re.IGNORECASE,
)
_PARTIAL_MARKER = re.compile(r"\s*(?:[\[\u3010][^\]\u3011]{0,24})?$")
_LABEL = re.compile(r"^\s*(?:#+\s*)?(?:final\s+)?(?:answer|response)\s*:\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")


def find_marks(text: str) -> list[tuple[int, int, list[int]]]:
    """Every mark in ``text`` as (start, end, cited numbers)."""
    return [(m.start(), m.end(), _numbers(m.group(1))) for m in MARKER.finditer(text)]


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", group):
        bounds = re.split(r"\s*[-\u2013]\s*", part.strip())
        if len(bounds) == 2 and all(b.isdigit() for b in bounds):
            lo, hi = int(bounds[0]), int(bounds[1])
            out.extend(range(lo, hi + 1) if 0 < hi - lo < 10 else (lo, hi))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def strip_markers(text: str) -> str:
    """``text`` without citation markers, spaces tidied ("Moscow [1]." -> "Moscow.")."""
    out = MARKER.sub("", text)
    out = re.sub(r"\s+([.,;:!?])", r"\1", out)
    return " ".join(out.split())


def hold_back(piece: str) -> str:
    """The part of a streamed, unfinished sentence that is safe to show: markers removed, and a
    half-written marker held back until it is complete."""
    return strip_markers(_PARTIAL_MARKER.sub("", MARKER.sub("", _unwrap(piece))))


def _unwrap(piece: str) -> str:
    """A reply piece without list bullets, bold marks and an "Answer:" label."""
    return _LABEL.sub("", _BULLET.sub("", piece.replace("**", "").replace("__", "")))


def split_reply(text: str) -> list[str]:
    """Sentences of a reply, each with the markers that follow it (markers after a full stop
    belong to the sentence before them)."""
    spans = split_sentences(text)
    pieces = [text[a:b] for a, b in spans]
    merged: list[str] = []
    for piece in pieces:
        lead = re.match(r"(?:\s*[\[\u3010][^\]\u3011]{0,24}[\]\u3011])+", piece)
        if merged and lead:
            merged[-1] += lead.group(0)
            piece = piece[lead.end():]
        if piece.strip():
            merged.append(piece)
    return merged


def draft(piece: str) -> DraftSentence | None:
    """One piece of :func:`split_reply` as a sentence and its cited numbers (None if no words)."""
    cited: list[int] = []
    for m in MARKER.finditer(piece):
        for n in _numbers(m.group(1)):
            if n not in cited:
                cited.append(n)
    body = strip_markers(_unwrap(piece))
    return DraftSentence(body, tuple(cited)) if re.search(r"[^\W\d_]{2}", body) else None


def parse_reply(text: str) -> list[DraftSentence]:
    """Sentences of an LLM reply with the source numbers each one cites, in reply order."""
    return [d for d in map(draft, split_reply(text)) if d is not None]


def complete_sentences(text: str) -> int:
    """How many leading sentences of a partial reply are finished: a sentence is done once real
    text of the next one has begun (its own markers may still be arriving before that)."""
    parts = split_reply(text)
    if len(parts) < 2:
        return 0
    last = MARKER.sub("", parts[-1])
    return len(parts) - 1 if re.search(r"\w", last) else len(parts) - 2
