"""Words that stand for one country: its name, its people, its capital ("Oslo" for Norway).

News writes a government by its capital ("Washington said …", "Paris blames …") and a country by its
demonym ("the Kenyan capital", "an Uzbek proposal"); a question in those words must still meet the
sentence that names the country. The knowledge comes from the ``countryinfo`` data package (MIT; names,
alternative spellings, demonyms and capitals of 250 countries and territories), read once.

What is left out, and why:
- territories of under 100,000 people (their names chain unrelated groups: "American Samoa");
- capitals of countries of under a million people, and multi-word capitals other than "X City",
  "New X" and "Washington D.C." ("Male", "Victoria", "Charlotte Amalie", "San Juan" are also common
  words or people's names);
- name words that are generic ("republic", "united", "islands" — the list :mod:`rag.text.vocabulary`
  already keeps for place names).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.normalize import stem
from rag.text.vocabulary import STOPWORDS, fold_text, GENERIC_PLACE_WORDS

__all__ = ["place_aliases"]

_MIN_POPULATION = 100_000
_MIN_CAPITAL_POPULATION = 1_000_000
_CAPITAL_NOISE = frozenset({"city", "d.c.", "dc", "new"})
#: Further words of official names that name no one country ("Islamic Republic of …", "… Emirates").
_OFFICIAL = frozenset({"islamic", "arab", "plurinational", "socialist", "commonwealth", "principality",
                       "sultanate", "emirates", "territory", "independent", "grand", "duchy", "bolivarian",
                       "cooperative", "oriental", "hashemite", "union", "america"})


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", fold_text(text)) if len(w) >= 4 and w not in STOPWORDS
            and w not in GENERIC_PLACE_WORDS and w not in _OFFICIAL]


def _capital(info: dict) -> list[str]:
    cap = info.get("capital")
    if not isinstance(cap, str) or (info.get("population") or 0) < _MIN_CAPITAL_POPULATION:
        return []
    parts = [p for p in fold_text(cap).split() if p not in _CAPITAL_NOISE]
    return parts if len(parts) == 1 and len(parts[0]) >= 4 and parts[0].isalpha() else []


def _group(info: dict) -> set[str]:
    words: set[str] = set(_words(info.get("name") or ""))
    for alt in info.get("altSpellings") or []:
        if alt.isascii() and " " not in alt.strip():  # "Rossiya", "Bharat"; not "Republic of China" (Taiwan)
            words.update(_words(alt))
    demonym = info.get("demonym")
    if isinstance(demonym, str) and " " not in demonym.strip():
        words.update(_words(demonym))
    for w in list(words):
        if w.endswith("stan") and len(w) >= 9:
            words.add(w.removesuffix("istan").removesuffix("stan"))  # "Uzbekistan" → "Uzbek"
    words.update(_capital(info))
    return {stem(w) for w in words if len(w) >= 4}


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    import countryinfo

    index: dict[str, set[str]] = {}
    for country in countryinfo.all_countries():
        info = country.info()
        if (info.get("population") or 0) < _MIN_POPULATION:
            continue
        group = _group(info)
        for w in group:
            index.setdefault(w, set()).update(group)
    return {k: frozenset(v - {k}) for k, v in index.items()}


def place_aliases(term: str) -> frozenset[str]:
    """Stems that name the same country as the stemmed ``term`` ("oslo" → "norway",
    "norwegian", …); empty for a word that names no country."""
    return _index().get(term, frozenset())
