"""Starting the page: local-only by default, optional login, no share link, nothing outbound."""

from __future__ import annotations

import os
from typing import Any

# isort: off
import rag  # noqa: F401  - offline environment first
# isort: on

import gradio as gr

from ui.assets import CSS, HEAD

__all__ = ["launch"]

from ui.config import DEFAULT_HOST, DEFAULT_PORT  # noqa: E402

# System fonts only: nothing to download, and the same look in a headless browser.
_FONTS = ("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans",
          "sans-serif")


def launch(demo: gr.Blocks, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
           auth: tuple[str, str] | None = None, block: bool = True, quiet: bool = False) -> Any:
    """Serve ``demo`` on host:port; returns Gradio's (app, local_url, share_url) when not blocking."""
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535, got {port!r}")
    if not host:
        raise ValueError(f"host must be a name or address, got {host!r}")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    return demo.launch(
        server_name=host, server_port=port, share=False, auth=auth,
        auth_message="Log in to ask the news corpus." if auth else None,
        prevent_thread_lock=not block, quiet=quiet, show_error=False, inbrowser=False,
        enable_monitoring=False, mcp_server=False, pwa=False, ssr_mode=False,
        footer_links=["api"], max_file_size="5mb", strict_cors=True,
        css=CSS, head=HEAD, theme=gr.themes.Default(font=_FONTS),
    )
