"""The assistant as MCP tools (the official ``mcp`` SDK's FastMCP): ``ask`` and ``get_document``,
over streamable HTTP at ``/mcp`` (mounted by ``rag serve``) or over stdio (``rag mcp``).

The SDK was chosen over Gradio's MCP support because it speaks both transports (Gradio's serves HTTP
only, and desktop clients start a stdio server), lets ``ask`` return the answer as text *and* its
citations as structured content, and sits behind the same bearer token as ``/api`` and ``/v1``;
docs/api.md has the measurements.
"""

from __future__ import annotations

from typing import Any

from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, TextContent

from ui.api.openai_compat import citations
from ui.api.service import Answers, ApiError

__all__ = ["build_mcp", "INSTRUCTIONS"]

INSTRUCTIONS = ("Answers questions from the indexed documents with cited sentences, or says the documents "
                "do not say. Every sentence of an answer carries [n] markers; each citation gives the "
                "document (source), the character offsets of the quote in its text, and the page of a PDF.")


def _result(answer: Any) -> CallToolResult:
    lines = [answer.text] + [f"[{c.n}] {c.title} — {c.where()}: “{c.quote}”" for c in answer.citations]
    structured = {"answer": answer.text, "abstained": answer.abstained, "citations": citations(answer),
                  "notes": list(answer.notes)}
    return CallToolResult(content=[TextContent(type="text", text="\n".join(lines))], structuredContent=structured)


def build_mcp(answers: Answers, *, stateless: bool = True) -> FastMCP:
    """The FastMCP server over ``answers`` (its streamable HTTP route is ``/mcp``)."""
    server = FastMCP("rag-assistant", instructions=INSTRUCTIONS, streamable_http_path="/mcp",
                     stateless_http=stateless, json_response=True, log_level="WARNING",
                     transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))

    @server.tool(description="Answer a question from the indexed documents. Returns the answer text with [n] "
                             "markers and, as structured content, its citations (source, title, start, end, "
                             "quote, page, heading) — or abstained=true when the documents do not say.")
    def ask(question: str) -> CallToolResult:
        try:
            return _result(answers.ask(question))
        except ApiError as err:
            raise ToolError(err.message) from None

    @server.tool(description="The text of one indexed document (what citations quote), by its source name.")
    def get_document(source: str) -> str:
        try:
            return answers.document(source)["text"]
        except ApiError as err:
            raise ToolError(err.message) from None

    return server
