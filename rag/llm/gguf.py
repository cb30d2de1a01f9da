"""A local GGUF model run in-process by xllamacpp, behind LlamaIndex's ``LLM`` interface.

xllamacpp ships prebuilt wheels of llama.cpp's own server engine (``llama-cpp-python`` compiles
for ten minutes and crashed on this machine kind). Imported only when ``gguf:PATH`` is used.
"""

from __future__ import annotations

import os
import queue
import secrets
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from pydantic import Field, PrivateAttr

from rag.errors import LLMError
from rag.llm.base import DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_TOKENS

__all__ = ["GGUFLLM"]


def _wire(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role.value, "content": m.content or ""} for m in messages]


class GGUFLLM(CustomLLM):
    """A local GGUF model run in-process by xllamacpp (llama.cpp's own server engine).

    The engine loads on first use and applies the model's chat template. It also listens on
    a random loopback port; a random API key set here keeps other processes off that port.
    """

    model_path: str = Field(description="Path of the .gguf file.")
    context_window: int = Field(default=DEFAULT_CONTEXT_WINDOW, description="Tokens of context (n_ctx).")
    max_tokens: int = Field(default=DEFAULT_MAX_TOKENS, description="Most tokens generated per reply.")
    temperature: float = Field(default=0.0, description="0 makes answers repeatable.")
    repeat_penalty: float = Field(default=1.1, description="Small models loop without it.")
    threads: int = Field(default=0, description="CPU threads; 0 means all cores.")

    _server: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        return "GGUFLLM"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=Path(self.model_path).name,
        )

    def _engine(self) -> Any:
        with self._lock:
            if self._server is None:
                try:
                    import xllamacpp as xlc
                except ImportError:
                    raise LLMError("the gguf backend is not installed: pip install 'rag-assistant[gguf]'") from None
                params = xlc.CommonParams()
                params.model.path = self.model_path
                params.n_ctx = self.context_window
                params.n_predict = self.max_tokens
                params.verbosity = 0
                params.hostnames = ["127.0.0.1"]
                params.port = 0
                params.api_keys = [secrets.token_hex(16)]
                threads = self.threads or (os.cpu_count() or 1)
                params.cpuparams.n_threads = threads
                params.cpuparams_batch.n_threads = threads
                try:
                    self._server = xlc.Server(params)
                except Exception as exc:  # noqa: BLE001 - llama.cpp reports load failures this way
                    raise LLMError(f"cannot load GGUF model {self.model_path}: {exc}") from None
            return self._server

    def _request(self, messages: Sequence[ChatMessage], stream: bool, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "messages": _wire(messages),
            "max_tokens": int(kwargs.get("max_tokens", self.max_tokens)),
            "temperature": float(kwargs.get("temperature", self.temperature)),
            "repeat_penalty": float(kwargs.get("repeat_penalty", self.repeat_penalty)),
            "stream": stream,
        }

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        result = self._engine().handle_chat_completions(self._request(messages, False, kwargs))
        if not isinstance(result, dict) or "error" in result:
            raise LLMError(f"GGUF model failed: {_error_text(result)}")
        text = result["choices"][0]["message"].get("content") or ""
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), raw=result)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        engine = self._engine()
        request = self._request(messages, True, kwargs)

        def gen() -> ChatResponseGen:
            text = ""
            for chunk in _stream_engine(engine, request):
                choices = chunk.get("choices") or [{}]
                delta = (choices[0].get("delta") or {}).get("content") or ""
                if delta:
                    text += delta
                    message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                    yield ChatResponse(message=message, delta=delta, raw=chunk)

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)
        return CompletionResponse(text=reply.message.content or "", raw=reply.raw)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            for part in self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs):
                yield CompletionResponse(text=part.message.content or "", delta=part.delta)

        return gen()


def _error_text(result: Any) -> str:
    if isinstance(result, dict) and isinstance(result.get("error"), dict):
        return str(result["error"].get("message", result["error"]))
    return repr(result)[:200]


def _stream_engine(engine: Any, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Chunks of a streamed xllamacpp reply as they come; the engine calls back on its own thread.

    Closing the iterator early tells the engine to stop generating.
    """
    chunks: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    done = object()

    def on_chunk(chunk: Any) -> bool:
        chunks.put(chunk)
        return stop.is_set()

    def run() -> None:
        try:
            result = engine.handle_chat_completions(request, on_chunk)
            if isinstance(result, dict) and "error" in result:
                chunks.put(LLMError(f"GGUF model failed: {_error_text(result)}"))
        except Exception as exc:  # noqa: BLE001 - handed to the reading thread
            chunks.put(LLMError(f"GGUF model failed: {exc}"))
        finally:
            chunks.put(done)

    worker = threading.Thread(target=run, name="gguf-stream", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is done:
                break
            if isinstance(item, Exception):
                raise item
            if isinstance(item, dict) and "error" in item:
                raise LLMError(f"GGUF model failed: {_error_text(item)}")
            yield item
    finally:
        stop.set()
        worker.join(timeout=60)
