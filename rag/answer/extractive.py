"""The default answerer: the few corpus sentences that answer the question, each cited, or an abstention.

Nothing is generated, so every sentence is grounded by construction; the work is in choosing
sentences a reader would accept and in refusing when the evidence does not cover the question.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Iterator, Mapping, Sequence

from rag.answer.candidates import Candidate, CandidateScorer
from rag.answer.citations import cite
from rag.answer.constraints import missing_number, negation_unmet, opposite_instead
from rag.answer.conditions import same_name, split_conditions
from rag.answer.policy import DEFAULT_POLICY, ExtractivePolicy
from rag.answer.question import Question, analyze, answer_values, spell_out, who_predicate
from rag.answer.reader import ReaderModel
from rag.records import (
    Answer,
    AnswerSentence,
    Citation,
    Hit,
    Judge,
    SentenceSpan,
    StreamEvent,
    Verdict,
    marks,
    stream_of,
    with_marks,
)
from rag.text.names import CaseStats
from rag.text.lexicon import variants
from rag.text.sentences import continues
from rag.text.normalize import content_terms, normalize

__all__ = ["ExtractiveAnswerer", "ABSTAIN_TEXT"]

ABSTAIN_TEXT = "The corpus does not say."

def _overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller term set found in the other: a cheap filter before the judge."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def display(span: SentenceSpan) -> str:
    """The sentence as shown: the de-glued text (the citation keeps the exact file text)."""
    return normalize(span.clean)


class ExtractiveAnswerer:
    """Selects, checks and cites answer sentences from retrieved passages; abstains when unsure."""

    def __init__(self, doc_freq: Mapping[str, int] | None = None, n_passages: int = 1, *,
                 judge: Judge, policy: ExtractivePolicy = DEFAULT_POLICY,
                 before: Mapping[str, set[str]] | None = None, cases: CaseStats | None = None,
                 reader: ReaderModel | None = None,
                 verdict: Callable[..., Verdict | None] | None = None):
        if not callable(judge):
            raise ValueError(f"judge must be callable as judge(passage, sentence), got {judge!r}")
        if not isinstance(policy, ExtractivePolicy):
            raise ValueError(f"policy must be an ExtractivePolicy, got {policy!r}")
        if reader is not None and not isinstance(reader, ReaderModel):
            raise ValueError(f"reader must be a ReaderModel or None, got {reader!r}")
        if verdict is not None and not callable(verdict):
            raise ValueError(f"verdict must be callable as verdict(sentence, claim, reported_ok=...), got {verdict!r}")
        self.judge = judge
        self.verdict = verdict
        self.policy = policy
        self.reader = reader
        self.scorer = CandidateScorer(doc_freq, n_passages, policy=policy, before=before, cases=cases)
        self.ordinary = self.scorer.ordinary

    # -- deciding ----------------------------------------------------------------------------------
    def _decide(self, q: Question, cands: list[Candidate], context_used: bool, floor: bool = True
                ) -> tuple[list[Candidate], Candidate | None, str | None]:
        """The candidates in the order to use them, the best one, and why to abstain (or None).

        ``policy.decision``: "reader" — the reader's most probable sentence, answered when it reaches
        the reader's threshold; "gated" — the same, and the question's names must be in the corpus and
        tied to the answer (:meth:`_name_reason`); "both" — the threshold and every hand rule; "rank" —
        the hand rules decide whether, the reader which; "rules" — the hand rules alone.
        """
        decision = self.policy.decision if self.reader is not None else "rules"
        if self.reader is not None and cands:
            p = self.reader.probability
            cands = [replace(c, confidence=p(c.reader)) for c in cands]
            if decision != "rules":
                cands.sort(key=lambda c: -c.confidence)
        if decision in ("rules", "rank") or not cands:
            best, verb, said, verb_forms = None, None, [], set()
            if cands:
                pool = [c for c in cands if c.entities_ok] or cands
                pool = [c for c in pool if c.grounded] or pool
                typed = [c for c in pool if c.typed] if q.needs_value else pool
                verb = who_predicate(q.text) if q.type == "person" else None
                verb_forms = {verb} | variants(verb) if verb else set()
                said = [c for c in typed if self._says(c, verb_forms)] if verb else typed
                best = (said or typed or pool)[0]
            reason = self._abstain_reason(q, best, context_used)
            if reason is None and verb and not said and any(self._says(c, verb_forms) for c in cands):
                # the retrieved sentences that say the question's verb name no one: the named ones are
                # about something else ("Who founded it?" against "X chairs it"); a verb no sentence
                # has may be a paraphrase, and is left to the other checks
                reason = f"the sentences that say who {q.text.split()[1].strip('?').lower()} name no one"
            low = self.policy.reader_floor if floor else 0.0
            if reason is None and best is not None and self.reader is not None and best.confidence < low:
                reason = f"the learned reader gives the best sentence only {best.confidence:.2f} (under {low:.2f})"
            return cands, best, reason
        cands = [replace(c, score=c.confidence) for c in cands]
        best = cands[0]
        if decision == "gated":
            named = [c for c in cands if c.entities_ok and c.grounded]
            best = named[0] if named else best
            rule = self._name_reason(q, best)
        else:
            rule = self._abstain_reason(q, best, context_used) if decision == "both" else None
        if rule is None and best.confidence < self.reader.threshold:
            rule = (f"the best sentence's confidence {best.confidence:.2f} is under the reader's threshold "
                    f"{self.reader.threshold:.2f}")
        return cands, best, rule

    def _name_reason(self, q: Question, best: Candidate) -> str | None:
        """Why no sentence can answer a question about these names: one is unknown to the corpus, no
        passage names them together, or no sentence ties them to an answer."""
        unknown = self.scorer.unknown_names(q)
        if unknown:
            return f"the corpus never mentions {unknown[0]!r}"
        if not best.entities_ok:
            return "no passage mentions " + " and ".join(repr(e) for e in q.entities)
        if not best.grounded:
            if q.type == "statement":
                who = q.entities[0].removesuffix("'s").removesuffix("’s")  # "Anna Berg's view": no "Berg's's"
                return f"no passage gives {who}'s words on this"
            return "no sentence ties " + " and ".join(repr(e) for e in q.entities) + " to an answer"
        return None

    @staticmethod
    def _constraint_reason(q: Question, best: Candidate) -> str | None:
        """A number of the question its answer's passage does not give, a negated question the answer
        sentence (or one beside it) does not negate, or an opposite of the question's word in place of
        it (:mod:`rag.answer.constraints`). A yes/no question is not checked: "Was it founded in
        1999?" is answered with the evidence that says 2002, "Did they accept …?" with "No — rejected"."""
        if q.claim is not None:
            return None
        number = missing_number(q.text, best.passage.text)
        if number is not None:
            return f"no passage with an answer gives the question's {number}"
        around = " ".join(s.text for s in best.passage.sentences[max(best.index - 1, 0): best.index + 2])
        if negation_unmet(q.text, around):
            return "the question asks what did not happen, and no answer sentence negates anything"
        flipped = opposite_instead(q.text, best.span.text)
        if flipped is not None:
            return f"the best sentence says '{flipped[1]}', not '{flipped[0]}'"
        return None

    @staticmethod
    def _says(c: Candidate, verb_forms: set[str]) -> bool:
        """Whether the candidate's sentence (or the one before, when it continues it) has one of the
        verb's stemmed forms (the verb and its thesaurus variants, looked up once per question)."""
        terms = set(content_terms(c.span.clean))
        if c.index > 0 and continues(c.passage.sentences[c.index - 1].text, c.span.text):
            terms |= set(content_terms(c.passage.sentences[c.index - 1].clean))
        return bool(terms & verb_forms)

    def _abstain_reason(self, q: Question, best: Candidate | None, context_used: bool = False) -> str | None:
        if best is None:
            return "no passage was retrieved"
        named = self._name_reason(q, best) or self._constraint_reason(q, best)
        if named:
            return named
        covered = max(best.coverage, (1 - self.policy.context_mix) * best.coverage + self.policy.context_mix * best.context_coverage)
        if best.features and best.features[-1] < 1.0 or context_used:
            # a follow-up's own words are few ("How many people died?"): the earlier turns' count too
            covered = max(covered, 0.5 * covered + 0.5 * best.features[-1])
        if covered < self.policy.min_coverage and not (best.dense >= self.policy.rescue_dense and covered >= self.policy.rescue_coverage):
            return f"the best passage covers only {covered:.0%} of the question's key terms"
        if q.needs_value and best.strength < 0.5:
            return f"no sentence gives a {q.type} for this question"
        if q.needs_value or q.type == "statement" or self.policy.strict_terms:
            missing = self.scorer.unknown_terms(q)
            if missing:
                return f"the corpus never uses the word {missing[0]!r} the question turns on"
        if q.type == "statement" and q.entities and not best.typed:
            return "no passage reports " + q.entities[0] + " saying anything on this"
        return None

    def _select(self, q: Question, cands: list[Candidate], best: Candidate) -> tuple[list[Candidate], bool]:
        """The best sentence, its plain continuation, and other articles' answers when they differ —
        and whether they do.

        For a question that asks for a value (who/when/where/how many), a further sentence is added
        only when another article gives a *different* value (both sides of a disagreement are shown);
        for a list of names ("which groups"), when it names an item not yet named (the lists add up);
        otherwise only a close runner-up is added.
        """
        differ = False
        chosen = [best]
        exclude = set(q.terms)
        if best.index > 0 and continues(best.passage.sentences[best.index - 1].text, best.span.text):
            # "He appointed …": the sentence before says who "he" is
            prev = next((c for c in cands if c.hit is best.hit and c.index == best.index - 1), None)
            if prev is not None:
                chosen.insert(0, prev)
        values = {v.lower() for v in answer_values(best.span.clean, q.type, exclude, self.ordinary)} if q.needs_value else set()
        nxt = best.index + 1
        if nxt < len(best.passage.sentences):
            follow = next((c for c in cands if c.hit is best.hit and c.index == nxt), None)
            adds = bool(follow) and follow.typed and bool(
                set(content_terms(follow.span.clean)) - set(content_terms(best.span.clean)) & set(q.terms))
            if follow and (best.span.text.rstrip().endswith(":")
                           or continues(best.span.text, follow.span.text) and (follow.score >= 0.6 * best.score or adds)
                           or not q.needs_value and follow.score >= self.policy.next_ratio * best.score):
                chosen.append(follow)
        for c in cands:
            if len(chosen) >= self.policy.max_sentences:
                break
            if any(c.span.start == x.span.start and c.passage.source == x.passage.source for x in chosen):
                continue
            if not c.entities_ok or not c.grounded or c.coverage < 0.5 * best.coverage:
                continue
            if q.needs_value:
                vals = {v.lower() for v in answer_values(c.span.clean, q.type, exclude, self.ordinary)}
                known = vals <= values if q.type == "name" else bool(vals & values)  # a list: any new item
                if (c.strength < 0.9 or c.passage.source == best.passage.source or not vals or known
                        or c.score < 0.7 * best.score):
                    continue
                values |= vals
                differ = differ or q.type not in ("name", "date")  # two dates are mostly two events
            elif c.score < self.policy.second_ratio * best.score:
                continue
            chosen.append(c)
        return chosen, differ

    # -- answering ---------------------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], *, standalone: str | None = None,
               context: str = "") -> Answer:
        t0 = time.perf_counter()
        parts = split_conditions(question) if not context else None
        joint = self._conditions(question, parts, hits, standalone, t0) if parts else None
        if joint is not None:
            return joint
        q = analyze(question)
        unknown = self.scorer.unknown_names(q)
        if unknown:  # "WWII" where the passages say "World War II": read the question as they write it
            spelled = spell_out(q.text, unknown, [h.passage.text for h in hits])
            q = analyze(spelled) if spelled != q.text else q
        context_terms = [t for t in content_terms(context) if t not in q.terms] if context else []
        cands = self.scorer.candidates(q, hits, context_terms, self.policy.weights)
        cands, best, reason = self._decide(q, cands, bool(context_terms))
        confidence = self.reader.confidence(best.confidence) if best is not None and self.reader is not None else None
        if reason is not None:
            return self._abstention(question, hits, reason, standalone, t0, confidence)
        polar = q.claim is not None and self.verdict is not None
        if polar:
            best = self._polar_best(q, cands, best)
            if self.reader is not None:
                confidence = self.reader.confidence(best.confidence)  # of the sentence that decides
        chosen, differ = self._select(q, cands, best)
        # group sentences from other articles that say the same thing under one sentence
        groups: list[list[Candidate]] = []
        for c in chosen:
            for g in groups:
                if g[0].passage.source != c.passage.source and self.judge(c.span.text, display(g[0].span)).supported:
                    g.append(c)
                    break
            else:
                groups.append([c])
        for g in groups:
            g_terms = set(content_terms(g[0].span.clean))
            for c in cands[:12]:
                if all(c.passage.source != x.passage.source for x in g) and c.score >= 0.5 * best.score \
                        and _overlap(g_terms, set(content_terms(c.span.clean))) >= 0.4 \
                        and self.judge(c.span.text, display(g[0].span)).supported:
                    g.append(c)
        # the best article first, its sentences in reading order; then the other articles
        rank: dict[str, float] = {}
        for g in groups:
            rank[g[0].passage.source] = max(rank.get(g[0].passage.source, 0.0), g[0].score)
        order = sorted(groups, key=lambda g: (-rank[g[0].passage.source], g[0].span.start))
        yes_no, deciding = self._verdict(q, [g[0] for g in order]) if polar else ("differ" if differ else None, 0)
        if yes_no in ("yes", "no"):  # the sentence that decides comes first, after "Yes —"/"No —"
            order.insert(0, order.pop(deciding))
        return self._compose(question, order, standalone, t0, confidence, verdict=yes_no)

    def _compose(self, question: str, order: list[list[Candidate]], standalone: str | None, t0: float,
                 confidence: float | None, *, verdict: str | None = None, name: str | None = None) -> Answer:
        """The answer of these sentence groups, in this order: each group's first sentence shown and
        checked, cited by every article in the group."""
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        for g in order:
            ns = []
            for c in g:
                key = (c.passage.source, c.span.start)
                existing = next((x.n for x in citations if (x.source, x.start) == key), None)
                if existing is None:
                    existing = len(citations) + 1
                    citations.append(cite(existing, c.hit, c.span.start, c.span.end))
                ns.append(existing)
            text = display(g[0].span)
            check = self.judge(g[0].span.text, text)
            sentences.append(AnswerSentence(text, tuple(ns), check.supported, check.score, check.reason))
        answer = Answer(question=question, text="", abstained=False, citations=tuple(citations),
                        sentences=tuple(sentences), timings_ms={"answer": (time.perf_counter() - t0) * 1000},
                        standalone_question=standalone or question, confidence=confidence, verdict=verdict,
                        name=name)
        body = answer.lead() + " ".join(with_marks(s.text, marks(s.citations)) for s in sentences)
        return replace(answer, text=body)

    # -- questions of several conditions -------------------------------------------------------------
    def _conditions(self, question: str, parts: Sequence[str], hits: Sequence[Hit], standalone: str | None,
                    t0: float) -> Answer | None:
        """One name that answers every condition, said first, with a cited sentence per condition; an
        abstention when each condition is answered but by different names; None (read the question as a
        whole) when a condition finds no answer."""
        options: list[list[tuple[str, Candidate]]] = []
        for part in parts:
            q = analyze(part)
            if not q.needs_value:
                return None
            # no reader floor: one name meeting every condition is evidence the single sentences lack
            cands, best, reason = self._decide(q, self.scorer.candidates(q, hits, [], self.policy.weights), False,
                                               floor=False)
            if best is None or reason is not None:
                return None
            exclude = set(q.terms)
            options.append([(v, c) for c in cands[:12] if c.typed and c.entities_ok and c.grounded
                            and c.score >= 0.5 * best.score and c.coverage >= self.policy.min_coverage
                            for v in answer_values(c.span.clean, q.type, exclude, self.ordinary)])
        for name, first in options[0]:
            picks = [(name, first)]
            for opts in options[1:]:
                match = next(((v, c) for v, c in opts if same_name(name, v)), None)
                if match is None:
                    break
                picks.append(match)
            else:
                groups: list[list[Candidate]] = []
                for _, c in picks:
                    if all(c.passage.source != g[0].passage.source or c.span.start != g[0].span.start for g in groups):
                        groups.append([c])
                conf = self.reader.confidence(min(c.confidence for _, c in picks)) if self.reader is not None else None
                return self._compose(question, groups, standalone, t0, conf, name=max((v for v, _ in picks), key=len))
        if all(options):  # each condition has its names, and none has them all
            return self._abstention(question, hits, "no one name meets every condition of the question", standalone, t0)
        return None

    # -- yes/no questions ----------------------------------------------------------------------------
    def _claim_verdict(self, q: Question, c: Candidate) -> Verdict | None:
        return self.verdict(c.span.text, q.claim, reported_ok=q.type == "statement")

    def _polar_best(self, q: Question, cands: list[Candidate], best: Candidate) -> Candidate:
        """For a yes/no question, the first of the leading sentences that states or negates the claim
        (it answers the question; the best-scored one may only be about it), else ``best``."""
        pool = [c for c in cands[: self.policy.polar_pool] if c.entities_ok and c.score >= 0.5 * best.score]
        for c in ([best] + [c for c in pool if c is not best]):
            if self._claim_verdict(q, c) is not None:
                return c
        return best

    def _verdict(self, q: Question, shown: list[Candidate]) -> tuple[str | None, int]:
        """"yes"/"no" when the shown sentences that decide agree; "differ" when sentences of different
        articles disagree; None when none decides (the evidence is shown without a verdict) — and the
        index of the first shown sentence that decides."""
        found = [(i, v.answer, c.passage.source) for i, c in enumerate(shown)
                 if (v := self._claim_verdict(q, c)) is not None]
        answers = {a for _, a, _ in found}
        if len(answers) == 1:
            return answers.pop(), found[0][0]
        if len(answers) > 1 and len({s for _, _, s in found}) > 1:
            return "differ", 0
        return None, 0

    def _abstention(self, question: str, hits: Sequence[Hit], reason: str, standalone: str | None,
                    t0: float, confidence: float | None = None) -> Answer:
        related = []
        for n, hit in enumerate(hits[: self.policy.related], start=1):
            scores = hit.sentence_scores or (0.0,)
            i = max(range(len(hit.passage.sentences)), key=lambda j: scores[j] if j < len(scores) else 0.0)
            related.append(cite(n, hit, hit.passage.sentences[i].start, hit.passage.sentences[i].end))
        return Answer(question=question, text=ABSTAIN_TEXT, abstained=True, related=tuple(related),
                      timings_ms={"answer": (time.perf_counter() - t0) * 1000},
                      standalone_question=standalone or question, notes=(f"Abstained: {reason}.",),
                      confidence=confidence)

    def stream(self, question: str, hits: Sequence[Hit], *, standalone: str | None = None,
               context: str = "") -> Iterator[StreamEvent]:
        """The same answer, one sentence at a time (nothing is generated, so nothing to wait for)."""
        return stream_of(self.answer(question, hits, standalone=standalone, context=context))
