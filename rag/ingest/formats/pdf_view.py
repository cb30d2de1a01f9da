"""A PDF page as it looks, with a quote's region marked: what the viewer shows beside the page text,
so a reader can check a citation against the original.

The quote is found on the page by its letters and digits alone (the extracted text was reflowed:
spaces, line breaks and hyphens differ from the page's own), and PDFium's text rectangles of those
characters are drawn over the rendered page. A quote that runs onto the next page is marked as far
as it goes on this one.
"""

from __future__ import annotations

import io
from pathlib import Path

from rag.errors import CorpusError
from rag.ingest.formats.pdf import LIGATURES

__all__ = ["render_page", "find_quote"]

_SKIP = frozenset(" \t\r\n\u00ad\x02\ufffe-‐‑")


def _letters(text: str) -> tuple[str, list[int]]:
    """``text`` without spaces and hyphens, ligatures as their letters, and where each kept character
    stood."""
    kept, where = [], []
    for i, ch in enumerate(text):
        if ch not in _SKIP:
            for letter in ch.translate(LIGATURES):
                kept.append(letter)
                where.append(i)
    return "".join(kept), where


def find_quote(page_text: str, quote: str) -> tuple[int, int] | None:
    """[start, end) of ``quote`` (or of its longest leading part, at least 12 letters) in ``page_text``,
    comparing letters, digits and punctuation only: spaces, line breaks and hyphens may differ."""
    hay, where = _letters(page_text)
    needle, _ = _letters(quote)
    lo, hi, best = min(12, len(needle)), len(needle), None
    if not needle:
        return None
    while lo <= hi:  # the longest prefix found: a quote that continues on the next page
        mid = (lo + hi) // 2
        at = hay.find(needle[:mid])
        if at >= 0:
            best, lo = (at, mid), mid + 1
        else:
            hi = mid - 1
    if best is None:
        return None
    at, size = best
    return where[at], where[at + size - 1] + 1


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_page(path: Path, page: int, quote: str, scale: float = 1.5) -> tuple[bytes, bytes | None]:
    """PNGs of 1-based ``page`` with ``quote`` marked: the whole page, and the band of the page
    around the marked lines (None when the quote was not found on the page)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise CorpusError(f"{path.name}: the PDF cannot be opened ({exc})") from exc
    try:
        if not 1 <= page <= len(pdf):
            raise CorpusError(f"{path.name} has no page {page}")
        pg = pdf[page - 1]
        textpage = pg.get_textpage()
        span = find_quote(textpage.get_text_range(), quote)
        rects = []
        if span is not None:
            count = textpage.count_rects(span[0], span[1] - span[0])
            rects = [textpage.get_rect(i) for i in range(count)]
        every = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        columns = (min(r[0] for r in every), max(r[2] for r in every)) if every else None
        height = pg.get_height()
        image = pg.render(scale=scale).to_pil().convert("RGBA")
        textpage.close()
        pg.close()
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    boxes = [(left * scale - 2, (height - top) * scale - 2, right * scale + 2, (height - bottom) * scale + 2)
             for left, bottom, right, top in rects]
    for box in boxes:
        draw.rectangle(box, fill=(255, 213, 0, 90), outline=(214, 120, 0, 255), width=2)
    marked = Image.alpha_composite(image, overlay).convert("RGB")
    band = None
    if boxes:
        pad = int(48 * scale)
        top = max(0, int(min(b[1] for b in boxes)) - pad)
        bottom = min(marked.height, int(max(b[3] for b in boxes)) + pad)
        left, right = (int(columns[0] * scale) - pad // 2, int(columns[1] * scale) + pad // 2) if columns \
            else (0, marked.width)  # the page's text area: its margins are not worth the width
        band = _png(marked.crop((max(0, left), top, min(marked.width, right), bottom)))
    return _png(marked), band
