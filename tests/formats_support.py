"""Documents the format tests write: PDFs (reportlab), Word files (python-docx), saved web pages."""

from __future__ import annotations

from pathlib import Path

_FILLER = ("The committee met in the east wing and reviewed the minutes of the previous session, "
           "which were approved without changes after a short discussion of the agenda.")
_TOPICS = ("roof repairs", "the staff canteen", "parking permits", "the spring fair", "printer paper",
           "the library hours", "window cleaning", "the visitor book", "bicycle racks", "the notice board")


def make_pdf(path: Path, pages: list[list[str]], title: str = "", encrypt: str | None = None) -> Path:
    """A PDF with a text layer: one list of paragraphs per page (each page is closed explicitly)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    path.parent.mkdir(parents=True, exist_ok=True)
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(str(path), pagesize=letter, title=title, invariant=1, encrypt=encrypt)
    story = []
    for i, paragraphs in enumerate(pages):
        if i:
            story.append(PageBreak())
        for text in paragraphs:
            style = styles["Heading1"] if text.startswith("# ") else styles["BodyText"]
            story += [Paragraph(text.removeprefix("# "), style), Spacer(1, 6)]
    doc.build(story)
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose one page is a drawing only, like a scan without OCR: no text layer."""
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), invariant=1)
    c.rect(72, 72, 400, 600, fill=1)
    c.showPage()
    c.save()
    return path


def make_long_pdf(path: Path, pages: int, lines: int = 1) -> Path:
    """A ``pages``-page PDF: one numbered sentence and ``lines`` lines of filler per page (drawn
    directly: fast)."""
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), invariant=1)
    for n in range(1, pages + 1):
        c.drawString(72, 720, f"Section {n}. Ledger entry {n} records {n * 7} crates of tin.")
        for i in range(lines):
            topic = _TOPICS[(n + i) % len(_TOPICS)]
            c.drawString(72, 700 - 15 * i, f"Line {i + 1} of page {n} notes that {topic} came up again at the meeting.")
        c.showPage()
    c.save()
    return path


def make_docx(path: Path, blocks: list[tuple[str, object]], title: str = "") -> Path:
    """A Word file from ("h1"|"h2"|"p", text) and ("table", [[header...], [row...], ...]) blocks."""
    import docx

    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.core_properties.title = title
    for kind, value in blocks:
        if kind in ("h1", "h2"):
            document.add_heading(str(value), level=int(kind[1]))
        elif kind == "table":
            rows = list(value)  # type: ignore[arg-type]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.rows[r].cells[c].text = cell
        else:
            document.add_paragraph(str(value))
    document.save(str(path))
    return path


def make_html(path: Path, title: str, paragraphs: list[str], *, date: str = "2025-05-04",
              url: str = "https://news.example.org/2025/harbour") -> Path:
    """A saved news page: the article inside navigation, a cookie banner, ads, teasers and a footer."""
    import html

    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    teasers = "".join(f'<li><a href="/t{i}">Teaser headline number {i} about the weather</a></li>' for i in range(6))
    page = f"""<!DOCTYPE html><html><head><title>{html.escape(title)} | Example News</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{date}T08:00:00Z">
<link rel="canonical" href="{url}"></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a> <a href="/subscribe">Subscribe</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies or manage settings.</div>
<aside class="ad">Advertisement: Buy the premium lantern set today with free shipping.</aside>
<main><article><h1>{html.escape(title)}</h1>
{body}
</article></main>
<aside><h3>Most read</h3><ul>{teasers}</ul></aside>
<div class="share">Share on Facebook · Tweet · Email</div>
<footer>© 2025 Example News. All rights reserved. Sign up for our newsletter.</footer>
</body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def filler(n: int, start: int = 0) -> list[str]:
    """``n`` different paragraphs that fill a page without answering anything."""
    return [f"Item {start + i + 1} of the minutes concerned {_TOPICS[(start + i) % len(_TOPICS)]}. " + _FILLER
            for i in range(n)]
