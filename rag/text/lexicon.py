"""A small thesaurus: irregular verb forms and near-synonyms common in news about politics and security.

Stemming makes "agreed" meet "agreement", but not "drew" meet "draw", "headed" meet "led" or
"fighters" meet "militants". Without a model that knows words, these groups let a question in other
words still find, and be checked against, the sentence that answers it. Each group is a set of words
that may stand for one another in a question; matching is by stem.
"""

from __future__ import annotations

from functools import lru_cache

from rag.text.normalize import stem
from rag.text.places import place_aliases

__all__ = ["variants", "GROUPS"]

GROUPS: tuple[tuple[str, ...], ...] = (
    # irregular verbs (present, past, participle)
    ("begin", "began", "begun", "start", "started", "launch", "launched", "commence", "initiate"),
    ("draw", "drew", "drawn", "attract", "attracted"),
    ("lead", "led", "head", "headed", "chair", "chaired", "direct", "directed", "command", "commanded"),
    ("hold", "held", "host", "hosted", "organise", "organize", "organised", "organized"),
    ("meet", "met", "meeting", "talks", "discuss", "discussion", "discussions"),
    ("take", "took", "taken"),
    ("give", "gave", "given", "provide", "provided", "hand", "handed"),
    ("make", "made"),
    ("win", "won", "victory"),
    ("fight", "fought", "combat", "combating", "battle", "battling", "counter", "countering"),
    ("seek", "sought"),
    ("leave", "left", "depart", "departed", "withdraw", "withdrew"),
    ("bring", "brought"),
    ("think", "thought", "believe", "believed", "consider", "considered"),
    ("know", "knew", "known"),
    ("write", "wrote", "written", "tweet", "tweeted"),
    ("speak", "spoke", "spoken"),
    ("rise", "rose", "risen", "grow", "grew", "grown", "increase", "increased", "surge", "growth"),
    ("fall", "fell", "fallen", "drop", "dropped", "decline", "declined"),
    ("send", "sent", "deploy", "deployed", "dispatch", "dispatched"),
    ("spend", "spent"),
    ("build", "built", "construct", "constructed", "establish", "established", "found", "founded", "form", "formed", "create", "created"),
    ("find", "found", "discover", "discovered"),
    ("keep", "kept", "maintain", "maintained"),
    ("lose", "lost", "loss", "losses"),
    ("pay", "paid"),
    ("run", "ran"),
    ("see", "saw", "seen", "view", "regard", "regarded"),
    ("stand", "stood"),
    ("strike", "struck", "airstrike", "airstrikes"),
    ("choose", "chose", "chosen", "select", "selected", "elect", "elected"),
    # people and groups
    ("fighter", "fighters", "militant", "militants", "insurgent", "insurgents", "combatant", "combatants",
     "jihadist", "jihadists", "terrorist", "terrorists"),
    ("leader", "head", "chief", "chairman", "boss"),
    ("minister", "secretary"),
    ("country", "countries", "nation", "nations", "state", "states"),
    ("group", "organisation", "organization", "outfit", "movement"),
    ("member", "members", "include", "includes", "comprise", "comprising", "consist"),
    ("official", "officials", "diplomat", "diplomats"),
    # events and things
    ("kill", "killed", "die", "died", "dead", "death", "deaths", "fatality", "fatalities", "casualty", "casualties", "lives"),
    ("attack", "attacks", "assault", "raid", "strike", "bombing"),
    ("attend", "attended", "participate", "participated", "join", "joined", "present"),
    ("agree", "agreed", "agreement", "accord", "consensus"),
    ("threat", "threats", "danger", "risk", "risks", "menace"),
    ("border", "borders", "frontier", "frontiers", "boundary"),
    ("weapon", "weapons", "arms", "armament"),
    ("aid", "assistance", "funding", "money", "sum", "dollars"),
    ("exercise", "exercises", "drill", "drills", "training", "trainings"),
    ("cooperation", "cooperate", "collaboration", "collaborate", "partnership"),
    ("concern", "concerns", "worry", "worries", "alarm", "alarmed", "fear", "fears"),
    ("deny", "denied", "denies", "reject", "rejected", "dismiss", "dismissed"),
    ("accuse", "accused", "blame", "blamed", "allege", "alleged", "allegations"),
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


def variants(term: str) -> frozenset[str]:
    """Stems that may stand for the stemmed ``term``: its thesaurus group, and the other words for the
    same country (:func:`rag.text.places.place_aliases`); empty when neither knows it."""
    return _index().get(term, frozenset()) | place_aliases(term)
