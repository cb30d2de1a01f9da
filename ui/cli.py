"""``rag serve``: the chat page as a plugin subcommand of the ``rag`` CLI (entry point ``rag.commands``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

import rag

from .config import (
    AUTH_ENV,
    TOKEN_ENV,
    DEFAULT_CONCURRENCY,
    DEFAULT_HOST,
    DEFAULT_PORT,
    parse_auth,
    port,
    positive,
)

__all__ = ["register", "register_mcp", "run", "run_mcp"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")

log = logging.getLogger("ui")


def register(subparsers: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``serve`` to the ``rag`` CLI."""
    p = subparsers.add_parser(
        "serve", parents=[common], help="open the chat page in a browser (http://127.0.0.1:7860)",
        description="Serve the chat page. Binds 127.0.0.1 unless --host says otherwise; "
                    f"no share link, no analytics. Login: --auth user:password or ${AUTH_ENV}.")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to bind (default {DEFAULT_HOST}; 0.0.0.0 exposes it to the network)")
    p.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--auth", default=None, metavar="USER:PASSWORD",
                   help=f"require this login (or set {AUTH_ENV}=user:password, which keeps the "
                        "password out of the process list)")
    p.add_argument("--concurrency", type=positive, default=DEFAULT_CONCURRENCY,
                   help=f"questions answered at the same time across all users (default {DEFAULT_CONCURRENCY})")
    p.add_argument("--api-token", default=None, metavar="TOKEN",
                   help=f"bearer token for /api, /v1 and /mcp (or set {TOKEN_ENV}, which keeps it out of the "
                        "process list); required to serve beyond loopback unless --auth is set")
    p.add_argument("--no-index", action="store_true",
                   help="do not bring the index up to date before serving")
    p.set_defaults(func=run)
    return p


def register_mcp(subparsers: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``mcp`` (the MCP tools over stdio, for desktop clients) to the ``rag`` CLI."""
    p = subparsers.add_parser(
        "mcp", parents=[common], help="serve the MCP tools ask and get_document over stdio",
        description="An MCP server on stdin/stdout for desktop assistants and coding agents (docs/api.md). "
                    "Indexes changed files first; messages go to stderr.")
    p.add_argument("--no-index", action="store_true", help="do not bring the index up to date first")
    p.set_defaults(func=run_mcp)
    return p


def run_mcp(args: argparse.Namespace) -> int:
    from ui.api import Answers, Gate
    from ui.api.mcp_tools import build_mcp

    assistant = rag.Assistant(settings=rag.Settings.from_args(args))
    if not args.no_index:
        _index_before_serving(assistant)
    try:
        build_mcp(Answers(assistant, Gate(1, 16)), stateless=False).run("stdio")
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the client went away
    except ValueError as exc:  # the client closed stdin while the SDK was still reading it
        if "closed file" not in str(exc):
            raise
    return 0


def _auth(args: argparse.Namespace) -> tuple[str, str] | None:
    raw = args.auth if args.auth is not None else os.environ.get(AUTH_ENV)
    try:
        return parse_auth(raw)
    except ValueError as err:
        raise rag.RagError(str(err)) from None


def _index_before_serving(assistant: Any) -> None:
    def progress(done: int, total: int, label: str = "") -> None:
        print(f"\rindexing {done}/{total} {label[:60]:<60}", end="", file=sys.stderr, flush=True)
    if assistant.read_only:
        print(f"index {assistant.home} is read-only here: serving it as it is", file=sys.stderr)
        return
    try:
        report = assistant.index(progress=progress, wait=False)
        if report is None:
            print("another process is indexing: serving the last committed index meanwhile", file=sys.stderr)
            return
        print(f"\rindexed: {report.summary()}".ljust(80), file=sys.stderr)
        for skipped in report.skipped:
            print(f"warning: skipped {skipped.reason}", file=sys.stderr)
    except rag.CorpusError as err:  # an empty corpus can still be filled by upload from the page
        print(f"\rwarning: {err} (add files from the page)".ljust(80), file=sys.stderr)


def _token(args: argparse.Namespace) -> str | None:
    token = args.api_token if args.api_token is not None else os.environ.get(TOKEN_ENV)
    if token is not None and len(token.strip()) < 16:
        raise rag.RagError(f"the API token must be at least 16 characters (got {len(token.strip())}); "
                           "make one with: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    return token.strip() if token else None


def run(args: argparse.Namespace) -> int:
    """Build the Assistant from the common options, index if needed, serve until interrupted."""
    auth = _auth(args)
    token = _token(args)
    loopback = args.host in _LOOPBACK
    if not loopback and token is None and auth is None:
        raise rag.RagError(f"refusing to serve on {args.host} without protection: set an API token "
                           f"(--api-token or {TOKEN_ENV}) or a login (--auth user:password or {AUTH_ENV})")
    assistant = rag.Assistant(settings=rag.Settings.from_args(args))
    if not args.no_index:
        _index_before_serving(assistant)
    from ui.api import build_api
    from ui.app import build_app
    from ui.server import launch

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    demo = build_app(assistant, concurrency=args.concurrency)
    api = build_api(assistant, token=token, loopback=loopback, running=args.concurrency,
                    waiting=max(64, 8 * args.concurrency))
    if not loopback:
        print(f"warning: serving on {args.host}: other machines can reach this page"
              f"{'' if auth else ' (no --auth set)'}{'' if token else '; the APIs are off until a token is set'}",
              file=sys.stderr)
    try:
        launch(demo, api, host=args.host, port=args.port, auth=auth, block=True)
    except OSError as err:
        reason = ("the port is already in use; pick another with --port"
                  if err.errno in (98, 48) or "in use" in str(err) else str(err))
        raise rag.RagError(f"cannot serve on {args.host}:{args.port}: {reason}") from None
    except KeyboardInterrupt:
        pass
    return 0
