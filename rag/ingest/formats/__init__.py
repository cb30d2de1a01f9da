"""The file formats the corpus may hold, and the one text contract for all of them.

A ``.txt``/``.md`` file's text is the file itself. A PDF's, Word file's or saved web page's text is
what its extractor gives (stored with the index, so ``quote == document_text(source)[start:end]``
holds for every citation), with a :class:`~rag.records.Layout` saying where pages and headings begin.
Every failure is a :class:`~rag.errors.CorpusError` of one line naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from rag.errors import CorpusError
from rag.records import PLAIN, Layout

__all__ = ["EXTENSIONS", "TEXT_EXTENSIONS", "MAX_FILE_BYTES", "Extracted", "extract"]

TEXT_EXTENSIONS = (".txt", ".md")
EXTENSIONS = TEXT_EXTENSIONS + (".pdf", ".docx", ".html", ".htm")
#: The largest file read, by format: a text or web page is held whole; a PDF is read a page at a time.
MAX_FILE_BYTES = {".txt": 20_000_000, ".md": 20_000_000, ".html": 20_000_000, ".htm": 20_000_000,
                  ".docx": 50_000_000, ".pdf": 200_000_000}
#: The most extracted text one file may give (a text file's limit, for every format).
MAX_TEXT_CHARS = 20_000_000


class Extracted(NamedTuple):
    """A file's text, its title from the file's metadata ("" when it has none), address and layout."""

    text: str
    title: str
    url: str | None
    layout: Layout


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{source}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{source}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc


def extract(path: Path, source: str, data: bytes | None = None) -> Extracted:
    """The text of one corpus file. ``data`` is the file's bytes when already read (text formats)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_EXTENSIONS:
        text = _decode(data if data is not None else path.read_bytes(), source)
        return Extracted(text, "", None, PLAIN)
    try:
        if suffix == ".pdf":
            from rag.ingest.formats.pdf import extract_pdf
            text, title, layout = extract_pdf(path, source)
            url = None
        elif suffix == ".docx":
            from rag.ingest.formats.docx import extract_docx
            text, title, layout = extract_docx(path, source)
            url = None
        elif suffix in (".html", ".htm"):
            from rag.ingest.formats.html import extract_html
            text, title, layout, url = extract_html(path, source)
        else:
            raise CorpusError(f"{source}: {suffix or 'a file without an extension'} is not a format the corpus reads "
                              f"({', '.join(EXTENSIONS)})")
    except (CorpusError, MemoryError):
        raise
    except OSError as exc:
        raise CorpusError(f"{source}: cannot read file ({exc.strerror or exc})") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged file must not stop the folder
        raise CorpusError(f"{source}: could not be read as {suffix[1:].upper()} "
                          f"({type(exc).__name__}: {str(exc)[:160]})") from exc
    if not text.strip():
        raise CorpusError(f"{source}: no text could be extracted from the file; not indexed")
    if len(text) > MAX_TEXT_CHARS:
        raise CorpusError(f"{source}: the extracted text has {len(text):,} characters, more than the limit of "
                          f"{MAX_TEXT_CHARS:,}")
    return Extracted(text, title, url, layout)
