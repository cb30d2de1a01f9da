"""The one meaning of "supported": what the extractive answers, the LLM verifier and the eval all use.

A passage supports a sentence when the judge's rules (:mod:`rag.verify.judge`: a quote, or a
paraphrase whose numbers, names and negations all agree) hold on the passage *minus* any sentence
that addresses an assistant, and no person of the sentence stands in another person's role
(:mod:`rag.verify.guards`).
"""

from __future__ import annotations

from functools import lru_cache

from rag.records import Support
from rag.text.sentences import split_sentences
from rag.verify.guards import is_instruction, role_conflict
from rag.verify.judge import lexical_support

__all__ = ["supports"]


@lru_cache(maxsize=2048)
def _evidence(passage: str) -> str:
    """The passage without the sentences that instruct rather than state ('' if nothing is left)."""
    parts = [passage[a:b] for a, b in split_sentences(passage)]
    kept = [p for p in parts if not is_instruction(p)]
    return passage if len(kept) == len(parts) else " ".join(kept)


def supports(passage: str, sentence: str) -> Support:
    """Whether ``passage`` supports ``sentence``: ``Support(supported, score 0..1, reason)``."""
    evidence = _evidence(passage or "")
    if (passage or "").strip() and not evidence.strip():
        return Support(False, 0.0, "the passage only instructs, it states nothing")
    verdict = lexical_support(evidence, sentence)
    if verdict.supported:
        conflict = role_conflict(evidence, sentence, evidence)
        if conflict:
            return Support(False, verdict.score, conflict)
    return verdict
