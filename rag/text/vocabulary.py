"""General knowledge about English words, one copy each, from maintained packages where one exists.

Number words and ordinals ("forty" is 40, "thirty-first" is 31) are spelled from the 28 words English
builds them of, listed here: ``inflect`` spells them the same (a test checks 0..99 and 1..31 against it)
but takes 3.9 s to import (typeguard instruments it; measured 2026-12-03), which every ``rag ask`` paid;
months and weekdays come from the standard library's ``calendar`` (C locale); titles of people from
``nameparser``; countries and their subdivisions from ``pycountry`` (ISO 3166). The few closed word
classes no package offers — stopwords, the verbs that report speech, negations — are listed here and
nowhere else.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache

__all__ = ["STOPWORDS", "QUESTION_WORDS", "SPEECH_VERBS", "ATTRIBUTION", "NEGATIONS", "SCALE_WORDS", "number_words",
           "ordinal_words", "spell_number", "spell_ordinal", "number_value", "month_key", "MONTHS", "WEEKDAYS", "is_title", "is_place",
           "place_words", "fold_text", "GENERIC_PLACE_WORDS"]

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can cannot could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is isn't it it's its itself let me
more most my myself no nor not of off on once only or other ought our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your yours
yourself yourselves s t don just now ve ll re d m o y ain
either ever every however least less like may might must neither others per shall since though thus upon
us via within yet
outside inside near nearby beyond across along alongside around behind beside besides toward towards among
amid amidst throughout onto despite unlike
""".split())

#: Words of a question that say what is asked, not what it is about.
QUESTION_WORDS = frozenset("""
what who whom whose when where which why how many much did does do say said says tell told according
article articles corpus document documents text source sources give kind type
""".split())

#: Verbs that report what someone said, in the forms news text uses.
SPEECH_VERBS = frozenset("""
say says said saying tell tells told state states stated note notes noted add adds added warn warns warned
claim claims claimed argue argues argued stress stresses stressed emphasize emphasizes emphasized emphasise
emphasises emphasised highlight highlights highlighted underscore underscored acknowledge acknowledges
acknowledged explain explains explained announce announces announced remark remarks remarked describe
describes described point pointed assert asserts asserted accuse accuses accused echo echoed urge urges urged
call called insist insists insisted respond responds responded reaffirm reaffirmed express expressed mention
mentions mentioned tweet tweets tweeted write writes wrote dismiss dismissed deny denies denied believe
believes believed
""".split())

#: Words that say where a claim comes from rather than what it is ("according to", "reported").
ATTRIBUTION = frozenset("according reported reports saying".split())

#: Cues that flip a statement.
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot nt".split())

SCALE_WORDS = {"hundred": 100, "hundreds": 100, "thousand": 1000, "thousands": 1000, "million": 10**6,
               "millions": 10**6, "billion": 10**9, "billions": 10**9, "trillion": 10**12, "dozen": 12,
               "dozens": 12}


_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}


def spell_number(i: int) -> str:
    """0..99 in words, hyphenated as written ("forty-two")."""
    if not 0 <= i <= 99:
        raise ValueError(f"spell_number covers 0..99, got {i!r}")
    if i < 20:
        return _UNITS[i]
    tens, unit = divmod(i, 10)
    return _TENS[tens - 2] + (f"-{_UNITS[unit]}" if unit else "")


def spell_ordinal(i: int) -> str:
    """1..99 as an ordinal word ("twenty-first", "thirtieth")."""
    if not 1 <= i <= 99:
        raise ValueError(f"spell_ordinal covers 1..99, got {i!r}")
    head, _, last = spell_number(i).rpartition("-")
    last = _ORDINAL.get(last) or (last[:-1] + "ieth" if last.endswith("y") else last + "th")
    return f"{head}-{last}" if head else last


@lru_cache(maxsize=1)
def number_words() -> dict[str, int]:
    """"zero" .. "ninety-nine" (also "ninety nine") -> their value."""
    out: dict[str, int] = {}
    for i in range(100):
        word = spell_number(i)
        out[word] = i
        out[word.replace("-", " ")] = i
    return out


@lru_cache(maxsize=1)
def ordinal_words() -> dict[str, int]:
    """"first" .. "thirty-first" -> 1 .. 31."""
    out = {}
    for i in range(1, 32):
        word = spell_ordinal(i)
        out[word] = i
        out[word.replace("-", " ")] = i
    return out


def number_value(word: str) -> int | None:
    """The value a single number word or ordinal stands for ("forty" -> 40, "third" -> 3), else None."""
    word = word.lower()
    return number_words().get(word, ordinal_words().get(word))


def _months() -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(1, 13):
        full, abbr = calendar.month_name[i].lower(), calendar.month_abbr[i].lower()
        out[full] = out[abbr] = abbr
    out["sept"] = calendar.month_abbr[9].lower()
    return out


#: Month names and abbreviations -> the three-letter form ("september", "sept", "sep" -> "sep").
MONTHS: dict[str, str] = _months()
WEEKDAYS = frozenset(calendar.day_name[i].lower() for i in range(7)) | frozenset(
    calendar.day_abbr[i].lower() for i in range(7))


def month_key(word: str) -> str | None:
    return MONTHS.get(word.lower())


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    from nameparser.config import titles

    return frozenset(t.lower() for t in titles.TITLES if t.isalpha())


def is_title(word: str) -> bool:
    """A title or office that stands before a person's name ("Minister", "General", "Dr")."""
    return word.lower().strip(".") in _titles()


def fold_text(text: str) -> str:
    """Lower case without accents ("São Tomé" → "sao tome")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


#: Words of place names that name no place by themselves ("Republic of …", "United …").
GENERIC_PLACE_WORDS = frozenset({
    "republic", "islands", "island", "state", "states", "kingdom", "province", "region", "district", "county",
    "city", "united", "north", "south", "east", "west", "central", "saint", "great", "democratic", "federation",
    "people", "federal", "municipality"})


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Lower-case words of the names of countries and their subdivisions (ISO 3166, ``pycountry``)."""
    import pycountry

    names: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names.add(value)
    names.update(s.name for s in pycountry.subdivisions)
    words = {w for name in names for w in re.findall(r"[a-z]+", fold_text(name)) if len(w) >= 4}
    return frozenset(words - STOPWORDS - GENERIC_PLACE_WORDS)


_DEMONYM = re.compile(r"(?:ians?|ans?|is|i|ese|ish|ic|s)$")
_COUNTRY_ENDINGS = ("istan", "stan", "ia", "a", "land", "n", "an", "ian", "i", "ese")  # Russia(n)


@lru_cache(maxsize=20_000)
def is_place(word: str) -> bool:
    """A country or region, or its demonym ("Pakistan", "Pakistani", "Afghan", "Chinese")."""
    w = fold_text(word.strip(".'’"))
    if len(w) < 4:
        return False
    places = place_words()
    if w in places or any(w + end in places for end in _COUNTRY_ENDINGS):
        return True  # "Uzbek" + "istan"
    stem = _DEMONYM.sub("", w)
    return stem != w and len(stem) >= 4 and any(p.startswith(stem) and len(p) - len(stem) <= 8 for p in places)
