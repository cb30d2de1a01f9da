"""A scripted LLM: replies read from a list or a file, for tests and demos without a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import Field, PrivateAttr

from rag.errors import LLMError
from rag.llm.base import DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_TOKENS

__all__ = ["ScriptedLLM"]


class ScriptedLLM(CustomLLM):
    """Replies from a script instead of a model, for tests and demos: no weights, no network.

    ``replies`` are used in order (the last one repeats). ``rules`` maps a text to a reply:
    the first rule whose text occurs in the prompt wins over ``replies``.
    Every prompt received is kept in ``prompts`` so a test can read what the model was shown.
    """

    replies: list[str] = Field(default_factory=list)
    rules: dict[str, str] = Field(default_factory=dict)
    context_window: int = Field(default=DEFAULT_CONTEXT_WINDOW)
    chunk_chars: int = Field(default=4, description="Characters per streamed delta.")

    _calls: int = PrivateAttr(default=0)
    _prompts: list[str] = PrivateAttr(default_factory=list)

    def __init__(self, replies: Sequence[str] | str = (), **kwargs: Any) -> None:
        if isinstance(replies, str):
            replies = [replies]
        super().__init__(replies=list(replies), **kwargs)
        if not self.replies and not self.rules:
            raise LLMError("a scripted LLM needs at least one reply or rule")

    @classmethod
    def from_file(cls, path: str | Path) -> "ScriptedLLM":
        """Plain text: one reply. JSON: a list of replies, or {"replies": [...], "rules": {...}}."""
        file = Path(path).expanduser()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LLMError(f"cannot read LLM script {file}: {exc}") from None
        if file.suffix.lower() != ".json":
            return cls([text.strip()])
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LLMError(f"LLM script {file} is not valid JSON: {exc}") from None
        if isinstance(data, list) and all(isinstance(r, str) for r in data):
            return cls(data)
        if isinstance(data, dict):
            replies, rules = data.get("replies", []), data.get("rules", {})
            if isinstance(replies, list) and isinstance(rules, dict):
                return cls([str(r) for r in replies], rules={str(k): str(v) for k, v in rules.items()})
        raise LLMError(f"LLM script {file} must hold a list of replies or {{'replies': [...], 'rules': {{...}}}}")

    @classmethod
    def class_name(cls) -> str:
        return "ScriptedLLM"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=DEFAULT_MAX_TOKENS, model_name="scripted")

    @property
    def prompts(self) -> list[str]:
        return list(self._prompts)

    def _reply(self, prompt: str) -> str:
        self._prompts.append(prompt)
        for needle, reply in self.rules.items():
            if needle in prompt:
                return reply
        if not self.replies:
            return ""
        reply = self.replies[min(self._calls, len(self.replies) - 1)]
        self._calls += 1
        return reply

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._reply(prompt))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        reply = self._reply(prompt)
        size = max(1, self.chunk_chars)

        def gen() -> CompletionResponseGen:
            for i in range(0, len(reply), size):
                yield CompletionResponse(text=reply[: i + size], delta=reply[i : i + size])

        return gen()
