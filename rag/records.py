"""The records every stage passes on, as frozen dataclasses, and the protocols of the swappable parts.

ingest → ``Document``, ``SkippedFile``; chunking → ``Passage`` of ``SentenceSpan``; retrieval → ``Hit``;
answering → ``Answer`` of ``AnswerSentence`` and ``Citation`` (or ``DraftSentence`` from an LLM);
verification → ``Support``. ``Answerer`` and ``Judge`` are what :class:`rag.Assistant` is given.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Any,
    Iterator,
    Mapping,
    NamedTuple,
    Protocol,
    Sequence,
    runtime_checkable,
)

__all__ = ["Layout", "PLAIN", "Document", "SkippedFile", "SentenceSpan", "Passage", "Hit", "Support", "DraftSentence", "Citation",
           "AnswerSentence", "Answer", "StreamEvent", "SupportSpan", "Checked", "Answerer", "Judge", "SentenceChecker",
           "marks", "with_marks", "stream_of", "Verdict", "VERDICT_LEADS"]


@dataclass(frozen=True)
class Layout:
    """Where a document's extracted text came from in its file: the format, the start offset of each
    page (PDF; page ``n`` begins at ``pages[n - 1]``) and of each heading (DOCX, HTML)."""

    kind: str = "text"
    pages: tuple[int, ...] = ()
    headings: tuple[tuple[int, str], ...] = ()
    date: str | None = None  # the page's own publication date (HTML metadata), as written there

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for a format without pages."""
        if not self.pages:
            return None
        return max(1, bisect_right(self.pages, offset))

    def heading_at(self, offset: int) -> str | None:
        """The nearest heading at or before ``offset``, or None."""
        i = bisect_right(self.headings, offset, key=lambda h: h[0])
        return self.headings[i - 1][1] if i else None

    def to_json(self) -> str | None:
        if self == PLAIN:
            return None
        return json.dumps({"kind": self.kind, "pages": list(self.pages), "headings": [list(h) for h in self.headings],
                           "date": self.date}, ensure_ascii=False)

    @staticmethod
    def from_json(raw: str | None) -> "Layout":
        if not raw:
            return PLAIN
        d = json.loads(raw)
        return Layout(d["kind"], tuple(d.get("pages", ())), tuple((int(o), str(h)) for o, h in d.get("headings", ())),
                      d.get("date"))


#: The layout of a .txt or .md file: its text is the file itself.
PLAIN = Layout()


