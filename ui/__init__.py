"""The chat page (Gradio) over the ``rag`` API; started by ``rag serve``."""

from __future__ import annotations

import rag  # noqa: F401  - offline environment before gradio loads

__all__ = ["build_app", "launch", "register"]


def __getattr__(name: str):  # gradio is imported only when the page is actually used
    if name == "build_app":
        from ui.app import build_app
        return build_app
    if name == "launch":
        from ui.server import launch
        return launch
    if name == "register":
        from ui.cli import register
        return register
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
