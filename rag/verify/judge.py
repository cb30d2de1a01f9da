"""Does a passage support a sentence?  An offline, model-free judge used on every answer sentence.

The extractive answerer, the LLM verifier and the eval all call :func:`supports`, so "supported"
means the same thing everywhere.  The rules, in order:

1. **Exact quote** — the sentence (case, quotes, dashes and spacing normalised) occurs in the passage.
2. **Glued text** — some corpus files lost the spaces at former line breaks ("withPakistan’s"); the
   sentence still counts as a quote when it occurs in the passage with all spacing removed.
3. **Paraphrase** — inside a window of at most three consecutive passage sentences, enough of the
   sentence's content words (stemmed) occur, *and* every number, scale word ("billion"), weekday,
   month and name of the sentence occurs, *and* no negation was added or dropped.  A changed number,
   a swapped name or a flipped negation is the commonest hallucination, so each one fails outright.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import Stemmer

from rag.records import Support
from rag.text.marks import strip_markers

__all__ = ["lexical_support", "PARAPHRASE_THRESHOLD"]

_stemmer = Stemmer.Stemmer("english")

#: Share of a sentence's content words that must occur in the passage window for a paraphrase.
PARAPHRASE_THRESHOLD = 0.75
_WINDOW = 3  # passage sentences a paraphrase may draw on
_MIN_GLUED_CHARS = 16  # despaced containment below this length is too easy to hit by chance

_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either even ever every few for
    from further had has have having he her here hers herself him himself his how however i if in into is it
    its itself just last least less let like may me might more most much must my myself neither nor now of
    off on once one only or other others our ours ourselves out over own per same shall she should since so
    some such than that the their theirs them themselves then there these they this those though through
    thus to too under until up upon us very many via was we were what when where whether which while who whom
    whose why will with within would yet you your yours yourself yourselves said says say saying stated
    states told tells noted notes added adds according mentioned reported reports remarked""".split()
)
# Cues that flip a statement; each negates the few content words after it.
_NEGATION = frozenset("not no never none nobody nothing neither nor without cannot nt".split())
_REPORTING = frozenset(
    """said says say told tells stated states noted notes added adds warned warns claimed claims argued
    argues stressed stresses emphasized emphasised emphasizes highlighted highlights pointed described
    describes accused accuses insisted insists announced announces acknowledged acknowledges explained
    responded urged asserted asserts remarked believes believed""".split()
)
_ANTONYM_PAIRS = (
    "major minor|increase decrease|increased decreased|increasing decreasing|rise fall|more less|more fewer|"
    "strengthen weaken|strengthened weakened|high low|higher lower|before after|accept reject|"
    "accepted rejected|confirm deny|confirmed denied|support oppose|supported opposed|agree disagree|"
    "agreed disagreed|north south|east west|northern southern|eastern western|northward southward|"
    "largest smallest|growing shrinking|above below|win lose|success failure|ally enemy|allies enemies|"
    "weak strong|stronger weaker|new old|ended began|end begin|lift impose|lifted imposed|accept deny|"
    "admit deny|acknowledge deny|confirm reject|admit reject|praise criticize|praise condemn"
)
_ANTONYMS: dict[str, set[str]] = {}
for _pair in _ANTONYM_PAIRS.split("|"):
    _x, _y = _pair.split()
    _x, _y = _stemmer.stemWord(_x), _stemmer.stemWord(_y)
    _ANTONYMS.setdefault(_x, set()).add(_y)
    _ANTONYMS.setdefault(_y, set()).add(_x)
_SCALE = frozenset("hundred thousand million billion trillion percent".split())
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update({w: str(10 * i) for i, w in enumerate("x x thirty forty fifty sixty seventy eighty ninety".split()) if i >= 3})
_ORDINALS = {
    w: str(i + 1)
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
    )
}
# A few names the corpus uses interchangeably; acronyms of capitalised runs are derived automatically.
_ALIASES = (
    frozenset({"isis", "daesh", "isil", "islamic state"}),
    frozenset({"us", "usa", "united states", "u.s", "washington"}),
    frozenset({"un", "united nations"}),
    frozenset({"ttp", "pakistani taliban"}),
    frozenset({"iskp", "isis-k", "isisk"}),
)

