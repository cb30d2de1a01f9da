"""Load on the APIs: ``python scripts/bench_api.py [--clients 50] [--seconds 60]``.

Starts ``rag serve`` over ``corpus/`` in its own process, on a free loopback port, with a token.
Then 50 concurrent clients (asyncio + httpx, one more process) ask the gold questions in turn for
60 s against ``/api/ask``, and the same against ``/v1/chat/completions``. Prints the requests
answered, the failures (any status but 200, or a transport error), the throughput, and p50/p95/max
latency. Then one warm call over each way in, one at a time, for their single-call latency (REST,
/v1, MCP over streamable HTTP, MCP over stdio with ``rag mcp``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
RAG = Path(sys.executable).parent / "rag"
TOKEN = "bench-token-0123456789abcdef"


def _questions() -> list[str]:
    rows = [json.loads(line) for line in (REPO / "eval" / "questions.jsonl").read_text().splitlines() if line]
    return [r["question"] for r in rows if not r.get("history")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(home: Path, port: int) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "RAG_API_TOKEN": TOKEN}
    subprocess.run([str(RAG), "index", "--corpus", str(REPO / "corpus"), "--home", str(home)], check=True,
                   capture_output=True, env=env)
    proc = subprocess.Popen([str(RAG), "serve", "--corpus", str(REPO / "corpus"), "--home", str(home),
                             "--port", str(port), "--no-index"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", headers=_auth()).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("rag serve did not start")


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def _body(path: str, question: str) -> dict:
    if path == "/api/ask":
        return {"question": question}
    return {"model": "rag-assistant", "messages": [{"role": "user", "content": question}]}


async def _client(http: httpx.AsyncClient, url: str, path: str, questions: list[str], start: int,
                  until: float, times: list[float], failures: list[str]) -> None:
    i = start
    while time.monotonic() < until:
        q = questions[i % len(questions)]
        i += 1
        t = time.perf_counter()
        try:
            r = await http.post(f"{url}{path}", json=_body(path, q), headers=_auth(), timeout=120)
            if r.status_code != 200:
                failures.append(f"{r.status_code}: {r.text[:100]}")
                continue
        except httpx.HTTPError as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        times.append(time.perf_counter() - t)


async def load(url: str, path: str, clients: int, seconds: float, questions: list[str]) -> dict:
    times: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_client(http, url, path, questions, i, until, times, failures)
                               for i in range(clients)))
    ms = sorted(1000 * t for t in times)
    return {"path": path, "clients": clients, "seconds": seconds, "answered": len(ms), "failed": len(failures),
            "per_s": len(ms) / seconds, "p50": statistics.median(ms) if ms else None,
            "p95": ms[int(0.95 * (len(ms) - 1))] if ms else None, "max": ms[-1] if ms else None,
            "first_failures": failures[:3]}


def single_calls(url: str, home: Path, question: str, rounds: int = 20) -> dict[str, float]:
    """Median warm latency of one call over each way in (ms)."""
    out = {}
    with httpx.Client(headers=_auth()) as http:
        for path in ("/api/ask", "/v1/chat/completions"):
            ts = []
            for _ in range(rounds):
                t = time.perf_counter()
                http.post(f"{url}{path}", json=_body(path, question)).raise_for_status()
                ts.append(1000 * (time.perf_counter() - t))
            out[path] = statistics.median(ts)
    out["mcp http"] = asyncio.run(_mcp_http(url, question, rounds))
    out["mcp stdio"] = asyncio.run(_mcp_stdio(home, question, rounds))
    return out


async def _mcp_calls(session, question: str, rounds: int) -> float:
    await session.initialize()
    ts = []
    for _ in range(rounds):
        t = time.perf_counter()
        await session.call_tool("ask", {"question": question})
        ts.append(1000 * (time.perf_counter() - t))
    return statistics.median(ts)


async def _mcp_http(url: str, question: str, rounds: int) -> float:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with streamablehttp_client(f"{url}/mcp", headers=_auth()) as (read, write, _):
        async with ClientSession(read, write) as session:
            return await _mcp_calls(session, question, rounds)


async def _mcp_stdio(home: Path, question: str, rounds: int) -> float:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=str(RAG), args=["mcp", "--corpus", str(REPO / "corpus"),
                                                           "--home", str(home), "--no-index"])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            return await _mcp_calls(session, question, rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    questions = _questions()
    with tempfile.TemporaryDirectory(prefix="rag-bench-api-") as tmp:
        port = _free_port()
        proc = _start(Path(tmp) / "home", port)
        url = f"http://127.0.0.1:{port}"
        try:
            single = single_calls(url, Path(tmp) / "home", questions[0])
            rows = [asyncio.run(load(url, p, args.clients, args.seconds, questions))
                    for p in ("/api/ask", "/v1/chat/completions")]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print("| way in | one warm call, median ms |")
    print("|---|---|")
    for name, ms in single.items():
        print(f"| {name} | {ms:.1f} |")
    print("\n| endpoint | clients | seconds | answered | failed | per s | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| `{r['path']}` | {r['clients']} | {r['seconds']:.0f} | {r['answered']:,} | {r['failed']} | "
              f"{r['per_s']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} |")
        for f in r["first_failures"]:
            print("  failure:", f)
    return 1 if any(r["failed"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
