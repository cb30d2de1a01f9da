"""What one indexing run did (``IndexReport``) and how it reports progress on the way (``Progress``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from rag.records import SkippedFile

__all__ = ["IndexReport", "Progress"]

#: Called as ``progress(done, total, label)`` while a run goes through the folder.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did, for the CLI's summary line and the page's status."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    skipped: tuple[SkippedFile, ...] = ()
    repaired: tuple[str, ...] = ()
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    set_aside: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired)

    def summary(self) -> str:
        parts = [f"{self.documents} documents, {self.passages} passages indexed"]
        if self.changed:
            parts.append(f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed"
                         + (f", {len(self.repaired)} repaired" if self.repaired else ""))
        else:
            parts.append("nothing changed")
        parts.append(f"{self.embedded} texts embedded in {self.seconds:.1f} s")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return "; ".join(parts)
