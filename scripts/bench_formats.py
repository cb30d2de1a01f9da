"""Measure the document readers against their alternatives: ``python scripts/bench_formats.py``.

PDF: pypdfium2 (what ships) against pypdf on the five articles rendered as PDF and on a real manual
(tests/data/real/libtasn1.pdf): the share of the articles' sentences found in the extracted text
(spaces ignored) and the time per page; then a 500-page PDF through ``rag.read_document``: time
and peak memory. HTML: trafilatura (what ships) against the page's whole text (lxml's
``text_content``, what a BeautifulSoup ``get_text`` gives) on the articles rendered as saved news
pages: the share of article sentences kept and of furniture strings dropped. DOCX: python-docx's
time per file. Needs the test extras (reportlab, pypdf). Prints a Markdown table per format.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import rag  # noqa: E402
from eval.tools.render_formats import read_article, render  # noqa: E402

FURNITURE = ("Accept all", "Advertisement", "Sponsored", "Share on Facebook", "Tweet", "newsletter",
             "All rights reserved", "Most read")


def _squash(text: str) -> str:
    return re.sub(r"\s+|\ufffe|\x02|-", "", text)


def _sentences(corpus: Path) -> dict[str, list[str]]:
    out = {}
    for f in sorted(corpus.glob("*.txt")):
        title, paragraphs = read_article(f)
        text = "\n".join(paragraphs)
        out[f.stem] = [text[s:e] for s, e in rag.split_sentences(text) if len(text[s:e]) > 20]
    return out


def _pdfium(path: Path) -> tuple[str, int]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    return text, len(pdf)


def _pypdf(path: Path) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return "".join(p.extract_text() or "" for p in reader.pages), len(reader.pages)


def _timed(fn, path: Path, rounds: int = 3) -> tuple[str, int, float]:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        text, pages = fn(path)
        best = min(best, time.perf_counter() - t)
    return text, pages, best


def bench_pdf(out: Path, sentences: dict[str, list[str]]) -> None:
    print("| PDF reader | article sentences found | ms per page (articles) | ms per page (libtasn1.pdf, 36 pages) |")
    print("|---|---|---|---|")
    for name, fn in (("pypdfium2", _pdfium), ("pypdf", _pypdf)):
        found = total = pages = 0
        seconds = 0.0
        for stem, sents in sentences.items():
            text, n, s = _timed(fn, out / f"{stem}.pdf")
            squashed = _squash(text)
            found += sum(_squash(x) in squashed for x in sents)
            total += len(sents)
            pages, seconds = pages + n, seconds + s
        _, real_pages, real_s = _timed(fn, REPO / "tests" / "data" / "real" / "libtasn1.pdf")
        print(f"| {name} | {found}/{total} ({found / total:.3f}) | {1000 * seconds / pages:.1f} | "
              f"{1000 * real_s / real_pages:.1f} |")


_BIG = """
import resource, sys, time
from pathlib import Path
import rag
path = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
doc = rag.read_document(path, path.parent)
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{seconds:.2f} {len(doc.text)} {len(doc.layout.pages)} {before / 1024:.0f} {after / 1024:.0f}")
"""


def bench_big_pdf(tmp: Path) -> None:
    """A 500-page PDF of 45 lines a page read in a fresh process: time and peak memory."""
    import subprocess

    from formats_support import make_long_pdf

    path = make_long_pdf(tmp / "ledger.pdf", 500, lines=45)
    out = subprocess.run([sys.executable, "-c", _BIG, str(path)], capture_output=True, text=True, check=True)
    seconds, chars, pages, before, after = out.stdout.split()
    print(f"\n500-page PDF, 45 lines a page ({path.stat().st_size / 1e6:.1f} MB): rag.read_document {seconds} s "
          f"({1000 * float(seconds) / int(pages):.2f} ms per page), {int(chars):,} characters; "
          f"peak RSS {before} MB after importing rag, {after} MB after reading")


def bench_html(out: Path, sentences: dict[str, list[str]]) -> None:
    import lxml.html
    import trafilatura

    print("\n| HTML reader | article sentences kept | furniture strings dropped | ms per page |")
    print("|---|---|---|---|")
    readers = {"trafilatura (rag.read_document)": lambda p: rag.read_document(p, p.parent).text,
               "whole page text (lxml text_content)": lambda p: lxml.html.fromstring(p.read_bytes()).text_content()}
    assert trafilatura
    for name, fn in readers.items():
        kept = total = dropped = checks = 0
        seconds = 0.0
        for stem, sents in sentences.items():
            path = out / f"{stem}.html"
            t = time.perf_counter()
            text = fn(path)
            seconds += time.perf_counter() - t
            squashed = _squash(text)
            kept += sum(_squash(x) in squashed for x in sents)
            total += len(sents)
            dropped += sum(f not in text for f in FURNITURE)
            checks += len(FURNITURE)
        print(f"| {name} | {kept}/{total} ({kept / total:.3f}) | {dropped}/{checks} | "
              f"{1000 * seconds / len(sentences):.1f} |")


def bench_docx(out: Path, sentences: dict[str, list[str]]) -> None:
    found = total = 0
    t = time.perf_counter()
    for stem, sents in sentences.items():
        text = _squash(rag.read_document(out / f"{stem}.docx", out).text)
        found += sum(_squash(x) in text for x in sents)
        total += len(sents)
    ms = 1000 * (time.perf_counter() - t) / len(sentences)
    print(f"\nDOCX (python-docx): article sentences found {found}/{total}, {ms:.1f} ms per file")


def main() -> int:
    corpus = REPO / "corpus"
    sentences = _sentences(corpus)
    with tempfile.TemporaryDirectory(prefix="rag-bench-formats-") as tmp:
        out = Path(tmp) / "rendered"
        render(corpus, out, ("pdf", "docx", "html"))
        rag.read_document(out / f"{next(iter(sentences))}.docx", out)  # imports, outside the timings
        bench_pdf(out, sentences)
        bench_html(out, sentences)
        bench_docx(out, sentences)
        bench_big_pdf(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
