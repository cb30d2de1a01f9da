"""Follow-up + chat history -> one standalone question, written by the LLM before retrieval.

The prompt is LlamaIndex's own (``CondensePlusContextChatEngine``'s condense template). The
rewrite only steers retrieval: the answer is still verified against the passages found. A reply
that is empty, wildly long, not a question, or drops the follow-up's own key terms is discarded;
the follow-up is then used with the previous question appended in parentheses, so a weak model
cannot make retrieval worse than no rewrite at all.
"""

from __future__ import annotations

import re
from typing import Sequence

from llama_index.core.chat_engine.condense_plus_context import (
    DEFAULT_CONDENSE_PROMPT_TEMPLATE,
)
from llama_index.core.llms import LLM
from llama_index.core.prompts import PromptTemplate

from rag.errors import LLMError
from rag.ingest.chunk import count_tokens
from rag.llm import llm_failure
from rag.text.marks import strip_markers
from rag.text.normalize import content_terms

__all__ = ["condense", "format_history", "CONDENSE_PROMPT"]

CONDENSE_PROMPT = PromptTemplate(DEFAULT_CONDENSE_PROMPT_TEMPLATE)
HISTORY_TOKENS = 800  # the most recent turns that fit are shown; older ones are dropped
_ANSWER_CHARS = 400  # each earlier answer is cut to this: its topic matters, not its detail
_QUESTION_START = re.compile(
    r"(?:who|whom|whose|what|when|where|which|why|how|did|does|do|is|are|was|were|can|could|will|would|"
    r"should|has|have|had)\b",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^\s*(?:standalone(?:\s+question)?|rephrased(?:\s+question)?|question)\s*:\s*", re.I)


def format_history(history: Sequence[tuple[str, str]], max_tokens: int = HISTORY_TOKENS) -> str:
    """``User:``/``Assistant:`` lines of the latest turns that fit ``max_tokens`` (oldest first)."""
    lines: list[str] = []
    used = 0
    for question, answer in reversed(list(history)):
        answer = strip_markers(answer or "")
        if len(answer) > _ANSWER_CHARS:
            answer = answer[:_ANSWER_CHARS].rsplit(" ", 1)[0] + " ..."
        turn = [f"User: {' '.join((question or '').split())}", f"Assistant: {answer}"]
        cost = count_tokens("\n".join(turn))
        if lines and used + cost > max_tokens:
            break
        lines = turn + lines
        used += cost
    return "\n".join(lines)


def _clean(reply: str) -> str:
    text = (reply or "").strip()
    for line in text.splitlines():
        if line.strip():
            text = line.strip()
            break
    text = _LABEL.sub("", text).strip().strip('"\u201c\u201d\'` ').strip()
    return " ".join(text.split())


def condense(llm: LLM, history: Sequence[tuple[str, str]], question: str) -> str:
    """A standalone version of ``question`` given ``history`` of (question, answer_text) pairs.

    Without history the question is returned unchanged and the LLM is not called.
    """
    question = " ".join((question or "").split())
    if not history or not question:
        return question
    try:
        reply = llm.predict(CONDENSE_PROMPT, chat_history=format_history(history), question=question)
    except LLMError:
        raise
    except Exception as exc:  # noqa: BLE001 - any backend failure becomes one line
        raise llm_failure(llm, exc, "rewrite the follow-up") from None
    rewritten = _clean(reply)
    if _plausible(rewritten, question):
        return rewritten
    # A weak model's rewrite is discarded; the previous question still tells retrieval the topic.
    previous = " ".join((history[-1][0] or "").split())
    return f"{question} ({previous})" if previous else question


def _plausible(rewritten: str, question: str) -> bool:
    """A rewrite is kept only if it is a question of sane length that keeps the follow-up's
    key terms (it may add the ones from history, not drop the ones asked)."""
    if not rewritten or len(rewritten) > max(3 * len(question), len(question) + 200):
        return False
    if not (rewritten.endswith("?") or _QUESTION_START.match(rewritten)):
        return False  # reads like an answer or a preamble, not a question
    asked = set(content_terms(question))
    kept = asked & set(content_terms(rewritten))
    return not asked or len(kept) * 2 >= len(asked)