@dataclass(frozen=True)
class Document:
    """One corpus file: ``text`` is what citations quote — the file decoded as UTF-8 for .txt/.md, the
    extracted text for PDF, DOCX and HTML (stored with the index)."""

    source: str
    path: Path
    text: str
    sha256: str
    title: str
    url: str | None
    boilerplate: frozenset[int]  # start offsets of lines judged to be web boilerplate
    layout: Layout = PLAIN


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that could not be indexed, and why (one line for the user)."""

    source: str
    reason: str


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence: ``text`` is exactly the file's ``[start, end)``; ``clean`` is what is indexed."""

    start: int
    end: int
    text: str
    clean: str


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences of one document, small enough for MiniLM's 256-word-piece window."""

    id: str
    source: str
    title: str
    url: str | None
    start: int
    end: int
    text: str
    clean: str
    sentences: tuple[SentenceSpan, ...]
    ord: int
    boilerplate: bool = False
    layout: Layout = PLAIN  # the document's (one shared object per document)


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with the scores that ranked it; ``sentence_scores`` are dense, per sentence."""

    passage: Passage
    score: float
    bm25: float
    dense: float
    sentence_scores: tuple[float, ...]


class Support(NamedTuple):
    """The verdict: ``supported``; ``score`` in [0, 1]; ``reason`` a short phrase a user can read."""

    supported: bool
    score: float
    reason: str


@dataclass(frozen=True)
class DraftSentence:
    """A sentence of a reply: its text without markers and the source numbers it cited."""

    text: str
    citations: tuple[int, ...]


def marks(numbers) -> str:
    """``[1][2]`` for (1, 2): how an answer sentence shows its citations."""
    return "".join(f"[{n}]" for n in numbers)


def with_marks(sentence: str, shown: str) -> str:
    """``sentence`` followed by its marks ("[1][2]", or a label such as "[unsupported]")."""
    return f"{sentence} {shown}" if shown else sentence


@dataclass(frozen=True)
class SupportSpan:
    """A supporting span of one retrieved passage: ``[start, end)`` in its file."""

    hit: Hit
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Checked:
    """The verdict on one generated sentence."""

    draft: DraftSentence
    supported: bool
    spans: tuple[SupportSpan, ...]
    score: float
    reason: str
    corrected: bool = False
    meta: bool = False  # "the sources do not answer": not a claim, never shown or counted


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
    page: int | None = None  # 1-based page of a PDF citation's start
    heading: str | None = None  # the nearest heading before it (DOCX, HTML)

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
            "page": self.page,
            "heading": self.heading,
        }

    def where(self) -> str:
        """The source with its page or heading: "report.pdf, p. 12"."""
        if self.page is not None:
            return f"{self.source}, p. {self.page}"
        return f"{self.source}, “{self.heading}”" if self.heading else self.source

    def label(self) -> str:
        """The line a terminal shows under an answer."""
        return f"[{self.n}] {self.title} — {self.where()}, chars {self.start}–{self.end}"


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


#: How the answer to a yes/no question opens, by verdict; "differ": cited sentences disagree on it.
VERDICT_LEADS = {"yes": "Yes — ", "no": "No — ", "differ": "The articles differ: "}


@dataclass(frozen=True)
class Verdict:
    """A yes/no question answered by one sentence: ``"yes"`` (it states the claim) or ``"no"`` (it
    states its negation or its opposite), and the judge's reason."""

    answer: str
    reason: str

    def __post_init__(self) -> None:
        if self.answer not in ("yes", "no"):
            raise ValueError(f"Verdict.answer must be 'yes' or 'no', got {self.answer!r}")


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
    #: The learned reader's probability that the best sentence answers the question (None: no reader).
    confidence: float | None = None
    #: The question as searched, when typos were corrected against the corpus vocabulary.
    searched_for: str | None = None
    #: For a yes/no question: "yes" or "no" when a cited sentence states or negates the claim; "differ"
    #: when cited sentences of different articles disagree (also when they give different values for a
    #: who/how-many/where question); None otherwise (the evidence is shown without a verdict).
    verdict: str | None = None
    #: For a question of several conditions ("Which company built the dam and is accused of fraud?"):
    #: the name that every condition's cited sentence gives, said first; None otherwise.
    name: str | None = None

    def lead(self) -> str:
        """What the answer says before its first sentence: "Yes — ", "The articles differ: ", "Name — "."""
        return VERDICT_LEADS.get(self.verdict or "", "") or (f"{self.name} — " if self.name else "")

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
            "confidence": None if self.confidence is None else round(float(self.confidence), 4),
            "searched_for": self.searched_for,
            "verdict": self.verdict,
            "name": self.name,
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def format_refs(self) -> str:
        """What a terminal shows under the answer text: notes, then one line per citation."""
        lines = [f"(searched for: {self.searched_for})"] if self.searched_for else []
        if self.confidence is not None:
            lines.append(f"(confidence {self.confidence:.2f})")
        lines += [f"({note})" for note in self.notes]
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


def stream_of(answer: Answer) -> Iterator[StreamEvent]:
    """A finished answer as a stream: its sentences one at a time, then the Answer itself."""
    if answer.abstained or not answer.sentences:
        yield StreamEvent(delta=answer.text)
    else:
        lead = answer.lead()
        for i, s in enumerate(answer.sentences):
            yield StreamEvent(delta=(lead if i == 0 else " ") + with_marks(s.text, marks(s.citations)))
    yield StreamEvent(answer=answer)


@runtime_checkable
class Judge(Protocol):
    """Decides whether a passage supports a sentence (:func:`rag.supports` is the one shipped)."""

    def __call__(self, passage: str, sentence: str) -> Support: ...


@runtime_checkable
class Answerer(Protocol):
    """Turns a question and its retrieved passages into an :class:`Answer` (extractive or generative)."""

    def answer(self, question: str, hits: Sequence[Hit], *, standalone: str | None = None,
               context: str = "") -> Answer: ...

    def stream(self, question: str, hits: Sequence[Hit], *, standalone: str | None = None,
               context: str = "") -> Iterator[StreamEvent]: ...


@runtime_checkable
class SentenceChecker(Protocol):
    """Checks one sentence of a generated reply against the passages (:class:`rag.verify.Verifier`)."""

    def check(self, draft: DraftSentence) -> Checked: ...
