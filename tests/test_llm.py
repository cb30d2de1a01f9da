"""Choosing an LLM backend with a spec string, and what a user sees when it is wrong or down."""

from __future__ import annotations

import json
import socket

import pytest

# isort: off
import rag  # noqa: F401  (offline environment first)
# isort: on

from llama_index.core.llms import MockLLM
from llm_support import extractive, hit_for

from rag.answer.generative import GenerativeAnswerer
from rag.errors import LLMError
from rag.llm import ScriptedLLM, parse_spec, resolve_llm, smollm2_path
from rag.verify import Verifier


@pytest.mark.parametrize("spec", [None, "", "none", " None ", "extractive"])
def test_none_means_extractive(spec):
    assert resolve_llm(spec) is None


def test_an_llm_object_is_used_as_is():
    llm = MockLLM()
    assert resolve_llm(llm) is llm


@pytest.mark.parametrize(
    "spec, message",
    [
        ("gpt4", "unknown --llm value 'gpt4'"),
        ("claude:opus", "unknown --llm value 'claude:opus'"),
        ("ollama:", "names no model"),
        ("gguf:", "write gguf:PATH"),
    ],
)
def test_bad_specs_fail_fast_naming_the_value(spec, message):
    with pytest.raises(LLMError, match=message) as err:
        resolve_llm(spec)
    assert "\n" not in str(err.value)


def test_parse_spec_keeps_colons_in_targets():
    assert parse_spec("ollama:llama3.2:1b") == parse_spec("OLLAMA: llama3.2:1b")
    assert parse_spec("ollama:llama3.2:1b").target == "llama3.2:1b"


def test_missing_gguf_file_is_one_line(tmp_path):
    with pytest.raises(LLMError, match="GGUF model file not found: .*nope.gguf"):
        resolve_llm(f"gguf:{tmp_path / 'nope.gguf'}")


@pytest.mark.parametrize("spec, extra", [("ollama:llama3", "ollama"), ("openai:gpt-4o-mini", "openai")])
def test_missing_extra_names_the_pip_install(monkeypatch, spec, extra):
    import rag.llm.resolve as llm_module

    real = llm_module.find_spec
    blocked = {"ollama": "llama_index.llms.ollama", "openai": "llama_index.llms.openai_like"}[extra]
    monkeypatch.setattr(llm_module, "find_spec", lambda name: None if name == blocked else real(name))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with pytest.raises(LLMError, match=rf"pip install 'rag-assistant\[{extra}\]'"):
        resolve_llm(spec)


@pytest.mark.parametrize(
    "env, url",
    [
        (None, "http://127.0.0.1:11434"),
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("gpu-box:8000", "http://gpu-box:8000"),
        (":56789", "http://127.0.0.1:56789"),
        ("https://ollama.example.org", "https://ollama.example.org:443"),
        ("example.com:56789/path/", "http://example.com:56789/path"),
    ],
)
def test_ollama_base_url_comes_from_ollama_host(monkeypatch, env, url):
    if env is None:
        monkeypatch.delenv("OLLAMA_HOST", raising=False)
    else:
        monkeypatch.setenv("OLLAMA_HOST", env)
    llm = resolve_llm("ollama:llama3.2:1b")
    assert llm.base_url == url and llm.model == "llama3.2:1b"


def test_ollama_option_wins_over_environment(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "elsewhere:1")
    assert resolve_llm("ollama:m", base_url="http://127.0.0.1:9999").base_url == "http://127.0.0.1:9999"


def test_openai_needs_a_key_or_a_base_url(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        resolve_llm("openai:gpt-4o-mini")
    llm = resolve_llm("openai:local-model", base_url="http://127.0.0.1:8080/v1")
    assert llm.api_base == "http://127.0.0.1:8080/v1" and llm.model == "local-model"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert resolve_llm("openai:gpt-4o-mini").api_key == "sk-from-env"
    with pytest.raises(LLMError, match="not an http"):
        resolve_llm("openai:m", base_url="127.0.0.1:8080")


def test_gguf_smollm2_resolves_without_loading_the_model():
    pytest.importorskip("xllamacpp")
    try:
        smollm2_path()
    except LLMError as exc:
        pytest.skip(str(exc))
    llm = resolve_llm("gguf:smollm2", context_window=2048, max_tokens=64)
    assert llm.metadata.context_window == 2048 and llm.metadata.num_output == 64
    assert llm.metadata.model_name.endswith(".gguf") and llm._server is None


def test_scripted_llm_from_files(tmp_path):
    text = tmp_path / "reply.txt"
    text.write_text("The CSTO was established in 2002 [1].\n", encoding="utf-8")
    assert resolve_llm(f"script:{text}").complete("anything").text == "The CSTO was established in 2002 [1]."
    listed = tmp_path / "replies.json"
    listed.write_text(json.dumps(["first", "second"]), encoding="utf-8")
    llm = resolve_llm(f"script:{listed}")
    assert [llm.complete("a").text, llm.complete("b").text, llm.complete("c").text] == ["first", "second", "second"]
    ruled = tmp_path / "rules.json"
    ruled.write_text(json.dumps({"replies": ["default"], "rules": {"Standalone question": "When was the CSTO founded?"}}))
    llm = resolve_llm(f"script:{ruled}")
    assert llm.complete("... Standalone question:").text == "When was the CSTO founded?"
    assert llm.complete("Question: x").text == "default"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(LLMError, match="not valid JSON"):
        resolve_llm(f"script:{bad}")
    with pytest.raises(LLMError, match="cannot read LLM script"):
        resolve_llm(f"script:{tmp_path / 'missing.txt'}")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.enable_socket
@pytest.mark.parametrize("kind", ["openai", "ollama"])
def test_unreachable_server_is_one_clear_line(kind):
    port = _closed_port()
    url = f"http://127.0.0.1:{port}" + ("/v1" if kind == "openai" else "")
    llm = resolve_llm(f"{kind}:some-model", base_url=url, timeout=5)
    gen = GenerativeAnswerer(llm, fallback=extractive(), verifier=Verifier)
    with pytest.raises(LLMError) as err:
        gen.answer("When was the CSTO established?", [hit_for("established in 2002")])
    message = str(err.value)
    assert "\n" not in message and f"127.0.0.1:{port}" in message and "failed to answer" in message
    with pytest.raises(LLMError):
        list(gen.stream("When was the CSTO established?", [hit_for("established in 2002")]))


def test_scripted_llm_needs_something_to_say():
    with pytest.raises(LLMError, match="at least one reply"):
        ScriptedLLM([])
