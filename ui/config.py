"""The page's settings that need no gradio: host, port, login, concurrency (``rag serve`` reads them).

Kept apart so that registering ``rag serve`` (done for every ``rag`` command) never imports gradio,
and so that the page, the server and the CLI share one definition of each.
"""

from __future__ import annotations

import argparse

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_HOST", "DEFAULT_PORT", "AUTH_ENV", "TOKEN_ENV", "parse_auth", "port", "positive"]

DEFAULT_CONCURRENCY = 4
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
AUTH_ENV = "RAG_AUTH"
TOKEN_ENV = "RAG_API_TOKEN"


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``"user:password"`` → (user, password); None/empty → None; anything else → ValueError."""
    if value is None or value == "":
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError(f"auth must look like user:password (got {value.split(':', 1)[0]!r}"
                         f"{':…' if sep else ' without a colon'})")
    return user.strip(), password


def port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, got {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {number}")
    return number


def positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n
