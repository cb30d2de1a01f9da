"""The programs' ways in, over real loopback HTTP: REST (/api), OpenAI-compatible (/v1) with the
official ``openai`` client, MCP (/mcp) with the SDK's own client, the token, the limits (issue 13)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

pytest.importorskip("gradio")
httpx = pytest.importorskip("httpx")

import rag  # noqa: E402
from ui.testing import record_connections, serving  # noqa: E402

pytestmark = pytest.mark.enable_socket

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LAVROV = "What did Lavrov say about ISIS numbers?"
TOKEN = "test-token-0123456789abcdef"


@pytest.fixture(scope="module")
def assistant(module_assistant):
    (Path(module_assistant.corpus_dir) / "notes.rtf").write_text("not indexed", encoding="utf-8")
    module_assistant.index()
    return module_assistant


@pytest.fixture(scope="module")
def served(assistant):
    with record_connections() as log, serving(assistant) as url:
        yield url.rstrip("/"), log


@pytest.fixture(scope="module")
def locked(assistant):
    with serving(assistant, token=TOKEN, auth=("analyst", "s3cret-pass")) as url:
        yield url.rstrip("/")


def _same_answer(got: dict, want: rag.Answer) -> None:
    expected = want.to_dict()
    for key in ("answer", "abstained", "citations", "sentences", "notes", "confidence"):
        assert got[key] == expected[key], key


def test_rest_ask_returns_the_rag_ask_json(served, assistant):
    url, log = served
    r = httpx.post(f"{url}/api/ask", json={"question": LAVROV})
    assert r.status_code == 200
    body = r.json()
    _same_answer(body, assistant.ask(LAVROV))
    assert "1,000" in body["answer"]
    for c in body["citations"]:
        assert assistant.document_text(c["source"])[c["start"]:c["end"]] == c["quote"]
    assert log.outbound == []


def test_rest_history_makes_follow_ups_work(served, assistant):
    url, _ = served
    chat = assistant.chat()
    chat.ask(LAVROV)
    want = chat.ask("And what about the US?")
    r = httpx.post(f"{url}/api/ask", json={"question": "And what about the US?", "history": [LAVROV]})
    assert r.status_code == 200
    assert r.json()["answer"] == want.text != assistant.ask("And what about the US?").text


@pytest.mark.parametrize("body, says", [
    ({}, "question"),
    ({"question": 42}, "question"),
    ({"question": "   "}, "empty"),
    ({"question": LAVROV, "k": 0}, "k"),
    ({"question": LAVROV, "extra": 1}, "extra"),
    ({"question": LAVROV, "history": "not a list"}, "history"),
])
def test_rest_bad_input_is_a_400_with_one_line(served, body, says):
    url, _ = served
    r = httpx.post(f"{url}/api/ask", json=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert says in error and "\n" not in error and "Traceback" not in error


def test_rest_malformed_json_and_too_large_requests(served):
    url, _ = served
    r = httpx.post(f"{url}/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    r = httpx.post(f"{url}/api/ask", json={"question": "x" * 3000})
    assert r.status_code == 413 and "limit is 2,000" in r.json()["error"]
    r = httpx.post(f"{url}/api/ask", json={"question": "x" * 100_000})
    assert r.status_code == 413 and "bytes" in r.json()["error"]


def test_rest_busy_is_a_503_with_retry_after(assistant):
    with serving(assistant, concurrency=1, waiting=0) as url:
        (gate,) = [g for g in _gates() if (g.running, g.waiting) == (1, 0)]
        with gate.slot():  # the one answer slot is taken, and nobody may wait
            r = httpx.post(f"{url}api/ask", json={"question": LAVROV})
        assert r.status_code == 503 and r.headers["Retry-After"] == "2" and "busy" in r.json()["error"]
        assert httpx.post(f"{url}api/ask", json={"question": LAVROV}).status_code == 200


def _gates():
    import gc

    from ui.api import Answers

    return [o.gate for o in gc.get_objects() if isinstance(o, Answers)]


def test_rest_status_and_documents(served, assistant):
    url, _ = served
    status = httpx.get(f"{url}/api/status").json()
    assert status["documents"] == 5 and status["passages"] > 0
    docs = httpx.get(f"{url}/api/documents").json()
    assert sorted(d["source"] for d in docs) == sorted(p.name for p in CORPUS.glob("*.txt"))
    source = docs[0]["source"]
    one = httpx.get(f"{url}/api/documents/{source}").json()
    assert one["text"] == assistant.document_text(source)
    for bad in ("notes.rtf", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "nope.txt"):
        r = httpx.get(f"{url}/api/documents/{bad}")
        assert r.status_code == 404 and "not an indexed document" in r.json()["error"]


def test_the_openapi_docs_load_nothing_from_outside(served):
    import re

    url, _ = served
    page = httpx.get(f"{url}/docs")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=['"]([^'"]+)""", page.text)
    assert sources and all(s.startswith("/") for s in sources if s), sources
    for s in sources:
        if s:
            assert httpx.get(f"{url}{s}").status_code == 200
    spec = httpx.get(f"{url}/openapi.json").json()
    assert {"/api/ask", "/api/status", "/api/documents", "/v1/chat/completions", "/v1/models"} <= set(spec["paths"])


def test_openai_client_gets_the_answer_and_citations(served, assistant):
    from openai import OpenAI

    url, log = served
    client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    assert [m.id for m in client.models.list()] == ["rag-assistant"]
    reply = client.chat.completions.create(model="rag-assistant", messages=[{"role": "user", "content": LAVROV}])
    want = assistant.ask(LAVROV)
    assert reply.choices[0].message.content == want.text
    cites = reply.model_extra["citations"]
    assert [c["quote"] for c in cites] == [c.quote for c in want.citations]
    assert {"source", "title", "start", "end", "quote", "page"} <= set(cites[0])
    assert log.outbound == []


