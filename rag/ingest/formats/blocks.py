"""The text of a structured document (DOCX, HTML), built block by block: one line per paragraph,
heading, list item or table row, with each heading's offset for citations."""

from __future__ import annotations

import re

from rag.records import Layout

__all__ = ["Blocks", "row_text"]

_SPACE = re.compile(r"\s+")


def row_text(header: list[str], cells: list[str]) -> str:
    """A table row as one line that keeps its header: "Year: 2021; Sales: 19 units." A row without a
    header (or a header row itself) is its cells joined with "; "."""
    pairs = [f"{h}: {c}" if h and h != c else c for h, c in zip(header, cells) if c] if header else [c for c in cells if c]
    pairs += [c for c in cells[len(header):] if c] if header else []
    line = "; ".join(pairs)
    return line if not line or line[-1] in ".!?" else line + "."


class Blocks:
    """Accumulates the extracted text; ``text`` and ``layout`` when done."""

    def __init__(self, kind: str):
        self.kind = kind
        self._parts: list[str] = []
        self._at = 0
        self._headings: list[tuple[int, str]] = []

    def _add(self, line: str) -> int | None:
        if not line:
            return None
        sep = "\n\n" if self._parts else ""
        start = self._at + len(sep)
        self._parts.append(sep + line)
        self._at = start + len(line)
        return start

    def paragraph(self, text: str, keep_lines: bool = False) -> None:
        """A paragraph; its inner whitespace is collapsed unless ``keep_lines`` (code, addresses)."""
        if keep_lines:
            text = "\n".join(_SPACE.sub(" ", ln).strip() for ln in text.splitlines() if ln.strip())
        else:
            text = _SPACE.sub(" ", text).strip()
        self._add(text)

    def heading(self, text: str) -> None:
        text = _SPACE.sub(" ", text).strip()
        start = self._add(text)
        if start is not None:
            self._headings.append((start, text))

    def table(self, rows: list[list[str]], header_rows: int = 1) -> None:
        """Rows of cell texts; the first ``header_rows`` name the columns of the rest."""
        rows = [[_SPACE.sub(" ", c).strip() for c in row] for row in rows]
        rows = [row for row in rows if any(row)]
        header = rows[0] if header_rows and len(rows) > 1 else []
        for row in rows[1:] if header else rows:
            self._add(row_text(header, row))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def layout(self) -> Layout:
        return Layout(self.kind, headings=tuple(self._headings))
