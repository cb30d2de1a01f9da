"""Starting the page and the APIs on one host and port: local-only by default, optional login, no
share link, nothing outbound. The page is mounted at ``/`` on the API app (:mod:`ui.api`), and
uvicorn serves both."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

# isort: off
import rag  # noqa: F401  - offline environment first
# isort: on

import gradio as gr

from ui.assets import CSS, HEAD
from ui.config import DEFAULT_HOST, DEFAULT_PORT
from ui.uploads import MAX_DOCUMENT_UPLOAD_BYTES

__all__ = ["launch", "Served"]

# System fonts only: nothing to download, and the same look in a headless browser.
_FONTS = ("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans",
          "sans-serif")


class Served:
    """A running server (``launch(block=False)``): ``close()`` stops it."""

    def __init__(self, server: Any, thread: threading.Thread):
        self.server, self.thread = server, thread

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _app(demo: gr.Blocks, api: Any, auth: tuple[str, str] | None) -> Any:
    return gr.mount_gradio_app(
        api, demo, path="/", auth=auth, auth_message="Log in to ask the documents." if auth else None,
        show_error=False, enable_monitoring=False, mcp_server=False, pwa=False, ssr_mode=False,
        footer_links=["api"], max_file_size=MAX_DOCUMENT_UPLOAD_BYTES,
        css=CSS, head=HEAD, theme=gr.themes.Default(font=_FONTS))


def _check_free(host: str, port: int) -> None:
    """OSError now, rather than uvicorn's exit, when host:port cannot be bound."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def launch(demo: gr.Blocks, api: Any, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
           auth: tuple[str, str] | None = None, block: bool = True, quiet: bool = False) -> Served | None:
    """Serve the page ``demo`` on the API app ``api`` at host:port (blocking, or in a thread)."""
    import uvicorn

    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535, got {port!r}")
    if not host:
        raise ValueError(f"host must be a name or address, got {host!r}")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    _check_free(host, port)
    config = uvicorn.Config(_app(demo, api, auth), host=host, port=port, log_level="warning" if quiet else "info",
                            access_log=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    if block:
        if not quiet:
            print(f"* serving on http://{host}:{port}/ (page), /api, /v1, /mcp (docs/api.md); Ctrl+C stops")
        server.run()
        return None
    thread = threading.Thread(target=server.run, name="rag-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError(f"the server did not start on {host}:{port} (address in use?)")
        time.sleep(0.05)
    return Served(server, thread)
