"""The default answerer: the few corpus sentences that answer the question, each cited, or an abstention.

Nothing is generated, so every sentence is grounded by construction; the work is in choosing
sentences a reader would accept and in refusing when the evidence does not cover the question.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

from rag.answer.citations import cite
from rag.answer.policy import DEFAULT_POLICY, ExtractivePolicy
from rag.answer.question import (
    Question,
    analyze,
    answer_values,
    is_generic,
    type_strength,
)
from rag.records import (
    Answer,
    AnswerSentence,
    Citation,
    Hit,
    Judge,
    Passage,
    SentenceSpan,
    StreamEvent,
    marks,
    stream_of,
    with_marks,
)
from rag.text.lexicon import variants
from rag.text.names import CaseStats, close_name, one_edit
from rag.text.normalize import content_terms, normalize
from rag.text.vocabulary import SPEECH_VERBS, is_place, is_title

__all__ = ["ExtractiveAnswerer", "ABSTAIN_TEXT"]

ABSTAIN_TEXT = "The corpus does not say."
_PRONOUNS = frozenset("he she they".split())
_ANAPHOR = re.compile(r"^(?:he|she|they|it|this|these|those|the (?:militants?|group|minister|two|organi[sz]ation|"
                      r"meeting|alliance|president|attack)|his|her|their|its)\b", re.I)


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    index: int
    span: SentenceSpan
    score: float
    coverage: float
    context_coverage: float
    dense: float
    typed: bool
    entities_ok: bool
    strength: float = 0.0
    features: tuple[float, ...] = ()
    grounded: bool = True

    @property
    def passage(self) -> Passage:
        return self.hit.passage


def _overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller term set found in the other: a cheap filter before the judge."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _headline(text: str) -> bool:
    """A heading, caption or teaser title rather than a sentence of the article."""
    text = text.strip()
    if len(text) < 25 or text.count(" ") < 3:
        return True
    if text[-1] in ".!?\"'”’:)":
        return False
    tokens = [t for t in text.split() if t[:1].isalpha()]
    return bool(tokens) and sum(t[0].isupper() for t in tokens) >= 0.6 * len(tokens)


def _expand(terms: set[str]) -> set[str]:
    """Add the leading words of long glued tokens ("quadrilateralmeet" → "quadrilater…") for matching."""
    extra = {t[:n] for t in terms if len(t) >= 14 and t.isalpha() for n in range(6, len(t) - 3)}
    return terms | extra if extra else terms


def _reports_unnamed(text: str) -> bool:
    """A sentence giving someone's words without their name: "he said …", "She warned …", "The
    foreign minister added …" (a title, possibly after a demonym)."""
    toks = re.findall(r"[a-z'’\-]+", text.lower())
    if not toks:
        return False
    if toks[0] in _PRONOUNS or any(a in _PRONOUNS and b in SPEECH_VERBS for a, b in zip(toks, toks[1:])):
        return True
    if toks[0] == "the":
        head = toks[1:4]
        return any(is_title(w) for w in head) and all(is_title(w) or is_place(w) for w in head[:next(
            (i for i, w in enumerate(head) if is_title(w)), 0)])
    return False


def display(span: SentenceSpan) -> str:
    """The sentence as shown: the de-glued text (the citation keeps the exact file text)."""
    return normalize(span.clean)


