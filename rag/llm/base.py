"""What every LLM backend shares: default sizes and the one-line failure message."""

from __future__ import annotations

from llama_index.core.llms import LLM

from rag.errors import LLMError

__all__ = ["DEFAULT_CONTEXT_WINDOW", "DEFAULT_MAX_TOKENS", "DEFAULT_TIMEOUT", "llm_name", "llm_failure"]

DEFAULT_CONTEXT_WINDOW = 4096
DEFAULT_MAX_TOKENS = 512
DEFAULT_TIMEOUT = 180.0


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
