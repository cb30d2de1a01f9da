"""Names in text: the one detector of people's names, and the one rule for two spellings of a name.

A capitalised word is part of a person's name unless it is a title ("Minister"), a place or its
demonym ("Pakistani"), a month or weekday, a stopword, or an ordinary word — and what is ordinary is
learnt from the documents themselves: a word the corpus also writes in lower case ("security",
"council") is not a name, while one it only ever capitalises is. Nothing about any particular
corpus is written here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from rag.text.normalize import stem
from rag.text.vocabulary import MONTHS, STOPWORDS, WEEKDAYS, is_place, is_title

__all__ = ["CaseStats", "person_names", "close_name", "one_edit", "ordinary_in"]

_TOKEN = re.compile(r"[\w'’\-.]+")
_POSSESSIVE = ("'s", "’s")
#: Is a lower-case word an ordinary word of the language (so not part of a name)?
Ordinary = Callable[[str], bool]


_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z][a-z'’\-]+")


@dataclass
class CaseStats:
    """Which words a body of text writes in lower case: what it treats as ordinary words. Counted, so
    a text that leaves the corpus can be taken out again (:meth:`remove`)."""

    lower: Counter[str] = field(default_factory=Counter)

    def add(self, text: str, sign: int = 1) -> None:
        for w, n in Counter(_LOWER_WORD.findall(text)).items():
            self.lower[w.strip("'’-")] += sign * n

    def remove(self, text: str) -> None:
        self.add(text, -1)
        for w in [w for w, n in self.lower.items() if n <= 0]:
            del self.lower[w]

    def copy(self) -> "CaseStats":
        return CaseStats(Counter(self.lower))

    def ordinary(self, word: str) -> bool:
        return self.lower.get(word.lower(), 0) > 0


def ordinary_in(*texts: str) -> Ordinary:
    """An ``Ordinary`` learnt from a few texts (a passage and a sentence), for when no corpus is at hand."""
    stats = CaseStats()
    for text in texts:
        stats.add(text)
    return stats.ordinary


def _name_part(word: str, ordinary: Ordinary) -> bool:
    if len(word) < 2 or not word[:1].isupper() or word.isupper():
        return False
    parts = [x for x in word.lower().split("-") if x]
    return not any(p in STOPWORDS or p in MONTHS or p in WEEKDAYS or is_title(p) or is_place(p) or ordinary(p)
                   for p in parts)


def _clean(token: str) -> str:
    word = token.strip(".,'’")
    for suffix in _POSSESSIVE:
        word = word.removesuffix(suffix)
    return word


def person_names(text: str, ordinary: Ordinary, *, rare: Callable[[str], bool] = lambda w: False,
                 exclude: Iterable[str] = ()) -> list[str]:
    """People's names in ``text``: runs of two or more name words, or one after a title, or one
    ``rare`` word (not a word of the language at all). Names whose words' stems are all in
    ``exclude`` (the question's own terms) are left out."""
    excluded = set(exclude)
    out: list[str] = []
    run: list[str] = []
    after_title = False
    prev = ""

    def flush() -> None:
        if len(run) >= 2 or (run and (after_title or rare(run[0]))):
            if not all(stem(w.lower().strip("'’.")) in excluded for w in run):
                out.append(" ".join(run))
        run.clear()

    for token in _TOKEN.findall(text):
        word = _clean(token)
        if _name_part(word, ordinary):
            if not run:
                after_title = is_title(prev.strip(".,"))
            run.append(word)
        else:
            flush()
        prev = word
    flush()
    return out


def one_edit(a: str, b: str) -> bool:
    """Whether two words differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def close_name(a: str, b: str) -> bool:
    """Two spellings of one name: a demonym and its place ("Norwegian"/"Norway" by prefix, "Afghan"
    /"Afghanistan") or one letter apart ("Sergey"/"Sergei"), for words of at least four letters."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if len(a) < 4 or len(b) < 4:
        return False
    if a.startswith(b) or b.startswith(a):
        if abs(len(a) - len(b)) <= 2 or (is_place(a) and is_place(b)):  # "Afghan" / "Afghanistan"
            return True
    return len(a) >= 6 and len(b) >= 6 and a[0] == b[0] and one_edit(a, b)