class ExtractiveAnswerer:
    """Selects, checks and cites answer sentences from retrieved passages; abstains when unsure."""

    def __init__(self, doc_freq: Mapping[str, int] | None = None, n_passages: int = 1, *,
                 judge: Judge, policy: ExtractivePolicy = DEFAULT_POLICY,
                 before: Mapping[str, set[str]] | None = None, cases: CaseStats | None = None):
        if not callable(judge):
            raise ValueError(f"judge must be callable as judge(passage, sentence), got {judge!r}")
        if not isinstance(policy, ExtractivePolicy):
            raise ValueError(f"policy must be an ExtractivePolicy, got {policy!r}")
        self.judge = judge
        self.policy = policy
        self.weights = policy.weights
        self.doc_freq = dict(doc_freq or {})
        self._known: dict[tuple[str, bool], str | None] = {}
        self.before: dict[str, set[str]] = dict(before or {})
        self.n_passages = max(1, n_passages)
        self.ordinary = cases.ordinary if cases is not None else None  # which words are not names

    # -- scoring ---------------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        df = self.doc_freq.get(term, 0)
        return math.log(1.0 + (self.n_passages + 1) / (df + 0.5))

    def _coverage(self, terms: Sequence[str], have: set[str], generic: float = 0.0) -> float:
        """idf-weighted share of ``terms`` in ``have``; generic terms weigh ``generic`` times as much."""
        weights = [(t, self.idf(t) * (generic if is_generic(t) else 1.0)) for t in terms]
        total = sum(w for _, w in weights)
        if total <= 0:
            return 1.0
        return sum(w for t, w in weights if t in have or variants(t) & have) / total

    def _known_term(self, term: str, fuzzy: bool = True) -> str | None:
        """The corpus term a question term stands for: itself, a glued form, or (``fuzzy``, for
        names) a one-letter misspelling of it."""
        if self.doc_freq.get(term, 0) > 0:
            return term
        key = (term, fuzzy)
        if key not in self._known:
            self._known[key] = self._lookup(term, fuzzy)
        return self._known[key]

    def _lookup(self, term: str, fuzzy: bool) -> str | None:
        if len(term) < 6:
            return None
        for cand in self.doc_freq:
            if fuzzy and abs(len(cand) - len(term)) <= 1 and cand[:2] == term[:2] and one_edit(cand, term):
                return cand
            if len(cand) >= len(term) + 4 and cand.startswith(term):
                return cand  # glued to the next word in the text ("Quadrilateralmeetings")
        return None

    def _missing_names(self, names: Sequence[tuple[str, ...]], terms: set[str]) -> int:
        """How many of the names are absent from ``terms``.

        Two spellings of a name match (:func:`rag.text.names.close_name`: "Norwegian"/"Norway"), and a
        name glued to the next word ("Quadrilateralmeetings") still counts.
        """
        def named(term: str) -> bool:
            term = self._known_term(term) or term
            if term in terms:
                return True
            return len(term) >= 4 and any(close_name(term, p) or (len(p) >= len(term) + 4 and p.startswith(term))
                                          for p in terms if len(p) >= 4)

        def present(name: tuple[str, ...]) -> bool:
            words_ = [t for t in name if len(t) >= 3] or list(name)
            return 2 * sum(named(t) for t in words_) >= len(words_)

        return sum(1 for name in names if not present(name))

    def _entities_ok(self, q: Question, p_terms: set[str]) -> bool:
        """A passage must name the question's named things (one of three may be missing)."""
        return self._missing_names(q.entity_terms, p_terms) <= len(q.entity_terms) // 3

    def _grounded(self, q: Question, s_terms: set[str], prev_terms: set[str], p_terms: set[str],
                  text: str) -> bool:
        """Whether the sentence itself ties the question's names to its answer.

        For "who/when/how many" the names must be in the sentence (or the one before it, which its
        pronouns refer to); for "what did X say" the sentence must be X's words — X named, or "he
        said" in a passage about X — and the topic's names must be in it.
        """
        if not q.entity_terms or not (q.needs_value or q.type == "statement"):
            return True
        near = s_terms | prev_terms
        if q.type != "statement":
            return (self._missing_names(q.entity_terms, near) <= len(q.entity_terms) // 3
                    and self._coverage(q.terms, near) >= self.policy.value_coverage)
        speaker, topic = q.entity_terms[:1], q.entity_terms[1:]
        speaks = (self._missing_names(speaker, s_terms) == 0
                  or _reports_unnamed(text) and self._missing_names(speaker, p_terms) == 0)
        said = {t for name in speaker for t in name}
        topic_terms = [t for t in q.terms if t not in said and not is_generic(t)]
        return (speaks and self._missing_names(topic, near) <= len(topic) // 3
                and self._coverage(topic_terms, near) >= 0.5)

    def _candidates(self, q: Question, hits: Sequence[Hit], context_terms: Sequence[str]) -> list[_Candidate]:
        out = []
        top = max((h.score for h in hits), default=1.0) or 1.0
        q_bigrams = set(zip(q.terms, q.terms[1:]))
        q_terms = set(q.terms)
        for hit in hits:
            p = hit.passage
            p_terms = _expand(set(content_terms(p.clean)) | set(content_terms(p.title)))
            # "he said" may refer to the person the previous passage named
            ents = self._entities_ok(q, p_terms | self.before.get(p.id, set()))
            prev_terms: set[str] = self.before.get(p.id, set())  # the first sentence follows the last passage
            all_terms = [_expand(set(content_terms(x.clean))) for x in p.sentences]
            for i, span in enumerate(p.sentences):
                s_list = content_terms(span.clean)
                s_terms = all_terms[i]
                if span.text.rstrip().endswith(":") and i + 1 < len(all_terms):
                    s_terms = s_terms | all_terms[i + 1]  # "… tweeted his explanation:" + the tweet
                cov = self._coverage(q.terms, s_terms)
                ctx = self._coverage(q.terms, p_terms)
                dense = hit.sentence_scores[i] if i < len(hit.sentence_scores) else 0.0
                strength = type_strength(span.clean, q, self.policy.strength, self.ordinary)
                feats = (
                    self._coverage(q.terms, s_terms, generic=0.5),
                    ctx,
                    dense,
                    hit.score / top,
                    strength if q.needs_value or q.type == "statement" else 0.0,
                    len(q_bigrams & set(zip(s_list, s_list[1:]))) / len(q_bigrams) if q_bigrams else 0.0,
                    min(1.0, len(s_terms - q_terms) / 8.0),
                    1.0 if _headline(span.text) else 0.0,
                    self._coverage(context_terms, s_terms | p_terms) if context_terms else 1.0,
                )
                grounded = self._grounded(q, s_terms, prev_terms, p_terms | self.before.get(p.id, set()), span.text)
                if grounded and q.type == "statement" and q.entity_terms:
                    # "… he said": the speaker counts as named in the sentence
                    feats = (self._coverage(q.terms, s_terms | set(q.entity_terms[0]), generic=0.5),) + feats[1:]
                score = float(sum(w * f for w, f in zip(self.weights, feats)))
                out.append(_Candidate(hit, i, span, score, cov, ctx, dense, strength > 0, ents, strength, feats,
                                      grounded))
                prev_terms = s_terms
        out.sort(key=lambda c: -c.score)
        return out

    # -- deciding ----------------------------------------------------------------------------------
    def _abstain_reason(self, q: Question, best: _Candidate | None, context_used: bool = False) -> str | None:
        if best is None:
            return "no passage was retrieved"
        unknown = [e for e, name in zip(q.entities, q.entity_terms)
                   if all(self._known_term(t) is None for t in name)]
        if unknown:
            return f"the corpus never mentions {unknown[0]!r}"
        if not best.entities_ok:
            return "no passage mentions " + " and ".join(repr(e) for e in q.entities)
        if not best.grounded:
            if q.type == "statement":
                return f"no passage gives {q.entities[0]}'s words on this"
            return "no sentence ties " + " and ".join(repr(e) for e in q.entities) + " to an answer"
        covered = max(best.coverage, (1 - self.policy.context_mix) * best.coverage + self.policy.context_mix * best.context_coverage)
        if best.features and best.features[-1] < 1.0 or context_used:
            # a follow-up's own words are few ("How many people died?"): the earlier turns' count too
            covered = max(covered, 0.5 * covered + 0.5 * best.features[-1])
        if covered < self.policy.min_coverage and not (best.dense >= self.policy.rescue_dense and covered >= self.policy.rescue_coverage):
            return f"the best passage covers only {covered:.0%} of the question's key terms"
        if q.needs_value and best.strength < 0.5:
            return f"no sentence gives a {q.type} for this question"
        if q.needs_value or q.type == "statement" or self.policy.strict_terms:
            missing = [t for t in q.terms if len(t) >= 4 and not is_generic(t)
                       and self._known_term(t, fuzzy=False) is None
                       and not any(self.doc_freq.get(v, 0) for v in variants(t))]
            if missing:
                return f"the corpus never uses the word {missing[0]!r} the question turns on"
        if q.type == "statement" and q.entities and not best.typed:
            return "no passage reports " + q.entities[0] + " saying anything on this"
        return None

    def _select(self, q: Question, cands: list[_Candidate], best: _Candidate) -> list[_Candidate]:
        """The best sentence, its plain continuation, and other articles' answers when they differ.

        For a question that asks for a value (who/when/where/how many), a further sentence is added
        only when another article gives a *different* value (both sides of a disagreement are shown);
        otherwise only a close runner-up is added.
        """
        chosen = [best]
        exclude = set(q.terms)
        if best.index > 0 and _ANAPHOR.match(best.span.text):
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
                           or _ANAPHOR.match(follow.span.text) and (follow.score >= 0.6 * best.score or adds)
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
                if (c.strength < 0.9 or c.passage.source == best.passage.source or not vals or vals & values
                        or c.score < 0.7 * best.score):
                    continue
                values |= vals
            elif c.score < self.policy.second_ratio * best.score:
                continue
            chosen.append(c)
        return chosen

    # -- answering ---------------------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], *, standalone: str | None = None,
               context: str = "") -> Answer:
        t0 = time.perf_counter()
        q = analyze(question)
        context_terms = [t for t in content_terms(context) if t not in q.terms] if context else []
        cands = self._candidates(q, hits, context_terms)
        best = None
        if cands:
            pool = [c for c in cands if c.entities_ok] or cands
            pool = [c for c in pool if c.grounded] or pool
            typed = [c for c in pool if c.typed] if q.needs_value else pool
            best = (typed or pool)[0]
        reason = self._abstain_reason(q, best, bool(context_terms))
        if reason is not None:
            return self._abstention(question, hits, reason, standalone, t0)
        chosen = self._select(q, cands, best)
        # group sentences from other articles that say the same thing under one sentence
        groups: list[list[_Candidate]] = []
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
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        # the best article first, its sentences in reading order; then the other articles
        rank: dict[str, float] = {}
        for g in groups:
            rank[g[0].passage.source] = max(rank.get(g[0].passage.source, 0.0), g[0].score)
        order = sorted(groups, key=lambda g: (-rank[g[0].passage.source], g[0].span.start))
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
            verdict = self.judge(g[0].span.text, text)
            sentences.append(AnswerSentence(text, tuple(ns), verdict.supported, verdict.score, verdict.reason))
        body = " ".join(with_marks(s.text, marks(s.citations)) for s in sentences)
        return Answer(question=question, text=body, abstained=False, citations=tuple(citations),
                      sentences=tuple(sentences), timings_ms={"answer": (time.perf_counter() - t0) * 1000},
                      standalone_question=standalone or question)

    def _abstention(self, question: str, hits: Sequence[Hit], reason: str, standalone: str | None,
                    t0: float) -> Answer:
        related = []
        for n, hit in enumerate(hits[: self.policy.related], start=1):
            scores = hit.sentence_scores or (0.0,)
            i = max(range(len(hit.passage.sentences)), key=lambda j: scores[j] if j < len(scores) else 0.0)
            related.append(cite(n, hit, hit.passage.sentences[i].start, hit.passage.sentences[i].end))
        return Answer(question=question, text=ABSTAIN_TEXT, abstained=True, related=tuple(related),
                      timings_ms={"answer": (time.perf_counter() - t0) * 1000},
                      standalone_question=standalone or question, notes=(f"Abstained: {reason}.",))

    def stream(self, question: str, hits: Sequence[Hit], *, standalone: str | None = None,
               context: str = "") -> Iterator[StreamEvent]:
        """The same answer, one sentence at a time (nothing is generated, so nothing to wait for)."""
        return stream_of(self.answer(question, hits, standalone=standalone, context=context))
