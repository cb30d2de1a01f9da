"""PDF: the text layer, page by page (pypdfium2), reflowed into paragraphs, with each page's offset.

pypdfium2 (PDFium, Apache-2.0/BSD-3) was chosen by measurement against pypdf (docs/formats.md): the
same words on our rendered articles and on a real manual, about 10 times faster, and it also gives
the character boxes the viewer marks a quote with (:mod:`rag.ingest.formats.pdf_view`).

Pages are read and closed one at a time, so a 500-page file holds one page's objects at once. A
page's lines become paragraphs by their geometry: more space above a line than the page's usual line
spacing, another font size (a heading), a bullet, or a sentence that ends short of the usual width or
before an indented line starts a new paragraph; a word hyphenated across lines is joined. Lines that
repeat at the top or bottom of most pages (running heads) and bare page numbers are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from rag.errors import CorpusError
from rag.records import Layout

__all__ = ["extract_pdf", "MAX_PAGES", "LIGATURES"]

MAX_PAGES = 2000
_PAGE_NUMBER = re.compile(r"^\s*(page\s+)?[ivxlc\d]+(\s*(/|of)\s*\d+)?\s*$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]$")
_STARTS_ITEM = re.compile(r"^(?:[•▪◦‣∙·*–-]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")
#: Metadata titles that name the authoring tool or file, not the document ("Microsoft Word - draft.docx").
_NOT_A_TITLE = re.compile(r"^(microsoft (word|powerpoint|excel)\b|untitled\b)|\.(docx?|pdf|tex|dvi|indd|pptx?)$", re.I)
_MAX_HEAD = 70  # a running head or foot is a short line
_EDGE_NUMBER = re.compile(r"^\d+\b|\b\d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u00ad\ufffe\uffff]")  # PDFium's marks, soft hyphens
#: Typographic ligatures as their letters, so that "efﬁcient" is found by "efficient" (the page image
#: still finds the quote: :func:`~rag.ingest.formats.pdf_view.find_quote` reads ligatures the same way).
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st"})


def _open(path: Path, source: str):
    import pypdfium2 as pdfium  # imported on first use: most corpora hold no PDF

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise CorpusError(f"{source}: the PDF is encrypted (password-protected); not indexed") from exc
        detail = re.search(r"PDFium: [^)]*", str(exc))
        raise CorpusError(f"{source}: not a readable PDF ({detail.group(0) if detail else exc})") from exc


class _Line(NamedTuple):
    """One line of a page: its text, and where it stands (PDF points: left edge, baseline, height)."""

    text: str
    left: float
    bottom: float
    height: float
    hyphen: bool  # PDFium marked the line's last word as hyphenated across the break


def _page_lines(pdf, i: int) -> list[_Line]:
    page = pdf[i]
    try:
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_range()
            lines, at = [], 0
            for piece in raw.split("\r\n"):
                text = piece.strip()
                first = at + (len(piece) - len(piece.lstrip()))
                at += len(piece) + 2
                if not text:
                    continue
                left, bottom, right, top = textpage.get_charbox(first, loose=True) if first < len(raw) else (0, 0, 0, 0)
                hyphen = text[-1] in "\ufffe\x02"
                text = _CONTROL.sub("", text).translate(LIGATURES).strip()
                if text:
                    lines.append(_Line(text, left, bottom, max(top - bottom, 0.1), hyphen))
        finally:
            textpage.close()
    finally:
        page.close()
    return lines


def _masked(line: str) -> str:
    """A line with a page number at its start or end masked: how a running head repeats."""
    return _EDGE_NUMBER.sub("#", line)


def _furniture(pages: list[list[_Line]]) -> set[str]:
    """Short lines at the top or bottom of most pages (a page number at either end ignored): running
    heads and feet."""
    if len(pages) < 3:
        return set()
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({_masked(ln.text) for ln in lines[:2] + lines[-2:]})
    return {ln for ln, n in edges.items() if n >= max(3, len(pages) // 2) and len(ln) <= _MAX_HEAD}


def _breaks(prev: _Line, line: _Line, spacing: float, width: int, margin: float) -> bool:
    """Whether ``line`` starts a new paragraph after ``prev`` (``spacing``: the page's usual distance
    between baselines, in line heights)."""
    gap = prev.bottom - line.bottom
    return (gap > 1.35 * spacing * prev.height or gap < 0  # space between paragraphs, or a new column
            or abs(line.height - prev.height) > 0.2 * prev.height  # a heading's size
            or bool(_STARTS_ITEM.match(line.text))
            or (bool(_ENDS_SENTENCE.search(prev.text))
                and (len(prev.text) < 0.8 * width or line.left - margin > line.height)))  # short or indented


def _reflow(lines: list[_Line], furniture: set[str]) -> str:
    """Paragraphs (separated by blank lines) from one page's lines."""
    lines = [ln for ln in lines if _masked(ln.text) not in furniture and not _PAGE_NUMBER.match(ln.text)]
    if not lines:
        return ""
    lengths = sorted(len(ln.text) for ln in lines)
    width = lengths[int(0.75 * (len(lengths) - 1))]  # the page's usual full line
    steps = sorted((a.bottom - b.bottom) / a.height for a, b in zip(lines, lines[1:]) if a.bottom > b.bottom)
    step = steps[len(steps) // 4] if steps else 0.0  # the usual line spacing (the lower quartile)
    margin = min(ln.left for ln in lines)
    paras, current = [], lines[0].text
    for prev, line in zip(lines, lines[1:]):
        if step and _breaks(prev, line, step, width, margin) or not step and _STARTS_ITEM.match(line.text):
            paras.append(current)
            current = line.text
        elif prev.hyphen or (current.endswith("-") and current[-2:-1].isalpha() and line.text[:1].islower()):
            current += line.text  # PDFium's soft hyphen is gone ("manip|ulation"); a printed one stays ("well-known")
        else:
            current = f"{current} {line.text}"
    paras.append(current)
    return "\n\n".join(paras)


def extract_pdf(path: Path, source: str) -> tuple[str, str, Layout]:
    """(text, title from the metadata or "", layout with page offsets); CorpusError for a file that
    cannot be read, is encrypted, or has no text layer (a scan)."""
    pdf = _open(path, source)
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise CorpusError(f"{source}: the PDF has {count:,} pages, more than the limit of {MAX_PAGES:,}")
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
        title = "" if _NOT_A_TITLE.search(title) else title
        pages = [_page_lines(pdf, i) for i in range(count)]
    except CorpusError:
        raise
    except Exception as exc:  # noqa: BLE001 - PDFium reports a damaged page in many ways
        raise CorpusError(f"{source}: the PDF is damaged ({type(exc).__name__}: {str(exc)[:120]})") from exc
    finally:
        pdf.close()
    furniture = _furniture(pages)
    parts: list[str] = []
    starts: list[int] = []
    at = 0
    for lines in pages:
        text = _reflow(lines, furniture)
        # a sentence that runs on to the next page stays one sentence (cited on the page it starts)
        runs_on = parts and parts[-1].strip() and not _ENDS_SENTENCE.search(parts[-1]) and text[:1].islower()
        sep = "" if not parts else " " if runs_on else "\n\n"
        starts.append(at + len(sep))
        parts.append(sep + text)
        at += len(sep) + len(text)
    text = "".join(parts)
    if not text.strip():
        raise CorpusError(f"{source}: the PDF has no text layer (a scan?); not indexed — run OCR on it first")
    return text, title, Layout("pdf", pages=tuple(starts))
