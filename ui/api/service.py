"""What every API asks of the assistant, in one place: a question with its history, one answer,
the documents; the errors a caller can cause as :class:`ApiError` with an HTTP status."""

from __future__ import annotations

from typing import Any, Sequence

import rag

from ui.api.access import Busy, Gate

__all__ = ["ApiError", "Answers"]

MAX_HISTORY = 6  # the chat's own memory (rag.Chat's max_turns)


class ApiError(Exception):
    """A request that cannot be answered: ``status`` and one line."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class Answers:
    """The assistant behind a gate: ``running`` answers at once, ``waiting`` more queued."""

    def __init__(self, assistant: Any, gate: Gate):
        self.assistant, self.gate = assistant, gate

    def _checked(self, question: Any, what: str = "question") -> str:
        if not isinstance(question, str):
            raise ApiError(400, f"{what} must be a string")
        limit = self.assistant.settings.max_question_chars
        if len(question) > limit:
            raise ApiError(413, f"the {what} is {len(question):,} characters; the limit is {limit:,}")
        try:
            return self.assistant.check_question(question)
        except rag.QuestionError as err:
            raise ApiError(400, str(err)) from None

    def ask(self, question: Any, k: Any = None, history: Sequence[Any] = ()) -> rag.Answer:
        """The answer to ``question`` after the earlier questions of ``history`` (asked again, in order,
        in one conversation: follow-ups resolve as they do on the page)."""
        if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 50):
            raise ApiError(400, f"k must be a whole number from 1 to 50, got {k!r}")
        text = self._checked(question)
        earlier = [self._checked(h, "history item") for h in history][-MAX_HISTORY:]
        try:
            with self.gate.slot():
                if not earlier:
                    return self.assistant.ask(text, k)
                chat = self.assistant.chat()
                for h in earlier:
                    chat.ask(h, k)
                return chat.ask(text, k)
        except Busy as busy:
            raise ApiError(503, str(busy), retry_after=busy.retry_after) from None
        except rag.QuestionError as err:
            raise ApiError(400, str(err)) from None
        except rag.RagError as err:
            raise ApiError(503, str(err)) from None

    def document(self, source: str) -> dict[str, Any]:
        """An indexed document's extracted text; 404 for any other name (nothing is opened by path)."""
        info = self.assistant.document(source)
        if info is None:
            raise ApiError(404, f"{source!r} is not an indexed document")
        try:
            text = self.assistant.document_text(source)
        except rag.RagError as err:
            raise ApiError(404, str(err)) from None
        return {**document_info(info), "text": text}


def document_info(d: Any) -> dict[str, Any]:
    layout = d.layout
    return {"source": d.source, "title": d.title, "url": d.url, "chars": d.chars, "format": layout.kind,
            "pages": len(layout.pages) or None, "date": layout.date}
