"""Every weight and threshold of the extractive answerer, in one frozen, named place.

Boilerplate is penalised once, in retrieval (``FusionWeights.boilerplate_penalty``): the passage score
is a feature of every sentence, so a second penalty here changed nothing (measured: the corpus gold
set and the core tests gave the same answers with and without it) and was removed.

Where each value comes from: the sentence weights were fitted by ``scripts/tune_answerer.py`` on the
SQuAD 2.0 dev half (a grid over the gold paragraphs' sentences); the abstention thresholds and the
type strengths were set by hand in the first round against the corpus's gold questions
(``eval/questions.jsonl``) and the core tests, and are kept as they were measured there
(docs/eval.md). None of them is claimed to generalise beyond those sets: the learned reader replaces
them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["ExtractivePolicy", "TypeStrength", "DEFAULT_POLICY"]


@dataclass(frozen=True)
class TypeStrength:
    """How strongly a sentence offers an answer of the asked type (1 clearly .. 0 not at all)."""

    near: float = 1.0  # the value stands next to the question's own words
    person_far: float = 0.7  # a person's name elsewhere in the sentence
    actor_near: float = 0.6  # another named actor ("the alliance") next to the question's words
    actor_far: float = 0.4
    place_near: float = 0.5
    place_far: float = 0.35
    number_far: float = 0.3
    value_far: float = 0.7  # a date elsewhere in the sentence

    def __post_init__(self) -> None:
        for f in fields(self):
            if not 0.0 <= getattr(self, f.name) <= 1.0:
                raise ValueError(f"TypeStrength.{f.name} must be within 0..1, got {getattr(self, f.name)!r}")


@dataclass(frozen=True)
class ExtractivePolicy:
    """The extractive answerer's knobs; :data:`DEFAULT_POLICY` is what ships."""

    #: Sentence-score weights of the features: term coverage in the sentence, in its passage, dense
    #: similarity, passage score, answer-type strength, question-bigram overlap, new information,
    #: short-line penalty, follow-up context (scripts/tune_answerer.py, SQuAD 2.0 dev).
    weights: tuple[float, ...] = (0.42, 0.12, 0.30, 0.12, 0.25, 0.0, 0.0, -0.2, 0.35)
    max_sentences: int = 3
    min_coverage: float = 0.45  # idf-weighted share of key terms the best sentence must cover ...
    rescue_dense: float = 0.55  # ... unless its dense similarity is this high
    rescue_coverage: float = 0.2  # ... and it covers at least this much
    context_mix: float = 0.7  # weight of the passage's coverage when the sentence's own is low
    second_ratio: float = 0.8  # a further sentence must score this share of the best one
    next_ratio: float = 0.75  # the sentence after the best one is added at this share
    value_coverage: float = 0.0
    strict_terms: bool = False  # abstain when any key term is unknown to the corpus, for every question
    related: int = 3  # passages shown under an abstention
    #: A yes/no question may be answered by any of this many leading sentences that states or negates
    #: its claim (set by hand: the shown answer's candidates rarely run past 8 that score half the best).
    polar_pool: int = 8
    strength: TypeStrength = TypeStrength()
    #: Who decides answer-or-abstain: "reader" (the learned model's threshold), "both" (the threshold
    #: and the hand rules) or "rules" (the hand rules alone, the first round's answerer).
    decision: str = "rules"
    #: Under "rules"/"rank", the rules' answer is also refused when the reader's probability of the
    #: sentence they pick is under this (0 = off). Chosen on SQuAD's training articles as the highest
    #: value that loses at most 1 % of right answers there (docs/eval.md, "A floor under the rules";
    #: ``python scripts/choose_floor.py`` rechooses it after the reader is retrained).
    reader_floor: float = 0.5
    tuned_on: str = "SQuAD 2.0 dev half (weights); corpus gold questions and core tests (thresholds)"

    def __post_init__(self) -> None:
        if len(self.weights) != 9:
            raise ValueError(f"ExtractivePolicy.weights needs 9 values, got {len(self.weights)}")
        if not isinstance(self.max_sentences, int) or not 1 <= self.max_sentences <= 6:
            raise ValueError(f"ExtractivePolicy.max_sentences must be 1..6, got {self.max_sentences!r}")
        for name in ("min_coverage", "rescue_dense", "rescue_coverage", "context_mix", "value_coverage", "reader_floor"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"ExtractivePolicy.{name} must be within 0..1, got {getattr(self, name)!r}")
        for name in ("second_ratio", "next_ratio"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"ExtractivePolicy.{name} must be within (0, 1], got {getattr(self, name)!r}")
        if self.decision not in ("reader", "gated", "both", "rank", "rules"):
            raise ValueError(f"ExtractivePolicy.decision must be 'reader', 'gated', 'both', 'rank' or 'rules', got {self.decision!r}")
        if not isinstance(self.polar_pool, int) or not 1 <= self.polar_pool <= 50:
            raise ValueError(f"ExtractivePolicy.polar_pool must be 1..50, got {self.polar_pool!r}")
        if not isinstance(self.related, int) or not 0 <= self.related <= 10:
            raise ValueError(f"ExtractivePolicy.related must be 0..10, got {self.related!r}")


DEFAULT_POLICY = ExtractivePolicy()
