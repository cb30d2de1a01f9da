"""Generated answers, checked sentence by sentence against the passages they cite.

The LLM writes from numbered passages (:mod:`rag.prompt`); every sentence of its reply then goes
through the verifier it is given (:class:`rag.verify.Verifier`, which applies :func:`rag.supports`). A sentence its cited passage supports keeps
that citation, narrowed to the sentence span(s) that support it. One supported by a *different*
retrieved passage gets its citation corrected. One that nothing supports is marked
``supported=False`` and, unless ``keep_unsupported``, removed from the shown text with a note.
When nothing survives, the extractive answer is given instead: no sentence reaches the user
unless a cited passage supports it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

from llama_index.core.llms import LLM

from rag.answer.citations import Numbering
from rag.answer.prompt import Prompt, build_prompt
from rag.ingest.chunk import count_tokens
from rag.llm import DEFAULT_MAX_TOKENS, llm_failure, resolve_llm
from rag.records import (
    Answer,
    AnswerSentence,
    Hit,
    SentenceChecker,
    StreamEvent,
    marks,
    with_marks,
)
from rag.text.marks import (
    complete_sentences,
    draft,
    hold_back,
    parse_reply,
    split_reply,
)
from rag.text.normalize import content_terms

#: Builds the checker for one reply: (sources shown to the LLM as [1]..[n], all retrieved hits).
CheckerFactory = Callable[[Sequence[Hit], Sequence[Hit]], SentenceChecker]

__all__ = ["GenerativeAnswerer", "UNSUPPORTED_MARK", "REMOVED_MARK"]

UNSUPPORTED_MARK = "[unsupported]"  # shown after a kept unsupported sentence
REMOVED_MARK = "[unsupported, removed]"  # shown while streaming a sentence that will be removed
REPEATED_MARK = "[repeated, removed]"
_UNFINISHED = "unfinished: the LLM stopped mid-sentence"
_TERMINAL = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*$")


@dataclass(frozen=True)
class _Ask:
    """One question as the answerer received it."""

    question: str
    hits: tuple[Any, ...]
    standalone: str | None
    context: str

    def fallback_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"standalone": self.standalone}
        if self.context:
            kwargs["context"] = self.context  # only the extractive answerer takes it
        return kwargs


@dataclass
class _Stream:
    """What a streamed reply has produced so far."""

    raw: str = ""
    last: bool = False  # the sentence being finished is the reply's last
    seen: set[str] = field(default_factory=set)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


class GenerativeAnswerer:
    """Answers with an LLM and shows only what the cited passages support.

    Same interface as the extractive answerer, which is also the ``fallback`` used when there
    are no passages or when no generated sentence survives verification.
    """

    def __init__(
        self,
        llm: LLM | str,
        *,
        fallback: Any,
        verifier: CheckerFactory,
        keep_unsupported: bool = False,
        max_tokens: int | None = None,
        context_window: int | None = None,
    ):
        resolved = resolve_llm(llm) if isinstance(llm, str) else llm
        if not isinstance(resolved, LLM):
            raise ValueError(f"llm must be a LlamaIndex LLM or a backend spec, got {llm!r}")
        if not (callable(getattr(fallback, "answer", None)) and callable(getattr(fallback, "stream", None))):
            raise ValueError(f"fallback must have answer() and stream() (an extractive answerer), got {fallback!r}")
        meta = resolved.metadata
        self.max_tokens = max_tokens or (meta.num_output if meta.num_output and meta.num_output > 0 else DEFAULT_MAX_TOKENS)
        self.context_window = context_window or meta.context_window
        if self.max_tokens < 16 or self.context_window <= self.max_tokens:
            raise ValueError(
                f"need 16 <= max_tokens < context_window, got max_tokens={self.max_tokens}, "
                f"context_window={self.context_window}"
            )
        if not callable(verifier):
            raise ValueError(f"verifier must build a sentence checker from (sources, hits), got {verifier!r}")
        self.llm = resolved
        self.fallback = fallback
        self.verifier = verifier
        self.keep_unsupported = bool(keep_unsupported)

    def _prompt(self, question: str, hits: Sequence[Hit], standalone: str | None) -> Prompt:
        return build_prompt(
            standalone or question, hits, context_window=self.context_window, max_output_tokens=self.max_tokens
        )

    def answer(
        self, question: str, hits: Sequence[Hit], *, standalone: str | None = None, context: str = ""
    ) -> Answer:
        """Generate, verify and return the answer (the extractive one if nothing survives).

        ``context`` (terms carried over by an extractive follow-up) is only passed to the fallback.
        """
        ask = _Ask(question, tuple(hits), standalone, context)
        if not hits:
            return self._fallback_answer(ask)
        prompt = self._prompt(question, hits, standalone)
        t0 = time.perf_counter()
        try:
            reply = self.llm.chat(list(prompt.messages)).message.content or ""
        except Exception as exc:  # noqa: BLE001 - any backend failure is one line
            raise llm_failure(self.llm, exc, "answer") from None
        generated = (time.perf_counter() - t0) * 1000
        return self._finish(ask, reply, prompt, self.verifier(prompt.sources, hits), generated)

    def stream(
        self, question: str, hits: Sequence[Hit], *, standalone: str | None = None, context: str = ""
    ) -> Iterator[StreamEvent]:
        """Text deltas as tokens arrive (citation markers held back), each sentence's verified
        marks once it is complete, then the final Answer, which is authoritative: by default it
        leaves out the sentences streamed with the removed mark."""
        ask = _Ask(question, tuple(hits), standalone, context)
        if not hits:
            yield from self.fallback.stream(question, hits, **ask.fallback_kwargs())
            return
        prompt = self._prompt(question, hits, standalone)
        verifier = self.verifier(prompt.sources, hits)
        numbering = Numbering()
        state = _Stream()
        done, shown, started = 0, "", False
        t0 = time.perf_counter()
        for delta in self._deltas(prompt):
            state.raw += delta
            pieces = split_reply(state.raw)
            finished = complete_sentences(state.raw)
            while done < finished:
                text, started = self._finish_piece(pieces[done], shown, started, verifier, numbering, state)
                if text:
                    yield StreamEvent(delta=text)
                done, shown = done + 1, ""
            if len(pieces) > done:
                live = hold_back(pieces[done])
                if live.startswith(shown) and len(live) > len(shown):
                    yield StreamEvent(delta=("" if shown or not started else " ") + live[len(shown):])
                    started, shown = True, live
        generated = (time.perf_counter() - t0) * 1000
        pieces = split_reply(state.raw)
        while done < len(pieces):
            state.last = done == len(pieces) - 1
            text, started = self._finish_piece(pieces[done], shown, started, verifier, numbering, state)
            if text:
                yield StreamEvent(delta=text)
            done, shown = done + 1, ""
        final = self._finish(ask, state.raw, prompt, verifier, generated)
        if final.mode != "generative":
            yield StreamEvent(delta=("\n\n" if started else "") + final.text)
        yield StreamEvent(answer=final)

    def _fallback_answer(self, ask: "_Ask") -> Answer:
        return self.fallback.answer(ask.question, ask.hits, **ask.fallback_kwargs())

    def _deltas(self, prompt: Prompt) -> Iterator[str]:
        """The LLM's streamed text; a backend failure at any point is one ``LLMError`` line."""
        try:
            for part in self.llm.stream_chat(list(prompt.messages)):
                if part.delta:
                    yield part.delta
        except Exception as exc:  # noqa: BLE001 - any backend failure is one line
            raise llm_failure(self.llm, exc, "answer") from None

    def _unfinished(self, reply: str, last: str) -> bool:
        """The LLM ran out of tokens mid-sentence: a fragment may quote well and still mislead."""
        return not _TERMINAL.search(last) and count_tokens(reply) >= 0.8 * self.max_tokens

    def _finish_piece(
        self, piece: str, shown: str, started: bool, verifier: SentenceChecker, numbering: Numbering, state: "_Stream"
    ) -> tuple[str, bool]:
        """The rest of a completed streamed sentence, with its verification marks."""
        d = draft(piece)
        if d is None:
            return "", started
        c = verifier.check(d)
        if state.last and self._unfinished(state.raw, d.text):
            c = replace(c, supported=False, spans=(), reason=_UNFINISHED)
        key = _key(d.text)
        if key in state.seen:
            full = with_marks(d.text, REPEATED_MARK)
        elif c.meta:
            full = d.text
        elif c.supported:
            full = with_marks(d.text, marks(sorted({numbering.number(s.hit, s.start, s.end) for s in c.spans})))
        else:
            full = with_marks(d.text, UNSUPPORTED_MARK if self.keep_unsupported else REMOVED_MARK)
        state.seen.add(key)
        if shown and full.startswith(shown):
            return full[len(shown):], True
        lead = ("\n" if shown else " ") if started else ""  # a sentence re-split while streaming restarts
        return lead + full, True

    def _finish(self, ask: "_Ask", reply: str, prompt: Prompt, verifier: SentenceChecker, generated_ms: float) -> Answer:
        t0 = time.perf_counter()
        drafts = parse_reply(reply)
        distinct = list({_key(d.text): d for d in reversed(drafts)}.values())[::-1]
        checked = [verifier.check(d) for d in distinct]
        if checked and self._unfinished(reply, distinct[-1].text):
            checked[-1] = replace(checked[-1], supported=False, spans=(), reason=_UNFINISHED)
        claims = [c for c in checked if not c.meta]
        kept = [c for c in claims if c.supported]
        terms = set(content_terms(ask.standalone or ask.question))
        off_topic = bool(kept and terms and not any(terms & set(content_terms(c.draft.text)) for c in kept))
        if not kept or off_topic:
            return self._fall_back(ask, claims, off_topic, generated_ms, t0)
        numbering = Numbering()
        sentences: list[AnswerSentence] = []
        shown: list[str] = []
        for c in claims:
            ns = tuple(sorted({numbering.number(s.hit, s.start, s.end) for s in c.spans})) if c.supported else ()
            if c.supported or self.keep_unsupported:
                shown.append(with_marks(c.draft.text, marks(ns) if c.supported else UNSUPPORTED_MARK))
            sentences.append(AnswerSentence(c.draft.text, ns, c.supported, c.score, c.reason))
        unsupported = len(claims) - len(kept)
        notes = self._notes(unsupported, len(drafts) - len(distinct), sum(1 for c in kept if c.corrected),
                            prompt.dropped)
        verify_ms = (time.perf_counter() - t0) * 1000
        return Answer(question=ask.question, text=" ".join(shown), abstained=False,
                      citations=tuple(numbering.citations), sentences=tuple(sentences),
                      timings_ms={"generate": generated_ms, "verify": verify_ms, "answer": generated_ms + verify_ms},
                      standalone_question=ask.standalone or ask.question,
                      removed=0 if self.keep_unsupported else unsupported, mode="generative", notes=tuple(notes))

    def _fall_back(self, ask: "_Ask", claims: list, off_topic: bool, generated_ms: float, t0: float) -> Answer:
        """The extractive answer, with a note saying why the generated one was not shown."""
        fb = self._fallback_answer(ask)
        if off_topic:
            why = "The LLM's supported sentences do not address the question"
        elif claims:
            why = (f"None of the {len(claims)} sentences the LLM wrote is supported by the passages"
                   if len(claims) > 1 else "The sentence the LLM wrote is not supported by the passages")
        else:
            why = "The LLM found no answer in the passages"
        note = f"{why}; this is the extractive answer."
        timings = {**fb.timings_ms, "generate": generated_ms, "verify": (time.perf_counter() - t0) * 1000}
        return replace(fb, removed=len(claims), notes=tuple(fb.notes) + (note,), timings_ms=timings)

    def _notes(self, unsupported: int, repeats: int, fixed: int, dropped: int) -> list[str]:
        notes: list[str] = []
        if unsupported:
            plural = "sentence" if unsupported == 1 else "sentences"
            if self.keep_unsupported:
                notes.append(f"{unsupported} {plural} not supported by the passages, marked {UNSUPPORTED_MARK}.")
            else:
                notes.append(f"{unsupported} generated {plural} removed: not supported by the passages.")
        if repeats:
            notes.append(f"{repeats} repeated sentence{'s' if repeats > 1 else ''} dropped.")
        if fixed:
            notes.append(f"Citations corrected in {fixed} sentence{'s' if fixed > 1 else ''}.")
        if dropped:
            notes.append(f"{dropped} retrieved passages did not fit the LLM's context window.")
        return notes
