"""Citations: one span of a passage's file, numbered in order of first use within an answer."""

from __future__ import annotations

from rag.records import Citation, Hit

__all__ = ["Numbering", "cite"]


def cite(n: int, hit: Hit, start: int, end: int) -> Citation:
    """Citation ``[n]`` of ``[start, end)`` in ``hit``'s file; the quote is the passage's own text there."""
    p = hit.passage
    if not p.start <= start < end <= p.end:
        raise ValueError(f"span {start}-{end} is outside passage {p.id} ({p.start}-{p.end})")
    return Citation(n=n, source=p.source, title=p.title, start=start, end=end,
                    quote=p.text[start - p.start:end - p.start],
                    score=float(hit.score),  # as documented: the passage's fused retrieval score
                    passage_id=p.id, passage_start=p.start, passage_end=p.end, url=p.url,
                    page=p.layout.page_at(start), heading=p.layout.heading_at(start))


class Numbering:
    """Gives each distinct cited span one number, in order of first use."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def number(self, hit: Hit, start: int, end: int) -> int:
        key = (hit.passage.source, start, end)
        if key not in self._index:
            self._index[key] = len(self.citations) + 1
            self.citations.append(cite(self._index[key], hit, start, end))
        return self._index[key]
