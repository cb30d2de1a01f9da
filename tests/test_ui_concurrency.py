"""Many people at once: each gets their own answer, citations and chat history."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")

from ui.handlers import Page  # noqa: E402
from ui.testing import record_connections, serving  # noqa: E402

pytestmark = pytest.mark.slow

CONCURRENCY = 4
QUESTIONS = [
    "What did Lavrov say about ISIS numbers?",
    "How many people were killed in the Crocus City Hall attack?",
    "When was the CSTO established?",
    "How many lives has Pakistan lost in the fight against terrorism?",
    "Who led Pakistan's delegation at the Moscow meeting?",
    "Who is the CSTO Secretary General?",
    "Where are the ISIS militants in Afghanistan mostly located?",
    "What does Pakistan accuse the TTP of?",
    "How much aid has the United States given Pakistan?",
    "What did Trump announce about security aid to Pakistan?",
    "Which countries are members of the CSTO?",
    "What did Lavrov say about NATO?",
    "What is the Tehrik-e-Taliban Pakistan?",
    "Where did the Joint Working Group meet?",
    "What did the CSTO say about terrorism from Afghanistan?",
    "Who won the 2022 football World Cup?",
    "What is the capital of France?",
    "What did Russia say about unmarked helicopters?",
    "What did Kabul say about the accusations?",
    "What did Tasmagambetov emphasize?",
]
FOLLOW_UP = "And what about the US?"


@pytest.fixture(scope="module")
def assistant(module_assistant):
    return module_assistant


def _without_timings(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "timings_ms"}


def _all_at_once(fn, items):
    """Run ``fn`` on every item in its own thread, all released together."""
    gate = threading.Barrier(len(items))

    def run(item):
        gate.wait()
        return fn(item)

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(run, items))


@pytest.mark.enable_socket
def test_twenty_simultaneous_api_questions_each_get_their_own_answer(assistant):
    from gradio_client import Client

    expected = {q: _without_timings(assistant.ask(q).to_dict()) for q in QUESTIONS}
    assert len({e["answer"] + str(e["citations"]) for e in expected.values() if not e["abstained"]}) >= 15

    running, peak, lock = 0, 0, threading.Lock()
    real_ask = assistant.ask

    def counting_ask(*args, **kwargs):  # a spy on the real method: counts answers in flight
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return real_ask(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    assistant.ask = counting_ask
    try:
        with record_connections() as log, serving(assistant, concurrency=CONCURRENCY) as url:
            def ask(question):
                client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
                return client.predict(question, api_name="/ask")

            results = _all_at_once(ask, QUESTIONS)
    finally:
        del assistant.ask
    for question, result in zip(QUESTIONS, results):
        assert _without_timings(result) == expected[question], question
    assert 1 <= peak <= CONCURRENCY, f"{peak} answers ran at once; the page allows {CONCURRENCY}"
    assert log.outbound == []


def test_twenty_simultaneous_chats_keep_their_own_histories(assistant):
    page = Page(assistant)

    def converse(question):
        *_, (history, session, _) = page.respond(question, [], None)
        *_, (history, session, _) = page.respond(FOLLOW_UP, history, session)
        return history, [t.question for t in session.chat.history], [t.answer for t in session.chat.history]

    sequential = [converse(q) for q in QUESTIONS]
    parallel = _all_at_once(converse, QUESTIONS)
    for question, (h_seq, q_seq, a_seq), (h_par, q_par, a_par) in zip(QUESTIONS, sequential, parallel):
        assert q_par == [question, FOLLOW_UP]
        assert [a.text for a in a_par] == [a.text for a in a_seq], question
        assert [a.citations for a in a_par] == [a.citations for a in a_seq], question
        assert [m["content"] for m in h_par] == [m["content"] for m in h_seq], question
    follow_ups = {a_par[-1].text for _, _, a_par in parallel}
    assert len(follow_ups) > 1, "the same follow-up got different answers in different conversations"
