"""Render the plain-text corpus as PDF, DOCX and HTML files, for testing the document readers.

Run from the repository root::

    python -m eval.tools.render_formats CORPUS_DIR OUT_DIR [--formats pdf,docx,html]

For each ``*.txt`` in CORPUS_DIR (UTF-8; the title is the one the assistant reads in the text file,
every other non-empty line a paragraph) it writes ``OUT_DIR/<stem>.pdf`` (reportlab, letter, 11 pt, real text layer),
``<stem>.docx`` (python-docx, the title as Heading 1) and ``<stem>.html`` (a saved news page: the
article inside navigation, a cookie banner, ads, share buttons, teasers and a footer).
The output is deterministic: fixed dates, reportlab's ``invariant`` mode and fixed zip timestamps in
the DOCX, so a rerun gives the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

FORMATS = ("pdf", "docx", "html")
PUBLISHED = "2024-03-25"
_FIXED_TIME = dt.datetime(2024, 3, 25, 12, 0, 0)
_ZIP_TIME = (2024, 3, 25, 12, 0, 0)
_FONT_DIRS = (Path("/usr/share/fonts"),)


def read_article(path: Path) -> tuple[str, list[str]]:
    """The title the assistant reads in the text file (a caption or breadcrumb line before it is not
    the title) and the other non-empty lines of the file, stripped."""
    from rag import read_document

    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return path.stem, []
    title = read_document(path, path.parent).title
    if title in lines:
        return title, [line for line in lines if line != title]
    return lines[0], lines[1:]


def _find_dejavu() -> tuple[Path, Path | None]:
    """DejaVuSans.ttf (and its bold face, if found) from the system fonts or matplotlib."""
    dirs = list(_FONT_DIRS)
    try:
        import matplotlib  # only needed when a corpus has characters outside cp1252

        dirs.append(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf")
    except ImportError:
        pass
    for folder in dirs:
        regular = next(iter(sorted(folder.rglob("DejaVuSans.ttf"))), None) if folder.is_dir() else None
        if regular:
            bold = regular.with_name("DejaVuSans-Bold.ttf")
            return regular, bold if bold.is_file() else None
    raise SystemExit("characters outside cp1252 and no DejaVuSans.ttf found")


def pdf_fonts(texts: list[str]) -> tuple[str, str]:
    """(body, heading) font names: Helvetica when cp1252 covers every character, else DejaVuSans."""
    try:
        "".join(texts).encode("cp1252")
        return "Helvetica", "Helvetica-Bold"
    except UnicodeEncodeError:
        pass
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _find_dejavu()
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    if bold is None:
        return "DejaVuSans", "DejaVuSans"
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def write_pdf(title: str, paragraphs: list[str], out: Path, fonts: tuple[str, str]) -> int:
    """Write the article as a letter-size PDF with a text layer; returns its page count."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    body = ParagraphStyle("Body", parent=styles["Normal"], fontName=fonts[0], fontSize=11,
                          leading=14.5, spaceAfter=7)
    head = ParagraphStyle("Head", parent=styles["Heading1"], fontName=fonts[1])
    doc = SimpleDocTemplate(str(out), pagesize=letter, title=title, author="rag-assistant eval",
                            subject="rendered from " + out.stem + ".txt", invariant=1)
    story = [Paragraph(escape(title), head)]
    story += [Paragraph(escape(text), body) for text in paragraphs]
    doc.build(story)
    return doc.page


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), src.read(name),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_docx(title: str, paragraphs: list[str], out: Path) -> None:
    """Write the article as a DOCX: the title as Heading 1, each other line a paragraph."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = title if len(title) <= 255 else title[:254] + "\u2026"  # core properties hold 255 chars
    props.author = props.last_modified_by = "rag-assistant eval"
    props.created = props.modified = _FIXED_TIME
    props.revision = 1
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    out.write_bytes(_fixed_zip(buffer.getvalue()))


_MENU = ("Home", "World", "Politics", "Business", "Technology", "Opinion", "Sport", "Contact")
_TEASERS = ("City council approves new budget for road repairs", "Local bakery wins regional bread award",
            "Heavy rain expected across the coast this weekend", "University opens new library wing",
            "Museum extends opening hours for spring exhibition")
_FOOTER_LINKS = ("About us", "Privacy policy", "Terms of use", "Advertise", "Careers")


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _chrome_top() -> list[str]:
    """The page parts before the article: navigation, cookie banner, ads, teasers."""
    nav = "\n".join(f'      <li><a href="/{_slug(m)}">{m}</a></li>' for m in _MENU)
    teasers = "\n".join(f'      <li><a href="/news/{_slug(t)}">{html.escape(t)}</a></li>' for t in _TEASERS)
    return [
        '<header class="site-header">\n  <a class="logo" href="/">The Example Herald</a>',
        f'  <nav class="main-menu">\n    <ul>\n{nav}\n    </ul>\n  </nav>\n</header>',
        '<div id="cookie-consent" class="cookie-banner">\n  <p>We use cookies to improve your experience, '
        'personalise content and ads, and analyse our traffic. You can change your choices at any time.</p>',
        '  <button class="cookie-settings">Manage settings</button>\n'
        '  <button class="cookie-accept">Accept all</button>\n</div>',
        '<aside class="sidebar">\n  <div class="ad-slot"><span class="ad-label">Advertisement</span>'
        '<a href="https://ads.example.com/click?id=4711">Save 50% on your first month of premium!</a></div>',
        '  <div class="sponsored"><span>Sponsored</span> <a href="https://ads.example.com/p/2">'
        'This one trick will lower your energy bill</a></div>',
        f'  <h3>Most read</h3>\n  <ul class="teasers">\n{teasers}\n  </ul>\n</aside>',
    ]


def _share_buttons(stem: str) -> str:
    url = f"https://example.org/news/{stem}"
    return ('  <div class="share">\n'
            f'    <a href="https://www.facebook.com/sharer/sharer.php?u={url}">Share on Facebook</a>\n'
            f'    <a href="https://twitter.com/intent/tweet?url={url}">Tweet</a>\n'
            f'    <a href="mailto:?subject=Read%20this&amp;body={url}">Email</a>\n  </div>')


def _footer() -> str:
    links = " | ".join(f'<a href="/{_slug(name)}">{name}</a>' for name in _FOOTER_LINKS)
    return ('<footer class="site-footer">\n  <form class="newsletter" action="/newsletter" method="post">\n'
            '    <label>Sign up for our daily newsletter</label>\n'
            '    <input type="email" name="email" placeholder="Your email address">\n'
            '    <button type="submit">Subscribe</button>\n  </form>\n'
            f'  <p class="links">{links}</p>\n'
            '  <p class="copyright">&copy; 2024 The Example Herald. All rights reserved.</p>\n</footer>')


def render_html(stem: str, title: str, paragraphs: list[str]) -> str:
    """A saved news web page holding the article inside typical site boilerplate."""
    t = html.escape(title)
    lead = html.escape(paragraphs[0][:160] if paragraphs else title)
    head = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
            f'<title>{t} | The Example Herald</title>', f'<meta property="og:title" content="{t}">',
            f'<meta name="description" content="{lead}">',
            f'<link rel="canonical" href="https://example.org/news/{stem}">',
            f'<meta property="article:published_time" content="{PUBLISHED}">',
            '<link rel="stylesheet" href="/static/site.css">', '</head>', '<body>']
    body = [f'<article>\n  <h1>{t}</h1>',
            f'  <p class="byline">Staff reporter &middot; <time datetime="{PUBLISHED}">25 March 2024</time></p>',
            _share_buttons(stem)]
    body += [f"  <p>{html.escape(text)}</p>" for text in paragraphs]
    body.append("</article>")
    tail = [_footer(), '<script src="/static/analytics.js"></script>', '</body>', '</html>', '']
    return "\n".join(head + _chrome_top() + body + tail)


def render(corpus: Path, out: Path, formats: tuple[str, ...]) -> list[tuple[str, int | None]]:
    """Render every corpus file; returns (stem, PDF page count or None) per file."""
    files = sorted(corpus.glob("*.txt"))
    articles = [(f.stem, *read_article(f)) for f in files]
    out.mkdir(parents=True, exist_ok=True)
    fonts = pdf_fonts([t + "".join(p) for _, t, p in articles]) if "pdf" in formats else None
    done = []
    for stem, title, paragraphs in articles:
        pages = write_pdf(title, paragraphs, out / f"{stem}.pdf", fonts) if fonts else None
        if "docx" in formats:
            write_docx(title, paragraphs, out / f"{stem}.docx")
        if "html" in formats:
            (out / f"{stem}.html").write_text(render_html(stem, title, paragraphs), encoding="utf-8")
        done.append((stem, pages))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of *.txt articles")
    parser.add_argument("out", type=Path, help="folder to write the rendered files to")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: pdf,docx,html")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown format(s): {', '.join(sorted(unknown))}")
    if not args.corpus.is_dir():
        parser.error(f"not a folder: {args.corpus}")
    done = render(args.corpus, args.out, formats)
    for stem, pages in done:
        print(f"{stem}: {', '.join(formats)}" + (f" (PDF: {pages} page(s))" if pages else ""))
    print(f"{len(done)} article(s) written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
