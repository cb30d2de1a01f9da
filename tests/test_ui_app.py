"""The chat page over the real Assistant and corpus: API, bad input, uploads, auth, no outbound traffic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")

from ui.handlers import Page, Session  # noqa: E402
from ui.testing import record_connections, serving  # noqa: E402

LAVROV = "What did Lavrov say about ISIS numbers?"


@pytest.fixture(scope="module")
def assistant(module_assistant):
    return module_assistant


@pytest.fixture(scope="module")
def served(assistant):
    """(base URL, connection log) of the real page; every outbound connection attempt is recorded."""
    with record_connections() as log, serving(assistant) as url:
        yield url, log


def _client(url, **kw):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False, **kw)


def _assert_citations_point_into_the_corpus(result: dict, corpus: Path) -> None:
    for c in result["citations"] + result["related"]:
        text = (corpus / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"]:c["end"]] == c["quote"]
        assert c["passage_start"] <= c["start"] < c["end"] <= c["passage_end"]


def _history_text(history) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", m["content"]) for m in history)


@pytest.mark.enable_socket
def test_ask_api_returns_the_answer_json_with_offsets(served, assistant):
    url, log = served
    result = _client(url).predict(LAVROV, api_name="/ask")
    assert result["abstained"] is False
    assert "1,000" in result["answer"] and "[1]" in result["answer"]
    assert result["question"] == LAVROV
    assert any("1,000" in c["quote"] for c in result["citations"])
    _assert_citations_point_into_the_corpus(result, Path(assistant.corpus_dir))
    assert result == assistant.ask(LAVROV).to_dict() | {"timings_ms": result["timings_ms"]}
    assert log.outbound == []


@pytest.mark.enable_socket
def test_ask_api_abstains_with_related_passages(served, assistant):
    url, _ = served
    result = _client(url).predict("Who won the 2022 football World Cup?", api_name="/ask")
    assert result["abstained"] is True and result["citations"] == []
    assert result["related"], "an abstention lists the closest passages it found"
    _assert_citations_point_into_the_corpus(result, Path(assistant.corpus_dir))


@pytest.mark.enable_socket
@pytest.mark.parametrize("question, says", [("", "empty"), ("   ", "empty"), ("x" * 100_000, "100,000 characters")])
def test_ask_api_bad_input_is_one_clear_error(served, question, says):
    from gradio_client.exceptions import AppError

    url, _ = served
    client = _client(url)
    with pytest.raises(AppError, match=says):
        client.predict(question, api_name="/ask")
    assert client.predict(LAVROV, api_name="/ask")["abstained"] is False  # still serving


@pytest.mark.enable_socket
def test_page_and_api_make_no_outbound_connection(served):
    """Loading the page, its config and assets, and asking, only ever talks to 127.0.0.1."""
    import httpx

    url, log = served
    with httpx.Client(base_url=url, timeout=30) as http:
        page = http.get("/")
        assert page.status_code == 200
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text)[:20]:
            http.get(asset)
        assert http.get("/config").status_code == 200
    _client(url).predict(LAVROV, api_name="/ask")
    assert log.loopback, "the recorder saw the test's own loopback traffic"
    assert log.outbound == []
    assert not re.search(r'(?:src|href)="https?://(?!127\.0\.0\.1)', page.text)


@pytest.mark.enable_socket
def test_auth_is_required_when_set(assistant):
    import httpx

    with record_connections() as log, serving(assistant, auth=("analyst", "s3cret")) as url:
        assert httpx.get(url + "config", timeout=30).status_code == 401
        with pytest.raises(Exception):
            _client(url, auth=("analyst", "wrong"))
        result = _client(url, auth=("analyst", "s3cret")).predict(LAVROV, api_name="/ask")
        assert "1,000" in result["answer"]
    assert log.outbound == []


def test_chat_keeps_history_per_session_and_new_chat_forgets(assistant):
    page = Page(assistant)
    *_, (history_a, session_a, _) = page.respond(
        "Who led Pakistan's delegation at the Moscow meeting?", [], None)
    *_, (history_b, session_b, _) = page.respond(LAVROV, [], None)
    assert session_a is not session_b
    *_, (history_a, session_a, _) = page.respond("And who led the Russian side?", history_a, session_a)
    assert len(session_a.chat.history) == 2 and len(session_b.chat.history) == 1
    assert "Vershinin" in _history_text(history_a[-1:])
    assert "Vershinin" not in _history_text(history_b)
    history, session, _ = page.new_chat(session_a)
    assert history == [] and session.chat.history == ()


@pytest.mark.parametrize("message, says", [
    ("", "empty"), ("   \n ", "empty"), ("x" * 100_000, "100,000 characters"),
])
def test_bad_chat_input_gets_a_clear_message_in_the_chat(assistant, message, says):
    page = Page(assistant)
    before = assistant.status()
    *_, (history, session, _) = page.respond(message, [], None)
    assert history[-1]["role"] == "assistant" and says in history[-1]["content"]
    assert "rag-notice-error" in history[-1]["content"]
    assert len(history[-1]["content"]) < 2_000  # the 100 kB message is not echoed back whole
    *_, (history, _, _) = page.respond(LAVROV, history, session)
    assert "1,000" in history[-1]["content"]
    assert assistant.status().passages == before.passages


def test_article_viewer_only_opens_indexed_files(assistant):
    page = Page(assistant)
    answer = assistant.ask(LAVROV)
    c = answer.citations[0]
    request = {"source": c.source, "n": c.n, "start": c.start, "end": c.end,
               "passage_start": c.passage_start, "passage_end": c.passage_end}
    html = page.open_article(request)
    assert re.findall(r'<mark class="rag-hl">(.*?)</mark>', html) == [c.quote]
    for source in ("../pyproject.toml", "/etc/passwd", "../corpus/" + c.source, "missing.txt"):
        refused = page.open_article(request | {"source": source})
        assert "not in the index" in refused and "<mark" not in refused
    assert "bad offsets" in page.open_article(request | {"start": "1; DROP"})


def test_upload_rejects_bad_files_and_indexes_good_ones(assistant, tmp_path):
    page = Page(assistant)
    corpus = Path(assistant.corpus_dir)
    before_files = sorted(p.name for p in corpus.iterdir())
    before = assistant.status()
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    latin = tmp_path / "latin.md"
    latin.write_bytes("Caf\xe9 au lait".encode("latin-1"))
    history, _, cleared = page.upload([str(binary), str(latin)], [])
    message = history[-1]["content"]
    assert "binary" in message and "UTF-8" in message and cleared is None
    assert sorted(p.name for p in corpus.iterdir()) == before_files
    assert assistant.status().passages == before.passages

    good = tmp_path / "zanzibar note.txt"
    good.write_text("Zanzibar Ferry Report\n\nThe Zanzibar ferry carried 412 passengers on Sunday.\n",
                    encoding="utf-8")
    history, status, _ = page.upload([str(good)], history)
    assert "Added zanzibar note.txt as zanzibar_note.txt" in history[-1]["content"]
    assert "1 added" in history[-1]["content"]
    assert assistant.status().documents == before.documents + 1
    answer = assistant.ask("How many passengers did the Zanzibar ferry carry?")
    assert "412" in answer.text and answer.citations[0].source == "zanzibar_note.txt"
    # uploading it again changes nothing; uploading different content never overwrites
    history, _, _ = page.upload([str(good)], history)
    assert "already in the corpus" in history[-1]["content"]
    good.write_text("Something else entirely about ferries.\n", encoding="utf-8")
    history, _, _ = page.upload([str(good)], history)
    assert "zanzibar_note-2.txt" in history[-1]["content"]
    assert "412" in (corpus / "zanzibar_note.txt").read_text(encoding="utf-8")
    (corpus / "zanzibar_note.txt").unlink()
    (corpus / "zanzibar_note-2.txt").unlink()
    assistant.index()


def test_reindex_reports_and_updates_status(assistant):
    page = Page(assistant)
    seen = []
    html = page.reindex(lambda value, desc="": seen.append((value, desc)))
    assert "documents" in html and "nothing changed" in html
    assert seen and seen[-1][0] == 1.0


def test_session_survives_gradio_state_copy(assistant):
    import copy

    s = Session(assistant.chat())
    assert copy.deepcopy(s) is s


@pytest.mark.enable_socket
def test_connection_recorder_catches_and_blocks_outbound_attempts():
    import socket

    with record_connections() as log:
        with pytest.raises(ConnectionRefusedError, match="blocked"):
            socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never routed
    assert log.outbound == [("192.0.2.1", 80)]
