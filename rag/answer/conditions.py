"""Questions of several conditions: "Which company built the dam and is accused of fraud?"

Each condition is read as a question of its own ("Which company built the dam?", "Which company is
accused of fraud?"), retrieved and scored on its own; when one name answers every condition — in
sentences of one document or of several — the answer is that name, then one cited sentence per
condition. When no name answers them all, the question is answered (or refused) as a whole.
"""

from __future__ import annotations

import re

from rag.answer.question import NAMED_KINDS
from rag.text.names import close_name

__all__ = ["split_conditions", "same_name"]

#: Nouns after "which"/"what" that ask for a person or a place (the organisations are NAMED_KINDS).
_PERSON_PLACE = ("people", "persons?", "officials?", "ministers?", "leaders?", "presidents?", "m[ae]n", "wom[ae]n",
                 "countr(?:y|ies)", "cit(?:y|ies)", "regions?", "states?", "provinces?", "towns?")
_HEAD = re.compile(r"^\s*((?:who|(?:which|what)\s+(?:[\w\-]+\s+){0,2}?(?:" + "|".join(NAMED_KINDS + _PERSON_PLACE)
                   + r")))\s+(.+?)[\s?.!]*$", re.I)
#: "and"/"but" before a verb phrase: "… built the dam and is accused of …", "… and later resigned".
_JOIN = re.compile(r"\s*,?\s+(?:and|but)\s+(?:also\s+)?(?=(?:is|was|are|were|has|had|have|did|does|do|also|later|"
                   r"then|now|once|still|\w+ed)\b)", re.I)


def split_conditions(question: str) -> tuple[str, ...] | None:
    """The question once per condition, or None when it has only one (or asks for no name)."""
    m = _HEAD.match(question)
    if not m:
        return None
    head, rest = m.group(1), m.group(2)
    parts = [p.strip(" ,") for p in _JOIN.split(rest)]
    parts = [p for p in parts if len(re.findall(r"[A-Za-z]{3,}", p)) >= 2]
    if not 2 <= len(parts) <= 3:
        return None
    aux = re.match(r"(?:is|was|are|were|has been|had been|have been)\b", parts[0], re.I)
    if aux:  # "… was founded by X and acquired by Y": the second condition is "was acquired by Y"
        parts = [parts[0]] + [p if re.match(r"(?:is|was|are|were|has|had|have)\b", p, re.I) or not re.match(r"\w+ed\b", p)
                              else f"{aux.group(0)} {p}" for p in parts[1:]]
    return tuple(f"{head} {p}?" for p in parts)


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[\w\-]+", name.lower()) if len(w) >= 3]


def same_name(a: str, b: str) -> bool:
    """Two mentions of one name: equal, one within the other ("Hallberg" in "Hallberg Steel AB"), or
    with last (and first) words spelt a letter apart ("Sergey Berg"/"Sergei Berg")."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    short, long_ = sorted((wa, wb), key=len)
    if all(w in long_ for w in short) and any(len(w) >= 4 for w in short):
        return True
    return (len(wa[-1]) >= 4 and close_name(wa[-1], wb[-1])
            and (len(wa) == 1 or len(wb) == 1 or close_name(wa[0], wb[0])))
