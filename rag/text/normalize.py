"""Text normalisation shared by indexing, answering and judging.

Cleaning never changes what a citation quotes: it produces the *indexed* form of a span, in which
words glued together at former line breaks ("Afghanistanas", "withPakistan’s", "TheUN") are split
again, so that the words a user types still find them.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = [
    "DATA_DIR",
    "normalize",
    "deglue",
    "clean",
    "is_glued",
    "fold",
    "words",
    "stem",
    "content_terms",
    "STOPWORDS",
]

from rag._env import DATA_DIR  # noqa: E402
from rag.text.vocabulary import QUESTION_WORDS, STOPWORDS  # noqa: E402  (one copy of each)

#: Typographic quotes, dashes and spaces folded to ASCII: the one table for indexing, questions and the judge.
_QUOTES = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\u2026": "...",
})

_WORD = re.compile(r"\d+(?:st|nd|rd|th)\b|\d+(?:[.,]\d+)*|[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z]{3})")
_GLUED_PERIOD = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_TOKEN = re.compile(r"\S+")


_QUOTE_CHARS = re.compile("[" + re.escape("".join(map(chr, _QUOTES))) + "]")


def _quote(m: re.Match[str]) -> str:
    return _QUOTES[ord(m.group(0))]


def normalize(text: str) -> str:
    """Unicode-fold quotes, dashes and spaces; collapse whitespace."""
    # the table applied by a regex: the same result as str.translate, ten times faster on long text
    text = _QUOTE_CHARS.sub(_quote, unicodedata.normalize("NFKC", text))
    return " ".join(text.split())


# Two-letter words that may end or start a glued pair ("Afghanistanas", "responsesto").
_SHORT = frozenset("as in to of on at by an is or it he we be".split())
# Morphemes that make a real word look like two ("re"+"frame", "victim"+"hood"): never split there.
_PREFIXES = frozenset("un re pro mis im in inter trans out over under down counter com con dis non pre sub super anti multi co de ex".split())
_SUFFIXES = frozenset("ing al ness ties hood worthy en rs ed er ers ly ment ments ship able ible ion ions ity ive ize ise ist ists ism ful less ous some ward wards wise".split())


@lru_cache(maxsize=1)
def _stems() -> frozenset[str]:
    return frozenset(stem(w) for w in _vocab())


def known_word(word: str) -> bool:
    """A lower-case word of the embedder's whole-word vocabulary (an ordinary English word or a well-known name)."""
    return word in _vocab() or stem(word) in _stems()


def _part_ok(part: str, first: bool) -> bool:
    if len(part) == 2 and part not in _SHORT:
        return False
    if first and part in _PREFIXES:
        return False
    if not first and part in _SUFFIXES:
        return False
    return part in _vocab()


