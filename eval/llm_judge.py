"""Optional second opinion: an LLM judges each answer sentence against its cited passages.

Reported beside, never instead of, ``rag.supports``: the share the LLM finds supported and how
often the two judges agree.  Any LlamaIndex ``LLM`` works (``rag.resolve_llm(SPEC)``); a
backend failure ends the LLM judge with a note, not the eval.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

from rag import RagError

__all__ = ["PROMPT", "parse_verdict", "llm_judge_answers"]

PROMPT = """You check whether a sentence is supported by source passages.
Passages:
{passages}

Sentence: {sentence}

Is every claim in the sentence (names, numbers, who said what) stated in the passages?
Reply with one word: yes or no."""


def parse_verdict(reply: str) -> bool | None:
    """``True`` for yes, ``False`` for no, ``None`` when the reply is neither."""
    match = re.search(r"\b(yes|no)\b", reply.strip().lower())
    return None if match is None else match.group(1) == "yes"


def llm_judge_answers(
    llm: Any, answers: Sequence[Mapping], cited_text: Callable[[Mapping], str], judge: Callable, name: str = ""
) -> dict:
    """Ask ``llm`` about every sentence of every non-abstained answer."""
    judged = supported = agree = unclear = 0
    note = ""
    for answer in answers:
        if answer.get("abstained"):
            continue
        by_n = {c.get("n"): c for c in answer.get("citations") or []}
        for sentence in answer.get("sentences") or []:
            texts = [cited_text(by_n[n]) for n in sentence.get("citations", []) if n in by_n]
            if not texts:
                continue
            prompt = PROMPT.format(passages="\n\n".join(f"- {t}" for t in texts), sentence=sentence["text"])
            try:
                verdict = parse_verdict(str(llm.complete(prompt).text))
            except (RagError, OSError, RuntimeError, ValueError) as exc:
                note = f"LLM judge stopped: {exc}"
                break
            if verdict is None:
                unclear += 1
                continue
            judged += 1
            supported += verdict
            agree += verdict == bool(judge("\n\n".join(texts), sentence["text"])[0])
        if note:
            break
    return {
        "model": name or type(llm).__name__,
        "sentences": judged,
        "unclear_replies": unclear,
        "supported_share": supported / judged if judged else None,
        "agreement": agree / judged if judged else None,
        "note": note,
    }
