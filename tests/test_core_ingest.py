"""Ingestion: which files count, their exact text and offsets, titles and source URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ARTICLES, CORPUS, core_write

import rag
from rag.index.embedder import MAX_WORD_PIECES
from rag.ingest.chunk import Chunker
from rag.ingest.corpus import read_document, scan_corpus

CORPUS_FILES = sorted(ARTICLES.values())


def _split(path: Path, corpus: Path):
    doc = read_document(path, corpus)
    return doc, Chunker(rag.Settings().max_passage_tokens).split(doc)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_passage_and_sentence_is_the_exact_file_slice(name):
    path = CORPUS / name
    file_text = path.read_bytes().decode("utf-8")
    doc, passages = _split(path, CORPUS)
    assert doc.text == file_text
    assert passages
    prev_end = 0
    for p in passages:
        assert file_text[p.start:p.end] == p.text
        assert p.start >= prev_end, "passages overlap or are out of order"
        prev_end = p.end
        assert p.sentences
        assert p.sentences[0].start == p.start and p.sentences[-1].end == p.end
        s_prev = p.start
        for s in p.sentences:
            assert file_text[s.start:s.end] == s.text
            assert s.text == s.text.strip() and s.text
            assert s.start >= s_prev
            s_prev = s.end


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_no_text_of_a_file_is_left_out_of_its_sentences(name):
    """Every non-blank character of the article belongs to some sentence (nothing unsearchable)."""
    path = CORPUS / name
    doc, passages = _split(path, CORPUS)
    covered = bytearray(len(doc.text))
    for p in passages:
        for s in p.sentences:
            covered[s.start:s.end] = b"\1" * (s.end - s.start)
    missing = "".join(ch for ch, c in zip(doc.text, covered) if not c and not ch.isspace())
    assert missing == ""


def test_indexed_passages_and_sentences_point_into_the_files(core_assistant, core_index):
    passages = core_assistant.store.passages()
    assert {p.source for p in passages} == set(CORPUS_FILES)
    for p in passages:
        text = core_index.text(p.source)
        assert text[p.start:p.end] == p.text
        for s in p.sentences:
            assert text[s.start:s.end] == s.text
            assert p.start <= s.start < s.end <= p.end


def test_glued_words_are_split_only_in_the_indexed_text(core_assistant, core_index):
    """000 has words glued at former line breaks: citations keep them, the index splits them."""
    text = core_index.text(ARTICLES["000"])
    glued = "described Afghanistanas a major"
    at = text.index(glued)
    [p] = [p for p in core_assistant.store.passages()
           if p.source == ARTICLES["000"] and p.start <= at < p.end]
    assert glued in p.text
    assert "Afghanistan as a major" in p.clean
    assert "with Pakistan" in p.clean and "from Afghan territory" in p.clean


def test_passage_ids_are_stable_and_unique():
    ids = []
    for name in CORPUS_FILES:
        _, first = _split(CORPUS / name, CORPUS)
        _, again = _split(CORPUS / name, CORPUS)
        assert [p.id for p in first] == [p.id for p in again]
        ids += [p.id for p in first]
    assert len(ids) == len(set(ids))


def test_passages_fit_the_embedding_window(core_assistant):
    """No passage is longer than MiniLM's 256 word pieces, so nothing is silently truncated."""
    runtime = rag.MiniLMEmbedding().runtime
    for p in core_assistant.store.passages():
        assert runtime.word_pieces(p.clean) <= MAX_WORD_PIECES, (p.source, p.start)


