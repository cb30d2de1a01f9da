"""docs/api.md's examples, run as written (curl, the openai SDK, the MCP client) against a live
server with a token; only the address is changed to the test server's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("gradio")

from ui.testing import serving  # noqa: E402

pytestmark = pytest.mark.enable_socket

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"
TOKEN = "docs-token-0123456789abcdef"
BLOCK = re.compile(r"```(bash|python)\n(.*?)```", re.S)


def _blocks(lang: str) -> list[str]:
    return [code for kind, code in BLOCK.findall(DOC.read_text(encoding="utf-8")) if kind == lang]


@pytest.fixture(scope="module")
def url(module_assistant):
    with serving(module_assistant, token=TOKEN) as base:
        yield base.rstrip("/")


def _run(cmd: list[str], code: str, url: str) -> str:
    env = {**os.environ, "RAG_API_TOKEN": TOKEN}
    proc = subprocess.run([*cmd, code.replace("http://127.0.0.1:7860", url)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_doc_has_the_examples_the_issue_asks_for():
    bash, python = _blocks("bash"), _blocks("python")
    assert sum("/api/" in b for b in bash) >= 2 and sum("/v1/chat/completions" in b for b in bash) == 2
    assert any("from openai import OpenAI" in p for p in python)
    assert any("streamablehttp_client" in p for p in python)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_examples_run_as_written(url):
    outputs = [_run(["bash", "-c"], code, url) for code in _blocks("bash")]
    joined = "\n".join(outputs)
    assert '"1,000 ISIS militants' in joined or "1,000 ISIS militants" in joined
    assert '"error"' not in joined
    assert "data: [DONE]" in joined and '"citations"' in joined


def test_python_examples_run_as_written(url):
    outputs = [_run([sys.executable, "-c"], code, url) for code in _blocks("python")]
    sdk = next(o for o, c in zip(outputs, _blocks("python")) if "openai" in c)
    assert "1,000" in sdk and "citations" in sdk
    mcp = next(o for o, c in zip(outputs, _blocks("python")) if "streamablehttp_client" in c)
    assert "['ask', 'get_document']" in mcp and "1,000" in mcp
