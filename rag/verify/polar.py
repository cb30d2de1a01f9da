"""Yes or no: whether a cited sentence states a yes/no question's claim, or states the opposite.

The same judge that checks every answer sentence decides (:func:`rag.verify.support.supports`), so a
"Yes" means exactly what "supported" means elsewhere. "No" needs more than a missing word: the
evidence must negate the claim ("The envoy did not sign the accord" against "the envoy signed the
accord") or support the claim with one word turned into its opposite ("Pakistan rejected the
accusations" against "Pakistan accepted the accusations"). A different number or date is *not* a
"No" ("established in 2002" does not say it was not also something in 1999), and a claim the
evidence only reports someone asserting gets no verdict: the answer then shows the evidence alone.
"""

from __future__ import annotations

import re

from rag.records import Verdict
from rag.text.normalize import stem, words
from rag.text.vocabulary import ATTRIBUTION, SPEECH_VERBS
from rag.text.opposites import antonyms
from rag.verify.judge import PARAPHRASE_THRESHOLD
from rag.verify.support import supports

__all__ = ["claim_verdict"]

_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_REPORTING = frozenset(stem(w) for w in SPEECH_VERBS | ATTRIBUTION if " " not in w)


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def _reported(evidence: str, claim: str) -> bool:
    """The evidence attributes what it says to someone ("X asserts that …", "according to …"), by a
    reporting word the claim itself does not use ("Did the ministry deny …?" asks about the denial)."""
    return bool(_stems(evidence) & _REPORTING - _stems(claim))


def _flipped(claim: str) -> list[tuple[str, str, str]]:
    """``(variant, word, opposite)``: the claim with one word replaced by one of its opposites."""
    out = []
    for m in _WORD.finditer(claim):
        for opposite in antonyms(m.group(0)):
            out.append((claim[: m.start()] + opposite + claim[m.end():], m.group(0), opposite))
    return out


def _decide(evidence: str, claim: str, reported_ok: bool) -> Verdict | None:
    direct = supports(evidence, claim)
    if reported_ok or not _reported(evidence, claim):
        if direct.supported:
            return Verdict("yes", direct.reason)
        if direct.reason == "passage negates it" and direct.score >= PARAPHRASE_THRESHOLD:
            return Verdict("no", "the cited sentence negates it")
    stems = _stems(evidence)
    for variant, word, opposite in _flipped(claim):
        if stem(opposite) not in stems:
            continue  # the opposite must be said, not just the rest of the claim
        if (reported_ok or not _reported(evidence, variant)) and supports(evidence, variant).supported:
            return Verdict("no", f"the cited sentence says '{opposite}', not '{word}'")
    return None


def claim_verdict(sentence: str, claim: str, *, reported_ok: bool = False) -> Verdict | None:
    """``Verdict("yes")`` when ``sentence`` states ``claim``, ``Verdict("no")`` when it negates it or
    states its opposite, None when it does neither — or when the sentence only reports someone
    saying so, unless ``reported_ok`` (the question itself asks what someone said). The sentence is
    read alone: a verdict rests on the sentence that is cited, never on its neighbours."""
    if not claim.strip() or not sentence.strip():
        return None
    return _decide(sentence, claim, reported_ok)
