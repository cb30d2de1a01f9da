"""Helpers for tests and local checks: serve the page on a free loopback port, watch connections.

Kept in the package (not under tests/) so the browser, API and concurrency tests share one way of
starting the real page.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from typing import Any, Iterator

__all__ = ["free_port", "serving", "ConnectionLog", "record_connections"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(assistant: Any, *, auth: tuple[str, str] | None = None, concurrency: int = 4,
            host: str = "127.0.0.1", token: str | None = None, waiting: int = 64) -> Iterator[str]:
    """Run the real page and APIs over ``assistant`` in this process; yields the base URL."""
    from ui.api import build_api
    from ui.app import build_app
    from ui.server import launch

    demo = build_app(assistant, concurrency=concurrency)
    api = build_api(assistant, token=token, running=concurrency, waiting=waiting)
    port = free_port(host)
    served = launch(demo, api, host=host, port=port, auth=auth, block=False, quiet=True)
    try:
        yield f"http://{host}:{port}/"
    finally:
        served.close()


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:  # unix socket path
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a name that is not localhost: resolving it would already be outbound


class ConnectionLog:
    """Addresses passed to ``socket.connect``/``connect_ex`` while recording, split by loopback."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loopback: list[Any] = []
        self.outbound: list[Any] = []

    def add(self, address: Any) -> None:
        with self.lock:
            (self.loopback if _is_loopback(address) else self.outbound).append(address)


@contextlib.contextmanager
def record_connections(block_outbound: bool = True) -> Iterator[ConnectionLog]:
    """Record every socket connection attempt in this process (all threads); refuse outbound ones."""
    log = ConnectionLog()
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def guard(address: Any) -> None:
        log.add(address)
        if block_outbound and not _is_loopback(address):
            raise ConnectionRefusedError(f"outbound connection blocked by test: {address!r}")

    def connect(self: socket.socket, address: Any) -> Any:
        guard(address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        guard(address)
        return original_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield log
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
