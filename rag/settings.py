"""One settings object for the library, the CLI and the page: defaults < environment < arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rag.errors import SettingsError

__all__ = ["Settings", "check_k", "K_RANGE", "chroma_address", "chroma_url"]

_ENV = {
    "corpus_dir": "RAG_CORPUS",
    "home": "RAG_HOME",
    "k": "RAG_K",
    "llm": "RAG_LLM",
    "llm_base_url": "RAG_LLM_BASE_URL",
    "refresh_seconds": "RAG_REFRESH_SECONDS",
    "index_wait_seconds": "RAG_INDEX_WAIT_SECONDS",
    "index_batch_files": "RAG_INDEX_BATCH_FILES",
    "reader": "RAG_READER",
    "decision": "RAG_DECISION",
    "chroma_url": "RAG_CHROMA_URL",
}
_NUMBERS = {"k": int, "refresh_seconds": float, "index_wait_seconds": float, "index_batch_files": int}
K_RANGE = (1, 50)


def check_k(k: Any, error: type[Exception] = SettingsError) -> int:
    """``k`` (passages per question) if it is a whole number in :data:`K_RANGE`, else ``error``."""
    lo, hi = K_RANGE
    if not isinstance(k, int) or isinstance(k, bool) or not lo <= k <= hi:
        raise error(f"k must be a whole number from {lo} to {hi}, got {k!r}")
    return k


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
    #: How often a running assistant looks for changed files in the corpus folder.
    refresh_seconds: float = 2.0
    #: How long the question that noticed a change waits for its re-index (others never wait).
    index_wait_seconds: float = 2.0
    #: Changed files stored together (one embedding pass, one vector write, one commit); see BENCHMARKS.md.
    index_batch_files: int = 256
    #: The learned reader's model: "default" (rag/data/reader.json, scripts/train_reader.py), a path, or
    #: "none" (no model: no confidence, and only the hand rules can decide).
    reader: str = "default"
    #: Who decides whether a sentence answers: "reader" (the model's threshold), "both" (the threshold
    #: and the first round's hand rules) or "rules" (the hand rules alone); docs/eval.md compares them.
    decision: str = "rules"
    #: A Chroma server for the vectors (``http://127.0.0.1:8000``, started with ``chroma run``); None keeps
    #: them in the index directory. docs/scale.md: one indexer and several workers on one server.
    chroma_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir).expanduser())
        if self.home is None:
            object.__setattr__(self, "home", self.corpus_dir.absolute().parent / ".rag")
        else:
            object.__setattr__(self, "home", Path(self.home).expanduser())
        check_k(self.k)
        if not isinstance(self.max_passage_tokens, int) or not 16 <= self.max_passage_tokens <= 240:
            raise SettingsError(f"max_passage_tokens must be 16..240, got {self.max_passage_tokens!r}")
        if not isinstance(self.max_question_chars, int) or self.max_question_chars < 10:
            raise SettingsError(f"max_question_chars must be a whole number >= 10, got {self.max_question_chars!r}")
        if not isinstance(self.index_batch_files, int) or not 1 <= self.index_batch_files <= 10_000:
            raise SettingsError(f"index_batch_files must be a whole number from 1 to 10000, got {self.index_batch_files!r}")
        for name in ("refresh_seconds", "index_wait_seconds"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 3600:
                raise SettingsError(f"{name} must be a number of seconds from 0 to 3600, got {value!r}")
        if not isinstance(self.reader, (str, Path)) or not str(self.reader).strip():
            raise SettingsError(f"reader must be 'default', 'none' or a model file's path, got {self.reader!r}")
        if self.decision not in ("reader", "gated", "both", "rank", "rules"):
            raise SettingsError(f"decision must be 'reader', 'gated', 'both', 'rank' or 'rules', got {self.decision!r}")
        object.__setattr__(self, "reader", str(self.reader).strip())
        if self.chroma_url is not None:
            url = str(self.chroma_url).strip()
            object.__setattr__(self, "chroma_url", chroma_url(*chroma_address(url)) if url else None)
        if isinstance(self.llm, str) and self.llm.strip().lower() in ("", "none", "extractive"):
            object.__setattr__(self, "llm", None)

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Defaults, then ``RAG_*`` environment variables, then the keyword arguments that are not None."""
        values: dict[str, Any] = {}
        for name, var in _ENV.items():
            raw = os.environ.get(var)
            if raw:
                values[name] = _parse(var, raw, _NUMBERS.get(name))
        known = {f.name for f in fields(cls)}
        for name, value in overrides.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}")
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
            decision=getattr(args, "decision", None), reader=getattr(args, "reader", None),
            chroma_url=getattr(args, "chroma_url", None),
        )

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def chroma_address(url: str) -> tuple[str, int, bool]:
    """``http://HOST:PORT`` / ``https://HOST:PORT`` (port 8000, Chroma's own, when left out) → host, port, TLS."""
    text = str(url).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise SettingsError(f"chroma URL must look like http://127.0.0.1:8000, got {text!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.username:
        raise SettingsError(f"chroma URL must look like http://127.0.0.1:8000, got {text!r}")
    return parts.hostname, port or 8000, parts.scheme == "https"


def chroma_url(host: str, port: int, ssl: bool = False) -> str:
    """The one way an address is written (in messages, in an index's records)."""
    return f"{'https' if ssl else 'http'}://{f'[{host}]' if ':' in host else host}:{port}"


def _parse(var: str, raw: str, kind: type | None) -> Any:
    if kind is None:
        return raw
    try:
        return kind(raw.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{var} must be {what}, got {raw!r}") from None