def test_openai_client_streams_and_follows_up(served, assistant):
    from openai import OpenAI

    url, _ = served
    client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    chat = assistant.chat()
    first = chat.ask(LAVROV)
    want = chat.ask("And what about the US?")
    messages = [{"role": "user", "content": LAVROV}, {"role": "assistant", "content": first.text},
                {"role": "user", "content": "And what about the US?"}]
    chunks = list(client.chat.completions.create(model="rag-assistant", messages=messages, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == want.text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c["quote"] for c in chunks[-1].model_extra["citations"]] == [c.quote for c in want.citations]


def test_openai_errors_use_openais_shape(served):
    from openai import BadRequestError, NotFoundError, OpenAI

    url, _ = served
    client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": LAVROV}])
    with pytest.raises(BadRequestError, match="last message must be the user"):
        client.chat.completions.create(model="rag-assistant", messages=[{"role": "system", "content": "hi"}])


async def _mcp_http(url: str, headers: dict | None = None):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with streamablehttp_client(f"{url}/mcp", headers=headers) as (read, write, _):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = sorted(t.name for t in (await session.list_tools()).tools)
            asked = await session.call_tool("ask", {"question": LAVROV})
            doc = await session.call_tool("get_document", {"source": asked.structuredContent["citations"][0]["source"]})
            missing = await session.call_tool("get_document", {"source": "../../etc/passwd"})
            return tools, asked, doc, missing


def test_mcp_over_http_lists_and_calls_the_tools(served, assistant):
    url, log = served
    tools, asked, doc, missing = asyncio.run(_mcp_http(url))
    assert tools == ["ask", "get_document"]
    want = assistant.ask(LAVROV)
    assert asked.structuredContent["answer"] == want.text and not asked.isError
    assert [c["quote"] for c in asked.structuredContent["citations"]] == [c.quote for c in want.citations]
    assert want.text in asked.content[0].text
    source = want.citations[0].source
    assert doc.content[0].text == assistant.document_text(source)
    assert missing.isError and "not an indexed document" in missing.content[0].text
    assert log.outbound == []


def test_the_token_guards_api_v1_and_mcp(locked):
    url = locked
    for method, path, body in (("POST", "/api/ask", {"question": LAVROV}), ("GET", "/api/status", None),
                               ("GET", "/v1/models", None)):
        assert httpx.request(method, f"{url}{path}", json=body).status_code == 401
        bad = httpx.request(method, f"{url}{path}", json=body, headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401 and "not valid" in json.dumps(bad.json())
        good = httpx.request(method, f"{url}{path}", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    headers = {"Accept": "application/json, text/event-stream"}
    assert httpx.post(f"{url}/mcp", json=init, headers=headers).status_code == 401
    tools, asked, _, _ = asyncio.run(_mcp_http(url, {"Authorization": f"Bearer {TOKEN}"}))
    assert tools == ["ask", "get_document"] and not asked.isError


def test_the_login_is_rate_limited(locked):
    url = locked
    codes = [httpx.post(f"{url}/login", data={"username": "analyst", "password": f"guess{i}"}).status_code
             for i in range(7)]
    assert codes[:5] == [400] * 5 or all(c in (400, 401) for c in codes[:5])
    assert codes[5] == 429 and codes[6] == 429
    r = httpx.post(f"{url}/login", data={"username": "analyst", "password": "s3cret-pass"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_serve_beyond_loopback_needs_a_token_or_a_login(tmp_path):
    from conftest import core_run_cli

    proc = core_run_cli("serve", "--host", "0.0.0.0", "--no-index", "--corpus", str(CORPUS),
                        "--home", str(tmp_path / "home"), timeout=60)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--api-token" in lines[0] and "--auth" in lines[0]
    short = core_run_cli("serve", "--api-token", "short", "--no-index", "--corpus", str(CORPUS), timeout=60)
    assert short.returncode != 0 and "at least 16 characters" in short.stderr


@pytest.mark.slow
def test_mcp_over_stdio_with_rag_mcp(assistant):
    """A desktop client starts ``rag mcp`` and talks to it on stdin/stdout (the SDK's own client)."""
    import os

    from conftest import RAG_BIN
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    params = StdioServerParameters(command=str(RAG_BIN), env=env, args=[
        "mcp", "--corpus", str(assistant.corpus_dir), "--home", str(assistant.home)])

    async def run():
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = sorted(t.name for t in (await session.list_tools()).tools)
                return tools, await session.call_tool("ask", {"question": LAVROV})

    tools, asked = asyncio.run(asyncio.wait_for(run(), 120))
    assert tools == ["ask", "get_document"]
    assert asked.structuredContent["answer"] == assistant.ask(LAVROV).text


def test_beyond_loopback_with_a_login_only_the_apis_stay_off(assistant):
    from fastapi.testclient import TestClient

    from ui.api import build_api

    client = TestClient(build_api(assistant, token=None, loopback=False, mcp=False))
    r = client.post("/api/ask", json={"question": LAVROV})
    assert r.status_code == 401 and "--api-token" in r.json()["error"]
    assert client.get("/v1/models").status_code == 401


def test_without_a_token_only_requests_for_a_loopback_name_are_served(assistant):
    from fastapi.testclient import TestClient

    from ui.api import build_api

    client = TestClient(build_api(assistant, token=None, loopback=True, mcp=False), base_url="http://127.0.0.1:7860")
    assert client.get("/api/status").status_code == 200
    rebound = client.get("/api/status", headers={"host": "evil.example:7860"})
    assert rebound.status_code == 403 and "loopback" in rebound.json()["error"]
