"""The errors a user can cause, each meant to be shown as one line."""

from __future__ import annotations

__all__ = [
    "RagError",
    "CorpusError",
    "QuestionError",
    "IndexCorruptError",
    "IndexBusyError",
    "ModelError",
    "LLMError",
    "SettingsError",
]


class RagError(Exception):
    """Base of every error rag-assistant reports to a user; str(err) is the one line to show."""


class CorpusError(RagError):
    """The corpus folder is missing or empty, or a file in it cannot be read as UTF-8 text."""


class QuestionError(RagError):
    """The question is empty, too long or otherwise not askable."""


class IndexCorruptError(RagError):
    """The index directory exists but cannot be read; nothing was deleted."""


class IndexBusyError(RagError):
    """Another process is indexing the same index directory right now."""


class ModelError(RagError):
    """The embedding model file is missing or does not match its pinned sha256."""


class LLMError(RagError):
    """An LLM backend is misconfigured, missing its extra, or failed to answer."""


class SettingsError(RagError, ValueError):
    """A setting (argument, ``RAG_*`` variable or option) has a value it cannot take."""
