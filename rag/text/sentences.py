"""Sentence spans with exact character offsets, the unit every citation points at."""

from __future__ import annotations

import re
from functools import lru_cache

from rag import _env  # noqa: F401  (NLTK_DATA must point at llama-index's bundled punkt first)
from rag.text.normalize import stem

__all__ = ["split_sentences", "continues", "warm_up"]

_GLUED_PERIOD = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_LINE = re.compile(r"[^\n]+")
_ABBREVIATIONS = set(
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun mr mrs ms dr "
    "prof gen lt col maj capt sgt adm gov sen rep st jr sr inc ltd co corp no vs etc approx est dept univ "
    "u.s u.k u.n e.u a.m p.m i.e e.g".split())
_MAX_CHARS = 1200  # a "sentence" longer than this (a list without stops) is cut at clause marks
#: punkt reads a line in windows of at most this many characters, each cut after a sentence end where
#: there is one: its regexes run under NLTK's 5 s ReDoS limit and a 1 MB line exceeded it (issue 8);
#: a window of 20,000 characters takes about 20 ms.
_WINDOW = 20_000
_WINDOW_END = re.compile(r"[.!?][\"'”’)\]]*\s+")


@lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktTokenizer

    tok = PunktTokenizer("english")
    # news abbreviations punkt's English model misses ("On Mar. 22, 2024", "Gen. Anna Berg")
    tok._params.abbrev_types.update(_ABBREVIATIONS)
    return tok


def warm_up() -> None:
    """Load punkt now: importing NLTK takes seconds, which the first answer's judge would pay."""
    _punkt()


def _cut_long(start: int, end: int, text: str) -> list[tuple[int, int]]:
    if end - start <= _MAX_CHARS:
        return [(start, end)]
    out, cur = [], start
    while end - cur > _MAX_CHARS:
        window = text[cur : cur + _MAX_CHARS]
        cut = max(window.rfind("; "), window.rfind(", "), window.rfind(" "))
        cut = cut + 1 if cut > _MAX_CHARS // 3 else _MAX_CHARS
        out.append((cur, cur + cut))
        cur += cut
        while cur < end and text[cur].isspace():
            cur += 1
    out.append((cur, end))
    return out


def _windows(chunk: str) -> list[tuple[int, int]]:
    """``chunk`` as consecutive pieces of at most :data:`_WINDOW` characters, cut after the last
    sentence end of each piece (or at its last space, or hard when it has neither)."""
    out, cur, n = [], 0, len(chunk)
    while n - cur > _WINDOW:
        stop = cur + _WINDOW
        ends = [m.end() for m in _WINDOW_END.finditer(chunk, cur + _WINDOW // 2, stop)]
        cut = ends[-1] if ends else chunk.rfind(" ", cur + _WINDOW // 2, stop) + 1 or stop
        out.append((cur, cut))
        cur = cut
    out.append((cur, n))
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text[start:end]``, absolute offsets, whitespace trimmed.

    A sentence never crosses a line break (headlines and list items are their own sentences), and a
    period glued to the next sentence ("dynamics.Frequent") still ends a sentence.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        ls, le = line.span()
        chunk = text[ls:le]
        for ps, pe in ((ws + a, ws + b) for ws, we in _windows(chunk)
                       for a, b in _punkt().span_tokenize(chunk[ws:we])):
            cuts = [ps] + [m.start() for m in _GLUED_PERIOD.finditer(chunk, ps, pe)] + [pe]
            for a, b in zip(cuts, cuts[1:]):
                seg = chunk[a:b]
                lead = len(seg) - len(seg.lstrip())
                trail = len(seg.rstrip())
                if trail > lead:
                    spans.extend(_cut_long(ls + a + lead, ls + a + trail, text))
    return spans


#: Sentence openings that point back: pronouns, possessives and demonstratives ("He added …", "These
#: fears …", "Both sides …", "Such attacks …").
_BACK = frozenset("he she they it this these those such his her their its both".split())
_DEFINITE = re.compile(r"^(?:The|the)\s+(?:two\b|([a-z][\w-]*)(?:\s+([a-z][\w-]*))?)")
_TOKEN = re.compile(r"[A-Za-z][\w'’-]*")


def _is_heading(text: str) -> bool:
    """A few words with no sentence end: a heading ("Version", "Basic usage"), which the next
    sentence does not continue."""
    text = text.strip()
    return len(text.split()) <= 6 and text[-1:] not in ".!?:;\"”’)…"


def continues(previous: str, sentence: str) -> bool:
    """Whether ``sentence`` continues ``previous`` and needs it to be understood: it opens with a
    pronoun or demonstrative, with "The two …", or with a definite common noun the previous sentence
    used ("The attack, claimed by …" after "… an attack on the hall …"); and any sentence after one
    that ends in a colon ("… tweeted his explanation:"), whose words it gives.

    SQuAD 2.0 dev (all 6,078 questions, 2026-12-06): the colon rule changes no answer's correctness
    or abstention; on the corpus it shows a quoted tweet after the line that says who wrote it."""
    first = _TOKEN.match(sentence.lstrip("\"'“‘( "))
    if not previous.strip() or first is None or _is_heading(previous):
        return False
    if previous.rstrip().endswith(":"):
        return True  # "… tweeted his explanation:" then the words themselves
    if first.group(0).lower() in _BACK:
        return True
    m = _DEFINITE.match(sentence.lstrip("\"'“‘( "))
    if m is None:
        return False
    if m.group(1) is None:
        return True  # "The two …"
    before = {stem(w.lower()) for w in _TOKEN.findall(previous)}
    return any(w and len(w) > 2 and stem(w) in before for w in m.groups())
