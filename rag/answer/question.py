"""What a question asks for, and what a reader would check in a candidate answer sentence.

A retrieval score says a passage is *about* the question; it does not say the passage *answers* it
(measured on SQuAD2-dev: the best score threshold separates answerable from unanswerable questions
with only ≈0.60 balanced accuracy). So the answerer also checks what a person would: are the
question's key terms there, and is there an answer of the asked type (a number for "how many", a
date for "when", a name for "who", a place for "where")?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.answer.policy import TypeStrength
from rag.text.names import Ordinary, ordinary_in, person_names
from rag.text.normalize import known_word, normalize, stem, words
from rag.text.places import place_aliases
from rag.text.vocabulary import (
    MONTHS,
    QUESTION_WORDS,
    SCALE_WORDS,
    SPEECH_VERBS,
    STOPWORDS,
    WEEKDAYS,
    is_place,
    is_title,
    number_words,
)

__all__ = ["Question", "analyze", "answer_values", "who_predicate", "spell_out", "type_strength", "polar_claim", "ANSWER_TYPES", "NAMED_KINDS"]

ANSWER_TYPES = ("person", "date", "number", "place", "name", "statement", "reason", "other")

_NUMBER_WORDS = sorted((w for w in number_words() if w.isalpha() and w != "zero"), key=len, reverse=True) + \
    sorted(SCALE_WORDS)  # ordinals ("first proposed") are not counts
_NUMBER = re.compile(r"(?<![\w])(?:[$€£]\s?)?\d[\d,.]*(?:\s?(?:%|percent|per cent))?|\b(?:"
                     + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_MONTHS = sorted(MONTHS, key=len, reverse=True)
_DATE = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b(?:" + "|".join(_MONTHS) + r")\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:"
    + "|".join(_MONTHS) + r")\b|\b(?:" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b|"
    r"\b(?:yesterday|today|last (?:year|month|week)|this (?:year|month|week)|(?:early|late|mid)[- ]\d{4}|"
    r"century|decade|years? ago|months? ago|since|until|till|during)\b",
    re.I,
)
_CAPS = re.compile(r"(?<![\w'’])[A-Z][\w'’\-]*[a-z]?[\w\-]*(?:\s+(?:of\s+|al-|bin\s+)?[A-Z][\w'’\-]*)*")
_SPEECH = frozenset(stem(w) for w in SPEECH_VERBS)
_PLACE_HINT = frozenset(
    "in at from near across into within located based border borders region province city capital".split())
#: Head nouns of a question that asks for named organisations ("which groups", "what company"): a closed
#: class of English words, like the titles of people.
NAMED_KINDS = ("groups?", "organi[sz]ations?", "compan(?:y|ies)", "part(?:y|ies)", "agenc(?:y|ies)", "movements?",
                "outfits?", "militias?", "factions?", "alliances?", "blocs?", "institutions?", "firms?", "banks?",
                "networks?", "newspapers?", "ministr(?:y|ies)", "universit(?:y|ies)", "unions?", "teams?", "clubs?",
                "committees?", "councils?")
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"\bhow (?:many|much|long|old|large|big|far|often)\b|\bwhat (?:number|percentage|"
                          r"proportion|share|amount|size|figure)s?\b|\bnumbers?\b|\bfigures?\b|\bhow many\b|"
                          r"\bcount\b|\btotal\b|\bcost\b|\bworth\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month|time|decade|century)\b|\bwhich (?:year|date|"
                        r"day|month)\b|\bsince when\b|\bhow long ago\b", re.I)),
    ("person", re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|official|minister|leader|man|woman|president|"
                          r"secretary)\b|\bwhat (?:is the name|was the name)\b", re.I)),
    ("place", re.compile(r"\bwhere\b|\bwhich (?:country|countries|city|cities|region|place|province|state)\b|"
                         r"\bwhat (?:country|countries|city|region|place|province)\b", re.I)),
    # "Which militant groups …", "What company …": named organisations, one or a list of them
    ("name", re.compile(r"\b(?:which|what)\s+(?:(?!(?:is|are|was|were|do|does|did|has|have|had|the|a|an|can|could|"
                        r"will|would|of)\b)[a-z\-]+\s+){0,2}(?:" + "|".join(NAMED_KINDS) + r")\b", re.I)),
    # lower-case only, so a name is not a verb ("Edward Said"); "state" only as a verb ("state that"),
    # the noun ("In what state …", "the state religion") asks for something else; "tell me about …"
    # asks for anything on a topic, not for someone's words
    ("statement", re.compile(r"\b(?:say|said|says|tell(?!\s+(?:me|us)\b)|told|state(?= that\b)|stated|claim|"
                             r"claimed|warn|warned|think|view|stance|remarks?|comment(?:ed)?|tweet(?:ed)?)\b|"
                             r"\b(?:did|does|do)\s+(?:[\w'’]+\s+){1,4}state\b")),
    ("reason", re.compile(r"\bwhy\b|\bwhat (?:caused|led to|is the reason)\b", re.I)),
)
_CALENDAR_WORDS = frozenset(MONTHS) | WEEKDAYS
_GENERIC = frozenset(stem(w) for w in (
    "number numbers figure figures amount total count many much name names people person thing things "
    "happen happened happens think view position stance remark remarks comment comments regarding "
    "about describe described opinion role kind type way ways main mention mentioned report reported "
    "state stated name named call called day days year years month months date time week place take "
    "took happen happened occur occurred".split()))
@dataclass(frozen=True)
class Question:
    """A question's parts that matter for choosing and checking sentences."""

    text: str
    type: str
    terms: tuple[str, ...]  # stemmed content terms, in order, unique
    entities: tuple[str, ...]  # names as typed ("Berg", "Anna Berg", "Norway")
    entity_terms: tuple[tuple[str, ...], ...]  # each name's stemmed words
    claim: str | None = None  # what a yes/no question asks about ("the alliance was founded in 2002")

    @property
    def needs_value(self) -> bool:
        return self.type in ("person", "date", "number", "place", "name")


