"""Word (.docx): paragraphs, headings and tables in document order (python-docx, MIT)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rag.errors import CorpusError
from rag.ingest.formats.blocks import Blocks
from rag.records import Layout

__all__ = ["extract_docx"]


def _is_heading(paragraph) -> bool:
    name = (paragraph.style.name or "") if paragraph.style is not None else ""
    return name.startswith("Heading") or name == "Title"


def _cells(row) -> list[str]:
    """A row's cell texts, a merged cell once (python-docx repeats it for every grid column)."""
    out, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(cell.text)
    return out


def extract_docx(path: Path, source: str) -> tuple[str, str, Layout]:
    """(text, title, layout with heading offsets); CorpusError for a file Word could not open."""
    import docx  # imported on first use
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise CorpusError(f"{source}: not a readable Word file (it is not a .docx package)") from exc
    except (KeyError, ValueError) as exc:
        raise CorpusError(f"{source}: not a readable Word file ({type(exc).__name__}: {str(exc)[:120]})") from exc
    except Exception as exc:  # noqa: BLE001 - lxml and zipfile report damage in many ways
        raise CorpusError(f"{source}: the Word file is damaged ({type(exc).__name__}: {str(exc)[:120]})") from exc
    blocks = Blocks("docx")
    first_heading = ""
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            blocks.table([_cells(row) for row in item.rows])
        elif _is_heading(item):
            first_heading = first_heading or item.text.strip()
            blocks.heading(item.text)
        else:
            blocks.paragraph(item.text)
    title = (document.core_properties.title or "").strip() or first_heading
    return blocks.text, title, blocks.layout
