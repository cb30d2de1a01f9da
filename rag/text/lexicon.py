"""Words that may stand for one another: the forms of one word, and a small thesaurus of near-synonyms
common in news about politics and security.

Stemming makes "agreed" meet "agreement", but not "drew" meet "draw", "headed" meet "led" or
"fighters" meet "militants". The forms of a verb or noun that stem apart ("drew"/"draw",
"children"/"child") come from the lemma table of the ``lemminflect`` data package. The near-synonyms
are listed here: no model or package available offline separates them from the near misses a
question must not match (docs/eval.md, "term vectors for paraphrase" and "WordNet"). Each group is a
set of words that may stand for one another in a question; matching is by stem.
"""

from __future__ import annotations

from functools import lru_cache

from rag.text.normalize import stem
from rag.text.places import place_aliases

__all__ = ["variants", "GROUPS"]

GROUPS: tuple[tuple[str, ...], ...] = (
    # verbs (their other forms come from lemminflect: "led" meets "lead" and so "headed")
    ("begin", "start", "launch", "commence", "initiate"),
    ("draw", "attract"),
    ("lead", "head", "chair", "direct", "command"),
    ("hold", "host", "organise", "organize"),
    ("meet", "talks", "discuss"),
    ("give", "provide", "hand"),
    ("win", "victory"),
    ("fight", "combat", "battle", "counter"),
    ("leave", "depart", "withdraw"),
    ("think", "believe", "consider"),
    ("write", "tweet"),
    ("rise", "grow", "increase", "surge", "growth"),
    ("fall", "drop", "decline"),
    ("send", "deploy", "dispatch"),
    ("build", "construct", "establish", "found", "form", "create"),
    ("find", "discover"),
    ("keep", "maintain"),
    ("lose", "loss"),
    ("see", "view", "regard"),
    ("strike", "airstrike"),
    ("choose", "select", "elect"),
    # people and groups
    ("fighter", "militant", "insurgent", "combatant", "jihadist", "terrorist"),
    ("leader", "head", "chief", "chairman", "boss"),
    ("minister", "secretary"),
    ("country", "nation", "state"),
    ("group", "organisation", "organization", "outfit", "movement"),
    ("member", "include", "comprise", "consist"),
    ("official", "diplomat"),
    # events and things
    ("kill", "die", "dead", "death", "fatality", "casualty", "lives"),
    ("attack", "assault", "raid", "strike", "bombing"),
    ("attend", "participate", "join", "present"),
    ("agree", "agreement", "accord", "consensus"),
    ("threat", "danger", "risk", "menace"),
    ("border", "frontier", "boundary"),
    ("weapon", "arms", "armament"),
    ("aid", "assistance", "funding", "money", "sum", "dollars"),
    ("exercise", "drill", "training"),
    ("cooperation", "collaboration", "partnership"),
    ("concern", "worry", "alarm", "fear"),
    ("deny", "reject", "dismiss"),
    ("accuse", "blame", "allege"),
    ("big", "large", "huge", "major"),
    ("army", "military", "troops", "forces"),
)


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in GROUPS:
        stems = {stem(w) for w in group}
        for s in stems:
            index.setdefault(s, set()).update(stems)
    return {k: frozenset(v - {k}) for k, v in index.items()}


@lru_cache(maxsize=1)
def _forms() -> dict[str, frozenset[str]]:
    """Stems of the forms of one verb or noun that stemming keeps apart ("led"/"lead", "drew"/"draw",
    "children"/"child"), from the lemma table of the ``lemminflect`` data package (80,676 English
    word forms). Read once: 0.4 s."""
    import gzip
    from importlib import resources

    table = resources.files("lemminflect").joinpath("resources", "lemma_lu.csv.gz")
    pairs: dict[str, set[str]] = {}
    with gzip.open(table, "rt", encoding="utf-8") as fh:  # word,upos,lemma[/lemma…]
        for line in fh:
            word, pos, lemmas = line.rstrip("\n").split(",", 2)
            if pos not in ("verb", "noun") or not word.isalpha():
                continue
            w = stem(word.lower())
            for lemma in lemmas.split("/"):
                base = stem(lemma.lower())
                if base != w and lemma.isalpha():
                    pairs.setdefault(base, {base}).add(w)
    index: dict[str, set[str]] = {}
    for group in pairs.values():
        for s in group:
            index.setdefault(s, set()).update(group - {s})
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=50_000)
def variants(term: str) -> frozenset[str]:
    """Stems that may stand for the stemmed ``term``: its other word forms ("led" for "lead"), its
    thesaurus group and theirs, and the other words for the same country
    (:func:`rag.text.places.place_aliases`); empty when none knows it."""
    forms, groups = _forms(), _index()
    base = {term} | forms.get(term, frozenset())
    near = {g for b in base for g in groups.get(b, ())}
    near |= {f for g in near for f in forms.get(g, ())}
    return frozenset((base | near) - {term}) | place_aliases(term)
