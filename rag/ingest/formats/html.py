"""Saved web pages (.html/.htm): the main text only (trafilatura, Apache-2.0), with its headings, and
the title, date and address from the page's metadata.

trafilatura drops navigation, cookie banners, teaser lists and share buttons; it was chosen over
whole-page text (BeautifulSoup's ``get_text``) by measurement (docs/formats.md). Its XML output keeps
the structure: headings, paragraphs, list items, code, and tables with their header cells.
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import CorpusError
from rag.ingest.formats.blocks import Blocks
from rag.records import Layout

__all__ = ["extract_html", "MAX_HTML_BYTES"]

MAX_HTML_BYTES = 20_000_000
_TITLE_XPATHS = ("//meta[@property='og:title']/@content", "//meta[@name='twitter:title']/@content", "//title/text()")
_URL_XPATHS = ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")
_DATE_XPATHS = ("//meta[@property='article:published_time']/@content", "//meta[@name='date']/@content",
                "//meta[@itemprop='datePublished']/@content", "//time/@datetime")


def _first(tree, xpaths: tuple[str, ...]) -> str | None:
    for xp in xpaths:
        for value in tree.xpath(xp):
            value = " ".join(str(value).split())
            if value:
                return value
    return None


def _walk(main, blocks: Blocks) -> None:
    for el in main:
        tag = el.tag
        if tag == "head":
            blocks.heading("".join(el.itertext()))
        elif tag == "table":
            rows = [[("".join(c.itertext())) for c in row if c.tag == "cell"] for row in el if row.tag == "row"]
            heads = 1 if len(el) and any(c.get("role") == "head" for c in el[0]) else 0
            blocks.table(rows, header_rows=heads)
        elif tag == "list":
            for item in el:
                blocks.paragraph("".join(item.itertext()))
        elif tag == "code":
            blocks.paragraph("".join(el.itertext()), keep_lines=True)
        elif tag in ("p", "quote", "item"):
            blocks.paragraph("".join(el.itertext()))
        elif len(el):
            _walk(el, blocks)
        else:
            blocks.paragraph("".join(el.itertext()))


def extract_html(path: Path, source: str) -> tuple[str, str, Layout, str | None]:
    """(text, title, layout with headings and the page's date, url) of the page's main text."""
    import lxml.etree
    import lxml.html
    import trafilatura  # imported on first use

    data = path.read_bytes()
    try:
        tree = lxml.html.fromstring(data)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorpusError(f"{source}: not a readable web page ({exc})") from exc
    title, url, date = _first(tree, _TITLE_XPATHS), _first(tree, _URL_XPATHS), _first(tree, _DATE_XPATHS)
    xml = trafilatura.extract(tree, output_format="xml", include_tables=True, include_formatting=False,
                              include_comments=False, with_metadata=False)
    if not xml:
        raise CorpusError(f"{source}: the web page has no main text that could be found; not indexed")
    doc = lxml.etree.fromstring(xml.encode("utf-8"))
    main = doc.find("main")
    blocks = Blocks("html")
    _walk(main if main is not None else doc, blocks)
    layout = Layout("html", headings=blocks.layout.headings, date=date[:10] if date else None)
    return blocks.text, title or (layout.headings[0][1] if layout.headings else ""), layout, url
