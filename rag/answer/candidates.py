"""Candidate answer sentences and what a reader measures about each (the reader's features).

For every sentence of every retrieved passage: how much of the question's key terms it and its
passage cover (idf-weighted, stem- and typo-tolerant), whether it names the question's named things,
whether it offers an answer of the asked type, its dense similarity to the question (alone and with
the sentence before it), its passage's retrieval scores, its position. :data:`FEATURES` names the
vector the learned reader (:mod:`rag.answer.reader`) scores; the order here is the order there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from rag.answer.policy import DEFAULT_POLICY, ExtractivePolicy
from rag.answer.question import Question, is_generic, type_strength
from rag.records import Hit, Passage, SentenceSpan
from rag.text.lexicon import variants
from rag.text.places import place_aliases
from rag.text.names import CaseStats, close_name, one_edit
from rag.text.normalize import content_terms
from rag.text.vocabulary import SPEECH_VERBS, is_place, is_title

__all__ = ["Candidate", "CandidateScorer", "FEATURES"]

#: The reader's feature names, in vector order (a trained model lists the same names).
FEATURES = (
    "coverage_sentence",  # idf-weighted share of the question's terms in the sentence (generic terms half)
    "coverage_passage",  # ... in its passage and title
    "dense_sentence",  # cosine of the question and the sentence
    "passage_score",  # fused retrieval score, relative to the best passage
    "type_strength",  # how clearly the sentence offers a value of the asked type
    "bigrams",  # share of the question's word pairs found in the sentence
    "new_information",  # terms the sentence adds beyond the question
    "headline",  # a heading or caption rather than a sentence
    "context_coverage",  # a follow-up's earlier-turn terms found here
    "dense_with_previous",  # mean cosine of this sentence and the one before it
    "dense_passage",  # cosine of the question and the whole passage
    "bm25_passage",  # the passage's BM25 score, relative to the best passage
    "inverse_rank",  # 1 / the passage's rank
    "names_in_passage",  # the passage names the question's named things
    "grounded",  # the sentence itself ties those names to its answer
    "typed",  # an answer of the asked type is present
    "needs_value",  # the question asks for a value (who / when / where / how many)
    "unknown_name",  # a name in the question never occurs in the corpus
    "unknown_term",  # a key word of the question never occurs in the corpus
    "rarest_term_here",  # the question's rarest term is in the sentence or the one before it
    "missing_idf_passage",  # the largest idf of a question term absent from the passage, scaled
    "missing_idf_sentence",  # ... absent from the sentence and the one before it
    "dense_gap",  # this sentence's dense cosine minus the best candidate's
    "coverage_gap",  # this sentence's coverage minus the best candidate's
    "position",  # the sentence's place in its passage, 0 first .. 1 last
    "question_terms",  # how many key terms the question has, scaled
)


@dataclass(frozen=True)
class Candidate:
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
    reader: tuple[float, ...] = ()  # the FEATURES vector
    confidence: float = 0.0  # the reader's probability that this sentence answers the question

    @property
    def passage(self) -> Passage:
        return self.hit.passage


def headline(text: str) -> bool:
    """A heading, caption or teaser title rather than a sentence of the article."""
    text = text.strip()
    if len(text) < 25 or text.count(" ") < 3:
        return True
    if text[-1] in ".!?\"'”’:)":
        return False
    tokens = [t for t in text.split() if t[:1].isalpha()]
    return bool(tokens) and sum(t[0].isupper() for t in tokens) >= 0.6 * len(tokens)


def expand(terms: set[str]) -> set[str]:
    """Add the leading words of long glued tokens ("quadrilateralmeet" → "quadrilater…") for matching."""
    extra = {t[:n] for t in terms if len(t) >= 14 and t.isalpha() for n in range(6, len(t) - 3)}
    return terms | extra if extra else terms


_PRONOUNS = frozenset("he she they".split())


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


class CandidateScorer:
    """Measures every sentence of the retrieved passages against a question."""

    def __init__(self, doc_freq: Mapping[str, int] | None = None, n_passages: int = 1, *,
                 policy: ExtractivePolicy = DEFAULT_POLICY, before: Mapping[str, set[str]] | None = None,
                 cases: CaseStats | None = None):
        self.policy = policy
        self.doc_freq = dict(doc_freq or {})
        self.n_passages = max(1, n_passages)
        self.before: Mapping[str, set[str]] = before if before is not None else {}  # not copied: lazy
        self.ordinary = cases.ordinary if cases is not None else None  # which words are not names
        self._known: dict[tuple[str, bool], str | None] = {}
        self._by_prefix: dict[str, list[str]] | None = None
        self._max_idf = self.idf("\0")

    def idf(self, term: str) -> float:
        df = self.doc_freq.get(term, 0)
        return math.log(1.0 + (self.n_passages + 1) / (df + 0.5))

    def coverage(self, terms: Sequence[str], have: set[str], generic: float = 0.0) -> float:
        """idf-weighted share of ``terms`` in ``have``; generic terms weigh ``generic`` times as much."""
        weights = [(t, self.idf(t) * (generic if is_generic(t) else 1.0)) for t in terms]
        total = sum(w for _, w in weights)
        if total <= 0:
            return 1.0
        return sum(w for t, w in weights if t in have or variants(t) & have) / total

    def known_term(self, term: str, fuzzy: bool = True) -> str | None:
        """The corpus term a question term stands for: itself, a glued form, or (``fuzzy``, for
        names) a one-letter misspelling of it."""
        if self.doc_freq.get(term, 0) > 0:
            return term
        key = (term, fuzzy)
        if key not in self._known:
            self._known[key] = self._lookup(term, fuzzy)
        return self._known[key]

    def _lookup(self, term: str, fuzzy: bool) -> str | None:
        """The most frequent match (then the first by spelling: never the order terms were indexed in)."""
        if len(term) < 6:
            return None
        if self._by_prefix is None:  # both kinds of match share the first two letters
            self._by_prefix = {}
            for cand in self.doc_freq:
                self._by_prefix.setdefault(cand[:2], []).append(cand)
        found = [cand for cand in self._by_prefix.get(term[:2], ())
                 if (fuzzy and abs(len(cand) - len(term)) <= 1 and one_edit(cand, term))
                 or (len(cand) >= len(term) + 4 and cand.startswith(term))]  # glued ("Quadrilateralmeetings")
        return min(found, key=lambda c: (-self.doc_freq[c], c)) if found else None

    def unknown_names(self, q: Question) -> list[str]:
        """The question's names of which no word occurs in the corpus."""
        return [e for e, name in zip(q.entities, q.entity_terms)
                if all(self.known_term(t) is None and not any(self.doc_freq.get(v, 0) for v in place_aliases(t))
                       for t in name)]

    def unknown_terms(self, q: Question) -> list[str]:
        """The question's specific key words (four letters or more) the corpus never uses."""
        return [t for t in q.terms if len(t) >= 4 and not is_generic(t)
                and self.known_term(t, fuzzy=False) is None
                and not any(self.doc_freq.get(v, 0) for v in variants(t))]

    def missing_names(self, names: Sequence[tuple[str, ...]], terms: set[str]) -> int:
        """How many of the names are absent from ``terms``.

        Two spellings of a name match (:func:`rag.text.names.close_name`: "Norwegian"/"Norway"), and a
        name glued to the next word ("Quadrilateralmeetings") still counts.
        """
        def named(term: str) -> bool:
            term = self.known_term(term) or term
            if term in terms or place_aliases(term) & terms:  # "Oslo" for "Norway"
                return True
            return len(term) >= 4 and any(close_name(term, p) or (len(p) >= len(term) + 4 and p.startswith(term))
                                          for p in terms if len(p) >= 4)

        def present(name: tuple[str, ...]) -> bool:
            words_ = [t for t in name if len(t) >= 3] or list(name)
            return 2 * sum(named(t) for t in words_) >= len(words_)

        return sum(1 for name in names if not present(name))

    def _entities_ok(self, q: Question, p_terms: set[str]) -> bool:
        """A passage must name the question's named things (one of three may be missing)."""
        return self.missing_names(q.entity_terms, p_terms) <= len(q.entity_terms) // 3

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
            return (self.missing_names(q.entity_terms, near) <= len(q.entity_terms) // 3
                    and self.coverage(q.terms, near) >= self.policy.value_coverage)
        speaker, topic = q.entity_terms[:1], q.entity_terms[1:]
        speaks = (self.missing_names(speaker, s_terms) == 0
                  or _reports_unnamed(text) and self.missing_names(speaker, p_terms) == 0)
        said = {t for name in speaker for t in name}
        topic_terms = [t for t in q.terms if t not in said and not is_generic(t)]
        return (speaks and self.missing_names(topic, near) <= len(topic) // 3
                and self.coverage(topic_terms, near) >= 0.5)

    def _missing_idf(self, q: Question, have: set[str]) -> float:
        absent = [self.idf(t) for t in q.terms if not is_generic(t) and t not in have and not variants(t) & have]
        return max(absent, default=0.0) / self._max_idf

    def candidates(self, q: Question, hits: Sequence[Hit], context_terms: Sequence[str],
                   weights: Sequence[float]) -> list[Candidate]:
        """Every sentence of ``hits`` with its features, best linear ``weights`` score first."""
        out: list[Candidate] = []
        top = max((h.score for h in hits), default=1.0) or 1.0
        top_bm25 = max((h.bm25 for h in hits), default=1.0) or 1.0
        q_bigrams = set(zip(q.terms, q.terms[1:]))
        q_terms = set(q.terms)
        rarest = max(q.terms, key=self.idf, default=None)
        question_level = (1.0 if q.needs_value else 0.0, 1.0 if self.unknown_names(q) else 0.0,
                          1.0 if self.unknown_terms(q) else 0.0)
        for rank, hit in enumerate(hits, start=1):
            p = hit.passage
            p_terms = expand(set(content_terms(p.clean)) | set(content_terms(p.title)))
            # "he said" may refer to the person the previous passage named
            before = self.before.get(p.id, set())  # computed when asked: once per passage, not per sentence
            ents = self._entities_ok(q, p_terms | before)
            prev_terms: set[str] = before  # the first sentence follows the last passage
            all_terms = [expand(set(content_terms(x.clean))) for x in p.sentences]
            ctx = self.coverage(q.terms, p_terms)
            missing_p = self._missing_idf(q, p_terms)
            n = len(p.sentences)
            for i, span in enumerate(p.sentences):
                s_list = content_terms(span.clean)
                s_terms = all_terms[i]
                if span.text.rstrip().endswith(":") and i + 1 < n:
                    s_terms = s_terms | all_terms[i + 1]  # "… tweeted his explanation:" + the tweet
                cov = self.coverage(q.terms, s_terms)
                dense = hit.sentence_scores[i] if i < len(hit.sentence_scores) else 0.0
                prev_dense = hit.sentence_scores[i - 1] if 0 < i <= len(hit.sentence_scores) else dense
                strength = type_strength(span.clean, q, self.policy.strength, self.ordinary)
                feats = (
                    self.coverage(q.terms, s_terms, generic=0.5),
                    ctx,
                    dense,
                    hit.score / top,
                    strength if q.needs_value or q.type == "statement" else 0.0,
                    len(q_bigrams & set(zip(s_list, s_list[1:]))) / len(q_bigrams) if q_bigrams else 0.0,
                    min(1.0, len(s_terms - q_terms) / 8.0),
                    1.0 if headline(span.text) else 0.0,
                    self.coverage(context_terms, s_terms | p_terms) if context_terms else 1.0,
                )
                grounded = self._grounded(q, s_terms, prev_terms, p_terms | before, span.text)
                if grounded and q.type == "statement" and q.entity_terms:
                    # "… he said": the speaker counts as named in the sentence
                    feats = (self.coverage(q.terms, s_terms | set(q.entity_terms[0]), generic=0.5),) + feats[1:]
                reader = feats + (
                    0.5 * (dense + prev_dense), hit.dense, hit.bm25 / top_bm25, 1.0 / rank,
                    float(ents), float(grounded), float(strength > 0), *question_level,
                    float(rarest is None or rarest in s_terms | prev_terms or bool(variants(rarest) & s_terms)),
                    missing_p, self._missing_idf(q, s_terms | prev_terms), 0.0, 0.0, i / (n - 1) if n > 1 else 0.0, min(1.0, len(q.terms) / 10.0),
                )
                score = float(sum(w * f for w, f in zip(weights, feats)))
                out.append(Candidate(hit, i, span, score, cov, ctx, dense, strength > 0, ents, strength, feats,
                                     grounded, reader))
                prev_terms = s_terms
        return _with_gaps(out)


def _with_gaps(cands: list[Candidate]) -> list[Candidate]:
    """Fill in each candidate's distance to the best dense cosine and coverage, best score first."""
    if not cands:
        return cands
    best_dense = max(c.dense for c in cands)
    best_cov = max(c.features[0] for c in cands)
    i_dense, i_cov = FEATURES.index("dense_gap"), FEATURES.index("coverage_gap")
    out = []
    for c in cands:
        r = list(c.reader)
        r[i_dense], r[i_cov] = c.dense - best_dense, c.features[0] - best_cov
        out.append(replace(c, reader=tuple(r)))
    out.sort(key=lambda c: -c.score)
    return out

