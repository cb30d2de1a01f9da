"""Gradio's own MCP support, measured for docs/api.md: the page's ``ask`` exposed with ``mcp_server=True``,
called 20 times with the official MCP client over streamable HTTP. Prints the tools, the median call
time, whether the result has structured content, and the start of its text.

Run: ``.venv/bin/python scripts/experiments/gradio_mcp.py`` from the repository root (gradio[mcp] needs
``mcp<2``, which the ui extra pins).
"""
import asyncio, statistics, time, shutil, tempfile, sys
from pathlib import Path
import rag
import gradio as gr
from ui.testing import free_port

root = Path(tempfile.mkdtemp()); shutil.copytree("corpus", root / "corpus")
a = rag.Assistant(corpus_dir=root / "corpus", home=root / "home"); a.index()

def ask(question: str) -> dict:
    """Answer a question from the documents, with citations."""
    return a.ask(question).to_dict()

with gr.Blocks() as demo:
    gr.api(ask, api_name="ask")
port = free_port()
demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, mcp_server=True)
url = f"http://127.0.0.1:{port}/gradio_api/mcp/"

async def main():
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client
    async with streamablehttp_client(url) as (r, w, _):
        async with ClientSession(r, w) as s:
            await s.initialize()
            tools = (await s.list_tools()).tools
            print("tools:", [t.name for t in tools])
            ts = []
            for _ in range(20):
                t = time.perf_counter(); res = await s.call_tool(tools[0].name, {"question": "What did Lavrov say about ISIS numbers?"}); ts.append(1000*(time.perf_counter()-t))
            print("gradio mcp median ms", statistics.median(ts), "structured:", res.structuredContent is not None, "text:", res.content[0].text[:150])
asyncio.run(main())
demo.close()