def _entities(text: str) -> list[list[str]]:
    """Named things in the question, one list of words per name ("Anna Berg" is one name)."""
    found: list[list[str]] = []
    for m in _CAPS.finditer(text):
        sentence_start = m.start() == 0 or text[: m.start()].rstrip().endswith(("?", ".", "!", ":"))
        phrase: list[str] = []
        for n, tok in enumerate(re.split(r"\s+", m.group(0).strip())):
            word = tok.strip("'’-.,")
            low = word.lower()
            if len(word) < 2 or low in STOPWORDS or low in QUESTION_WORDS or low in _CALENDAR_WORDS:
                if phrase:
                    found.append(phrase)
                    phrase = []
                continue
            if sentence_start and n == 0 and not _rare(word):
                continue  # "Name one country…", "Along with…": capitalised only because it comes first
            phrase.append(word)
        if phrase:
            found.append(phrase)
    return found


def analyze(text: str) -> Question:
    """Question type, key terms and named entities of a question."""
    norm = normalize(text)
    qtype = "other"
    lead = _LEAD_WH.search(norm)
    cased = norm.lower() if norm.isupper() else norm  # "WHAT DID X SAY": no case to tell names by
    for name, pattern in _TYPE_PATTERNS:
        m = pattern.search(cased)
        if m and not (lead and lead.start() < m.start() and _BARE_WH.fullmatch(m.group(0))):
            qtype = name  # a bare "when/who/where" after "What …" is a conjunction, not the question word
            break
    if qtype == "person" and _WHO_IS.match(norm):
        qtype = "other"  # "Who is Anna Berg?" asks for a description, not another name
    seen: dict[str, None] = {}
    for w in words(norm):
        if w in STOPWORDS or w in QUESTION_WORDS:
            continue
        seen.setdefault(stem(w), None)
    _drop_capital(norm, seen)
    names: dict[tuple[str, ...], str] = {}
    for phrase in _entities(norm):
        stems = tuple(stem(w) for w in words(" ".join(phrase)) if w not in STOPWORDS)
        if stems:
            names.setdefault(stems, " ".join(phrase))
    return Question(norm, qtype, tuple(seen), tuple(names.values()), tuple(names), polar_claim(norm))


_COUNTRY_CAPITAL = re.compile(r"\b([a-z]+) capital\b", re.I)


def _drop_capital(norm: str, terms: dict[str, None]) -> None:
    """"the Norwegian capital" names a city the country word already stands for (its aliases include
    the capital, :mod:`rag.text.places`): "capital" is then no key term a sentence must contain. Kept
    when the question is about little else ("What is the Kenyan capital?" asks for it)."""
    m = _COUNTRY_CAPITAL.search(norm)
    cap = stem("capital")
    if m and cap in terms and place_aliases(stem(m.group(1).lower())) and len(terms) >= 4:
        del terms[cap]


