"""What the page shows, from its HTML: escaping, citation markers, highlights, uploads (no server)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import Answer, Citation  # noqa: E402
from ui import render  # noqa: E402
from ui.uploads import safe_name, save_upload  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LAVROV_FILE = "004_db4d729b4f8bc47f.txt"


def _citation_of(sentence: str, n: int = 1, source: str = LAVROV_FILE, title: str = "T") -> Citation:
    """A citation of ``sentence`` where it really is in the corpus file, passage = its paragraph."""
    text = (CORPUS / source).read_text(encoding="utf-8")
    start = text.index(sentence)
    end = start + len(sentence)
    ps = text.rfind("\n", 0, start) + 1
    pe = text.find("\n", end)
    return Citation(n=n, source=source, title=title, start=start, end=end, quote=text[start:end],
                    score=0.9, passage_id="p", passage_start=ps, passage_end=pe if pe > 0 else len(text))


def _text_of(source: str) -> str:
    return (CORPUS / source).read_text(encoding="utf-8")


def _visible(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def test_marker_becomes_a_button_that_encodes_the_cited_span():
    c = _citation_of("there are already 1,000 ISIS militants in Afghanistan")
    a = Answer(question="q", text="Lavrov said there are already 1,000 ISIS militants in Afghanistan [1].",
               abstained=False, citations=(c,))
    html = render.answer_html(a, _text_of)
    tokens = re.findall(r'<button type="button" class="rag-cite"[^>]*value="([^"]+)">\[1\]</button>', html)
    assert tokens, html
    n, s, e, ps, pe, src = tokens[0].split("|")
    assert (int(n), int(s), int(e), src) == (1, c.start, c.end, LAVROV_FILE)
    assert int(ps) <= int(s) and int(pe) >= int(e)
    assert "1,000" in _visible(html)


def test_source_card_marks_exactly_the_cited_sentence():
    c = _citation_of("The militants are mostly located in Eastern and Northern Afghanistan.")
    a = Answer(question="q", text="They are in the east and north [1].", abstained=False, citations=(c,))
    html = render.answer_html(a, _text_of)
    marked = re.findall(r'<mark class="rag-sent">(.*?)</mark>', html)
    assert marked == [c.quote]
    assert "Sources" in html and LAVROV_FILE in html


def test_article_view_shows_whole_file_with_passage_and_sentence_highlighted():
    c = _citation_of("there are already 1,000 ISIS militants in Afghanistan")
    text = _text_of(LAVROV_FILE)
    html = render.article_html("Pakistan And Russia", render.Span.of(c), text, 1)
    assert re.findall(r'<mark class="rag-hl">(.*?)</mark>', html) == [c.quote]
    passage = re.search(r'<span class="rag-passage-hl">(.*?)</span>', html).group(1)
    assert _visible(passage.replace("<br>", "\n")) == text[c.passage_start:c.passage_end]
    # the whole article is there, not just the passage
    assert _visible(html.replace("<br>", "\n")).count("Pakistan Responds") == text.count("Pakistan Responds")


def test_everything_from_the_corpus_and_the_user_is_escaped():
    evil = '<img src=x onerror="alert(1)">'
    c = Citation(n=1, source="a<b>.txt", title=evil, start=0, end=len(evil), quote=evil, score=1.0)
    a = Answer(question=evil, text=evil + " [1]", abstained=False, citations=(c,))
    for html in (render.answer_html(a, lambda s: evil), render.user_html(evil),
                 render.notice_html(evil), render.article_html(evil, render.Span.of(c), evil)):
        assert "<img" not in html and "&lt;img" in html


def test_abstention_is_said_as_such_with_related_passages():
    c = _citation_of("The militants are mostly located in Eastern and Northern Afghanistan.")
    a = Answer(question="q", text="The corpus does not say.", abstained=True, related=(c,))
    html = render.answer_html(a, _text_of)
    assert "rag-abstain" in html and "The corpus does not say." in html
    assert "Related passages" in html and "related 1" in html
    assert "Sources" not in _visible(html)


def test_huge_user_message_is_shortened_for_display():
    html = render.user_html("x" * 100_000)
    assert len(html) < 2_000 and "100,000 characters" in html


def test_markers_without_a_citation_stay_plain_text():
    a = Answer(question="q", text="See [7].", abstained=False)
    assert "rag-cite" not in render.answer_html(a, _text_of)


@pytest.mark.parametrize("raw, expected", [
    ("notes.txt", "notes.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\Report Final.MD", "Report_Final.md"),
    (".hidden.txt", "hidden.txt"),
    ("Ünïcödé – news.txt", "Ünïcödé_news.txt"),
    ("日本語.txt", "日本語.txt"),
    ("отчёт 2024.md", "отчёт_2024.md"),
])
def test_upload_names_are_reduced_to_plain_corpus_names(raw, expected):
    assert safe_name(raw) == expected


@pytest.mark.parametrize("raw", ["photo.png", "archive.txt.gz", "", "noext"])
def test_upload_names_of_other_kinds_are_refused(raw):
    with pytest.raises(ValueError):
        safe_name(raw)


def test_upload_refuses_binary_and_non_utf8_and_writes_nothing(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    cases = {"bin.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00", "latin1.txt": "café".encode("latin-1")}
    for name, data in cases.items():
        up = tmp_path / name
        up.write_bytes(data)
        result = save_upload(corpus, up, name)
        assert not result.ok and result.message.startswith("Not added")
    assert "binary" in save_upload(corpus, tmp_path / "bin.txt", "bin.txt").message
    assert "UTF-8" in save_upload(corpus, tmp_path / "latin1.txt", "latin1.txt").message
    assert list(corpus.iterdir()) == []


def test_upload_never_overwrites(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.txt").write_text("original", encoding="utf-8")
    same = tmp_path / "same.txt"
    same.write_text("original", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("different", encoding="utf-8")

    r1 = save_upload(corpus, same, "news.txt")
    assert r1.ok and "already in the corpus" in r1.message
    r2 = save_upload(corpus, other, "news.txt")
    assert r2.ok and r2.saved_as == "news-2.txt" and "kept" in r2.message
    assert (corpus / "news.txt").read_text(encoding="utf-8") == "original"
    assert (corpus / "news-2.txt").read_text(encoding="utf-8") == "different"


def test_page_says_what_was_searched_for_and_how_confident_the_reader_is():
    c = _citation_of("there are already 1,000 ISIS militants in Afghanistan")
    a = Answer(question="how many isis militnts", text="Lavrov said there are already 1,000 ISIS militants in "
               "Afghanistan [1].", abstained=False, citations=(c,), confidence=0.8312,
               searched_for="how many isis <militants>")
    shown = _visible(render.answer_html(a, _text_of))
    assert "searched for “how many isis <militants>”" in shown.replace("&lt;", "<").replace("&gt;", ">")
    assert "<militants>" not in render.answer_html(a, _text_of)  # the corrected text is escaped too
    assert "confidence 0.83" in shown
    plain = Answer(question="q", text="The corpus does not say.", abstained=True)
    assert "searched for" not in render.answer_html(plain, _text_of)
    assert "confidence" not in render.answer_html(plain, _text_of)
    # under an abstention the number is the closest (unshown) sentence's, and says so
    refused = Answer(question="q", text="The corpus does not say.", abstained=True, confidence=0.64)
    shown = _visible(render.answer_html(refused, _text_of))
    assert "closest sentence: confidence 0.64" in shown
