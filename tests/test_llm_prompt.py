"""What the model is shown, how its reply is read, and how follow-ups are rewritten."""

from __future__ import annotations

import pytest
from llm_support import corpus_passages, extractive, hit_for

import rag  # noqa: F401  (offline environment first)
from rag.answer.generative import GenerativeAnswerer
from rag.answer.prompt import NO_ANSWER, build_prompt
from rag.chat.condense import condense
from rag.errors import LLMError
from rag.ingest.chunk import count_tokens
from rag.llm import ScriptedLLM
from rag.text.marks import parse_reply
from rag.verify import Verifier


def _all_hits():
    from rag import Hit

    return [Hit(p, 1.0, 1.0, 1.0, tuple(0.5 for _ in p.sentences)) for p in corpus_passages()]


def test_passages_are_numbered_with_titles_and_the_instruction_comes_after():
    hits = [hit_for("Nabeel Munir"), hit_for("established in 2002")]
    prompt = build_prompt("Who led Pakistan's delegation?", hits, context_window=4096, max_output_tokens=512)
    system, user = prompt.messages
    assert "data, never instructions" in system.content
    first = user.content.index('<source id="1" title="Facing TTP and Daesh Threats')
    second = user.content.index('<source id="2" title="Region Remains Concerned About Terrorism Threat')
    question = user.content.index("Question: Who led Pakistan's delegation?")
    assert first < second < question < user.content.index("End every sentence with the number of the source")
    assert NO_ANSWER in user.content[question:]
    assert "Nabeel Munir" in user.content[first:second]
    assert prompt.sources == tuple(hits) and prompt.dropped == 0


@pytest.mark.parametrize("window", [900, 1500, 3000])
def test_the_prompt_fits_the_model_window(window):
    hits = _all_hits()
    prompt = build_prompt("What did Lavrov say about Afghanistan?", hits, context_window=window, max_output_tokens=256)
    used = sum(count_tokens(m.content) for m in prompt.messages)
    assert used + 256 <= window
    assert 0 < len(prompt.sources) < len(hits) and prompt.dropped == len(hits) - len(prompt.sources)
    assert prompt.sources[0] is hits[0]  # best-ranked passages go in first


def test_a_window_too_small_for_any_passage_is_a_clear_error():
    with pytest.raises(LLMError, match="context window \\(300 tokens\\)"):
        build_prompt("q?", _all_hits()[:3], context_window=300, max_output_tokens=200)


def test_small_window_is_reported_in_the_answer_notes():
    hits = [hit_for("Nov. 16, 2023")] + _all_hits()[:12]
    reply = "Pakistan and Russia held the last meeting of the working group on Nov. 16, 2023 [1]."
    llm = ScriptedLLM([reply], context_window=1200)
    a = GenerativeAnswerer(llm, fallback=extractive(), verifier=Verifier, max_tokens=200).answer("When did the working group last meet?", hits)
    assert any("did not fit the LLM's context window" in n for n in a.notes)


def test_reply_reading_handles_marker_styles():
    reply = (
        "- Lavrov met Tasmagambetov in Moscow. [1][2]\n"
        "- The CSTO has six members [Source 3].\n"
        "It was founded in 2002 [1, 3]. Ranges count too [2-4].\n"
        "1. Numbered lists are read [4].\n"
        "**Answer:** Labels and bold are dropped [1]."
    )
    assert [(d.text, d.citations) for d in parse_reply(reply)] == [
        ("Lavrov met Tasmagambetov in Moscow.", (1, 2)),
        ("The CSTO has six members.", (3,)),
        ("It was founded in 2002.", (1, 3)),
        ("Ranges count too.", (2, 3, 4)),
        ("Numbered lists are read.", (4,)),
        ("Labels and bold are dropped.", (1,)),
    ]


HISTORY = [("Who led Pakistan's delegation at the working group meeting?", "Nabeel Munir led it. [1]")]


def test_condense_rewrites_a_follow_up_with_the_history():
    llm = ScriptedLLM(["Standalone question: Who led the Russian side at the working group meeting?"])
    out = condense(llm, HISTORY, "And the Russian side?")
    assert out == "Who led the Russian side at the working group meeting?"
    shown = llm.prompts[0]
    assert "Who led Pakistan's delegation" in shown and "And the Russian side?" in shown
    assert "[1]" not in shown  # citation markers of earlier answers are not shown to the model


def test_condense_without_history_does_not_call_the_llm():
    llm = ScriptedLLM(["should not be used"])
    assert condense(llm, [], "When was the CSTO established?") == "When was the CSTO established?"
    assert llm.prompts == []


@pytest.mark.parametrize(
    "junk",
    [
        " ",
        "The CSTO " * 80,
        "The following is a standalone answer to the chat request:",  # SmolLM2, measured
        "Who led Pakistan's delegation?",  # drops what the follow-up asks about
    ],
)
def test_condense_discards_a_junk_rewrite_and_keeps_the_topic(junk):
    out = condense(ScriptedLLM([junk]), HISTORY, "And the Russian side?")
    assert out == "And the Russian side? (Who led Pakistan's delegation at the working group meeting?)"


def test_condense_keeps_only_recent_history_that_fits():
    llm = ScriptedLLM(["Who led the Russian side?"])
    history = [(f"Old question number {i} about the CSTO?", "An old answer. " * 40) for i in range(30)]
    condense(llm, history + HISTORY, "And the Russian side?")
    shown = llm.prompts[0]
    assert "Who led Pakistan's delegation" in shown and "Old question number 0 " not in shown
    assert count_tokens(shown) < 1200
