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
from functools import lru_cache
from typing import NamedTuple

from rag.records import Support
from rag.text.marks import strip_markers
from rag.text.names import close_name
from rag.text.normalize import normalize, stem
from rag.text.opposites import OPPOSITES
from rag.text.vocabulary import (
    ATTRIBUTION,
    MONTHS,
    NEGATIONS,
    SCALE_WORDS,
    SPEECH_VERBS,
    STOPWORDS,
    number_value,
)

__all__ = ["lexical_support", "PARAPHRASE_THRESHOLD"]

#: Share of a sentence's content words that must occur in the passage window for a paraphrase.
PARAPHRASE_THRESHOLD = 0.75
_WINDOW = 3  # passage sentences a paraphrase may draw on
_MIN_GLUED_CHARS = 16  # despaced containment below this length is too easy to hit by chance

#: Words that carry no claim of their own: function words, and the verbs and phrases that only say who
#: said it (a paraphrase may change "said" to "stated").
_STOP = STOPWORDS | SPEECH_VERBS | ATTRIBUTION
_SCALE = frozenset(SCALE_WORDS) | {"percent"}
#: "not only", "not just", "not merely", "not least": the cue before them affirms, it does not negate.
_NOT_ONLY = frozenset("only just merely simply solely least".split())
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*(?:\s+|(?=[A-Z\"]))")
_BREAK = re.compile(r"[,;:()\[\]\"]")
_PAREN = re.compile(r"([A-Z][\w'\-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'\-]*)*)\s*\(([^()]{2,60})\)")


def _normalise(text: str) -> str:
    return normalize(text)


def _loose(text: str) -> str:
    """Lower case, punctuation dropped, single spaces, padded: for containment on word boundaries."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


_stem = stem


def _number_key(raw: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    return raw.rstrip(".,")


class _Token(NamedTuple):
    word: str  # lower case
    cased: str


def _tokens(text: str) -> list[_Token]:
    """Word tokens with possessives and camel-case glue ("TheUN", "ABCSecretary") split off."""
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"n't\b", " nt", text)
    parts = [p for piece in _WORD.findall(text) for p in _CAMEL.split(piece) if p]
    return [_Token(MONTHS.get(p.lower(), p.lower()), p) for p in parts]


def _numbers(text: str, tokens: list[_Token]) -> dict[str, str]:
    """Numbers by normalised key ("70,000" and "70000" -> "70000"; "two" -> "2"), mapped to how they read."""
    found = {_number_key(m.group()): m.group().rstrip(".,") for m in _NUMBER.finditer(text)}
    for t in tokens:
        value = number_value(t.word)
        if value is not None:
            found.setdefault(str(value), t.cased)
    return found


def _negation_scopes(tokens: list[_Token]) -> list[frozenset[str]]:
    """For each negation cue, the stems of the next three content words (its scope). Two cues in a
    row ("not without its critics") cancel out: that is an affirmation, and so is "not only … but"
    ("a risk not only to members but to the region" says there is a risk to members)."""
    scopes = []
    skip = False
    for i, t in enumerate(tokens):
        if skip:
            skip = False
            continue
        if t.word in NEGATIONS:
            following = tokens[i + 1].word if i + 1 < len(tokens) else ""
            if following in _NOT_ONLY:
                continue
            if following in NEGATIONS:
                skip = True
                continue
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
    acronyms: frozenset[str]  # of its spelled-out names, and the other names the passage gives them
    numbers: frozenset[str]
    negations: tuple[frozenset[str], ...]
    loose: str
    subject: str  # its first word when that is a name ("Berg acknowledged ...")


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
    return loose, despaced, _with_aliases(norm, tuple(sents))


def _aliases(text: str) -> list[frozenset[str]]:
    """Names the text itself gives two ways: "Northern Trade Union (NTU)", "the NTU (Northern ...)"."""
    groups = []
    for m in _PAREN.finditer(text):
        outer, inner = _loose(m.group(1)).strip(), _loose(m.group(2)).strip()
        if outer and inner and outer != inner:
            groups.append(frozenset({outer, inner}))
    return groups


def _with_aliases(text: str, sents: tuple[_PassageSentence, ...]) -> tuple[_PassageSentence, ...]:
    """Each sentence also answers to the one-word aliases, in the passage, of the names it uses."""
    groups = _aliases(text)
    if not groups:
        return sents
    out = []
    for s in sents:
        extra = {w for g in groups if any(f" {a} " in s.loose for a in g) for w in g if " " not in w}
        out.append(s._replace(acronyms=s.acronyms | extra) if extra else s)
    return tuple(out)


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


def _present(word: str, sent: _PassageSentence, entity: bool) -> bool:
    stem = _stem(word)
    if word in sent.words or stem in sent.words or word in sent.acronyms:
        return True
    if _glued_in(word, stem, sent.glued):
        return True
    return entity and len(word) >= 4 and any(close_name(word, w) for w in sent.words if len(w) >= 4)


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


def _claim(sentence: str, toks: list[_Token], sents: tuple[_PassageSentence, ...]
           ) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """The sentence's content words, its names, and what must all be in the passage (numbers, names,
    scale words)."""
    # Words of a spelled-out name whose acronym the passage uses ("Northern Trade Union ..." / "NTU").
    spelled = {
        w for acr, run in _acronym_runs(sentence).items() if any(acr in s.glued for s in sents) for w in run
    }
    content: list[str] = []
    names: list[str] = []
    required = [("number", key, shown) for key, shown in _numbers(sentence, toks).items()]
    for t in toks:
        w = t.word
        if any(c.isdigit() for c in w) or number_value(w) is not None or w in spelled:
            continue
        if w in _SCALE:
            required.append(("word", w, t.cased))
        elif t.cased[:1].isupper() and w not in _STOP:
            required.append(("name", w, t.cased))
            names.append(w)
        if w not in _STOP and len(w) > 1:
            content.append(w)
    return list(dict.fromkeys(content)), names, list(dict.fromkeys(required))


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
    content, names, required = _claim(sentence, toks, sents)
    if not content and not required:
        return Support(False, 0.0, "no content words")
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
        opposites = OPPOSITES.get(_stem(t.word))
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
        if t.word in names and any(u.word in SPEECH_VERBS for u in toks[i + 1 : i + 3])
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