_TRANSLATE = str.maketrans(
    {**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`", "'"), **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
     **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"), "\u00a0": " ", "\u2026": "..."}
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*(?:\s+|(?=[A-Z\"]))")
_BREAK = re.compile(r"[,;:()\[\]\"]")
_MONTHS = {m[:3]: m[:3] for m in "january february march april june july august september october november december".split()}
_MONTHS.update({m: m[:3] for m in "january february march april june july august september sept october november december".split()})


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.split())


def _loose(text: str) -> str:
    """Lower case, punctuation dropped, single spaces, padded: for containment on word boundaries."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _number_key(raw: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    return raw.rstrip(".,")


class _Token(NamedTuple):
    word: str  # lower case
    cased: str


def _tokens(text: str) -> list[_Token]:
    """Word tokens with possessives and camel-case glue ("TheUN", "CSTOSecretary") split off."""
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"n't\b", " nt", text)
    parts = [p for piece in _WORD.findall(text) for p in _CAMEL.split(piece) if p]
    return [_Token(_MONTHS.get(p.lower(), p.lower()), p) for p in parts]


def _numbers(text: str, tokens: list[_Token]) -> dict[str, str]:
    """Numbers by normalised key ("70,000" and "70000" -> "70000"; "two" -> "2"), mapped to how they read."""
    found = {_number_key(m.group()): m.group().rstrip(".,") for m in _NUMBER.finditer(text)}
    for t in tokens:
        key = _NUMBER_WORDS.get(t.word) or _ORDINALS.get(t.word)
        if key:
            found.setdefault(key, t.cased)
    return found


def _negation_scopes(tokens: list[_Token]) -> list[frozenset[str]]:
    """For each negation cue, the stems of the next three content words (its scope)."""
    scopes = []
    for i, t in enumerate(tokens):
        if t.word in _NEGATION:
            scope = [_stem(u.word) for u in tokens[i + 1 : i + 7] if u.word not in _STOP]
            scopes.append(frozenset(scope[:3]))
    return scopes


def _acronym_runs(text: str) -> dict[str, tuple[str, ...]]:
    """Runs of capitalised words by acronym: "Collective Security Treaty Organization" -> "csto"."""
    found: dict[str, tuple[str, ...]] = {}
    run: list[_Token] = []
    for t in [tok for chunk in _BREAK.split(text) for tok in _tokens(chunk) + [_Token("", "")]]:
        if t.cased[:1].isupper() and not t.cased.isupper() and t.word not in _STOP:
            run.append(t)
        elif t.word in {"of", "e", "the", "and"} and run:
            continue
        else:
            if len(run) >= 2:
                found["".join(r.word[0] for r in run)] = tuple(r.word for r in run)
            run = []
    return found


class _PassageSentence(NamedTuple):
    words: frozenset[str]  # lower-case words and their stems
    glued: tuple[str, ...]  # lower-case tokens as written, for glue-aware lookups
    acronyms: frozenset[str]  # of its spelled-out names
    numbers: frozenset[str]
    negations: tuple[frozenset[str], ...]
    loose: str
    subject: str  # its first word when that is a name ("Lavrov acknowledged ...")


@lru_cache(maxsize=512)
def _analyse(passage: str) -> tuple[str, str, tuple[_PassageSentence, ...]]:
    norm = _normalise(passage)
    loose = _loose(norm)
    despaced = re.sub(r"[\W_]+", "", norm.lower())
    sents = []
    for part in _SENT_END.split(norm):
        if not part.strip():
            continue
        toks = _tokens(part)
        words = {t.word for t in toks} | {_stem(t.word) for t in toks}
        first = toks[0] if toks else _Token("", "")
        sents.append(
            _PassageSentence(
                frozenset(words),
                tuple(t.word for t in toks),
                frozenset(_acronym_runs(part)),
                frozenset(_numbers(part, toks)),
                tuple(_negation_scopes(toks)),
                _loose(part),
                first.word if first.cased[:1].isupper() and first.word not in _STOP else "",
            )
        )
    return loose, despaced, tuple(sents)


def _plausible_word(piece: str) -> bool:
    return piece in _STOP or len(piece) >= 4


def _glued_in(word: str, stem: str, glued: tuple[str, ...]) -> bool:
    """True if ``word`` is one half of a two-word glued token ("recentstatements", "afghanistanas")."""
    if len(stem) < 4:
        return False
    for tok in glued:
        if len(tok) < len(stem) + 2 or stem not in tok:
            continue
        if tok.startswith(stem) and any(_plausible_word(tok[len(stem) + k :]) for k in range(4)):
            return True
        idx = tok.rfind(stem)
        if idx > 0 and len(tok) - idx - len(stem) <= 3 and _plausible_word(tok[:idx]):
            return True
    return False


def _close_name(word: str, words: frozenset[str]) -> bool:
    """Variants of a name: demonyms ("Russia"/"Russian", "Pakistan"/"Pakistani") and spellings
    one letter apart ("Sergey"/"Sergei")."""
    if len(word) < 4:
        return False
    for w in words:
        if len(w) >= 4 and (w.startswith(word) or word.startswith(w)) and abs(len(w) - len(word)) <= 2:
            return True
        if len(word) >= 6 and len(w) == len(word) and w[0] == word[0]:
            if sum(a != b for a, b in zip(w, word)) == 1:
                return True
    return False


def _present(word: str, sent: _PassageSentence, entity: bool) -> bool:
    stem = _stem(word)
    if word in sent.words or stem in sent.words or word in sent.acronyms:
        return True
    for group in _ALIASES:
        if word in group and any(a in sent.words or f" {a} " in sent.loose for a in group):
            return True
    if _glued_in(word, stem, sent.glued):
        return True
    return entity and _close_name(word, sent.words)


def _first_conflict(items: list[tuple[str, str, str]], window: tuple[_PassageSentence, ...]) -> str:
    """The first number, name or scale word of the sentence that the window lacks ('' if none)."""
    numbers = set().union(*(s.numbers for s in window))
    for kind, key, shown in items:
        if kind == "number":
            if key not in numbers:
                return f"number {shown} not in passage"
        elif not any(_present(key, s, True) for s in window):
            return f"{kind} '{shown}' not in passage"
    return ""


def lexical_support(passage: str, sentence: str) -> Support:
    """Whether the words of ``passage`` support ``sentence``; see the module docstring for the rules."""
    sentence = _normalise(strip_markers(sentence or ""))
    if not sentence or not (passage or "").strip():
        return Support(False, 0.0, "empty sentence" if not sentence else "empty passage")
    loose_passage, despaced_passage, sents = _analyse(passage)
    loose_sentence = _loose(sentence)
    if loose_sentence.strip() and loose_sentence in loose_passage:
        return Support(True, 1.0, "exact quote")
    despaced = loose_sentence.replace(" ", "")
    if len(despaced) >= _MIN_GLUED_CHARS and despaced in despaced_passage:
        return Support(True, 1.0, "exact quote (ignoring spacing)")

    toks = _tokens(sentence)
    # Words of a spelled-out name whose acronym the passage uses ("Collective Security ..." / "CSTO").
    spelled = {
        w for acr, run in _acronym_runs(sentence).items() if any(acr in s.glued for s in sents) for w in run
    }
    content: list[str] = []
    names: list[str] = []
    required = [("number", key, shown) for key, shown in _numbers(sentence, toks).items()]
    for t in toks:
        w = t.word
        if any(c.isdigit() for c in w) or w in _NUMBER_WORDS or w in _ORDINALS or w in spelled:
            continue
        if w in _SCALE:
            required.append(("word", w, t.cased))
        elif t.cased[:1].isupper() and w not in _STOP:
            required.append(("name", w, t.cased))
            names.append(w)
        if w not in _STOP and len(w) > 1:
            content.append(w)
    if not content and not required:
        return Support(False, 0.0, "no content words")
    required = list(dict.fromkeys(required))
    content = list(dict.fromkeys(content))
    hits = [[_present(w, s, False) for s in sents] for w in content]
    sent_negs = _negation_scopes(toks)

    best = (False, -1.0, False, "")
    for size in range(1, min(_WINDOW, len(sents)) + 1):
        for start in range(0, len(sents) - size + 1):
            window = sents[start : start + size]
            cover = sum(any(h[start : start + size]) for h in hits) / len(content) if content else 1.0
            conflict = (
                _first_conflict(required, window)
                or _negation_conflict(sent_negs, window, content)
                or _antonym_conflict(toks, window)
            )
            ok = not conflict and cover >= PARAPHRASE_THRESHOLD
            if (ok, cover, not conflict) > best[:3]:
                best = (ok, cover, not conflict, conflict)
    ok, cover, _, conflict = best
    if ok:
        conflict = _speaker_conflict(toks, content, names, hits, sents)
        ok = not conflict
    if ok:
        reason = f"paraphrase: {cover:.2f} of content words"
    else:
        reason = conflict or f"only {cover:.2f} of content words in passage"
    return Support(ok, round(max(cover, 0.0), 4), reason)


def _antonym_conflict(toks: list[_Token], window: tuple[_PassageSentence, ...]) -> str:
    """A word of the sentence whose opposite, not itself, is in the passage ("minor" vs "major")."""
    for t in toks:
        opposites = _ANTONYMS.get(_stem(t.word))
        if opposites and not any(_present(t.word, s, False) for s in window):
            for o in opposites:
                if any(o in s.words for s in window):
                    return f"'{t.cased}' but passage says '{o}'"
    return ""


def _speaker_conflict(
    toks: list[_Token], content: list[str], names: list[str], hits: list[list[bool]], sents
) -> str:
    """Who said it: a name right before "said"/"told"/... must be in the passage sentence that best
    matches the claim, or in the one before it (quotes and pronouns are often introduced there)."""
    speakers = [
        t.cased
        for i, t in enumerate(toks)
        if t.word in names and any(u.word in _REPORTING for u in toks[i + 1 : i + 3])
    ]
    if len(sents) < 2 or not speakers:
        return ""
    claim = [h for w, h in zip(content, hits) if w not in names]
    if not claim:
        return ""
    scores = [sum(h[i] for h in claim) for i in range(len(sents))]
    top = max(scores)
    anchors = [i for i, sc in enumerate(scores) if sc == top]
    for speaker in speakers:
        word = speaker.lower()
        # The sentence before may introduce the speaker, unless the claim's sentence names its own.
        places = {j for i in anchors for j in (i - 1, i) if j == i or (j >= 0 and sents[i].subject in ("", word))}
        if not any(_present(word, sents[j], True) for j in places):
            return f"'{speaker}' is not who said this in the passage"
    return ""


def _negation_conflict(
    sent_negs: list[frozenset[str]], window: tuple[_PassageSentence, ...], content: list[str]
) -> str:
    """A negation the sentence adds, or one of the passage's that the sentence drops."""
    passage_negs = [scope for s in window for scope in s.negations]
    if sent_negs and not passage_negs:
        return "negation not in passage"
    stems = {_stem(w) for w in content}
    for scope in passage_negs:
        if scope and len(scope & stems) >= min(2, len(scope)) and not sent_negs:
            return "passage negates it"
    return ""