_AUXILIARIES = frozenset("is are was were am do does did has have had can could will would shall should must may "
                         "might".split())
_POLAR_LEAD = re.compile(r"^(?:is it (?:true|the case|correct) that|do(?:es)? (?:the )?(?:articles?|documents?|"
                         r"sources?|corpus|texts?) (?:say|state|mention|report|confirm) (?:that|whether|if))\s+", re.I)


_INDIRECT = re.compile(r"\b(?:who|whom|whose|what|when|where|which|why|how)\b", re.I)


def polar_claim(text: str) -> str | None:
    """The claim of a yes/no question ("Did the envoy sign the accord?" -> "the envoy sign the
    accord"); None for any other question, a choice ("… or …?") or a negated one ("Didn't …?")."""
    t = text.strip().rstrip("?!. ")
    lead = _POLAR_LEAD.match(t)
    if lead:
        return t[lead.end():] or None
    tokens = t.split()
    if len(tokens) < 3 or tokens[0].lower() not in _AUXILIARIES or re.search(r"\bor\b", t, re.I):
        return None
    if any(w.lower() in ("not", "no", "never") for w in tokens[1:3]):
        return None
    if _INDIRECT.search(t):
        return None  # "Can you tell me who led …?" asks who, not whether
    return " ".join(tokens[1:])


def is_generic(term: str) -> bool:
    """A term that says what kind of answer is wanted ("numbers", "position"), not what it is about."""
    return term in _GENERIC


def answer_values(sentence: str, qtype: str, exclude: set[str] | frozenset[str] = frozenset(),
                  ordinary: Ordinary | None = None) -> list[str]:
    """Candidate answers of ``qtype`` in a sentence, minus anything the question itself says.

    ``ordinary`` tells which words are ordinary words rather than names (learnt from the corpus by
    the answerer); without it, the sentence's own lower-case words are the evidence.
    """
    norm = normalize(sentence)
    if qtype in ("person", "place", "name"):
        norm = _without_spelled_out(norm, exclude)
    if qtype == "number":
        found = [m.group(0).strip().rstrip(".,") for m in _NUMBER.finditer(norm)]
        return [v for v in found if v and not (len(v) == 4 and _DATE.fullmatch(v))]  # a year is not a count
    if qtype == "date":
        return [m.group(0) for m in _DATE.finditer(norm)]
    if qtype == "person":
        return _names(norm, exclude, ordinary or ordinary_in(norm))
    if qtype == "place":
        out = []
        for m in _CAPS.finditer(norm):
            phrase = m.group(0)
            toks = [t for t in phrase.split() if stem(t.lower().strip("'’")) not in exclude
                    and t.lower() not in STOPWORDS]
            if not toks:
                continue
            if qtype == "place" and not _PLACE_HINT.intersection(
                    w.lower() for w in norm[max(0, m.start() - 12): m.start()].split()):
                if m.start() == 0:
                    continue
            out.append(" ".join(toks))
        return out
    if qtype == "name":
        return _org_names(norm, exclude, ordinary or ordinary_in(norm))
    if qtype == "statement":
        terms = {stem(w) for w in words(norm)}
        return ["speech"] if terms & _SPEECH or '"' in norm else []
    return ["any"]


_ACRONYM = re.compile(r"^([A-Z]{2,6})(?:['’]s)?$")
_NUMERAL = re.compile(r"(?<=[A-Z]{2})(?:I{1,3}|IV|V|[0-9])$")
_ROMAN = re.compile(r"[IVX]+")  # "II" of "World War II" is a numeral, not a word starting with I
_NAME_RUN = re.compile(r"[A-Z][\w\-]*(?:\s+(?:(?:of|and|for|the|on)\s+)?[A-Z0-9][\w\-]*)+")


def _spellings(letters: str, numeral: str, texts: Sequence[str]) -> dict[str, int]:
    """Capitalised runs of the texts whose initials are ``letters`` (then the word ``numeral``)."""
    counts: dict[str, int] = {}
    for text in texts:
        for run in _NAME_RUN.finditer(text):
            tokens = run.group(0).split()
            at = [k for k, w in enumerate(tokens) if w[:1].isupper() or w[:1].isdigit()]
            caps = [tokens[k] for k in at]
            for i in range(len(caps)):
                end = i + len(letters)
                if len(caps[i:end]) == len(letters) and not any(_ROMAN.fullmatch(w) for w in caps[i:end]) and \
                        "".join(w[0] for w in caps[i:end]).lower() == letters.lower() and \
                        caps[end:end + 1] == ([numeral] if numeral else []):
                    last = at[end if numeral else end - 1]
                    full = " ".join(tokens[at[i]:last + 1]).strip(",.;:")
                    counts[full] = counts.get(full, 0) + 1
    return counts