def test_a_long_paragraph_is_cut_at_sentence_boundaries(tmp_path):
    sentences = [f"Sentence number {i} says that the river Daugava carried {i * 7} barges past Riga." for i in range(120)]
    (tmp_path / "long.txt").write_text("Long\n\n" + " ".join(sentences) + "\n", encoding="utf-8")
    doc, passages = _split(tmp_path / "long.txt", tmp_path)
    body = [p for p in passages if "Sentence number" in p.text]
    assert len(body) >= 4
    runtime = rag.MiniLMEmbedding().runtime
    for p in body:
        assert doc.text[p.start:p.end] == p.text
        assert p.text.startswith("Sentence number") and p.text.endswith("Riga.")
        assert runtime.word_pieces(p.clean) <= MAX_WORD_PIECES
    assert sum(len(p.sentences) for p in body) == 120


def test_titles_are_the_article_headlines(core_assistant):
    titles = {d.source: d.title for d in core_assistant.documents()}
    assert titles[ARTICLES["000"]] == "Russia Aligns with Pakistan on Terrorism Threat from Afghanistan"
    assert titles[ARTICLES["001"]] == "Facing TTP and Daesh Threats, Pakistan-Russia Deepen Counterterrorism Cooperation"
    assert titles[ARTICLES["003"]] == "Region Remains Concerned About Terrorism Threat from Afghanistan"
    assert titles[ARTICLES["003"]] != "Photo: CSTO"
    assert titles[ARTICLES["004"]] == "Pakistan And Russia Agree On Afghanistan Strategy"
    # 002 has no headline: its first line is the lead paragraph, so the title is its beginning
    assert titles[ARTICLES["002"]].startswith("Russian Foreign Minister Sergei Lavrov emphasized")
    assert len(titles[ARTICLES["002"]]) <= 130


def test_source_url_is_found_where_the_text_names_one(core_assistant):
    urls = {d.source: d.url for d in core_assistant.documents()}
    assert urls[ARTICLES["000"]] == (
        "https://www.aa.com.tr/en/asia-pacific/lavrov-says-central-asia-afghanistan-central-problems-"
        "for-collective-security-treaty-organization/3817845")
    for key in ("001", "002", "003", "004"):
        assert urls[ARTICLES[key]] is None, key  # none of these articles names a URL


def test_citation_of_000_carries_its_url(core_assistant):
    answer = core_assistant.ask("When did Russia offer to mediate Pakistan-Afghanistan tensions?")
    cited = [c for c in answer.citations if c.source == ARTICLES["000"]]
    assert cited and all(c.url and c.url.startswith("https://www.aa.com.tr/") for c in cited)


@pytest.fixture
def mixed_corpus(tmp_path) -> Path:
    c = tmp_path / "corpus"
    core_write(c / "alpha.txt", "Alpha Report\n\nThe alpha project in Riga employed 412 engineers in 2023.\n")
    core_write(c / "notes" / "beta.md", "# Beta Notes\n\nBeta shipped its first satellite from Tromso on 3 March 2021.\n")
    core_write(c / "notes" / "deeper" / "gamma.txt",
           "Gamma Brief\n\nThe gamma reservoir near Tartu holds 9,300 cubic metres of water.\n")
    core_write(c / ".hidden.txt", "Hidden\n\nThe hidden vault in Vilnius stores 5,555 silver coins.\n")
    core_write(c / ".cache" / "delta.txt", "Delta\n\nThe delta depot in Kaunas stores 777 copper kettles.\n")
    core_write(c / "notes" / ".draft.md", "Draft\n\nThe draft plan for Narva lists 31 ferries.\n")
    core_write(c / "table.csv", "name,count\nzinc lanterns in Parnu,64\n")
    core_write(c / "page.rtf", "{\\rtf1 The epsilon tower in Tallinn has 88 floors.}\n")
    core_write(c / "README", "The omega mill in Klaipeda grinds 19 tonnes.\n")
    return c


def test_scan_takes_the_known_formats_recursively_and_skips_hidden_and_other_files(mixed_corpus):
    files, _ = scan_corpus(mixed_corpus)
    rel = sorted(f.relative_to(mixed_corpus).as_posix() for f in files)
    assert rel == ["alpha.txt", "notes/beta.md", "notes/deeper/gamma.txt"]


