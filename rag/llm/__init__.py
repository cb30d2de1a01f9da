"""LLMs behind LlamaIndex's ``LLM``: a spec ("ollama:MODEL", "gguf:PATH", ...) resolved to a backend.

``resolve_llm`` is public (``rag.resolve_llm``); ``ScriptedLLM`` is the scripted fake for tests.
"""

from rag.llm.base import (
           DEFAULT_CONTEXT_WINDOW,
           DEFAULT_MAX_TOKENS,
           llm_failure,
           llm_name,
)
from rag.llm.resolve import LLMSpec, parse_spec, resolve_llm, smollm2_path
from rag.llm.scripted import ScriptedLLM

__all__ = ["DEFAULT_CONTEXT_WINDOW", "DEFAULT_MAX_TOKENS", "LLMSpec", "ScriptedLLM", "llm_failure", "llm_name",
           "parse_spec", "resolve_llm", "smollm2_path"]