def spell_out(question: str, names: Sequence[str], texts: Sequence[str]) -> str:
    """The question with each acronym among ``names`` (names the corpus never writes) replaced by the
    name the passages spell it as: "WWII" → "World War II", "SP's" → "Scottish Parliament's" (the
    most frequent capitalised run whose initials, and closing numeral, spell it)."""
    for name in names:
        m = _ACRONYM.match(name)
        if not m:
            continue
        acronym = m.group(1)
        counts = _spellings(acronym, "", texts)
        num = _NUMERAL.search(acronym)
        if not counts and num:
            counts = _spellings(acronym[: num.start()], num.group(0), texts)
        if counts:
            full = max(counts, key=lambda k: (counts[k], k))
            question = re.sub(rf"\b{re.escape(acronym)}\b", full, question, count=1)
    return question


def _without_spelled_out(norm: str, exclude: set[str] | frozenset[str]) -> str:
    """The sentence less any name whose initials spell one of the question's words: "Nordic Grain
    Council (NGC)" is the question's own "NGC" written out, not an answer to "Who founded the NGC?"."""
    acronyms = {t for t in exclude if 2 <= len(t) <= 8 and t.isalpha()}
    if not acronyms:
        return norm
    for m in _CAPS.finditer(norm):
        caps = [w for w in m.group(0).split() if w[:1].isupper()]
        for i in range(len(caps)):
            for j in range(i + 2, len(caps) + 1):
                if "".join(w[0] for w in caps[i:j]).lower() in acronyms:
                    run = re.compile(r"\s+(?:\S+\s+)*?".join(re.escape(w) for w in (caps[i], caps[j - 1])))
                    norm = run.sub(lambda x: " " * len(x.group(0)), norm, count=1)
    return norm


def _org_names(norm: str, exclude: set[str] | frozenset[str], ordinary: Ordinary) -> list[str]:
    """Named organisations and groups: capitalised runs that hold no title ("Minister Anna Berg" is a
    person) and are not only places ("Northern Alliance" is a name), less ordinary words (an acronym
    such as "NATO" stays) and the question's own words. A name without a title is not told apart from
    a group's: the name detector takes "Seamen United" for a person."""
    out = []
    for m in _CAPS.finditer(norm):
        toks = [t.strip("'’.,()").removesuffix("'s").removesuffix("’s") for t in m.group(0).split()]
        if any(is_title(t) for t in toks[:-1]):
            continue  # a title before a name; "Hallberg Group" ends in one ("Group Captain") and stays
        toks = [t for t in toks if t and stem(t.lower()) not in exclude
                and t.lower() not in STOPWORDS and t.lower() not in _CALENDAR_WORDS
                and (t.isupper() and len(t) >= 2 or not ordinary(t.lower()))]
        first = m.start() == 0 and len(toks) == 1 and not toks[0].isupper() and not _rare(toks[0])
        if toks and not first and not all(is_place(t) for t in toks):
            out.append(" ".join(toks))
    return out


def _rare(word: str) -> bool:
    """A capitalised word that is not an ordinary English word (so, likely a name)."""
    return not known_word(word.lower().strip("'’."))


def _names(norm: str, exclude: set[str] | frozenset[str], ordinary: Ordinary) -> list[str]:
    """People's names: runs of two or more name words, or one after a title (:mod:`rag.text.names`)."""
    return person_names(norm, ordinary, rare=_rare, exclude=exclude)


_LEAD_WH = re.compile(r"\b(?:what|which|who|whom|whose|how|where|when|why)\b", re.I)
_BARE_WH = re.compile(r"when|who|whom|whose|where", re.I)
_WHO_IS = re.compile(r"^\s*(?i:who)\s+(?i:is|was|are|were)\s+(?:[A-Z][\w'’\-.]*\s*){1,5}\??\s*$")
_NEEDS_NAME = re.compile(r"\bwho\s+(?:leads?|led|heads?|headed|chairs?|chaired|runs?|ran|commands?|commanded)\b", re.I)
_WHO_IS_THE = re.compile(r"\bwho\s+(?:is|was)\s+the\s+((?:[\w'’\-]+\s+){0,4}[\w'’\-]+)", re.I)
#: Offices that nameparser's titles lack ("who is the head of ..." wants a person).
_OFFICES = frozenset("head chair chairman chairwoman chairperson spokesperson spokesman spokeswoman".split())