@lru_cache(maxsize=1)
def _vocab() -> dict[str, float]:
    """Whole words of MiniLM's WordPiece vocabulary with a cost that grows with their rank."""
    model = json.loads((DATA_DIR / "minilm-tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
    costs: dict[str, float] = {}
    for word, rank in model.items():
        if word.isalpha() and word.isascii() and (len(word) > 1 or word in ("a", "i")):
            costs[word] = math.log(rank + 10.0)
    return costs


def _split_lower(token: str) -> list[str] | None:
    """Split an unknown lower-case run into 2–3 known words, cheapest first; None if it is not glued."""
    vocab = _vocab()
    if len(token) < 5 or known_word(token):
        return None
    best: tuple[float, list[str]] | None = None
    n = len(token)
    for i in range(2, n - 1):
        head, tail = token[:i], token[i:]
        if _part_ok(head, True) and _part_ok(tail, False):
            cost = vocab[head] + vocab[tail]
            if best is None or cost < best[0]:
                best = (cost, [head, tail])
    if best is not None:
        return best[1]
    for i in range(3, n - 5):
        head = token[:i]
        if not _part_ok(head, True):
            continue
        for j in range(i + 3, n - 2):
            mid, tail = token[i:j], token[j:]
            if _part_ok(mid, False) and _part_ok(tail, False):
                cost = vocab[head] + vocab[mid] + vocab[tail] + 4.0
                if best is None or cost < best[0]:
                    best = (cost, [head, mid, tail])
    if best is None and len(token) >= 11:
        # in a glued text a rare word may carry a common one ("quadrilateral" + "meetings")
        for i in range(6, n - 4):
            tail = token[i:]
            if tail in vocab and len(tail) >= 5 and tail not in _SUFFIXES and token[:i].isalpha():
                return [token[:i], tail]
    return best[1] if best else None


@lru_cache(maxsize=200_000)
def _deglue_token(token: str) -> str:
    parts = [p for p in _CAMEL.split(token) if p]
    out: list[str] = []
    for part in parts:
        for piece in re.split(r"(-)", part):
            m = re.fullmatch(r"([A-Za-z]?)([a-z]+)([^A-Za-z]*)", piece)
            if m and len(m.group(2)) >= 5:
                head = (m.group(1) + m.group(2))
                split = _split_lower(head.lower())
                if split and head[0].isupper() and (len(split) > 2 or any(
                        len(x) < 4 and x not in _SHORT for x in split)):
                    split = None  # a capitalised word is a name unless it splits into plain long words
                if split:
                    # keep the original capitalisation of the first letter
                    split[0] = head[: len(split[0])]
                    out.append(" ".join(split) + m.group(3))
                    continue
            out.append(piece)
    return " ".join(out).replace(" - ", "-").replace(" -", "-").replace("- ", "-")


def deglue(text: str) -> str:
    """Split words glued at former line breaks ("Afghanistanas" → "Afghanistan as")."""
    text = _GLUED_PERIOD.sub(" ", text)
    return _TOKEN.sub(lambda m: _deglue_token(m.group(0)), text)


#: A text is taken to be glued when at least this many distinct words, and this share of its distinct
#: words, would split. Measured: 000_cac5a6acb37b38dd.txt 44 words (0.15); the other four articles at
#: most 3; no SQuAD 2.0 dev paragraph more than 5 ("cannonball", "Internet2", …).
GLUED_MIN_WORDS = 8
GLUED_MIN_SHARE = 0.05


def is_glued(text: str) -> bool:
    """Whether a document's words were glued together (at former line breaks) often enough to split."""
    tokens = {t.strip(".,;:!?()\"'") for t in _TOKEN.findall(normalize(text)) if sum(c.isalpha() for c in t) >= 5}
    if not tokens:
        return False
    split = sum(1 for t in tokens if _deglue_token(t) != t)
    return split >= GLUED_MIN_WORDS and split / len(tokens) >= GLUED_MIN_SHARE


def clean(text: str, glued: bool = True) -> str:
    """The indexed form of a span: normalised, and de-glued when its document is glued.

    De-gluing is only worth its risk ("Braddock" → "Brad dock") in a text that is mostly glued
    words, so the caller decides per document with :func:`is_glued`.
    """
    text = normalize(text)
    return deglue(text) if glued else text


class _FoldTable(dict):
    """code point -> its NFKD decomposition without combining marks, filled as characters are met.

    Per character is the same as per text: NFKD decomposes each character on its own and only
    reorders combining marks, which are all dropped. ``str.translate`` then folds a whole text in C
    (the generator this replaced took 7 s of a 100,000-passage snapshot load).
    """

    def __missing__(self, code: int) -> str:
        self[code] = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        return self[code]


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Accents removed ("Möngke" → "Mongke", "Céloron" → "Celoron"), for matching only."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_run, text)  # only non-ASCII runs go through the table (3x faster)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(m: re.Match[str]) -> str:
    return m.group(0).translate(_FOLD)


def words(text: str) -> list[str]:
    """Lower-case, accent-folded word tokens (1,000 and 3.5 stay whole; "11th" is one token)."""
    return [w.lower() for w in _WORD.findall(fold(normalize(text)).replace("'s ", " ").replace("s' ", "s "))]


_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stopwords, no question words)."""
    return list(_content_terms(text))


@lru_cache(maxsize=100_000)
def _content_terms(text: str) -> tuple[str, ...]:
    # cached: every question scores the same corpus sentences again
    return tuple(stem(w) for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS)
