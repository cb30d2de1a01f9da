"""A conversation: follow-up questions are resolved against the earlier turns.

Without an LLM, a follow-up ("And who led the Russian side?") is detected by its form and the key
terms of the earlier turns are carried into retrieval and sentence choice at a lower weight. With an
LLM, the history and the follow-up are condensed into one standalone question first.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Iterator, Protocol

from rag.answer.question import analyze, answer_values
from rag.records import Answer, StreamEvent
from rag.text.normalize import content_terms


class Asker(Protocol):
    """What a conversation needs from the assistant it runs on (:class:`rag.Assistant` is one)."""

    llm: Any

    def check_question(self, question: Any) -> str: ...

    def ask(self, question: str, k: int | None = None, *, context: str = "",
            standalone: str | None = None) -> Answer: ...

    def stream(self, question: str, k: int | None = None, *, context: str = "",
               standalone: str | None = None) -> Iterator[StreamEvent]: ...

__all__ = ["Chat", "Turn", "is_follow_up"]

_LEADS = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what|and who|and when|and where|"
                    r"and how|what else|anything else|same for|why)\b", re.I)
_PRONOUNS = re.compile(r"\b(?:he|she|him|her|his|hers|they|them|their|it|its|that|those|these|this|there|"
                       r"the other|the same|the latter|the former)\b", re.I)
_PERSONAL = re.compile(r"\b(?:he|she|him|her|his|hers)\b", re.I)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: Answer
    context: str = ""  # key terms carried in from earlier turns (extractive follow-ups)


def is_follow_up(question: str, history_len: int) -> bool:
    """Whether a question leans on earlier turns (by its form: "And …", pronouns, very few key terms)."""
    if history_len == 0:
        return False
    q = analyze(question)
    return bool(_LEADS.match(question) or _PRONOUNS.search(question) or len(q.terms) <= 2 and not q.entities)


class Chat:
    """One conversation's history over a shared :class:`~rag.Assistant` (one Chat per user)."""

    def __init__(self, assistant: Asker, max_turns: int = 6):
        if max_turns < 1:
            raise ValueError(f"max_turns must be >= 1, got {max_turns!r}")
        self.assistant = assistant
        self.max_turns = max_turns
        self._turns: list[Turn] = []
        self._lock = threading.Lock()

    @property
    def history(self) -> tuple[Turn, ...]:
        return tuple(self._turns)

    def reset(self) -> None:
        """Forget the conversation (the page's "new chat")."""
        with self._lock:
            self._turns.clear()

    def _context(self, question: str) -> tuple[str, str | None]:
        """(carried key terms, standalone question) for the next retrieval."""
        with self._lock:
            turns = self._turns[-2:]
            recent = self._turns[-self.max_turns:]
        if not turns or not is_follow_up(question, len(turns)):
            return "", None
        llm = self.assistant.llm
        if llm is not None:
            from rag.chat.condense import condense

            pairs = [(t.question, t.answer.text) for t in recent]
            return "", condense(llm, pairs, question)
        carried = [f"{t.question} {t.context}" for t in turns]
        if _PERSONAL.search(question) and turns[-1].answer.sentences:
            first = turns[-1].answer.sentences[0].text
            carried.extend(answer_values(first, "person"))
        own = set(content_terms(question))
        words = [w for w in " ".join(carried).split() if not set(content_terms(w)) <= own]
        context = " ".join(dict.fromkeys(words))
        return context, None

    def _remember(self, question: str, answer: Answer, context: str) -> None:
        with self._lock:
            self._turns.append(Turn(question, answer, context))
            del self._turns[: -self.max_turns]

    def ask(self, question: str, k: int | None = None) -> Answer:
        context, standalone = self._context(self.assistant.check_question(question))
        answer = self.assistant.ask(question, k, context=context, standalone=standalone)
        if context and not standalone:
            answer = _with_standalone(answer, f"{question} [context: {context}]")
        self._remember(question, answer, context)
        return answer

    def stream(self, question: str, k: int | None = None) -> Iterator[StreamEvent]:
        context, standalone = self._context(self.assistant.check_question(question))
        events = self.assistant.stream(question, k, context=context, standalone=standalone)

        def run() -> Iterator[StreamEvent]:
            for event in events:
                if event.answer is not None:
                    answer = event.answer
                    if context and not standalone:
                        answer = _with_standalone(answer, f"{question} [context: {context}]")
                    self._remember(question, answer, context)
                    yield StreamEvent(answer=answer)
                else:
                    yield event

        return run()


def _with_standalone(answer: Answer, text: str) -> Answer:
    from dataclasses import replace

    return replace(answer, standalone_question=text)
