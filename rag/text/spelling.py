"""Question words the corpus never uses, corrected against the words it does use.

A word is treated as misspelt only when it is neither in the indexed corpus (as typed or by its
stem) nor an English word of symspellpy's frequency dictionary (82,765 words from Google Books
n-grams, shipped in the wheel): "establishd" is corrected to the corpus's "established", while a
real word the corpus lacks ("founder" when it says "founded") is left alone, because changing it
would change the question. Corrections come from SymSpell (frequency-weighted edit distance, one edit
for words of up to five letters, two above) over the corpus's own word counts, so a correction is
always a word some passage contains.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Mapping

from rag.text.normalize import stem
from rag.text.vocabulary import QUESTION_WORDS, STOPWORDS

__all__ = ["Speller", "english_words"]

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_MIN_LENGTH = 4


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """symspellpy's English frequency dictionary, as a set of lower-case words."""
    text = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


class Speller:
    """Corrects a question's unknown words to the closest frequent corpus word."""

    def __init__(self, counts: Mapping[str, int], stems: Iterable[str] = ()):
        if not isinstance(counts, Mapping):
            raise ValueError(f"counts must map corpus words to their counts, got {type(counts).__name__}")
        self.counts = {w.lower(): int(n) for w, n in counts.items() if n > 0}
        self.stems = frozenset(stems)
        self._symspell = None

    def _index(self):
        if self._symspell is None:
            from symspellpy import SymSpell

            sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
            for word, n in self.counts.items():
                if len(word) >= 3 and word.isalpha():
                    sym.create_dictionary_entry(word, n)
            self._symspell = sym
        return self._symspell

    def misspelt(self, word: str) -> bool:
        low = word.lower()
        return (len(low) >= _MIN_LENGTH and low not in self.counts and low not in STOPWORDS
                and low not in QUESTION_WORDS and stem(low) not in self.stems and low not in english_words())

    def suggest(self, word: str) -> str | None:
        """The corpus word ``word`` most likely stands for, or None."""
        from symspellpy import Verbosity

        low = word.lower()
        hits = self._index().lookup(low, Verbosity.CLOSEST, max_edit_distance=1 if len(low) <= 5 else 2)
        if not hits:
            return None
        best = max(hits, key=lambda s: s.count)
        return best.term

    def correct(self, text: str) -> str:
        """``text`` with each misspelt word replaced by its correction (case kept), else unchanged."""
        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if any(c.isupper() for c in word[1:]) or not self.misspelt(word):
                # "McLetchie", "DeKalb", "NATO", "WWII": a capital inside a word is typed on purpose
                return word
            new = self.suggest(word)
            if new is None:
                return word
            return new.capitalize() if word[0].isupper() else new

        return _WORD.sub(fix, text)
