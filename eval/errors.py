"""The eval's one error type: a bad input a user gave the eval (file, option, threshold)."""

from __future__ import annotations

from rag import RagError

__all__ = ["EvalError"]


class EvalError(RagError):
    """A questions/answers/thresholds/data file or an option the eval cannot use; one line to show."""
