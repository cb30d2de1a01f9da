"""Checking generated sentences against retrieved passages, and pointing each at its exact span.

Every verdict is :func:`rag.verify.support.supports` (the judge with its guards), so a generated
sentence is "supported" in exactly the sense an extractive one and the eval's are. A sentence its
cited passage supports keeps that citation, narrowed to the fewest consecutive sentences that
support it; one that another retrieved passage supports gets its citation corrected; the rest are
refused with the reason.
"""

from __future__ import annotations

from typing import Sequence

from rag.records import Checked, DraftSentence, Hit, Judge, Support, SupportSpan, marks
from rag.verify.guards import is_instruction, is_no_answer
from rag.verify.support import supports

__all__ = ["Verifier"]

_SPAN_WINDOW = 3  # the judge's paraphrase window: at most three consecutive passage sentences


class Verifier:
    """Judges reply sentences against the retrieved passages; caches every judge call."""

    def __init__(self, sources: Sequence[Hit], hits: Sequence[Hit], judge: Judge = supports):
        self.sources = tuple(sources)  # sources[n - 1] is the hit the reply cites as [n]
        self.hits = list(hits)
        self.judge = judge
        self._cache: dict[tuple[str, str], tuple[Support, SupportSpan | None]] = {}

    def _judge(self, hit: Hit, sentence: str) -> tuple[Support, SupportSpan | None]:
        key = (hit.passage.id, sentence)
        if key not in self._cache:
            p = hit.passage
            spans = tuple(s for s in p.sentences if not is_instruction(s.text))
            if len(spans) == len(p.sentences):
                texts = [p.text] + ([p.clean] if p.clean and p.clean != p.text else [])
            else:
                texts = [" ".join(s.text for s in spans)] if spans else []
            verdict = Support(False, 0.0, "the passage only instructs, it states nothing")
            for text in texts:
                v = self.judge(text, sentence)
                if (v.supported, v.score) > (verdict.supported, verdict.score) or not verdict.reason:
                    verdict = v
                if v.supported:
                    break
            span = self._best_span(hit, spans, sentence, verdict.score) if verdict.supported else None
            self._cache[key] = (verdict, span)
        return self._cache[key]

    def _best_span(self, hit: Hit, spans: Sequence, sentence: str, score: float) -> SupportSpan:
        """The fewest consecutive passage sentences that support ``sentence``, best score first;
        the whole passage when no window of up to three does (support spread wider)."""
        order = {(s.start, s.end): i for i, s in enumerate(hit.passage.sentences)}
        for size in range(1, min(_SPAN_WINDOW, len(spans)) + 1):
            best: tuple[float, int] | None = None
            for i in range(len(spans) - size + 1):
                window = spans[i : i + size]
                if order[(window[-1].start, window[-1].end)] - order[(window[0].start, window[0].end)] != size - 1:
                    continue  # not consecutive: an instruction sentence was left out between them
                v = self.judge(" ".join(s.text for s in window), sentence)
                if v.supported and (best is None or v.score > best[0]):
                    best = (v.score, i)
            if best is not None:
                first, last = spans[best[1]], spans[best[1] + size - 1]
                return SupportSpan(hit, first.start, last.end, best[0])
        return SupportSpan(hit, hit.passage.start, hit.passage.end, score)

    def check(self, d: DraftSentence) -> Checked:
        """Keep, correct or refuse the citations of one sentence."""
        if is_no_answer(d.text):
            return Checked(d, False, (), 0.0, "says the sources do not answer", meta=True)
        cited = [self.sources[n - 1] for n in d.citations if 1 <= n <= len(self.sources)]
        spans: list[SupportSpan] = []
        failures: list[str] = []
        for hit in cited:
            verdict, span = self._judge(hit, d.text)
            if span is not None:
                spans.append(span)
            else:
                failures.append(verdict.reason)
        if spans:
            reason = self._judge(spans[0].hit, d.text)[0].reason
            corrected = len(spans) < len(d.citations)
            if corrected:
                reason = f"citations {marks(d.citations)} narrowed to the supporting ones; {reason}"
            return Checked(d, True, tuple(spans), max(s.score for s in spans), reason, corrected)
        best: tuple[float, SupportSpan] | None = None
        for hit in self.hits:
            if any(hit is c for c in cited):
                continue
            verdict, span = self._judge(hit, d.text)
            if span is not None and (best is None or verdict.score > best[0]):
                best = (verdict.score, span)
        if best is not None:
            what = "citation added" if not d.citations else f"citation {marks(d.citations)} corrected"
            reason = f"{what}; {self._judge(best[1].hit, d.text)[0].reason}"
            return Checked(d, True, (best[1],), best[0], reason, corrected=True)
        if not d.citations:
            return Checked(d, False, (), 0.0, "no citation, and no retrieved passage supports it")
        if not cited:
            return Checked(d, False, (), 0.0, f"cites {marks(d.citations)}, which no source has")
        return Checked(d, False, (), 0.0, f"not supported by {marks(d.citations)}: {failures[0]}")