def test_inline_corpus_is_indexed_and_cited_by_relative_path(mixed_corpus, tmp_path):
    a = rag.Assistant(corpus_dir=mixed_corpus, home=tmp_path / "home")
    report = a.index()
    assert report.documents == 3 and not report.skipped
    assert sorted(d.source for d in a.documents()) == ["alpha.txt", "notes/beta.md", "notes/deeper/gamma.txt"]
    titles = {d.source: d.title for d in a.documents()}
    assert titles["notes/beta.md"].lstrip("# ") == "Beta Notes"

    answer = a.ask("How much water does the gamma reservoir near Tartu hold?")
    assert not answer.abstained and "9,300" in answer.text
    [c] = [c for c in answer.citations if "9,300" in c.quote]
    assert c.source == "notes/deeper/gamma.txt"
    assert (mixed_corpus / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.quote

    answer = a.ask("When did Beta ship its first satellite from Tromso?")
    assert not answer.abstained and "2021" in answer.text
    assert any(c.source == "notes/beta.md" for c in answer.citations)

    # hidden files and other extensions are not in the index at all
    for p in a.store.passages():
        for word in ("Vilnius", "Kaunas", "Narva", "Parnu", "Tallinn", "Klaipeda"):
            assert word not in p.text
    assert a.ask("How many silver coins does the hidden vault in Vilnius store?").abstained


def test_file_text_is_kept_exactly_as_read_crlf_bom_and_unicode(tmp_path):
    """Citations quote the decoded bytes: CRLF line ends, a BOM and curly quotes are not normalised."""
    c = tmp_path / "corpus"
    raw = ("\ufeffHarbour Notes\r\n\r\nThe harbour master said \u201cthe Ventspils pier will reopen\u201d on "
           "14 May.\r\nThe pier cost \u20ac2.5 million to repair after the storm \u2014 twice the estimate.\r\n")
    core_write(c / "harbour.txt", raw.encode("utf-8"))
    a = rag.Assistant(corpus_dir=c, home=tmp_path / "home")
    a.index()
    text = (c / "harbour.txt").read_bytes().decode("utf-8")
    assert text == raw
    for p in a.store.passages():
        assert text[p.start:p.end] == p.text
        for s in p.sentences:
            assert text[s.start:s.end] == s.text
    assert a.documents()[0].title == "Harbour Notes"
    answer = a.ask("How much did the Ventspils pier cost to repair?")
    assert not answer.abstained and "2.5 million" in answer.text
    for c_ in answer.citations:
        assert text[c_.start:c_.end] == c_.quote


def test_document_text_serves_indexed_files_only(core_assistant, core_index):
    assert core_assistant.document_text(ARTICLES["004"]) == core_index.text(ARTICLES["004"])
    for bad in ("../pyproject.toml", "/etc/passwd", "corpus/" + ARTICLES["004"], "nope.txt", ""):
        with pytest.raises(rag.RagError):
            core_assistant.document_text(bad)


@pytest.mark.parametrize("root", ["corpus", "./corpus", "corpus/", "ABS"])
def test_source_names_are_the_path_under_the_corpus_folder(tmp_path, monkeypatch, root):
    from rag.ingest.corpus import scan_corpus, source_of

    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus" / "sub" / "deeper").mkdir(parents=True)
    for name in ("a.txt", "sub/b.md", "sub/deeper/c.txt"):
        (tmp_path / "corpus" / name).write_text("Text.", encoding="utf-8")
    base = tmp_path / "corpus" if root == "ABS" else Path(root)
    files, _ = scan_corpus(base)
    assert [source_of(f, base) for f in files] == ["a.txt", "sub/b.md", "sub/deeper/c.txt"]
    monkeypatch.chdir(tmp_path / "corpus")
    files, _ = scan_corpus(Path("."))
    assert [source_of(f, Path(".")) for f in files] == ["a.txt", "sub/b.md", "sub/deeper/c.txt"]
