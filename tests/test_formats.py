"""PDF, Word and web pages: indexed, answered and cited to the right page or heading; bad files are
skipped with one line each while the rest of the folder is indexed (issue 12)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import core_run_cli, core_write
from formats_support import filler, make_docx, make_html, make_long_pdf, make_pdf, make_scanned_pdf

import rag

REAL = Path(__file__).parent / "data" / "real"
SALT = "The Varna salt works employed 312 divers in 2019."


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    c = root / "corpus"
    make_pdf(c / "report.pdf", [["# Coastal industries review", *filler(5)],
                                [*filler(2, 5), SALT, *filler(2, 7)],
                                filler(4, 9)], title="Coastal industries review")
    make_docx(c / "budget.docx", [("h1", "Harbour budget"),
                                  ("p", "The harbour board of Lenmouth publishes its budget every spring."),
                                  ("h2", "Shipments"),
                                  ("table", [["Year", "Tankers"], ["2020", "41"], ["2021", "58"]]),
                                  ("p", "The new pier was finished in March.")], title="Harbour budget")
    make_html(c / "tower.html", "Tallinn tower reopens",
              ["The epsilon tower in Tallinn has 88 floors and first opened in 1994.",
               "Its observation deck was closed for two years of repairs and reopened this week."])
    core_write(c / "notes.txt", "Notes\n\nThe Kaunas depot stores 777 copper kettles.\n")
    make_pdf(c / "locked.pdf", [["The vault code is kept here."]], encrypt="secret")
    make_scanned_pdf(c / "scan.pdf")
    whole = (c / "report.pdf").read_bytes()
    core_write(c / "broken.pdf", whole[: len(whole) // 3])
    core_write(c / "empty.pdf", b"")
    core_write(c / "fake.docx", "this is not a zip archive at all")
    a = rag.Assistant(corpus_dir=c, home=root / "home")
    report = a.index()
    yield a, report, c
    a.close()


def test_every_format_is_indexed_and_bad_files_are_skipped_with_one_line_each(docs):
    a, report, _ = docs
    indexed = {d.source: d.layout.kind for d in a.documents()}
    assert indexed == {"report.pdf": "pdf", "budget.docx": "docx", "tower.html": "html", "notes.txt": "text"}
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"locked.pdf", "scan.pdf", "broken.pdf", "empty.pdf", "fake.docx"}
    assert "encrypted" in reasons["locked.pdf"]
    assert "no text layer" in reasons["scan.pdf"]
    assert "empty" in reasons["empty.pdf"]
    assert reasons["broken.pdf"] == "broken.pdf: not a readable PDF (PDFium: Data format error)"
    assert reasons["fake.docx"] == "fake.docx: not a readable Word file (it is not a .docx package)"
    for source, reason in reasons.items():
        assert reason.startswith(f"{source}: ") and "\n" not in reason and "Traceback" not in reason


def _check_quotes(a: rag.Assistant, answer: rag.Answer) -> None:
    assert answer.citations
    for c in answer.citations:
        assert c.quote == a.document_text(c.source)[c.start:c.end]


def test_a_pdf_answer_is_cited_to_the_page_it_stands_on(docs):
    a, _, _ = docs
    answer = a.ask("How many divers did the Varna salt works employ?")
    assert not answer.abstained and "312" in answer.text
    cite = answer.citations[0]
    assert cite.source == "report.pdf" and cite.page == 2
    assert cite.to_dict()["page"] == 2 and "report.pdf, p. 2" in cite.label()
    _check_quotes(a, answer)


def test_the_cited_page_is_rendered_with_the_sentence_marked(docs):
    from PIL import Image

    a, _, _ = docs
    text = a.document_text("report.pdf")
    start = text.index(SALT)
    shown = a.page_image("report.pdf", start, start + len(SALT))
    assert shown.page == 2 and shown.marked
    image = Image.open(io.BytesIO(shown.png)).convert("RGB")
    marked = sum(1 for r, g, b in image.get_flattened_data() if r > 220 and g > 200 and b < 200)
    assert marked > 500  # the yellow box over the sentence
    blank = a.page_image("report.pdf", 0, 10)
    assert blank.page == 1
    with pytest.raises(rag.RagError):
        a.page_image("budget.docx", 0, 10)  # no pages
    with pytest.raises(rag.RagError):
        a.page_image("../secret.pdf", 0, 10)


def test_a_word_table_row_is_answered_with_its_header_and_heading(docs):
    a, _, _ = docs
    answer = a.ask("How many tankers were there in 2021?")
    assert not answer.abstained and "58" in answer.text
    cite = answer.citations[0]
    assert cite.source == "budget.docx" and cite.quote == "Year: 2021; Tankers: 58."
    assert cite.heading == "Shipments" and cite.page is None
    _check_quotes(a, answer)


def test_a_web_page_gives_its_article_and_metadata_without_the_furniture(docs):
    a, _, _ = docs
    text = a.document_text("tower.html")
    assert "88 floors" in text
    for furniture in ("cookies", "Advertisement", "Teaser headline", "Share on Facebook", "newsletter", "World"):
        assert furniture not in text
    info = next(d for d in a.documents() if d.source == "tower.html")
    assert info.title == "Tallinn tower reopens" and info.url == "https://news.example.org/2025/harbour"
    assert info.layout.date == "2025-05-04"
    answer = a.ask("How many floors does the epsilon tower in Tallinn have?")
    assert not answer.abstained and "88" in answer.text
    assert answer.citations[0].heading == "Tallinn tower reopens"
    _check_quotes(a, answer)


def test_cli_json_carries_the_page(docs, tmp_path):
    _, _, c = docs
    proc = core_run_cli("ask", "--corpus", str(c), "--home", str(tmp_path / "home"), "--json",
                        "How many divers did the Varna salt works employ?")
    assert proc.returncode == 0, proc.stderr
    cite = json.loads(proc.stdout)["citations"][0]
    assert cite["page"] == 2 and cite["source"] == "report.pdf"


def test_an_unchanged_pdf_is_not_read_again_and_a_changed_one_is(docs, tmp_path):
    _, _, c = docs
    corpus = tmp_path / "corpus"
    shutil.copytree(c, corpus)
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    a.index()
    again = a.index()
    assert not again.added and not again.updated
    make_pdf(corpus / "report.pdf", [["# Coastal industries review"], [SALT.replace("312", "313")]])
    changed = a.index()
    assert changed.updated == ("report.pdf",)
    assert "313" in a.ask("How many divers did the Varna salt works employ?").text
    a.close()


def test_a_500_page_pdf_is_read_page_by_page(tmp_path):
    path = make_long_pdf(tmp_path / "ledger.pdf", 500)
    doc = rag.read_document(path, tmp_path)
    assert len(doc.layout.pages) == 500
    at = doc.text.index("Ledger entry 377 records")
    assert doc.layout.page_at(at) == 377


def test_a_pdf_over_the_page_limit_is_refused_in_one_line(tmp_path, monkeypatch):
    from rag.ingest.formats import pdf

    monkeypatch.setattr(pdf, "MAX_PAGES", 3)
    path = make_long_pdf(tmp_path / "ledger.pdf", 4)
    with pytest.raises(rag.CorpusError, match=r"^ledger.pdf: the PDF has 4 pages, more than the limit of 3$"):
        rag.read_document(path, tmp_path)


def test_an_index_written_before_layouts_still_answers(docs, tmp_path):
    import sqlite3

    corpus = tmp_path / "corpus"
    core_write(corpus / "notes.txt", "Notes\n\nThe Kaunas depot stores 777 copper kettles.\n")
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    a.index()
    a.close()
    (records,) = (tmp_path / "home").rglob("records.sqlite")
    with sqlite3.connect(records) as db:
        db.execute("ALTER TABLE documents DROP COLUMN layout")
    b = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    answer = b.ask("How many copper kettles does the Kaunas depot store?")
    assert "777" in answer.text and answer.citations[0].page is None
    b.close()


@pytest.mark.parametrize("name, question, expected, where", [
    ("libtasn1.pdf", "Which header file does libtasn1 have?", "The header file of this library is", {"page": 7}),
    ("ch03-02-data-types.html", "What are Rust's four primary scalar types?", "integers, floating-point numbers",
     {"heading": "Scalar Types"}),
    ("tbl-having-applied-style.docx", "What does barfoo answer to foo to you?", "and a hearty foo to you too sir",
     {"heading": None}),
])
def test_real_world_files_are_answered_and_cited(tmp_path, name, question, expected, where):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REAL / name, corpus / name)
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    answer = a.ask(question)
    assert not answer.abstained, answer.notes
    assert expected in answer.text
    cite = answer.citations[0]
    for key, value in where.items():
        assert getattr(cite, key) == value
    _check_quotes(a, answer)
    a.close()


def test_uploads_take_documents_the_indexer_can_read_and_refuse_the_others(tmp_path):
    from ui.uploads import save_upload

    corpus = tmp_path / "corpus"
    up = tmp_path / "up"
    good = make_pdf(up / "review.pdf", [[SALT]])
    locked = make_pdf(up / "locked.pdf", [["Nothing to see."]], encrypt="secret")
    scan = make_scanned_pdf(up / "scan.pdf")
    core_write(up / "fake.docx", "plain text dressed up as Word")
    assert save_upload(corpus, good, "review.pdf").ok
    assert (corpus / "review.pdf").read_bytes() == good.read_bytes()
    for path, reason in ((locked, "encrypted"), (scan, "no text layer"), (up / "fake.docx", "Word")):
        result = save_upload(corpus, path, path.name)
        assert not result.ok and result.message.startswith(f"Not added: {path.name}: ") and reason in result.message
        assert "\n" not in result.message
    assert sorted(p.name for p in corpus.iterdir()) == ["review.pdf"]


def test_the_viewer_opens_the_cited_pdf_page_as_text_and_as_an_image(docs):
    from ui.handlers import Page

    a, _, _ = docs
    answer = a.ask("How many divers did the Varna salt works employ?")
    cite = answer.citations[0]
    html = Page(a).open_article({"source": cite.source, "start": cite.start, "end": cite.end, "n": 1,
                                 "passage_start": cite.passage_start, "passage_end": cite.passage_end})
    assert "page 2 of 3" in html and 'src="data:image/png;base64,' in html
    assert f'<mark class="rag-hl">{SALT}</mark>' in html
    assert "Coastal industries review" not in html.split('class="rag-article-body"')[1]  # page 1 is not shown
    heading = a.ask("How many tankers were there in 2021?").citations[0]
    html = Page(a).open_article({"source": heading.source, "start": heading.start, "end": heading.end, "n": 1})
    assert "under “Shipments”" in html and "data:image" not in html


def test_the_gold_set_moves_onto_the_articles_rendered_in_every_format(tmp_path):
    import re

    from eval.formats import moved_questions, render_corpus
    from eval.gold import QUESTIONS_PATH, load_questions

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    renamed = render_corpus(corpus, tmp_path / "mixed", "mixed")
    assert sorted(Path(v).suffix for v in renamed.values()) == [".docx", ".docx", ".html", ".pdf", ".pdf"]
    questions = load_questions(QUESTIONS_PATH)
    moved = moved_questions(questions, corpus, tmp_path / "mixed", renamed)
    texts = {s: rag.read_document(tmp_path / "mixed" / s, tmp_path / "mixed").text for s in renamed.values()}
    squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    spans = 0
    for old, new in zip(questions, moved):
        assert new.gold_sources == tuple(renamed[s] for s in old.gold_sources)
        for a, b in zip(old.gold_spans, new.gold_spans):
            original = (corpus / a["source"]).read_text(encoding="utf-8")[a["start"]:a["end"]]
            assert squash(texts[b["source"]][b["start"]:b["end"]]) == squash(original)
            spans += 1
    assert spans > 50


def test_ligatures_are_read_as_letters_and_still_found_on_the_page():
    assert rag.find_quote("an efﬁcient ﬂow of\ngoods", "efficient flow of goods") == (3, 24)
    from rag.ingest.formats.pdf import LIGATURES

    assert "Efﬁcient ﬂows".translate(LIGATURES) == "Efficient flows"


def test_a_pdf_title_that_names_the_authoring_tool_is_not_the_title(tmp_path):
    make_pdf(tmp_path / "a.pdf", [["# Harbour accounts 2024", "The harbour earned 3 million."]],
             title="Microsoft Word - accounts_final.docx")
    make_pdf(tmp_path / "b.pdf", [["# Harbour accounts 2024", "The harbour earned 3 million."]],
             title="Annual harbour accounts")
    assert rag.read_document(tmp_path / "a.pdf", tmp_path).title == "Harbour accounts 2024"
    assert rag.read_document(tmp_path / "b.pdf", tmp_path).title == "Annual harbour accounts"
