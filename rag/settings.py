"""One settings object for the library, the CLI and the page: defaults < environment < arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Settings"]

_ENV = {
    "corpus_dir": "RAG_CORPUS",
    "home": "RAG_HOME",
    "k": "RAG_K",
    "llm": "RAG_LLM",
    "llm_base_url": "RAG_LLM_BASE_URL",
}


@dataclass(frozen=True)
class Settings:
    """Where the corpus and the index live, and how answers are made.

    ``home`` defaults to ``RAG_HOME`` or ``.rag/`` beside the corpus folder.
    """

    corpus_dir: Path = Path("corpus")
    home: Path | None = None
    k: int = 5
    max_passage_tokens: int = 180
    max_question_chars: int = 2000
    llm: Any = None  # None / "none" / a spec string ("ollama:MODEL", "openai:MODEL", "gguf:PATH") / a LlamaIndex LLM
    llm_base_url: str | None = None
    keep_unsupported: bool = False
    refresh_seconds: float = 2.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir).expanduser())
        if self.home is None:
            object.__setattr__(self, "home", self.corpus_dir.absolute().parent / ".rag")
        else:
            object.__setattr__(self, "home", Path(self.home).expanduser())
        if not isinstance(self.k, int) or not 1 <= self.k <= 50:
            raise ValueError(f"k must be an integer from 1 to 50, got {self.k!r}")
        if not 16 <= self.max_passage_tokens <= 240:
            raise ValueError(f"max_passage_tokens must be 16..240, got {self.max_passage_tokens!r}")
        if self.max_question_chars < 10:
            raise ValueError(f"max_question_chars must be >= 10, got {self.max_question_chars!r}")
        if isinstance(self.llm, str) and self.llm.strip().lower() in ("", "none", "extractive"):
            object.__setattr__(self, "llm", None)

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Defaults, then ``RAG_*`` environment variables, then the keyword arguments that are not None."""
        values: dict[str, Any] = {}
        for name, var in _ENV.items():
            raw = os.environ.get(var)
            if raw:
                values[name] = int(raw) if name == "k" else raw
        known = {f.name for f in fields(cls)}
        for name, value in overrides.items():
            if name not in known:
                raise TypeError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = value
        if "corpus_dir" in values and "home" not in values:
            values["home"] = None
        return cls(**values)

    @classmethod
    def from_args(cls, args: Any) -> "Settings":
        """Settings from the CLI's common options (``--corpus``, ``--home``, ``--k``, ``--llm``, ``--llm-base-url``)."""
        return cls.from_env(
            corpus_dir=getattr(args, "corpus", None), home=getattr(args, "home", None), k=getattr(args, "k", None),
            llm=getattr(args, "llm", None), llm_base_url=getattr(args, "llm_base_url", None),
            keep_unsupported=getattr(args, "keep_unsupported", None),
        )

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)
