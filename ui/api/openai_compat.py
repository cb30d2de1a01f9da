"""``/v1``: the grounded answerer as an OpenAI-compatible chat model, with its citations.

The last user message is the question and the earlier user messages are the conversation (asked
again, in order, so follow-ups resolve as on the page; assistant messages are not read back: the
answers are recomputed from the corpus). ``choices[0].message.content`` is the answer with its
``[n]`` markers, and a top-level ``citations`` array carries the answer JSON's citations. With
``stream: true`` the answer arrives as OpenAI's SSE chunks, a sentence at a time once it has been
verified (no unverified text is ever sent), the last chunk carrying ``citations``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

import rag
from ui.api.service import Answers, ApiError

__all__ = ["MODEL", "openai_router", "ChatRequest"]

MODEL = "rag-assistant"
_CITATION_KEYS = ("n", "source", "title", "start", "end", "quote", "page", "heading", "url")


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """OpenAI's chat-completions request; fields other than these are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(default=MODEL)
    messages: list[Message]
    stream: bool = False


def _text(message: Message) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict) and p.get("type") == "text")


def conversation(request: ChatRequest) -> tuple[str, list[str]]:
    """(question, earlier questions) from the messages; ApiError 400 when there is no user message."""
    if request.model != MODEL:
        raise ApiError(404, f"model {request.model!r} does not exist; this server serves {MODEL!r}")
    users = [_text(m) for m in request.messages if m.role == "user"]
    if not users or request.messages[-1].role != "user":
        raise ApiError(400, "the last message must be the user's question")
    return users[-1], users[:-1]


def citations(answer: rag.Answer) -> list[dict[str, Any]]:
    dicts = (c.to_dict() for c in (answer.citations or answer.related))
    return [{k: d[k] for k in _CITATION_KEYS} for d in dicts]


def _usage(question: str, answer: rag.Answer) -> dict[str, int]:
    prompt, completion = rag.count_tokens(question), rag.count_tokens(answer.text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion(question: str, answer: rag.Answer) -> dict[str, Any]:
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion", "created": int(time.time()),
            "model": MODEL, "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": answer.text}}],
            "usage": _usage(question, answer), "citations": citations(answer),
            "abstained": answer.abstained}


def chunks(answer: rag.Answer) -> Iterator[str]:
    """OpenAI's SSE stream of ``answer``: the role, the text a sentence at a time, then the end."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": MODEL}

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    text, at = answer.text, 0
    for _, end, _numbers in rag.find_marks(text):
        yield event({"content": text[at:end]})
        at = end
    if at < len(text):
        yield event({"content": text[at:]})
    yield event({}, "stop", citations=citations(answer), abstained=answer.abstained)
    yield "data: [DONE]\n\n"


def openai_router(answers: Answers, guard: Any) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(guard)])

    @router.get("/models", summary="The one model: rag-assistant")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "rag-assistant"}]}

    @router.post("/chat/completions", summary="Answer the last user message, with citations")
    def chat_completions(body: ChatRequest) -> Any:
        question, earlier = conversation(body)
        answer = answers.ask(question, None, earlier)
        if body.stream:
            return StreamingResponse(chunks(answer), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        return completion(question, answer)

    return router
