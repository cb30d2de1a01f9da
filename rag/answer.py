"""The answer a user gets: sentences, each tied to the exact passages it came from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Citation", "AnswerSentence", "Answer", "StreamEvent"]


@dataclass(frozen=True)
class Citation:
    """One cited span of a corpus file; ``quote == file_text[start:end]`` always."""

    n: int
    source: str
    title: str
    start: int
    end: int
    quote: str
    score: float
    passage_id: str = ""
    passage_start: int = 0
    passage_end: int = 0
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "score": round(float(self.score), 4),
            "passage_id": self.passage_id,
            "passage_start": self.passage_start,
            "passage_end": self.passage_end,
            "url": self.url,
        }

    def label(self) -> str:
        """The line a terminal shows under an answer."""
        return f"[{self.n}] {self.title} — {self.source}, chars {self.start}–{self.end}"


@dataclass(frozen=True)
class AnswerSentence:
    """A sentence of the answer, its citation numbers, and whether the judge found it supported."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    score: float = 1.0
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "support_score": round(float(self.score), 4),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Answer:
    """What :meth:`rag.Assistant.ask` returns; ``to_dict`` is the documented JSON shape."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    sentences: tuple[AnswerSentence, ...] = ()
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    related: tuple[Citation, ...] = ()
    removed: int = 0
    mode: str = "extractive"
    notes: tuple[str, ...] = ()

    def citation(self, n: int) -> Citation:
        for c in self.citations:
            if c.n == n:
                return c
        raise KeyError(n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [s.to_dict() for s in self.sentences],
            "timings_ms": {k: round(float(v), 2) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question,
            "related": [c.to_dict() for c in self.related],
            "removed": self.removed,
            "mode": self.mode,
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def format_refs(self) -> str:
        """What a terminal shows under the answer text: notes, then one line per citation."""
        lines = [f"({note})" for note in self.notes]
        refs = self.citations or self.related
        if refs:
            lines.append("")
            if self.abstained and self.related:
                lines.append("Related passages:")
            lines.extend(c.label() for c in refs)
        return "\n".join(lines)

    def format_text(self) -> str:
        """The answer as a terminal shows it: text, notes, then one line per citation."""
        refs = self.format_refs()
        return f"{self.text}\n{refs}" if refs else self.text


@dataclass(frozen=True)
class StreamEvent:
    """A piece of a streamed answer: text to append, and on the last event the whole Answer."""

    delta: str = ""
    answer: Answer | None = None
