"""Who may call the APIs, and how many at once: the bearer token, the busy gate, the body limit,
and the page login's rate limit."""

from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque
from contextlib import contextmanager
from typing import Any, Iterator

from ui.config import TOKEN_ENV

__all__ = ["TOKEN_ENV", "Busy", "Gate", "check_token", "LoginLimiter", "MAX_BODY_BYTES", "error_body"]

MAX_BODY_BYTES = 64 * 1024  # a question of 2,000 characters and a chat history fit many times over


def error_body(message: str) -> dict[str, str]:
    """The one JSON shape of every API error: ``{"error": "<one line>"}``."""
    return {"error": " ".join(str(message).split())}


def check_token(header: str | None, token: str | None) -> str | None:
    """None when the request may pass, else the one-line reason (compared in constant time)."""
    if token is None:
        return None
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return "this API needs a bearer token: send the header 'Authorization: Bearer <token>'"
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        return "the bearer token is not valid"
    return None


class Busy(Exception):
    """More requests are waiting than the gate holds; the client should retry after ``retry_after`` s."""

    def __init__(self, retry_after: int):
        super().__init__(f"the server is busy; retry in {retry_after} s")
        self.retry_after = retry_after


class Gate:
    """``running`` answers at a time; up to ``waiting`` more wait their turn; beyond that, Busy."""

    def __init__(self, running: int, waiting: int, retry_after: int = 2):
        if running < 1 or waiting < 0 or retry_after < 1:
            raise ValueError(f"running must be >= 1, waiting >= 0, retry_after >= 1; got "
                             f"{running!r}, {waiting!r}, {retry_after!r}")
        self.running, self.waiting, self.retry_after = running, waiting, retry_after
        self._slots = threading.Semaphore(running)
        self._lock = threading.Lock()
        self._inside = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._inside >= self.running + self.waiting:
                raise Busy(self.retry_after)
            self._inside += 1
        try:
            with self._slots:
                yield
        finally:
            with self._lock:
                self._inside -= 1


class LoginLimiter:
    """At most ``attempts`` wrong passwords per client address in ``window`` seconds; then the
    address waits until its oldest failure leaves the window."""

    def __init__(self, attempts: int = 5, window: float = 60.0):
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures[client]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def wait(self, client: str) -> int:
        """Seconds ``client`` must wait before trying again (0: it may try now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            return int(self.window - (now - times[0])) + 1 if len(times) >= self.attempts else 0

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client, time.monotonic()).append(time.monotonic())


def client_of(scope: dict[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"