_WHO_VERB = re.compile(r"^\s*who\s+(?:(?:[a-z]+ly|first|also|then|later|once|still|ever|last)\s+)*([a-z]+)\b", re.I)


def who_predicate(question: str) -> str | None:
    """The stemmed verb a "who <verb> …?" question asks about ("Who first founded the league?" →
    "found"); None for "Who is/did/was …" and for other questions."""
    m = _WHO_VERB.match(question)
    if not m or m.group(1).lower() in _AUXILIARIES or m.group(1).lower() in STOPWORDS:
        return None
    return stem(m.group(1).lower())


def _wants_person(question: str) -> bool:
    """Whether a "who" question asks for a person by their office ("who is the deputy head of ...")."""
    if _NEEDS_NAME.search(question):
        return True
    m = _WHO_IS_THE.search(question)
    return bool(m) and any(is_title(w) or w.lower() in _OFFICES for w in re.split(r"[\s\-]+", m.group(1)))
_LIST = re.compile(r"(?:[A-Z][\w'’\-]+(?: [A-Z][\w'’\-]+)?,\s*){2,}(?:and\s+)?[A-Z][\w'’\-]+")
_CALENDAR = _CALENDAR_WORDS | frozenset("the this that these those it he she they we".split())


def _near(sentence: str, value: str, wanted: set[str], window: int = 6) -> bool:
    """Whether a question term stands within ``window`` words of where ``value`` occurs."""
    toks = words(sentence)
    vals = words(value)
    if not vals or not wanted:
        return not wanted
    for i in range(len(toks) - len(vals) + 1):
        if toks[i: i + len(vals)] == vals:
            around = toks[max(0, i - window): i] + toks[i + len(vals): i + len(vals) + window]
            if any(stem(x) in wanted for x in around):
                return True
    return False


def type_strength(sentence: str, q: Question, s: TypeStrength = TypeStrength(),
                  ordinary: Ordinary | None = None) -> float:
    """How well a sentence offers an answer of the asked type: 1 clearly, less loosely, 0 not at all.

    A value counts fully when it stands next to the question's own words ("1,000 ISIS militants" for
    "how many soldiers", "the other side was led by … Tomas Wirth" for "who led the other
    side"), less when it is elsewhere in the sentence. For "who", a person's name counts more than
    another named actor ("the Alliance", "Oslo"); for "which countries", a list more than one place.
    """
    if q.type in ("other", "reason"):
        return 1.0
    exclude = set(q.terms)
    wanted = set(q.terms)  # "140 people" answers "how many people died"
    values = answer_values(sentence, q.type, exclude=exclude, ordinary=ordinary)
    if q.type == "statement":
        return 1.0 if values else 0.0
    near = any(_near(sentence, v, wanted) for v in values[:8])
    if q.type == "person":
        if values:
            return s.near if near else s.person_far
        norm = normalize(sentence)
        actors = [m.group(0) for m in _CAPS.finditer(norm) if m.start() > 0
                  and sum(stem(t.lower().strip("'’")) in exclude or t.lower() in _CALENDAR
                          for t in m.group(0).split()) * 2 < len(m.group(0).split())
                  and not _PLACE_HINT.intersection(norm[max(0, m.start() - 6): m.start()].lower().split())
                  and not re.search(r"[A-Z]\w*\s+(?:to|of|for|on|and)\s+$", norm[max(0, m.start() - 30): m.start()])]
        if not actors or _wants_person(q.text):
            return 0.0  # "who leads X" wants a person, not another organisation
        return s.actor_near if any(_near(sentence, a, wanted) for a in actors[:8]) else s.actor_far
    if q.type == "place":
        if not values:
            return 0.0
        if _LIST.search(normalize(sentence)):
            return s.near  # a list of places ("Alma, Bern, Cork and Delft")
        return s.place_near if near else s.place_far
    if q.type == "number":
        return (s.near if near else s.number_far) if values else 0.0
    if q.type == "name" and values and _LIST.search(normalize(sentence)):
        return s.near  # a list of names ("the Harbour League, Seamen United and the Drivers Guild")
    return (s.near if near else s.value_far) if values else 0.0
