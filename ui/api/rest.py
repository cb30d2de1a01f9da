"""``/api``: the answer JSON of ``rag ask --json``, the index status and the indexed documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from ui.api.service import Answers, document_info

__all__ = ["rest_router", "AskRequest"]


class AskRequest(BaseModel):
    """A question, optionally after earlier questions of the same conversation."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="the question")
    k: int | None = Field(default=None, description="passages to read (1-50; default: the server's)")
    history: list[str] = Field(default_factory=list, description="earlier questions, oldest first (follow-ups)")


def rest_router(answers: Answers, guard: Any) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["answers"], dependencies=[Depends(guard)])

    @router.post("/ask", summary="Answer a question with cited sentences (the `rag ask --json` object)")
    def ask(body: AskRequest) -> dict[str, Any]:
        return answers.ask(body.question, body.k, body.history).to_dict()

    @router.get("/status", summary="Documents and passages indexed, and when")
    def status() -> dict[str, Any]:
        s = answers.assistant.status()
        return {"documents": s.documents, "passages": s.passages, "read_only": s.read_only,
                "last_indexed": s.last_indexed.isoformat() if s.last_indexed else None,
                "skipped": list(s.skipped)}

    @router.get("/documents", summary="The indexed documents")
    def documents() -> list[dict[str, Any]]:
        return [document_info(d) for d in answers.assistant.documents()]

    @router.get("/documents/{source:path}", summary="One indexed document's text (what citations quote)")
    def document(source: str) -> dict[str, Any]:
        return answers.document(source)

    return router
